//! Members the service model has and SDK 1.97 lacks, carried by `api::carried` (issue 24):
//! apply → plan clean, export → plan clean, drift on an out-of-band change, an update of another
//! field keeps them, and a live member acgw cannot carry makes the gateway refused by name.

use super::*;

const DOMAINS: &str = concat!(
    "    domainOverride:\n",
    "      default: api.example.com\n",
    "      alternateDomains: [b.example.com]\n",
    "    workloadIdentityTemplateArn: arn:aws:iam::123456789012:workload-identity-template/orders\n",
    "    interceptorConfigurations:\n",
    "      - interceptor: { lambda: { arn: 'arn:aws:lambda:us-east-1:123456789012:function:f' } }\n",
    "        interceptionPoints: [RESPONSE]\n",
    "        responseInterceptionMode: STREAM\n",
    "        responseStreamingConfiguration: { maxEventsPerInvocation: 100 }\n",
);

fn id_of(emu: &Env, name: &str) -> String {
    let client = emu.client();
    emu.rt.block_on(async {
        let list = client.list_gateways().send().await.expect("lists");
        list.items().iter().find(|g| g.name() == name).map(|g| g.gateway_id().to_string()).expect("exists")
    })
}

#[test]
fn domain_override_applies_plans_clean_and_survives_an_update_of_another_field() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("doms", DOMAINS)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "the service kept what acgw sent: {run:?}");
    let run = emu.acgw().args(["export", "--name", "doms"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("default: api.example.com") && run.stdout.contains("b.example.com"), "{}", run.stdout);
    assert!(run.stdout.contains("workload-identity-template/orders"), "{}", run.stdout);
    assert!(run.stdout.contains("responseInterceptionMode: STREAM"), "{}", run.stdout);
    assert!(run.stdout.contains("maxEventsPerInvocation: 100"), "{}", run.stdout);

    // Another field changes: UpdateGateway replaces the whole configuration, and keeps the domains.
    emu.write("gateways.yaml", &spec(&gw("doms", &format!("    description: now described\n{DOMAINS}"))));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["export", "--name", "doms"]).run();
    assert!(run.stdout.contains("now described") && run.stdout.contains("default: api.example.com"), "{}", run.stdout);
    assert!(run.stdout.contains("workload-identity-template/orders"), "{}", run.stdout);
    assert!(run.stdout.contains("responseInterceptionMode: STREAM"), "{}", run.stdout);
    assert!(run.stdout.contains("maxEventsPerInvocation: 100"), "{}", run.stdout);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    // Dropping it from the spec is a planned change, shown by its path.
    emu.write("gateways.yaml", &spec(&gw("doms", "    description: now described\n")));
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("domainOverride"), "{run:?}");
}

#[test]
fn an_out_of_band_domain_override_is_drift_and_exports_to_a_clean_plan() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("doms", DOMAINS)));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let id = id_of(&emu, "doms");
    assert!(emu.handle().set_raw(&id, "/domainOverride/default", serde_json::json!("other.example.com")));
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["gateways"][0]["state"], "modified", "{doc}");
    assert_eq!(doc["gateways"][0]["changes"][0]["path"], "domainOverride.default", "{doc}");
    let arn = "arn:aws:iam::123456789012:workload-identity-template/edited";
    assert!(emu.handle().set_raw(&id, "/workloadIdentityTemplateArn", serde_json::json!(arn)));
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let paths: Vec<&str> =
        doc["gateways"][0]["changes"].as_array().unwrap().iter().filter_map(|c| c["path"].as_str()).collect();
    assert!(paths.contains(&"workloadIdentityTemplateArn"), "{doc}");
    let pointer = "/interceptorConfigurations/0/responseStreamingConfiguration/maxEventsPerInvocation";
    assert!(emu.handle().set_raw(&id, pointer, serde_json::json!(7)));
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let paths: Vec<&str> =
        doc["gateways"][0]["changes"].as_array().unwrap().iter().filter_map(|c| c["path"].as_str()).collect();
    assert!(
        paths.iter().any(|p| p.starts_with("interceptorConfigurations") && p.ends_with("maxEventsPerInvocation")),
        "{doc}"
    );

    // A gateway made elsewhere with the member: export, then plan is clean.
    let other = emu.create(serde_json::json!({"name": "made", "roleArn": ROLE, "authorizerType": "NONE"}), &[]);
    assert!(emu.handle().set_raw(&other, "/domainOverride", serde_json::json!({"default": "made.example.com"})));
    let arn = "arn:aws:iam::123456789012:workload-identity-template/made";
    assert!(emu.handle().set_raw(&other, "/workloadIdentityTemplateArn", serde_json::json!(arn)));
    let run = emu.acgw().args(["export", "--name", "made", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("exported.yaml")).unwrap();
    assert!(exported.contains("default: made.example.com") && exported.contains("template/made"), "{exported}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn a_live_member_acgw_cannot_carry_refuses_the_gateway_by_name() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&gw("future", "    description: d\n")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let id = id_of(&emu, "future");
    assert!(emu.handle().set_raw(&id, "/futureMember", serde_json::json!({"on": true})));
    emu.write("gateways.yaml", &spec(&gw("future", "    description: changed\n")));
    let before = mutations(&emu);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("futureMember"), "the member is named: {run:?}");
    assert_eq!(mutations(&emu), before, "no update dropped the member");
}

/// `validate` checks the member's shape like any other: the model's pattern and list bounds.
#[test]
fn validate_checks_domain_override_against_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let bad = "    domainOverride:\n      default: not_a_domain\n      alternateDomains: [a.example.com, b.example.com, c.example.com, d.example.com, e.example.com, f.example.com, g.example.com, h.example.com, i.example.com, j.example.com, k.example.com]\n";
    write(dir.path(), "gateways.yaml", &spec(&gw("doms", bad)));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("domainOverride.default"), "{out}");
    assert!(out.contains("domainOverride.alternateDomains"), "{out}");
    write(dir.path(), "gateways.yaml", &spec(&gw("arn", "    workloadIdentityTemplateArn: arn:aws:iam::123:role/x\n")));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(format!("{}{}", run.stdout, run.stderr).contains("workloadIdentityTemplateArn"), "{run:?}");
}

/// JWT `certificateConfigurations` (a union inside the authorizer): apply → plan clean, export
/// keeps it, an update of another field keeps it, and a certificate kind acgw does not know
/// refuses the gateway by path rather than updating it without.
#[test]
fn jwt_certificate_configurations_are_carried_and_an_unknown_kind_is_refused() {
    let emu = Env::new();
    let jwt = |description: &str| {
        format!(
            "  - name: certs\n    roleArn: {ROLE}\n    authorizerType: CUSTOM_JWT\n    description: {description}\n    \
             authorizerConfiguration:\n      customJWTAuthorizer:\n        \
             discoveryUrl: https://idp.example.com/.well-known/openid-configuration\n        \
             allowedClients: [c]\n        \
             certificateConfigurations:\n          - s3: {{ uri: 's3://bucket/ca.pem', bucketOwnerAccountId: '123456789012' }}\n"
        )
    };
    emu.write("gateways.yaml", &spec(&jwt("one")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    emu.write("gateways.yaml", &spec(&jwt("two")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["export", "--name", "certs"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("s3://bucket/ca.pem") && run.stdout.contains("description: two"), "{}", run.stdout);
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    let id = id_of(&emu, "certs");
    let pointer = "/authorizerConfiguration/customJWTAuthorizer/certificateConfigurations";
    assert!(emu.handle().set_raw(&id, pointer, serde_json::json!([{"acm": {"arn": "x"}}])));
    emu.write("gateways.yaml", &spec(&jwt("three")));
    let before = mutations(&emu);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("customJWTAuthorizer.certificateConfigurations"), "{run:?}");
    assert_eq!(mutations(&emu), before, "no update dropped the member");
}

/// A target whose credential provider is `JWT_SVID` with its `svidCredentialProvider` (both
/// missing from SDK 1.97).
fn svid_target(description: &str) -> String {
    gw_targets(
        "svid",
        &format!(
            "      - name: t\n        description: {description}\n        targetConfiguration:\n          \
             mcp:\n            mcpServer: {{ endpoint: https://mcp.example.com/mcp }}\n        \
             credentialProviderConfigurations:\n          - credentialProviderType: JWT_SVID\n            \
             credentialProvider:\n              svidCredentialProvider: {{ audiences: [orders], signingAlgorithm: RS256 }}\n"
        ),
    )
}

fn target_updates(emu: &Env) -> u64 {
    emu.stats().get("UpdateGatewayTarget").copied().unwrap_or(0)
}

/// `JWT_SVID` and `svidCredentialProvider`: apply → plan clean, export → plan clean, an update of
/// another field keeps them, an out-of-band change is drift, and a provider acgw can neither read
/// nor carry refuses the target by path instead of updating it without.
#[test]
fn an_svid_credential_provider_is_carried_and_an_unknown_provider_is_refused() {
    let emu = Env::new();
    emu.write("gateways.yaml", &spec(&svid_target("one")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["plan", "--detailed-exitcode"]).run();
    assert_eq!(run.code, Some(0), "the service kept what acgw sent: {run:?}");

    emu.write("gateways.yaml", &spec(&svid_target("two")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = emu.acgw().args(["export", "--name", "svid", "-o", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let exported = std::fs::read_to_string(emu.dir().join("exported.yaml")).unwrap();
    for kept in ["description: two", "credentialProviderType: JWT_SVID", "svidCredentialProvider", "orders", "RS256"] {
        assert!(exported.contains(kept), "{kept} is kept:\n{exported}");
    }
    let run = emu.acgw().args(["plan", "--detailed-exitcode", "-f", "exported.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    let id = id_of(&emu, "svid");
    let pointer = "/credentialProviderConfigurations/0/credentialProvider/svidCredentialProvider/signingAlgorithm";
    assert!(emu.handle().set_target_raw(&id, "t", pointer, serde_json::json!("ES384")));
    let run = emu.acgw().args(["drift", "--format", "json"]).run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.contains("signingAlgorithm"), "{}", run.stdout);

    let pointer = "/credentialProviderConfigurations/0/credentialProvider";
    assert!(emu.handle().set_target_raw(&id, "t", pointer, serde_json::json!({"futureProvider": {"on": true}})));
    emu.write("gateways.yaml", &spec(&svid_target("three")));
    let before = target_updates(&emu);
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.contains("credentialProviderConfigurations[0].credentialProvider.futureProvider"), "{run:?}");
    assert_eq!(target_updates(&emu), before, "no update dropped the provider");
}

/// `validate` checks the provider against the model and its type: svid goes with JWT_SVID.
#[test]
fn validate_checks_the_svid_provider() {
    let dir = tempfile::tempdir().unwrap();
    let bad = svid_target("d").replace("JWT_SVID", "OAUTH").replace("RS256", "HS256");
    write(dir.path(), "gateways.yaml", &spec(&bad));
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(out.contains("svidCredentialProvider goes with credentialProviderType JWT_SVID"), "{out}");
    assert!(out.contains("signingAlgorithm"), "{out}");
}
