package dev.sessions.local.runtime;

import dev.sessions.local.template.InvokePermission;
import dev.sessions.local.template.LambdaFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every function a run serves, across its stacks, found by ARN: what an authorizer's URI names,
 * which can be a function of another stack (an authorizer one stack exports and another attaches),
 * and the resource-policy grants all the stacks make.
 */
public final class FunctionDirectory {

    private final List<LocalLambda> lambdas;

    public FunctionDirectory(List<LocalLambda> lambdas) {
        this.lambdas = List.copyOf(lambdas);
    }

    public static FunctionDirectory of(LocalLambda lambda) {
        return new FunctionDirectory(List.of(lambda));
    }

    /**
     * A function to invoke.
     *
     * @param lambda the local Lambda of its stack
     * @param logicalId its logical id there
     * @param qualifier its alias or version as the ARN named it, or empty
     */
    public record Target(LocalLambda lambda, String logicalId, String qualifier) {
    }

    /** The function an ARN names ({@code arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]}). */
    public Optional<Target> byArn(String arn) {
        String[] parts = arn.split(":", -1);
        if (parts.length < 7 || !"lambda".equals(parts[2]) || !"function".equals(parts[5])) {
            return Optional.empty();
        }
        String unqualified = String.join(":", java.util.Arrays.copyOf(parts, 7));
        String qualifier = parts.length > 7 ? parts[7] : "";
        for (LocalLambda lambda : lambdas) {
            for (LambdaFunction function : lambda.template().functions().values()) {
                if (lambda.template().functionArnOf(function.logicalId()).equals(unqualified)) {
                    return Optional.of(new Target(lambda, function.logicalId(), qualifier));
                }
            }
        }
        return Optional.empty();
    }

    /** The grants of every stack's functions' resource policies. */
    public List<InvokePermission> permissions() {
        List<InvokePermission> all = new ArrayList<>();
        lambdas.forEach(lambda -> all.addAll(lambda.template().invokePermissions()));
        return all;
    }
}
