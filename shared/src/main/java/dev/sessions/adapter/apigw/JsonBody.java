package dev.sessions.adapter.apigw;

import dev.sessions.json.Json;
import dev.sessions.json.JsonException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads a JSON object body, checking size, media type, UTF-8 and syntax, in that order. */
public final class JsonBody {

    private JsonBody() {
    }

    /**
     * The body as a JSON object, or empty when there is no body.
     *
     * @param mediaTypes the accepted types, lower case, without parameters
     * @param maxBytes the largest body accepted (413 beyond it)
     * @param maxDepth how many containers may nest, the body itself included
     * @throws RequestRejected 413, 415 or 400 as the contract says
     */
    public static Optional<Map<String, Object>> object(HttpRequest request, Set<String> mediaTypes, int maxBytes,
                                                       int maxDepth) {
        if (request.body() == null || request.body().isEmpty()) {
            return Optional.empty();
        }
        // base64 is 4/3 of the bytes: a body far over the limit is refused before decoding it
        if ((long) request.body().length() * 3 / 4 > (long) maxBytes + 3 && request.base64()
                || !request.base64() && request.body().length() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        byte[] bytes = request.bodyBytes();
        if (bytes.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        String type = request.header("content-type").map(t -> t.split(";")[0].trim().toLowerCase(Locale.ROOT)).orElse("");
        if (!mediaTypes.contains(type)) {
            throw new RequestRejected(Problem.unsupportedMediaType("Send the body as " + String.join(" or ",
                    mediaTypes.stream().sorted().toList()) + (type.isEmpty() ? "; no Content-Type was sent." : ", not " + type + ".")));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RequestRejected(Problem.malformedRequest("The request body is not valid UTF-8."));
        }
        Object value;
        try {
            // numbers as DynamoDB holds them, checked on the literal: a long one costs no arithmetic
            value = Json.parse(text, maxDepth, Json.NumberLimits.DYNAMODB);
        } catch (JsonException e) {
            throw new RequestRejected(Problem.malformedRequest("The request body is not valid JSON: " + e.getMessage() + "."));
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new RequestRejected(Problem.invalidBody("The request body must be a JSON object, not "
                    + article(Json.typeName(value)) + "."));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return Optional.of(object);
    }

    private static RequestRejected tooLarge(int maxBytes) {
        return new RequestRejected(Problem.tooLarge("The request body is larger than " + maxBytes + " bytes."));
    }

    private static String article(String type) {
        return (type.startsWith("a") || type.startsWith("o") ? "an " : "a ") + type;
    }
}
