package dev.sessions.adapter.apigw;

import dev.sessions.domain.InvalidData;
import dev.sessions.domain.SessionService;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The page of a listing a request asks for ({@code ?limit=} and the {@code cursor} the last page
 * gave), and the cursor a page answers: the store's cursor in base64url, one opaque, URL-safe word
 * a client passes back as it came. The admin listing and a user's own listing page alike.
 *
 * @param after the store's cursor of the page before, or {@code null} for the first page
 * @param limit 1 to {@link SessionService#MAX_PAGE}
 */
public record ListingPage(String after, int limit) {

    /** Sessions a page holds when the caller names no limit. */
    public static final int DEFAULT_LIMIT = 100;

    /** @throws InvalidData for a limit that is no whole number, or a cursor no page gave */
    public static ListingPage of(HttpRequest request) {
        String text = request.queryParameter("limit").orElse(null);
        int limit = DEFAULT_LIMIT;
        if (text != null) {
            if (!text.matches("[0-9]{1,4}")) {
                throw new InvalidData("limit must be a whole number from 1 to " + SessionService.MAX_PAGE);
            }
            limit = Integer.parseInt(text);
        }
        return new ListingPage(request.queryParameter("cursor").map(ListingPage::decode).orElse(null), limit);
    }

    /** The cursor a page gives for the store's {@code next}. */
    public static String encode(String storeCursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(storeCursor.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
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
