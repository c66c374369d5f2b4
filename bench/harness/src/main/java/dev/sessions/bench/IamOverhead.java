package dev.sessions.bench;

import dev.sessions.adapter.dynamodb.DynamoDbClients;
import dev.sessions.local.iam.CallerCredentials;
import dev.sessions.local.iam.Identity;
import dev.sessions.local.iam.LocalIam;
import dev.sessions.local.iam.Roles;
import dev.sessions.local.iam.SigV4;
import dev.sessions.local.template.Template;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What enforcing IAM locally adds to a function's AWS call: the check alone (signature, actions,
 * policy) timed in-process on a signed request, and the whole checking proxy (the check and the
 * extra loopback hop) as a GetItem through it against the same GetItem sent straight to the
 * emulator, alternating in slices.
 */
final class IamOverhead {

    private IamOverhead() {
    }

    /** The figures, for load.json's {@code iam}. */
    static Map<String, Object> measure(Bench bench, Template template, String table, String sessionId,
                                       Duration window, int slices) throws Exception {
        Path roles = bench.root.resolve(".aws-sam/local/roles");
        try (LocalIam iam = new LocalIam(template, Roles.of(template, Roles.venvPython(), roles),
                URI.create(bench.aws.get("AWS_ENDPOINT_URL")), CallerCredentials.generate(),
                new PrintStream(PrintStream.nullOutputStream()));
             DynamoDbClient direct = DynamoDbClients.fromEnvironment(bench.aws);
             DynamoDbClient proxied = DynamoDbClients.fromEnvironment(iam.environmentOf("VisitsFunction", bench.aws))) {
            Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS(sessionId));
            Supplier<Integer> straight = () -> {
                direct.getItem(b -> b.tableName(table).key(key).consistentRead(true));
                return 200;
            };
            Supplier<Integer> checked = () -> {
                proxied.getItem(b -> b.tableName(table).key(key).consistentRead(true));
                return 200;
            };
            // warm both paths (the proxy's JIT and connections), then alternate
            LoadTest.alternating(1, window.dividedBy(4), 2, straight, checked);
            LoadTest.Scenario[] hop = LoadTest.alternating(1, window, slices, straight, checked);
            Stats straightStats = Stats.of(hop[0].latencies());
            Stats checkedStats = Stats.of(hop[1].latencies());

            SigV4.Request request = signedGetItem(iam, template, table, sessionId);
            int warmUp = bench.quick ? 2_000 : 20_000;
            int runs = bench.quick ? 5_000 : 50_000;
            for (int i = 0; i < warmUp; i++) {
                judge(iam, request);
            }
            List<Double> micros = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                long started = System.nanoTime();
                judge(iam, request);
                micros.add((System.nanoTime() - started) / 1e3);
            }
            Stats check = Stats.of(micros);

            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("check", check.json("us"));
            figures.put("direct", straightStats.json("ms"));
            figures.put("viaProxy", checkedStats.json("ms"));
            figures.put("proxyAddedMedianMs", Stats.round(checkedStats.median() - straightStats.median()));
            figures.put("checkMedianMs", Math.round(check.median()) / 1000.0);
            return figures;
        }
    }

    private static void judge(LocalIam iam, SigV4.Request request) {
        if (!iam.judge(request, Instant.now()).allowed()) {
            throw new IllegalStateException("the benchmark's GetItem was refused");
        }
    }

    /** A consistent GetItem on the sessions table, signed by VisitsFunction's key as its SDK signs it. */
    private static SigV4.Request signedGetItem(LocalIam iam, Template template, String table, String sessionId) {
        Identity visits = iam.identityOf("VisitsFunction");
        byte[] body = ("{\"TableName\":\"" + table + "\",\"Key\":{\"id\":{\"S\":\"" + sessionId
                + "\"}},\"ConsistentRead\":true}").getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(iam.proxyUri())
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("X-Amz-Target", "DynamoDB_20120810.GetItem").build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(body))
                .identity(AwsCredentialsIdentity.create(visits.accessKeyId(), visits.secret()))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                .putProperty(AwsV4HttpSigner.REGION_NAME, template.settings().region()));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        signed.request().headers().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        return new SigV4.Request("POST", "/", null, headers, body);
    }
}
