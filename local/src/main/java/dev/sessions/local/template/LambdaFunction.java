package dev.sessions.local.template;

import java.util.Map;

/**
 * A function of the template as the local runtime runs it.
 *
 * @param logicalId its logical id, such as {@code HelloFunction}
 * @param name the function name it gets locally ({@code <stack>-<logicalId>} unless FunctionName is set)
 * @param handler the handler string, such as {@code pkg.Cls::method}
 * @param runtime the Lambda runtime, such as {@code java21}
 * @param memoryMb MemorySize, in MB
 * @param timeoutSeconds Timeout, in seconds
 * @param environment the function's environment variables, Globals merged in
 * @param logFormat {@code Text} or {@code JSON} (LoggingConfig.LogFormat)
 * @param applicationLogLevel LoggingConfig.ApplicationLogLevel, or {@code null}
 * @param systemLogLevel LoggingConfig.SystemLogLevel, or {@code null}
 * @param reservedConcurrency ReservedConcurrentExecutions, or {@code null} when unset
 * @param snapStart SnapStart.ApplyOn is PublishedVersions: it runs as a published version restored
 *     from a snapshot does
 * @param alias AutoPublishAlias (the alias its callers invoke), or {@code null}
 */
public record LambdaFunction(String logicalId, String name, String handler, String runtime, int memoryMb,
                             int timeoutSeconds, Map<String, String> environment, String logFormat,
                             String applicationLogLevel, String systemLogLevel, Integer reservedConcurrency,
                             boolean snapStart, String alias) {
    public LambdaFunction {
        environment = Map.copyOf(environment);
    }

    /** The version it runs: {@code $LATEST}, or for a SnapStart function its published version (1 locally). */
    public String version() {
        return snapStart || alias != null ? "1" : "$LATEST";
    }

    /** The ARN its invocations name: qualified by the alias callers invoke, if it has one. */
    public String invokedArn(String region, String account) {
        return "arn:aws:lambda:" + region + ":" + account + ":function:" + name + (alias != null ? ":" + alias : "");
    }
}
