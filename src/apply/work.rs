//! What apply does for one gateway item: [`ItemWork`], generic over the kind, and each kind's
//! own names for it (the variants tests and reports spell out).

use crate::kind::rate_limit::RateLimitKey;
use crate::kind::rule::RuleKey;
use crate::kind::target::TargetKey;
use crate::kind::{ItemKind, RateLimitKind, RuleKind, TargetKind};
use crate::model::rate_limit::RateLimit;
use crate::model::rule::Rule;
use crate::model::target::Target;

/// What to do for one item of kind `K`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemWork<K: ItemKind> {
    /// Create with a deterministic client token; `replaces` is the `updatedAt` of the item it
    /// replaces (so the token differs from the one that created that one).
    Create { desired: K::Desired, replaces: Option<String> },
    /// Update (the item `id`) with every member.
    Update { id: String, desired: K::Desired },
    /// Delete, then wait until it is gone.
    Delete { id: String, key: K::Key },
}

impl<K: ItemKind> ItemWork<K> {
    /// How `done` lines and errors name the item.
    pub(super) fn label(&self) -> String {
        match self {
            ItemWork::Create { desired, .. } => K::label(&K::key(desired), None),
            ItemWork::Update { id, desired } => K::label(&K::key(desired), Some(id)),
            ItemWork::Delete { id, key } => K::label(key, Some(id)),
        }
    }
}

/// What to do for one target: [`ItemWork`] under the target's own names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetWork {
    /// CreateGatewayTarget with a deterministic client token.
    Create { desired: Target },
    /// UpdateGatewayTarget with the complete configuration.
    Update { target_id: String, desired: Target },
    /// DeleteGatewayTarget, then wait until it is gone.
    Delete { name: String, target_id: String },
}

impl From<TargetWork> for ItemWork<TargetKind> {
    fn from(work: TargetWork) -> Self {
        match work {
            TargetWork::Create { desired } => ItemWork::Create { desired, replaces: None },
            TargetWork::Update { target_id, desired } => ItemWork::Update { id: target_id, desired },
            TargetWork::Delete { name, target_id } => ItemWork::Delete { id: target_id, key: TargetKey { name } },
        }
    }
}

impl From<ItemWork<TargetKind>> for TargetWork {
    /// A target is never replaced, so no create replaces another.
    fn from(work: ItemWork<TargetKind>) -> Self {
        match work {
            ItemWork::Create { desired, .. } => TargetWork::Create { desired },
            ItemWork::Update { id, desired } => TargetWork::Update { target_id: id, desired },
            ItemWork::Delete { id, key } => TargetWork::Delete { name: key.name, target_id: id },
        }
    }
}

/// What to do for one rule: [`ItemWork`] under the rule's own names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleWork {
    /// CreateGatewayRule with a deterministic client token; `replaces` is the `updatedAt` of the
    /// rule it replaces (so the token differs from the one that created that one).
    Create { desired: Rule, replaces: Option<String> },
    /// UpdateGatewayRule (PATCH) with every member.
    Update { rule_id: String, desired: Rule },
    /// DeleteGatewayRule, then wait until it is gone.
    Delete { rule_id: String, priority: i32 },
}

impl From<RuleWork> for ItemWork<RuleKind> {
    fn from(work: RuleWork) -> Self {
        match work {
            RuleWork::Create { desired, replaces } => ItemWork::Create { desired, replaces },
            RuleWork::Update { rule_id, desired } => ItemWork::Update { id: rule_id, desired },
            RuleWork::Delete { rule_id, priority } => ItemWork::Delete { id: rule_id, key: RuleKey { priority } },
        }
    }
}

impl From<ItemWork<RuleKind>> for RuleWork {
    fn from(work: ItemWork<RuleKind>) -> Self {
        match work {
            ItemWork::Create { desired, replaces } => RuleWork::Create { desired, replaces },
            ItemWork::Update { id, desired } => RuleWork::Update { rule_id: id, desired },
            ItemWork::Delete { id, key } => RuleWork::Delete { rule_id: id, priority: key.priority },
        }
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
