//! Rate limits (`rateLimits:`): identified by their `rateLimitId`, which is also the service's
//! ID. `dimensionKeys` cannot change in place and a description cannot be cleared in place (the
//! update is a PATCH): either replaces the rate limit.

use std::fmt;
use std::future::Future;

use serde::{Deserialize, Serialize};

use super::{ItemKind, ListKind, WriteKind};
use crate::api::{ApiError, ReadApi, WriteApi};
use crate::apply::ItemWork;
use crate::model::decode::{Cx, Node};
use crate::model::live::{GatewayRateLimitStatus, LiveRateLimit, Unreadable};
use crate::model::rate_limit::RateLimit;
use crate::normalize;

/// The reason shown for a rate limit replaced because its `dimensionKeys` changed.
pub const DIMENSION_KEYS_REPLACE: &str = "dimensionKeys cannot change in place";

/// The reason shown for a rate limit replaced because its `description` is removed: the update
/// is a PATCH, where an absent member keeps its value, so a description cannot be cleared.
pub const DESCRIPTION_REPLACE: &str = "description cannot be removed in place (UpdateGatewayRateLimit is a PATCH)";

/// The kind of a gateway's rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitKind;

/// A rate limit's identity: its `rateLimitId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RateLimitKey {
    pub rate_limit_id: String,
}

impl fmt::Display for RateLimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rate_limit_id)
    }
}

impl ItemKind for RateLimitKind {
    const NOUN: &'static str = "rate limit";
    const NOUNS: &'static str = "rate limits";
    const SPEC_KEY: &'static str = "rateLimits";
    const KEY_FIELD: &'static str = "rateLimitId";
    const ID_FIELD: &'static str = "rateLimitId";

    type Desired = RateLimit;
    type Live = LiveRateLimit;
    type Status = GatewayRateLimitStatus;
    type Key = RateLimitKey;

    fn key(desired: &RateLimit) -> RateLimitKey {
        RateLimitKey { rate_limit_id: desired.rate_limit_id.as_str().to_string() }
    }

    fn live_key(live: &LiveRateLimit) -> Option<RateLimitKey> {
        Some(RateLimitKey { rate_limit_id: live.rate_limit_id.clone() })
    }

    fn live_id(live: &LiveRateLimit) -> &str {
        &live.rate_limit_id
    }

    fn live_status(live: &LiveRateLimit) -> &GatewayRateLimitStatus {
        &live.status
    }

    fn live_updated_at(live: &LiveRateLimit) -> &str {
        &live.updated_at
    }

    fn live_read(live: &LiveRateLimit) -> Result<&RateLimit, &Unreadable> {
        live.config.as_ref()
    }

    fn normalized(desired: &RateLimit, _region: Option<&str>) -> serde_json::Value {
        serde_json::to_value(normalize::rate_limit(desired.clone())).unwrap_or_default()
    }

    fn forced_by(live: &RateLimit, desired: &RateLimit) -> Vec<String> {
        let mut forced = Vec::new();
        if live.dimension_keys != desired.dimension_keys {
            forced.push(DIMENSION_KEYS_REPLACE.to_string());
        }
        if live.description.is_some() && desired.description.is_none() {
            forced.push(DESCRIPTION_REPLACE.to_string());
        }
        forced
    }

    fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        RateLimit::check_cross_field(node, cx)
    }
}

impl WriteKind for RateLimitKind {
    const GET_CALL: &'static str = "GetGatewayRateLimit";
    const CREATE_CALL: &'static str = "CreateGatewayRateLimit";
    const UPDATE_CALL: &'static str = "UpdateGatewayRateLimit";
    const DELETE_CALL: &'static str = "DeleteGatewayRateLimit";

    /// There are no failure states: ACTIVE is the only settled one.
    fn settled(status: &GatewayRateLimitStatus) -> bool {
        *status == GatewayRateLimitStatus::Active
    }

    fn deleting(status: &GatewayRateLimitStatus) -> bool {
        *status == GatewayRateLimitStatus::Deleting
    }

    fn get<A: ReadApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send {
        api.get_rate_limit(gateway_id, id)
    }

    fn create<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        desired: &RateLimit,
        token: &str,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send {
        api.create_rate_limit(gateway_id, desired, token)
    }

    /// The update names the rate limit by the `rateLimitId` in `desired`, which is its ID.
    fn update<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        _id: &str,
        desired: &RateLimit,
    ) -> impl Future<Output = Result<LiveRateLimit, ApiError>> + Send {
        api.update_rate_limit(gateway_id, desired)
    }

    fn delete<A: WriteApi>(api: &A, gateway_id: &str, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = api.delete_rate_limit(gateway_id, id);
        async move { call.await.map(|_| ()) }
    }
}

impl ListKind for RateLimitKind {
    const LIST_CALL: &'static str = "ListGatewayRateLimits";

    fn list<A: ReadApi>(
        api: &A,
        gateway_id: &str,
    ) -> impl Future<Output = Result<Vec<LiveRateLimit>, ApiError>> + Send {
        api.list_rate_limits(gateway_id)
    }
}

/// What to do for one rate limit: [`ItemWork`] under the rate limit's own names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitWork {
    /// CreateGatewayRateLimit with a deterministic client token; `replaces` is the `updatedAt`
    /// of the rate limit it replaces (so the token differs from the one that created that one).
    Create { desired: RateLimit, replaces: Option<String> },
    /// UpdateGatewayRateLimit (PATCH) with every member it has.
    Update { desired: RateLimit },
    /// DeleteGatewayRateLimit, then wait until it is gone.
    Delete { rate_limit_id: String },
}

impl From<RateLimitWork> for ItemWork<RateLimitKind> {
    fn from(work: RateLimitWork) -> Self {
        match work {
            RateLimitWork::Create { desired, replaces } => ItemWork::Create { desired, replaces },
            RateLimitWork::Update { desired } => {
                ItemWork::Update { id: desired.rate_limit_id.as_str().to_string(), desired }
            }
            RateLimitWork::Delete { rate_limit_id } => {
                ItemWork::Delete { key: RateLimitKey { rate_limit_id: rate_limit_id.clone() }, id: rate_limit_id }
            }
        }
    }
}

impl From<ItemWork<RateLimitKind>> for RateLimitWork {
    fn from(work: ItemWork<RateLimitKind>) -> Self {
        match work {
            ItemWork::Create { desired, replaces } => RateLimitWork::Create { desired, replaces },
            ItemWork::Update { desired, .. } => RateLimitWork::Update { desired },
            ItemWork::Delete { id, .. } => RateLimitWork::Delete { rate_limit_id: id },
        }
    }
}
