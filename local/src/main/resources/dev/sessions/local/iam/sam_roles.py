"""Expands the roles of a SAM template's functions as `sam deploy` creates them.

Runs AWS's SAM translator (the `aws-sam-translator` package the SAM CLI ships) on the template,
as CloudFormation's SAM transform would after `sam package`, and prints, for each function, the
role it would run as: the role's logical id, its managed policy ARNs and its inline policy
documents. Intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::If) are left in the documents for
the caller to evaluate with the template's parameters and conditions.

    python sam_roles.py TEMPLATE [PARAMETERS_JSON]

One JSON object on stdout; on failure one line on stderr and exit 1.
"""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicyNames:
    """Managed policies are named by ARN in this project's templates; no IAM lookup is made."""

    def load(self):
        return {}


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        template = yaml_parse(f.read())
    parameters = json.loads(argv[2]) if len(argv) > 2 else {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            # what `sam package` leaves there, and what the translator expects
            resource.setdefault("Properties", {})["CodeUri"] = "s3://local-artifacts/" + logical_id + ".zip"
    translated = transform(template, parameters, NoManagedPolicyNames())
    resources = translated.get("Resources", {})
    functions = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function":
            continue
        role = resource.get("Properties", {}).get("Role")
        role_id = role.get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        role_resource = resources.get(role_id, {}) if role_id else {}
        properties = role_resource.get("Properties", {})
        functions[logical_id] = {
            "role": role_id,
            "roleArn": role if role_id is None else None,
            "managedPolicyArns": properties.get("ManagedPolicyArns", []),
            "policies": [p.get("PolicyDocument", {}) for p in properties.get("Policies", [])],
        }
    json.dump({"functions": functions}, sys.stdout)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as error:  # one line for the runtime to show
        print("the SAM translator refused the template: " + str(error).replace("\n", " "), file=sys.stderr)
        sys.exit(1)
