package dev.sessions.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.testing.AwsEndpoint;
import dev.sessions.testing.EventFiles;
import dev.sessions.testing.Executables;
import dev.sessions.testing.LocalServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * IAM as {@code invoke} enforces it: the project's StatsFunction, built by {@code sam build}, run
 * as three functions whose template grants it its one call, grants it on another table only, or
 * denies it explicitly. Only the first is served; the others fail in the function with the
 * AccessDeniedException the SDK gets from AWS, as they would on AWS.
 */
@ExtendWith(LocalServices.class)
class IamEnforcementIT {

    private static Path template;
    private static Path build;
    private static String endpoint;

    @BeforeAll
    static void lay(AwsEndpoint aws, @TempDir Path dir) throws Exception {
        endpoint = aws.uri().toString();
        template = Files.copy(Path.of(IamEnforcementIT.class.getResource("/templates/iam.yaml").toURI()),
                dir.resolve("template.yaml"));
        Path stats = Path.of(System.getProperty("sessions.artifacts",
                Executables.projectRoot().resolve(".aws-sam/build").toString())).resolve("StatsFunction");
        build = Files.createDirectories(dir.resolve("build"));
        for (String function : List.of("Granted", "SnapGranted", "NotGranted", "Denied")) {
            Files.createSymbolicLink(build.resolve(function), stats.toAbsolutePath());
        }
        Files.write(dir.resolve("stats.json"), EventFiles.bytes("stats.json"));
        Outcome bootstrap = run("bootstrap");
        assertEquals(0, bootstrap.exit(), bootstrap.err());
    }

    private record Outcome(int exit, String out, String err) {
        Map<String, Object> response() {
            return Json.parseObject(out.strip(), 8);
        }

        int status() {
            return ((Number) response().get("statusCode")).intValue();
        }
    }

    private static Outcome run(String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(more));
        args.addAll(List.of("-t", template.toString(), "-b", build.toString(), "--endpoint-url", endpoint,
                "--stack-name", "iam", "--caller-credentials", template.resolveSibling("credentials").toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int exit;
        try {
            // the functions' own output goes to stderr, as sam local invoke puts it
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setErr(stderr);
        }
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Outcome invoke(String function, String... more) {
        List<String> args = new ArrayList<>(List.of(function, "-e", template.resolveSibling("stats.json").toString()));
        args.addAll(List.of(more));
        return run("invoke", args.toArray(String[]::new));
    }

    @Test
    void givenAFunctionsTemporaryKey_whenSignedWithoutItsSessionTokenOrWithAnother_thenNotAuthenticated()
            throws Exception {
        var parsed = dev.sessions.local.template.Template.load(template, Map.of(),
                dev.sessions.local.template.Template.Settings.defaults());
        var roles = dev.sessions.local.iam.Roles.of(parsed, dev.sessions.local.iam.Roles.venvPython(), null);
        try (var iam = new dev.sessions.local.iam.LocalIam(parsed, roles, java.net.URI.create(endpoint),
                dev.sessions.local.iam.CallerCredentials.generate(), System.err)) {
            var function = iam.identityOf("Granted");
            java.time.Instant now = java.time.Instant.now();

            assertTrue(function.accessKeyId().startsWith("ASIA") && function.sessionToken() != null);
            assertTrue(iam.authenticate(signed(function.accessKeyId(), function.secret(), function.sessionToken()),
                    "dynamodb", now).valid());
            assertFalse(iam.authenticate(signed(function.accessKeyId(), function.secret(), null), "dynamodb", now)
                    .valid(), "a temporary key without its token");
            assertFalse(iam.authenticate(signed(function.accessKeyId(), function.secret(), function.sessionToken() + "x"),
                    "dynamodb", now).valid(), "another token");
            assertEquals(function.sessionToken(), iam.environmentOf("Granted", Map.of()).get("AWS_SESSION_TOKEN"));

            // a SnapStart function's credentials: no key variables, an endpoint that answers its token only
            Map<String, String> snap = iam.containerEnvironmentOf("SnapGranted", Map.of("AWS_REGION", "us-east-1"));
            assertFalse(snap.containsKey("AWS_ACCESS_KEY_ID") || snap.containsKey("AWS_SECRET_ACCESS_KEY")
                    || snap.containsKey("AWS_SESSION_TOKEN"), snap.keySet().toString());
            var http = java.net.http.HttpClient.newHttpClient();
            var uri = java.net.URI.create(snap.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            var answered = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Authorization",
                    snap.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            var refused = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Authorization", "guess").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answered.statusCode());
            assertEquals(iam.identityOf("SnapGranted").accessKeyId(), Json.parseObject(answered.body(), 4).get("AccessKeyId"));
            assertEquals(403, refused.statusCode());
        }
    }

    /** A DynamoDB request as the SDK signs it with these credentials (a session token adds X-Amz-Security-Token). */
    private static dev.sessions.local.iam.SigV4.Request signed(String key, String secret, String sessionToken) {
        var unsigned = software.amazon.awssdk.http.SdkHttpRequest.builder()
                .method(software.amazon.awssdk.http.SdkHttpMethod.POST).uri(java.net.URI.create(endpoint + "/"))
                .putHeader("X-Amz-Target", "DynamoDB_20120810.ListTables").build();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        var identity = sessionToken == null
                ? software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(key, secret)
                : software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity.create(key, secret, sessionToken);
        var request = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.create().sign(r -> r
                .request(unsigned).payload(software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(body))
                .identity(identity)
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1"))
                .request();
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        request.headers().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values));
        headers.putIfAbsent("host", List.of(request.host() + ":" + request.port()));
        return new dev.sessions.local.iam.SigV4.Request("POST", "/", null, headers, body);
    }

    @Test
    void givenTheGrant_whenInvoked_thenServed() {
        Outcome granted = invoke("Granted");

        assertEquals(0, granted.exit(), granted.err());
        assertEquals(200, granted.status(), granted.out());
        assertTrue(granted.err().contains("IAM: enforced"), granted.err());
    }

    @Test
    void givenASnapStartFunction_whenInvoked_thenItsCredentialsComeFromTheContainerEndpointAndItsRoleHolds() {
        // no key variables: the SDK finds AWS_CONTAINER_CREDENTIALS_FULL_URI and asks it, as on Lambda
        Outcome snap = invoke("SnapGranted");

        assertEquals(0, snap.exit(), snap.err());
        assertEquals(200, snap.status(), snap.out());
        assertFalse(snap.err().contains("IAM: denied"), snap.err());
    }

    @Test
    void givenTheActionOnAnotherTableOnly_whenInvoked_thenAccessDeniedInTheFunction() {
        Outcome denied = invoke("NotGranted");

        assertEquals(500, denied.status(), "a 5xx, as on AWS: " + denied.out());
        assertTrue(denied.err().contains("IAM: denied NotGranted dynamodb:BatchGetItem on arn:aws:dynamodb:"),
                denied.err());
        assertTrue(denied.err().contains("AccessDeniedException"), "the SDK's error in the function's log line: "
                + denied.err());
    }

    @Test
    void givenAnExplicitDeny_whenInvoked_thenDeniedThoughAWildcardAllows() {
        Outcome denied = invoke("Denied");

        assertEquals(500, denied.status(), denied.out());
        assertTrue(denied.err().contains("IAM: denied Denied dynamodb:BatchGetItem"), denied.err());
    }

    @Test
    void givenNoIam_whenInvoked_thenItSaysSoLoudlyAndTheCallGoesThrough() {
        Outcome open = invoke("NotGranted", "--no-iam");

        assertEquals(200, open.status(), open.out());
        assertTrue(open.err().contains("WARNING: IAM is OFF (--no-iam)"), open.err());
    }
}
