package dev.sessions.local.template;

import java.util.List;

/**
 * A route's JWT authorizer, as API Gateway's HTTP API configures one: where the token comes from,
 * the issuer and audiences it must name, and the scopes the route accepts.
 *
 * @param name the authorizer's name in the template
 * @param issuer the {@code iss} a token must carry; its discovery document and keys are under it
 * @param audiences the {@code aud} (or {@code client_id}) values, one of which a token must name
 * @param header the request header the token is read from (API Gateway's {@code identitySource})
 * @param scopes the route's authorization scopes: a token needs one of them; none means any token
 */
public record JwtAuthorizer(String name, String issuer, List<String> audiences, String header, List<String> scopes) {

    public JwtAuthorizer {
        audiences = List.copyOf(audiences);
        scopes = List.copyOf(scopes);
    }
}
