package dev.sessions.local.iam;

import dev.sessions.local.template.Route;
import dev.sessions.local.template.Template;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * IAM as the local runtime enforces it: each function runs as its own role (from {@link Roles}),
 * with credentials of its own and its AWS endpoint set to a checking proxy ({@link IamProxy})
 * that lets through only what the role allows; the API's AWS_IAM routes take requests signed by
 * the local caller ({@link CallerCredentials}), whose policy allows invoking those routes.
 */
public final class LocalIam implements AutoCloseable {

    private final String region;
    private final String account;
    private final Map<String, Identity> byFunction = new LinkedHashMap<>();
    /** Each SnapStart function's token for the container credentials endpoint, by logical id. */
    private final Map<String, String> containerTokens = new ConcurrentHashMap<>();
    private final Map<String, Identity> byKey = new ConcurrentHashMap<>();
    private final Identity caller;
    private final IamProxy proxy;
    private final ShardIterators shardIterators = new ShardIterators();
    private final Map<String, Map<String, Long>> calls = new ConcurrentHashMap<>();
    private final List<String> denials = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, java.util.Set<ActionRequest.Check>> checks = new ConcurrentHashMap<>();

    /**
     * Gives each function of {@code template} its identity and starts the proxy in front of {@code upstream}.
     *
     * @param log where denials are reported, one line each
     */
    public LocalIam(Template template, Roles roles, URI upstream, CallerCredentials callerKeys, PrintStream log) {
        this.region = template.settings().region();
        this.account = template.settings().accountId();
        for (String functionId : template.functions().keySet()) {
            Role role = roles.of(functionId);
            // temporary credentials, as a function's role gives them: a key id, a secret and a session token
            Identity identity = new Identity(functionId, "ASIA" + CallerCredentials.randomKeyId(16),
                    CallerCredentials.randomSecret(), CallerCredentials.randomSessionToken(), role,
                    "arn:aws:sts::" + account + ":assumed-role/" + role.name() + "/" + template.function(functionId).name());
            byFunction.put(functionId, identity);
            byKey.put(identity.accessKeyId(), identity);
        }
        this.caller = new Identity(CallerCredentials.PROFILE, callerKeys.accessKeyId(), callerKeys.secret(), null,
                callerRole(template), "arn:aws:iam::" + account + ":user/" + CallerCredentials.PROFILE);
        byKey.put(caller.accessKeyId(), caller);
        this.proxy = IamProxy.start(this, upstream, log);
    }

    /** The caller's policy: invoke every AWS_IAM route of the template's APIs, nothing else. */
    private Role callerRole(Template template) {
        List<String> routes = new ArrayList<>();
        for (Route route : template.routes()) {
            if (route.iamAuthorization()) {
                routes.add(executeApiArn(template.apiId(route.apiId()), route.method().equals("ANY") ? "*" : route.method(),
                        route.path().replaceAll("\\{[^}]*}", "*")));
            }
        }
        return new Role(CallerCredentials.PROFILE, routes.isEmpty() ? List.of()
                : List.of(new Statement(true, List.of("execute-api:Invoke"), false, routes, false, false)));
    }

    /** {@code arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>}, the stage being {@code $default}. */
    public String executeApiArn(String apiId, String method, String path) {
        return "arn:aws:execute-api:" + region + ":" + account + ":" + apiId + "/$default/" + method
                + (path.startsWith("/") ? path : "/" + path);
    }

    /** The AWS variables a function runs with: its own key, the proxy as its endpoint. */
    public Map<String, String> environmentOf(String functionId, Map<String, String> aws) {
        Identity identity = byFunction.get(functionId);
        Map<String, String> env = new LinkedHashMap<>(aws);
        env.put("AWS_ACCESS_KEY_ID", identity.accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", identity.secret());
        env.put("AWS_SESSION_TOKEN", identity.sessionToken());
        env.put("AWS_ENDPOINT_URL", proxy.uri().toString());
        env.keySet().removeIf(name -> name.startsWith("AWS_ENDPOINT_URL_"));
        return env;
    }

    /**
     * The AWS variables a SnapStart function runs with, as Lambda gives them to one (a snapshot must
     * not hold credentials): no key variables, but a container credentials endpoint
     * ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN})
     * that hands out the function's temporary credentials, and the proxy as its endpoint.
     */
    public Map<String, String> containerEnvironmentOf(String functionId, Map<String, String> aws) {
        Map<String, String> env = environmentOf(functionId, aws);
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.remove("AWS_SESSION_TOKEN");
        String token = containerTokens.computeIfAbsent(functionId, id -> CallerCredentials.randomSecret());
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", proxy.uri() + IamProxy.CREDENTIALS_PATH + functionId);
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
        return env;
    }

    /**
     * The credentials the container endpoint hands to {@code functionId} when {@code token} is its
     * authorization token: the function's temporary key, or empty for any other token.
     */
    Optional<Identity> containerCredentials(String functionId, String token) {
        String expected = containerTokens.get(functionId);
        return expected != null && expected.equals(token) ? Optional.ofNullable(byFunction.get(functionId))
                : Optional.empty();
    }

    /** Each function's role, by logical id. */
    public Map<String, Role> roles() {
        Map<String, Role> roles = new LinkedHashMap<>();
        byFunction.forEach((id, identity) -> roles.put(id, identity.role()));
        return roles;
    }

    /** The identity of a function: what the Lambda service uses for its mappings (reading the stream). */
    public Identity identityOf(String functionId) {
        return byFunction.get(functionId);
    }

    public Identity caller() {
        return caller;
    }

    /** Where the functions' AWS calls go. */
    public URI proxyUri() {
        return proxy.uri();
    }

    /**
     * The identity that signed {@code request} with a valid signature scoped to {@code service} in
     * this region, or why none did.
     *
     * @param service the service the request is for ({@code dynamodb}, {@code sqs}, {@code execute-api}), or
     *     {@code null} to take the one the signature names
     */
    public Authentication authenticate(SigV4.Request request, String service, Instant now) {
        Optional<SigV4.Authorization> authorization = SigV4.authorization(request);
        if (authorization.isEmpty()) {
            return new Authentication(null, SigV4.Outcome.MISSING);
        }
        Identity identity = byKey.get(authorization.get().accessKeyId());
        if (identity == null) {
            return new Authentication(null, SigV4.Outcome.MISMATCH);
        }
        if (!authorization.get().region().equals(region)
                || service != null && !authorization.get().service().equals(service)) {
            return new Authentication(identity, SigV4.Outcome.MISMATCH); // a credential scoped elsewhere
        }
        if (!sessionTokenHolds(identity, request.header("x-amz-security-token"))) {
            return new Authentication(null, SigV4.Outcome.MISMATCH); // AWS: the security token is invalid
        }
        return new Authentication(identity, SigV4.verify(request, authorization.get(), identity.secret(), now));
    }

    /**
     * A temporary key is valid only with its own session token, and a long-term key with none
     * (SigV4 docs: temporary credentials add X-Amz-Security-Token to the request).
     */
    private static boolean sessionTokenHolds(Identity identity, String presented) {
        return identity.sessionToken() == null ? presented == null : identity.sessionToken().equals(presented);
    }

    /** Learns from a successful answer the proxy forwards (which stream each shard iterator reads). */
    void answered(String target, byte[] requestBody, byte[] answer) {
        if (target != null && target.startsWith("DynamoDBStreams") && target.indexOf('.') > 0) {
            shardIterators.answered(target.substring(target.indexOf('.') + 1), requestBody, answer);
        }
    }

    /**
     * What the proxy does with one request: authenticate its signature, read its actions and
     * resources, and judge each against the signer's role, recording the calls.
     */
    public Verdict judge(SigV4.Request request, Instant now) {
        String target = request.header("x-amz-target");
        Authentication authentication = authenticate(request, serviceOf(target), now);
        if (!authentication.valid()) {
            return new Verdict(false, authentication.identity() == null
                    ? (authentication.outcome() == SigV4.Outcome.MISSING ? "MissingAuthenticationTokenException"
                    : "UnrecognizedClientException") : "InvalidSignatureException", switch (authentication.outcome()) {
                        case MISSING -> "Request is missing Authentication Token";
                        case EXPIRED -> "Signature expired";
                        case MISMATCH -> authentication.identity() == null
                                ? "The security token included in the request is invalid."
                                : "The request signature we calculated does not match the signature you provided.";
                        default -> "The request's signature is malformed.";
                    }, null);
        }
        Identity identity = authentication.identity();
        for (ActionRequest.Check check : ActionRequest.of(target, request.body(), region, account,
                shardIterators::streamOf).checks()) {
            Role.Decision decision = decide(identity, check);
            if (decision != Role.Decision.ALLOWED) {
                return new Verdict(false, "AccessDeniedException", "User: " + identity.arn()
                        + " is not authorized to perform: " + check.action() + " on resource: " + check.resource()
                        + " because " + (decision == Role.Decision.EXPLICITLY_DENIED
                        ? "an explicit deny in an identity-based policy denies it"
                        : "no identity-based policy allows the " + check.action() + " action"),
                        identity.name() + " " + check.action() + " on " + check.resource());
            }
        }
        return Verdict.ALLOWED;
    }

    /**
     * A request's fate: allowed, or refused with AWS's error type and message.
     *
     * @param denied for a refused action, {@code <who> <action> on <resource>}; null otherwise
     */
    public record Verdict(boolean allowed, String errorType, String message, String denied) {
        static final Verdict ALLOWED = new Verdict(true, null, null, null);
    }

    /** The signing name of the service a request is for, from its target; null when unknown. */
    private static String serviceOf(String target) {
        if (target == null) {
            return null;
        }
        if (target.startsWith("DynamoDB")) {
            return "dynamodb";
        }
        return target.startsWith("AmazonSQS") ? "sqs" : null;
    }

    /** Who signed, and whether the signature holds ({@code identity} is null for an unknown key). */
    public record Authentication(Identity identity, SigV4.Outcome outcome) {
        public boolean valid() {
            return identity != null && outcome == SigV4.Outcome.VALID;
        }
    }

    /** Judges one action and records it as called by {@code identity} (and, when refused, as denied). */
    private Role.Decision decide(Identity identity, ActionRequest.Check check) {
        calls.computeIfAbsent(identity.name(), k -> new ConcurrentHashMap<>()).merge(check.action(), 1L, Long::sum);
        checks.computeIfAbsent(identity.name(), k -> ConcurrentHashMap.newKeySet()).add(check);
        Role.Decision decision = identity.role().decide(check.action(), check.resource());
        if (decision != Role.Decision.ALLOWED) {
            denials.add(identity.name() + " " + check.action() + " on " + check.resource());
        }
        return decision;
    }

    /** Each action on each resource each principal has asked for so far. */
    public Map<String, java.util.Set<ActionRequest.Check>> checks() {
        Map<String, java.util.Set<ActionRequest.Check>> copy = new LinkedHashMap<>();
        checks.forEach((who, made) -> copy.put(who, java.util.Set.copyOf(made)));
        return copy;
    }

    /** Every call refused so far: {@code <who> <action> on <resource>}. */
    public List<String> denials() {
        return List.copyOf(denials);
    }

    /** Whether the local caller may invoke {@code routeArn}. */
    public boolean mayInvoke(Identity identity, String routeArn) {
        return identity.role().decide("execute-api:Invoke", routeArn) == Role.Decision.ALLOWED;
    }

    /** The actions each principal has asked for so far, with how often: what a test of the grants reads. */
    public Map<String, Map<String, Long>> calls() {
        Map<String, Map<String, Long>> copy = new LinkedHashMap<>();
        calls.forEach((who, actions) -> copy.put(who, Map.copyOf(actions)));
        return copy;
    }

    @Override
    public void close() {
        proxy.close();
    }
}
