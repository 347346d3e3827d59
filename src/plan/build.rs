//! Building a plan: desired gateways against observed ones, gateway by gateway and part by
//! part; deletes for prune and destroy; a saved plan's staleness against the live gateway.

use super::*;

/// Builds the plan: one action per desired gateway, sorted by name, plus the unmanaged ones, the
/// owned ones in no spec (orphaned) and the ones that could not be planned.
pub fn build(desired: &Desired, observed: &Observed) -> Plan {
    build_with(desired, observed, false)
}

/// [`build`], and with `prune` a deletion for every owned gateway in no spec (see
/// [`crate::observe::find_owned`]), except a protected one, which is a failure that says how to
/// lift the protection.
pub fn build_with(desired: &Desired, observed: &Observed, prune: bool) -> Plan {
    let provider_arn = |name: &str| observed.providers.managed.get(name).map(|p| p.live.arn().to_string());
    let mut gateways = Vec::new();
    let mut failed: Vec<FailedGateway> = observed
        .failed
        .iter()
        .filter(|(name, _)| desired.get(name).is_none())
        .map(|(n, e)| FailedGateway::from_observe(n, e))
        .collect();
    for spec in &desired.specs {
        let name = spec.gateway.name.as_str();
        if let Some(error) = observed.failed.get(name) {
            failed.push(FailedGateway::from_observe(name, error));
            continue;
        }
        let live = observed.managed.get(name);
        match plan_one(&spec.managed(desired.owner.as_ref()), live) {
            Ok(mut plan) => {
                if let Some(desired_policy) = &spec.resource_policy {
                    // A new or replacing gateway has no policy yet.
                    let live_policy = match plan.action {
                        Action::Create | Action::Replace => None,
                        _ => live.and_then(|l| l.resource_policy.clone()).flatten(),
                    };
                    let policy_plan = plan_policy(desired_policy.as_ref(), live_policy.as_ref());
                    if plan.action == Action::NoOp && policy_plan.action != Action::NoOp {
                        plan.action = Action::Update;
                    }
                    plan.resource_policy = Some(policy_plan);
                }
                let region = live.and_then(|l| normalize::arn_region(&l.live.gateway_arn));
                // Each declared part is planned; only a rule at a system rule's priority fails.
                let items = (|| {
                    if let Some(declared) = &spec.targets {
                        let live = live.and_then(|l| l.targets.as_deref());
                        // A provider's name stands for its ARN once it exists; one to be created
                        // shows as its name until apply creates it.
                        let resolved: Vec<GatewayTarget> =
                            declared.iter().map(|t| t.resolve_provider_refs(&provider_arn)).collect();
                        plan.targets = Some(plan_part::<TargetKind>(&mut plan, &resolved, live, region)?);
                    }
                    if let Some(declared) = &spec.rate_limits {
                        let live = live.and_then(|l| l.rate_limits.as_deref());
                        plan.rate_limits = Some(plan_part::<RateLimitKind>(&mut plan, declared, live, region)?);
                    }
                    if let Some(declared) = &spec.rules {
                        let live = live.and_then(|l| l.rules.as_deref());
                        plan.rules = Some(plan_part::<RuleKind>(&mut plan, declared, live, region)?);
                    }
                    Ok::<_, String>(())
                })();
                match items {
                    Ok(()) => gateways.push(plan),
                    Err(error) => failed.push(FailedGateway {
                        name: name.to_string(),
                        gateway_id: live.map(|l| l.live.gateway_id.clone()),
                        error,
                    }),
                }
            }
            Err(f) => failed.push(f),
        }
    }
    let mut orphaned = Vec::new();
    for owned in &observed.owned {
        let fingerprint = Fingerprint::of_owned(owned);
        if !prune {
            orphaned.push(Unmanaged::from(&owned.summary));
        } else if let Some(protection) = fingerprint.protection() {
            failed.push(FailedGateway {
                name: owned.summary.name.clone(),
                gateway_id: Some(fingerprint.gateway_id.clone()),
                error: format!("not pruned: {}", protection_message(&owned.summary.name, &protection)),
            });
        } else {
            gateways.push(delete_plan(&owned.summary.name, fingerprint, DeleteReason::Pruned));
        }
    }
    gateways.sort_by(|a, b| a.name.cmp(&b.name));
    failed.sort();
    let mut unmanaged: Vec<Unmanaged> = observed.unmanaged.iter().map(Unmanaged::from).collect();
    unmanaged.sort();
    let deleted: BTreeSet<String> =
        gateways.iter().filter(|g| g.action == Action::Delete).map(|g| g.name.clone()).collect();
    Plan::assemble(Target::default(), gateways, unmanaged, failed)
        .with_orphaned(orphaned)
        .with_providers(plan_providers(desired, &observed.providers, prune, &deleted))
}

/// Plans the items of kind `K` a gateway's spec declares, against `live` (what observe read), and
/// makes an unchanged gateway an update when any of them changes. A new or replacing gateway has
/// none yet: they are created on it.
fn plan_part<K: ItemKind>(
    plan: &mut GatewayPlan,
    declared: &[K::Desired],
    live: Option<&[K::Live]>,
    region: Option<&str>,
) -> Result<Vec<ItemPlan<K>>, String> {
    let live = match plan.action {
        Action::Create | Action::Replace => None,
        _ => live,
    };
    let plans = plan_items::<K>(declared, live, region)?;
    if plan.action == Action::NoOp && plans.iter().any(ItemPlan::is_change) {
        plan.action = Action::Update;
    }
    Ok(plans)
}

/// The deletion of a live gateway (its targets first).
pub fn delete_plan(name: &str, observed: Fingerprint, reason: DeleteReason) -> GatewayPlan {
    GatewayPlan {
        reason: Some(reason),
        observed: Some(observed),
        ..GatewayPlan::bare(name.to_string(), Action::Delete)
    }
}

/// The plan of `acgw destroy`: the deletion of every live gateway the specs name, each with its
/// `targets`. A gateway not owned by `desired.owner` (unless `take_ownership`) or protected by
/// `lifecycle.preventDestroy` is a failure that says why; one already gone is left out.
pub fn destroy(
    desired: &Desired,
    observed: &Observed,
    targets: &BTreeMap<String, Result<Vec<TargetSummary>, ObserveError>>,
    take_ownership: bool,
) -> Plan {
    let mut gateways = Vec::new();
    let mut failed = Vec::new();
    for spec in &desired.specs {
        let name = spec.gateway.name.as_str();
        if let Some(error) = observed.failed.get(name) {
            failed.push(FailedGateway::from_observe(name, error));
            continue;
        }
        let Some(live) = observed.managed.get(name) else { continue };
        let mut fingerprint = Fingerprint::of(live);
        let refuse = |error: String| FailedGateway {
            name: name.to_string(),
            gateway_id: Some(fingerprint.gateway_id.clone()),
            error,
        };
        let owner = desired.owner.as_ref().map(|o| o.as_str());
        if let Some(error) = destroy_refusal(fingerprint.owner(), owner, take_ownership) {
            failed.push(refuse(error));
            continue;
        }
        if let Some(protection) = Protection::of(spec.prevent_destroy, &fingerprint) {
            failed.push(refuse(format!("not destroyed: {}", protection_message(name, &protection))));
            continue;
        }
        match targets.get(&fingerprint.gateway_id) {
            Some(Ok(list)) => fingerprint.targets = Some(list.clone()),
            Some(Err(error)) => {
                failed.push(FailedGateway::from_observe(name, error));
                continue;
            }
            None => fingerprint.targets = Some(Vec::new()),
        }
        gateways.push(delete_plan(name, fingerprint, DeleteReason::Destroyed));
    }
    gateways.sort_by(|a, b| a.name.cmp(&b.name));
    failed.sort();
    Plan::assemble(Target::default(), gateways, Vec::new(), failed)
}

/// Why `destroy` may not delete a resource whose tags name `have` as its owner, when this run's
/// owner is `want`; `None` when it may (the owners match, or `take_ownership`).
pub fn destroy_refusal(have: Option<&str>, want: Option<&str>, take_ownership: bool) -> Option<String> {
    match (have, want) {
        _ if take_ownership => None,
        (Some(have), Some(want)) if have == want => None,
        (Some(have), Some(want)) => Some(format!("not destroyed: it is owned by `{have}`, not `{want}` (--take-ownership destroys it anyway)")),
        (None, Some(want)) => Some(format!("not destroyed: it has no {OWNER_TAG} tag, so `{want}` cannot prove it made it (--take-ownership destroys it anyway)")),
        (_, None) => Some("not destroyed: without an owner (`owner:` in the specs, or --owner) acgw cannot prove it made it (--take-ownership destroys it anyway)".to_string()),
    }
}

/// Plans one gateway against what observe found of it (`None`: it does not exist). A live
/// configuration this build cannot represent is a failure: updating it would silently drop
/// what could not be read.
pub fn plan_one(desired: &Gateway, live: Option<&LiveState>) -> Result<GatewayPlan, FailedGateway> {
    let desired_tags = normalize::gateway_tags(desired);
    let name = desired.name.as_str().to_string();
    let Some(live) = live else {
        return Ok(GatewayPlan {
            changes: diff::creation(desired),
            tag_changes: diff::tags(&TagMap::new(), &desired_tags),
            desired: Some(desired.clone()),
            ..GatewayPlan::bare(name, Action::Create)
        });
    };
    let fingerprint = Fingerprint::of(live);
    let have = match &live.live.config {
        Ok(config) => normalize::gateway(config.clone()),
        Err(unreadable) => {
            return Err(FailedGateway {
                name,
                gateway_id: Some(live.live.gateway_id.clone()),
                error: format!("GetGateway answered {unreadable}"),
            })
        }
    };
    let want = normalize::gateway(desired.clone());
    let changes = diff::gateways(&have, &want);
    let tag_changes = diff::tags(&normalize::comparable_tags(&fingerprint.tags, &desired_tags), &desired_tags);
    let mut forced_by: Vec<String> =
        changes.iter().filter(|c| FORCES_REPLACEMENT.contains(&c.path.as_str())).map(|c| c.path.clone()).collect();
    // A gateway whose create failed is replaced, like a Terraform resource that is tainted; one
    // whose last update did not succeed gets its configuration sent again, even if it matches.
    if fingerprint.status == GatewayStatus::Failed {
        forced_by.push(FORCED_BY_FAILED.to_string());
    }
    let retry_update = fingerprint.status == GatewayStatus::UpdateUnsuccessful;
    let action = if !forced_by.is_empty() {
        Action::Replace
    } else if !changes.is_empty() || !tag_changes.is_empty() || retry_update {
        Action::Update
    } else {
        Action::NoOp
    };
    Ok(GatewayPlan {
        update_gateway: action == Action::Update && (!changes.is_empty() || retry_update),
        forced_by,
        changes,
        tag_changes,
        observed: Some(fingerprint),
        desired: Some(desired.clone()),
        ..GatewayPlan::bare(name, action)
    })
}

/// What moved between the fingerprint in a saved plan and a fresh read of the same gateway
/// (with its targets when the plan deletes it); empty when the plan still holds. `now` is
/// `None` when no live gateway has that name.
pub fn staleness(planned: &GatewayPlan, now: Option<Fingerprint>) -> Vec<String> {
    match (&planned.observed, now) {
        (None, None) => Vec::new(),
        (None, Some(n)) => vec![format!("it now exists (gatewayId {})", n.gateway_id)],
        (Some(p), None) => vec![format!("it no longer exists (was gatewayId {})", p.gateway_id)],
        (Some(p), Some(n)) => {
            let mut moved = Vec::new();
            if p.gateway_id != n.gateway_id {
                moved.push(format!("gatewayId moved from {} to {}", p.gateway_id, n.gateway_id));
            }
            if p.updated_at != n.updated_at {
                moved.push(format!("updatedAt moved from {} to {}", p.updated_at, n.updated_at));
            }
            if p.status != n.status {
                moved.push(format!("status moved from {} to {}", p.status, n.status));
            }
            let tags = diff::tags(&p.tags, &n.tags);
            if !tags.is_empty() {
                let keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
                moved.push(format!("tags changed ({})", keys.join(", ")));
            }
            if let (Some(before), Some(after)) = (&p.targets, &n.targets) {
                let ids = |l: &[TargetSummary]| l.iter().map(|t| t.target_id.clone()).collect::<BTreeSet<_>>();
                let gained: Vec<String> = ids(after).difference(&ids(before)).cloned().collect();
                if !gained.is_empty() {
                    moved.push(format!("it gained targets ({})", gained.join(", ")));
                }
            }
            moved
        }
    }
}
