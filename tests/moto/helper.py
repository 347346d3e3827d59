#!/usr/bin/env python3
"""Seed / poke a moto_server (moto 5.2.5) AgentCore Control backend for acgw integration tests.

Usage:
    python moto_helper.py --endpoint http://127.0.0.1:PORT [--region us-east-1] <command> ...

Commands:
    seed-every-member --prefix P [--allow-duplicates]
        Create P-minimal, P-jwt, P-interceptors, P-policy, P-kms (see GATEWAYS below).
        Prints {"P-minimal": "<gatewayId>", ...} as JSON on stdout.
    set-description --name N --description D
        UpdateGateway (full replace) with every member copied from GetGateway, new description.
        Prints the UpdateGateway response as JSON.
    tag --name N --key K --value V
        TagResource on the gateway's ARN; prints the resulting ListTagsForResource tags as JSON.
    dump [--name N]
        Prints GetGateway (and tags) for every gateway (or the ones named N) as JSON.
    reset
        POST <endpoint>/moto-api/reset (wipes ALL moto state: every service/region/account).

Only boto3/botocore and the standard library are used. Exit status: 0 ok, 1 error (message on stderr).
"""

import argparse
import datetime
import json
import re
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/gw"
NAME_RE = re.compile(r"^([0-9a-zA-Z][-]?){1,48}$")

# Members of GetGateway's output that are read-only (never sent to UpdateGateway).
# The copy in set-description is driven by UpdateGateway's input shape, so this list is informative.
READ_ONLY = {
    "gatewayArn", "gatewayId", "gatewayUrl", "createdAt", "updatedAt", "status",
    "statusReasons", "workloadIdentityDetails", "webAclArn", "ResponseMetadata",
}


def gateways_for(prefix):
    """Return [(name, create_gateway kwargs)] covering every kind of gateway member."""
    lambda_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:intercept"
    return [
        # 1. minimal: no description, AWS_IAM, no optional members at all
        (f"{prefix}-minimal", dict(
            roleArn=ROLE_ARN, authorizerType="AWS_IAM", protocolType="MCP",
        )),
        # 2. CUSTOM_JWT with audience/clients/scopes and both customClaims forms
        (f"{prefix}-jwt", dict(
            description="JWT-protected gateway",
            roleArn=ROLE_ARN, protocolType="MCP",
            protocolConfiguration={"mcp": {
                "supportedVersions": ["2025-06-18", "2025-03-26"],
                "instructions": "Use the tools wisely.",
                "searchType": "SEMANTIC",
            }},
            authorizerType="CUSTOM_JWT",
            authorizerConfiguration={"customJWTAuthorizer": {
                "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                "allowedAudience": ["api://acgw", "api://acgw-test"],
                "allowedClients": ["client-a", "client-b"],
                "allowedScopes": ["gateway:read", "gateway:invoke"],
                "customClaims": [
                    {
                        "inboundTokenClaimName": "department",
                        "inboundTokenClaimValueType": "STRING",
                        "authorizingClaimMatchValue": {
                            "claimMatchValue": {"matchValueString": "engineering"},
                            "claimMatchOperator": "EQUALS",
                        },
                    },
                    {
                        "inboundTokenClaimName": "groups",
                        "inboundTokenClaimValueType": "STRING_ARRAY",
                        "authorizingClaimMatchValue": {
                            "claimMatchValue": {"matchValueStringList": ["admins", "operators"]},
                            "claimMatchOperator": "CONTAINS_ANY",
                        },
                    },
                ],
            }},
            tags={"env": "test", "kind": "jwt"},
        )),
        # 3. interceptors
        (f"{prefix}-interceptors", dict(
            description="Gateway with a lambda interceptor",
            roleArn=ROLE_ARN, authorizerType="AWS_IAM", protocolType="MCP",
            interceptorConfigurations=[{
                "interceptor": {"lambda": {"arn": lambda_arn}},
                "interceptionPoints": ["REQUEST", "RESPONSE"],
                "inputConfiguration": {"passRequestHeaders": True},
            }],
        )),
        # 4. policy engine
        (f"{prefix}-policy", dict(
            description="Gateway with a policy engine",
            roleArn=ROLE_ARN, authorizerType="AWS_IAM", protocolType="MCP",
            policyEngineConfiguration={
                "arn": f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:policy-engine/pe_main-abcdefghij",
                "mode": "LOG_ONLY",
            },
            tags={"env": "test", "kind": "policy"},
        )),
        # 5. kms + exception level + session timeout + streaming
        (f"{prefix}-kms", dict(
            description="Encrypted debug gateway",
            roleArn=ROLE_ARN, authorizerType="AWS_IAM", protocolType="MCP",
            protocolConfiguration={"mcp": {
                "sessionConfiguration": {"sessionTimeoutInSeconds": 7200},
                "streamingConfiguration": {"enableResponseStreaming": True},
            }},
            kmsKeyArn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            exceptionLevel="DEBUG",
            tags={"env": "test", "kind": "kms"},
        )),
    ]


class HelperError(Exception):
    pass


def make_client(args):
    return boto3.client(
        "bedrock-agentcore-control",
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )


def to_jsonable(obj):
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items() if k != "ResponseMetadata"}
    if isinstance(obj, list):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    return obj


def emit(obj):
    print(json.dumps(to_jsonable(obj), indent=2, sort_keys=True))


def list_all_gateways(client):
    items, token = [], None
    while True:
        kw = {"maxResults": 100}
        if token:
            kw["nextToken"] = token
        resp = client.list_gateways(**kw)
        items.extend(resp.get("items", []))
        token = resp.get("nextToken")
        if not token:
            return items


def find_gateway_id(client, name):
    matches = [g["gatewayId"] for g in list_all_gateways(client) if g.get("name") == name]
    if not matches:
        raise HelperError(f"no gateway named {name!r}")
    if len(matches) > 1:
        raise HelperError(f"{len(matches)} gateways named {name!r} (moto allows duplicates): {matches}")
    return matches[0]


def cmd_seed(client, args):
    plan = gateways_for(args.prefix)
    for name, _ in plan:
        if not NAME_RE.match(name):
            raise HelperError(f"gateway name {name!r} does not match ([0-9a-zA-Z][-]?){{1,48}}")
    if not args.allow_duplicates:
        existing = {g.get("name") for g in list_all_gateways(client)}
        clash = [n for n, _ in plan if n in existing]
        if clash:
            raise HelperError(f"gateways already exist (moto would duplicate them): {clash}; "
                              "run `reset` first or pass --allow-duplicates")
    ids = {}
    for name, kwargs in plan:
        resp = client.create_gateway(name=name, **kwargs)
        ids[name] = resp["gatewayId"]
    emit(ids)


def cmd_set_description(client, args):
    gid = find_gateway_id(client, args.name)
    current = client.get_gateway(gatewayIdentifier=gid)
    update_members = client.meta.service_model.operation_model("UpdateGateway").input_shape.members
    params = {"gatewayIdentifier": gid}
    for member in update_members:
        if member in ("gatewayIdentifier", "description") or member in READ_ONLY:
            continue
        value = current.get(member)
        # moto sends "" for an unset description; skip empty values generally.
        if value is None or value == "" or value == [] or value == {}:
            continue
        params[member] = value
    params.setdefault("protocolType", "MCP")  # moto 5.2.5 answers 500 (KeyError) without it
    if args.description:
        params["description"] = args.description
    else:
        print("warning: empty --description: omitting the member (real AWS clears it; "
              "moto 5.2.5 keeps the old description)", file=sys.stderr)
    resp = client.update_gateway(**params)
    emit(resp)


def cmd_tag(client, args):
    gid = find_gateway_id(client, args.name)
    arn = client.get_gateway(gatewayIdentifier=gid)["gatewayArn"]
    client.tag_resource(resourceArn=arn, tags={args.key: args.value})
    emit({"gatewayArn": arn, "tags": client.list_tags_for_resource(resourceArn=arn)["tags"]})


def cmd_dump(client, args):
    out = []
    for item in list_all_gateways(client):
        if args.name and item.get("name") != args.name:
            continue
        g = client.get_gateway(gatewayIdentifier=item["gatewayId"])
        g["tags"] = client.list_tags_for_resource(resourceArn=g["gatewayArn"])["tags"]
        out.append(g)
    emit(out)


def cmd_reset(_client, args):
    url = args.endpoint.rstrip("/") + "/moto-api/reset"
    req = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read().decode()
        if resp.status != 200:
            raise HelperError(f"reset failed: HTTP {resp.status} {body}")
    emit({"reset": json.loads(body).get("status", body)})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--endpoint", required=True, help="moto_server URL, e.g. http://127.0.0.1:5000")
    p.add_argument("--region", default="us-east-1")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("seed-every-member")
    s.add_argument("--prefix", required=True)
    s.add_argument("--allow-duplicates", action="store_true",
                   help="create even if gateways with these names exist (moto does not enforce uniqueness)")
    s.set_defaults(func=cmd_seed)

    s = sub.add_parser("set-description")
    s.add_argument("--name", required=True)
    s.add_argument("--description", required=True)
    s.set_defaults(func=cmd_set_description)

    s = sub.add_parser("tag")
    s.add_argument("--name", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--value", required=True)
    s.set_defaults(func=cmd_tag)

    s = sub.add_parser("dump")
    s.add_argument("--name")
    s.set_defaults(func=cmd_dump)

    s = sub.add_parser("reset")
    s.set_defaults(func=cmd_reset)

    args = p.parse_args(argv)
    try:
        args.func(make_client(args), args)
    except HelperError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except botocore.exceptions.ClientError as e:
        err = e.response.get("Error", {})
        print(f"error: {err.get('Code')}: {err.get('Message')} "
              f"(HTTP {e.response.get('ResponseMetadata', {}).get('HTTPStatusCode')})", file=sys.stderr)
        return 1
    except (botocore.exceptions.BotoCoreError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
