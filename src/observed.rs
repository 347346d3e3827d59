//! What observe found, as data: the live state of each managed gateway, the gateways acgw owns,
//! and why a read failed. `observe` (I/O) fills these in; `plan`, `render` and `export` read
//! them, without depending on the API layer that produced them.

use std::collections::BTreeMap;

use crate::kind::GatewayPart;
pub use crate::kind::Part;
use crate::model::credential_provider::{LiveProvider, ProviderSummary};
use crate::model::live::{GatewaySummary, LiveGateway, TagMap, TargetSummary};

/// Why an API call failed, classified for the caller's decisions (retry, wait, report).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("validation failed: {message}{}", fields_suffix(.fields))]
    Validation { message: String, reason: String, fields: Vec<(String, String)> },
    #[error("throttled: {0}")]
    Throttling(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("{code}: {message}")]
    Service { code: String, message: String },
    /// The request may or may not have reached the service (timeouts, refused or reset connections).
    #[error("could not reach the API: {0}")]
    Transport(String),
    /// The service answered with something the model cannot hold.
    #[error("unexpected response: {0}")]
    Response(String),
    /// acgw was interrupted: the call was not sent, or (`sent`) its answer did not come within
    /// the grace period, so it may or may not have taken effect.
    #[error("{}", if *.sent { "interrupted while waiting for the answer; it may or may not have taken effect" } else { "interrupted; not sent" })]
    Interrupted { sent: bool },
}

fn fields_suffix(fields: &[(String, String)]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fields.iter().map(|(n, m)| format!("{n}: {m}")).collect();
    format!(" ({})", parts.join("; "))
}

macro_rules! observed_parts {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
        /// One live gateway that a spec names: its configuration, its tags, and each part its
        /// spec declares (see [`crate::observe::observe_parts`]).
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct LiveState {
            pub live: LiveGateway,
            /// All tags as the API returned them, `aws:` keys included (normalization drops those).
            pub tags: TagMap,
            $(
                #[doc = concat!("What was read of `", $key, ":` (lists sorted by key) when its spec declares it; `None` when it was not read.")]
                pub $field: Option<<$kind as GatewayPart>::Observed>,
            )*
        }

        impl LiveState {
            /// A live gateway with none of its parts read.
            pub fn new(live: LiveGateway, tags: TagMap) -> LiveState {
                LiveState { live, tags, $($field: None,)* }
            }
        }

        /// What was read of one part of one gateway.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum PartValue {
            $($var(<$kind as GatewayPart>::Observed),)*
        }

        impl PartValue {
            /// Stores the value in its field of the managed gateway `gateway`, if it is still managed.
            pub fn store_in(self, observed: &mut Observed, gateway: &str) {
                if let Some(state) = observed.managed.get_mut(gateway) {
                    self.store(state);
                }
            }

            /// Stores the value in its field of `state`.
            pub(crate) fn store(self, state: &mut LiveState) {
                match self {
                    $(PartValue::$var(v) => state.$field = Some(v),)*
                }
            }
        }
    };
}
crate::kind::for_each_part!(observed_parts);

/// A live credential provider that a spec names, as read: its Get answer and all its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveProviderState {
    pub live: LiveProvider,
    /// All tags as the API returned them, `aws:` keys included.
    pub tags: TagMap,
}

/// A live credential provider in no spec that carries the owner tag of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedProvider {
    pub summary: ProviderSummary,
    /// All tags as the API returned them.
    pub tags: TagMap,
}

/// A live target that names a credential provider by ARN: what keeps the provider from being
/// deleted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Holder {
    /// The gateway's name.
    pub gateway: String,
    /// The target's name.
    pub target: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "target {} of gateway {}", self.target, self.gateway)
    }
}

/// What observe found of credential providers. Providers are read only when a spec declares one
/// or owned ones may be pruned ([`ObservedProviders::read`]); otherwise plans say nothing of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedProviders {
    /// True when providers were listed.
    pub read: bool,
    /// Live providers named in the specs (of the kind the spec declares), by name.
    pub managed: BTreeMap<String, LiveProviderState>,
    /// Providers named in the specs that could not be read, by name; each fails alone.
    pub failed: BTreeMap<String, ObserveError>,
    /// Live providers named in no spec (or of the other kind), sorted by name; never touched.
    pub unmanaged: Vec<ProviderSummary>,
    /// Live providers in no spec tagged with this run's owner, sorted by name: what `--prune`
    /// deletes (filled only when pruning).
    pub owned: Vec<OwnedProvider>,
    /// Every live target that names a provider, by the provider's ARN: read (every gateway's
    /// targets) only when a provider may be deleted; `Err` when that scan failed, so that no
    /// provider is deleted on a guess.
    pub holders: Option<Result<BTreeMap<String, Vec<Holder>>, ObserveError>>,
}

/// What observe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Credential providers (see [`ObservedProviders::read`]).
    pub providers: ObservedProviders,
    /// Live gateways named in the specs, by name. A configuration this build cannot represent is
    /// kept here as `Err` in its [`LiveGateway::config`], beside the ID and status.
    pub managed: BTreeMap<String, LiveState>,
    /// Gateways named in the specs that could not be read, by name: each fails alone, never
    /// the gateways around it.
    pub failed: BTreeMap<String, ObserveError>,
    /// Live gateways named in no spec, sorted by name; never touched.
    pub unmanaged: Vec<GatewaySummary>,
    /// Live gateways named in no spec but tagged with this run's owner, sorted by name: what
    /// `--prune` deletes (filled by [`find_owned`]; empty otherwise).
    pub owned: Vec<Owned>,
}

impl Observed {
    /// Moves a managed gateway to [`Observed::failed`] with `error`; a gateway already failed
    /// keeps its first error.
    pub fn fail(&mut self, gateway: &str, error: ObserveError) {
        if self.managed.remove(gateway).is_some() {
            self.failed.insert(gateway.to_string(), error);
        }
    }
}

/// A live gateway in no spec that carries the owner tag of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub summary: GatewaySummary,
    pub gateway_arn: String,
    /// All tags as the API returned them.
    pub tags: TagMap,
    /// Its targets, when they were asked for (a gateway is deleted after its targets).
    pub targets: Option<Vec<TargetSummary>>,
}

/// Why observing failed: the call, the gateway, and the API's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObserveError {
    /// ListGateways failed: nothing can be observed.
    #[error("ListGateways failed: {error}")]
    List { error: ApiError },
    /// GetGateway failed for one gateway.
    #[error("GetGateway for gateway {name} ({gateway_id}) failed: {error}")]
    Get { name: String, gateway_id: String, error: ApiError },
    /// ListTagsForResource failed for one gateway.
    #[error("ListTagsForResource for gateway {name} ({gateway_arn}) failed: {error}")]
    Tags { name: String, gateway_id: String, gateway_arn: String, error: ApiError },
    /// ListGatewayTargets failed for one gateway.
    #[error("ListGatewayTargets for gateway {name} ({gateway_id}) failed: {error}")]
    Targets { name: String, gateway_id: String, error: ApiError },
    /// GetGatewayTarget failed for one target of a gateway.
    #[error("GetGatewayTarget for target {target} ({target_id}) of gateway {name} ({gateway_id}) failed: {error}")]
    TargetGet { name: String, gateway_id: String, target: String, target_id: String, error: ApiError },
    /// A target of a gateway could not be represented by this build.
    #[error("target {target} ({target_id}) of gateway {name} ({gateway_id}): GetGatewayTarget answered {reason}")]
    TargetUnreadable { name: String, gateway_id: String, target: String, target_id: String, reason: String },
    /// Two live targets of one gateway share a name that its spec manages.
    #[error("gateway {name} ({gateway_id}) has {} targets named {target}: {}; a spec cannot tell which one it means (delete the extra ones)", target_ids.len(), target_ids.join(", "))]
    DuplicateTarget { name: String, gateway_id: String, target: String, target_ids: Vec<String> },
    /// GetResourcePolicy failed for one gateway.
    #[error("GetResourcePolicy for gateway {name} ({gateway_id}) failed: {error}")]
    Policy { name: String, gateway_id: String, error: ApiError },
    /// Listing a gateway's items of one kind (ListGatewayRules, ListGatewayRateLimits) failed.
    #[error("{call} for gateway {name} ({gateway_id}) failed: {error}")]
    Items { call: &'static str, name: String, gateway_id: String, error: ApiError },
    /// An item of a gateway could not be represented by this build.
    #[error("{noun} {item} of gateway {name} ({gateway_id}): {call} answered {reason}")]
    ItemUnreadable {
        noun: &'static str,
        call: &'static str,
        name: String,
        gateway_id: String,
        item: String,
        reason: String,
    },
    /// Two live items of one gateway have one key: acgw cannot tell which one a spec means.
    #[error("gateway {name} ({gateway_id}) has {} live {nouns} with {key_field} {key}: {}; delete all but one", ids.len(), ids.join(", "))]
    DuplicateItems {
        nouns: &'static str,
        key_field: &'static str,
        name: String,
        gateway_id: String,
        key: String,
        ids: Vec<String>,
    },
    /// More than one live gateway has a name that a spec manages: acgw never guesses.
    #[error(
        "{} live gateways are named {name}: {}; a spec cannot tell which one it means \
         (delete the extra ones, or rename the spec)",
        gateway_ids.len(),
        gateway_ids.join(", ")
    )]
    DuplicateName { name: String, gateway_ids: Vec<String> },
    /// A credential provider call failed (a List: nothing of that kind can be observed; a Get or
    /// ListTagsForResource: that provider alone).
    #[error("{call} for credential provider {name} failed: {error}")]
    Provider { call: &'static str, name: String, error: ApiError },
    /// Listing one kind of credential provider failed: no provider of that kind can be planned.
    #[error("{call} failed: {error}")]
    ProviderList { call: &'static str, error: ApiError },
}

impl ObserveError {
    /// The live gateway this error is about, when there is exactly one.
    pub fn gateway_id(&self) -> Option<&str> {
        match self {
            ObserveError::Get { gateway_id, .. }
            | ObserveError::Tags { gateway_id, .. }
            | ObserveError::Targets { gateway_id, .. }
            | ObserveError::TargetGet { gateway_id, .. }
            | ObserveError::TargetUnreadable { gateway_id, .. }
            | ObserveError::DuplicateTarget { gateway_id, .. }
            | ObserveError::Policy { gateway_id, .. }
            | ObserveError::Items { gateway_id, .. }
            | ObserveError::ItemUnreadable { gateway_id, .. }
            | ObserveError::DuplicateItems { gateway_id, .. } => Some(gateway_id),
            ObserveError::List { .. }
            | ObserveError::DuplicateName { .. }
            | ObserveError::Provider { .. }
            | ObserveError::ProviderList { .. } => None,
        }
    }
}
