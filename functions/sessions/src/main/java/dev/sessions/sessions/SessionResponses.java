package dev.sessions.sessions;

import dev.sessions.adapter.apigw.ApiResponse;
import dev.sessions.adapter.apigw.ListingPage;
import dev.sessions.adapter.apigw.PresentedToken;
import dev.sessions.adapter.apigw.SessionCookie;
import dev.sessions.adapter.apigw.SessionJson;
import dev.sessions.domain.IssuedSession;
import dev.sessions.domain.Session;
import dev.sessions.domain.SessionService;
import dev.sessions.json.Json;

/** How the session API answers: session bodies, ETags, cookies and X-Cache, as docs/api.md says. */
final class SessionResponses {

    private final SessionCookie cookie;
    private final SessionService sessions;

    SessionResponses(SessionCookie cookie, SessionService sessions) {
        this.cookie = cookie;
        this.sessions = sessions;
    }

    /** 201 with the token, the session, its cookie and Location; says how many sessions the limit revoked. */
    ApiResponse created(SessionService.Created created) {
        ApiResponse response = issued(201, created.issued()).header("location", "/sessions/current");
        if (created.revoked() > 0) {
            response.header("x-sessions-revoked", Integer.toString(created.revoked()));
        }
        return response;
    }

    /** A read: the session, its ETag, X-Cache, and a fresh cookie when the read slid a cookie's session. */
    ApiResponse read(SessionService.Read read, PresentedToken.Valid presented) {
        ApiResponse response = session(200, read.session()).header("x-cache", xCache(read));
        if (read.slid() && presented.fromCookie()) {
            response.cookie(cookie.issue(presented.token(), read.session().secondsToExpiry(sessions.now())));
        }
        return response;
    }

    /** A patched session, with its new ETag; a cookie's Max-Age follows the slid window. */
    ApiResponse patched(Session session, PresentedToken.Valid presented) {
        ApiResponse response = session(200, session);
        if (presented.fromCookie()) {
            response.cookie(cookie.issue(presented.token(), session.secondsToExpiry(sessions.now())));
        }
        return response;
    }

    /**
     * 204, and the cookie cleared whatever was sent; when several cookies of its name came, every
     * Path and Domain they can have been set for is cleared too.
     */
    ApiResponse ended(String path, boolean severalCookies) {
        ApiResponse response = ApiResponse.status(204).cookie(cookie.clear());
        if (severalCookies) {
            cookie.clearEverywhere(path).stream().filter(c -> !c.equals(cookie.clear())).forEach(response::cookie);
        }
        return response;
    }

    /**
     * A page of the user's own sessions: each one's id, whether it is the current one, its times
     * and the device it recorded; never a token, nor another session's data.
     */
    ApiResponse own(SessionService.OwnSessions own) {
        StringBuilder body = new StringBuilder(64 + own.page().sessions().size() * 200).append("{\"sessions\":[");
        boolean first = true;
        for (Session session : own.page().sessions()) {
            body.append(first ? "" : ",").append("{\"id\":");
            first = false;
            Json.writeString(session.id(), body);
            body.append(",\"current\":").append(session.id().equals(own.currentId()));
            body.append(",\"createdAt\":\"").append(session.createdAt()).append('"');
            body.append(",\"lastAccessedAt\":\"").append(session.lastAccessedAt()).append('"');
            body.append(",\"expiresAt\":\"").append(session.expiresAt()).append('"');
            body.append(",\"device\":");
            if (session.device() == null) {
                body.append("null");
            } else {
                body.append("{\"userAgent\":");
                Json.write(session.device().userAgent(), body);
                body.append(",\"sourceIp\":");
                Json.write(session.device().sourceIp(), body);
                body.append('}');
            }
            body.append('}');
        }
        body.append("],\"next\":");
        if (own.page().next() == null) {
            body.append("null");
        } else {
            Json.writeString(ListingPage.encode(own.page().next()), body);
        }
        return ApiResponse.json(200, body.append('}').toString());
    }

    /** {@code {"token", "session"}} with the new token's cookie and the session's ETag. */
    ApiResponse issued(int status, IssuedSession issued) {
        StringBuilder body = new StringBuilder(320).append("{\"token\":");
        Json.writeString(issued.token().value(), body);
        body.append(",\"session\":");
        SessionJson.append(issued.session(), body);
        body.append('}');
        return ApiResponse.json(status, body.toString()).header("etag", etag(issued.session()))
                .cookie(cookie.issue(issued.token(), issued.session().secondsToExpiry(sessions.now())));
    }

    static String xCache(SessionService.Read read) {
        return read.lookup() == SessionService.CacheLookup.HIT ? "hit" : "miss";
    }

    private static ApiResponse session(int status, Session session) {
        return ApiResponse.json(status, SessionJson.write(session)).header("etag", etag(session));
    }

    private static String etag(Session session) {
        return "\"" + session.version() + "\"";
    }
}
