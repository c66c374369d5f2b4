package dev.sessions.local;

import dev.sessions.local.iam.CallerCredentials;
import dev.sessions.local.iam.LocalIam;
import dev.sessions.local.iam.Roles;
import dev.sessions.local.runtime.JavaRuntime;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.runtime.LogSink;
import dev.sessions.local.template.Template;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds what a {@link CommandLine} asks for: the template, the AWS environment (behind the DynamoDB
 * fidelity proxy when it is an emulator), IAM, the local Lambda. Closing it stops what it started.
 */
final class RuntimeSetup implements AutoCloseable {

    private final CommandLine line;
    private DynamoDbFidelity fidelity;
    private String endpoint;
    private boolean endpointResolved;

    RuntimeSetup(CommandLine line) {
        this.line = line;
    }

    /**
     * The endpoint the functions, the pollers and IAM's proxy talk to: the one given, behind the
     * DynamoDB fidelity proxy when it is an emulator (DynamoDB's eventual reads and indexes trail the
     * writes, its transactions conflict, its TTL deletes; emulators' do none of it), unless the
     * endpoint is such a proxy already or every emulation is turned off.
     */
    synchronized String endpoint(PrintStream log) {
        if (endpointResolved) {
            return endpoint;
        }
        endpointResolved = true;
        endpoint = line.endpoint();
        if (endpoint == null) {
            return null;
        }
        URI uri = URI.create(endpoint);
        if (DynamoDbFidelity.isAws(uri)) {
            return endpoint;
        }
        java.util.Optional<java.time.Duration> already = DynamoDbFidelity.probe(uri);
        if (already.isPresent()) {
            log.println("DynamoDB: the endpoint is a fidelity proxy already (eventual reads trail the writes by "
                    + already.get().toMillis() + " ms)");
            return endpoint;
        }
        line.dynamodb().describe().forEach(log::println);
        if (line.dynamodb().nothing()) {
            return endpoint;
        }
        fidelity = DynamoDbFidelity.start(uri, line.dynamodb(), region(), Path.of(".aws-sam/local/dynamodb-fidelity.log"));
        endpoint = fidelity.uri().toString();
        return endpoint;
    }

    private String region() {
        return line.region() != null ? line.region() : Template.Settings.defaults().region();
    }

    @Override
    public synchronized void close() {
        if (fidelity != null) {
            fidelity.close();
            fidelity = null;
        }
    }

    /** {@code --deployed-names}: a JSON object of names by logical id. */
    private Map<String, String> deployedNames() {
        return stringsOf(line.deployedNames(), "--deployed-names");
    }

    /** A JSON object of strings from {@code file} (none when it is null). */
    private static Map<String, String> stringsOf(Path file, String option) {
        if (file == null) {
            return Map.of();
        }
        try {
            Map<String, String> values = new java.util.LinkedHashMap<>();
            dev.sessions.json.Json.parseObject(java.nio.file.Files.readString(file), 4)
                    .forEach((key, value) -> values.put(key, String.valueOf(value)));
            return values;
        } catch (java.io.IOException | dev.sessions.json.JsonException e) {
            throw new LocalRuntimeException("cannot read " + option + " " + file + ": " + e.getMessage());
        }
    }

    Template template() {
        Template.Settings defaults = Template.Settings.defaults();
        return Template.load(line.templateFile(), overridesFor(line.templateFile()), new Template.Settings(line.stackName(),
                line.region() != null ? line.region() : defaults.region(),
                line.accountId() != null ? line.accountId() : defaults.accountId(), deployedNames())
                .importing(stringsOf(line.imports(), "--imports")));
    }

    /**
     * A stack served beside the first ({@code --with-stack}): {@code dir/template.yaml}, as stack
     * {@code <dir's name>-local}, whose {@code Fn::ImportValue} finds {@code exports}.
     */
    Template stackBeside(Path dir, Map<String, String> exports) {
        Template.Settings first = template().settings();
        Path file = dir.resolve("template.yaml");
        return Template.load(file, overridesFor(file), new Template.Settings(dir.toAbsolutePath().normalize()
                .getFileName() + "-local", first.region(), first.accountId()).importing(exports));
    }

    /**
     * The parameter overrides {@code file} declares. Alone, a template gets them all (and an
     * undeclared one is its error); beside others, each takes its own, and one no template declares
     * is refused.
     */
    private Map<String, String> overridesFor(Path file) {
        if (line.withStacks().isEmpty()) {
            return line.parameters();
        }
        java.util.Set<String> everyone = new java.util.HashSet<>(Template.declaredParameters(line.templateFile()));
        line.withStacks().forEach(dir -> everyone.addAll(Template.declaredParameters(dir.resolve("template.yaml"))));
        for (String name : line.parameters().keySet()) {
            if (!everyone.contains(name)) {
                throw new dev.sessions.local.template.TemplateException("parameter override " + name
                        + " names no parameter of " + line.templateFile() + " or of the --with-stack templates");
            }
        }
        java.util.Set<String> own = Template.declaredParameters(file);
        Map<String, String> overrides = new LinkedHashMap<>();
        line.parameters().forEach((name, value) -> {
            if (own.contains(name)) {
                overrides.put(name, value);
            }
        });
        return overrides;
    }

    /**
     * The local Lambda for {@code template}; with IAM on (the default, when an endpoint is given)
     * each function runs as its own role through the checking proxy, and {@code log} says which.
     */
    LocalLambda lambda(Template template, LogSink logs, PrintStream log) {
        return lambda(template, line.buildDir(), logs, log);
    }

    /** The same, for a template built into {@code buildDir}. */
    LocalLambda lambda(Template template, Path buildDir, LogSink logs, PrintStream log) {
        JavaRuntime java = JavaRuntime.locate(line.java(), ricDirectory(), scratch());
        if (!java.javaIsLambdaVersion()) {
            log.println("warning: no Java 21 runtime found (scripts/setup installs one into .venv); functions run on "
                    + java.java() + " instead");
        }
        endpoint(log);
        LocalIam iam = iam(template, log);
        return new LocalLambda(template, new LocalLambda.Settings(buildDir, java, line.maxEnvironments(),
                line.idleTimeout(), awsEnvironment(), EnvVarsFile.read(line.envVars()), logs, iam, cpu(log),
                line.accountConcurrency()));
    }

    /** Each function's JVM on the CPU share its MemorySize buys on Lambda, where cgroups allow it. */
    private dev.sessions.local.runtime.CpuShares cpu(PrintStream log) {
        if (!line.cpuShare()) {
            log.println("WARNING: CPU is NOT limited (--no-cpu-share): functions run as fast as this machine allows,"
                    + " not at the share their MemorySize gets on Lambda, so timeouts are not exercised as on AWS.");
            return null;
        }
        var available = dev.sessions.local.runtime.CpuShares.available();
        if (available.shares().isEmpty()) {
            log.println("CPU: not limited: " + available.reason() + "; functions run faster than on Lambda");
            return null;
        }
        log.println("CPU: each function's JVM gets the share of a vCPU its MemorySize buys on Lambda (1,769 MB = 1"
                + " vCPU), by " + available.shares().get() + " (--no-cpu-share turns it off)");
        return available.shares().get();
    }

    private LocalIam iam(Template template, PrintStream log) {
        if (!line.iam()) {
            log.println("WARNING: IAM is OFF (--no-iam): every function runs with the same unchecked credentials and"
                    + " AWS_IAM routes take any request. A call the template does not grant will work here and fail on"
                    + " AWS.");
            return null;
        }
        if (line.endpoint() == null) {
            log.println("IAM: no AWS_ENDPOINT_URL, so the functions call AWS itself with your credentials; AWS enforces"
                    + " those, not the functions' roles");
            return null;
        }
        Roles roles = Roles.of(template, Roles.venvPython(), Path.of(".aws-sam/local/roles"));
        CallerCredentials caller = CallerCredentials.at(line.callerCredentials());
        LocalIam iam = new LocalIam(template, roles, URI.create(endpoint(log)), caller, log);
        log.println("IAM: enforced: each function runs as its role from template.yaml (SAM's expansion of its"
                + " Policies); AWS_IAM routes take SigV4 requests signed with the [" + CallerCredentials.PROFILE + "] keys in "
                + line.callerCredentials().toAbsolutePath());
        return iam;
    }

    /** The AWS environment: region, credentials, and the endpoint ({@link #endpoint} once it is resolved). */
    Map<String, String> awsEnvironment() {
        Map<String, String> aws = new LinkedHashMap<>();
        aws.put("AWS_REGION", region());
        String key = System.getenv("AWS_ACCESS_KEY_ID");
        if (key != null) {
            aws.put("AWS_ACCESS_KEY_ID", key);
            aws.put("AWS_SECRET_ACCESS_KEY", System.getenv().getOrDefault("AWS_SECRET_ACCESS_KEY", ""));
            if (System.getenv("AWS_SESSION_TOKEN") != null) {
                aws.put("AWS_SESSION_TOKEN", System.getenv("AWS_SESSION_TOKEN"));
            }
        } else if (line.endpoint() != null) {
            // emulators take any credentials; the SDK still wants some
            aws.put("AWS_ACCESS_KEY_ID", "test");
            aws.put("AWS_SECRET_ACCESS_KEY", "test");
        }
        String resolved = endpointResolved ? endpoint : line.endpoint();
        if (resolved != null) {
            aws.put("AWS_ENDPOINT_URL", resolved);
        }
        return aws;
    }

    /** The RIC jars: beside this tool's jar (target/ric), unless -Dsessions.ric says otherwise. */
    static Path ricDirectory() {
        String configured = System.getProperty("sessions.ric");
        if (configured != null) {
            return Path.of(configured);
        }
        try {
            Path code = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("ric");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path scratch() {
        try {
            Path dir = Files.createTempDirectory("sessions-local-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch folder", e);
        }
    }
}
