//! Item kinds: the lists of items a gateway holds under a spec key (`targets:`, `rules:`,
//! `rateLimits:`), where present means the complete list and absent means acgw does not manage
//! them.
//!
//! Each kind has one home here that says how its items are identified, normalized and compared
//! ([`ItemKind`]) and how they are listed and written ([`WriteKind`], [`ListKind`]). The stages
//! are generic over them: `observe` (a listed kind is read by one generic reader), `plan`
//! ([`crate::plan::ItemPlan`]), `render` and `apply` hold no copy per kind. Adding a kind is one
//! module here plus its registration: a [`crate::observe::Part`] (with its field of
//! [`crate::observe::LiveState`]), its field of [`crate::plan::GatewayPlan`], and its place in
//! the order apply writes a gateway's parts; the compiler points at each `match` that must name
//! it.

pub mod rate_limit;
pub mod rule;
pub mod target;
pub mod token;

pub use rate_limit::RateLimitKind;
pub use rule::RuleKind;
pub use target::TargetKind;

use std::fmt::{Debug, Display};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::decode::{Cx, Decode, Node};
use crate::model::live::Unreadable;

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
