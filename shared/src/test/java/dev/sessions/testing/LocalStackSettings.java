package dev.sessions.testing;

import java.util.Map;

/**
 * How the {@code localstack} profile starts LocalStack's container: a pinned image, and the
 * container's environment passed through from this one. LocalStack's images need an auth token to
 * start ("an Auth Token is a mandatory credential required to start the LocalStack container"), so
 * a missing {@code LOCALSTACK_AUTH_TOKEN} fails at once, in one line that names it, before any
 * container is pulled.
 *
 * @param image the image, without its tag
 * @param tag the pinned tag ({@code LOCALSTACK_IMAGE_TAG} chooses another)
 * @param environment the container's variables
 */
public record LocalStackSettings(String image, String tag, Map<String, String> environment) {

    public static final String IMAGE = "localstack/localstack";
    /** The release this project's LocalStack path was last run against; the images are CalVer. */
    public static final String TAG = "2026.8.2";
    static final String TOKEN = "LOCALSTACK_AUTH_TOKEN";

    public LocalStackSettings {
        environment = Map.copyOf(environment);
    }

    /**
     * From this process's environment.
     *
     * @throws IllegalStateException when {@code LOCALSTACK_AUTH_TOKEN} is not set
     */
    public static LocalStackSettings fromEnvironment(Map<String, String> env) {
        String token = env.get(TOKEN);
        if (token == null || token.isBlank()) {
            throw new IllegalStateException(TOKEN + " is not set: LocalStack's image needs an auth token to start"
                    + " (README, \"Testing against LocalStack\")");
        }
        String tag = env.getOrDefault("LOCALSTACK_IMAGE_TAG", "").isBlank() ? TAG : env.get("LOCALSTACK_IMAGE_TAG");
        return new LocalStackSettings(IMAGE, tag, Map.of(TOKEN, token, "SERVICES", "dynamodb,dynamodbstreams,sqs"));
    }

    @Override
    public String toString() {
        return "LocalStackSettings[" + image + ":" + tag + ", " + environment.keySet() + "]"; // never the token
    }
}
