//! Observing credential providers from the commands: no call for them unless a spec declares one
//! or `--prune` may delete one, and the scan of every target only when one is owned.

use super::*;

/// The calls made by `acgw plan` with `args`, per operation.
fn plan_calls(emu: &Env, args: &[&str]) -> BTreeMap<String, u64> {
    let before = emu.stats();
    let run = emu.acgw().args(["plan"]).args(args).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    let after = emu.stats();
    after.iter().map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0))).filter(|(_, n)| *n > 0).collect()
}

#[test]
fn providers_are_read_only_with_prune_and_their_holders_only_when_one_is_owned() {
    let emu = Env::new();
    emu.write("gateways.yaml", &format!("owner: team-a\ngateways:\n{}", gw("keep", "")));
    let run = emu.acgw().args(["apply", "--auto-approve"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");

    let calls = plan_calls(&emu, &[]);
    assert!(!calls.keys().any(|op| op.contains("CredentialProvider")), "no provider call without --prune: {calls:?}");

    // --prune with no provider live: both Lists, and no scan of the targets.
    let calls = plan_calls(&emu, &["--prune"]);
    assert_eq!(calls.get("ListOauth2CredentialProviders"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("ListApiKeyCredentialProviders"), Some(&1), "{calls:?}");
    assert_eq!((calls.get("ListGateways"), calls.get("ListGatewayTargets")), (Some(&1), None), "{calls:?}");

    emu.rt.block_on(async {
        for (name, owner) in [("old-key", "team-a"), ("their-key", "team-b")] {
            let created = emu
                .client()
                .create_api_key_credential_provider()
                .name(name)
                .api_key("not-a-real-key")
                .tags("acgw:owner", owner)
                .send()
                .await;
            created.expect("create provider");
        }
    });
    // One ListTagsForResource per provider in no spec (and one for the gateway), never a Get;
    // one is owned, so every gateway's targets are read to find what still names it.
    let calls = plan_calls(&emu, &["--prune"]);
    assert_eq!(calls.get("ListTagsForResource"), Some(&3), "{calls:?}");
    assert!(!calls.keys().any(|op| op.starts_with("Get") && op.contains("CredentialProvider")), "{calls:?}");
    assert_eq!((calls.get("ListGateways"), calls.get("ListGatewayTargets")), (Some(&2), Some(&1)), "{calls:?}");

    // Without --prune, owned providers cost nothing.
    let calls = plan_calls(&emu, &[]);
    assert!(!calls.keys().any(|op| op.contains("CredentialProvider")), "{calls:?}");
}
