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
 */
public record LambdaFunction(String logicalId, String name, String handler, String runtime, int memoryMb,
                             int timeoutSeconds, Map<String, String> environment, String logFormat,
                             String applicationLogLevel, String systemLogLevel, Integer reservedConcurrency) {
    public LambdaFunction {
        environment = Map.copyOf(environment);
    }
}
