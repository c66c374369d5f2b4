package dev.sessions.local.iam;

/**
 * A principal the local runtime knows by its access key: a function running as its role, or the
 * local caller of the API's AWS_IAM routes.
 *
 * @param name the function's logical id, or {@code local-admin}
 * @param accessKeyId the key id it signs with
 * @param secret the key's secret
 * @param sessionToken the session token of a temporary key ({@code ASIA...}), or {@code null} for a
 *     long-term one ({@code AKIA...}): requests must carry it as {@code X-Amz-Security-Token}
 * @param role what it may do
 * @param arn how AWS would name it in a denial ({@code arn:aws:sts::...:assumed-role/<role>/<function>})
 */
public record Identity(String name, String accessKeyId, String secret, String sessionToken, Role role, String arn) {

    @Override
    public String toString() {
        return "Identity[" + name + ", " + accessKeyId + "]"; // never the secret
    }
}
