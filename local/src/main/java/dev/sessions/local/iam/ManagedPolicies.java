package dev.sessions.local.iam;

import dev.sessions.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The AWS managed policies SAM attaches to function roles, as copies of their published documents
 * ({@code managed-policies.json} beside this class): basic execution, VPC access, the DynamoDB
 * stream reader, X-Ray. A managed policy not among them grants nothing locally, and says so at start.
 */
final class ManagedPolicies {

    private final Map<String, Object> documents;

    private ManagedPolicies(Map<String, Object> documents) {
        this.documents = documents;
    }

    static ManagedPolicies bundled() {
        try (InputStream in = ManagedPolicies.class.getResourceAsStream("managed-policies.json")) {
            return new ManagedPolicies(Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8), 16));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Statement> statements(String arn, String where) {
        Object document = documents.get(arn);
        if (document == null) {
            System.err.println("warning: " + where + " has the managed policy " + arn + ", which the local runtime"
                    + " does not know: it grants nothing locally");
            return List.of();
        }
        return PolicyDocuments.statements(document, where + ", " + arn);
    }
}
