package dev.sessions.local.iam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The local caller's credentials for the API's AWS_IAM routes, in the AWS shared credentials file
 * format with one profile, {@code local-admin}. A file that has the profile is read; otherwise
 * fresh random keys are written to it (readable by its owner only).
 *
 * @param accessKeyId {@code aws_access_key_id}
 * @param secret {@code aws_secret_access_key}
 */
public record CallerCredentials(String accessKeyId, String secret) {

    public static final String PROFILE = "local-admin";

    /** Reads the profile from {@code file}, or writes new keys to it when it has none. */
    public static CallerCredentials at(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                Map<String, String> profile = profile(Files.readString(file));
                if (profile.containsKey("aws_access_key_id") && profile.containsKey("aws_secret_access_key")) {
                    return new CallerCredentials(profile.get("aws_access_key_id"), profile.get("aws_secret_access_key"));
                }
            }
            CallerCredentials fresh = generate();
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, "[" + PROFILE + "]\naws_access_key_id = " + fresh.accessKeyId()
                    + "\naws_secret_access_key = " + fresh.secret() + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // the file system has no such permissions
            }
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the caller's credentials at " + file, e);
        }
    }

    /** New random keys, shaped like AWS's: a 20-character key id, a 40-character secret. */
    public static CallerCredentials generate() {
        return new CallerCredentials("AKIA" + randomKeyId(16), randomSecret());
    }

    static String randomKeyId(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < length; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    static String randomSecret() {
        byte[] bytes = new byte[30];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes).replace('+', 'A').replace('/', 'B');
    }

    /** A session token for temporary credentials: opaque, long, base64 as STS hands them out. */
    static String randomSessionToken() {
        byte[] bytes = new byte[96];
        new SecureRandom().nextBytes(bytes);
        return "IQoJb3JpZ2luX2VjE" + Base64.getEncoder().encodeToString(bytes);
    }

    private static Map<String, String> profile(String text) {
        Map<String, String> values = new HashMap<>();
        boolean inside = false;
        for (String line : text.lines().toList()) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[")) {
                inside = trimmed.equals("[" + PROFILE + "]");
            } else if (inside && trimmed.contains("=")) {
                int eq = trimmed.indexOf('=');
                values.put(trimmed.substring(0, eq).trim(), trimmed.substring(eq + 1).trim());
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return "CallerCredentials[" + accessKeyId + "]";
    }
}
