package dev.sessions.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Lambda's context for an invocation a test makes: a fresh request id, a trace id, and the time
 * left (a test of a deadline gives little).
 *
 * @param awsRequestId Lambda's request id
 * @param remainingMillis what {@link #getRemainingTimeInMillis()} answers
 */
public record TestContext(String awsRequestId, int remainingMillis) implements Context {

    /** A context with a new request id and ten seconds left, as the template's functions have. */
    public static TestContext fresh() {
        return new TestContext(UUID.randomUUID().toString(), 10_000);
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/test";
    }

    @Override
    public String getLogStreamName() {
        return "test";
    }

    @Override
    public String getFunctionName() {
        return "test";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:123456789012:function:test";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return remainingMillis;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 1024;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.print(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.print(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getXrayTraceId() {
        return "Root=1-" + awsRequestId.substring(0, 8) + "-000000000000000000000000;Parent=53995c3f42cd8ad8;Sampled=1";
    }
}
