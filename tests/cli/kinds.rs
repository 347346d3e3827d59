//! Every registered kind is wired into every stage (issue 25). The registries in `acgw::kind`
//! are listed here, and a spec with one item of each gateway part goes through validate, the
//! spec's JSON Schema, plan (text, Markdown, JSON and its schema), apply, drift, export and the
//! output schemas. A new part is a compile error in `sample` until it has a sample, and then a
//! failure here for every stage that does not carry it.

use super::*;
use acgw::kind::{Part, RESOURCE_KINDS};

/// One declared item of a gateway part, and a word that names it in text and Markdown.
fn sample(part: Part) -> (String, &'static str) {
    match part {
        Part::Targets => (format!("    targets:\n{}", LAMBDA_TARGET.replace("DESCRIPTION", "Refunds")), "refunds"),
        Part::Rules => (rules(&[rule(10, "/orders/*", "refunds")]), "/orders/*"),
        Part::RateLimits => {
            (RATE_LIMITS.replace("KEYS", "$.context.iam.principal").replace("RATE", "100"), "per-principal")
        }
        Part::Policy => (POLICY.to_string(), "bedrock-agentcore:InvokeGateway"),
    }
}

/// One credential provider of each kind (the account-level kind beside gateways), by reference so
/// that no secret is needed.
const PROVIDERS: &str = "credentialProviders:
  - apiKey:
      name: weather-key
      apiKeySecretSource: EXTERNAL
      apiKeySecretConfig: { secretId: weather, jsonKey: api_key }
  - oauth2:
      name: github-app
      credentialProviderVendor: GithubOauth2
      oauth2ProviderConfigInput:
        githubOauth2ProviderConfig:
          clientId: Iv1.0123456789abcdef
          clientSecretSource: EXTERNAL
          clientSecretConfig: { secretId: github, jsonKey: client_secret }
";

/// The names of the sample credential providers, as text, Markdown and export show them.
const PROVIDER_NAMES: [&str; 2] = ["weather-key", "github-app"];

/// True for a part whose drift a drift report shows among the gateway's own changes.
fn folded_in_drift(part: Part) -> bool {
    matches!(part, Part::Policy)
}

/// The first object under `value` (depth first) that has every key in `keys`.
fn object_with<'a>(
    value: &'a serde_json::Value,
    keys: &[&str],
) -> Option<&'a serde_json::Map<String, serde_json::Value>> {
    match value {
        serde_json::Value::Object(map) => {
            if keys.iter().all(|k| map.contains_key(*k)) {
                return Some(map);
            }
            map.values().find_map(|v| object_with(v, keys))
        }
        serde_json::Value::Array(items) => items.iter().find_map(|v| object_with(v, keys)),
        _ => None,
    }
}

fn json_of(run: &support::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("one JSON document on stdout ({e}): {run:?}"))
}

#[test]
fn every_registered_kind_is_wired_into_every_stage() {
    assert!(Part::LISTED.len() >= 4 && Part::ALL.len() == Part::LISTED.len(), "{:?}", Part::LISTED);
    let emu = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let body: String = Part::LISTED.iter().map(|p| sample(*p).0).collect();
    write(dir.path(), "gateways.yaml", &format!("{PROVIDERS}{}", spec(&gw("tools", &body))));

    // load
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // The spec's JSON Schema: the account-level keys at the top, the parts in a gateway.
    let schema: serde_json::Value =
        serde_json::from_str(&Acgw::new(dir.path()).args(["schema"]).run().stdout).expect("the spec schema");
    for kind in RESOURCE_KINDS {
        assert!(object_with(&schema, &[kind.spec_key, "owner"]).is_some(), "spec schema lacks `{}`", kind.spec_key);
    }
    for part in Part::LISTED {
        assert!(object_with(&schema, &["roleArn", part.key()]).is_some(), "spec schema lacks `{}`", part.key());
    }

    // plan: JSON, its schema, text and Markdown.
    let run = Acgw::new(dir.path()).args(["plan", "--format", "json"]).on(&emu).run();
    let plan = json_of(&run);
    for kind in RESOURCE_KINDS {
        assert!(plan.get(kind.spec_key).is_some(), "the plan lacks `{}`: {run:?}", kind.spec_key);
    }
    let gateway = &plan["gateways"][0];
    let plan_schema: serde_json::Value =
        serde_json::from_str(&Acgw::new(dir.path()).args(["schema", "--output", "plan"]).run().stdout).expect("schema");
    let text = Acgw::new(dir.path()).args(["plan", "--color", "never"]).on(&emu).run().stdout;
    let markdown = Acgw::new(dir.path()).args(["plan", "--format", "markdown"]).on(&emu).run().stdout;
    for part in Part::LISTED {
        let (_, word) = sample(part);
        assert!(!gateway[part.key()].is_null(), "the JSON plan lacks `{}`: {gateway}", part.key());
        assert!(
            object_with(&plan_schema, &["updateGateway", part.key()]).is_some(),
            "plan schema lacks `{}`",
            part.key()
        );
        assert!(text.contains(word), "the text plan does not show `{}` ({word}):\n{text}", part.key());
        assert!(markdown.contains(word), "the Markdown plan does not show `{}` ({word}):\n{markdown}", part.key());
    }
    for name in PROVIDER_NAMES {
        assert!(text.contains(name), "the text plan does not show provider {name}:\n{text}");
        assert!(markdown.contains(name), "the Markdown plan does not show provider {name}:\n{markdown}");
        assert!(plan.to_string().contains(name), "the JSON plan does not show provider {name}");
    }

    // apply writes every part; observe reads every part back: the plan after it is clean.
    let run = Acgw::new(dir.path()).args(["apply", "--auto-approve"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = Acgw::new(dir.path()).args(["plan", "--format", "json", "--detailed-exitcode"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "the plan after apply is clean: {run:?}");
    let providers = json_of(&run)["credentialProviders"]["providers"].clone();
    let actions: Vec<&str> = providers.as_array().into_iter().flatten().filter_map(|p| p["action"].as_str()).collect();
    assert_eq!(actions, ["no-op"; PROVIDER_NAMES.len()], "providers after apply: {providers}");
    let gateway = json_of(&run)["gateways"][0].clone();
    for part in Part::LISTED {
        let planned = &gateway[part.key()];
        let actions: Vec<&str> = match planned {
            serde_json::Value::Array(items) => items.iter().filter_map(|i| i["action"].as_str()).collect(),
            other => other["action"].as_str().into_iter().collect(),
        };
        assert!(
            !actions.is_empty() && actions.iter().all(|a| *a == "no-op"),
            "`{}` after apply: {planned}",
            part.key()
        );
    }

    // drift and its schema.
    let run = Acgw::new(dir.path()).args(["drift", "--format", "json"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let drift = json_of(&run);
    for kind in RESOURCE_KINDS {
        assert!(drift.get(kind.spec_key).is_some(), "drift lacks `{}`: {drift}", kind.spec_key);
    }
    assert_eq!(drift["credentialProviders"]["summary"]["inSync"], PROVIDER_NAMES.len(), "{drift}");
    let drift_schema: serde_json::Value =
        serde_json::from_str(&Acgw::new(dir.path()).args(["schema", "--output", "drift"]).run().stdout)
            .expect("schema");
    for part in Part::LISTED.into_iter().filter(|p| !folded_in_drift(*p)) {
        assert!(drift["gateways"][0].get(part.key()).is_some(), "drift lacks `{}`: {drift}", part.key());
        assert!(
            object_with(&drift_schema, &["tagChanges", part.key()]).is_some(),
            "drift schema lacks `{}`",
            part.key()
        );
    }

    // export writes every part, and what it writes plans clean.
    let run = Acgw::new(dir.path()).args(["export", "-o", "exported.yaml"]).on(&emu).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    // Credential providers go to their own file beside the -o file.
    let exported = ["exported.yaml", "credential-providers.yaml"]
        .map(|f| std::fs::read_to_string(dir.path().join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .join("");
    for kind in RESOURCE_KINDS {
        assert!(exported.contains(&format!("{}:", kind.spec_key)), "export lacks `{}`:\n{exported}", kind.spec_key);
    }
    for name in PROVIDER_NAMES {
        assert!(exported.contains(name), "export lacks provider {name}:\n{exported}");
    }
    for part in Part::LISTED {
        let (_, word) = sample(part);
        assert!(exported.contains(&format!("{}:", part.key())), "export lacks `{}`:\n{exported}", part.key());
        assert!(exported.contains(word), "export lacks the `{}` item ({word}):\n{exported}", part.key());
    }
    let run = Acgw::new(dir.path())
        .args(["plan", "--detailed-exitcode", "-f", "exported.yaml", "-f", "credential-providers.yaml"])
        .on(&emu)
        .run();
    assert_eq!(run.code, Some(0), "{run:?}");
}
