//! Snapshot tests fixing the three renderings of one plan with every kind of change.

use super::fixture;
use super::*;

#[test]
fn plan_text_snapshot() {
    insta::assert_snapshot!("plan_text", text::plan(&fixture::plan(), false));
}

#[test]
fn plan_json_snapshot() {
    insta::assert_snapshot!("plan_json", json::plan(&fixture::plan()));
}

#[test]
fn plan_markdown_snapshot() {
    insta::assert_snapshot!("plan_markdown", markdown::plan(&fixture::plan()));
}

#[test]
fn drift_text_snapshot() {
    insta::assert_snapshot!("drift_text", text::drift(&fixture::plan().drift_report(), false));
}

#[test]
fn drift_json_snapshot() {
    insta::assert_snapshot!("drift_json", json::drift(&fixture::plan().drift_report()));
}

#[test]
fn drift_markdown_snapshot() {
    insta::assert_snapshot!("drift_markdown", markdown::drift(&fixture::plan().drift_report()));
}

#[test]
fn text_has_no_escape_codes_without_color_and_some_with() {
    let plan = fixture::plan();
    assert!(!text::plan(&plan, false).contains('\x1b'));
    assert!(text::plan(&plan, true).contains("\x1b[32m+\x1b[0m"));
    assert!(!text::drift(&plan.drift_report(), false).contains('\x1b'));
}

#[test]
fn no_changes_closing_line() {
    let mut plan = fixture::plan();
    plan.gateways.retain(|g| !g.is_change());
    plan.unmanaged.clear();
    let plan = crate::plan::Plan::assemble(plan.target, plan.gateways, plan.unmanaged, plan.failed);
    assert_eq!(text::plan(&plan, false), "No changes. Gateways match the specs.\n");
    assert!(markdown::plan(&plan).contains("**No changes. Gateways match the specs.**"));
    assert!(!plan.drift_report().has_drift());
    assert!(text::drift(&plan.drift_report(), false).contains("No drift. Gateways match the specs."));
}

#[test]
fn unmanaged_gateways_follow_the_closing_line() {
    let out = text::plan(&fixture::plan(), false);
    let closing = out.find("Plan: 1 to create, 2 to update, 1 to replace, 1 unchanged.").expect("closing line");
    let unmanaged = out.find("Unmanaged gateways").expect("unmanaged list");
    assert!(closing < unmanaged);
}

/// A plan big enough to blow any comment limit: many gateways with long instruction changes.
fn huge_plan(n: usize) -> crate::plan::Plan {
    use crate::model::live::GatewayStatus;
    use crate::observed::Observed;
    use serde_json::json;
    let long =
        |v: &str| (0..40).map(|i| format!("Line {i} of the instructions, version {v}.")).collect::<Vec<_>>().join("\n");
    let mut desired = Vec::new();
    let mut observed = Observed::default();
    for i in 0..n {
        let name = format!("gw{i:05}");
        desired.push(fixture::gateway(json!({
            "name": name, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE",
            "protocolConfiguration": {"mcp": {"instructions": long("new")}},
            "tags": {"team": "new"},
        })));
        let live = fixture::live(
            json!({
                "name": name, "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE",
                "protocolConfiguration": {"mcp": {"instructions": long("old")}},
            }),
            GatewayStatus::Ready,
            &[("team", "old")],
        );
        observed.managed.insert(name, live);
    }
    crate::plan::build(&fixture::desired(desired), &observed)
}

#[test]
fn markdown_stays_within_budget_with_a_note_where_cut() {
    let plan = huge_plan(400);
    assert_eq!(plan.summary.update, 400);
    let out = markdown::plan(&plan);
    assert!(out.len() <= markdown::BUDGET, "{} bytes", out.len());
    assert!(out.chars().count() <= markdown::BUDGET);
    assert!(out.contains("Output cut here to stay within 60000 characters"), "{}", &out[out.len() - 400..]);
    assert!(out.starts_with("### acgw plan\n\n**Plan: 0 to create, 400 to update"));
    // Every <details> that was opened is closed, and every fence too.
    assert_eq!(out.matches("<details>").count(), out.matches("</details>").count());
    assert_eq!(out.matches("```diff").count() * 2, out.matches("```").count());

    let drift = markdown::drift(&plan.drift_report());
    assert!(drift.len() <= markdown::BUDGET);
    assert!(drift.contains("Output cut here"));
    assert_eq!(drift.matches("<details>").count(), drift.matches("</details>").count());
}

#[test]
fn markdown_of_a_small_plan_is_not_cut() {
    assert!(!markdown::plan(&fixture::plan()).contains("Output cut"));
}

#[test]
fn huge_table_alone_is_cut() {
    // So many changed gateways that the summary table alone exceeds the budget.
    let plan = huge_plan(2500);
    let out = markdown::plan(&plan);
    assert!(out.len() <= markdown::BUDGET);
    assert!(out.contains("of 2500 gateways listed in the table, 0 of 2500 shown in detail"));
}

#[test]
fn control_characters_from_outside_are_escaped() {
    assert_eq!(clean("a\x1b[31mb\tc"), "a\\u{1b}[31mb\tc");
    let lines = line_diff("ok\n", "ok\nevil\x1b[2J\n");
    assert_eq!(lines, vec![TextLine::Same("ok".into()), TextLine::Added("evil\\u{1b}[2J".into())]);
    let mut plan = fixture::plan();
    plan.unmanaged[0].gateway_id = "id\x1b[2J|x`".into();
    assert!(!text::plan(&plan, false).contains('\x1b'));
    let md = markdown::plan(&plan);
    assert!(!md.contains('\x1b'));
    assert!(md.contains(r"| `id\u{1b}[2J\|x'` |"), "{md}");
}

/// The fixture's plan with two more gateways the specs name: one whose GetGateway was denied and
/// one whose configuration this build cannot represent.
fn plan_with_failures() -> crate::plan::Plan {
    use crate::api::ApiError;
    use crate::model::live::{GatewayStatus, Unreadable};
    use crate::observed::ObserveError;
    let (mut desired, mut observed) = fixture::state();
    let role = "arn:aws:iam::123456789012:role/gw";
    for name in ["denied", "odd"] {
        let g = fixture::gateway(serde_json::json!({"name": name, "roleArn": role, "authorizerType": "NONE"}));
        desired.specs.push(fixture::desired(vec![g]).specs.remove(0));
    }
    observed.failed.insert(
        "denied".into(),
        ObserveError::Get {
            name: "denied".into(),
            gateway_id: "denied-0123456789".into(),
            error: ApiError::AccessDenied("AccessDeniedException: not authorized".into()),
        },
    );
    let mut odd = fixture::live(
        serde_json::json!({"name": "odd", "roleArn": role, "authorizerType": "NONE"}),
        GatewayStatus::Ready,
        &[],
    );
    odd.live.config = Err(Unreadable {
        path: "authorizerConfiguration".into(),
        reason: "a union member this version does not know".into(),
    });
    observed.managed.insert("odd".into(), odd);
    crate::plan::build(&desired, &observed)
}

#[test]
fn gateways_that_could_not_be_read_are_listed_with_their_reason_next_to_the_others() {
    let plan = plan_with_failures();
    assert_eq!(plan.summary.failed, 2);
    assert_eq!(plan.gateways.len(), 5, "the others are planned as before");
    let text = text::plan(&plan, false);
    assert!(
        text.contains("! denied (denied-0123456789) could not be planned: GetGateway for gateway denied (denied-0123456789) failed: access denied: AccessDeniedException: not authorized\n"),
        "{text}"
    );
    assert!(
        text.contains("! odd (odd-a1b2c3d4e5) could not be planned: GetGateway answered authorizerConfiguration: a union member this version does not know; this acgw version cannot read it\n"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to create, 2 to update, 1 to replace, 1 unchanged. 2 gateways could not be planned."),
        "{text}"
    );
    let md = markdown::plan(&plan);
    assert!(md.contains("2 gateways could not be planned"), "{md}");
    assert!(md.contains("| `odd` | `odd-a1b2c3d4e5` | GetGateway answered authorizerConfiguration"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&json::plan(&plan)).expect("json");
    assert_eq!(json["failed"][1]["name"], "odd");
    assert_eq!(json["failed"][1]["gatewayId"], "odd-a1b2c3d4e5");
    assert_eq!(json["summary"]["failed"], 2);
    // A saved plan with failures reads back: apply reports them as not applied.
    let back = crate::plan::Plan::from_json(&plan.to_json()).expect("reads back");
    assert_eq!(back.failed, plan.failed);

    let drift = plan.drift_report();
    assert!(drift.has_drift() && drift.has_failures());
    let text = text::drift(&drift, false);
    assert!(text.contains("! denied (denied-0123456789) could not be checked:"), "{text}");
    assert!(text.contains("Drift: 3 modified, 1 missing, 1 in sync; 2 gateways could not be checked."), "{text}");
    let md = markdown::drift(&drift);
    assert!(md.contains("| 1 | 3 | 1 | 0 | 2 | 2 |"), "{md}");
}

#[test]
fn drift_markdown_parts_snapshot() {
    let report = fixture::parts_plan().drift_report();
    let md = markdown::drift(&report);
    insta::assert_snapshot!("drift_markdown_parts", md);
}

#[test]
fn drift_of_parts_names_every_drifted_field_in_markdown_as_in_text() {
    let report = fixture::parts_plan().drift_report();
    let md = markdown::drift(&report);
    let text = text::drift(&report, false);
    for field in [
        "targets.calendar.targetConfiguration.mcp.mcpServer.endpoint",
        "targets.docs (missing)",
        "targets.stray (not declared)",
        "rules.20.conditions[0].matchPaths.anyOf[0]",
        "rateLimits.per-user.entries[0].requests[0].rate",
        "resourcePolicy.Statement[0].Action[0]",
    ] {
        assert!(md.contains(&format!("`{field}`")), "the Fields cell names {field}: {md}");
    }
    assert!(text.contains("target calendar (CALENDAR01): modified"), "{text}");
    assert!(
        md.contains(
            "+ targets.calendar.targetConfiguration.mcp.mcpServer.endpoint: \"https://calendar.example.com/mcp\""
        ),
        "{md}"
    );
    assert!(
        md.contains("- targets.calendar.targetConfiguration.mcp.mcpServer.endpoint: \"https://old.example.com/mcp\""),
        "{md}"
    );
    assert!(md.contains("+ target docs  # missing"), "{md}");
    assert!(md.contains("- target stray (STRAY00001)  # not declared"), "{md}");
    assert!(!md.contains("```diff\n```"), "no empty diff block: {md}");
}

#[test]
fn secrets_are_masked_in_every_drift_rendering_json_included() {
    let plan = fixture::parts_plan();
    let report = plan.drift_report();
    for out in [
        json::drift(&report),
        markdown::drift(&report),
        text::drift(&report, false),
        markdown::plan(&plan),
        text::plan(&plan, false),
    ] {
        assert!(!out.contains(fixture::SPEC_SECRET) && !out.contains(fixture::LIVE_SECRET), "{out}");
        assert!(out.contains("(sensitive)"), "{out}");
    }
    // The saved plan is the one place they stay: `apply PLANFILE` sends them.
    assert!(json::plan(&plan).contains(fixture::SPEC_SECRET));
}

/// A name as a hostile service could send it: terminal escapes, a line break, Markdown and HTML.
const HOSTILE: &str = "evil|`x`<script>alert(1)</script>*b*_i_[x](https://e.example)&amp;\x1b[2J\r\n```\n# H\u{202e}";

/// The parts fixture with the gateway, the undeclared target and an unmanaged gateway renamed
/// [`HOSTILE`] (as if listed from the service).
fn hostile_plan() -> crate::plan::Plan {
    let mut plan = fixture::parts_plan();
    let g = &mut plan.gateways[0];
    g.name = HOSTILE.into();
    for t in g.targets.iter_mut().flatten().filter(|t| t.key.name == "stray") {
        t.key.name = HOSTILE.into();
    }
    let mut unmanaged = fixture::plan().unmanaged;
    unmanaged[0].name = HOSTILE.into();
    plan.unmanaged = unmanaged;
    plan
}

#[test]
fn hostile_names_are_escaped_for_markdown_and_the_terminal() {
    let plan = hostile_plan();
    let outputs = [
        ("plan markdown", markdown::plan(&plan)),
        ("drift markdown", markdown::drift(&plan.drift_report())),
        ("plan text", text::plan(&plan, false)),
        ("drift text", text::drift(&plan.drift_report(), false)),
    ];
    for (what, out) in &outputs {
        for raw in ['\x1b', '\r', '\u{202e}'] {
            assert!(!out.contains(raw), "{what} prints {raw:?} raw: {out}");
        }
        assert!(!out.lines().any(|l| l.starts_with("# H")), "{what} lets a name start a line: {out}");
    }
    for (what, md) in &outputs[..2] {
        // In a table: one code span, no cell break, no backtick to end it early.
        assert!(
            md.contains(r"| `evil\|'x'<script>alert(1)</script>*b*_i_[x](https://e.example)&amp;\u{1b}[2J\u{d}\u{a}'''\u{a}# H\u{202e}` |"),
            "{what}: {md}"
        );
        // In HTML (<summary>): character references only.
        assert!(md.contains("<code>evil&#124;&#96;x&#96;&lt;script&gt;alert(1)&lt;/script&gt;&#42;b&#42;&#95;i&#95;&#91;x&#93;(https://e.example)&amp;amp;&#92;u{1b}&#91;2J"), "{what}: {md}");
        // Raw markup only where Markdown shows it as text: in a code span or a diff block.
        assert!(
            md.lines()
                .filter(|l| l.contains("<script>"))
                .all(|l| l.starts_with("| `evil") || l.starts_with("- target evil")),
            "{what}: {md}"
        );
        // Every fence opened is closed: no name ends a diff block early.
        let fences: Vec<&str> = md.lines().filter(|l| l.starts_with("```")).collect();
        assert_eq!(fences.len() % 2, 0, "{what}: {md}");
        assert!(fences.chunks(2).all(|pair| pair[0].trim_end_matches("diff") == pair[1]), "{what}: {md}");
    }
    insta::assert_snapshot!("hostile_plan_markdown", outputs[0].1);
}

#[test]
fn markdown_escapers_neutralize_markup() {
    use super::markdown::{cell, code, fenced, html};
    assert_eq!(code("a|b`c\x1b"), r"`a\|b'c\u{1b}`");
    assert_eq!(cell("a|b *c* [x](y) <i>&amp; ~d~ \\"), r"a\|b \*c\* \[x\](y) \<i\>\&amp; \~d\~ \\");
    assert_eq!(
        html("<b>\"x\" & 'y' `z` |*_[]~\\"),
        "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39; &#96;z&#96; &#124;&#42;&#95;&#91;&#93;&#126;&#92;"
    );
    assert_eq!(fenced("+ a: \"````\"\n"), "`````diff\n+ a: \"````\"\n`````\n");
    assert_eq!(fenced("- x\n"), "```diff\n- x\n```\n");
    assert_eq!(clean("a\u{202e}b\u{2066}c\nd\te"), "a\\u{202e}b\\u{2066}c\\u{a}d\te");
    assert_eq!(clean_lines("a\x1b\nb\rc"), "a\\u{1b}\nb\\u{d}c");
}

#[test]
fn plan_with_providers_text_snapshot() {
    insta::assert_snapshot!("plan_providers_text", text::plan(&fixture::providers_plan(true), false));
}

#[test]
fn plan_with_providers_markdown_snapshot() {
    insta::assert_snapshot!("plan_providers_markdown", markdown::plan(&fixture::providers_plan(true)));
}

#[test]
fn drift_with_providers_text_snapshot() {
    insta::assert_snapshot!("drift_providers_text", text::drift(&fixture::providers_plan(false).drift_report(), false));
}

#[test]
fn drift_with_providers_markdown_snapshot() {
    insta::assert_snapshot!(
        "drift_providers_markdown",
        markdown::drift(&fixture::providers_plan(false).drift_report())
    );
}

#[test]
fn a_plan_names_each_secret_it_sends_by_its_variable_never_its_value() {
    let plan = fixture::providers_plan(true);
    let report = fixture::providers_plan(false).drift_report();
    let outputs = [
        ("plan text", text::plan(&plan, false)),
        ("plan text in color", text::plan(&plan, true)),
        ("plan markdown", markdown::plan(&plan)),
        ("plan json", json::plan(&plan)),
        ("drift text", text::drift(&report, false)),
        ("drift markdown", markdown::drift(&report)),
        ("drift json", json::drift(&report)),
    ];
    for (what, out) in &outputs {
        for (var, value) in fixture::PROVIDER_SECRETS {
            assert!(!out.contains(value), "{what} shows the value of {var}: {out}");
        }
    }
    let text = &outputs[0].1;
    assert!(text.contains("    * sends its apiKey from ${WEATHER_API_KEY} (create)\n"), "{text}");
    assert!(text.contains("    * sends its apiKey from ${MAPS_API_KEY} (secretVersion changed)\n"), "{text}");
    assert!(
        text.contains("* sends its oauth2ProviderConfigInput.githubOauth2ProviderConfig.clientSecret from ${GITHUB_CLIENT_SECRET} (create)"),
        "{text}"
    );
    let md = &outputs[2].1;
    assert!(
        md.contains(
            "| `weather` | API key | create | 1 field, 1 tag; sends `apiKey` from `${WEATHER_API_KEY}` (create) |"
        ),
        "{md}"
    );
    // A provider that sends nothing says nothing of secrets.
    let slack = text.lines().skip_while(|l| !l.starts_with("~ update OAuth2 credential provider slack")).take(5);
    assert!(slack.take_while(|l| !l.is_empty()).all(|l| !l.contains("sends")), "{text}");
}

#[test]
fn providers_come_before_gateways_with_their_actions_kinds_and_reasons() {
    let text = text::plan(&fixture::providers_plan(true), false);
    assert!(!text.contains('\x1b'), "no color asked, none given: {text}");
    let first_provider = text.find("+ create OAuth2 credential provider github\n").expect("github");
    let first_gateway = text.find("+ billing will be created").expect("billing");
    assert!(first_provider < first_gateway, "{text}");
    assert!(text.contains("+ create API-key credential provider weather\n"), "{text}");
    assert!(
        text.contains("- delete OAuth2 credential provider old-github (arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/old-github): owned by platform, no longer in the specs\n"),
        "{text}"
    );
    assert!(text.contains("    ~ oauth2.oauth2ProviderConfigInput.slackOauth2ProviderConfig.clientId: \"slack-old\" → \"slack-new\"\n"), "{text}");
    assert!(text.contains("        ~ team: \"chat\" → \"support\"\n"), "{text}");
    assert!(!text.contains("search-key"), "a no-op provider is not listed: {text}");
    assert!(
        text.contains("could not be planned: not pruned: credential provider held-key is still named by target crm of gateway orders\n"),
        "{text}"
    );
    assert!(text.contains("! credential provider denied could not be planned: GetOauth2CredentialProvider for credential provider denied failed: access denied"), "{text}");
    assert!(
        text.contains("Plan: 1 to create, 2 to update, 1 to replace, 1 unchanged. Credential providers: 2 to create, 2 to update, 1 to delete, 1 unchanged. 2 credential providers could not be planned.\n"),
        "{text}"
    );
    assert!(
        text.contains("Unmanaged credential providers (1; in no spec, never touched):\n  legacy-okta  OAuth2 "),
        "{text}"
    );

    // Without --prune the owned ones are listed as orphaned, not deleted.
    let text = text::plan(&fixture::providers_plan(false), false);
    assert!(!text.contains("- delete"), "{text}");
    assert!(text.contains("Orphaned credential providers (2; owned by this owner, in no spec; `--prune` deletes them):\n  - held-key    API key  arn:"), "{text}");
    assert!(text.contains("\n  - old-github  OAuth2   arn:"), "{text}");
    let md = markdown::plan(&fixture::providers_plan(false));
    assert!(md.contains("**Orphaned credential providers: 2**"), "{md}");
    assert!(md.contains("| `old-github` | OAuth2 | `arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/old-github` |"), "{md}");
}

#[test]
fn no_changes_is_said_only_when_neither_gateways_nor_providers_change() {
    let unchanged = |mut plan: crate::plan::Plan| {
        plan.gateways.retain(|g| !g.is_change());
        crate::plan::Plan::assemble(plan.target, plan.gateways, Vec::new(), Vec::new())
            .with_providers(plan.credential_providers)
    };
    // Gateways unchanged, providers changing: a plan, not "No changes".
    let plan = unchanged(fixture::providers_plan(true));
    assert!(plan.has_changes());
    let out = text::plan(&plan, false);
    assert!(!out.contains("No changes"), "{out}");
    assert!(out.contains("Plan: 0 to create, 0 to update, 0 to replace, 1 unchanged. Credential providers: 2 to create, 2 to update, 1 to delete, 1 unchanged."), "{out}");
    assert!(!markdown::plan(&plan).contains("No changes"));
    let drift = text::drift(&plan.drift_report(), false);
    assert!(!drift.contains("No drift"), "{drift}");
    assert!(drift.contains("Drift: 0 modified, 0 missing, 1 in sync; credential providers: 2 modified, 2 missing, 1 orphaned, 1 in sync; 2 credential providers could not be checked."), "{drift}");

    // Neither changes: said of both.
    let mut providers = plan.credential_providers.clone().expect("providers");
    providers.providers.retain(|p| !p.is_change());
    providers.failed.clear();
    let providers =
        crate::plan::ProvidersPlan::assemble(providers.providers, providers.unmanaged, Vec::new(), Vec::new());
    let plan = plan.with_providers(Some(providers));
    assert!(!plan.has_changes());
    let out = text::plan(&plan, false);
    assert!(out.starts_with("No changes. Gateways and credential providers match the specs.\n"), "{out}");
    assert!(markdown::plan(&plan).contains("**No changes. Gateways and credential providers match the specs.**"));
    assert!(text::drift(&plan.drift_report(), false)
        .contains("No drift. Gateways and credential providers match the specs."));

    // Read but empty (a --prune run that found none): a gateways-only plan's words.
    let plan = plan.with_providers(Some(crate::plan::ProvidersPlan::default()));
    assert_eq!(text::plan(&plan, false), "No changes. Gateways match the specs.\n");
}

/// The providers fixture with every service-controlled string of its providers [`HOSTILE`]: a
/// created provider's name, a pruned one's owner tag, a failed one's name and error, an
/// unmanaged and an orphaned one's name and ARN.
fn hostile_providers_plan() -> crate::plan::Plan {
    let mut plan = fixture::providers_plan(true);
    let p = plan.credential_providers.as_mut().expect("providers");
    for provider in &mut p.providers {
        match provider.name.as_str() {
            "github" => provider.name = HOSTILE.into(),
            "old-github" => {
                let o = provider.observed.as_mut().expect("observed");
                o.tags.insert(crate::model::OWNER_TAG.into(), HOSTILE.into());
                o.arn = HOSTILE.into();
            }
            "slack" => provider.tag_changes[0].key = HOSTILE.into(),
            _ => {}
        }
    }
    p.failed[0].name = HOSTILE.into();
    p.failed[0].error = HOSTILE.into();
    p.unmanaged[0].name = HOSTILE.into();
    p.unmanaged[0].arn = HOSTILE.into();
    p.orphaned = p.unmanaged.clone();
    plan
}

#[test]
fn hostile_provider_names_are_escaped_for_markdown_and_the_terminal() {
    let plan = hostile_providers_plan();
    let outputs = [
        ("plan markdown", markdown::plan(&plan)),
        ("drift markdown", markdown::drift(&plan.drift_report())),
        ("plan text", text::plan(&plan, false)),
        ("plan text in color", text::plan(&plan, true)),
        ("drift text", text::drift(&plan.drift_report(), false)),
    ];
    for (what, out) in &outputs {
        for raw in ['\r', '\u{202e}'] {
            assert!(!out.contains(raw), "{what} prints {raw:?} raw: {out}");
        }
        // The only escapes are acgw's own colors.
        assert!(!out.contains("\x1b[2J"), "{what}: {out}");
        assert!(!out.lines().any(|l| l.starts_with("# H")), "{what} lets a name start a line: {out}");
        assert!(out.contains(r"\u{1b}[2J"), "{what} shows the escape as text: {out}");
    }
    let text = &outputs[2].1;
    assert!(text.contains(r"+ create OAuth2 credential provider evil|`x`<script>alert(1)</script>*b*_i_[x](https://e.example)&amp;\u{1b}[2J\u{d}\u{a}```\u{a}# H\u{202e}"), "{text}");
    assert!(text.contains(r": owned by evil|`x`"), "{text}");
    for (what, md) in &outputs[..2] {
        assert!(
            md.contains(r"| `evil\|'x'<script>alert(1)</script>*b*_i_[x](https://e.example)&amp;\u{1b}[2J\u{d}\u{a}'''\u{a}# H\u{202e}` |"),
            "{what}: {md}"
        );
        // Markup only where Markdown shows it as text: table cells (code spans, or escaped)
        // and diff blocks.
        let mut in_fence = false;
        for line in md.lines() {
            if line.starts_with("```") {
                in_fence = !in_fence;
                continue;
            }
            if line.contains("<script>") {
                assert!(in_fence || line.starts_with("| "), "{what}: raw markup in {line:?}: {md}");
            }
        }
        assert!(!in_fence, "{what}: a fence left open: {md}");
    }
    let md = &outputs[0].1;
    assert!(md.contains("<code>evil&#124;&#96;x&#96;&lt;script&gt;"), "{md}");
    // The failed provider's error, in a cell: escaped, not a code span.
    assert!(
        md.contains(r"| evil\|\`x\`\<script\>alert(1)\</script\>\*b\*\_i\_\[x\](https://e.example)\&amp;\\u{1b}\[2J"),
        "{md}"
    );
    insta::assert_snapshot!("hostile_providers_markdown", md);
}
