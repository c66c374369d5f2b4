package dev.sessions.local.iam;

import dev.sessions.json.Json;
import dev.sessions.local.template.Template;
import dev.sessions.local.template.TemplateException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The role each function of a template runs as, the way {@code sam deploy} creates it: the SAM
 * translator that the SAM CLI ships ({@code aws-sam-translator}, in the project's virtual
 * environment) expands each function's {@code Policies} (inline statements, SAM policy templates,
 * managed policies) into its role, and the role's documents are then evaluated with this
 * template's parameters, conditions and local names. AWS managed policies are read from the copies
 * this runtime carries ({@link ManagedPolicies}).
 *
 * <p>The translator takes about half a second; its output is kept under {@code .aws-sam/local/roles/},
 * keyed by the template's bytes and the parameter overrides, so later starts skip it.
 */
public final class Roles {

    private final Map<String, Role> byFunction;

    private Roles(Map<String, Role> byFunction) {
        this.byFunction = Map.copyOf(byFunction);
    }

    /**
     * Expands the roles of {@code template}'s functions.
     *
     * @param python the virtual environment's python, where aws-sam-translator is installed
     * @param cache where translations are kept, or {@code null} for none
     * @throws TemplateException when the translator is missing or refuses the template
     */
    public static Roles of(Template template, Path python, Path cache) {
        Map<String, Object> translated = translate(template, python, cache);
        ManagedPolicies managed = ManagedPolicies.bundled();
        Map<String, Role> roles = new LinkedHashMap<>();
        Map<?, ?> functions = (Map<?, ?>) translated.get("functions");
        for (String functionId : template.functions().keySet()) {
            Map<?, ?> expanded = (Map<?, ?>) functions.get(functionId);
            if (expanded == null) {
                throw new TemplateException("the SAM translator made no role for " + functionId);
            }
            String where = "the role of " + functionId;
            List<Statement> statements = new ArrayList<>();
            List<Statement> declared = new ArrayList<>();
            for (Object document : (List<?>) expanded.get("policies")) {
                declared.addAll(PolicyDocuments.statements(template.evaluate(document, where), where));
            }
            statements.addAll(declared);
            for (Object arn : (List<?>) expanded.get("managedPolicyArns")) {
                statements.addAll(managed.statements(String.valueOf(template.evaluate(arn, where)), where));
            }
            Object roleId = expanded.get("role");
            roles.put(functionId, new Role(roleId == null ? functionId + "Role" : String.valueOf(roleId), statements,
                    declared));
        }
        return new Roles(roles);
    }

    /** Roles given directly, for tests of what uses them. */
    public static Roles of(Map<String, Role> byFunction) {
        return new Roles(byFunction);
    }

    /** The role of a function. @throws IllegalArgumentException for a function the template does not have */
    public Role of(String functionId) {
        Role role = byFunction.get(functionId);
        if (role == null) {
            throw new IllegalArgumentException("no role for " + functionId);
        }
        return role;
    }

    public Map<String, Role> all() {
        return byFunction;
    }

    private static Map<String, Object> translate(Template template, Path python, Path cache) {
        byte[] templateBytes;
        try {
            templateBytes = Files.readAllBytes(template.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template.file(), e);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        template.parameters().forEach((name, value) -> {
            if (value != null) {
                parameters.put(name, value instanceof List<?> list ? String.join(",", list.stream()
                        .map(String::valueOf).toList()) : String.valueOf(value));
            }
        });
        String parametersJson = Json.write(parameters);
        Path cached = cache == null ? null : cache.resolve(digest(templateBytes, parametersJson) + ".json");
        if (cached != null && Files.isRegularFile(cached)) {
            try {
                return Json.parseObject(Files.readString(cached), 64);
            } catch (IOException | RuntimeException unreadable) {
                // translate again
            }
        }
        if (python == null || !Files.isExecutable(python)) {
            throw new TemplateException("IAM enforcement needs the SAM translator in the project's virtual environment"
                    + " (no python at " + python + "): run scripts/setup, or pass --no-iam");
        }
        String output = run(python, template.file(), parametersJson, template.settings().region());
        if (cached != null) {
            try {
                Files.createDirectories(cached.getParent());
                Files.writeString(cached, output);
            } catch (IOException ignored) {
                // a cache that cannot be written costs the next start half a second
            }
        }
        return Json.parseObject(output, 64);
    }

    private static String run(Path python, Path templateFile, String parametersJson, String region) {
        try {
            Path script = Files.createTempFile("sam_roles", ".py");
            try (InputStream in = Roles.class.getResourceAsStream("sam_roles.py")) {
                Files.write(script, in.readAllBytes());
            }
            ProcessBuilder builder = new ProcessBuilder(python.toString(), script.toString(),
                    templateFile.toAbsolutePath().toString(), parametersJson);
            builder.environment().put("AWS_DEFAULT_REGION", region);
            builder.environment().put("SAM_CLI_TELEMETRY", "0");
            Process process = builder.start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new TemplateException(err.isEmpty() ? "the SAM translator failed" : err.lines().reduce((a, b) -> b)
                        .orElse(err));
            }
            Files.deleteIfExists(script);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the SAM translator with " + python, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemplateException("interrupted while expanding the template's roles");
        }
    }

    private static String digest(byte[] template, String parameters) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(template);
            sha.update(parameters.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The project virtual environment's python (sessions.venv, SESSIONS_VENV, else .venv), or null. */
    public static Path venvPython() {
        String venv = System.getProperty("sessions.venv", System.getenv().getOrDefault("SESSIONS_VENV", ".venv"));
        Path python = Path.of(venv, "bin", "python");
        return Files.isExecutable(python) ? python.toAbsolutePath() : null;
    }
}
