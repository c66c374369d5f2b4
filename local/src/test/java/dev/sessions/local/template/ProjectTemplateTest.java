package dev.sessions.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessions.json.Json;
import dev.sessions.local.Bootstrap;
import dev.sessions.telemetry.Metric;
import dev.sessions.testing.Executables;
import dev.sessions.testing.SessionsTableFixture;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;

/** The project's own template.yaml, held to the code: metrics, alarms, dashboard, tables. */
class ProjectTemplateTest {

    /** A template as written, intrinsics unevaluated: for what no emulator shows (DependsOn, key policies). */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> rawResources(String file) throws java.io.IOException {
        Map<String, Object> raw = CfnYaml.load(Files.readString(Executables.projectRoot().resolve(file)));
        return (Map<String, Map<String, Object>>) raw.get("Resources");
    }

    private static Map<String, Map<String, Object>> rawResources() throws java.io.IOException {
        return rawResources("template.yaml");
    }

    private static Map<String, JwtAuthorizer> jwtRoutes(Map<String, String> parameters) {
        Template template = Template.load(Executables.projectRoot().resolve("template.yaml"), parameters,
                Template.Settings.defaults());
        Map<String, JwtAuthorizer> guarded = new java.util.TreeMap<>();
        template.routes().stream().filter(r -> r.jwt() != null).forEach(r -> guarded.put(r.routeKey(), r.jwt()));
        return guarded;
    }

    @Test
    void givenTheSessionAuthorizer_whenCachingIsOffOrOn_thenItReadsTheTokenOnlyWhereTheCacheIsKeyed() {
        for (Map<String, String> parameters : List.of(Map.<String, String>of(),
                Map.of("SessionAuthorizerCacheSeconds", "60"),
                Map.of("SessionAuthorizerCacheSeconds", "60", "SessionAuthorizerCacheKey", "Authorization"))) {
            Template template = Template.load(Executables.projectRoot().resolve("template.yaml"), parameters,
                    Template.Settings.defaults());
            LambdaAuthorizer authorizer = template.routes().stream().filter(r -> r.routeKey().equals("GET /me"))
                    .findFirst().orElseThrow().lambdaAuthorizer();
            String tokenSource = template.function("SessionAuthorizerFunction").environment().get("TOKEN_SOURCE");
            int ttl = Integer.parseInt(parameters.getOrDefault("SessionAuthorizerCacheSeconds", "0"));

            assertEquals(ttl, authorizer.ttlSeconds(), parameters.toString());
            assertEquals("2.0", authorizer.payloadFormatVersion());
            assertTrue(authorizer.simpleResponses());
            assertTrue(authorizer.functionArn().endsWith(":live"), "the live alias, a SnapStart version: "
                    + authorizer.functionArn());
            if (ttl == 0) {
                assertEquals(List.of(), authorizer.identitySources(), "no cache key: every request is decided");
                assertEquals("any", tokenSource);
            } else {
                String header = parameters.getOrDefault("SessionAuthorizerCacheKey", "Cookie");
                assertEquals(List.of("$request.header." + header), authorizer.identitySources());
                assertEquals(header, tokenSource, "a cached answer may depend on nothing but its key");
            }
            // the stack's own grant lets API Gateway invoke that alias from this API's authorizers
            assertTrue(template.invokePermissions().stream().anyMatch(p -> p.allows("apigateway.amazonaws.com",
                    authorizer.functionArn(), "arn:aws:execute-api:" + template.settings().region() + ":"
                            + template.settings().accountId() + ":" + template.apiId("HttpApi") + "/authorizers/x1")));
        }
    }

    @Test
    void givenParametersTheRulesRefuse_whenLoaded_thenRefusedAsADeployWouldBeNamingTheRule() {
        Map<Map<String, String>, String> refused = Map.of(
                Map.of("MaxSessionsPerPrincipal", "5"), "SessionLimitNeedsVerifiedPrincipals",
                Map.of("AuthIssuer", "https://login.example.com/"), "OneTokenIssuer",
                Map.of("AuthIssuer", "https://login.example.com/", "AuthAudience", "app", "AuthUserPool", "create"),
                "OneTokenIssuer",
                Map.of("ReplicaRegion", "eu-west-2", "CacheEnabled", "true"), "ReplicaRegionNeedsOneStreamConsumer",
                Map.of("CookieSameSite", "None"), "CrossSiteCookieNeedsExactOrigins",
                Map.of("AuthIssuer", "https://login.example.com/", "AuthAudience", "app"), "IssuerTokensNeedScopes");
        refused.forEach((parameters, rule) -> {
            TemplateException e = org.junit.jupiter.api.Assertions.assertThrows(TemplateException.class,
                    () -> Template.load(Executables.projectRoot().resolve("template.yaml"), parameters,
                            Template.Settings.defaults()), parameters.toString());
            assertTrue(e.getMessage().startsWith("the parameters break rule " + rule + ": "), e.getMessage());
        });
        for (Map<String, String> fine : List.of(Map.<String, String>of(), Map.of("MaxSessionsPerPrincipal", "5",
                "AuthUserPool", "create"), Map.of("MaxSessionsPerPrincipal", "5", "AuthIssuer", "https://login.example.com/",
                "AuthAudience", "app", "AuthScopes", "sessions/create"), Map.of("AuthIssuer", "https://login.example.com/",
                "AuthAudience", "app", "AuthAcceptTokensWithoutScopes", "true"))) {
            Template.load(Executables.projectRoot().resolve("template.yaml"), fine, Template.Settings.defaults());
        }
    }

    @Test
    void givenNoIssuer_whenDeployed_thenNoRouteNeedsAJwt() {
        assertEquals(Map.of(), jwtRoutes(Map.of()));
    }

    @Test
    void givenAnIssuerOrAUserPool_whenDeployed_thenOnlyPostSessionsNeedsItsTokens() {
        JwtAuthorizer external = jwtRoutes(Map.of("AuthIssuer", "https://login.example.com/", "AuthAudience", "app,web",
                "AuthScopes", "sessions/create")).get("POST /sessions");
        assertEquals(new JwtAuthorizer("JwtAuthorizer", "https://login.example.com/", List.of("app", "web"),
                "authorization", List.of("sessions/create")), external);
        assertEquals(java.util.Set.of("POST /sessions"), jwtRoutes(Map.of("AuthIssuer", "https://login.example.com/",
                "AuthAudience", "app", "AuthScopes", "sessions/create")).keySet(),
                "reads, patches, DELETE and rotate go by session token; admin by IAM");

        // a Cognito user pool's issuer is https://cognito-idp.<region>.amazonaws.com/<poolId> (API Gateway's
        // JWT authorizer guide); its access tokens carry aws.cognito.signin.user.admin and ID tokens no scope
        JwtAuthorizer cognito = jwtRoutes(Map.of("AuthUserPool", "create")).get("POST /sessions");
        assertTrue(cognito.issuer().startsWith("https://cognito-idp." + Template.Settings.defaults().region()
                + ".amazonaws.com/"), cognito.issuer());
        assertEquals(List.of("aws.cognito.signin.user.admin"), cognito.scopes());
        assertEquals(1, cognito.audiences().size());
    }

    @Test
    void givenTheAlarmTopic_whenEncrypted_thenWithAKeyWhosePolicyLetsCloudWatchPublish() throws Exception {
        // AWS's knowledge center: with the AWS managed alias/aws/sns key, alarms cannot start their actions
        Map<String, Map<String, Object>> resources = rawResources("monitoring/template.yaml");
        Object keyId = ((Map<?, ?>) resources.get("AlarmTopic").get("Properties")).get("KmsMasterKeyId");
        assertTrue(keyId instanceof Map<?, ?> ref && ref.get("Ref") instanceof String, "a key of the stack's own: " + keyId);
        Map<?, ?> key = resources.get((String) ((Map<?, ?>) keyId).get("Ref"));
        assertEquals("AWS::KMS::Key", key.get("Type"));
        boolean cloudWatchMayUseIt = false;
        for (Object statement : (List<?>) ((Map<?, ?>) ((Map<?, ?>) key.get("Properties")).get("KeyPolicy")).get("Statement")) {
            Map<?, ?> st = (Map<?, ?>) statement;
            Object principal = st.get("Principal") instanceof Map<?, ?> p ? p.get("Service") : null;
            List<?> actions = st.get("Action") instanceof List<?> list ? list : List.of(st.get("Action"));
            if ("Allow".equals(st.get("Effect")) && "cloudwatch.amazonaws.com".equals(principal)
                    && actions.contains("kms:Decrypt") && actions.contains("kms:GenerateDataKey*")) {
                cloudWatchMayUseIt = true;
            }
        }
        assertTrue(cloudWatchMayUseIt, "the key policy grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*");
    }

    @Test
    void givenFunctionsInTheCachesVpc_whenPublished_thenOnlyAfterEveryEndpointRouteAndEgressRule() throws Exception {
        Map<String, Map<String, Object>> resources = rawResources();
        Set<String> network = new TreeSet<>();
        resources.forEach((id, resource) -> {
            if (List.of("AWS::EC2::VPCEndpoint", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::SecurityGroupEgress")
                    .contains(resource.get("Type"))) {
                network.add(id);
            }
        });
        String handle = Json.write(resources.get("NetworkReady").get("Metadata"));
        for (String id : network) {
            assertTrue(handle.contains("\"" + id + "\""), "NetworkReady waits for " + id);
        }
        Template template = template("true");
        for (String function : template.functions().keySet()) {
            if (template.resourceProperties(function).get("VpcConfig") != null) {
                assertEquals("NetworkReady", resources.get(function).get("DependsOn"), function + " is published after the network");
            }
        }
    }

    @Test
    void givenAlarmsOnSparseMetrics_whenDataIsMissing_thenEachMetricIsFilledWithZero() {
        // CloudWatch ignores TreatMissingData for AWS/DynamoDB alarms; a metric-math FILL gives every period a value
        Template template = monitoring("true");
        for (String alarm : template.resourceIdsOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> props = template.resourceProperties(alarm);
            if (!(props.get("Metrics") instanceof List<?> queries)) {
                assertTrue(!"AWS/DynamoDB".equals(props.get("Namespace")), alarm + " reads DynamoDB without metric math");
                continue;
            }
            String expression = null;
            List<String> ids = new java.util.ArrayList<>();
            for (Object query : queries) {
                Map<?, ?> q = (Map<?, ?>) query;
                if (q.get("MetricStat") != null) {
                    ids.add((String) q.get("Id"));
                } else {
                    expression = (String) q.get("Expression");
                }
            }
            if (expression.startsWith("IF(")) {
                continue; // a rate: a period with no requests is 0 by the expression itself
            }
            for (String id : ids) {
                assertTrue(expression.contains("FILL(" + id + ", 0)"), alarm + ": " + expression);
            }
        }
    }

    @Test
    void givenFunctionsThatCountCacheErrors_whenTheCacheFails_thenTheAlarmSumsEveryOne() {
        Template template = template("true");
        Set<String> summed = new TreeSet<>();
        for (Object query : (List<?>) monitoring("true").resourceProperties("CacheErrorsAlarm").get("Metrics")) {
            if (((Map<?, ?>) query).get("MetricStat") instanceof Map<?, ?> stat) {
                for (Object dimension : (List<?>) ((Map<?, ?>) stat.get("Metric")).get("Dimensions")) {
                    summed.add(String.valueOf(((Map<?, ?>) dimension).get("Value")));
                }
            }
        }
        // the functions with REDIS_URL: each counts CacheErrors (a failed tombstone, read or write)
        Set<String> withCache = new TreeSet<>();
        template.functions().forEach((id, function) -> {
            if (function.environment().containsKey("REDIS_URL")) {
                withCache.add(id);
            }
        });
        assertEquals(withCache, summed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"})
    void givenEveryLogLevel_whenDeployed_thenLambdaLetsTheMetricsLinesThroughAndTheCodeKeepsTheLevel(String level) {
        Template template = Template.load(Executables.projectRoot().resolve("template.yaml"),
                Map.of("LogLevel", level), Template.Settings.defaults());
        List<String> order = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

        for (LambdaFunction function : template.functions().values()) {
            // a request's metrics ride on INFO lines: Lambda drops everything below ApplicationLogLevel
            assertTrue(order.indexOf(function.applicationLogLevel()) <= order.indexOf("INFO"),
                    function.logicalId() + " at " + level + ": ApplicationLogLevel " + function.applicationLogLevel());
            assertEquals(level, function.environment().get("LOG_LEVEL"), function.logicalId());
            assertEquals("JSON", function.logFormat(), function.logicalId());
        }
    }

    private static Template template(String cacheEnabled) {
        return Template.load(Executables.projectRoot().resolve("template.yaml"), Map.of("CacheEnabled", cacheEnabled),
                Template.Settings.defaults());
    }

    /** The monitoring stack as the top-level stack creates it (its nested application), with what it passes. */
    private static Template monitoring(String cacheEnabled) {
        return template(cacheEnabled).application("Monitoring");
    }

    /** The metric names in the functions' own namespace that the dashboard and the alarms use. */
    private static Set<String> metricsInTemplate(Template template) {
        String namespace = String.valueOf(template.resourceProperties("Dashboard").get("DashboardBody"))
                .contains("\"Sessions\"") ? "Sessions" : "?";
        Set<String> names = new TreeSet<>();
        Map<String, Object> dashboard = Json.parseObject((String) template.resourceProperties("Dashboard")
                .get("DashboardBody"), 32);
        for (Object widget : (List<?>) dashboard.get("widgets")) {
            for (Object metric : (List<?>) ((Map<?, ?>) ((Map<?, ?>) widget).get("properties")).get("metrics")) {
                List<?> row = (List<?>) metric;
                if (namespace.equals(row.getFirst())) {
                    names.add((String) row.get(1));
                }
            }
        }
        for (String alarm : template.resourceIdsOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> props = template.resourceProperties(alarm);
            if (namespace.equals(props.get("Namespace"))) {
                names.add((String) props.get("MetricName"));
            }
            if (props.get("Metrics") instanceof List<?> queries) {
                for (Object query : queries) {
                    if (((Map<?, ?>) query).get("MetricStat") instanceof Map<?, ?> stat
                            && stat.get("Metric") instanceof Map<?, ?> metric && namespace.equals(metric.get("Namespace"))) {
                        names.add((String) metric.get("MetricName"));
                    }
                }
            }
        }
        return names;
    }

    @Test
    void givenMetricsTheCodeEmits_whenTemplateRead_thenEachIsOnTheDashboardOrAnAlarmAndNoOtherIs() {
        Set<String> emitted = Arrays.stream(Metric.values()).map(Metric::metricName).collect(Collectors.toCollection(TreeSet::new));

        Set<String> used = metricsInTemplate(monitoring("true"));

        assertEquals(emitted, used, "metrics emitted in code vs used by the dashboard and alarms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false"})
    void givenEveryFunction_whenTemplateRead_thenItHasErrorAndThrottleAlarms(String cacheEnabled) {
        Template template = template(cacheEnabled);
        Template monitoring = template.application("Monitoring");
        Set<String> alarmed = new HashSet<>();
        for (String alarm : monitoring.resourceIdsOfType("AWS::CloudWatch::Alarm")) {
            Map<String, Object> props = monitoring.resourceProperties(alarm);
            if ("AWS/Lambda".equals(props.get("Namespace")) && props.get("Dimensions") instanceof List<?> dimensions) {
                String function = String.valueOf(((Map<?, ?>) dimensions.getFirst()).get("Value"));
                alarmed.add(function + ":" + props.get("MetricName"));
            }
        }
        for (LambdaFunction function : template.functions().values()) {
            assertTrue(alarmed.contains(function.name() + ":Errors"), function.logicalId() + " has no Errors alarm");
            assertTrue(alarmed.contains(function.name() + ":Throttles"), function.logicalId() + " has no Throttles alarm");
        }
    }

    @Test
    void givenTheMonitoringStack_whenTheTopLevelStackCreatesIt_thenItWatchesItsResourcesWithTheUsersThresholds()
            throws Exception {
        Map<String, String> overrides = Map.of("CacheEnabled", "true", "AlarmEmail", "ops@example.com",
                "FunctionErrorsThreshold", "9", "MetricsNamespace", "Team/Sessions");
        Template top = Template.load(Executables.projectRoot().resolve("template.yaml"), overrides,
                Template.Settings.defaults());
        Template monitoring = top.application("Monitoring");

        // what it watches: the names the top-level stack gave its functions, table, queue and API
        for (LambdaFunction function : top.functions().values()) {
            assertEquals(function.name(), monitoring.parameters().get(function.logicalId() + "Name"), function.logicalId());
        }
        assertEquals(top.tables().get("SessionsTable").name(), monitoring.parameters().get("SessionsTableName"));
        assertEquals(top.apiId("HttpApi"), monitoring.parameters().get("HttpApiId"));
        // how: the user's parameters are the top-level stack's, with their defaults there only
        Set<String> topLevel = Template.declaredParameters(Executables.projectRoot().resolve("template.yaml"));
        for (Map.Entry<String, Map<String, Object>> parameter : rawParameters("monitoring/template.yaml").entrySet()) {
            assertTrue(!parameter.getValue().containsKey("Default"), parameter.getKey() + ": defaults live in template.yaml");
        }
        for (String name : List.of("AlarmEmail", "FunctionErrorsThreshold", "MetricsNamespace", "IteratorAgeAlarmMilliseconds",
                "Api5xxRatePercent", "ApiLatencyP99Milliseconds", "FunctionThrottlesThreshold", "DynamoDbThrottlesThreshold",
                "CacheErrorsThreshold")) {
            assertTrue(topLevel.contains(name), name + " is a parameter of the top-level stack");
            assertEquals(top.parameters().get(name), monitoring.parameters().get(name), name);
        }
        assertTrue(monitoring.resourceIds().contains("AlarmEmailSubscription"));
        assertTrue(monitoring.resourceIds().contains("SessionSyncIteratorAgeAlarm"));
        assertEquals("9", String.valueOf(monitoring.resourceProperties("HelloFunctionErrorsAlarm").get("Threshold")));
        // the top-level outputs read the nested stack's
        assertEquals(monitoring.output("AlarmTopicArn"), top.output("AlarmTopicArn"));
        assertTrue(top.output("DashboardUrl").endsWith("#dashboards:name=" + top.settings().stackName() + "-operations"),
                top.output("DashboardUrl"));

        Template restored = Template.load(Executables.projectRoot().resolve("template.yaml"),
                Map.of("SessionsTableName", "sessions-restored-2026-11-27"), Template.Settings.defaults());
        Template watchingRestored = restored.application("Monitoring");
        assertEquals("sessions-restored-2026-11-27", watchingRestored.parameters().get("SessionsTableName"));
        assertTrue(!watchingRestored.resourceIds().contains("SessionSyncIteratorAgeAlarm"), "no cache, no sync function");
        assertTrue(!watchingRestored.resourceIds().contains("AlarmEmailSubscription"));
    }

    @Test
    void givenTheTopLevelTemplate_whenRead_thenItShowsTheSystemInOrderAndSaysWhyEachResourceIsThere() throws Exception {
        List<String> lines = Files.readAllLines(Executables.projectRoot().resolve("template.yaml"));
        int start = lines.indexOf("Resources:");
        int end = lines.indexOf("Outputs:");
        List<String> kinds = new java.util.ArrayList<>();
        Map<String, Map<String, Object>> resources = rawResources();
        for (int i = start + 1; i < end; i++) {
            Matcher resource = Pattern.compile("^  ([A-Za-z0-9]+):$").matcher(lines.get(i));
            if (!resource.matches()) {
                continue;
            }
            assertTrue(lines.get(i - 1).startsWith("  # "), resource.group(1) + " has no comment saying why it is there");
            String type = String.valueOf(resources.get(resource.group(1)).get("Type"));
            String kind = type.equals("AWS::Serverless::Function") && lines.subList(i, Math.min(end, i + 80)).stream()
                    .takeWhile(l -> !l.isEmpty()).anyMatch(l -> l.trim().equals("Type: DynamoDB")) ? "stream mappings"
                    : type.equals("AWS::Serverless::Function") ? "functions"
                    : type.startsWith("AWS::Serverless::HttpApi") ? "API"
                    : type.startsWith("AWS::DynamoDB::") ? "tables"
                    : type.startsWith("AWS::ElastiCache::") || type.startsWith("AWS::EC2::") ? "cache and network"
                    : type.equals("AWS::Serverless::Application") ? "monitoring" : null;
            if (kind != null && (kinds.isEmpty() || !kinds.getLast().equals(kind))) {
                kinds.add(kind);
            }
        }
        assertEquals(List.of("functions", "API", "tables", "stream mappings", "cache and network", "monitoring"), kinds);
        assertTrue(rawResources().values().stream().noneMatch(r -> String.valueOf(r.get("Type")).startsWith("AWS::CloudWatch::")),
                "alarms and the dashboard live in monitoring/template.yaml");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> rawParameters(String file) throws java.io.IOException {
        Map<String, Object> raw = CfnYaml.load(Files.readString(Executables.projectRoot().resolve(file)));
        return (Map<String, Map<String, Object>>) raw.get("Parameters");
    }

    @Test
    void givenStreamConsumers_whenTemplateRead_thenPartialFailuresBisectBoundedRetriesAndADestination() {
        for (StreamMapping mapping : template("true").streamMappings()) {
            assertTrue(mapping.reportBatchItemFailures(), mapping.functionId());
            assertTrue(mapping.bisectOnError(), mapping.functionId());
            assertTrue(mapping.maxRetryAttempts() >= 0, mapping.functionId() + " retries forever");
            assertTrue(mapping.maxRecordAgeSeconds() > 0, mapping.functionId() + " keeps records forever");
            assertTrue(mapping.onFailureDestination() != null, mapping.functionId() + " has no on-failure destination");
        }
    }

    @Test
    void givenAnExistingTableNamed_whenTemplateRead_thenEveryFunctionUsesItAndNoTableIsCreated() {
        Template repointed = Template.load(Executables.projectRoot().resolve("template.yaml"),
                Map.of("SessionsTableName", "sessions-restored-2026-11-27"), Template.Settings.defaults());

        assertEquals(List.of("CountersTable", "IdempotencyTable"), List.copyOf(repointed.tables().keySet()));
        for (String function : List.of("VisitsFunction", "SessionsFunction", "AdminFunction")) {
            assertEquals("sessions-restored-2026-11-27", repointed.function(function).environment().get("SESSIONS_TABLE"));
        }
    }

    @Test
    void givenAnExistingBusNamed_whenTemplateRead_thenTheEventsGoThereWithTheGrantForItAndNoBusIsCreated() {
        Template given = Template.load(Executables.projectRoot().resolve("template.yaml"),
                Map.of("EventBusName", "team-events"), Template.Settings.defaults());
        Template own = template("false");

        assertTrue(own.resourceIds().contains("SessionEventsBus"));
        assertTrue(!given.resourceIds().contains("SessionEventsBus"), "the stack is given a bus: it makes none");
        assertEquals("team-events", given.function("AggregatesFunction").environment().get("EVENT_BUS_NAME"));
        assertEquals("team-events", given.output("SessionEventsBusName"), "the export other stacks' rules read");
        String policies = String.valueOf(given.resourceProperties("AggregatesFunction").get("Policies"));
        assertTrue(policies.contains("events:PutEvents") && policies.contains(":event-bus/team-events"), policies);
    }

    @Test
    void givenTablesTheTestsCreate_whenComparedWithTheTemplate_thenSameKeysIndexesAndStreams() {
        Map<String, Table> tables = template("false").tables();
        assertSameDefinition(SessionsTableFixture.sessionsTable("t"), Bootstrap.createRequest(tables.get("SessionsTable")));
        assertSameDefinition(SessionsTableFixture.countersTable("t"), Bootstrap.createRequest(tables.get("CountersTable")));
        assertSameDefinition(SessionsTableFixture.idempotencyTable("t"),
                Bootstrap.createRequest(tables.get("IdempotencyTable")));
    }

    /** Each deploy profile's parameter overrides: {@code [profile.deploy.parameters]} of samconfig.toml. */
    private static Map<String, Map<String, String>> deployProfiles() throws Exception {
        Map<String, Map<String, String>> profiles = new TreeMap<>();
        String profile = null;
        for (String line : Files.readAllLines(Executables.projectRoot().resolve("samconfig.toml"))) {
            Matcher section = Pattern.compile("^\\[(\\w+)\\.deploy\\.parameters]").matcher(line);
            if (section.find()) {
                profile = section.group(1);
                profiles.put(profile, new TreeMap<>());
            } else if (line.startsWith("[")) {
                profile = null;
            } else if (profile != null && line.startsWith("parameter_overrides")) {
                Matcher pair = Pattern.compile("(\\w+)=\\\\\"([^\\\\]*)\\\\\"").matcher(line);
                while (pair.find()) {
                    profiles.get(profile).put(pair.group(1), pair.group(2));
                }
            }
        }
        return profiles;
    }

    @Test
    void givenEachDeployProfile_whenTemplateReadWithItsOverrides_thenEveryOverrideIsAParameterItAllows() throws Exception {
        Map<String, Map<String, String>> profiles = deployProfiles();
        assertEquals(Set.of("default", "dev", "prod"), profiles.keySet());
        for (Map.Entry<String, Map<String, String>> profile : profiles.entrySet()) {
            assertTrue(!profile.getValue().isEmpty(), profile.getKey() + " has no parameter_overrides");
            // Template.load refuses an unknown parameter or a value outside its AllowedValues
            Template.load(Executables.projectRoot().resolve("template.yaml"), profile.getValue(), Template.Settings.defaults());
        }
        assertEquals("true", profiles.get("prod").get("CacheEnabled"), "prod deploys the cache replica");
        assertEquals("true", profiles.get("prod").get("DeletionProtection"));
        assertEquals("false", profiles.get("dev").get("CacheEnabled"), "dev deploys without a network");
    }

    @Test
    void givenANestedApplication_whenEachDeployProfileDeploys_thenItAcknowledgesAutoExpandAsCloudFormationRequires()
            throws Exception {
        // CloudFormation refuses a template with a nested application (AWS::Serverless::Application)
        // unless the deploy acknowledges CAPABILITY_AUTO_EXPAND; MiniStack checks no capability
        assertTrue(!template("false").resourceIdsOfType("AWS::Serverless::Application").isEmpty());
        Map<String, String> capabilities = new TreeMap<>();
        String profile = null;
        for (String line : Files.readAllLines(Executables.projectRoot().resolve("samconfig.toml"))) {
            Matcher section = Pattern.compile("^\\[(\\w+)\\.deploy\\.parameters]").matcher(line);
            if (section.find()) {
                profile = section.group(1);
            } else if (line.startsWith("[")) {
                profile = null;
            } else if (profile != null && line.startsWith("capabilities")) {
                capabilities.put(profile, line);
            }
        }
        assertEquals(deployProfiles().keySet(), capabilities.keySet(), "every deploy profile names its capabilities");
        capabilities.forEach((name, line) -> assertTrue(line.contains("CAPABILITY_AUTO_EXPAND") && line.contains("CAPABILITY_IAM"),
                name + ": " + line));
    }

    private static void assertSameDefinition(CreateTableRequest fixture, CreateTableRequest template) {
        assertEquals(new HashSet<>(fixture.attributeDefinitions()), new HashSet<>(template.attributeDefinitions()));
        assertEquals(fixture.keySchema(), template.keySchema());
        assertEquals(fixture.globalSecondaryIndexes(), template.globalSecondaryIndexes());
        assertEquals(fixture.billingMode(), template.billingMode());
        assertEquals(fixture.streamSpecification() == null, template.streamSpecification() == null);
    }
}
