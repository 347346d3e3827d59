//! Credential providers in a plan: one action per declared provider (create, update, no-op), the
//! deletion of owned ones (`--prune`, `destroy`) unless a live target still names them, a saved
//! plan's staleness, and their drift.
//!
//! A provider is compared through [`credential_provider::desired_view`] and `live_view`, which
//! hold only what the service reads back. A secret passed by value is never compared (it cannot
//! be read) and never written: a plan records which `${VAR}` it is sent from and why
//! ([`SentSecret`]), and `apply PLANFILE` reads the variable again.

use super::*;

use crate::kind::credential_provider;
use crate::load::ProviderSpec;
use crate::model::credential_provider::{CredentialProviderSpec, ProviderKind, ProviderSummary, SECRET_VERSION_TAG};
use crate::observed::{Holder, LiveProviderState, ObservedProviders};

/// The plan for one credential provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderPlan {
    pub name: String,
    /// `oauth2` or `apiKey`.
    pub kind: ProviderKind,
    /// `create`, `update`, `delete` or `no-op` (a provider is never replaced: every member but
    /// its name changes in place, and a new name is a new provider).
    pub action: Action,
    /// For `update`: true when an Update call is needed (a full update), false when only tags
    /// change.
    pub update_provider: bool,
    /// Field changes, observed → desired, at the spec's paths (for `create`: every field set).
    pub changes: Vec<Change>,
    /// Tag changes, observed → desired (part of the Create call on create).
    pub tag_changes: Vec<TagChange>,
    /// The secret this action sends by value, when it sends one: where it is read from, never
    /// the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sends_secret: Option<SentSecret>,
    /// What was observed; `null` for `create`.
    pub observed: Option<ProviderFingerprint>,
    /// The complete desired provider as the specs declare it, tags included (acgw's own too);
    /// a secret by value appears as its `${VAR}`; `null` for `delete`.
    pub desired: Option<serde_json::Value>,
    /// For `delete`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<DeleteReason>,
}

/// A secret a plan sends by value: the member, the `${VAR}` it is read from, and why it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SentSecret {
    /// The member that carries it: `apiKey`, `oauth2ProviderConfigInput.<vendor>.clientSecret`.
    pub member: String,
    /// The environment variable it is read from, as the spec wrote it: `${WEATHER_API_KEY}`.
    pub from: String,
    /// Why it is sent: `create`, `secretVersion`, `update` (a full update carries it again).
    pub because: String,
}

/// What was observed of a live provider; `apply PLANFILE` refuses when any of it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderFingerprint {
    pub arn: String,
    /// The user-visible tags (`aws:` keys dropped; acgw's own kept).
    pub tags: TagMap,
    /// SHA-256 of the live provider's compared view.
    pub digest: String,
    /// For `delete`: the live targets that named it when planned (a deletion is planned only
    /// when none does; apply checks again just before it deletes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<Vec<Holder>>,
}

impl ProviderFingerprint {
    /// The fingerprint of a live provider as observe read it.
    pub fn of(live: &LiveProviderState) -> Self {
        ProviderFingerprint {
            arn: live.live.arn().to_string(),
            tags: normalize::tag_map(&live.tags),
            digest: digest(&credential_provider::live_view(&live.live)),
            held_by: None,
        }
    }

    /// The owner the provider's tags name.
    pub fn owner(&self) -> Option<&str> {
        self.tags.get(OWNER_TAG).map(String::as_str)
    }
}

fn digest(value: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(value.to_string().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A live provider that no spec names (or of the other kind than the spec's); listed, never
/// touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnmanagedProvider {
    pub name: String,
    pub kind: ProviderKind,
    pub arn: String,
}

impl From<&ProviderSummary> for UnmanagedProvider {
    fn from(s: &ProviderSummary) -> Self {
        UnmanagedProvider { name: s.name.clone(), kind: s.kind, arn: s.arn.clone() }
    }
}

/// A provider the specs name (or `--prune` would delete) that could not be planned; never
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailedProvider {
    pub name: String,
    /// `oauth2` or `apiKey`; `null` when the failure does not say (a tag read of a provider in
    /// no spec).
    pub kind: Option<ProviderKind>,
    /// The live provider, when there is one.
    pub arn: Option<String>,
    /// What went wrong.
    pub error: String,
}

/// Counts per action of providers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderCounts {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub no_op: usize,
    pub unmanaged: usize,
    pub failed: usize,
    pub orphaned: usize,
}

/// The credential providers of a plan (present when providers were read: a spec declares one,
/// or `--prune` may delete owned ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvidersPlan {
    pub summary: ProviderCounts,
    /// Sorted by name.
    pub providers: Vec<ProviderPlan>,
    /// Sorted by name, then kind.
    pub unmanaged: Vec<UnmanagedProvider>,
    /// Sorted by name.
    pub failed: Vec<FailedProvider>,
    /// Owned providers in no spec, not deleted because `--prune` was not given; sorted by name.
    pub orphaned: Vec<UnmanagedProvider>,
}

impl ProvidersPlan {
    /// A plan of these parts, with the counts.
    pub fn assemble(
        mut providers: Vec<ProviderPlan>,
        mut unmanaged: Vec<UnmanagedProvider>,
        mut failed: Vec<FailedProvider>,
        mut orphaned: Vec<UnmanagedProvider>,
    ) -> ProvidersPlan {
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        unmanaged.sort();
        failed.sort();
        orphaned.sort();
        let n = |a: Action| providers.iter().filter(|p| p.action == a).count();
        ProvidersPlan {
            summary: ProviderCounts {
                create: n(Action::Create),
                update: n(Action::Update),
                delete: n(Action::Delete),
                no_op: n(Action::NoOp),
                unmanaged: unmanaged.len(),
                failed: failed.len(),
                orphaned: orphaned.len(),
            },
            providers,
            unmanaged,
            failed,
            orphaned,
        }
    }

    /// True when any provider is to be created, updated or deleted.
    pub fn has_changes(&self) -> bool {
        self.providers.iter().any(|p| p.action != Action::NoOp)
    }

    /// The plan of the provider named `name`.
    pub fn get(&self, name: &str) -> Option<&ProviderPlan> {
        self.providers.iter().find(|p| p.name == name)
    }
}

impl ProviderPlan {
    /// True unless the action is `no-op`.
    pub fn is_change(&self) -> bool {
        self.action != Action::NoOp
    }

    /// The desired provider, checked like a spec (`None` for `delete`).
    pub fn desired_spec(&self) -> Result<Option<CredentialProviderSpec>, PlanFileError> {
        match &self.desired {
            Some(value) => decode_provider(&self.name, value).map(Some),
            None => Ok(None),
        }
    }
}

/// A provider's desired configuration from a plan, checked like a spec. A secret by value is
/// then its `${VAR}` text: see [`CredentialProviderSpec::reread_secret`].
pub fn decode_provider(name: &str, value: &serde_json::Value) -> Result<CredentialProviderSpec, PlanFileError> {
    saved::decode_saved(name, &format!("plan file: credentialProviders[{name}].desired"), value, |_, _| {})
}

/// The desired provider's JSON in a plan: acgw's own tags merged into its `tags`.
fn desired_json(spec: &ProviderSpec, tags: &TagMap) -> serde_json::Value {
    let mut value = serde_json::to_value(&spec.provider).unwrap_or(serde_json::Value::Null);
    if let Some(inner) = value.get_mut(spec.provider.kind().key()).and_then(|v| v.as_object_mut()) {
        if tags.is_empty() {
            inner.remove("tags");
        } else {
            inner.insert("tags".into(), serde_json::to_value(tags).unwrap_or_default());
        }
    }
    value
}

/// Plans the providers `desired` declares against what observe read, and (with `prune`) deletes
/// the owned ones in no spec that no target will name once the gateway work is done (the
/// gateways in `deleted_gateways` go first); `None` when providers were not read.
pub fn plan_providers(
    desired: &Desired,
    observed: &ObservedProviders,
    prune: bool,
    deleted_gateways: &BTreeSet<String>,
) -> Option<ProvidersPlan> {
    if !observed.read {
        return None;
    }
    let mut plans = Vec::new();
    let mut failed: Vec<FailedProvider> = observed
        .failed
        .iter()
        .filter(|(name, _)| desired.provider(name).is_none())
        .map(|(name, e)| FailedProvider {
            name: name.clone(),
            kind: kind_of_failure(name, e),
            arn: None,
            error: e.to_string(),
        })
        .collect();
    for spec in &desired.providers {
        let name = spec.name();
        if let Some(error) = observed.failed.get(name) {
            let kind = Some(spec.provider.kind());
            failed.push(FailedProvider { name: name.to_string(), kind, arn: None, error: error.to_string() });
            continue;
        }
        plans.push(plan_provider(spec, desired.owner.as_ref(), observed.managed.get(name)));
    }
    let mut orphaned = Vec::new();
    for owned in &observed.owned {
        let fingerprint = ProviderFingerprint {
            arn: owned.summary.arn.clone(),
            tags: normalize::tag_map(&owned.tags),
            digest: String::new(),
            held_by: None,
        };
        if !prune {
            orphaned.push(UnmanagedProvider::from(&owned.summary));
            continue;
        }
        match deletion(
            &owned.summary.name,
            fingerprint,
            DeleteReason::Pruned,
            observed,
            desired,
            None,
            deleted_gateways,
        ) {
            Ok(plan) => plans.push(plan),
            Err(error) => failed.push(FailedProvider {
                name: owned.summary.name.clone(),
                kind: Some(owned.summary.kind),
                arn: Some(owned.summary.arn.clone()),
                error: format!("not pruned: {error}"),
            }),
        }
    }
    let unmanaged = observed.unmanaged.iter().map(UnmanagedProvider::from).collect();
    Some(ProvidersPlan::assemble(plans, unmanaged, failed, orphaned))
}

/// The deletion of a live provider, unless something keeps it: its protection tag (or its
/// spec's `preventDestroy`), a live target that names it, a declared target that names it, or a
/// scan of the live targets that could not be made.
fn deletion(
    name: &str,
    mut fingerprint: ProviderFingerprint,
    reason: DeleteReason,
    observed: &ObservedProviders,
    desired: &Desired,
    spec_protects: Option<bool>,
    deleted_gateways: &BTreeSet<String>,
) -> Result<ProviderPlan, String> {
    if spec_protects == Some(true) {
        return Err(format!(
            "credential provider {name} is protected from deletion (its spec says `lifecycle: {{ preventDestroy: true }}`); to lift it, set `lifecycle: {{ preventDestroy: false }}` in its spec and apply"
        ));
    }
    if let Some((key, value)) = protection_tag(&fingerprint.tags) {
        return Err(format!(
            "credential provider {name} is protected from deletion (tag {key}={value:?}); remove the {PREVENT_DESTROY_TAG} tag by hand to lift it"
        ));
    }
    let held = holders_of(&fingerprint.arn, name, observed, desired, deleted_gateways)?;
    if !held.is_empty() {
        let list: Vec<String> = held.iter().map(Holder::to_string).collect();
        return Err(format!("credential provider {name} is still named by {}", list.join(", ")));
    }
    fingerprint.held_by = Some(Vec::new());
    Ok(ProviderPlan {
        name: name.to_string(),
        kind: kind_of_arn(&fingerprint.arn),
        action: Action::Delete,
        update_provider: false,
        changes: Vec::new(),
        tag_changes: Vec::new(),
        sends_secret: None,
        observed: Some(fingerprint),
        desired: None,
        reason: Some(reason),
    })
}

/// The kind of a provider in no spec whose read failed, as far as the failure says: observe keys
/// it `NAME (kind)` when a declared provider of the other kind has its name, and the failed call
/// names the kind when it is a Get.
fn kind_of_failure(key: &str, error: &ObserveError) -> Option<ProviderKind> {
    if key.ends_with(" (apiKey)") {
        return Some(ProviderKind::ApiKey);
    }
    if key.ends_with(" (oauth2)") {
        return Some(ProviderKind::Oauth2);
    }
    match error {
        ObserveError::Provider { call, .. } if call.contains("ApiKey") => Some(ProviderKind::ApiKey),
        ObserveError::Provider { call, .. } if call.contains("Oauth2") => Some(ProviderKind::Oauth2),
        _ => None,
    }
}

/// The kind of provider an ARN of the token vault names.
pub fn kind_of_arn(arn: &str) -> ProviderKind {
    if arn.contains("/apikeycredentialprovider/") {
        ProviderKind::ApiKey
    } else {
        ProviderKind::Oauth2
    }
}

/// The targets that will still name provider `name` (at `arn`) once the plan's gateway work is
/// done: the live ones (from the scan of every gateway), except in a gateway the plan deletes
/// or whose targets its spec declares, and the declared ones (by ARN or by name). Errs when the
/// live targets could not be scanned. Apply reads every live target again before it deletes.
fn holders_of(
    arn: &str,
    name: &str,
    observed: &ObservedProviders,
    desired: &Desired,
    deleted_gateways: &BTreeSet<String>,
) -> Result<Vec<Holder>, String> {
    let mut held: Vec<Holder> = match &observed.holders {
        None => return Err("the live targets were not read, so acgw cannot prove that none names it".to_string()),
        Some(Err(e)) => {
            return Err(format!(
                "the live targets could not all be read ({e}), so acgw cannot prove that none names it"
            ))
        }
        Some(Ok(map)) => map
            .get(arn)
            .into_iter()
            .flatten()
            .filter(|h| {
                !deleted_gateways.contains(&h.gateway)
                    && desired.get(&h.gateway).is_none_or(|spec| spec.targets.is_none())
            })
            .cloned()
            .collect(),
    };
    for spec in &desired.specs {
        for target in spec.targets.iter().flatten() {
            let by_name = target.provider_refs().iter().any(|(_, n, _)| n.as_str() == name);
            if by_name || target.provider_arns().iter().any(|a| a == arn) {
                held.push(Holder { gateway: spec.gateway.name.to_string(), target: target.name.to_string() });
            }
        }
    }
    held.sort();
    held.dedup();
    Ok(held)
}

/// Plans one declared provider against its live self (`None`: it does not exist).
pub fn plan_provider(
    spec: &ProviderSpec,
    owner: Option<&crate::model::Owner>,
    live: Option<&LiveProviderState>,
) -> ProviderPlan {
    let desired_tags = spec.managed_tags(owner);
    let mut want = credential_provider::desired_view(&spec.provider);
    let secret = spec.provider.secret_by_value();
    let sent = |because: &str| {
        secret.as_ref().map(|(member, from)| SentSecret {
            member: member.clone(),
            from: from.unwrap_or("(sensitive)").to_string(),
            because: because.to_string(),
        })
    };
    let base = ProviderPlan {
        name: spec.name().to_string(),
        kind: spec.provider.kind(),
        action: Action::NoOp,
        update_provider: false,
        changes: Vec::new(),
        tag_changes: Vec::new(),
        sends_secret: None,
        observed: None,
        desired: Some(desired_json(spec, &desired_tags)),
        reason: None,
    };
    let Some(live) = live else {
        let mut changes = Vec::new();
        diff::values(String::new(), None, Some(&want), &mut changes);
        return ProviderPlan {
            action: Action::Create,
            changes,
            tag_changes: diff::tags(&TagMap::new(), &desired_tags),
            sends_secret: sent("create"),
            ..base
        };
    };
    let fingerprint = ProviderFingerprint::of(live);
    let have = credential_provider::live_view(&live.live);
    credential_provider::reconcile_secret_ids(&mut want, &have);
    let mut changes = Vec::new();
    diff::values(String::new(), Some(&have), Some(&want), &mut changes);
    let tag_changes = diff::tags(&normalize::comparable_tags(&fingerprint.tags, &desired_tags), &desired_tags);
    // The service never returns a secret passed by value: a bumped `secretVersion` is how the
    // user says it changed.
    let rotated = secret.is_some() && tag_changes.iter().any(|t| t.key == SECRET_VERSION_TAG);
    let update_provider = !changes.is_empty() || rotated;
    let action = if update_provider || !tag_changes.is_empty() { Action::Update } else { Action::NoOp };
    let because = if rotated { "secretVersion" } else { "update" };
    ProviderPlan {
        action,
        update_provider,
        changes,
        tag_changes,
        sends_secret: if update_provider { sent(because) } else { None },
        observed: Some(fingerprint),
        ..base
    }
}

/// The plan of `acgw destroy` for providers: the deletion of every live provider the specs
/// declare, when owned by this run's owner (or `take_ownership`), unprotected, and named by no
/// live target that stays (the gateways the same destroy deletes do not count).
pub fn destroy_providers(
    desired: &Desired,
    observed: &ObservedProviders,
    take_ownership: bool,
    destroyed_gateways: &BTreeSet<String>,
) -> Option<ProvidersPlan> {
    if !observed.read {
        return None;
    }
    let mut plans = Vec::new();
    let mut failed = Vec::new();
    // Declared targets do not count: the specs are being destroyed. Targets of the gateways
    // this destroy deletes do not either (`deletion` leaves them out).
    let no_specs = Desired::default();
    for spec in &desired.providers {
        let name = spec.name();
        if let Some(error) = observed.failed.get(name) {
            let kind = Some(spec.provider.kind());
            failed.push(FailedProvider { name: name.to_string(), kind, arn: None, error: error.to_string() });
            continue;
        }
        let Some(live) = observed.managed.get(name) else { continue };
        let fingerprint = ProviderFingerprint::of(live);
        let want = desired.owner.as_ref().map(|o| o.as_str());
        if let Some(error) = destroy_refusal(fingerprint.owner(), want, take_ownership) {
            let kind = Some(spec.provider.kind());
            failed.push(FailedProvider { name: name.to_string(), kind, arn: Some(fingerprint.arn), error });
            continue;
        }
        let arn = fingerprint.arn.clone();
        match deletion(
            name,
            fingerprint,
            DeleteReason::Destroyed,
            observed,
            &no_specs,
            Some(spec.prevent_destroy),
            destroyed_gateways,
        ) {
            Ok(plan) => plans.push(plan),
            Err(error) => failed.push(FailedProvider {
                name: name.to_string(),
                kind: Some(spec.provider.kind()),
                arn: Some(arn),
                error: format!("not destroyed: {error}"),
            }),
        }
    }
    Some(ProvidersPlan::assemble(plans, Vec::new(), failed, Vec::new()))
}

/// What moved between a saved provider plan and a fresh read of the same provider; empty when
/// the plan still holds. `now` is `None` when no live provider of its kind has that name.
pub fn provider_staleness(planned: &ProviderPlan, now: Option<&LiveProviderState>) -> Vec<String> {
    let now = now.map(ProviderFingerprint::of);
    match (&planned.observed, now) {
        (None, None) => Vec::new(),
        (None, Some(n)) => vec![format!("it now exists ({})", n.arn)],
        (Some(p), None) => vec![format!("it no longer exists (was {})", p.arn)],
        (Some(p), Some(n)) => {
            let mut moved = Vec::new();
            if p.arn != n.arn {
                moved.push(format!("its ARN moved from {} to {}", p.arn, n.arn));
            }
            // A deletion's fingerprint holds no digest: only a change in ownership matters there.
            if !p.digest.is_empty() && p.digest != n.digest {
                moved.push("its configuration changed since the plan".to_string());
            }
            let tags = diff::tags(&p.tags, &n.tags);
            if !tags.is_empty() {
                let keys: Vec<&str> = tags.iter().map(|t| t.key.as_str()).collect();
                moved.push(format!("tags changed ({})", keys.join(", ")));
            }
            moved
        }
    }
}

/// One provider in a drift report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderDrift {
    pub name: String,
    pub kind: ProviderKind,
    pub state: DriftState,
    /// `null` when missing.
    pub arn: Option<String>,
    /// Field differences, live → spec (empty unless modified).
    pub changes: Vec<Change>,
    /// Tag differences, live → spec (empty unless modified).
    pub tag_changes: Vec<TagChange>,
}

/// The credential providers of a drift report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvidersDrift {
    pub summary: DriftSummary,
    /// Sorted by name.
    pub providers: Vec<ProviderDrift>,
    pub unmanaged: Vec<UnmanagedProvider>,
    pub failed: Vec<FailedProvider>,
}

impl ProvidersPlan {
    /// The drift view of the providers: in sync, modified, missing or orphaned.
    pub fn drift(&self) -> ProvidersDrift {
        let orphans = self.orphaned.iter().map(|o| ProviderDrift {
            name: o.name.clone(),
            kind: o.kind,
            state: DriftState::Orphaned,
            arn: Some(o.arn.clone()),
            changes: Vec::new(),
            tag_changes: Vec::new(),
        });
        let mut providers: Vec<ProviderDrift> = self
            .providers
            .iter()
            .map(|p| ProviderDrift {
                name: p.name.clone(),
                kind: p.kind,
                state: match p.action {
                    Action::Create => DriftState::Missing,
                    Action::Update | Action::Replace => DriftState::Modified,
                    Action::Delete => DriftState::Orphaned,
                    Action::NoOp => DriftState::InSync,
                },
                arn: p.observed.as_ref().map(|o| o.arn.clone()),
                changes: if p.action == Action::Create { Vec::new() } else { p.changes.clone() },
                tag_changes: if p.action == Action::Create { Vec::new() } else { p.tag_changes.clone() },
            })
            .chain(orphans)
            .collect();
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        let n = |s: DriftState| providers.iter().filter(|p| p.state == s).count();
        ProvidersDrift {
            summary: DriftSummary {
                in_sync: n(DriftState::InSync),
                modified: n(DriftState::Modified),
                missing: n(DriftState::Missing),
                orphaned: n(DriftState::Orphaned),
                unmanaged: self.unmanaged.len(),
                failed: self.failed.len(),
            },
            providers,
            unmanaged: self.unmanaged.clone(),
            failed: self.failed.clone(),
        }
    }

    /// Checks a saved plan's providers: sorted unique names, desired set exactly when not
    /// deleting and checked like a spec, observed exactly when not creating, the counts.
    pub(super) fn check(&self, summary: ProviderCounts) -> Result<(), PlanFileError> {
        let bad = |m: String| Err(PlanFileError::Inconsistent(m));
        for pair in self.providers.windows(2) {
            if pair[0].name >= pair[1].name {
                return bad(format!(
                    "credential providers are not sorted by unique name (`{}`, `{}`)",
                    pair[0].name, pair[1].name
                ));
            }
        }
        for p in &self.providers {
            let spec = p.desired_spec()?;
            match (&spec, p.action) {
                (None, Action::Delete) => {
                    if p.reason.is_none() || p.observed.as_ref().is_none_or(|o| o.held_by.is_none()) {
                        return bad(format!("credential provider `{}`: delete needs a reason and held_by", p.name));
                    }
                }
                (Some(_), Action::Delete) | (None, _) => {
                    return bad(format!("credential provider `{}`: desired must be null exactly for delete", p.name))
                }
                (Some(spec), _) if spec.name().as_str() != p.name || spec.kind() != p.kind => {
                    return bad(format!("credential provider `{}` has another desired name or kind", p.name));
                }
                (Some(_), _) => {}
            }
            if (p.action == Action::Create) != p.observed.is_none() {
                return bad(format!("credential provider `{}`: observed must be null exactly for create", p.name));
            }
            if p.action == Action::Replace {
                return bad(format!("credential provider `{}`: providers are never replaced", p.name));
            }
            if p.update_provider && p.action != Action::Update {
                return bad(format!("credential provider `{}`: updateProvider is only for update", p.name));
            }
            if p.action == Action::NoOp && (!p.changes.is_empty() || !p.tag_changes.is_empty()) {
                return bad(format!("credential provider `{}`: no-op with changes", p.name));
            }
            // A secret is sent only where the desired provider has one by value, from the
            // variable the desired provider names.
            let by_value = spec.as_ref().and_then(|s| s.secret_by_value());
            if let Some(sent) = &p.sends_secret {
                if by_value.as_ref().and_then(|(_, from)| *from) != Some(sent.from.as_str()) {
                    return bad(format!(
                        "credential provider `{}`: sendsSecret does not match its desired secret",
                        p.name
                    ));
                }
            }
        }
        if summary != self.summary {
            return bad(format!(
                "credential provider summary {summary:?} does not match the providers ({:?})",
                self.summary
            ));
        }
        Ok(())
    }
}
