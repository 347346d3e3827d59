//! Rate limits (`rateLimits:`): identified by their `rateLimitId`, which is also the service's
//! ID. `dimensionKeys` cannot change in place and a description cannot be cleared in place (the
//! update is a PATCH): either replaces the rate limit.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{GatewayPart, ItemKind, Part, WriteKind};
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

impl GatewayPart for RateLimitKind {
    const PART: Part = Part::RateLimits;
    const NOUN: &'static str = "rate limits";
    type Observed = Vec<LiveRateLimit>;
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
}
