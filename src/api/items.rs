//! The I/O half of each gateway item kind: how its items are read and written through the API.
//! The pure half (identity, normalize, compare, status semantics) is in [`crate::kind`]; the
//! apply engine and observe are generic over both.

use std::future::Future;

use super::{ApiError, ReadApi, WriteApi};
use crate::kind::{RateLimitKind, RuleKind, TargetKind, WriteKind};
use crate::model::live::{LiveRateLimit, LiveRule, LiveTarget};
use crate::model::rate_limit::RateLimit;
use crate::model::rule::Rule;
use crate::model::target::Target;

/// A kind whose items the generic apply engine reads and writes: one method per call.
pub trait ItemApi: WriteKind {
    /// One item ([`WriteKind::GET_CALL`]).
    fn get<A: ReadApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<Self::Live, ApiError>> + Send;
    /// Creates an item with a client token ([`WriteKind::CREATE_CALL`]).
    fn create<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        desired: &Self::Desired,
        token: &str,
    ) -> impl Future<Output = Result<Self::Live, ApiError>> + Send;
    /// Updates the item `id` to `desired` ([`WriteKind::UPDATE_CALL`]).
    fn update<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
        desired: &Self::Desired,
    ) -> impl Future<Output = Result<Self::Live, ApiError>> + Send;
    /// Deletes the item `id` ([`WriteKind::DELETE_CALL`]).
    fn delete<A: WriteApi>(api: &A, gateway_id: &str, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// A kind whose list of live items a gateway delete or replace reads whole (rules, rate limits;
/// targets are listed as summaries there).
pub trait ListKind: ItemApi {
    /// The list call, for errors: `ListGatewayRules`.
    const LIST_CALL: &'static str;

    /// Every item of a gateway ([`ListKind::LIST_CALL`]).
    fn list<A: ReadApi>(api: &A, gateway_id: &str) -> impl Future<Output = Result<Vec<Self::Live>, ApiError>> + Send;
}

impl ItemApi for TargetKind {
    fn get<A: ReadApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send {
        api.get_target(gateway_id, id)
    }

    fn create<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        desired: &Target,
        token: &str,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send {
        api.create_target(gateway_id, desired, token)
    }

    fn update<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
        desired: &Target,
    ) -> impl Future<Output = Result<LiveTarget, ApiError>> + Send {
        api.update_target(gateway_id, id, desired)
    }

    fn delete<A: WriteApi>(api: &A, gateway_id: &str, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send {
        api.delete_target(gateway_id, id)
    }
}

impl ItemApi for RuleKind {
    fn get<A: ReadApi>(api: &A, gateway_id: &str, id: &str) -> impl Future<Output = Result<LiveRule, ApiError>> + Send {
        api.get_rule(gateway_id, id)
    }

    fn create<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        desired: &Rule,
        token: &str,
    ) -> impl Future<Output = Result<LiveRule, ApiError>> + Send {
        api.create_rule(gateway_id, desired, token)
    }

    fn update<A: WriteApi>(
        api: &A,
        gateway_id: &str,
        id: &str,
        desired: &Rule,
    ) -> impl Future<Output = Result<LiveRule, ApiError>> + Send {
        api.update_rule(gateway_id, id, desired)
    }

    fn delete<A: WriteApi>(api: &A, gateway_id: &str, id: &str) -> impl Future<Output = Result<(), ApiError>> + Send {
        let call = api.delete_rule(gateway_id, id);
        async move { call.await.map(|_| ()) }
    }
}

impl ItemApi for RateLimitKind {
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

impl ListKind for RuleKind {
    const LIST_CALL: &'static str = "ListGatewayRules";

    fn list<A: ReadApi>(api: &A, gateway_id: &str) -> impl Future<Output = Result<Vec<LiveRule>, ApiError>> + Send {
        api.list_rules(gateway_id)
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
