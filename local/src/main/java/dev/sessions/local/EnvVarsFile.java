package dev.sessions.local;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment overrides in {@code sam local --env-vars} form: {@code {"Parameters": {...}}} for
 * every function and {@code {"<LogicalId>": {...}}} for one, the latter winning. As with sam, only
 * variables the template declares for a function are overridden.
 */
final class EnvVarsFile {

    private EnvVarsFile() {
    }

    /** The overrides by section, or none when {@code file} is null. */
    static Map<String, Map<String, String>> read(Path file) {
        if (file == null) {
            return Map.of();
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new LocalRuntimeException("env-vars file not found: " + file);
        } catch (IOException e) {
            throw new LocalRuntimeException("cannot read env-vars file " + file + ": " + e.getMessage());
        } catch (JsonException e) {
            throw new LocalRuntimeException("env-vars file " + file + " is not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> sections)) {
            throw new LocalRuntimeException("env-vars file " + file + " must hold a JSON object of sections");
        }
        Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
        sections.forEach((section, body) -> {
            if (!(body instanceof Map<?, ?> variables)) {
                throw new LocalRuntimeException("env-vars file " + file + ": section " + section
                        + " must be an object of variables");
            }
            Map<String, String> values = new LinkedHashMap<>();
            variables.forEach((name, value) -> {
                if (value instanceof Map || value instanceof java.util.List) {
                    throw new LocalRuntimeException("env-vars file " + file + ": " + section + "." + name
                            + " must be a string, number or boolean");
                }
                if (value != null) {
                    values.put((String) name, String.valueOf(value));
                }
            });
            overrides.put((String) section, values);
        });
        return overrides;
    }
}
