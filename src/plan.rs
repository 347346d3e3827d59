//! Plan: one action per gateway, the fingerprint of what was observed, and the saved-plan format.
//!
//! [`Plan`] serializes to ONE versioned JSON document (see `docs/plan-format.md`): it is both the
//! `--format json` output and the file `plan --out` writes and `apply PLANFILE` reads back with
//! [`Plan::from_json`]. Reading validates the desired configurations exactly like specs.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::diff::{self, Change, TagChange};
use crate::kind::{ItemKind, RateLimitKind, RuleKind, TargetKind};
use crate::load::Desired;
use crate::model::decode::{Cx, Decode, Node};
use crate::model::live::{GatewayStatus, GatewaySummary, LiveRateLimit, LiveRule, LiveTarget, TagMap, TargetSummary};
// The tests below name the statuses of live items.
#[cfg(test)]
use crate::model::live::{GatewayRateLimitStatus, GatewayRuleStatus, TargetStatus};
use crate::model::policy::ResourcePolicy;
use crate::model::rate_limit::RateLimit;
use crate::model::rule::Rule;
use crate::model::target::Target as GatewayTarget;
use crate::model::Gateway;
use crate::model::{protection_tag, OWNER_TAG, PREVENT_DESTROY_TAG};
use crate::normalize;
use crate::observed::{LiveState, ObserveError, Observed, Owned};
use crate::problem::{Problems, Severity};

/// The version of the plan (and drift report) JSON this build writes.
pub const FORMAT_VERSION: &str = "3";

/// The versions of saved plans this build reads: version 1 is version 2 without `failed`.
pub const READS_FORMAT_VERSIONS: &[&str] = &["1", "2", "3"];

/// The member whose change forces a replacement: the API refuses to change it in place.
pub const FORCES_REPLACEMENT: &[&str] = &["authorizerType"];

/// What to do with one gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Action {
    #[serde(rename = "create")]
    Create,
    #[serde(rename = "update")]
    Update,
    #[serde(rename = "replace")]
    Replace,
    #[serde(rename = "delete")]
    Delete,
    #[serde(rename = "no-op")]
    NoOp,
}

impl Action {
    /// The wire name (`create`, `update`, `replace`, `no-op`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
        }
    }
}

/// Which API the plan was made against; filled in by the caller, checked by `apply PLANFILE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    pub region: Option<String>,
    /// A custom endpoint URL (`--endpoint-url`, the emulator); `null` for the default endpoint.
    pub endpoint: Option<String>,
}

/// What was observed of a live gateway; `apply PLANFILE` refuses when any of it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fingerprint {
    pub gateway_id: String,
    pub gateway_arn: String,
    pub status: GatewayStatus,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
    /// The user-visible tags (`aws:` keys dropped; acgw's own `acgw:` keys kept).
    pub tags: TagMap,
    /// For `delete`: the targets deleted first; a gateway that gained targets since is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<TargetSummary>>,
}

impl Fingerprint {
    /// The fingerprint of a live gateway as observe read it.
    pub fn of(live: &LiveState) -> Self {
        Fingerprint {
            gateway_id: live.live.gateway_id.clone(),
            gateway_arn: live.live.gateway_arn.clone(),
            status: live.live.status.clone(),
            updated_at: live.live.updated_at.clone(),
            tags: normalize::tag_map(&live.tags),
            targets: None,
        }
    }

    /// The fingerprint of an owned gateway found in no spec.
    pub fn of_owned(owned: &Owned) -> Self {
        Fingerprint {
            gateway_id: owned.summary.gateway_id.clone(),
            gateway_arn: owned.gateway_arn.clone(),
            status: owned.summary.status.clone(),
            updated_at: owned.summary.updated_at.clone(),
            tags: normalize::tag_map(&owned.tags),
            targets: owned.targets.clone(),
        }
    }

    /// The owner the gateway's tags name.
    pub fn owner(&self) -> Option<&str> {
        self.tags.get(OWNER_TAG).map(String::as_str)
    }

    /// What protects it from deletion and replacement, if anything: its protection tag (see
    /// [`crate::model::protection_tag`]).
    pub fn protection(&self) -> Option<Protection> {
        protection_tag(&self.tags)
            .map(|(key, value)| Protection::Tag { key: key.to_string(), value: value.to_string() })
    }
}

/// Why a gateway may not be deleted or replaced. Any one sign is enough: protection fails closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// Its spec says `lifecycle: { preventDestroy: true }`, applied or not.
    Spec,
    /// Its live tags carry the protection tag with a value other than `false`.
    Tag { key: String, value: String },
}

impl Protection {
    /// The protection of a gateway that has live `tags` and, when it is in the specs, `spec_says`
    /// its `lifecycle.preventDestroy`: the spec's word first, then the tag's.
    pub fn of(spec_says: bool, live: &Fingerprint) -> Option<Protection> {
        if spec_says {
            Some(Protection::Spec)
        } else {
            live.protection()
        }
    }
}

/// Why a gateway is not deleted or replaced: what protects it, and how to lift it.
pub fn protection_message(name: &str, protection: &Protection) -> String {
    let why = match protection {
        Protection::Spec => "its spec says `lifecycle: { preventDestroy: true }`".to_string(),
        Protection::Tag { key, value } => format!("tag {key}={value:?}"),
    };
    format!(
        "gateway {name} is protected from deletion ({why}); to lift it, set \
         `lifecycle: {{ preventDestroy: false }}` in its spec and apply, or remove the {PREVENT_DESTROY_TAG} tag by hand"
    )
}

/// The plan for one gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayPlan {
    pub name: String,
    pub action: Action,
    /// For `replace`: the fields whose change forces it; empty otherwise.
    pub forced_by: Vec<String>,
    /// For `update`: true when an UpdateGateway call is needed, false when only tags change.
    pub update_gateway: bool,
    /// Field changes, observed → desired (for `create`: every field to be set).
    pub changes: Vec<Change>,
    /// Tag changes, observed → desired (TagResource/UntagResource; part of CreateGateway on create).
    pub tag_changes: Vec<TagChange>,
    /// What was observed; `null` for `create` (the gateway did not exist).
    pub observed: Option<Fingerprint>,
    /// The complete desired configuration as the specs declare it (not normalized), tags
    /// included (acgw's own too); `null` for `delete`.
    pub desired: Option<Gateway>,
    /// For `delete`: why (`pruned`: owned and in no spec; `destroyed`: `acgw destroy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<DeleteReason>,
    /// The gateway's targets when its spec declares `targets:` (sorted by name, every live and
    /// declared one, no-ops included so that a saved plan records what it saw); `null` when
    /// acgw does not manage them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<ItemPlan<TargetKind>>>,
    /// The gateway's resource policy when its spec declares `resourcePolicy:`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<PolicyPlan>,
    /// The gateway's rate limits when its spec declares `rateLimits:` (sorted by `rateLimitId`,
    /// every live and declared one, no-ops included); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<Vec<ItemPlan<RateLimitKind>>>,
    /// The gateway's rules when its spec declares `rules:` (sorted by priority, every live and
    /// declared one, no-ops and system-managed ones included); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ItemPlan<RuleKind>>>,
}

/// The plan for a gateway's resource policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPlan {
    /// `create` (none live), `update`, `delete` (`resourcePolicy: null`) or `no-op`.
    pub action: Action,
    /// Changes under `resourcePolicy`, observed → desired, compared as IAM reads policies.
    pub changes: Vec<Change>,
    /// A digest of the live policy at plan time (`null` when there was none): a saved plan is
    /// stale when it moved.
    pub observed: Option<String>,
    /// The policy to put; `null` for `delete` and when none is wanted.
    pub desired: Option<ResourcePolicy>,
}

/// The digest a plan records of a live policy: SHA-256 of its normalized JSON.
pub fn policy_digest(policy: &ResourcePolicy) -> String {
    use sha2::{Digest, Sha256};
    let text = normalize::policy(policy.document().clone()).to_string();
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Plans a gateway's resource policy: `desired` from the spec (`None`: none wanted), `live` as
/// read (`None` for a gateway to be created or replaced: it has none).
pub fn plan_policy(desired: Option<&ResourcePolicy>, live: Option<&ResourcePolicy>) -> PolicyPlan {
    let normalized = |p: Option<&ResourcePolicy>| p.map(|p| normalize::policy(p.document().clone()));
    let mut changes = Vec::new();
    diff::values("resourcePolicy".into(), normalized(live).as_ref(), normalized(desired).as_ref(), &mut changes);
    let action = match (live, desired) {
        (None, None) => Action::NoOp,
        (None, Some(_)) => Action::Create,
        (Some(_), None) => Action::Delete,
        (Some(_), Some(_)) if changes.is_empty() => Action::NoOp,
        (Some(_), Some(_)) => Action::Update,
    };
    PolicyPlan { action, changes, observed: live.map(policy_digest), desired: desired.cloned() }
}

/// What moved between a saved plan's policy and a fresh read of it; empty when it still holds.
pub fn policy_staleness(planned: &PolicyPlan, now: Option<&ResourcePolicy>) -> Vec<String> {
    let now = now.map(policy_digest);
    if planned.observed == now {
        return Vec::new();
    }
    vec![match (&planned.observed, now) {
        (None, Some(_)) => "a resource policy was put since the plan".to_string(),
        (Some(_), None) => "its resource policy was deleted since the plan".to_string(),
        _ => "its resource policy changed since the plan".to_string(),
    }]
}

pub use crate::kind::rate_limit::{DESCRIPTION_REPLACE, DIMENSION_KEYS_REPLACE};
pub use crate::kind::rule::RULE_DESCRIPTION_REPLACE;

/// What was observed of a live item (a target, a rule, a rate limit); `apply PLANFILE` refuses
/// when it moved. Its ID is written under the kind's [`ItemKind::ID_FIELD`] (`targetId`,
/// `ruleId`, `rateLimitId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFingerprint<K: ItemKind> {
    pub id: String,
    pub status: K::Status,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
}

impl<K: ItemKind> ItemFingerprint<K> {
    /// The fingerprint of a live item.
    pub fn of(live: &K::Live) -> Self {
        ItemFingerprint {
            id: K::live_id(live).to_string(),
            status: K::live_status(live).clone(),
            updated_at: K::live_updated_at(live).to_string(),
        }
    }
}

impl<K: ItemKind> Serialize for ItemFingerprint<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry(K::ID_FIELD, &self.id)?;
        m.serialize_entry("status", &self.status)?;
        m.serialize_entry("updatedAt", &self.updated_at)?;
        m.end()
    }
}

/// The plan for one item of a gateway's list of kind `K` (its targets, rules, rate limits): every live
/// and declared item has one, no-ops and system-managed ones included, so that a saved plan
/// records what it saw. Its key is written under the kind's [`ItemKind::KEY_FIELD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPlan<K: ItemKind> {
    /// Its identity within the gateway (a priority, a rate limit ID).
    pub key: K::Key,
    /// `create`, `update`, `replace` (delete, then create), `delete` or `no-op` (always for a
    /// system-managed item).
    pub action: Action,
    /// `system.managedBy` of a system-managed item, which acgw never changes or deletes.
    pub managed_by: Option<String>,
    /// For `replace`: why it cannot be changed in place; empty otherwise.
    pub forced_by: Vec<String>,
    /// Field changes relative to the item, observed → desired (for `create`: every field).
    pub changes: Vec<Change>,
    /// What was observed; `null` for `create`.
    pub observed: Option<ItemFingerprint<K>>,
    /// The complete desired configuration; `null` for `delete` and system-managed items.
    pub desired: Option<K::Desired>,
    /// Where a user authorizes it, when it is pending authorization (OAuth authorization-code
    /// targets).
    pub authorization_url: Option<String>,
}

impl<K: ItemKind> ItemPlan<K> {
    /// True unless the action is `no-op`.
    pub fn is_change(&self) -> bool {
        self.action != Action::NoOp
    }
}

impl<K: ItemKind> Serialize for ItemPlan<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(K::KEY_FIELD, &self.key)?;
        m.serialize_entry("action", &self.action)?;
        if let Some(by) = &self.managed_by {
            m.serialize_entry("managedBy", by)?;
        }
        if K::REPLACEABLE {
            m.serialize_entry("forcedBy", &self.forced_by)?;
        }
        m.serialize_entry("changes", &self.changes)?;
        m.serialize_entry("observed", &self.observed)?;
        m.serialize_entry("desired", &self.desired)?;
        if let Some(url) = &self.authorization_url {
            m.serialize_entry("authorizationUrl", url)?;
        }
        m.end()
    }
}

/// The changes that make `after` of an item that is `before`, both normalized by the kind;
/// with no `before`, every field `after` sets.
fn item_changes<K: ItemKind>(before: Option<&K::Desired>, after: &K::Desired, region: Option<&str>) -> Vec<Change> {
    let mut out = Vec::new();
    let (b, a) = match before {
        Some(before) => (Some(K::normalized(before, region)), K::normalized(after, region)),
        None => (None, K::as_created(after, region)),
    };
    diff::values(String::new(), b.as_ref(), Some(&a), &mut out);
    out
}

/// Plans a gateway's items of kind `K` by key: `desired` is its declared list, `live` what
/// observe read (`None` for a gateway that does not exist yet, or is replaced: every item is then
/// created), `region` the gateway's (normalization may depend on it). System-managed items are
/// listed as no-ops with their `managedBy`; a declared item at a system-managed item's key is an
/// error (it could never be created). Sorted by key.
pub fn plan_items<K: ItemKind>(
    desired: &[K::Desired],
    live: Option<&[K::Live]>,
    region: Option<&str>,
) -> Result<Vec<ItemPlan<K>>, String> {
    let live = live.unwrap_or_default();
    let mut out: Vec<ItemPlan<K>> = Vec::new();
    for have in live {
        let Some(managed_by) = K::system_managed_by(have) else { continue };
        let key = K::live_key(have).unwrap_or_default();
        if desired.iter().any(|d| K::key(d) == key) {
            return Err(format!(
                "{noun} {field} {key} is taken by system-managed {noun} {} (managed by {managed_by}): \
                 choose another {field}",
                K::live_id(have),
                noun = K::NOUN,
                field = K::KEY_FIELD,
            ));
        }
        out.push(ItemPlan {
            key,
            action: Action::NoOp,
            managed_by: Some(managed_by.to_string()),
            forced_by: Vec::new(),
            changes: Vec::new(),
            observed: Some(ItemFingerprint::of(have)),
            desired: None,
            authorization_url: None,
        });
    }
    let users: Vec<&K::Live> = live.iter().filter(|l| K::system_managed_by(l).is_none()).collect();
    for want in desired {
        let key = K::key(want);
        let have = users.iter().copied().find(|l| K::live_key(l).as_ref() == Some(&key));
        let plan = match have {
            None => ItemPlan {
                key,
                action: Action::Create,
                managed_by: None,
                forced_by: Vec::new(),
                changes: item_changes::<K>(None, want, region),
                observed: None,
                desired: Some(want.clone()),
                authorization_url: None,
            },
            Some(have) => {
                // observe moved unreadable items' gateways to `failed`, so config is there.
                let (changes, mut forced_by) = match K::live_config(have) {
                    Some(config) => (item_changes::<K>(Some(config), want, region), K::forced_by(config, want)),
                    None => (item_changes::<K>(None, want, region), Vec::new()),
                };
                if changes.is_empty() {
                    forced_by.clear();
                }
                let action = if !forced_by.is_empty() {
                    Action::Replace
                } else if changes.is_empty() && !K::retry(have) {
                    Action::NoOp
                } else {
                    Action::Update
                };
                ItemPlan {
                    key,
                    action,
                    managed_by: None,
                    forced_by,
                    changes,
                    observed: Some(ItemFingerprint::of(have)),
                    desired: Some(want.clone()),
                    authorization_url: K::authorization_url(have),
                }
            }
        };
        out.push(plan);
    }
    for have in users {
        let key = K::live_key(have).unwrap_or_default();
        if !desired.iter().any(|d| K::key(d) == key) {
            out.push(ItemPlan {
                key,
                action: Action::Delete,
                managed_by: None,
                forced_by: Vec::new(),
                changes: Vec::new(),
                observed: Some(ItemFingerprint::of(have)),
                desired: None,
                authorization_url: None,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Plans a gateway's rate limits (see [`plan_items`]), sorted by `rateLimitId`.
pub fn plan_rate_limits(desired: &[RateLimit], live: Option<&[LiveRateLimit]>) -> Vec<ItemPlan<RateLimitKind>> {
    // No rate limit is system-managed, the one way planning items can fail.
    plan_items::<RateLimitKind>(desired, live, None).unwrap_or_default()
}

/// Plans a gateway's rules by priority (see [`plan_items`]).
pub fn plan_rules(desired: &[Rule], live: Option<&[LiveRule]>) -> Result<Vec<ItemPlan<RuleKind>>, String> {
    plan_items::<RuleKind>(desired, live, None)
}

/// Plans a gateway's targets by name (see [`plan_items`]) in the gateway's `region`.
pub fn plan_targets(
    desired: &[GatewayTarget],
    live: Option<&[LiveTarget]>,
    region: Option<&str>,
) -> Vec<ItemPlan<TargetKind>> {
    // No target is system-managed, the one way planning items can fail.
    plan_items::<TargetKind>(desired, live, region).unwrap_or_default()
}

/// What moved between a saved plan's items of kind `K` and a fresh read of them; empty when it
/// still holds. An observed item is followed by its key when that is its lasting identity (a
/// target's name: a new ID under it is a move), by its ID otherwise (a rule may move to another
/// priority); one to be created, by its key.
pub fn item_staleness<K: ItemKind>(planned: &[ItemPlan<K>], now: &[K::Live]) -> Vec<String> {
    let noun = K::NOUN;
    let by_key = K::KEY_IS_IDENTITY;
    // The service's ID, where the key does not already say it.
    let id_note =
        |id: &str, was: &str| if K::id_is_key() { String::new() } else { format!(" ({was}{} {id})", K::ID_FIELD) };
    let mut moved = Vec::new();
    for p in planned {
        let key = &p.key;
        let live = match &p.observed {
            Some(o) if !by_key => now.iter().find(|l| K::live_id(l) == o.id),
            _ => now.iter().find(|l| K::live_key(l).as_ref() == Some(key)),
        };
        match (&p.observed, live) {
            (None, None) => {}
            (None, Some(l)) => moved.push(format!("{noun} {key} now exists{}", id_note(K::live_id(l), ""))),
            (Some(o), None) if by_key => moved.push(format!("{noun} {key} no longer exists{}", id_note(&o.id, "was "))),
            (Some(o), None) => moved.push(format!("{noun} {} no longer exists", K::label(key, Some(&o.id)))),
            (Some(o), Some(l)) => {
                let f = ItemFingerprint::<K>::of(l);
                let label = K::label(key, Some(&o.id));
                if o.id != f.id {
                    moved.push(format!("{noun} {label}: {} moved from {} to {}", K::ID_FIELD, o.id, f.id));
                } else if o.updated_at != f.updated_at {
                    moved.push(format!("{noun} {label}: updatedAt moved from {} to {}", o.updated_at, f.updated_at));
                } else if o.status != f.status {
                    moved.push(format!("{noun} {label}: status moved from {} to {}", o.status, f.status));
                } else if K::live_key(l).is_some_and(|k| &k != key) {
                    moved.push(format!("{noun} {} moved from {} {key}", o.id, K::KEY_FIELD));
                }
            }
        }
    }
    for l in now {
        let id = K::live_id(l);
        let key = K::live_key(l);
        let planned_here = |p: &&ItemPlan<K>| key.as_ref() == Some(&p.key);
        let appeared = if by_key {
            !planned.iter().any(|p| planned_here(&p))
        } else {
            let known = planned.iter().any(|p| p.observed.as_ref().is_some_and(|o| o.id == id));
            !known && !planned.iter().any(|p| p.observed.is_none() && planned_here(&p))
        };
        match &key {
            Some(key) if appeared && by_key => moved.push(format!("{noun} {key} appeared{}", id_note(id, ""))),
            _ if appeared => moved.push(format!("{noun} {id} appeared")),
            _ => {}
        }
    }
    moved
}

/// What moved between a saved plan's targets and a fresh read (see [`item_staleness`]).
pub fn target_staleness(planned: &[ItemPlan<TargetKind>], now: &[LiveTarget]) -> Vec<String> {
    item_staleness(planned, now)
}

/// What moved between a saved plan's rate limits and a fresh read (see [`item_staleness`]).
pub fn rate_limit_staleness(planned: &[ItemPlan<RateLimitKind>], now: &[LiveRateLimit]) -> Vec<String> {
    item_staleness(planned, now)
}

/// What moved between a saved plan's rules and a fresh read (see [`item_staleness`]).
pub fn rule_staleness(planned: &[ItemPlan<RuleKind>], now: &[LiveRule]) -> Vec<String> {
    item_staleness(planned, now)
}

/// Why a gateway is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeleteReason {
    /// Owned by this run's owner and named in no spec (`--prune`).
    Pruned,
    /// Named in the specs given to `acgw destroy`.
    Destroyed,
}

impl GatewayPlan {
    /// True unless the action is `no-op`.
    pub fn is_change(&self) -> bool {
        self.action != Action::NoOp
    }

    /// The change of the `acgw:owner` tag, as (live owner, desired owner), when there is one.
    pub fn owner_change(&self) -> Option<(Option<&str>, &str)> {
        self.tag_changes
            .iter()
            .find(|t| t.key == OWNER_TAG)
            .and_then(|t| t.after.as_deref().map(|after| (t.before.as_deref(), after)))
    }

    /// The owner that already holds this gateway when the plan takes it over from them.
    pub fn takes_over_from(&self) -> Option<&str> {
        self.owner_change().and_then(|(before, _)| before)
    }
}

/// A live gateway that no spec names; listed, never touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unmanaged {
    pub name: String,
    pub gateway_id: String,
    pub status: GatewayStatus,
    pub updated_at: String,
}

impl From<&GatewaySummary> for Unmanaged {
    fn from(s: &GatewaySummary) -> Self {
        Unmanaged {
            name: s.name.clone(),
            gateway_id: s.gateway_id.clone(),
            status: s.status.clone(),
            updated_at: s.updated_at.clone(),
        }
    }
}

/// A gateway the specs name that could not be planned: its live state could not be read, or this
/// build cannot represent it. It is reported beside the others and never changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FailedGateway {
    pub name: String,
    /// The live gateway, when there is exactly one.
    pub gateway_id: Option<String>,
    /// What went wrong, naming the call or the field path.
    pub error: String,
}

impl FailedGateway {
    /// The failure recorded by observe for the gateway named `name`.
    pub fn from_observe(name: &str, error: &ObserveError) -> Self {
        FailedGateway {
            name: name.to_string(),
            gateway_id: error.gateway_id().map(str::to_string),
            error: error.to_string(),
        }
    }
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub no_op: usize,
    pub unmanaged: usize,
    /// Gateways that could not be planned (absent in format version 1).
    #[serde(default)]
    pub failed: usize,
    /// Gateways to delete (absent in format version 1).
    #[serde(default)]
    pub delete: usize,
    /// Owned gateways in no spec, not deleted without `--prune` (absent in format version 1).
    #[serde(default)]
    pub orphaned: usize,
}

impl Summary {
    fn count(gateways: &[GatewayPlan], unmanaged: usize, failed: usize, orphaned: usize) -> Self {
        let n = |a: Action| gateways.iter().filter(|g| g.action == a).count();
        Summary {
            create: n(Action::Create),
            update: n(Action::Update),
            replace: n(Action::Replace),
            no_op: n(Action::NoOp),
            unmanaged,
            failed,
            delete: n(Action::Delete),
            orphaned,
        }
    }
}

/// A complete plan: the versioned document of `plan --format json` and `plan --out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Always [`FORMAT_VERSION`].
    pub format_version: String,
    pub target: Target,
    pub summary: Summary,
    /// Sorted by name.
    pub gateways: Vec<GatewayPlan>,
    /// Sorted by name, then ID.
    pub unmanaged: Vec<Unmanaged>,
    /// Gateways the specs name that could not be planned, sorted by name.
    pub failed: Vec<FailedGateway>,
    /// Live gateways tagged with this run's owner that no spec names, not deleted because
    /// `--prune` was not given; sorted by name.
    pub orphaned: Vec<Unmanaged>,
}

/// Why a saved plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("not a valid plan file: {0}{hint}", hint = unknown_field_hint(.0))]
    Json(#[from] serde_json::Error),
    #[error("plan file has format_version {found}; this acgw reads format_version \"1\", \"2\" and \"3\". A plan from a newer acgw is refused rather than partly applied: apply it with the acgw version that made it (docs/output-format.md)")]
    Version { found: String },
    #[error("plan file: gateway `{name}` has an invalid desired configuration:\n{problems}")]
    InvalidGateway { name: String, problems: Problems },
    #[error("plan file is inconsistent: {0}")]
    Inconsistent(String),
}

/// Why a plan with a member this acgw does not know is refused, and what to do.
fn unknown_field_hint(e: &serde_json::Error) -> &'static str {
    if e.to_string().contains("unknown field") {
        ". A plan holding a member this acgw does not know (written by a newer acgw, or edited) is refused rather than partly applied: apply it with the acgw version that made it (docs/output-format.md)"
    } else {
        ""
    }
}

/// The `forcedBy` entry of a gateway replaced because its creation FAILED: it is no field, but
/// like one it cannot be changed in place (the service offers no way to retry a create).
pub const FORCED_BY_FAILED: &str = "status FAILED";

/// Builds the plan: one action per desired gateway, sorted by name, plus the unmanaged ones, the
/// owned ones in no spec (orphaned) and the ones that could not be planned.
pub fn build(desired: &Desired, observed: &Observed) -> Plan {
    build_with(desired, observed, false)
}

/// [`build`], and with `prune` a deletion for every owned gateway in no spec (see
/// [`crate::observe::find_owned`]), except a protected one, which is a failure that says how to
/// lift the protection.
pub fn build_with(desired: &Desired, observed: &Observed, prune: bool) -> Plan {
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
                        _ => live.and_then(|l| l.policy.clone()).flatten(),
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
                        plan.targets = Some(plan_part::<TargetKind>(&mut plan, declared, live, region)?);
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
    Plan::assemble(Target::default(), gateways, unmanaged, failed).with_orphaned(orphaned)
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
        name: name.to_string(),
        action: Action::Delete,
        forced_by: Vec::new(),
        update_gateway: false,
        changes: Vec::new(),
        tag_changes: Vec::new(),
        observed: Some(observed),
        desired: None,
        targets: None,
        resource_policy: None,
        rate_limits: None,
        rules: None,
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
        let refusal = match (fingerprint.owner(), owner) {
            _ if take_ownership => None,
            (Some(have), Some(want)) if have == want => None,
            (Some(have), Some(want)) => Some(format!("not destroyed: it is owned by `{have}`, not `{want}` (--take-ownership destroys it anyway)")),
            (None, Some(want)) => Some(format!("not destroyed: it has no {OWNER_TAG} tag, so `{want}` cannot prove it made it (--take-ownership destroys it anyway)")),
            (_, None) => Some("not destroyed: without an owner (`owner:` in the specs, or --owner) acgw cannot prove it made it (--take-ownership destroys it anyway)".to_string()),
        };
        if let Some(error) = refusal {
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

/// Plans one gateway against what observe found of it (`None`: it does not exist). A live
/// configuration this build cannot represent is a failure: updating it would silently drop
/// what could not be read.
pub fn plan_one(desired: &Gateway, live: Option<&LiveState>) -> Result<GatewayPlan, FailedGateway> {
    let desired_tags = normalize::gateway_tags(desired);
    let name = desired.name.as_str().to_string();
    let Some(live) = live else {
        return Ok(GatewayPlan {
            name,
            action: Action::Create,
            forced_by: Vec::new(),
            update_gateway: false,
            changes: diff::creation(desired),
            tag_changes: diff::tags(&TagMap::new(), &desired_tags),
            observed: None,
            desired: Some(desired.clone()),
            reason: None,
            targets: None,
            resource_policy: None,
            rate_limits: None,
            rules: None,
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
        name,
        action,
        update_gateway: action == Action::Update && (!changes.is_empty() || retry_update),
        forced_by,
        changes,
        tag_changes,
        observed: Some(fingerprint),
        desired: Some(desired.clone()),
        reason: None,
        targets: None,
        resource_policy: None,
        rate_limits: None,
        rules: None,
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

impl Plan {
    /// A plan from its parts, with the summary counted.
    pub fn assemble(
        target: Target,
        gateways: Vec<GatewayPlan>,
        unmanaged: Vec<Unmanaged>,
        failed: Vec<FailedGateway>,
    ) -> Plan {
        Plan {
            format_version: FORMAT_VERSION.to_string(),
            target,
            summary: Summary::count(&gateways, unmanaged.len(), failed.len(), 0),
            gateways,
            unmanaged,
            failed,
            orphaned: Vec::new(),
        }
    }

    /// This plan with `orphaned` listed (and counted).
    pub fn with_orphaned(mut self, mut orphaned: Vec<Unmanaged>) -> Plan {
        orphaned.sort();
        self.summary.orphaned = orphaned.len();
        self.orphaned = orphaned;
        self
    }

    /// True when any gateway is to be created, updated or replaced.
    pub fn has_changes(&self) -> bool {
        self.gateways.iter().any(GatewayPlan::is_change)
    }

    /// True when any gateway the specs name could not be planned.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty()
    }

    /// The plan for the gateway named `name`.
    pub fn get(&self, name: &str) -> Option<&GatewayPlan> {
        self.gateways.iter().find(|g| g.name == name)
    }

    /// The versioned JSON document, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        // Every map key in a plan is a string, so serializing cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a saved plan, validating it like a spec: the version, the schema (unknown keys are
    /// errors), every desired configuration against the API model, and the plan's consistency.
    pub fn from_json(text: &str) -> Result<Plan, PlanFileError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        match value.get("format_version") {
            Some(serde_json::Value::String(v)) if READS_FORMAT_VERSIONS.contains(&v.as_str()) => {}
            Some(other) => return Err(PlanFileError::Version { found: other.to_string() }),
            None => return Err(PlanFileError::Version { found: "(missing)".into() }),
        }
        let raw: RawPlan = serde_json::from_str(text)?;
        let mut gateways = Vec::with_capacity(raw.gateways.len());
        for g in raw.gateways {
            gateways.push(g.into_plan()?);
        }
        let plan = Plan::assemble(raw.target, gateways, raw.unmanaged, raw.failed).with_orphaned(raw.orphaned);
        plan.check(raw.summary)?;
        Ok(plan)
    }

    fn check(&self, summary: Summary) -> Result<(), PlanFileError> {
        let bad = |m: String| Err(PlanFileError::Inconsistent(m));
        let mut names = BTreeSet::new();
        for pair in self.gateways.windows(2) {
            if pair[0].name >= pair[1].name {
                return bad(format!("gateways are not sorted by unique name (`{}`, `{}`)", pair[0].name, pair[1].name));
            }
        }
        for g in &self.gateways {
            names.insert(g.name.as_str());
            match (&g.desired, g.action) {
                (None, Action::Delete) => {
                    if g.reason.is_none() {
                        return bad(format!("gateway `{}`: delete needs a reason", g.name));
                    }
                    if !g.changes.is_empty() || !g.tag_changes.is_empty() {
                        return bad(format!("gateway `{}`: delete with changes", g.name));
                    }
                    if g.observed.as_ref().is_none_or(|o| o.targets.is_none()) {
                        return bad(format!("gateway `{}`: delete needs the observed targets", g.name));
                    }
                }
                (Some(_), Action::Delete) | (None, _) => {
                    return bad(format!("gateway `{}`: desired must be null exactly for delete", g.name))
                }
                (Some(desired), _) if desired.name.as_str() != g.name => {
                    return bad(format!("gateway `{}` has desired name `{}`", g.name, desired.name));
                }
                (Some(_), _) => {}
            }
            if (g.action == Action::Create) != g.observed.is_none() {
                return bad(format!(
                    "gateway `{}`: action {} {} an observed fingerprint",
                    g.name,
                    g.action.as_str(),
                    if g.observed.is_none() { "needs" } else { "cannot have" }
                ));
            }
            if (g.action == Action::Replace) == g.forced_by.is_empty() {
                return bad(format!("gateway `{}`: forcedBy must be set exactly for replace", g.name));
            }
            if g.update_gateway && g.action != Action::Update {
                return bad(format!("gateway `{}`: updateGateway is only for update", g.name));
            }
            // apply sends tag calls from tagChanges: they must follow from what was observed and desired.
            if let Some(desired) = &g.desired {
                let desired_tags = normalize::gateway_tags(desired);
                let observed_tags = g.observed.as_ref().map(|o| o.tags.clone()).unwrap_or_default();
                let expected = diff::tags(&normalize::comparable_tags(&observed_tags, &desired_tags), &desired_tags);
                if g.tag_changes != expected {
                    return bad(format!("gateway `{}`: tagChanges do not match observed and desired tags", g.name));
                }
            }
            if g.action == Action::NoOp && (!g.changes.is_empty() || !g.tag_changes.is_empty()) {
                return bad(format!("gateway `{}`: no-op with changes", g.name));
            }
        }
        if let Some(u) = self.unmanaged.iter().find(|u| names.contains(u.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and unmanaged", u.name));
        }
        if let Some(f) = self.failed.iter().find(|f| names.contains(f.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and failed", f.name));
        }
        if let Some(o) = self.orphaned.iter().find(|o| names.contains(o.name.as_str())) {
            return bad(format!("gateway `{}` is both planned and orphaned", o.name));
        }
        if summary != self.summary {
            return bad(format!("summary {summary:?} does not match the gateways ({:?})", self.summary));
        }
        Ok(())
    }

    /// The drift view of this plan: in sync, modified, missing or orphaned per gateway.
    pub fn drift_report(&self) -> DriftReport {
        let orphans = self.orphaned.iter().map(|o| DriftEntry {
            name: o.name.clone(),
            state: DriftState::Orphaned,
            gateway_id: Some(o.gateway_id.clone()),
            status: Some(o.status.clone()),
            forced_by: Vec::new(),
            changes: Vec::new(),
            tag_changes: Vec::new(),
            targets: None,
            rate_limits: None,
            rules: None,
        });
        let mut gateways = self
            .gateways
            .iter()
            .map(|g| DriftEntry {
                name: g.name.clone(),
                state: match g.action {
                    Action::Create => DriftState::Missing,
                    Action::Update | Action::Replace => DriftState::Modified,
                    Action::Delete => DriftState::Orphaned,
                    Action::NoOp => DriftState::InSync,
                },
                gateway_id: g.observed.as_ref().map(|o| o.gateway_id.clone()),
                status: g.observed.as_ref().map(|o| o.status.clone()),
                forced_by: g.forced_by.clone(),
                changes: if g.action == Action::Create {
                    Vec::new()
                } else {
                    // The resource policy's differences are the gateway's, under `resourcePolicy`.
                    let policy = g.resource_policy.iter().flat_map(|p| p.changes.iter().cloned());
                    g.changes.iter().cloned().chain(policy).collect()
                },
                tag_changes: if g.action == Action::Create { Vec::new() } else { g.tag_changes.clone() },
                targets: g.targets.as_ref().map(|ts| ts.iter().map(ItemDrift::of).collect()),
                rate_limits: g.rate_limits.as_ref().map(|rs| rs.iter().map(ItemDrift::of).collect()),
                rules: g.rules.as_ref().map(|rs| rs.iter().map(ItemDrift::of).collect()),
            })
            .chain(orphans)
            .collect::<Vec<_>>();
        gateways.sort_by(|a, b| a.name.cmp(&b.name));
        let n = |s: DriftState| gateways.iter().filter(|g| g.state == s).count();
        DriftReport {
            format_version: FORMAT_VERSION.to_string(),
            target: self.target.clone(),
            summary: DriftSummary {
                in_sync: n(DriftState::InSync),
                modified: n(DriftState::Modified),
                missing: n(DriftState::Missing),
                orphaned: n(DriftState::Orphaned),
                unmanaged: self.unmanaged.len(),
                failed: self.failed.len(),
            },
            gateways,
            unmanaged: self.unmanaged.clone(),
            failed: self.failed.clone(),
        }
    }
}

/// The plan file's shape before the desired configurations are validated.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[allow(dead_code)] // checked before this shape is read
    format_version: String,
    target: Target,
    summary: Summary,
    gateways: Vec<RawGatewayPlan>,
    unmanaged: Vec<Unmanaged>,
    #[serde(default)]
    failed: Vec<FailedGateway>,
    #[serde(default)]
    orphaned: Vec<Unmanaged>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawGatewayPlan {
    name: String,
    action: Action,
    forced_by: Vec<String>,
    update_gateway: bool,
    changes: Vec<Change>,
    tag_changes: Vec<TagChange>,
    observed: Option<Fingerprint>,
    desired: Option<serde_json::Value>,
    #[serde(default)]
    reason: Option<DeleteReason>,
    #[serde(default)]
    targets: Option<Vec<RawEntry>>,
    #[serde(default)]
    resource_policy: Option<RawPolicyPlan>,
    #[serde(default)]
    rate_limits: Option<Vec<RawEntry>>,
    #[serde(default)]
    rules: Option<Vec<RawEntry>>,
}

/// An entry of a saved plan, before it is checked.
type RawEntry = serde_json::Map<String, serde_json::Value>;

/// A saved plan's items of kind `K` for the gateway `gateway`, read and checked like a spec.
fn saved_items<K: ItemKind>(
    gateway: &str,
    list: Option<Vec<RawEntry>>,
) -> Result<Option<Vec<ItemPlan<K>>>, PlanFileError> {
    let Some(list) = list else { return Ok(None) };
    list.into_iter().map(|entry| saved_item::<K>(gateway, entry)).collect::<Result<Vec<_>, _>>().map(Some)
}

/// Refuses an entry with a member not in `fields`, as serde's `deny_unknown_fields` words it.
fn deny_unknown(entry: &RawEntry, fields: &[&str]) -> Result<(), serde_json::Error> {
    use serde::de::Error as _;
    match entry.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(unknown) => {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            Err(serde_json::Error::custom(format!(
                "unknown field `{unknown}`, expected one of {}",
                expected.join(", ")
            )))
        }
        None => Ok(()),
    }
}

/// The required member `name` of a saved entry.
fn take<T: serde::de::DeserializeOwned>(entry: &mut RawEntry, name: &'static str) -> Result<T, serde_json::Error> {
    use serde::de::Error as _;
    match entry.remove(name) {
        Some(value) => serde_json::from_value(value),
        None => Err(serde_json::Error::missing_field(name)),
    }
}

/// The optional member `name` of a saved entry (absent and `null` are both `None`).
fn take_opt<T: serde::de::DeserializeOwned>(entry: &mut RawEntry, name: &str) -> Result<Option<T>, serde_json::Error> {
    match entry.remove(name) {
        Some(value) => serde_json::from_value(value),
        None => Ok(None),
    }
}

/// A saved item's fingerprint.
fn saved_fingerprint<K: ItemKind>(mut entry: RawEntry) -> Result<ItemFingerprint<K>, serde_json::Error> {
    deny_unknown(&entry, &[K::ID_FIELD, "status", "updatedAt"])?;
    Ok(ItemFingerprint {
        id: take(&mut entry, K::ID_FIELD)?,
        status: take(&mut entry, "status")?,
        updated_at: take(&mut entry, "updatedAt")?,
    })
}

/// One saved item's plan, its desired configuration checked like a spec and its parts against
/// its action.
fn saved_item<K: ItemKind>(gateway: &str, mut entry: RawEntry) -> Result<ItemPlan<K>, PlanFileError> {
    let mut fields = vec![K::KEY_FIELD, "action"];
    if K::SYSTEM_MANAGED {
        fields.push("managedBy");
    }
    if K::REPLACEABLE {
        fields.push("forcedBy");
    }
    fields.extend(["changes", "observed", "desired"]);
    if K::AWAITS_AUTHORIZATION {
        fields.push("authorizationUrl");
    }
    deny_unknown(&entry, &fields)?;
    let key: K::Key = take(&mut entry, K::KEY_FIELD)?;
    let action: Action = take(&mut entry, "action")?;
    let managed_by: Option<String> = take_opt(&mut entry, "managedBy")?;
    let forced_by: Vec<String> = if K::REPLACEABLE { take(&mut entry, "forcedBy")? } else { Vec::new() };
    let authorization_url: Option<String> = take_opt(&mut entry, "authorizationUrl")?;
    let changes: Vec<Change> = take(&mut entry, "changes")?;
    let observed = match take_opt::<RawEntry>(&mut entry, "observed")? {
        Some(o) => Some(saved_fingerprint::<K>(o)?),
        None => None,
    };
    let noun = K::NOUN;
    let name = format!("{noun} {}", K::cite(&key));
    let desired = match take_opt::<serde_json::Value>(&mut entry, "desired")? {
        None => None,
        Some(d) => {
            let file = format!("plan file: gateways[{gateway}].{}[{key}].desired", K::SPEC_KEY);
            let item: K::Desired = decode_saved(gateway, &file, &d, K::check_cross_field)?;
            let have = K::key(&item);
            if have != key {
                return Err(PlanFileError::Inconsistent(format!(
                    "gateway `{gateway}`: {name} has desired {} {}",
                    K::KEY_FIELD,
                    K::cite(&have)
                )));
            }
            Some(item)
        }
    };
    let system = managed_by.is_some();
    if system && (action != Action::NoOp || desired.is_some()) {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: a system-managed {noun} must be a no-op without desired"
        )));
    }
    if !system && (action == Action::Delete) != desired.is_none() {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: desired must be null exactly for delete"
        )));
    }
    if (action == Action::Create) != observed.is_none() {
        return Err(PlanFileError::Inconsistent(format!(
            "gateway `{gateway}`: {name}: observed must be null exactly for create"
        )));
    }
    Ok(ItemPlan { key, action, managed_by, forced_by, changes, observed, desired, authorization_url })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawPolicyPlan {
    action: Action,
    changes: Vec<Change>,
    observed: Option<String>,
    desired: Option<serde_json::Value>,
}

impl RawPolicyPlan {
    fn into_plan(self, gateway: &str) -> Result<PolicyPlan, PlanFileError> {
        let desired = match &self.desired {
            None => None,
            Some(d) => {
                let file = format!("plan file: gateways[{gateway}].resourcePolicy.desired");
                Some(decode_saved::<ResourcePolicy>(gateway, &file, d, |_, _| {})?)
            }
        };
        Ok(PolicyPlan { action: self.action, changes: self.changes, observed: self.observed, desired })
    }
}

impl RawGatewayPlan {
    fn into_plan(self) -> Result<GatewayPlan, PlanFileError> {
        let desired = match &self.desired {
            Some(desired) => Some(decode_desired(&self.name, desired)?),
            None => None,
        };
        let targets = saved_items::<TargetKind>(&self.name, self.targets)?;
        let resource_policy = match self.resource_policy {
            Some(p) => Some(p.into_plan(&self.name)?),
            None => None,
        };
        let rate_limits = saved_items::<RateLimitKind>(&self.name, self.rate_limits)?;
        let rules = saved_items::<RuleKind>(&self.name, self.rules)?;
        Ok(GatewayPlan {
            resource_policy,
            rate_limits,
            rules,
            name: self.name,
            action: self.action,
            forced_by: self.forced_by,
            update_gateway: self.update_gateway,
            changes: self.changes,
            tag_changes: self.tag_changes,
            observed: self.observed,
            desired,
            reason: self.reason,
            targets,
        })
    }
}

/// A saved plan's desired configuration, checked like a spec.
fn decode_desired(name: &str, desired: &serde_json::Value) -> Result<Gateway, PlanFileError> {
    decode_saved(name, &format!("plan file: gateways[{name}].desired"), desired, Gateway::check_cross_field)
}

/// A desired value of a saved plan, at `file` (its place in the plan file), checked like a spec:
/// the model's decoder and the shape's `cross_field` rules. Only errors refuse it.
fn decode_saved<T: Decode>(
    gateway: &str,
    file: &str,
    desired: &serde_json::Value,
    cross_field: fn(&Node, &mut Cx<'_>),
) -> Result<T, PlanFileError> {
    let mut problems = Vec::new();
    let node = Node::from_json(desired);
    let decoded = {
        let mut cx = Cx::new(file, &mut problems);
        cx.set_gateway(Some(gateway.to_string()));
        let value = T::decode(&node, &mut cx);
        cross_field(&node, &mut cx);
        value
    };
    let mut problems = Problems(problems);
    problems.sort();
    match decoded {
        Some(value) if !problems.has_errors() => Ok(value),
        _ => {
            problems.0.retain(|p| p.severity == Severity::Error);
            Err(PlanFileError::InvalidGateway { name: gateway.to_string(), problems })
        }
    }
}

/// A gateway's drift state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DriftState {
    #[serde(rename = "in-sync")]
    InSync,
    #[serde(rename = "modified")]
    Modified,
    #[serde(rename = "missing")]
    Missing,
    /// Owned by this run's owner, but in no spec.
    #[serde(rename = "orphaned")]
    Orphaned,
}

impl DriftState {
    /// The wire name (`in-sync`, `modified`, `missing`).
    pub fn as_str(self) -> &'static str {
        match self {
            DriftState::InSync => "in-sync",
            DriftState::Modified => "modified",
            DriftState::Missing => "missing",
            DriftState::Orphaned => "orphaned",
        }
    }
}

/// One gateway in a drift report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftEntry {
    pub name: String,
    pub state: DriftState,
    /// `null` when missing.
    pub gateway_id: Option<String>,
    /// `null` when missing.
    pub status: Option<GatewayStatus>,
    /// Fields whose drift could only be undone by replacing the gateway.
    pub forced_by: Vec<String>,
    /// Field differences, live → spec (empty unless modified).
    pub changes: Vec<Change>,
    /// Tag differences, live → spec (empty unless modified).
    pub tag_changes: Vec<TagChange>,
    /// The gateway's targets when its spec declares `targets:` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<ItemDrift<TargetKind>>>,
    /// The gateway's rate limits when its spec declares `rateLimits:` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<Vec<ItemDrift<RateLimitKind>>>,
    /// The gateway's rules when its spec declares `rules:` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<ItemDrift<RuleKind>>>,
}

/// One item (a target, a rule, a rate limit) in a drift report: in-sync, modified, missing,
/// not-declared or pending-authorization; a system-managed item is in-sync and carries its
/// `managedBy`. Its key is written under the kind's [`ItemKind::KEY_FIELD`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDrift<K: ItemKind> {
    pub key: K::Key,
    pub state: TargetDriftState,
    /// The service's ID; `null` when missing (written only for kinds that name it in reports).
    pub id: Option<String>,
    /// `null` when missing.
    pub status: Option<K::Status>,
    /// `system.managedBy` of a system-managed item.
    pub managed_by: Option<String>,
    /// Why undoing the drift replaces it (e.g. changed `dimensionKeys`).
    pub forced_by: Vec<String>,
    /// Field differences, live → spec (empty unless modified).
    pub changes: Vec<Change>,
    /// Where a user authorizes it, when pending authorization.
    pub authorization_url: Option<String>,
}

impl<K: ItemKind> ItemDrift<K> {
    fn of(p: &ItemPlan<K>) -> Self {
        ItemDrift {
            key: p.key.clone(),
            state: match p.action {
                Action::Create => TargetDriftState::Missing,
                Action::Delete => TargetDriftState::NotDeclared,
                Action::Update | Action::Replace => TargetDriftState::Modified,
                Action::NoOp if p.authorization_url.is_some() => TargetDriftState::PendingAuthorization,
                Action::NoOp => TargetDriftState::InSync,
            },
            id: p.observed.as_ref().map(|o| o.id.clone()),
            status: p.observed.as_ref().map(|o| o.status.clone()),
            managed_by: p.managed_by.clone(),
            forced_by: p.forced_by.clone(),
            // A drift report is never applied, so unlike a plan it has no need of secret values:
            // every rendering of it, JSON included, shows them as `(sensitive)`.
            changes: if p.action == Action::Create {
                Vec::new()
            } else {
                crate::diff::mask_sensitive(&p.changes, K::sensitive)
            },
            authorization_url: p.authorization_url.clone(),
        }
    }
}

impl<K: ItemKind> Serialize for ItemDrift<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry(K::KEY_FIELD, &self.key)?;
        m.serialize_entry("state", &self.state)?;
        if K::ID_IN_REPORTS {
            m.serialize_entry(K::ID_FIELD, &self.id)?;
        }
        m.serialize_entry("status", &self.status)?;
        if let Some(by) = &self.managed_by {
            m.serialize_entry("managedBy", by)?;
        }
        if K::REPLACEABLE {
            m.serialize_entry("forcedBy", &self.forced_by)?;
        }
        m.serialize_entry("changes", &self.changes)?;
        if let Some(url) = &self.authorization_url {
            m.serialize_entry("authorizationUrl", url)?;
        }
        m.end()
    }
}

/// How a declared (or live, undeclared) item compares with its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TargetDriftState {
    #[serde(rename = "in-sync")]
    InSync,
    #[serde(rename = "modified")]
    Modified,
    #[serde(rename = "missing")]
    Missing,
    /// Live, but `targets:` does not name it (drift: apply deletes it).
    #[serde(rename = "not-declared")]
    NotDeclared,
    /// In sync, but waiting for a user to authorize it (OAuth authorization code): not drift.
    #[serde(rename = "pending-authorization")]
    PendingAuthorization,
}

impl TargetDriftState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetDriftState::InSync => "in-sync",
            TargetDriftState::Modified => "modified",
            TargetDriftState::Missing => "missing",
            TargetDriftState::NotDeclared => "not-declared",
            TargetDriftState::PendingAuthorization => "pending-authorization",
        }
    }
}

/// Counts per drift state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftSummary {
    pub in_sync: usize,
    pub modified: usize,
    pub missing: usize,
    /// Owned gateways in no spec (drift).
    pub orphaned: usize,
    pub unmanaged: usize,
    /// Gateways that could not be checked.
    pub failed: usize,
}

/// What `acgw drift` reports; [`DriftReport::has_drift`] decides exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    /// Always [`FORMAT_VERSION`].
    pub format_version: String,
    pub target: Target,
    pub summary: DriftSummary,
    /// Sorted by name.
    pub gateways: Vec<DriftEntry>,
    /// Listed for information; unmanaged gateways are not drift.
    pub unmanaged: Vec<Unmanaged>,
    /// Gateways the specs name that could not be checked, sorted by name; `drift` exits 1.
    pub failed: Vec<FailedGateway>,
}

impl DriftReport {
    /// True when any managed gateway is modified or missing.
    pub fn has_drift(&self) -> bool {
        self.gateways.iter().any(|g| g.state != DriftState::InSync)
    }

    /// True when any gateway could not be checked.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty()
    }

    /// The versioned JSON document, pretty-printed, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;
    use serde_json::json;

    #[test]
    fn every_action_is_planned() {
        let plan = fixture::plan();
        let actions: Vec<(&str, Action)> = plan.gateways.iter().map(|g| (g.name.as_str(), g.action)).collect();
        assert_eq!(
            actions,
            vec![
                ("billing", Action::Create),
                ("catalog", Action::NoOp),
                ("metrics", Action::Update),
                ("orders", Action::Update),
                ("search", Action::Replace),
            ]
        );
        assert_eq!(
            plan.summary,
            Summary { create: 1, update: 2, replace: 1, no_op: 1, unmanaged: 2, failed: 0, delete: 0, orphaned: 0 }
        );
        assert!(plan.has_changes());
        let names: Vec<&str> = plan.unmanaged.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, vec!["adhoc", "old-orders"]);
    }

    #[test]
    fn server_defaults_plan_as_no_op() {
        let plan = fixture::plan();
        let catalog = plan.get("catalog").expect("planned");
        assert!(catalog.changes.is_empty() && catalog.tag_changes.is_empty(), "{catalog:?}");
        let fp = catalog.observed.as_ref().expect("observed");
        assert!(fp.tags.is_empty(), "aws: tags are not part of the fingerprint");
    }

    #[test]
    fn replace_names_the_forcing_field() {
        let plan = fixture::plan();
        let search = plan.get("search").expect("planned");
        assert_eq!(search.forced_by, vec!["authorizerType".to_string()]);
        assert!(!search.update_gateway);
    }

    #[test]
    fn a_failed_gateway_is_replaced_and_an_unsuccessful_update_is_sent_again() {
        let config = json!({"name": "g", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE"});
        let desired = fixture::gateway(config.clone());
        let failed = fixture::live(config.clone(), GatewayStatus::Failed, &[]);
        let planned = plan_one(&desired, Some(&failed)).expect("readable");
        assert_eq!(planned.action, Action::Replace);
        assert_eq!(planned.forced_by, [FORCED_BY_FAILED]);
        let unsuccessful = fixture::live(config.clone(), GatewayStatus::UpdateUnsuccessful, &[]);
        let planned = plan_one(&desired, Some(&unsuccessful)).expect("readable");
        assert_eq!((planned.action, planned.update_gateway), (Action::Update, true));
        assert!(planned.changes.is_empty());
        let ready = fixture::live(config, GatewayStatus::Ready, &[]);
        assert_eq!(plan_one(&desired, Some(&ready)).expect("readable").action, Action::NoOp);
    }

    #[test]
    fn tags_only_update_needs_no_update_gateway_call() {
        let plan = fixture::plan();
        assert!(!plan.get("metrics").expect("planned").update_gateway);
        assert!(plan.get("orders").expect("planned").update_gateway);
    }

    #[test]
    fn fingerprint_records_what_was_observed() {
        let plan = fixture::plan();
        let fp = plan.get("orders").and_then(|g| g.observed.clone()).expect("observed");
        assert_eq!(fp.gateway_id, "orders-a1b2c3d4e5");
        assert_eq!(fp.updated_at, "2025-06-01T12:00:00Z");
        assert_eq!(fp.status, GatewayStatus::Ready);
        assert_eq!(fp.tags, TagMap::from([("owner".into(), "alice".into()), ("team".into(), "orders".into())]));
    }

    #[test]
    fn desired_is_kept_as_declared() {
        let (desired, _) = fixture::state();
        let plan = fixture::plan();
        for spec in &desired.specs {
            assert_eq!(plan.get(spec.gateway.name.as_str()).expect("planned").desired.as_ref(), Some(&spec.gateway));
        }
    }

    #[test]
    fn json_round_trips() {
        let plan = fixture::plan();
        let back = Plan::from_json(&plan.to_json()).expect("reads back");
        assert_eq!(back, plan);
    }

    #[test]
    fn build_is_deterministic() {
        assert_eq!(fixture::plan().to_json(), fixture::plan().to_json());
    }

    fn tampered(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Plan, PlanFileError> {
        let mut v: serde_json::Value = serde_json::from_str(&fixture::plan().to_json()).expect("json");
        edit(&mut v);
        Plan::from_json(&v.to_string())
    }

    #[test]
    fn invalid_desired_config_is_rejected_with_its_path() {
        let err = tampered(|v| {
            v["gateways"][3]["desired"]["protocolConfiguration"]["mcp"]["sessionConfiguration"]
                ["sessionTimeoutInSeconds"] = json!(5)
        })
        .expect_err("rejected");
        let text = err.to_string();
        assert!(matches!(err, PlanFileError::InvalidGateway { .. }), "{text}");
        assert!(text.contains("protocolConfiguration.mcp.sessionConfiguration.sessionTimeoutInSeconds"), "{text}");
        assert!(text.contains("gateway `orders`"), "{text}");
    }

    #[test]
    fn unknown_keys_and_cross_field_rules_are_rejected() {
        let err = tampered(|v| v["gateways"][0]["desired"]["roleARN"] = json!("x")).expect_err("rejected");
        assert!(err.to_string().contains("did you mean `roleArn`"), "{err}");
        let err = tampered(|v| {
            v["gateways"][0]["desired"]["authorizerType"] = json!("CUSTOM_JWT");
        })
        .expect_err("rejected");
        assert!(err.to_string().contains("authorizerConfiguration"), "{err}");
        let err = tampered(|v| v["gateways"][0]["extra"] = json!(1)).expect_err("rejected");
        assert!(matches!(err, PlanFileError::Json(_)), "{err}");
    }

    #[test]
    fn other_versions_are_refused() {
        let err = tampered(|v| v["format_version"] = json!("4")).expect_err("refused");
        assert!(matches!(err, PlanFileError::Version { .. }), "{err}");
        let err = tampered(|v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("format_version");
            }
        })
        .expect_err("refused");
        assert!(matches!(err, PlanFileError::Version { .. }), "{err}");
        assert!(matches!(Plan::from_json("not json"), Err(PlanFileError::Json(_))));
    }

    #[test]
    fn inconsistent_plans_are_refused() {
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<Edit> = vec![
            Box::new(|v| v["summary"]["create"] = json!(7)),
            Box::new(|v| v["gateways"][0]["observed"] = v["gateways"][1]["observed"].clone()),
            Box::new(|v| v["gateways"][1]["action"] = json!("create")),
            Box::new(|v| v["gateways"][4]["forcedBy"] = json!([])),
            Box::new(|v| v["gateways"][0]["name"] = json!("zzz")),
            Box::new(|v| v["gateways"][1]["desired"]["name"] = json!("other")),
            Box::new(|v| v["unmanaged"][0]["name"] = json!("orders")),
            Box::new(|v| v["gateways"][1]["changes"] = v["gateways"][3]["changes"].clone()),
            Box::new(|v| v["gateways"][3]["tagChanges"][0]["key"] = json!("other")),
            Box::new(|v| v["gateways"][3]["desired"]["tags"]["env"] = json!("dev")),
        ];
        for (i, edit) in cases.into_iter().enumerate() {
            let err = tampered(edit).expect_err("refused");
            assert!(matches!(err, PlanFileError::Inconsistent(_)), "case {i}: {err}");
        }
    }

    #[test]
    fn staleness_names_what_moved() {
        let (_, observed) = fixture::state();
        let plan = fixture::plan();
        let orders = plan.get("orders").expect("planned");
        let same = observed.managed.get("orders").expect("live");
        assert!(staleness(orders, Some(Fingerprint::of(same))).is_empty());

        let mut moved = same.clone();
        moved.live.updated_at = "2025-06-02T00:00:00Z".into();
        moved.live.status = GatewayStatus::Updating;
        moved.tags.insert("new".into(), "x".into());
        moved.tags.insert("aws:ignored".into(), "x".into());
        let why = staleness(orders, Some(Fingerprint::of(&moved)));
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(why[0].contains("updatedAt") && why[1].contains("status") && why[2].contains("new"), "{why:?}");

        assert!(staleness(orders, None)[0].contains("no longer exists"));
        let billing = plan.get("billing").expect("planned");
        assert!(staleness(billing, None).is_empty());
        assert!(staleness(billing, Some(Fingerprint::of(same)))[0].contains("now exists"));
    }

    #[test]
    fn drift_report_maps_actions_to_states() {
        let report = fixture::plan().drift_report();
        let states: Vec<(&str, DriftState)> = report.gateways.iter().map(|g| (g.name.as_str(), g.state)).collect();
        assert_eq!(
            states,
            vec![
                ("billing", DriftState::Missing),
                ("catalog", DriftState::InSync),
                ("metrics", DriftState::Modified),
                ("orders", DriftState::Modified),
                ("search", DriftState::Modified),
            ]
        );
        assert!(report.has_drift());
        assert_eq!(
            report.summary,
            DriftSummary { in_sync: 1, modified: 3, missing: 1, orphaned: 0, unmanaged: 2, failed: 0 }
        );
    }

    #[test]
    fn unmanaged_alone_is_not_drift() {
        let plan = fixture::plan();
        let gateways = plan.gateways.into_iter().filter(|g| g.action == Action::NoOp).collect();
        let plan = Plan::assemble(plan.target, gateways, plan.unmanaged, plan.failed);
        assert!(!plan.has_changes());
        assert!(!plan.drift_report().has_drift());
    }
}

#[cfg(test)]
mod ownership_tests {
    use super::*;
    use crate::model::live::TargetSummary;
    use crate::render::fixture;

    fn owned(name: &str, tags: &[(&str, &str)], targets: usize) -> Owned {
        Owned {
            summary: GatewaySummary {
                gateway_id: format!("{name}-0123456789"),
                name: name.into(),
                status: GatewayStatus::Ready,
                updated_at: "2026-01-01T00:00:00Z".into(),
            },
            gateway_arn: format!("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/{name}-0123456789"),
            tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            targets: Some(
                (0..targets)
                    .map(|i| TargetSummary {
                        target_id: format!("T{i}"),
                        name: format!("t{i}"),
                        status: "READY".into(),
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn pruning_deletes_owned_orphans_refuses_protected_ones_and_reads_back() {
        let (desired, mut observed) = fixture::state();
        observed.owned.push(owned("old", &[(OWNER_TAG, "me")], 2));
        observed.owned.push(owned("vault", &[(OWNER_TAG, "me"), (PREVENT_DESTROY_TAG, "true")], 0));
        let listed = build(&desired, &observed);
        assert_eq!(listed.orphaned.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["old", "vault"]);
        assert!(listed.gateways.iter().all(|g| g.action != Action::Delete));
        assert!(listed.drift_report().gateways.iter().any(|g| g.state == DriftState::Orphaned));

        let pruned = build_with(&desired, &observed, true);
        let old = pruned.get("old").expect("planned");
        assert_eq!((old.action, old.reason, old.desired.is_none()), (Action::Delete, Some(DeleteReason::Pruned), true));
        assert_eq!(pruned.summary.delete, 1);
        assert!(pruned.failed.iter().any(|f| f.name == "vault" && f.error.contains("preventDestroy: false")));
        let back = Plan::from_json(&pruned.to_json()).expect("a plan with deletions reads back");
        assert_eq!(back.get("old"), Some(old));

        // Gaining a target makes the deletion stale.
        let mut now = old.observed.clone().expect("observed");
        now.targets.as_mut().expect("targets").push(TargetSummary {
            target_id: "T9".into(),
            name: "late".into(),
            status: "READY".into(),
        });
        assert_eq!(staleness(old, Some(now)), ["it gained targets (T9)"]);
    }

    #[test]
    fn the_owner_tag_is_compared_only_when_an_owner_is_desired() {
        let live: TagMap = [(OWNER_TAG.to_string(), "them".to_string()), ("team".into(), "x".into())].into();
        let without: TagMap = [("team".to_string(), "x".to_string())].into();
        assert!(diff::tags(&normalize::comparable_tags(&live, &without), &without).is_empty());
        let mut with = without.clone();
        with.insert(OWNER_TAG.into(), "me".into());
        let changes = diff::tags(&normalize::comparable_tags(&live, &with), &with);
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].before.as_deref(), changes[0].after.as_deref()), (Some("them"), Some("me")));
    }

    fn live_target(name: &str, id: &str, updated_at: &str, endpoint: &str) -> LiveTarget {
        let config = serde_json::json!({ "name": name, "targetConfiguration": { "mcp": { "mcpServer": { "endpoint": endpoint } } } });
        let mut problems = Vec::new();
        let t = GatewayTarget::decode(&Node::from_json(&config), &mut Cx::new("test", &mut problems)).expect("decodes");
        LiveTarget {
            target_id: id.into(),
            name: name.into(),
            status: TargetStatus::Ready,
            status_reasons: Vec::new(),
            updated_at: updated_at.into(),
            last_synchronized_at: None,
            authorization_url: None,
            config: Ok(t),
        }
    }

    #[test]
    fn targets_are_planned_by_name_and_a_saved_plan_goes_stale_when_one_moves() {
        let keep = live_target("keep", "AAAAAAAAAA", "t1", "https://keep");
        let change = live_target("change", "BBBBBBBBBB", "t1", "https://old");
        let gone = live_target("gone", "CCCCCCCCCC", "t1", "https://gone");
        let want = |name: &str, endpoint: &str| live_target(name, "", "", endpoint).config.expect("config");
        let desired = [want("keep", "https://keep"), want("change", "https://new"), want("new", "https://new")];
        let live = [keep.clone(), change.clone(), gone.clone()];
        let plans = plan_targets(&desired, Some(&live), Some("us-east-1"));
        let actions: Vec<(&str, Action)> = plans.iter().map(|p| (p.key.name.as_str(), p.action)).collect();
        assert_eq!(
            actions,
            [("change", Action::Update), ("gone", Action::Delete), ("keep", Action::NoOp), ("new", Action::Create)]
        );
        assert_eq!(plans[0].changes[0].path, "targetConfiguration.mcp.mcpServer.endpoint");
        assert!(target_staleness(&plans, &live).is_empty(), "nothing moved");
        let moved = [live_target("keep", "AAAAAAAAAA", "t2", "https://keep"), change.clone(), gone.clone()];
        assert_eq!(target_staleness(&plans, &moved), ["target keep: updatedAt moved from t1 to t2"]);
        let vanished = [keep.clone(), change.clone()];
        assert_eq!(target_staleness(&plans, &vanished), ["target gone no longer exists (was targetId CCCCCCCCCC)"]);
        let appeared = [keep, change, gone, live_target("new", "DDDDDDDDDD", "t1", "https://new")];
        assert_eq!(target_staleness(&plans, &appeared), ["target new now exists (targetId DDDDDDDDDD)"]);
    }

    fn rate_limit(id: &str, keys: &[&str], rate: f64, description: Option<&str>) -> RateLimit {
        // Short names for valid dimension keys (the model allows only a fixed grammar).
        let keys: Vec<String> = keys.iter().map(|k| format!("$.context.request.header.{k}")).collect();
        let dims: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|k| (k.to_string(), serde_json::json!("*"))).collect();
        let mut v = serde_json::json!({
            "rateLimitId": id,
            "dimensionKeys": keys,
            "entries": [
                { "dimensions": dims, "requests": [{ "rate": rate, "period": "minute" }], "tokens": [] },
            ],
        });
        if let Some(d) = description {
            v["description"] = serde_json::json!(d);
        }
        let mut problems = Vec::new();
        let r = RateLimit::decode(&Node::from_json(&v), &mut Cx::new("test", &mut problems)).expect("valid");
        assert!(problems.is_empty(), "{problems:?}");
        r
    }

    fn live_rate_limit(config: RateLimit, updated_at: &str) -> LiveRateLimit {
        LiveRateLimit {
            rate_limit_id: config.rate_limit_id.as_str().to_string(),
            status: GatewayRateLimitStatus::Active,
            updated_at: updated_at.to_string(),
            config: Ok(config),
        }
    }

    #[test]
    fn rate_limits_are_planned_by_id_replaced_when_keys_change_and_go_stale() {
        let live = [
            live_rate_limit(rate_limit("keep", &["a"], 1.0, None), "t1"),
            live_rate_limit(rate_limit("change", &["b"], 1.0, Some("d")), "t1"),
            live_rate_limit(rate_limit("rekey", &["c"], 1.0, None), "t1"),
            live_rate_limit(rate_limit("undescribe", &["e"], 1.0, Some("d")), "t1"),
            live_rate_limit(rate_limit("gone", &["f"], 1.0, None), "t1"),
        ];
        let desired = [
            rate_limit("keep", &["a"], 1.0, None),
            rate_limit("change", &["b"], 2.0, Some("d")),
            rate_limit("rekey", &["c", "d"], 1.0, None),
            rate_limit("undescribe", &["e"], 1.0, None),
            rate_limit("new", &["g"], 1.0, None),
        ];
        let plans = plan_rate_limits(&desired, Some(&live));
        let actions: Vec<(&str, Action)> = plans.iter().map(|p| (p.key.rate_limit_id.as_str(), p.action)).collect();
        assert_eq!(
            actions,
            [
                ("change", Action::Update),
                ("gone", Action::Delete),
                ("keep", Action::NoOp),
                ("new", Action::Create),
                ("rekey", Action::Replace),
                ("undescribe", Action::Replace),
            ]
        );
        assert_eq!(plans[0].changes.len(), 1);
        assert_eq!(plans[0].changes[0].path, "entries[0].requests[0].rate");
        assert_eq!(plans[4].forced_by, [DIMENSION_KEYS_REPLACE]);
        assert_eq!(plans[5].forced_by, [DESCRIPTION_REPLACE]);
        assert!(plans[2].changes.is_empty(), "an empty `tokens` equals absent");
        // A new gateway gets every rate limit created.
        assert!(plan_rate_limits(&desired, None).iter().all(|p| p.action == Action::Create));
        // Staleness: moved, vanished, appeared.
        assert!(rate_limit_staleness(&plans, &live).is_empty(), "nothing moved");
        let mut moved = live.to_vec();
        moved[0].updated_at = "t2".into();
        assert_eq!(rate_limit_staleness(&plans, &moved), ["rate limit keep: updatedAt moved from t1 to t2"]);
        assert_eq!(rate_limit_staleness(&plans, &live[..4]), ["rate limit gone no longer exists"]);
        let mut appeared = live.to_vec();
        appeared.push(live_rate_limit(rate_limit("intruder", &["z"], 1.0, None), "t1"));
        assert_eq!(rate_limit_staleness(&plans, &appeared), ["rate limit intruder appeared"]);
    }

    fn rule(priority: i32, path: &str, description: Option<&str>) -> Rule {
        let path = format!("{path}/*"); // the model's path patterns are `/segment/*`
        let mut v = serde_json::json!({
            "priority": priority,
            "conditions": [{ "matchPaths": { "anyOf": [path] } }],
            "actions": [{ "routeToTarget": { "staticRoute": { "targetName": "t" } } }],
        });
        if let Some(d) = description {
            v["description"] = serde_json::json!(d);
        }
        let mut problems = Vec::new();
        let r = Rule::decode(&Node::from_json(&v), &mut Cx::new("test", &mut problems)).expect("valid");
        assert!(problems.is_empty(), "{problems:?}");
        r
    }

    fn live_rule(id: &str, config: Rule, managed_by: Option<&str>) -> LiveRule {
        LiveRule {
            rule_id: id.to_string(),
            status: GatewayRuleStatus::Active,
            updated_at: "t1".to_string(),
            system_managed_by: managed_by.map(str::to_string),
            config: Ok(config),
        }
    }

    #[test]
    fn rules_are_planned_by_priority_system_rules_untouched_and_go_stale() {
        let live = [
            live_rule("SYS0000001", rule(1, "/sys", None), Some("aws")),
            live_rule("KEEP000001", rule(10, "/keep", None), None),
            live_rule("CHANGE0001", rule(20, "/old", None), None),
            live_rule("UNDESC0001", rule(30, "/d", Some("d")), None),
            live_rule("GONE000001", rule(40, "/gone", None), None),
        ];
        let desired = [rule(10, "/keep", None), rule(20, "/new", None), rule(30, "/d", None), rule(50, "/x", None)];
        let plans = plan_rules(&desired, Some(&live)).expect("plans");
        let actions: Vec<(i32, Action)> = plans.iter().map(|p| (p.key.priority, p.action)).collect();
        assert_eq!(
            actions,
            [
                (1, Action::NoOp),
                (10, Action::NoOp),
                (20, Action::Update),
                (30, Action::Replace),
                (40, Action::Delete),
                (50, Action::Create),
            ]
        );
        assert_eq!(plans[0].managed_by.as_deref(), Some("aws"));
        assert_eq!(plans[2].changes.len(), 1);
        assert_eq!(plans[2].changes[0].path, "conditions[0].matchPaths.anyOf[0]");
        assert_eq!(plans[3].forced_by, [RULE_DESCRIPTION_REPLACE]);
        // A rule at a system rule's priority can never be created: an error naming it.
        let err = plan_rules(&[rule(1, "/x", None)], Some(&live)).unwrap_err();
        assert!(err.contains("SYS0000001") && err.contains("aws"), "{err}");
        // A new gateway gets every rule created.
        assert!(plan_rules(&desired, None).unwrap().iter().all(|p| p.action == Action::Create));
        // Staleness: moved, vanished, appeared.
        assert!(rule_staleness(&plans, &live).is_empty(), "nothing moved");
        let mut moved = live.to_vec();
        moved[1].updated_at = "t2".into();
        assert_eq!(rule_staleness(&plans, &moved), ["rule 10 (KEEP000001): updatedAt moved from t1 to t2"]);
        assert_eq!(rule_staleness(&plans, &live[..4]), ["rule 40 (GONE000001) no longer exists"]);
        let mut appeared = live.to_vec();
        appeared.push(live_rule("INTRUDER01", rule(60, "/i", None), None));
        assert_eq!(rule_staleness(&plans, &appeared), ["rule INTRUDER01 appeared"]);
    }
}
