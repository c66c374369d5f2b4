package dev.sessions.admin;

import dev.sessions.domain.InvalidData;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A listing's cursor as the API gives it: the store's cursor in base64url, so that it is one
 * opaque, URL-safe word a client passes back as it came.
 */
final class ListingCursor {

    private ListingCursor() {
    }

    static String encode(String storeCursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(storeCursor.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws InvalidData when {@code cursor} is no cursor a page gave */
    static String decode(String cursor) {
        if (cursor.isEmpty() || cursor.length() > 256 || !cursor.matches("[A-Za-z0-9_-]+")) {
            throw new InvalidData("cursor is not one a page of this listing gave");
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidData("cursor is not one a page of this listing gave");
        }
    }
}
