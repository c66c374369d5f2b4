"""The deploy rehearsal's steps that talk to the emulator (scripts/rehearse runs them in order).

Run with the rehearsal venv's Python (MiniStack and boto3), against AWS_ENDPOINT_URL:

  rehearse.py names STACK TEMPLATE            predicted function names, NAME=LogicalId lines
  rehearse.py template BUILT OUT              the built template, less what MiniStack refuses
  rehearse.py check STACK TEMPLATE NAMES_OUT  hold the deployed stack to the template; write
                                              the deployed names by logical id (JSON)
  rehearse.py exports OUT                     the account's exports by name (JSON), for start-lambda --imports
  rehearse.py routes STACK                    create the HttpApi's authorizers and routes from its Body;
                                              print its URL
  rehearse.py delete STACK                    delete a stack with nested stacks, and hold each to its deletion

Every workaround for a gap of MiniStack's is a step here with a comment naming the gap; none
changes template.yaml. A failed check prints one line per difference and exits 1.
"""
import json
import os
import re
import sys

import boto3
from samtranslator.yaml_helper import yaml_parse

FUNCTION = "AWS::Serverless::Function"


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml_parse(f.read())


def functions(template):
    return [rid for rid, r in template["Resources"].items() if r["Type"] == FUNCTION]


def names(stack, template_path):
    # MiniStack's proxy mode finds a function's proxy by its name in its own environment
    # (MINISTACK_LAMBDA_PROXY_<name>), read when it starts; the names its CloudFormation gives are
    # a hash of stack and logical id, so they are known before the deploy. `check` holds the
    # deployed names to these.
    from ministack.services.cloudformation.provisioners import _physical_name
    for rid in functions(load(template_path)):
        props = load(template_path)["Resources"][rid].get("Properties", {})
        name = props.get("FunctionName") or _physical_name(stack, rid, max_len=64)
        print(f"{name}={rid}")


APPLICATION = "AWS::Serverless::Application"


def nested(template):
    """The nested applications whose Location is a local file: {logical id: relative path}."""
    return {rid: r["Properties"]["Location"] for rid, r in template["Resources"].items()
            if r["Type"] == APPLICATION and isinstance(r.get("Properties", {}).get("Location"), str)
            and "://" not in r["Properties"]["Location"]}


def without_metric_math(template):
    # Gap: MiniStack refuses AWS::CloudWatch::Alarm with Metrics (metric math): "Properties.Metrics
    # (metric math) is not supported". Those alarms are left out of the rehearsal's copy; nothing
    # refers to an alarm, and the template tests hold their expressions (ProjectTemplateTest).
    dropped = [rid for rid, r in template["Resources"].items()
               if r["Type"] == "AWS::CloudWatch::Alarm" and "Metrics" in r.get("Properties", {})]
    for rid in dropped:
        del template["Resources"][rid]
    return dropped


def rehearsal_template(built, out):
    template = load(built)
    dropped = without_metric_math(template)
    # A nested application's built template (sam build writes it beside the parent's, at
    # <LogicalId>/template.yaml) gets the same treatment in a copy of its own, which the parent's
    # copy points at: sam deploy then packages it (uploads it and rewrites Location) as on AWS.
    for rid, location in nested(template).items():
        child_built = os.path.join(os.path.dirname(os.path.abspath(built)), location)
        child = load(child_built)
        dropped += [f"{rid}.{alarm}" for alarm in without_metric_math(child)]
        child_out = os.path.join(os.path.dirname(child_built), "rehearsal-template.json")
        with open(child_out, "w", encoding="utf-8") as f:
            json.dump(child, f, indent=1)
        template["Resources"][rid]["Properties"]["Location"] = os.path.relpath(
            child_out, os.path.dirname(os.path.abspath(out)))
    with open(out, "w", encoding="utf-8") as f:
        json.dump(template, f, indent=1)
    print(f"left out {len(dropped)} metric-math alarms MiniStack refuses: {', '.join(dropped)}")


def expected_env_keys(template, rid):
    """(every variable the template may set, the ones it always sets: not an Fn::If that may be NoValue)."""
    own = template["Resources"][rid].get("Properties", {}).get("Environment", {}).get("Variables", {})
    shared = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    variables = {**shared, **own}
    always = {k for k, v in variables.items() if not (isinstance(v, dict) and "Fn::If" in v)}
    return set(variables), always


def parameter_values(template, overrides):
    values = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
    for pair in overrides:
        name, _, value = pair.partition("=")
        values[name] = value
    return values


def plain(value, parameters):
    """A template value with Ref to a parameter resolved (what the checks compare), else as written."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        text = parameters[value["Ref"]]
        return int(text) if text.lstrip("-").isdigit() else {"true": True, "false": False}.get(text, text)
    return value


def check(stack, template_path, names_out, *overrides):
    template = load(template_path)
    parameters = parameter_values(template, overrides)
    globals_ = template.get("Globals", {}).get("Function", {})
    cfn = boto3.client("cloudformation")
    lam = boto3.client("lambda")
    ddb = boto3.client("dynamodb")
    problems = []
    resources = {r["LogicalResourceId"]: r for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    deployed = {}
    for rid in functions(template):
        if rid not in resources:
            if "Condition" not in template["Resources"][rid]:
                problems.append(f"{rid}: not deployed")
            continue
        name = resources[rid]["PhysicalResourceId"]
        deployed[rid] = name
        config = lam.get_function_configuration(FunctionName=name)
        props = template["Resources"][rid].get("Properties", {})
        want = {"Runtime": props.get("Runtime", globals_.get("Runtime")),
                "Architectures": props.get("Architectures", globals_.get("Architectures")),
                "Handler": props.get("Handler")}
        for key, value in want.items():
            if config.get(key) != value:
                problems.append(f"{rid}: {key} is {config.get(key)!r}, the template says {value!r}")
        snap = props.get("SnapStart", globals_.get("SnapStart", {})).get("ApplyOn")
        if (config.get("SnapStart") or {}).get("ApplyOn") != snap:
            problems.append(f"{rid}: SnapStart {config.get('SnapStart')}, the template says {snap}")
        keys = set((config.get("Environment") or {}).get("Variables", {}))
        may, always = expected_env_keys(template, rid)
        if not always <= keys <= may:
            problems.append(f"{rid}: environment {sorted(keys)}, the template sets {sorted(always)}"
                            f" and may set {sorted(may - always)}")
        alias = props.get("AutoPublishAlias", globals_.get("AutoPublishAlias"))
        if alias:
            try:
                version = lam.get_alias(FunctionName=name, Name=alias)["FunctionVersion"]
                if version == "$LATEST":
                    problems.append(f"{rid}: alias {alias} points at $LATEST, not a published version")
            except lam.exceptions.ResourceNotFoundException:
                problems.append(f"{rid}: no alias {alias}")
    for rid, resource in template["Resources"].items():
        if resource["Type"] in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable") and rid in resources:
            name = resources[rid]["PhysicalResourceId"]
            deployed[rid] = name
            table = ddb.describe_table(TableName=name)["Table"]
            props = resource["Properties"]
            want_keys = sorted((k["AttributeName"], k["KeyType"]) for k in props["KeySchema"])
            got_keys = sorted((k["AttributeName"], k["KeyType"]) for k in table["KeySchema"])
            if want_keys != got_keys:
                problems.append(f"{rid}: keys {got_keys}, the template says {want_keys}")
            for index in props.get("GlobalSecondaryIndexes", []):
                found = [i for i in table.get("GlobalSecondaryIndexes", []) if i["IndexName"] == index["IndexName"]]
                if not found:
                    problems.append(f"{rid}: no index {index['IndexName']}")
                    continue
                projection = found[0]["Projection"]
                if projection.get("ProjectionType") != index["Projection"]["ProjectionType"] or sorted(
                        projection.get("NonKeyAttributes", [])) != sorted(index["Projection"].get("NonKeyAttributes", [])):
                    problems.append(f"{rid}: index {index['IndexName']} projects {projection}, the template says "
                                    f"{index['Projection']}")
            view = (props.get("StreamSpecification") or {}).get("StreamViewType")
            if view and (table.get("StreamSpecification") or {}).get("StreamViewType") != view:
                problems.append(f"{rid}: stream {table.get('StreamSpecification')}, the template says {view}")
        if resource["Type"] in ("AWS::SQS::Queue",) and rid in resources:
            deployed[rid] = resources[rid]["PhysicalResourceId"].rstrip("/").rsplit("/", 1)[-1]
        if resource["Type"] == "AWS::Events::EventBus" and rid in resources:
            deployed[rid] = resources[rid]["PhysicalResourceId"]  # a bus's physical id is its name
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    for rid in functions(template):
        for event_id, event in template["Resources"][rid].get("Properties", {}).get("Events", {}).items():
            if event["Type"] != "DynamoDB" or rid not in deployed:
                continue
            props = event["Properties"]
            mine = [m for m in mappings if f":function:{deployed[rid]}" in m["FunctionArn"]]
            if len(mine) != 1:
                problems.append(f"{rid}.{event_id}: {len(mine)} stream mappings, the template has one")
                continue
            m = mine[0]
            want_filters = sorted(f["Pattern"] for f in props.get("FilterCriteria", {}).get("Filters", []))
            got_filters = sorted(f["Pattern"] for f in (m.get("FilterCriteria") or {}).get("Filters", []))
            if want_filters != got_filters:
                problems.append(f"{rid}.{event_id}: filters {got_filters}, the template says {want_filters}")
            for key in ("BatchSize", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
                        "MaximumBatchingWindowInSeconds", "ParallelizationFactor"):
                want = plain(props.get(key), parameters)
                if key in props and m.get(key) != want:
                    problems.append(f"{rid}.{event_id}: {key} {m.get(key)}, the template says {want}")
            if list(m.get("FunctionResponseTypes") or []) != list(props.get("FunctionResponseTypes", [])):
                problems.append(f"{rid}.{event_id}: FunctionResponseTypes {m.get('FunctionResponseTypes')}")
            if not (m.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination", "").endswith(
                    ":" + deployed.get("SyncDeadLetterQueue", "?")):
                problems.append(f"{rid}.{event_id}: on-failure destination {m.get('DestinationConfig')}")
    # each nested application is a stack of its own, holding every resource its template always has
    for rid, location in nested(template).items():
        if rid not in resources:
            problems.append(f"{rid}: nested stack not deployed")
            continue
        child = load(os.path.join(os.path.dirname(os.path.abspath(template_path)), location))
        without_metric_math(child)
        child_stack = resources[rid]["PhysicalResourceId"]
        status = cfn.describe_stacks(StackName=child_stack)["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            problems.append(f"{rid}: nested stack {child_stack} is {status}")
        held = {r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName=child_stack)["StackResources"]}
        missing = sorted(cid for cid, r in child["Resources"].items() if "Condition" not in r and cid not in held)
        if missing:
            problems.append(f"{rid}: nested stack lacks {', '.join(missing)}")
        deployed[rid] = child_stack
    outputs = {o["OutputKey"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}
    for key, output in template.get("Outputs", {}).items():
        if "Condition" not in output and key not in outputs:
            problems.append(f"output {key} missing")
    with open(names_out, "w", encoding="utf-8") as f:
        json.dump(deployed, f, indent=1)
    if problems:
        for line in problems:
            print("rehearsal: " + line, file=sys.stderr)
        sys.exit(1)
    streams = sum(1 for rid in functions(template) for e in template["Resources"][rid].get("Properties", {})
                  .get("Events", {}).values() if e["Type"] == "DynamoDB")
    print(f"the deployed stack holds to the template: {len(functions(template))} functions, "
          f"{sum(1 for r in template['Resources'].values() if 'DynamoDB::' in r['Type'])} tables, "
          f"{streams} stream mappings, {len(nested(template))} nested stacks, {len(outputs)} outputs")


def delete(stack):
    # Gap: sam delete cannot delete a stack with a nested application here. It reads the nested
    # template's packaged Location to delete the artifact, and parses only s3:// and https://s3...
    # URLs; against an emulator's http:// endpoint, sam deploy wrote http://127.0.0.1:<port>/<bucket>/<key>
    # (on AWS, https://s3.<region>.amazonaws.com/...), and sam delete stops at a ValueError before it
    # deletes anything. The stack is deleted with CloudFormation's DeleteStack instead, and each
    # nested stack held to its own deletion, as CloudFormation deletes it with its parent.
    cfn = boto3.client("cloudformation")
    children = [r["PhysicalResourceId"] for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]
                if r["ResourceType"] == "AWS::CloudFormation::Stack"]
    stack_id = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack_id, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    left = [c for c in children if cfn.describe_stacks(StackName=c)["Stacks"][0]["StackStatus"] != "DELETE_COMPLETE"]
    if left:
        print(f"rehearsal: nested stacks not deleted with {stack}: {', '.join(left)}", file=sys.stderr)
        sys.exit(1)
    print(f"deleted {stack} and its {len(children)} nested stacks")


def routes(stack):
    cfn = boto3.client("cloudformation")
    api = boto3.client("apigatewayv2")
    processed = cfn.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
    processed = json.loads(processed) if isinstance(processed, str) else processed
    values = Values(cfn, stack, processed)
    apis = [rid for rid, r in processed["Resources"].items() if r["Type"] == "AWS::ApiGatewayV2::Api"]
    endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
    for rid in apis:
        api_id = values.resources[rid]
        body = processed["Resources"][rid]["Properties"].get("Body", {})
        # Gap: MiniStack ignores an HttpApi's OpenAPI Body, where SAM puts every route, its
        # integration and its authorization, so the API has no routes. They are made here from
        # the Body the stack was given, with the API calls a Body import amounts to: its Lambda
        # (request) authorizers first, then each route with its integration and authorization.
        authorizers = {}
        for name, scheme in body.get("components", {}).get("securitySchemes", {}).items():
            scheme = values.of(scheme)
            spec = scheme.get("x-amazon-apigateway-authorizer") or {} if isinstance(scheme, dict) else {}
            if spec.get("type") != "request":
                continue  # a JWT authorizer: the deployed profile has none
            sources = spec.get("identitySource") or []
            authorizers[name] = api.create_authorizer(
                ApiId=api_id, Name=name, AuthorizerType="REQUEST", AuthorizerUri=spec["authorizerUri"],
                IdentitySource=[s.strip() for s in sources.split(",")] if isinstance(sources, str) else sources,
                AuthorizerPayloadFormatVersion=spec.get("authorizerPayloadFormatVersion", "2.0"),
                EnableSimpleResponses=bool(spec.get("enableSimpleResponses", False)),
                AuthorizerResultTtlInSeconds=int(spec.get("authorizerResultTtlInSeconds", 0)))["AuthorizerId"]
        made = 0
        for path, operations in body.get("paths", {}).items():
            for method, operation in operations.items():
                integration = operation.get("x-amazon-apigateway-integration")
                if not integration:
                    continue
                target = api.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY",
                                                IntegrationUri=values.of(integration["uri"]), IntegrationMethod="POST",
                                                PayloadFormatVersion=integration.get("payloadFormatVersion", "2.0"))
                names = [name for requirement in values.of(operation.get("security") or [])
                         if isinstance(requirement, dict) for name in requirement]
                custom = [name for name in names if name in authorizers]
                auth = {"AuthorizationType": "CUSTOM", "AuthorizerId": authorizers[custom[0]]} if custom \
                    else {"AuthorizationType": "AWS_IAM" if "AWS_IAM" in names else "NONE"}
                api.create_route(ApiId=api_id, RouteKey=f"{method.upper()} {path}",
                                 Target="integrations/" + target["IntegrationId"], **auth)
                made += 1
        print(f"{endpoint}/_aws/execute-api/{api_id}/")
        print(f"made {made} routes and {len(authorizers)} Lambda authorizers of {rid} from its Body", file=sys.stderr)


def exports(out):
    cfn = boto3.client("cloudformation")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({e["Name"]: e["Value"] for e in cfn.list_exports().get("Exports", [])}, f, indent=1)


class Values:
    """A deployed stack's values for the intrinsic functions SAM leaves in a Body: Ref (parameters,
    resources, pseudo parameters), Fn::Sub (both forms), Fn::If and the conditions, Fn::ImportValue
    (the account's exports), Fn::Join, Fn::GetAtt of a function's Arn."""

    def __init__(self, cfn, stack, processed):
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        self.parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described.get("Parameters", [])}
        for name, spec in processed.get("Parameters", {}).items():
            self.parameters.setdefault(name, str(spec.get("Default", "")))
        self.resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                          for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
        region = os.environ.get("AWS_REGION", "us-east-1")
        account = described["StackId"].split(":")[4]
        self.pseudo = {"AWS::Region": region, "AWS::Partition": "aws", "AWS::AccountId": account,
                       "AWS::StackName": stack, "AWS::URLSuffix": "amazonaws.com"}
        self.exports = {e["Name"]: e["Value"] for e in cfn.list_exports().get("Exports", [])}
        self.conditions = processed.get("Conditions", {})
        self.functions = {rid for rid, r in processed["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}

    NO_VALUE = object()  # Ref AWS::NoValue: the key or item it stands for is left out

    def of(self, node):
        if isinstance(node, list):
            return [v for v in (self.of(item) for item in node) if v is not Values.NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::Sub":
                text, names = (arg, {}) if isinstance(arg, str) else (arg[0], {k: self.of(v) for k, v in arg[1].items()})
                return re.sub(r"\$\{([^}!]+)\}", lambda m: str(names[m.group(1)] if m.group(1) in names
                                                                else self.ref(m.group(1))), text)
            if key == "Fn::If":
                return self.of(arg[1] if self.holds(arg[0]) else arg[2])
            if key == "Fn::ImportValue":
                return self.exports[self.of(arg)]
            if key == "Fn::Join":
                return arg[0].join(str(self.of(part)) for part in self.of(arg[1]))
            if key == "Fn::GetAtt":
                target, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                if attribute == "Arn" and target in self.functions:
                    return f"arn:aws:lambda:{self.pseudo['AWS::Region']}:{self.pseudo['AWS::AccountId']}:function:" \
                           f"{self.resources[target]}"
                raise SystemExit(f"rehearse.py: Fn::GetAtt {arg} in a Body is not resolved here")
            if key.startswith("Fn::"):
                raise SystemExit(f"rehearse.py: {key} in a Body is not resolved here")
        return {k: v for k, v in ((k, self.of(v)) for k, v in node.items()) if v is not Values.NO_VALUE}

    def ref(self, name):
        if name == "AWS::NoValue":
            return Values.NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name.endswith(".Arn") and name[:-4] in self.functions:
            return self.of({"Fn::GetAtt": name})
        return self.resources[name]

    def holds(self, condition):
        return self.condition(self.conditions[condition])

    def condition(self, node):
        (key, arg), = node.items()
        if key == "Condition":
            return self.holds(arg)
        if key == "Fn::Equals":
            return str(self.of(arg[0])) == str(self.of(arg[1]))
        if key == "Fn::Not":
            return not self.condition(arg[0])
        if key == "Fn::And":
            return all(self.condition(c) for c in arg)
        if key == "Fn::Or":
            return any(self.condition(c) for c in arg)
        raise SystemExit(f"rehearse.py: condition {key} is not evaluated here")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"names": names, "template": rehearsal_template, "check": check, "routes": routes,
     "exports": exports, "delete": delete}[command](*args)
