package dev.sessions.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON merge patch (RFC 7396) for a session's {@code data}: each key set to a value replaces
 * or merges into that key; a key set to {@code null} removes it.
 *
 * @param document the patch, a JSON object (its null values mean "remove")
 */
public record MergePatch(Map<String, Object> document) {

    public MergePatch {
        Objects.requireNonNull(document, "document");
        document = Collections.unmodifiableMap(new LinkedHashMap<>(document));
    }

    /** The data that results from applying this patch to {@code target}. */
    public Map<String, Object> applyTo(Map<String, Object> target) {
        @SuppressWarnings("unchecked")
        Map<String, Object> merged = (Map<String, Object>) merge(target, document);
        return merged;
    }

    private static Object merge(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> patchMap)) {
            return patch;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        if (target instanceof Map<?, ?> targetMap) {
            targetMap.forEach((k, v) -> result.put((String) k, v));
        }
        patchMap.forEach((k, v) -> {
            String key = (String) k;
            if (v == null) {
                result.remove(key);
            } else {
                result.put(key, merge(result.get(key), v));
            }
        });
        return Collections.unmodifiableMap(result);
    }
}
