//! Plan: one action per gateway, the fingerprint of what was observed, and the saved-plan format.
//!
//! [`Plan`] serializes to ONE versioned JSON document (see `docs/plan-format.md`): it is both the
//! `--format json` output and the file `plan --out` writes and `apply PLANFILE` reads back with
//! [`Plan::from_json`]. Reading validates the desired configurations exactly like specs.

mod build;
mod drift;
mod items;
#[cfg(test)]
mod ownership_tests;
mod providers;
#[cfg(test)]
#[path = "providers_tests.rs"]
mod providers_tests;
mod saved;
#[cfg(test)]
mod tests;

pub use build::*;
pub use drift::*;
pub use items::*;
pub use providers::*;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::diff::{self, Change, TagChange};
use std::fmt::Debug;

use crate::kind::{GatewayPart, ItemKind, Part, PolicyKind, RateLimitKind, RuleKind, TargetKind};
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
pub const FORMAT_VERSION: &str = "4";

/// The versions of saved plans this build reads: each is the next one without what it added.
pub const READS_FORMAT_VERSIONS: &[&str] = &["1", "2", "3", "4"];

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

/// What a plan holds of each gateway part, generic over the kinds: item plans for a list of
/// items, a [`PolicyPlan`] for the policy; how a saved plan's part is read back; and what a
/// drift report shows of it.
pub trait PlannedPart: GatewayPart {
    /// In a plan: every live and declared item (no-ops included, so that a saved plan records
    /// what it saw), sorted by key; or the policy's plan.
    type Planned: Debug + Clone + PartialEq + Eq + Serialize;
    /// In a saved plan, before it is checked like a spec.
    type Raw: serde::de::DeserializeOwned;
    /// In a drift report ([`Folded`] when the part's drift is shown as the gateway's own).
    type Drift: Debug + Clone + PartialEq + Eq + Serialize;

    /// Hands the part's plan to `visitor`, as a list of items or as the policy.
    fn visit(planned: Option<&Self::Planned>, visitor: &mut impl PartsVisitor);
    /// Hands the part's drift to `visitor` (nothing when it is folded into the gateway's).
    fn visit_drift(drift: Option<&Self::Drift>, visitor: &mut impl DriftVisitor);
    /// A saved plan's part of `gateway`, read and checked like a spec.
    fn read_saved(gateway: &str, raw: Self::Raw) -> Result<Self::Planned, PlanFileError>;
    /// The part as a drift report shows it; `None` when it is folded into the gateway's changes.
    fn drift(planned: &Self::Planned) -> Option<Self::Drift>;
}

/// What a renderer does with each part of a gateway plan: the stages that show parts visit them
/// through [`GatewayPlan::visit_parts`] rather than naming them, so a new list kind shows up
/// with no change there.
pub trait PartsVisitor {
    /// A list part's item plans; `None` when its spec does not declare it.
    fn items<K: ItemKind>(&mut self, plans: Option<&Vec<ItemPlan<K>>>);
    /// The resource policy's plan; `None` when its spec does not declare it.
    fn policy(&mut self, plan: Option<&PolicyPlan>);
}

/// What a renderer does with each part of a drift entry that has a drift view of its own.
pub trait DriftVisitor {
    /// A list part's item drift; `None` when its spec does not declare it.
    fn items<K: ItemKind>(&mut self, drift: Option<&Vec<ItemDrift<K>>>);
}

/// The drift of a part that a drift report shows among the gateway's own changes (the resource
/// policy, under `resourcePolicy`): never a value of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Folded {}

macro_rules! plan_parts {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
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
            $(
                #[doc = concat!("The gateway's `", $key, "` when its spec declares it (see [`PlannedPart::Planned`]); absent otherwise.")]
                #[serde(rename = $key, skip_serializing_if = "Option::is_none")]
                pub $field: Option<<$kind as PlannedPart>::Planned>,
            )*
        }

        impl GatewayPlan {
            /// True when the plan manages `part` (its spec declares it).
            pub fn manages(&self, part: Part) -> bool {
                match part {
                    $(Part::$var => self.$field.is_some(),)*
                }
            }

            /// Hands each part to `visitor`, in the order apply writes them.
            pub fn visit_parts(&self, visitor: &mut impl PartsVisitor) {
                for part in Part::ALL {
                    match part {
                        $(Part::$var => <$kind as PlannedPart>::visit(self.$field.as_ref(), visitor),)*
                    }
                }
            }

            /// A plan for `name` with `action` and nothing else: no changes, no parts.
            pub fn bare(name: String, action: Action) -> GatewayPlan {
                GatewayPlan {
                    name,
                    action,
                    forced_by: Vec::new(),
                    update_gateway: false,
                    changes: Vec::new(),
                    tag_changes: Vec::new(),
                    observed: None,
                    desired: None,
                    reason: None,
                    $($field: None,)*
                }
            }
        }

        /// A saved plan's gateway, before its desired configurations are checked.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub(super) struct RawGatewayPlan {
            pub(super) name: String,
            pub(super) action: Action,
            pub(super) forced_by: Vec<String>,
            pub(super) update_gateway: bool,
            pub(super) changes: Vec<Change>,
            pub(super) tag_changes: Vec<TagChange>,
            pub(super) observed: Option<Fingerprint>,
            pub(super) desired: Option<serde_json::Value>,
            #[serde(default)]
            pub(super) reason: Option<DeleteReason>,
            $(
                #[serde(default, rename = $key)]
                pub(super) $field: Option<<$kind as PlannedPart>::Raw>,
            )*
        }

        impl RawGatewayPlan {
            /// The saved gateway plan, every part read and checked like a spec, in plan order.
            pub(super) fn into_plan(self) -> Result<GatewayPlan, PlanFileError> {
                let desired = match &self.desired {
                    Some(desired) => Some(saved::decode_desired(&self.name, desired)?),
                    None => None,
                };
                $(
                    let $field = match self.$field {
                        Some(raw) => Some(<$kind as PlannedPart>::read_saved(&self.name, raw)?),
                        None => None,
                    };
                )*
                Ok(GatewayPlan {
                    name: self.name,
                    action: self.action,
                    forced_by: self.forced_by,
                    update_gateway: self.update_gateway,
                    changes: self.changes,
                    tag_changes: self.tag_changes,
                    observed: self.observed,
                    desired,
                    reason: self.reason,
                    $($field,)*
                })
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
            $(
                #[doc = concat!("The gateway's `", $key, "` when its spec declares it and the part has a drift view of its own (absent otherwise).")]
                #[serde(rename = $key, skip_serializing_if = "Option::is_none")]
                pub $field: Option<<$kind as PlannedPart>::Drift>,
            )*
        }

        impl DriftEntry {
            /// An entry for `name` in `state` with no differences and no parts.
            pub fn bare(name: String, state: DriftState) -> DriftEntry {
                DriftEntry {
                    name,
                    state,
                    gateway_id: None,
                    status: None,
                    forced_by: Vec::new(),
                    changes: Vec::new(),
                    tag_changes: Vec::new(),
                    $($field: None,)*
                }
            }

            /// Hands each part with a drift view of its own to `visitor`, in the order apply
            /// writes them.
            pub fn visit_parts(&self, visitor: &mut impl DriftVisitor) {
                for part in Part::ALL {
                    match part {
                        $(Part::$var => <$kind as PlannedPart>::visit_drift(self.$field.as_ref(), visitor),)*
                    }
                }
            }

            /// Each part of `plan` as a drift report shows it.
            pub(super) fn with_parts_of(mut self, plan: &GatewayPlan) -> DriftEntry {
                $(self.$field = plan.$field.as_ref().and_then(<$kind as PlannedPart>::drift);)*
                self
            }
        }
    };
}
crate::kind::for_each_part!(plan_parts);

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
    /// The credential providers, when they were read (a spec declares one, or `--prune`).
    #[serde(rename = "credentialProviders", skip_serializing_if = "Option::is_none")]
    pub credential_providers: Option<ProvidersPlan>,
}

/// Why a saved plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("not a valid plan file: {0}{hint}", hint = unknown_field_hint(.0))]
    Json(#[from] serde_json::Error),
    #[error("plan file has format_version {found}; this acgw reads format_version \"1\" to \"4\". A plan from a newer acgw is refused rather than partly applied: apply it with the acgw version that made it (docs/output-format.md)")]
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
            credential_providers: None,
        }
    }

    /// This plan with its credential providers.
    pub fn with_providers(mut self, providers: Option<ProvidersPlan>) -> Plan {
        self.credential_providers = providers;
        self
    }

    /// This plan with `orphaned` listed (and counted).
    pub fn with_orphaned(mut self, mut orphaned: Vec<Unmanaged>) -> Plan {
        orphaned.sort();
        self.summary.orphaned = orphaned.len();
        self.orphaned = orphaned;
        self
    }

    /// True when any gateway or credential provider is to be created, updated, replaced or
    /// deleted.
    pub fn has_changes(&self) -> bool {
        self.gateways.iter().any(GatewayPlan::is_change)
            || self.credential_providers.as_ref().is_some_and(ProvidersPlan::has_changes)
    }

    /// True when any gateway or credential provider the specs name could not be planned.
    pub fn has_failures(&self) -> bool {
        !self.failed.is_empty() || self.credential_providers.as_ref().is_some_and(|p| !p.failed.is_empty())
    }

    /// The plan for the gateway named `name`.
    pub fn get(&self, name: &str) -> Option<&GatewayPlan> {
        self.gateways.iter().find(|g| g.name == name)
    }
}
