package dev.sessions.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local runtime's command line, parsed and nothing more: what was asked for, with the defaults
 * filled in. {@link RuntimeSetup} builds the runtime from it.
 *
 * @param command {@code invoke}, {@code start-api}, {@code bootstrap} or {@code help}
 * @param positional the arguments that are not options (invoke's function)
 * @param templateFile {@code -t}
 * @param buildDir {@code -b}
 * @param parameters {@code --parameter-overrides}
 * @param envVars {@code -n}, or null
 * @param event {@code -e}, or null
 * @param endpoint {@code --endpoint-url}, else {@code $AWS_ENDPOINT_URL}, or null
 * @param region {@code --region}, or null
 * @param java {@code --java}, or null
 * @param maxEnvironments {@code --max-environments}: JVMs per function, past which invocations wait
 * @param accountConcurrency {@code --account-concurrency}: past it (or a function's reserved
 *     concurrency) invocations are throttled
 * @param idleTimeout {@code --idle-timeout}
 * @param deadLetterDir {@code --dead-letter-dir}
 * @param stackName {@code --stack-name}
 * @param port {@code -p}
 * @param streams false with {@code --no-streams}
 * @param iam false with {@code --no-iam}
 * @param callerCredentials {@code --caller-credentials}
 * @param dynamodb what of DynamoDB's behaviour is emulated in front of the endpoint:
 *     {@code --read-lag-ms} (zero with {@code --no-read-lag}), {@code --transaction-hold-ms} (zero
 *     with {@code --no-transaction-conflicts}), {@code --ttl-delete-after-ms} ({@code --no-ttl-deletes})
 * @param cpuShare false with {@code --no-cpu-share}
 * @param localIssuer {@code --local-issuer}: the directory of a local OIDC issuer to serve, or null
 * @param issuerPort {@code --issuer-port} (0: any free port)
 * @param deployedNames {@code --deployed-names}: a JSON object of the names a deploy gave the
 *     resources, by logical id, or null
 * @param accountId {@code --account-id}, or null for the local default
 * @param imports {@code --imports}: a JSON object of the account's exports by name, for a stack
 *     deployed elsewhere whose template imports them ({@code Fn::ImportValue}), or null
 * @param withStacks {@code --with-stack}: directories of other SAM applications start-api serves
 *     beside this one (each its {@code template.yaml}, built into its {@code .aws-sam/build})
 */
record CommandLine(String command, List<String> positional, Path templateFile, Path buildDir,
                   Map<String, String> parameters, Path envVars, String event, String endpoint, String region, Path java,
                   int maxEnvironments, Duration idleTimeout, Path deadLetterDir, String stackName, int port,
                   boolean streams, boolean iam, Path callerCredentials, DynamoDbFidelity.Settings dynamodb,
                   boolean cpuShare,
                   Path localIssuer, int issuerPort, Path deployedNames, String accountId, int accountConcurrency,
                   Path imports, List<Path> withStacks) {

    /** A usage error: exit 2. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    static CommandLine parse(String[] args) {
        if (args.length == 0) {
            throw new UsageError("no command given");
        }
        List<String> positional = new ArrayList<>();
        Map<String, String> parameters = new LinkedHashMap<>();
        Path templateFile = Path.of("template.yaml");
        Path buildDir = Path.of(".aws-sam/build");
        Path envVars = null;
        String event = null;
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        String region = null;
        Path java = null;
        int maxEnvironments = 4;
        Duration idleTimeout = Duration.ofMinutes(5);
        Path deadLetterDir = Path.of(".aws-sam/local/dead-letters");
        String stackName = "sessions-local";
        int port = 3000;
        boolean streams = true;
        boolean iam = true;
        Path callerCredentials = Path.of(".aws-sam/local/credentials");
        DynamoDbFidelity.Settings dynamodb = DynamoDbFidelity.Settings.DEFAULTS;
        boolean cpuShare = true;
        Path localIssuer = null;
        int issuerPort = 0;
        Path deployedNames = null;
        String accountId = null;
        int accountConcurrency = dev.sessions.local.runtime.Concurrency.DEFAULT_ACCOUNT_LIMIT;
        List<Path> withStacks = new ArrayList<>();
        Path imports = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-t", "--template" -> templateFile = Path.of(value(args, ++i, arg));
                case "-b", "--build-dir" -> buildDir = Path.of(value(args, ++i, arg));
                case "-e", "--event" -> event = value(args, ++i, arg);
                case "-n", "--env-vars" -> envVars = Path.of(value(args, ++i, arg));
                case "--endpoint-url" -> endpoint = value(args, ++i, arg);
                case "--region" -> region = value(args, ++i, arg);
                case "--java" -> java = Path.of(value(args, ++i, arg));
                case "--stack-name" -> stackName = value(args, ++i, arg);
                case "--dead-letter-dir" -> deadLetterDir = Path.of(value(args, ++i, arg));
                case "--caller-credentials" -> callerCredentials = Path.of(value(args, ++i, arg));
                case "--max-environments" -> maxEnvironments = number(value(args, ++i, arg), arg, 1, 64);
                case "--account-concurrency" -> accountConcurrency = number(value(args, ++i, arg), arg, 1, 1_000_000);
                case "--idle-timeout" -> idleTimeout = Duration.ofSeconds(number(value(args, ++i, arg), arg, 1, 86400));
                case "-p", "--port" -> port = number(value(args, ++i, arg), arg, 0, 65535);
                case "--no-streams" -> streams = false;
                case "--no-iam" -> iam = false;
                case "--no-read-lag" -> dynamodb = dynamodb.withReadLag(Duration.ZERO);
                case "--no-transaction-conflicts" -> dynamodb = dynamodb.withTransactionHold(Duration.ZERO);
                case "--no-ttl-deletes" -> dynamodb = dynamodb.withTtlDeleteAfter(null);
                case "--transaction-hold-ms" -> dynamodb = dynamodb.withTransactionHold(
                        Duration.ofMillis(number(value(args, ++i, arg), arg, 0, 10_000)));
                case "--ttl-delete-after-ms" -> dynamodb = dynamodb.withTtlDeleteAfter(
                        Duration.ofMillis(number(value(args, ++i, arg), arg, 0, 86_400_000)));
                case "--no-cpu-share" -> cpuShare = false;
                case "--local-issuer" -> localIssuer = Path.of(value(args, ++i, arg));
                case "--issuer-port" -> issuerPort = number(value(args, ++i, arg), arg, 0, 65535);
                case "--deployed-names" -> deployedNames = Path.of(value(args, ++i, arg));
                case "--with-stack" -> withStacks.add(Path.of(value(args, ++i, arg)));
                case "--imports" -> imports = Path.of(value(args, ++i, arg));
                case "--account-id" -> {
                    accountId = value(args, ++i, arg);
                    if (!accountId.matches("[0-9]{12}")) {
                        throw new UsageError("--account-id takes 12 digits, not " + accountId);
                    }
                }
                case "--read-lag-ms" -> dynamodb = dynamodb.withReadLag(
                        Duration.ofMillis(number(value(args, ++i, arg), arg, 0, 60_000)));
                case "--parameter-overrides" -> {
                    // sam's forms: "A=1 B=2", or one K=V per argument, until the next option
                    while (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                        for (String pair : args[++i].trim().split("\\s+")) {
                            int eq = pair.indexOf('=');
                            if (eq < 1) {
                                throw new UsageError("--parameter-overrides takes Name=Value pairs, not " + pair);
                            }
                            parameters.put(pair.substring(0, eq), unquote(pair.substring(eq + 1)));
                        }
                    }
                }
                default -> {
                    if (arg.startsWith("-") && !arg.equals("-")) {
                        throw new UsageError("unknown option " + arg);
                    }
                    positional.add(arg);
                }
            }
        }
        return new CommandLine(args[0], List.copyOf(positional), templateFile, buildDir, Map.copyOf(parameters), envVars,
                event, endpoint == null || endpoint.isBlank() ? null : endpoint, region, java, maxEnvironments,
                idleTimeout, deadLetterDir, stackName, port, streams, iam, callerCredentials, dynamodb, cpuShare,
                localIssuer, issuerPort, deployedNames, accountId, accountConcurrency, imports, List.copyOf(withStacks));
    }

    /** The same command line with {@code more} parameter overrides (the ones given win). */
    CommandLine withParameters(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(more);
        merged.putAll(parameters);
        return new CommandLine(command, positional, templateFile, buildDir, Map.copyOf(merged), envVars, event, endpoint,
                region, java, maxEnvironments, idleTimeout, deadLetterDir, stackName, port, streams, iam,
                callerCredentials, dynamodb, cpuShare, localIssuer, issuerPort, deployedNames, accountId,
                accountConcurrency, imports, withStacks);
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
}
