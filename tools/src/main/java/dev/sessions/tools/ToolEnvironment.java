package dev.sessions.tools;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AWS environment a tool's clients are built from: this process's (credentials, region, an
 * endpoint), with the command line's endpoint and region in their place when given, and test
 * credentials for an emulator when none are set (an emulator takes any; AWS is never given these).
 */
final class ToolEnvironment {

    private ToolEnvironment() {
    }

    static Map<String, String> of(String endpointUrl, String region) {
        Map<String, String> aws = new LinkedHashMap<>(System.getenv());
        if (endpointUrl != null) {
            aws.put("AWS_ENDPOINT_URL", endpointUrl);
        }
        if (region != null) {
            aws.put("AWS_REGION", region);
        }
        if (aws.containsKey("AWS_ENDPOINT_URL") && !aws.containsKey("AWS_ACCESS_KEY_ID")) {
            aws.put("AWS_ACCESS_KEY_ID", "test");
            aws.put("AWS_SECRET_ACCESS_KEY", "test");
        }
        return aws;
    }
}
