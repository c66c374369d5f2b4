package dev.sessions.local.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.FixtureArtifacts;
import dev.sessions.local.runtime.LocalLambda;
import dev.sessions.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** start-lambda: Lambda's Invoke API on loopback, spoken by a plain client and by boto3's Lambda client. */
class InvokeApiIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalLambda lambda;
    private static InvokeApi api;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        lambda = FixtureArtifacts.lambda("runtime.yaml", Map.of(), dir, "Red", "Throwing");
        api = new InvokeApi(lambda, 0, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        api.close();
        lambda.close();
    }

    private static HttpResponse<String> invoke(String function, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                + "/2015-03-31/functions/" + function + "/invocations")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void givenAFunctionByIdNameOrArn_whenInvoked_thenItsPayloadAndTheVersionThatRan() throws Exception {
        String name = lambda.template().function("Red").name();
        for (String function : java.util.List.of("Red", name, "arn:aws:lambda:us-east-1:123456789012:function:" + name,
                name + ":$LATEST")) {
            HttpResponse<String> response = invoke(function, "{\"n\":1}", Map.of());

            assertEquals(200, response.statusCode(), function + ": " + response.body());
            assertEquals("$LATEST", response.headers().firstValue("X-Amz-Executed-Version").orElse(null));
            assertEquals(Map.of("n", java.math.BigDecimal.ONE), ((Map<?, ?>) Json.parse(response.body())).get("input"));
        }
    }

    @Test
    void givenWhatLambdaItselfRefuses_whenInvoked_thenItsErrorShapes() throws Exception {
        HttpResponse<String> unknown = invoke("Nope", "{}", Map.of());
        HttpResponse<String> badJson = invoke("Red", "{not json", Map.of());
        HttpResponse<String> badQualifier = invoke("Red:prod", "{}", Map.of());
        HttpResponse<String> failing = invoke("Throwing", "{}", Map.of());

        assertEquals(404, unknown.statusCode());
        assertEquals("ResourceNotFoundException", unknown.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertEquals(404, badQualifier.statusCode());
        assertEquals(400, badJson.statusCode());
        assertEquals("InvalidRequestContentException", badJson.headers().firstValue("x-amzn-ErrorType").orElse(null));
        assertEquals(200, failing.statusCode(), "a function error is the function's answer");
        assertEquals("Unhandled", failing.headers().firstValue("X-Amz-Function-Error").orElse(null));
        assertTrue(failing.body().contains("errorType"), failing.body());
    }

    @Test
    void givenAnEmulatorsLambdaProxy_whenItForwardsAnEvent_thenTheAnswerAndAFunctionErrorAsANon2xx() throws Exception {
        HttpRequest.Builder ok = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/proxy/Red"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":2}"));
        HttpRequest.Builder failing = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/proxy/Throwing"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"));

        HttpResponse<String> answered = HTTP.send(ok.build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> failed = HTTP.send(failing.build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, answered.statusCode(), answered.body());
        assertEquals(Map.of("n", java.math.BigDecimal.valueOf(2)), ((Map<?, ?>) Json.parse(answered.body())).get("input"));
        assertEquals(502, failed.statusCode(), failed.body());
        assertTrue(failed.body().contains("errorType"), failed.body());
    }

    @Test
    void givenDryRunAndEventInvocations_whenInvoked_thenNothingOrLaterRuns() throws Exception {
        long before = lambda.invocations("Red");

        assertEquals(204, invoke("Red", "{}", Map.of("X-Amz-Invocation-Type", "DryRun")).statusCode());
        assertEquals(before, lambda.invocations("Red"), "a dry run runs nothing");
        assertEquals(202, invoke("Red", "{}", Map.of("X-Amz-Invocation-Type", "Event")).statusCode());
        Poll.until(Duration.ofSeconds(30), "the event invocation ran", () -> lambda.invocations("Red"), n -> n == before + 1);
    }

    @Test
    void givenBoto3sLambdaClient_whenItInvokesThroughTheEndpoint_thenItReadsTheAnswer() throws Exception {
        Path python = dev.sessions.local.iam.Roles.venvPython();
        Process process = new ProcessBuilder(python.toString(), "-c", """
                import boto3, json, sys
                client = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1",
                                      aws_access_key_id="test", aws_secret_access_key="test")
                answer = client.invoke(FunctionName="Red", Payload=json.dumps({"from": "boto3"}))
                print(answer["StatusCode"], json.loads(answer["Payload"].read())["input"]["from"])
                """, "http://127.0.0.1:" + api.port()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

        assertEquals(0, process.waitFor(), output);
        assertEquals("200 boto3", output);
    }
}
