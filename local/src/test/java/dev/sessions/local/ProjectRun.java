package dev.sessions.local;

import dev.sessions.local.iam.CallerCredentials;
import dev.sessions.local.iam.LocalIam;
import dev.sessions.local.iam.Roles;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.runtime.LogSink;
import dev.sessions.local.template.Template;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.Executables;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The project's template and {@code sam build} artifacts in the local runtime, on a stack of its
 * own on the emulator (tables and queues bootstrapped), with IAM enforced as {@code start-api}
 * enforces it: each function as its role, through the checking proxy.
 *
 * @param template the project's template, read with CacheEnabled=true
 * @param lambda the local Lambda
 * @param aws the AWS environment the runtime was given (the emulator, test credentials)
 * @param iam the enforcement: the roles, the caller's keys and the calls each function made
 */
public record ProjectRun(Template template, LocalLambda lambda, Map<String, String> aws, LocalIam iam)
        implements AutoCloseable {

    /**
     * @param stackPrefix names this run's resources ({@code <prefix>-<random>-<LogicalId>})
     * @param overrides environment overrides, as {@code --env-vars} gives them for every function
     * @param extra variables every function gets (PRIME_AT_INIT, say)
     * @param environments execution environments per function
     */
    public static ProjectRun start(AwsEndpoint aws, String stackPrefix, Map<String, String> overrides,
                                   Map<String, String> extra, int environments, LogSink logs, Path dir) {
        return start(aws, stackPrefix, Map.of(), overrides, extra, environments, logs, dir);
    }

    /** The same, with template parameters beside CacheEnabled=true. */
    public static ProjectRun start(AwsEndpoint aws, String stackPrefix, Map<String, String> parameters,
                                   Map<String, String> overrides, Map<String, String> extra, int environments,
                                   LogSink logs, Path dir) {
        Path root = Executables.projectRoot();
        Map<String, String> all = new LinkedHashMap<>(Map.of("CacheEnabled", "true"));
        all.putAll(parameters);
        Template template = Template.load(root.resolve("template.yaml"), all,
                new Template.Settings(stackPrefix + "-" + UUID.randomUUID().toString().substring(0, 8),
                        aws.region().id(), "123456789012"));
        return start(aws, template, Path.of(System.getProperty("sessions.artifacts",
                root.resolve(".aws-sam/build").toString())), overrides, extra, environments, logs, dir);
    }

    /**
     * Another SAM application (a team's stack) beside this run, as {@code start-api --with-stack}
     * serves it: {@code appDir/template.yaml}, built in {@code appDir/.aws-sam/build} (or where
     * {@code -Dsessions.example.artifacts} says), its {@code Fn::ImportValue} finding this stack's exports.
     */
    public ProjectRun beside(Path appDir, AwsEndpoint aws, Map<String, String> parameters, LogSink logs, Path dir) {
        Template other = Template.load(appDir.resolve("template.yaml"), parameters, new Template.Settings(
                appDir.getFileName() + "-" + UUID.randomUUID().toString().substring(0, 8), aws.region().id(),
                "123456789012").importing(template.exports()));
        Path build = Path.of(System.getProperty("sessions.example.artifacts", appDir.resolve(".aws-sam/build").toString()));
        return start(aws, other, build, Map.of(), Map.of(), 2, logs, dir.resolve(appDir.getFileName().toString()));
    }

    private static ProjectRun start(AwsEndpoint aws, Template template, Path build, Map<String, String> overrides,
                                    Map<String, String> extra, int environments, LogSink logs, Path dir) {
        Path root = Executables.projectRoot();
        Map<String, String> env = new LinkedHashMap<>(Map.of("AWS_REGION", aws.region().id(), "AWS_ENDPOINT_URL",
                aws.uri().toString(), "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"));
        try (var dynamo = AwsClients.dynamoDb(env); var sqs = AwsClients.sqs(env); var events = AwsClients.events(env)) {
            Bootstrap.run(template, dynamo, System.err);
            Bootstrap.createQueues(template, sqs);
            Bootstrap.createEventBuses(template, events);
        }
        LocalIam iam = new LocalIam(template, Roles.of(template, Roles.venvPython(), root.resolve(".aws-sam/local/roles")),
                aws.uri(), CallerCredentials.generate(), new PrintStream(System.err, true));
        Map<String, String> functionEnv = new LinkedHashMap<>(env);
        functionEnv.putAll(extra);
        LocalLambda lambda = new LocalLambda(template, new LocalLambda.Settings(build,
                FixtureArtifacts.javaRuntime(dir.resolve("scratch")), environments, Duration.ofMinutes(5), functionEnv,
                Map.of("Parameters", overrides), logs, iam, cpu()));
        return new ProjectRun(template, lambda, env, iam);
    }

    /**
     * The CPU share each function gets on Lambda, as start-api gives it where cgroups allow (CI runs
     * as root, so there they do); a machine without them runs unlimited and says so.
     */
    private static dev.sessions.local.runtime.CpuShares cpu() {
        var available = dev.sessions.local.runtime.CpuShares.available();
        if (available.shares().isEmpty()) {
            System.err.println("note: the functions' CPU is not limited here: " + available.reason());
        }
        return available.shares().orElse(null);
    }

    @Override
    public void close() {
        lambda.close();
    }
}
