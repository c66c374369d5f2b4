package dev.sessions.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateTest {

    private static final Template.Settings SETTINGS = new Template.Settings("stack", "eu-west-1", "111122223333");

    private static Path fixture() throws URISyntaxException {
        return Path.of(TemplateTest.class.getResource("/templates/fixture.yaml").toURI());
    }

    private static Template load(Map<String, String> overrides) throws URISyntaxException {
        return Template.load(fixture(), overrides, SETTINGS);
    }

    @Test
    void givenGlobals_whenFunctionRead_thenMergedWithOwnValuesWinning() throws Exception {
        LambdaFunction first = load(Map.of()).function("First");

        assertEquals("java21", first.runtime());
        assertEquals(512, first.memoryMb());
        assertEquals(10, first.timeoutSeconds());
        assertEquals("JSON", first.logFormat());
        assertEquals("own", first.environment().get("SHARED"));
        assertEquals("dev", first.environment().get("STAGE"));
        assertEquals("stack-First", first.name());
    }

    @Test
    void givenIntrinsics_whenEnvironmentRead_thenEachEvaluated() throws Exception {
        Map<String, String> env = load(Map.of()).function("First").environment();

        assertEquals("stack-Items", env.get("TABLE"));
        assertEquals("arn:aws:dynamodb:eu-west-1:111122223333:table/stack-Items", env.get("TABLE_ARN"));
        assertEquals("stack-b", env.get("JOINED"));
        assertEquals("eu-west-1/stack-Items/arn:aws:dynamodb:eu-west-1:111122223333:table/stack-Items/${Literal}",
                env.get("SUBBED"));
        assertEquals("10-dev", env.get("SUB_VARS"));
        assertEquals("small", env.get("CHOSEN"));
        assertFalse(env.containsKey("MAYBE"));
    }

    @Test
    void givenOverrides_whenRead_thenConditionsAndValuesFollowThem() throws Exception {
        Template prod = load(Map.of("Stage", "prod", "Memory", "1024"));

        assertEquals("big", prod.function("First").environment().get("CHOSEN"));
        assertEquals("present", prod.function("First").environment().get("MAYBE"));
        assertEquals(1024, prod.function("First").memoryMb());
        assertEquals(List.of("Items", "ProdOnly"), List.copyOf(prod.tables().keySet()));
        assertEquals(100, prod.streamMappings().getFirst().batchSize());
    }

    @Test
    void givenConditionFalse_whenTablesRead_thenResourceLeftOut() throws Exception {
        assertEquals(List.of("Items"), List.copyOf(load(Map.of()).tables().keySet()));
    }

    @Test
    void givenHttpApiEvents_whenRoutesRead_thenMethodUpperCasedAndIamFlagged() throws Exception {
        List<Route> routes = load(Map.of()).routes();

        assertEquals(2, routes.size());
        assertEquals("GET /items/{id}", routes.get(0).routeKey());
        assertEquals("Api", routes.get(0).apiId());
        assertFalse(routes.get(0).iamAuthorization());
        assertTrue(routes.get(1).iamAuthorization());
        assertEquals("2.0", routes.get(1).payloadFormatVersion());
    }

    @Test
    void givenDynamoDbEvent_whenMappingsRead_thenEverySettingKept() throws Exception {
        StreamMapping mapping = load(Map.of()).streamMappings().getFirst();

        assertEquals("Second", mapping.functionId());
        assertEquals("Items", mapping.tableId());
        assertEquals("TRIM_HORIZON", mapping.startingPosition());
        assertEquals(10, mapping.batchSize());
        assertEquals(2, mapping.maxRetryAttempts());
        assertEquals(-1, mapping.maxRecordAgeSeconds());
        assertTrue(mapping.bisectOnError());
        assertTrue(mapping.reportBatchItemFailures());
        assertEquals(List.of("{\"eventName\":[\"INSERT\"]}"), mapping.filterPatterns());
        assertEquals("arn:aws:sqs:eu-west-1:111122223333:stack-Dlq", mapping.onFailureDestination());
        assertNull(load(Map.of()).function("Second").applicationLogLevel());
    }

    @Test
    void givenOverrideOutsideAllowedValues_whenLoaded_thenRefusedNamingIt() {
        TemplateException error = assertThrows(TemplateException.class, () -> load(Map.of("Stage", "qa")));

        assertEquals("parameter Stage=qa is not one of its AllowedValues [dev, prod]", error.getMessage());
    }

    @Test
    void givenUnknownOverride_whenLoaded_thenRefused() {
        TemplateException error = assertThrows(TemplateException.class, () -> load(Map.of("Nope", "1")));

        assertEquals("parameter override Nope names no parameter of the template", error.getMessage());
    }

    @Test
    void givenUnknownFunction_whenRead_thenMessageListsFunctions() {
        TemplateException error = assertThrows(TemplateException.class, () -> load(Map.of()).function("Third"));

        assertTrue(error.getMessage().startsWith("no function Third in "), error.getMessage());
        assertTrue(error.getMessage().endsWith("functions: First, Second"), error.getMessage());
    }

    @Test
    void givenMissingFile_whenLoaded_thenOneLineError(@TempDir Path dir) {
        TemplateException error = assertThrows(TemplateException.class,
                () -> Template.load(dir.resolve("nope.yaml"), Map.of(), SETTINGS));

        assertEquals("template not found: " + dir.resolve("nope.yaml"), error.getMessage());
    }

    @Test
    void givenMalformedYaml_whenLoaded_thenRefusedAsNotYaml(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "Resources:\n  A: [unclosed\n");

        TemplateException error = assertThrows(TemplateException.class, () -> Template.load(file, Map.of(), SETTINGS));

        assertTrue(error.getMessage().startsWith("template is not valid YAML: "), error.getMessage());
        assertFalse(error.getMessage().contains("\n"));
    }

    @Test
    void givenUnsupportedIntrinsic_whenEvaluated_thenNamedInError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("t.yaml"), """
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B
                      Runtime: java21
                      Environment:
                        Variables:
                          X: !Cidr ["10.0.0.0/16", 2, 8]
                """);

        TemplateException error = assertThrows(TemplateException.class,
                () -> Template.load(file, Map.of(), SETTINGS).function("F"));

        assertEquals("Resources.F.Properties.Environment.Variables.X: Fn::Cidr is not supported by the local"
                + " runtime", error.getMessage());
    }

    @Test
    void givenAnImportAndTheExportingStackBeside_whenEvaluated_thenTheExportsValueElseANamedError(@TempDir Path dir)
            throws IOException {
        Path exporter = Files.writeString(dir.resolve("exporter.yaml"), """
                Conditions:
                  Never: !Equals [a, b]
                Resources:
                  G:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: a.B, Runtime: java21}
                Outputs:
                  GArn:
                    Value: !GetAtt G.Arn
                    Export: {Name: !Sub "${AWS::StackName}-GArn"}
                  Skipped:
                    Condition: Never
                    Value: x
                    Export: {Name: never}
                  NotExported:
                    Value: y
                """);
        Path importer = Files.writeString(dir.resolve("importer.yaml"), """
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B
                      Runtime: java21
                      Environment:
                        Variables:
                          X: !ImportValue stack-GArn
                """);

        Map<String, String> exports = Template.load(exporter, Map.of(), SETTINGS).exports();
        TemplateException alone = assertThrows(TemplateException.class,
                () -> Template.load(importer, Map.of(), SETTINGS).function("F"));

        assertEquals(Map.of("stack-GArn", "arn:aws:lambda:eu-west-1:111122223333:function:stack-G"),
                exports, "a condition that does not hold exports nothing, nor does an output without Export");
        assertEquals(exports.get("stack-GArn"), Template.load(importer, Map.of(), SETTINGS.importing(exports))
                .function("F").environment().get("X"));
        assertTrue(alone.getMessage().startsWith("Resources.F.Properties.Environment.Variables.X (Fn::ImportValue):"
                + " Fn::ImportValue stack-GArn: no stack run beside this one exports it"), alone.getMessage());
    }

    @Test
    void givenANestedApplication_whenRead_thenItsTemplateGetsTheEvaluatedParametersAndItsOutputsResolve(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("child"));
        Files.writeString(dir.resolve("child/template.yaml"), """
                Parameters:
                  WatchedName: {Type: String}
                  Threshold: {Type: Number}
                  Email: {Type: String, Default: ""}
                Conditions:
                  HasEmail: !Not [!Equals [!Ref Email, ""]]
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                  Subscription:
                    Type: AWS::SNS::Subscription
                    Condition: HasEmail
                    Properties: {TopicArn: !Ref Topic, Endpoint: !Ref Email, Protocol: email}
                  Alarm:
                    Type: AWS::CloudWatch::Alarm
                    Properties:
                      Dimensions: [{Name: FunctionName, Value: !Ref WatchedName}]
                      Threshold: !Ref Threshold
                Outputs:
                  TopicArn:
                    Value: !Ref Topic
                  Watched:
                    Value: !Sub "${WatchedName} at ${AWS::StackName}"
                """);
        Path parent = Files.writeString(dir.resolve("template.yaml"), """
                Parameters:
                  Threshold: {Type: Number, Default: 5}
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: a.B, Runtime: java21}
                  Watching:
                    Type: AWS::Serverless::Application
                    Properties:
                      Location: child/template.yaml
                      Parameters:
                        WatchedName: !Ref F
                        Threshold: !Ref Threshold
                Outputs:
                  Topic:
                    Value: !GetAtt Watching.Outputs.TopicArn
                """);

        Template template = Template.load(parent, Map.of("Threshold", "7"), SETTINGS);
        Template child = template.application("Watching");

        assertEquals("stack-F", child.parameters().get("WatchedName"));
        assertEquals("7", child.parameters().get("Threshold"));
        assertEquals(List.of("Topic", "Alarm"), child.resourceIds(), "the child's own defaults and conditions hold");
        assertEquals("stack-F at stack-Watching", child.output("Watched"));
        assertEquals(child.output("TopicArn"), template.output("Topic"));
        assertTrue(template.output("Topic").startsWith("arn:aws:sns:eu-west-1:111122223333:"), template.output("Topic"));
    }

    @Test
    void givenANestedApplicationMissingAParameterOrNotLocal_whenRead_thenRefusedNamingIt(@TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("child.yaml"), """
                Parameters:
                  Needed: {Type: String}
                Resources:
                  Topic:
                    Type: AWS::SNS::Topic
                """);
        Path parent = Files.writeString(dir.resolve("template.yaml"), """
                Resources:
                  Unpassed:
                    Type: AWS::Serverless::Application
                    Properties:
                      Location: child.yaml
                  Remote:
                    Type: AWS::Serverless::Application
                    Properties:
                      Location: https://bucket.s3.amazonaws.com/child.yaml
                      Parameters: {Needed: x}
                  Passed:
                    Type: AWS::Serverless::Application
                    Properties:
                      Location: child.yaml
                      Parameters: {Needed: x, Unknown: y}
                """);
        Template template = Template.load(parent, Map.of(), SETTINGS);

        TemplateException unpassed = assertThrows(TemplateException.class, () -> template.application("Unpassed"));
        TemplateException remote = assertThrows(TemplateException.class, () -> template.application("Remote"));
        TemplateException unknown = assertThrows(TemplateException.class, () -> template.application("Passed"));

        assertEquals("Resources.Unpassed.Properties.Parameters: child.yaml needs parameter Needed (it has no Default),"
                + " and it is not passed", unpassed.getMessage());
        assertTrue(remote.getMessage().startsWith("Resources.Remote.Properties.Location: the local runtime reads a nested"
                + " application from a local file only"), remote.getMessage());
        assertEquals("Resources.Passed.Properties: child.yaml: parameter override Unknown names no parameter of the"
                + " template", unknown.getMessage());
    }

    @Test
    void givenUnsupportedEventType_whenRoutesRead_thenNamedInError(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("t.yaml"), """
                Resources:
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B
                      Runtime: java21
                      Events:
                        Nightly:
                          Type: Schedule
                          Properties: {Schedule: rate(1 day)}
                """);

        TemplateException error = assertThrows(TemplateException.class,
                () -> Template.load(file, Map.of(), SETTINGS).routes());

        assertTrue(error.getMessage().contains("event type Schedule is not supported"), error.getMessage());
    }
}
