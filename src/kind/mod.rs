//! Kinds: what acgw manages, one home per kind, at two levels.
//!
//! - Account-level resources ([`ResourceKind`]): gateways (and next, credential providers),
//!   declared under a top-level spec key and owned through the `acgw:owner` tag.
//! - Gateway parts ([`GatewayPart`]): what a gateway holds under a spec key, where present means
//!   complete and absent means acgw does not manage it. Most are lists of items ([`ItemKind`]:
//!   targets, rules, rate limits); the resource policy is one document ([`PolicyKind`]).
//!
//! This module is the pure half of each kind: identity, normalization, comparison, status
//! semantics and names. The I/O half (its calls) sits with the API layer in
//! [`crate::api::items`]. Each level is registered once ([`for_each_part!`],
//! [`RESOURCE_KINDS`]); the stages generate their per-part fields and dispatch from that list.
//! See `docs/architecture.md` for what adding a kind takes.

pub mod credential_provider;
pub mod gateway;
pub mod policy;
pub mod rate_limit;
pub mod rule;
pub mod target;
pub mod token;

pub use credential_provider::CredentialProviderKind;
pub use gateway::GatewayKind;
pub use policy::PolicyKind;
pub use rate_limit::RateLimitKind;
pub use rule::RuleKind;
pub use target::TargetKind;

use std::fmt::{Debug, Display};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::decode::{Cx, Decode, Node};
use crate::model::live::Unreadable;

/// Every gateway part, registered once: `(Part variant, field name at every stage, spec and JSON
/// key, kind, place in the order apply writes them)`. The list's own order is the order of the
/// parts in plans, drift reports and their JSON. `for_each_part!(m)` calls the macro `m` with the
/// list; each stage generates its per-part fields and dispatch from it (see `Part`,
/// `observed::LiveState`, `plan::GatewayPlan`), so adding a part is one module in `kind/` plus
/// one line here.
macro_rules! for_each_part {
    ($m:path) => {
        $m! {[
            (Targets, targets, "targets", $crate::kind::TargetKind, 0),
            (Policy, resource_policy, "resourcePolicy", $crate::kind::PolicyKind, 3),
            (RateLimits, rate_limits, "rateLimits", $crate::kind::RateLimitKind, 2),
            (Rules, rules, "rules", $crate::kind::RuleKind, 1),
        ]}
    };
}
pub(crate) use for_each_part;

/// Every account-level resource kind, registered once: the top-level spec keys and the order of
/// writes across kinds (creates in this order, deletes in reverse).
pub const RESOURCE_KINDS: &[ResourceInfo] =
    &[ResourceInfo::of::<credential_provider::CredentialProviderKind>(), ResourceInfo::of::<gateway::GatewayKind>()];

macro_rules! part_enum {
    ([$(($var:ident, $field:ident, $key:literal, $kind:ty, $rank:literal)),* $(,)?]) => {
        /// A part of a gateway that is read only when its spec declares it (present means
        /// complete, absent means unmanaged and never read).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Part {
            $(#[doc = concat!("`", $key, ":`")] $var,)*
        }

        impl Part {
            /// Every part, in the order a gateway's parts are applied.
            pub const ALL: [Part; [$($key),*].len()] = by_rank([$((Part::$var, $rank)),*]);
            /// Every part, in the order plans and drift reports list them.
            pub const LISTED: [Part; [$($key),*].len()] = [$(Part::$var),*];

            /// The spec key that declares it.
            pub fn key(self) -> &'static str {
                match self {
                    $(Part::$var => $key,)*
                }
            }

            /// Its place in the order apply writes a gateway's parts.
            pub fn rank(self) -> u8 {
                match self {
                    $(Part::$var => $rank,)*
                }
            }

            /// True when `spec` declares the part, and so acgw manages it (and reads it).
            pub fn declared_in(self, spec: &crate::load::Spec) -> bool {
                match self {
                    $(Part::$var => spec.$field.is_some(),)*
                }
            }

            /// The noun in messages: `targets`, `resource policy`.
            pub fn noun(self) -> &'static str {
                match self {
                    $(Part::$var => <$kind as GatewayPart>::NOUN,)*
                }
            }
        }
    };
}
for_each_part!(part_enum);

/// Parts are ordered as apply writes them.
impl Ord for Part {
    fn cmp(&self, other: &Part) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Part) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `parts` in the order of their ranks (a stable insertion sort, usable in a constant).
const fn by_rank<const N: usize>(mut parts: [(Part, u8); N]) -> [Part; N] {
    let mut i = 1;
    while i < N {
        let mut j = i;
        while j > 0 && parts[j - 1].1 > parts[j].1 {
            let t = parts[j - 1];
            parts[j - 1] = parts[j];
            parts[j] = t;
            j -= 1;
        }
        i += 1;
    }
    let mut out = [Part::Targets; N];
    let mut k = 0;
    while k < N {
        out[k] = parts[k].0;
        k += 1;
    }
    out
}

/// A part of a gateway: a list of items ([`ItemKind`]) or one document ([`PolicyKind`]).
pub trait GatewayPart: 'static {
    /// Its registered variant.
    const PART: Part;
    /// The noun in messages (plural for lists): `targets`, `resource policy`.
    const NOUN: &'static str;
    /// What observe reads of it: a list of live items, or the policy (`None`: there is none).
    type Observed: Clone + Debug + PartialEq + Eq + Send + Sync;
}

/// One kind of account-level resource: declared under a top-level spec key, listed whole (the
/// ones in no spec are only listed, never read further), read per declared resource, and deleted
/// only when the `acgw:owner` tag proves acgw owns it.
pub trait ResourceKind: 'static {
    /// The noun in messages: `gateway`.
    const NOUN: &'static str;
    /// The plural noun: `gateways`.
    const NOUNS: &'static str;
    /// The top-level spec key, also the key of the kind's list in plans: `gateways`.
    const SPEC_KEY: &'static str;
    /// The order of writes across kinds: a lower rank is created before and deleted after a
    /// higher one (a credential provider before the gateways whose targets name it).
    const RANK: u8;
    /// The desired configuration, as specs declare it.
    type Desired;
    /// A live resource as the service reports it.
    type Live;

    /// A desired resource's identity: its name, unique within the kind.
    fn name(desired: &Self::Desired) -> &str;
    /// A live resource's configuration, as compared: both sides are normalized the same way.
    fn normalized(desired: &Self::Desired) -> Self::Desired;
}

/// What the registry records of an account-level kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    pub noun: &'static str,
    pub nouns: &'static str,
    pub spec_key: &'static str,
    pub rank: u8,
}

impl ResourceInfo {
    /// The registry entry of kind `K`.
    pub const fn of<K: ResourceKind>() -> ResourceInfo {
        ResourceInfo { noun: K::NOUN, nouns: K::NOUNS, spec_key: K::SPEC_KEY, rank: K::RANK }
    }
}

/// One kind of gateway item: how the stages identify, compare, plan and render its items.
pub trait ItemKind: Debug + Clone + Copy + PartialEq + Eq + Send + Sync + 'static {
    /// The noun in messages, `done` lines and errors: `target`, `rule`, `rate limit`.
    const NOUN: &'static str;
    /// The plural noun: `targets`, `rules`, `rate limits`.
    const NOUNS: &'static str;
    /// The spec key, also the prefix of change paths in Markdown: `targets`, `rules`,
    /// `rateLimits`.
    const SPEC_KEY: &'static str;
    /// The JSON name of the key in plans and drift reports: `name`, `priority`, `rateLimitId`.
    const KEY_FIELD: &'static str;
    /// The JSON name of the service's ID in fingerprints: `targetId`, `ruleId`, `rateLimitId`.
    const ID_FIELD: &'static str;
    /// True when live items may be system-managed: plans may then carry `managedBy`.
    const SYSTEM_MANAGED: bool = false;
    /// True when an item may have to be replaced: plans and drift reports then carry `forcedBy`.
    const REPLACEABLE: bool = true;
    /// True when the key is an item's lasting identity (a target's name, a rate limit's ID): a
    /// saved plan follows an item by it, and messages name the item by it alone. False when an
    /// item keeps its service ID while its key may change (a rule moved to another priority):
    /// it is then followed by its ID and named by both.
    const KEY_IS_IDENTITY: bool = true;
    /// True when drift reports and Markdown name an item with its service ID too (targets).
    const ID_IN_REPORTS: bool = false;
    /// True when live items may wait for a user's authorization: plans and drift reports may
    /// then carry `authorizationUrl`.
    const AWAITS_AUTHORIZATION: bool = false;

    /// The desired configuration, as specs declare it (`model::rule::Rule`).
    type Desired: Clone + Debug + PartialEq + Eq + Serialize + Decode + Send + Sync;
    /// A live item as the service reports it (`model::live::LiveRule`).
    type Live: Clone + Debug + Send + Sync;
    /// A live item's lifecycle status.
    type Status: Clone + Debug + PartialEq + Eq + Display + Serialize + DeserializeOwned + Send + Sync;
    /// An item's identity within its gateway (a name, a priority, a rate limit ID); serialized
    /// as the bare value under [`ItemKind::KEY_FIELD`].
    type Key: Clone + Debug + Default + PartialEq + Eq + Ord + Display + Serialize + DeserializeOwned + Send + Sync;

    /// The key of a desired item.
    fn key(desired: &Self::Desired) -> Self::Key;
    /// The key of a live item; `None` when it cannot be read (observe fails such gateways).
    fn live_key(live: &Self::Live) -> Option<Self::Key>;
    /// The service's ID of a live item.
    fn live_id(live: &Self::Live) -> &str;
    /// A live item's status.
    fn live_status(live: &Self::Live) -> &Self::Status;
    /// A live item's `updatedAt`, as the service reported it.
    fn live_updated_at(live: &Self::Live) -> &str;
    /// A live item's configuration, or why this build cannot represent it.
    fn live_read(live: &Self::Live) -> Result<&Self::Desired, &Unreadable>;
    /// A live item's configuration; `None` when this build cannot represent it.
    fn live_config(live: &Self::Live) -> Option<&Self::Desired> {
        Self::live_read(live).ok()
    }
    /// `system.managedBy` of a system-managed live item, which acgw never changes or deletes.
    fn system_managed_by(_live: &Self::Live) -> Option<&str> {
        None
    }
    /// An item as compared: both sides are normalized the same way before the diff (a target's
    /// defaults depend on the gateway's `region`).
    fn normalized(desired: &Self::Desired, region: Option<&str>) -> serde_json::Value;
    /// An item to be created, as its plan lists every field it sets.
    fn as_created(desired: &Self::Desired, region: Option<&str>) -> serde_json::Value {
        Self::normalized(desired, region)
    }
    /// Why `desired` cannot be reached from `live` in place (empty when it can): a change that
    /// replaces the item.
    fn forced_by(_live: &Self::Desired, _desired: &Self::Desired) -> Vec<String> {
        Vec::new()
    }
    /// True when a live item's last create or update failed: its configuration is sent again
    /// even when it matches.
    fn retry(_live: &Self::Live) -> bool {
        false
    }
    /// Where a user authorizes a live item that waits for it (an OAuth authorization-code
    /// target); plans and drift reports show it.
    fn authorization_url(_live: &Self::Live) -> Option<String> {
        None
    }
    /// True for a change path whose values are secret: text and Markdown never print them.
    fn sensitive(_path: &str) -> bool {
        false
    }
    /// The rules that span fields, checked when a saved plan's desired item is read back.
    fn check_cross_field(node: &Node, cx: &mut Cx<'_>);
    /// A key as plan-file errors quote it: in backticks, unless it is a number.
    fn cite(key: &Self::Key) -> String {
        format!("`{key}`")
    }

    /// True when the key is the service's ID (rate limits): messages then name it once.
    fn id_is_key() -> bool {
        Self::KEY_FIELD == Self::ID_FIELD
    }

    /// How an item is named in messages and `done` lines: its key, and its ID when the key is
    /// not its lasting identity (`10 (RULE000001)`, `per-principal`, `orders-api`).
    fn label(key: &Self::Key, id: Option<&str>) -> String {
        match id {
            Some(id) if !Self::KEY_IS_IDENTITY => format!("{key} ({id})"),
            _ => key.to_string(),
        }
    }
}

/// A kind whose items the generic apply engine writes: its calls, and when a status is settled.
pub trait WriteKind: ItemKind {
    /// The read call, for errors: `GetGatewayRule`.
    const GET_CALL: &'static str;
    /// The create call, for `done` lines and errors: `CreateGatewayRule`.
    const CREATE_CALL: &'static str;
    /// The update call, for `done` lines and errors: `UpdateGatewayRule`.
    const UPDATE_CALL: &'static str;
    /// The delete call, for `done` lines and errors: `DeleteGatewayRule`.
    const DELETE_CALL: &'static str;
    /// True when an update or delete that meets a busy item (Conflict: it is waited on first) or
    /// a lost response is sent again; false sends it once (targets).
    const RETRIES_WRITES: bool = true;

    /// True when a live item's status is settled: writes are waited on until it is, and only
    /// settled items are deleted when a gateway goes.
    fn settled(status: &Self::Status) -> bool;
    /// True when a live item is being deleted (by acgw or anyone else): observe reads it as
    /// gone, so that plans neither compare with nor count an item that is going away.
    fn deleting(status: &Self::Status) -> bool;
    /// The service's reasons when a live item settled in a failure status (the wait ends in an
    /// error); `None` otherwise.
    fn failed(_live: &Self::Live) -> Option<Vec<String>> {
        None
    }
    /// True when a live item waits for a user's authorization: the report says where (see
    /// [`ItemKind::authorization_url`]).
    fn pending(_live: &Self::Live) -> bool {
        false
    }
    /// The deterministic client token of a create in `region` at `endpoint`; `replaces` is the
    /// `updatedAt` of the item a replacement stands in for.
    fn token(
        region: &str,
        endpoint: &str,
        gateway_id: &str,
        desired: &Self::Desired,
        replaces: Option<&str>,
    ) -> String {
        token::item_token(region, endpoint, gateway_id, desired, replaces)
    }
}
