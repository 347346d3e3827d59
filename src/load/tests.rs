//! Loader tests: every model constraint accepted and rejected at the right place, plus
//! interpolation, directories, multi-document files and duplicate names.

use std::collections::BTreeMap;

use super::*;
use crate::model::*;

/// A spec with every member set, one placeholder per line so positions are easy to find.
const TEMPLATE: &str = r#"gateways:
  - name: {{name}}
    description: {{description}}
    roleArn: {{roleArn}}
    protocolType: {{protocolType}}
    protocolConfiguration:
      mcp:
        supportedVersions: {{supportedVersions}}
        instructions: {{instructions}}
        searchType: {{searchType}}
        sessionConfiguration:
          sessionTimeoutInSeconds: {{sessionTimeout}}
        streamingConfiguration:
          enableResponseStreaming: {{streaming}}
        disableMcpListToolsPagination: {{pagination}}
    authorizerType: {{authorizerType}}
    authorizerConfiguration:
      customJWTAuthorizer:
        discoveryUrl: {{discoveryUrl}}
        allowedAudience: {{audience}}
        allowedClients: {{clients}}
        allowedScopes: {{scopes}}
        customClaims:
          - inboundTokenClaimName: {{claimName}}
            inboundTokenClaimValueType: {{claimValueType}}
            authorizingClaimMatchValue:
              claimMatchOperator: {{claimOperator}}
              claimMatchValue: {{claimValue}}
        advertisedScopeMapping: {{scopeMapping}}
        privateEndpoint:
          managedVpcResource:
            vpcIdentifier: {{vpc}}
            subnetIds: {{subnets}}
            endpointIpAddressType: {{ipType}}
            securityGroupIds: {{sgs}}
            routingDomain: {{routingDomain}}
            tags: {{vpcTags}}
        privateEndpointOverrides: {{overrides}}
        allowedWorkloadConfiguration:
          hostingEnvironments: {{hostingEnvs}}
          workloadIdentities: {{workloadIds}}
        certificateConfigurations: [{secretsManager: {secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ca'}}]
    kmsKeyArn: {{kms}}
    interceptorConfigurations: {{interceptors}}
    policyEngineConfiguration:
      arn: {{policyArn}}
      mode: {{policyMode}}
    exceptionLevel: {{exceptionLevel}}
    domainOverride:
      default: {{defaultDomain}}
      alternateDomains: [b.example.com]
    workloadIdentityTemplateArn: arn:aws:iam::123456789012:workload-identity-template/orders
    wafConfiguration:
      failureMode: {{wafMode}}
    customTransformConfiguration:
      lambda:
        arn: {{transformArn}}
    tags: {{tags}}
"#;

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:interceptor";
const LATTICE: &str = "rcfg-0123456789abcdef0";

fn defaults() -> BTreeMap<&'static str, String> {
    let interceptor = format!(
        "[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST, RESPONSE], \
         inputConfiguration: {{passRequestHeaders: true, payloadFilter: {{exclude: [{{field: RESPONSE_BODY}}]}}}}}}]"
    );
    let override_ = format!(
        "[{{domain: api.internal.example.com, privateEndpoint: {{selfManagedLatticeResource: {{resourceConfigurationIdentifier: {LATTICE}}}}}}}]"
    );
    [
        ("name", "orders".to_string()),
        ("description", "Order tools".to_string()),
        ("roleArn", "arn:aws:iam::123456789012:role/orders-gateway".to_string()),
        ("protocolType", "MCP".to_string()),
        ("supportedVersions", "['2025-06-18', '2025-03-26']".to_string()),
        ("instructions", "Use these tools for orders.".to_string()),
        ("searchType", "SEMANTIC".to_string()),
        ("sessionTimeout", "7200".to_string()),
        ("streaming", "true".to_string()),
        ("pagination", "false".to_string()),
        ("authorizerType", "CUSTOM_JWT".to_string()),
        ("discoveryUrl", "https://idp.example.com/.well-known/openid-configuration".to_string()),
        ("audience", "[orders-api]".to_string()),
        ("clients", "[orders-agent]".to_string()),
        ("scopes", "['orders:read']".to_string()),
        ("claimName", "department".to_string()),
        ("claimValueType", "STRING".to_string()),
        ("claimOperator", "EQUALS".to_string()),
        ("claimValue", "{matchValueString: support}".to_string()),
        ("scopeMapping", "{'orders:read': 'read'}".to_string()),
        ("vpc", "vpc-0123456789abcdef0".to_string()),
        ("subnets", "[subnet-01234567]".to_string()),
        ("ipType", "IPV4".to_string()),
        ("sgs", "[sg-01234567]".to_string()),
        ("routingDomain", "internal.example.com".to_string()),
        ("vpcTags", "{env: prod}".to_string()),
        ("overrides", override_),
        ("hostingEnvs", "[{arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/a'}]".to_string()),
        ("workloadIds", "[orders-agent]".to_string()),
        ("kms", "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012".to_string()),
        ("interceptors", interceptor),
        ("policyArn", "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/orders-abcdefghij".to_string()),
        ("policyMode", "ENFORCE".to_string()),
        ("exceptionLevel", "DEBUG".to_string()),
        ("defaultDomain", "api.example.com".to_string()),
        ("wafMode", "FAIL_OPEN".to_string()),
        ("transformArn", format!("'{LAMBDA}:$LATEST'")),
        ("tags", "{team: support, 'cost center': '42'}".to_string()),
    ]
    .into_iter()
    .collect()
}

/// The spec with `overrides` applied, and the (line, column) where each placeholder stood.
fn render(overrides: &[(&str, &str)]) -> (String, BTreeMap<String, (usize, usize)>) {
    let mut values = defaults();
    for (k, v) in overrides {
        assert!(values.contains_key(k), "unknown placeholder {k}");
        values.insert(k, v.to_string());
    }
    let mut marks = BTreeMap::new();
    let mut out = String::new();
    for (i, line) in TEMPLATE.lines().enumerate() {
        let mut line = line.to_string();
        if let Some(start) = line.find("{{") {
            let end = line.find("}}").expect("placeholder closes");
            let key = line[start + 2..end].to_string();
            marks.insert(key.clone(), (i + 1, start + 1));
            line.replace_range(start..end + 2, &values[key.as_str()]);
        }
        out.push_str(&line);
        out.push('\n');
    }
    (out, marks)
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn load(text: &str) -> Result<Desired, Problems> {
    load_text("gateways.yaml", text, &no_env)
}

#[test]
fn template_with_every_member_is_valid_and_complete() {
    let (text, _) = render(&[]);
    let desired = load(&text).unwrap_or_else(|p| panic!("{p}"));
    assert!(desired.warnings.is_empty(), "{:?}", desired.warnings);
    let g = &desired.specs[0].gateway;
    // Every optional member of the gateway is set, so every member's decoding ran.
    let json = serde_json::to_value(g).unwrap();
    for key in Gateway::KEYS {
        assert!(json.get(key).is_some(), "{key} missing from decoded gateway");
    }
    let Some(AuthorizerConfiguration::CustomJwtAuthorizer(jwt)) = &g.authorizer_configuration else { panic!("jwt") };
    let jwt_json = serde_json::to_value(jwt).unwrap();
    for key in CustomJwtAuthorizer::KEYS {
        assert!(jwt_json.get(key).is_some(), "{key} missing from decoded JWT authorizer");
    }
}

/// (placeholder, a valid value other than the default, an invalid value, expected path, message part)
type Case = (&'static str, &'static str, &'static str, &'static str, &'static str);

const P_MCP: &str = "protocolConfiguration.mcp";
const P_JWT: &str = "authorizerConfiguration.customJWTAuthorizer";

fn cases() -> Vec<(String, String, String, String, String)> {
    let long = |n: usize| "a".repeat(n);
    let many = |n: usize, f: &dyn Fn(usize) -> String| format!("[{}]", (0..n).map(f).collect::<Vec<_>>().join(", "));
    let many_map = |n: usize| format!("{{{}}}", (0..n).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join(", "));
    let lambda_item = |_| format!("{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST]}}");
    let fixed: Vec<Case> = vec![
        ("name", "a-1-b2-", "-orders", "name", "expected a value matching"),
        ("name", "A", "or--ders", "name", "expected a value matching"),
        ("roleArn", "arn:aws-cn:iam::123456789012:role/r", "arn:aws:iam::12:role/x", "roleArn", "matching"),
        ("protocolType", "MCP", "HTTP", "protocolType", "expected one of MCP"),
        ("supportedVersions", "[x]", "{a: b}", "protocolConfiguration.mcp.supportedVersions", "expected a list"),
        ("searchType", "SEMANTIC", "KEYWORD", "protocolConfiguration.mcp.searchType", "expected one of SEMANTIC"),
        ("sessionTimeout", "900", "899", "sessionTimeoutInSeconds", "900 to 28800"),
        ("sessionTimeout", "28800", "28801", "sessionTimeoutInSeconds", "900 to 28800"),
        ("sessionTimeout", "3600", "an hour", "sessionTimeoutInSeconds", "expected an integer"),
        ("streaming", "false", "yes", "enableResponseStreaming", "expected true or false"),
        ("pagination", "true", "'true'", "disableMcpListToolsPagination", "quoted string"),
        (
            "authorizerType",
            "CUSTOM_JWT",
            "JWT",
            "authorizerType",
            "expected one of CUSTOM_JWT, AWS_IAM, NONE, AUTHENTICATE_ONLY",
        ),
        (
            "discoveryUrl",
            "https://idp.example.com/.well-known/oauth-authorization-server/tenant1",
            "https://idp.example.com/openid",
            "authorizerConfiguration.customJWTAuthorizer.discoveryUrl",
            "matching",
        ),
        ("audience", "[a, b]", "just-one", "allowedAudience", "expected a list"),
        ("clients", "[a, b]", "{a: b}", "allowedClients", "expected a list"),
        ("scopes", "['a:b', 'x/y']", "['has space']", "allowedScopes[0]", "matching"),
        ("claimName", "sub.id:x", "dept-name", "customClaims[0].inboundTokenClaimName", "matching"),
        (
            "claimValueType",
            "STRING_ARRAY",
            "NUMBER",
            "inboundTokenClaimValueType",
            "expected one of STRING, STRING_ARRAY",
        ),
        ("claimOperator", "EQUALS", "LIKE", "claimMatchOperator", "expected one of EQUALS, CONTAINS, CONTAINS_ANY"),
        (
            "claimValue",
            "{matchValueString: a.b_c-d}",
            "{matchValueString: 'a b'}",
            "claimMatchValue.matchValueString",
            "matching",
        ),
        (
            "claimValue",
            "{matchValueString: x}",
            "{matchValueString: x, matchValueStringList: [y]}",
            "claimMatchValue",
            "expected exactly one of",
        ),
        ("scopeMapping", "{a: b, c: d}", "{a: 'b c'}", "advertisedScopeMapping.a", "matching"),
        ("vpc", "vpc-01234567", "vpc-123", "vpcIdentifier", "matching"),
        ("subnets", "[subnet-0123456789abcdef0]", "[subnet-1]", "subnetIds[0]", "matching"),
        ("subnets", "[subnet-01234567, subnet-89abcdef]", "[]", "subnetIds", "at least 1 items"),
        ("ipType", "IPV6", "IPV5", "endpointIpAddressType", "expected one of IPV4, IPV6"),
        ("sgs", "[sg-0123456789abcdef0]", "[sg-1]", "securityGroupIds[0]", "matching"),
        ("routingDomain", "abc", "ab", "routingDomain", "3–255 characters"),
        ("vpcTags", "{'a b': ''}", "{'bad!': x}", "managedVpcResource.tags.bad!", "matching"),
        ("overrides", "[]", "just-one", "privateEndpointOverrides", "expected a list"),
        (
            "hostingEnvs",
            "[{arn: 'arn:aws:ecs:us-east-1:1:x/yy'}]",
            "[{arn: short}]",
            "hostingEnvironments[0].arn",
            "20–1011",
        ),
        ("workloadIds", "[abc]", "[ab]", "workloadIdentities[0]", "3–255"),
        ("workloadIds", "[a.b_c-d]", "['a b c']", "workloadIdentities[0]", "matching"),
        (
            "kms",
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/12345678-1234-1234-1234-123456789012",
            "arn:aws:kms:us-east-1:123456789012:key/short",
            "kmsKeyArn",
            "matching",
        ),
        (
            "policyArn",
            "arn:aws:bedrock-agentcore:eu-west-1:123456789012:policy-engine/p-0123456789",
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:policy-engine/1bad-abcdefghij",
            "policyEngineConfiguration.arn",
            "matching",
        ),
        ("policyMode", "LOG_ONLY", "AUDIT", "policyEngineConfiguration.mode", "expected one of LOG_ONLY, ENFORCE"),
        ("exceptionLevel", "DEBUG", "INFO", "exceptionLevel", "expected one of DEBUG"),
        ("wafMode", "FAIL_CLOSE", "FAIL", "wafConfiguration.failureMode", "expected one of FAIL_CLOSE, FAIL_OPEN"),
        (
            "transformArn",
            "'arn:aws:lambda:eu-west-1:123456789012:function:t:prod'",
            "arn:aws:lambda:us-east-1:123:function:t",
            "customTransformConfiguration.lambda.arn",
            "matching",
        ),
        ("tags", "{'a.b:c/d=e+f@g-h': ''}", "{'key!': x}", "tags.key!", "matching"),
    ];
    let mut out: Vec<(String, String, String, String, String)> = fixed
        .into_iter()
        .map(|(k, good, bad, path, msg)| (k.into(), good.into(), bad.into(), path.into(), msg.into()))
        .collect();
    let mut push = |k: &str, good: String, bad: String, path: &str, msg: &str| {
        out.push((k.into(), good, bad, path.into(), msg.into()));
    };
    push("description", long(200), long(201), "description", "1–200 characters");
    push("instructions", long(2048), long(2049), "protocolConfiguration.mcp.instructions", "1–2048 characters");
    push(
        "roleArn",
        format!("arn:aws:iam::123456789012:role/{}", long(2000)),
        format!("arn:aws:iam::123456789012:role/{}", long(2100)),
        "roleArn",
        "1–2048 characters",
    );
    push("scopes", format!("['{}']", long(255)), format!("['{}']", long(256)), "allowedScopes[0]", "1–255 characters");
    push("claimName", long(255), long(256), "inboundTokenClaimName", "1–255 characters");
    push("scopeMapping", many_map(50), many_map(51), "advertisedScopeMapping", "1–50 entries");
    push(
        "sgs",
        many(5, &|i| format!("sg-0000000{i}")),
        many(6, &|i| format!("sg-0000000{i}")),
        "securityGroupIds",
        "at most 5 items",
    );
    let ov = |i: usize| {
        format!("{{domain: d{i}.example.com, privateEndpoint: {{selfManagedLatticeResource: {{resourceConfigurationIdentifier: {LATTICE}}}}}}}")
    };
    push("overrides", many(5, &ov), many(6, &ov), "privateEndpointOverrides", "at most 5 items");
    let he = |i: usize| format!("{{arn: 'arn:aws:ecs:us-east-1:123456789012:c/{i}'}}");
    push("hostingEnvs", many(10, &he), many(11, &he), "hostingEnvironments", "1–10 items");
    push(
        "workloadIds",
        many(10, &|i| format!("wid{i}")),
        many(11, &|i| format!("wid{i}")),
        "workloadIdentities",
        "1–10 items",
    );
    push("interceptors", many(2, &lambda_item), many(3, &lambda_item), "interceptorConfigurations", "1–2 items");
    push(
        "interceptors",
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [RESPONSE]}}]"),
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST, RESPONSE, REQUEST]}}]"),
        "interceptorConfigurations[0].interceptionPoints",
        "1–2 items",
    );
    push(
        "interceptors",
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST]}}]"),
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [MIDDLE]}}]"),
        "interceptorConfigurations[0].interceptionPoints[0]",
        "expected one of REQUEST, RESPONSE",
    );
    push(
        "interceptors",
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST], inputConfiguration: {{passRequestHeaders: false}}}}]"),
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}'}}}}, interceptionPoints: [REQUEST], inputConfiguration: {{passRequestHeaders: false, payloadFilter: {{exclude: [{{field: RESPONSE_BODY}}, {{field: RESPONSE_BODY}}]}}}}}}]"),
        "interceptorConfigurations[0].inputConfiguration.payloadFilter.exclude",
        "exactly 1 item",
    );
    push(
        "interceptors",
        format!("[{{interceptor: {{lambda: {{arn: '{LAMBDA}:v2'}}}}, interceptionPoints: [REQUEST]}}]"),
        "[{interceptor: {lambda: {arn: 'arn:aws:lambda:moon:123456789012:function:x'}}, interceptionPoints: [REQUEST]}]".into(),
        "interceptorConfigurations[0].interceptor.lambda.arn",
        "matching",
    );
    push("tags", many_map(50), many_map(51), "tags", "at most 50 tags");
    push("tags", format!("{{k: '{}'}}", long(256)), format!("{{k: '{}'}}", long(257)), "tags.k", "0–256 characters");
    push(
        "tags",
        format!("{{{}: v}}", long(128)),
        format!("{{{}: v}}", long(129)),
        &format!("tags.{}", long(129)),
        "1–128 characters",
    );
    push("name", "a".repeat(48), "a".repeat(49), "name", "matching");
    out
}

#[test]
fn every_constraint_accepts_a_valid_value_and_rejects_an_invalid_one_where_it_is() {
    for (key, good, bad, path, msg) in cases() {
        let (text, _) = render(&[(key.as_str(), good.as_str())]);
        if let Err(p) = load(&text) {
            panic!("valid value {good:?} for {key} was rejected:\n{p}");
        }
        let (text, marks) = render(&[(key.as_str(), bad.as_str())]);
        let problems = load(&text).expect_err(&format!("invalid value {bad:?} for {key} was accepted")).0;
        let errors: Vec<&Problem> = problems.iter().filter(|p| p.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{key}={bad:?} gave {errors:#?}");
        let p = errors[0];
        let (line, column) = marks[&key];
        assert_eq!(p.file, "gateways.yaml");
        let label = if key == "name" { bad.as_str() } else { "orders" };
        assert_eq!(p.gateway.as_deref(), Some(label), "{key}: {p}");
        assert_eq!(p.mark.line, line, "{key}={bad:?}: {p}");
        assert!(
            p.mark.column >= column && p.mark.column <= column + bad.len(),
            "{key}={bad:?}: column {} outside {column}..{}: {p}",
            p.mark.column,
            column + bad.len()
        );
        assert!(p.path.ends_with(&path), "{key}: path {} does not end with {path}", p.path);
        assert!(p.message.contains(&msg), "{key}={bad:?}: message {:?} lacks {msg:?}", p.message);
    }
}

#[test]
fn paths_are_in_api_naming_from_the_gateway_root() {
    let (text, _) = render(&[("sessionTimeout", "1")]);
    let p = &load(&text).unwrap_err().0[0];
    assert_eq!(p.path, format!("{P_MCP}.sessionConfiguration.sessionTimeoutInSeconds"));
    let (text, _) = render(&[("claimName", "a-b")]);
    let p = &load(&text).unwrap_err().0[0];
    assert_eq!(p.path, format!("{P_JWT}.customClaims[0].inboundTokenClaimName"));
}

#[test]
fn claim_operator_must_fit_the_value_form() {
    for (op, value) in [
        ("EQUALS", "{matchValueStringList: [a]}"),
        ("CONTAINS", "{matchValueString: a}"),
        ("CONTAINS_ANY", "{matchValueString: a}"),
    ] {
        let (text, marks) = render(&[("claimOperator", op), ("claimValue", value)]);
        let problems = load(&text).unwrap_err().0;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("goes with"), "{}", problems[0]);
        assert_eq!(problems[0].mark.line, marks["claimValue"].0);
    }
    for (op, value) in [("CONTAINS", "{matchValueStringList: [a]}"), ("CONTAINS_ANY", "{matchValueStringList: [a, b]}")]
    {
        let (text, _) = render(&[("claimOperator", op), ("claimValue", value)]);
        load(&text).unwrap_or_else(|p| panic!("{op}: {p}"));
    }
}

#[test]
fn custom_jwt_requires_an_authorizer_configuration() {
    let text =
        "gateways:\n  - name: a\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: CUSTOM_JWT\n";
    let p = load(text).unwrap_err().0;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "authorizerConfiguration");
    assert_eq!((p[0].mark.line, p[0].mark.column), (2, 5));
    assert!(p[0].message.contains("required when authorizerType is CUSTOM_JWT"));
}

#[test]
fn an_authorizer_configuration_with_another_type_is_only_a_warning() {
    let (text, marks) = render(&[("authorizerType", "AWS_IAM")]);
    let desired = load(&text).expect("warnings do not fail");
    assert_eq!(desired.warnings.len(), 1);
    let w = &desired.warnings[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.path, "authorizerConfiguration");
    assert_eq!(w.mark.line, marks["discoveryUrl"].0 - 1);
}

#[test]
fn missing_required_members_are_reported_at_their_parent() {
    let text = "gateways:\n  - name: a\n    authorizerType: NONE\n";
    let p = load(text).unwrap_err().0;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "roleArn");
    assert!(p[0].message.contains("missing required key `roleArn`"));
}

#[test]
fn unknown_keys_suggest_the_nearest_known_key_at_every_level() {
    let (text, _) = render(&[]);
    let text = text
        .replace("    roleArn:", "    rolearn:")
        .replace("        searchType:", "        serchType:")
        .replace("            vpcIdentifier:", "            vpcIdentifer:");
    let p = load(&text).unwrap_err().0;
    let unknown: Vec<&Problem> = p.iter().filter(|p| p.message.starts_with("unknown key")).collect();
    assert_eq!(unknown.len(), 3, "{p:#?}");
    assert!(unknown[0].message.contains("did you mean `roleArn`?"), "{}", unknown[0]);
    assert!(unknown[1].message.contains("did you mean `searchType`?"), "{}", unknown[1]);
    assert!(unknown[2].message.contains("did you mean `vpcIdentifier`?"), "{}", unknown[2]);
    assert_eq!(unknown[1].path, "protocolConfiguration.mcp.serchType");
}

#[test]
fn all_problems_are_reported_in_one_run_sorted_by_position() {
    let (text, _) = render(&[("name", "-x"), ("kms", "nope"), ("tags", "{'!': v}"), ("searchType", "NOPE")]);
    let p = load(&text).unwrap_err().0;
    assert_eq!(p.len(), 4, "{p:#?}");
    let lines: Vec<usize> = p.iter().map(|p| p.mark.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn empty_values_mean_not_set() {
    let (text, _) = render(&[("description", "''"), ("audience", "[]"), ("tags", "{}"), ("supportedVersions", "")]);
    let desired = load(&text).unwrap_or_else(|p| panic!("{p}"));
    let g = &desired.specs[0].gateway;
    assert!(g.description.is_none());
    assert!(g.tags.is_none());
}

#[test]
fn interpolation_reads_the_environment_with_defaults_and_escapes() {
    let env = |name: &str| match name {
        "ACCOUNT" => Some("210987654321".to_string()),
        "TIMEOUT" => Some("1800".to_string()),
        _ => None,
    };
    let text = "gateways:\n  - name: ${NAME:-orders}\n    roleArn: arn:aws:iam::${ACCOUNT}:role/r\n    authorizerType: NONE\n    \
                description: costs $${ACCOUNT}\n    protocolConfiguration:\n      mcp:\n        sessionConfiguration:\n          sessionTimeoutInSeconds: ${TIMEOUT}\n";
    let desired = load_text("g.yaml", text, &env).unwrap_or_else(|p| panic!("{p}"));
    let g = &desired.specs[0].gateway;
    assert_eq!(g.name.as_str(), "orders");
    assert_eq!(g.role_arn.as_str(), "arn:aws:iam::210987654321:role/r");
    assert_eq!(g.description.as_ref().map(Description::as_str), Some("costs ${ACCOUNT}"));
    let Some(ProtocolConfiguration::Mcp(mcp)) = &g.protocol_configuration else { panic!() };
    assert_eq!(
        mcp.session_configuration.as_ref().and_then(|s| s.session_timeout_in_seconds).map(SessionTimeout::get),
        Some(1800)
    );
}

#[test]
fn an_unset_variable_is_an_error_at_its_place() {
    let text = "gateways:\n  - name: a\n    roleArn: arn:aws:iam::${ACCOUNT_ID}:role/r\n    authorizerType: NONE\n";
    let p = load(text).unwrap_err().0;
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!((p[0].mark.line, p[0].mark.column, p[0].path.as_str()), (3, 14, "roleArn"));
    assert!(p[0].message.contains("`ACCOUNT_ID` is not set"));
}

#[test]
fn several_documents_in_one_file_are_all_loaded() {
    let text = "gateways:\n  - {name: a, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: NONE}\n---\n\
                gateways:\n  - {name: b, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: AWS_IAM}\n";
    let desired = load(text).unwrap_or_else(|p| panic!("{p}"));
    let names: Vec<&str> = desired.specs.iter().map(|s| s.gateway.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(desired.specs[1].source.mark.line, 5);
}

#[test]
fn a_duplicate_name_in_one_file_names_both_places() {
    let text = "gateways:\n  - {name: a, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: NONE}\n  \
                - {name: a, roleArn: 'arn:aws:iam::123456789012:role/r', authorizerType: NONE}\n";
    let p = load(text).unwrap_err().0;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].mark.line, 3);
    assert!(p[0].message.contains("declared twice: here and at gateways.yaml:2:5"), "{}", p[0]);
}

#[test]
fn directories_load_their_yaml_files_sorted_and_duplicates_across_files_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |name: &str| {
        format!(
            "gateways:\n  - name: {name}\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: NONE\n"
        )
    };
    std::fs::write(dir.path().join("b.yml"), spec("beta")).unwrap();
    std::fs::write(dir.path().join("a.yaml"), spec("alpha")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a spec").unwrap();
    let desired = load_paths(&[dir.path().to_path_buf()], &no_env).unwrap_or_else(|p| panic!("{p}"));
    let files: Vec<&str> = desired.specs.iter().map(|s| s.source.file.as_str()).collect();
    assert!(files[0].ends_with("a.yaml") && files[1].ends_with("b.yml"), "{files:?}");

    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("again.yaml"), spec("beta")).unwrap();
    let p = load_paths(&[dir.path().to_path_buf(), other.path().join("again.yaml")], &no_env).unwrap_err().0;
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].message.contains("declared twice"), "{}", p[0]);
    assert!(p[0].message.contains("b.yml:2:5") || p[0].file.ends_with("b.yml"), "{}", p[0]);
}

#[test]
fn an_empty_directory_and_an_empty_file_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = load_paths(&[dir.path().to_path_buf()], &no_env).unwrap_err().0;
    assert!(p[0].message.contains("no *.yaml or *.yml"), "{}", p[0]);
    let file = dir.path().join("empty.yaml");
    std::fs::write(&file, "").unwrap();
    let p = load_paths(&[file], &no_env).unwrap_err().0;
    assert!(p[0].message.contains("holds no spec"), "{}", p[0]);
    assert_eq!(p[0].mark.line, 1);
}

#[test]
fn non_utf8_bytes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, b"gateways:\n  - name: a\xff\n").unwrap();
    let p = load_paths(&[file], &no_env).unwrap_err().0;
    assert_eq!((p[0].mark.line, p[0].mark.column), (2, 12));
    assert!(p[0].message.contains("UTF-8"));
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let p = load_paths(&[std::path::PathBuf::from("/nonexistent/gateways.yaml")], &no_env).unwrap_err().0;
    assert_eq!(p[0].file, "/nonexistent/gateways.yaml");
    assert!(p[0].message.contains("cannot read"));
}

#[test]
fn wrong_types_are_reported() {
    let text = "gateways:\n  - name: [a]\n    roleArn: {x: 1}\n    authorizerType: NONE\n    tags: [a, b]\n";
    let p = load(text).unwrap_err().0;
    let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        ["expected a string, found a list", "expected a string, found a mapping", "expected a mapping, found a list"]
    );
}

#[test]
fn top_level_shape_is_checked() {
    let p = load("gateway:\n  - name: a\n").unwrap_err().0;
    assert!(p.iter().any(|p| p.message.contains("did you mean `gateways`?")), "{p:?}");
    let p = load("- a\n- b\n").unwrap_err().0;
    assert!(p[0].message.contains("expected a mapping"), "{p:?}");
}

#[test]
fn scalars_keep_their_yaml_types_so_editors_and_validate_agree() {
    let spec = |extra: &str| {
        format!("gateways:\n  - name: g\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: AWS_IAM\n{extra}")
    };
    let err = load(&spec("    protocolConfiguration: { mcp: { supportedVersions: [1.10] } }\n")).expect_err("number");
    assert!(
        err.to_string().contains(
            "protocolConfiguration.mcp.supportedVersions[0]: expected a string, found the number `1.10`; quote it (\"1.10\") to use it as text"
        ),
        "{err}"
    );
    let err = load(&spec("    tags: { team: true }\n")).expect_err("boolean");
    assert!(err.to_string().contains("tags.team: expected a string, found the boolean `true`"), "{err}");
    let err = load(&spec("    protocolConfiguration: { mcp: { supportedVersions: [null] } }\n")).expect_err("null");
    assert!(err.to_string().contains("supportedVersions[0]: expected a string, found null"), "{err}");
    let err = load(&spec(
        "    protocolConfiguration: { mcp: { sessionConfiguration: { sessionTimeoutInSeconds: \"7200\" } } }\n",
    ))
    .expect_err("quoted integer");
    assert!(err.to_string().contains("expected an integer, found the quoted string \"7200\""), "{err}");
    // Keys are text whatever they look like; quoted numbers are text; ${VAR} makes numbers.
    let ok = load(&spec(
        "    tags: { 2024: \"1\", team: '42' }\n    protocolConfiguration: { mcp: { sessionConfiguration: { sessionTimeoutInSeconds: \"${T:-7200}\" } } }\n",
    ))
    .expect("valid");
    let tags = crate::normalize::gateway_tags(&ok.specs[0].gateway);
    assert_eq!(tags.get("2024").map(String::as_str), Some("1"));
    assert_eq!(tags.get("team").map(String::as_str), Some("42"));
}

#[test]
fn the_targets_example_loads_every_target_kind_with_its_files() {
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/targets.yaml"));
    let desired = crate::load::load_paths(&[path], &|_| None).unwrap_or_else(|p| panic!("{p}"));
    let targets = desired.specs[0].targets.as_ref().expect("targets declared");
    assert_eq!(targets.len(), 10);
    let json = serde_json::to_value(targets).expect("serializes");
    let openapi = &json[0]["targetConfiguration"]["mcp"]["openApiSchema"]["inlinePayload"];
    assert!(openapi.as_str().is_some_and(|t| t.starts_with("openapi: 3.0.3")), "{openapi}");
    let tools = &json[1]["targetConfiguration"]["mcp"]["lambda"]["toolSchema"]["inlinePayload"];
    assert_eq!(tools[0]["name"], "refund_order");
    assert_eq!(tools[0]["inputSchema"]["required"][0], "orderId");
}
