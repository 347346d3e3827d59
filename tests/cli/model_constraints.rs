//! acgw's own constraints (the spec JSON Schema, generated from the declarations `acgw validate`
//! checks) walked beside the service model's input shapes (tests/model/agentcore-control.json):
//! members, required-ness, enums, lengths, patterns, list and map sizes, ranges and unions. When
//! the model moves, this says what to change.

use super::*;

use std::collections::BTreeSet;

use serde_json::Value;

/// Differences acgw makes on purpose, each with its reason. A line here is matched exactly.
const DELIBERATE: &[(&str, &str)] = &[
    (
        "RateLimit.rateLimitId: required by acgw, optional in the model",
        "a rate limit's identity in a spec; without it acgw could not tell which live one a spec means",
    ),
    ("Gateway.clientToken: only in the model", "acgw makes the idempotency token itself"),
    ("Target.clientToken: only in the model", "acgw makes the idempotency token itself"),
    ("Rule.clientToken: only in the model", "acgw makes the idempotency token itself"),
    ("RateLimit.clientToken: only in the model", "acgw makes the idempotency token itself"),
    ("Target.gatewayIdentifier: only in the model", "a URI label: a target is written under its gateway"),
    ("Rule.gatewayIdentifier: only in the model", "a URI label: a rule is written under its gateway"),
    ("RateLimit.gatewayIdentifier: only in the model", "a URI label: a rate limit is written under its gateway"),
    ("Gateway.targets: only in acgw", "acgw's own key: the gateway's targets, written with their own operations"),
    ("Gateway.rules: only in acgw", "acgw's own key: the gateway's rules, written with their own operations"),
    (
        "Gateway.rateLimits: only in acgw",
        "acgw's own key: the gateway's rate limits, written with their own operations",
    ),
    ("Gateway.lifecycle: only in acgw", "acgw's own key: how acgw may delete the gateway"),
    ("Gateway.resourcePolicy: only in acgw", "acgw's own key: the gateway's resource policy (PutResourcePolicy)"),
    (
        "Target.targetConfiguration.http.agentcoreRuntime.schema.source.file: only in acgw",
        "`file:` is read at load time and sent as inlinePayload",
    ),
    (
        "Target.targetConfiguration.mcp.lambda.toolSchema.file: only in acgw",
        "`file:` is read at load time and sent as inlinePayload",
    ),
    (
        "Target.targetConfiguration.mcp.mcpServer.mcpToolSchema.file: only in acgw",
        "`file:` is read at load time and sent as inlinePayload",
    ),
    (
        "Gateway.wafConfiguration: only in acgw",
        "update-only in the model (UpdateGatewayRequest): acgw creates, waits, then updates (docs/guide.md)",
    ),
    (
        "Gateway.customTransformConfiguration: only in acgw",
        "update-only in the model (UpdateGatewayRequest): acgw creates, waits, then updates (docs/guide.md)",
    ),
    (
        "Target.targetConfiguration.inference.provider.modelMapping.providerPrefix.separator: required by acgw, optional in the model",
        "SDK 1.97's ProviderPrefix requires it (its builder fails without one)",
    ),
    (
        "Target.name: required by acgw, optional in the model",
        "a target's identity in a spec (the service requires it too, though the model does not say so)",
    ),
];

/// Differences found and not fixed yet. Each fix removes its line: the test fails on a line that
/// no longer occurs, as it does on a new difference. Issue 24's list is all fixed.
const NOT_FIXED_YET: &[&str] = &[];

/// The schema's own alternatives for "not set", `${VAR}` and a credential provider named instead
/// of given by ARN (`{ credentialProvider: NAME }`), which the model has no notion of.
fn is_acgw_alternative(v: &Value) -> bool {
    v == &serde_json::json!({ "type": "null" })
        || v.get("$ref").and_then(Value::as_str).is_some_and(|r| r == "#/$defs/unset" || r == "#/$defs/interpolated")
        || v.get("required") == Some(&serde_json::json!(["credentialProvider"]))
}

struct Walk<'a> {
    defs: &'a serde_json::Map<String, Value>,
    shapes: &'a serde_json::Map<String, Value>,
    seen: BTreeSet<(String, String)>,
    out: Vec<String>,
}

impl<'a> Walk<'a> {
    /// The schema node itself: `$ref` followed and acgw's own alternatives dropped; `None` when
    /// more than one alternative is left (acgw-only forms such as `file:`).
    fn resolve(&self, mut v: &'a Value) -> Option<(&'a Value, Option<String>)> {
        let mut name = None;
        loop {
            if let Some(r) = v.get("$ref").and_then(Value::as_str) {
                let n = r.trim_start_matches("#/$defs/");
                name = Some(n.to_string());
                v = self.defs.get(n)?;
                continue;
            }
            // A `oneOf` without a type of its own is a choice of forms (a union is an object).
            let forms = v.get("anyOf").or_else(|| v.get("oneOf").filter(|_| v.get("type").is_none()));
            if let Some(alts) = forms.and_then(Value::as_array) {
                let own: Vec<&Value> = alts.iter().filter(|a| !is_acgw_alternative(a)).collect();
                if own.len() != 1 {
                    return None;
                }
                v = own[0];
                continue;
            }
            return Some((v, name));
        }
    }

    fn diff(&mut self, path: &str, what: &str, acgw: String, model: String) {
        if acgw != model {
            self.out.push(format!("{path}: {what} acgw {acgw}, model {model}"));
        }
    }

    /// `member`: the node is a structure's member, where acgw reads an empty value as "not set"
    /// (docs/spec.md), so a minimum of 1 and none are the same there.
    fn walk(&mut self, path: &str, schema: &'a Value, shape_name: &str, member: bool) {
        let Some((schema, def)) = self.resolve(schema) else { return };
        let shape = &self.shapes[shape_name];
        if let Some(def) = def {
            if !self.seen.insert((def, shape_name.to_string())) {
                return;
            }
        }
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        // A minimum of 0 is none; on a member, so is 1 (see above).
        let low = |v: Option<f64>| v.filter(|m| *m > if member { 1.0 } else { 0.0 });
        let show = |a: Option<f64>, b: Option<f64>| {
            format!("{}..{}", a.map_or("-".into(), |x| x.to_string()), b.map_or("-".into(), |x| x.to_string()))
        };
        match shape["type"].as_str().unwrap_or_default() {
            "structure" if shape["document"].as_bool() == Some(true) => {}
            "structure" => {
                let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                    return self
                        .out
                        .push(format!("{path}: not an object in acgw, structure {shape_name} in the model"));
                };
                let members = shape["members"].as_object().cloned().unwrap_or_default();
                let model_required: BTreeSet<&str> =
                    shape["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let acgw_required: BTreeSet<&str> =
                    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let union = shape["union"].as_bool() == Some(true);
                if union != schema.get("oneOf").is_some() {
                    self.out.push(format!("{path}: a union in {}", if union { "the model only" } else { "acgw only" }));
                }
                // A spec key is the member's JSON name: its `locationName` when it has one.
                let wire = |k: &str, m: &Value| m["locationName"].as_str().unwrap_or(k).to_string();
                let model_required: BTreeSet<String> = members
                    .iter()
                    .filter(|(k, _)| model_required.contains(k.as_str()))
                    .map(|(k, m)| wire(k, m))
                    .collect();
                for (k, m) in &members {
                    let k = &wire(k, m);
                    let p = format!("{path}.{k}");
                    let Some(sub) = props.get(k) else {
                        self.out.push(format!("{p}: only in the model"));
                        continue;
                    };
                    if !union {
                        match (acgw_required.contains(k.as_str()), model_required.contains(k.as_str())) {
                            (true, false) => self.out.push(format!("{p}: required by acgw, optional in the model")),
                            (false, true) => self.out.push(format!("{p}: optional in acgw, required by the model")),
                            _ => {}
                        }
                    }
                    self.walk(&p, sub, m["shape"].as_str().unwrap_or_default(), true);
                }
                for k in props.keys() {
                    if !members.iter().any(|(name, m)| wire(name, m) == *k) {
                        self.out.push(format!("{path}.{k}: only in acgw"));
                    }
                }
            }
            "list" => {
                let (Some("array"), Some(items)) = (schema["type"].as_str(), schema.get("items")) else {
                    return self.out.push(format!("{path}: not an array in acgw, list {shape_name} in the model"));
                };
                self.diff(
                    path,
                    "items",
                    show(low(num(schema, "minItems")), num(schema, "maxItems")),
                    show(low(num(shape, "min")), num(shape, "max")),
                );
                let member = shape["member"]["shape"].as_str().unwrap_or_default().to_string();
                self.walk(&format!("{path}[]"), items, &member, false);
            }
            "map" => {
                let (Some(keys), Some(values)) = (schema.get("propertyNames"), schema.get("additionalProperties"))
                else {
                    return self.out.push(format!("{path}: not a mapping in acgw, map {shape_name} in the model"));
                };
                self.diff(
                    path,
                    "entries",
                    show(low(num(schema, "minProperties")), num(schema, "maxProperties")),
                    show(low(num(shape, "min")), num(shape, "max")),
                );
                let key = shape["key"]["shape"].as_str().unwrap_or_default().to_string();
                let value = shape["value"]["shape"].as_str().unwrap_or_default().to_string();
                self.walk(&format!("{path}{{key}}"), keys, &key, false);
                self.walk(&format!("{path}{{value}}"), values, &value, false);
            }
            "string" => {
                let enum_of = |v: &Value, k: &str| {
                    v.get(k).and_then(Value::as_array).map(|a| {
                        let mut a: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                        a.sort_unstable();
                        format!("{a:?}")
                    })
                };
                let model_enum = enum_of(shape, "enum");
                let acgw_enum = enum_of(schema, "enum");
                if model_enum.is_some() || acgw_enum.is_some() {
                    // An open enum in acgw (any string) is a choice of the model layer, not of
                    // the spec; only a differing closed list is a difference.
                    if let (Some(a), Some(m)) = (&acgw_enum, &model_enum) {
                        self.diff(path, "enum", a.clone(), m.clone());
                    }
                    return;
                }
                let acgw_pattern = schema
                    .get("pattern")
                    .and_then(Value::as_str)
                    .map(|p| p.strip_prefix("^(?:").and_then(|p| p.strip_suffix(")$")).unwrap_or(p));
                let model_pattern = shape.get("pattern").and_then(Value::as_str);
                let (acgw_same, model_same) = (acgw_pattern.map(same_language), model_pattern.map(same_language));
                if acgw_same == model_same {
                    // A string is as long as its explicit bounds and its pattern both allow.
                    let bounds = |v: &Value, min: &str, max: &str, pattern: Option<&str>| {
                        let (pmin, pmax) = pattern.map_or((None, None), pattern_lengths);
                        let min = [num(v, min), pmin].into_iter().flatten().reduce(f64::max);
                        let max = [num(v, max), pmax].into_iter().flatten().reduce(f64::min);
                        show(low(min), max)
                    };
                    self.diff(
                        path,
                        "length",
                        bounds(schema, "minLength", "maxLength", acgw_pattern),
                        bounds(shape, "min", "max", model_pattern),
                    );
                }
                // A differing pattern is reported alone: the lengths follow once it is fixed.
                self.diff(path, "pattern", format!("{acgw_same:?}"), format!("{model_same:?}"));
            }
            "integer" | "long" | "double" | "float" => {
                // i32's own bounds are no constraint.
                let bound = |v: Option<f64>| v.filter(|b| b.abs() < f64::from(i32::MAX));
                self.diff(
                    path,
                    "range",
                    show(bound(num(schema, "minimum")), bound(num(schema, "maximum"))),
                    show(num(shape, "min"), num(shape, "max")),
                );
            }
            _ => {}
        }
    }
}

/// The shortest and longest whole value a pattern matches, in bytes (which are characters: the
/// pattern is read byte-wise, `.` one byte).
fn pattern_lengths(p: &str) -> (Option<f64>, Option<f64>) {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&format!("^(?:{p})$"))
        .expect("the model's pattern parses");
    let props = hir.properties();
    (props.minimum_len().map(|n| n as f64), props.maximum_len().map(|n| n as f64))
}

/// A pattern in one spelling, so that acgw's rewrites of the model's Java-style patterns compare
/// equal: acgw spells `\\d` and `\\w` as ASCII classes (the regex crate's are Unicode, Java's
/// ASCII), groups without capturing, and drops escapes that a class does not need.
fn same_language(p: &str) -> String {
    let mut out = String::new();
    let mut in_class = false;
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_class) {
            ('\\', _) => match chars.next() {
                Some('d') => out.push_str(if in_class { "0-9" } else { "[0-9]" }),
                Some('w') => out.push_str(if in_class { "a-zA-Z0-9_" } else { "[a-zA-Z0-9_]" }),
                Some(e @ ('.' | '*' | '?' | '^' | '/')) if in_class => out.push(e),
                Some('/') => out.push('/'),
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            },
            ('[', false) => {
                in_class = true;
                out.push(c);
            }
            (']', true) => {
                in_class = false;
                out.push(c);
            }
            ('(', false) if chars.peek() == Some(&'?') => {
                chars.next();
                chars.next(); // the ':' of "(?:"
                out.push('(');
            }
            _ => out.push(c),
        }
    }
    // One group around the whole pattern says nothing.
    if out.starts_with('(') && out.ends_with(')') {
        let inner = &out[1..out.len() - 1];
        let mut depth = 0i32;
        let balanced = inner.chars().all(|c| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth >= 0
        });
        if balanced {
            return inner.to_string();
        }
    }
    out
}

/// Every difference between acgw's spec schema and the model's Create inputs.
fn differences() -> Vec<String> {
    let schema = acgw::model::schema::spec_file();
    let model: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/model/agentcore-control.json")).expect("the checked-in model"),
    )
    .expect("json");
    let defs = schema["$defs"].as_object().expect("$defs");
    let shapes = model["shapes"].as_object().expect("shapes");
    let mut walk = Walk { defs, shapes, seen: BTreeSet::new(), out: Vec::new() };
    for (def, shape) in [
        ("Gateway", "CreateGatewayRequest"),
        ("Target", "CreateGatewayTargetRequest"),
        ("Rule", "CreateGatewayRuleRequest"),
        ("RateLimit", "CreateGatewayRateLimitRequest"),
    ] {
        walk.walk(def, &defs[def], shape, false);
    }
    walk.out
}

#[test]
fn acgws_constraints_match_the_service_models_inputs() {
    let found = differences();
    let known: BTreeSet<&str> = DELIBERATE.iter().map(|(d, _)| *d).chain(NOT_FIXED_YET.iter().copied()).collect();
    let new: Vec<&String> = found.iter().filter(|d| !known.contains(d.as_str())).collect();
    let gone: Vec<&&str> = known.iter().filter(|k| !found.iter().any(|d| d == **k)).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "acgw's constraints and the service model (tests/model/agentcore-control.json) differ.\n\
         New differences (fix acgw's declarations, or list a deliberate one with its reason):\n  {}\n\
         Listed but no longer found (remove from tests/cli/model_constraints.rs):\n  {}",
        new.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        gone.iter().map(|s| **s).collect::<Vec<_>>().join("\n  "),
    );
}

/// The patterns acgw took from the model (issue 24 found them missing): `validate` refuses what
/// the service would, by place and field, before any call.
#[test]
fn validate_refuses_values_outside_the_models_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let targets = r#"gateways:
  - name: patterns
    roleArn: arn:aws:iam::123456789012:role/r
    authorizerType: AWS_IAM
    targets:
      - name: runtime
        targetConfiguration:
          http:
            agentcoreRuntime: { arn: not-an-arn }
      - name: secret
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: https://mcp.example.com/mcp }
        certificateConfigurations:
          - secretsManager: { secretArn: "arn:aws:s3:::bucket" }
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider: { providerArn: oauth-provider, scopes: [read] }
      - name: signed
        targetConfiguration:
          mcp:
            mcpServer: { endpoint: https://mcp2.example.com/mcp }
        credentialProviderConfigurations:
          - credentialProviderType: GATEWAY_IAM_ROLE
            credentialProvider:
              iamCredentialProvider: { service: execute-api, region: "us west 2" }
      - name: passthrough
        targetConfiguration:
          http:
            passthrough:
              endpoint: https://agents.example.com/a2a
              protocolType: A2A
              staticQueryParameters: { "api key": v1 }
"#;
    write(dir.path(), "g.yaml", targets);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    for (field, value) in [
        ("agentcoreRuntime.arn", "\"not-an-arn\""),
        ("secretsManager.secretArn", "\"arn:aws:s3:::bucket\""),
        ("oauthCredentialProvider.providerArn", "\"oauth-provider\""),
        ("iamCredentialProvider.region", "\"us west 2\""),
        ("staticQueryParameters", "\"api key\""),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.contains(field) && l.contains("expected a value matching") && l.contains(value)),
            "no error for {field} = {value}:\n{}",
            run.stderr
        );
    }
    assert!(run.stdout.is_empty(), "{run:?}");
}

/// The endpoints, versions, paths, names and bounds acgw took from the model: `https://` alone is
/// no passthrough endpoint, a connector version is MAJOR.MINOR.PATCH, and so on.
#[test]
fn validate_refuses_endpoints_versions_paths_and_names_the_model_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let targets = r#"gateways:
  - name: bounds
    roleArn: arn:aws:iam::123456789012:role/r
    authorizerType: AWS_IAM
    targets:
      - name: passthrough
        targetConfiguration:
          http:
            passthrough: { endpoint: "https://", protocolType: A2A }
      - name: jira
        targetConfiguration:
          mcp:
            connector:
              source: { connectorId: jira, version: "2" }
              configurations: [{ name: "1st" }]
      - name: crm
        targetConfiguration:
          http:
            connector:
              source: { connectorId: salesforce }
              parameters: { "my instance": acme }
      - name: provider
        targetConfiguration:
          inference:
            provider:
              endpoint: https://llm.example.com/v1
              modelMapping: { providerPrefix: { separator: "::" } }
              operations:
                - path: chat
                  models: [{ model: "small model" }]
"#;
    write(dir.path(), "g.yaml", targets);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    for (field, expected) in [
        ("passthrough.endpoint", "expected a value matching"),
        ("source.version", "expected 5–32 characters"),
        ("configurations[0].name", "expected a value matching"),
        ("parameters", "\"my instance\""),
        ("providerPrefix.separator", "expected 1–1 characters"),
        ("operations[0].path", "expected a value matching"),
        ("models[0].model", "expected a value matching"),
    ] {
        assert!(
            run.stderr.lines().any(|l| l.contains(field) && l.contains(expected)),
            "no error for {field} ({expected}):\n{}",
            run.stderr
        );
    }
}

/// Credential providers (issue 26) are not in the spec file's schema until they are wired into
/// `credentialProviders:`, so their declarations are walked on their own, against the model's
/// Create inputs. The differences, each with its reason.
const PROVIDER_DIFFERENCES: &[(&str, &str)] = &[
    ("Oauth2Provider.secretVersion: only in acgw", "acgw's own key: bump it to send a secret by value again"),
    ("ApiKeyProvider.secretVersion: only in acgw", "acgw's own key: bump it to send a secret by value again"),
];

#[test]
fn credential_provider_constraints_match_the_service_models_inputs() {
    use acgw::model::credential_provider::{ApiKeyProvider, Oauth2Provider};
    use acgw::model::schema::{Defs, Schema};
    let mut defs = Defs::default();
    // Each declaration defines itself in `defs` and answers a reference to it.
    Oauth2Provider::schema(&mut defs);
    ApiKeyProvider::schema(&mut defs);
    let defs: serde_json::Map<String, Value> = defs.into_map().into_iter().collect();
    let model: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/model/agentcore-control.json")).expect("the checked-in model"),
    )
    .expect("json");
    let shapes = model["shapes"].as_object().expect("shapes");
    let mut walk = Walk { defs: &defs, shapes, seen: BTreeSet::new(), out: Vec::new() };
    for (def, shape) in [
        ("Oauth2Provider", "CreateOauth2CredentialProviderRequest"),
        ("ApiKeyProvider", "CreateApiKeyCredentialProviderRequest"),
    ] {
        walk.walk(def, &defs[def], shape, false);
    }
    let known: BTreeSet<&str> = PROVIDER_DIFFERENCES.iter().map(|(d, _)| *d).collect();
    // A secret by value is only ever a `${VAR}` in a spec: a literal secret does not belong in Git.
    let by_value = r#": pattern acgw Some("^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"), model None"#;
    let secrets: Vec<&String> = walk.out.iter().filter(|d| d.ends_with(by_value)).collect();
    assert_eq!(secrets.len(), 10, "the nine vendors' clientSecret and the apiKey: {secrets:#?}");
    let new: Vec<&String> = walk.out.iter().filter(|d| !known.contains(d.as_str()) && !d.ends_with(by_value)).collect();
    let gone: Vec<&&str> = known.iter().filter(|k| !walk.out.iter().any(|d| d == **k)).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "credential providers: acgw's constraints and the service model differ.\nNew:\n  {}\nGone:\n  {}",
        new.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n  "),
        gone.iter().map(|s| **s).collect::<Vec<_>>().join("\n  "),
    );
}

/// What the model allows, acgw and its emulator take: empty list items and map keys where the
/// model sets no minimum, and an empty static query parameter value. Applied, then planned clean.
#[test]
fn empty_items_and_keys_the_model_allows_are_applied_and_planned_clean() {
    let emu = Env::new();
    let gateway = format!(
        r#"gateways:
  - name: empties
    roleArn: {ROLE}
    protocolType: MCP
    protocolConfiguration:
      mcp: {{ supportedVersions: ["", "2025-06-18"] }}
    authorizerType: CUSTOM_JWT
    authorizerConfiguration:
      customJWTAuthorizer:
        discoveryUrl: https://idp.example.com/.well-known/openid-configuration
        allowedAudience: ["", api-a]
        allowedClients: [""]
    targets:
      - name: tools
        targetConfiguration:
          mcp:
            lambda:
              lambdaArn: arn:aws:lambda:us-east-1:123456789012:function:tools
              toolSchema:
                inlinePayload:
                  - name: lookup
                    description: Look an order up
                    inputSchema:
                      type: object
                      properties: {{ "": {{ type: string }} }}
                      required: [""]
        credentialProviderConfigurations:
          - credentialProviderType: GATEWAY_IAM_ROLE
      - name: jira
        targetConfiguration:
          mcp:
            connector:
              source: {{ connectorId: jira, version: "2.0.0" }}
              enabled: [""]
      - name: passthrough
        targetConfiguration:
          http:
            passthrough:
              endpoint: https://agents.example.com/a2a
              protocolType: A2A
              staticQueryParameters: {{ version: "" }}
"#
    );
    emu.write("gateways.yaml", &gateway);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "the service kept the empty items: {run:?}");
    // Exported, they read back as the same spec: nothing was dropped as "not set". The static
    // query parameter is sensitive, so export writes it as a placeholder to set.
    let run = emu.acgw().args(["export", "--name", "empties", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("staticQueryParameters.version is sensitive"), "{run:?}");
    let run = emu
        .acgw()
        .args(["plan", "--detailed-exitcode", "-f", "exported.yaml"])
        .env("ACGW_EMPTIES__PASSTHROUGH__VERSION", "")
        .run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

/// A connector takes at most 10 parameters; a static query parameter value has no control
/// characters, and, being sensitive, an error about it names the field but never the value.
#[test]
fn validate_refuses_eleven_connector_parameters_and_control_characters_without_quoting_them() {
    let dir = tempfile::tempdir().unwrap();
    let parameters: Vec<String> = (0..11).map(|i| format!("p{i}: v")).collect();
    let targets = format!(
        r#"gateways:
  - name: limits
    roleArn: arn:aws:iam::123456789012:role/r
    authorizerType: AWS_IAM
    targets:
      - name: crm
        targetConfiguration:
          http:
            connector:
              source: {{ connectorId: salesforce }}
              parameters: {{ {} }}
      - name: passthrough
        targetConfiguration:
          http:
            passthrough:
              endpoint: https://agents.example.com/a2a
              protocolType: A2A
              staticQueryParameters: {{ token: "s3cr3t\u0007value" }}
"#,
        parameters.join(", ")
    );
    write(dir.path(), "g.yaml", &targets);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.lines().any(|l| l.contains("connector.parameters") && l.contains("found 11")), "{}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.contains("staticQueryParameters")), "{}", run.stderr);
    assert!(!run.stderr.contains("s3cr3t") && !run.stdout.contains("s3cr3t"), "the value is never shown: {run:?}");
}
