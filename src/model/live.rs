//! Live state: what the service reports about a gateway beyond its configuration.
//!
//! Plain data, shared by `observe`, `plan`, `diff`, `render` and `apply`, so that the pure stages
//! depend on the model alone and `api` holds only the traits, the SDK and the conversion.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Gateway;

/// A lifecycle status as the API reports it: the values this build knows, and `Other` for one
/// it does not (the service grows these enums), kept verbatim. Serialized as the wire string.
macro_rules! live_status {
    ($(#[$m:meta])* $name:ident { $($var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(into = "String", from = "String")]
        pub enum $name {
            $($var,)+
            /// A value this version does not know; kept verbatim.
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$var => $wire,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$var,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

live_status!(
    /// A gateway's lifecycle status.
    GatewayStatus {
        Creating = "CREATING",
        Updating = "UPDATING",
        UpdateUnsuccessful = "UPDATE_UNSUCCESSFUL",
        Deleting = "DELETING",
        Ready = "READY",
        Failed = "FAILED",
    }
);

impl GatewayStatus {
    /// True while the service is still working on the gateway.
    pub fn is_transitional(&self) -> bool {
        matches!(self, GatewayStatus::Creating | GatewayStatus::Updating | GatewayStatus::Deleting)
    }
}

/// One entry of ListGateways (no ARN: GetGateway is needed for that).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySummary {
    pub gateway_id: String,
    pub name: String,
    pub status: GatewayStatus,
    /// RFC 3339.
    pub updated_at: String,
}

/// One entry of ListGatewayTargets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSummary {
    pub target_id: String,
    pub name: String,
    /// As the service reported it (the target status enum keeps growing).
    pub status: String,
}

/// A gateway as GetGateway returns it: the configuration plus what only the service knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveGateway {
    pub gateway_id: String,
    pub gateway_arn: String,
    pub status: GatewayStatus,
    pub status_reasons: Vec<String>,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
    /// The configuration (its `tags` are always `None`: GetGateway does not return tags), or
    /// why this build cannot represent it. Values outside the model's constraints are kept
    /// verbatim; only a member this build cannot hold at all makes it unreadable.
    pub config: Result<Gateway, Unreadable>,
}

/// Tags as the API holds them, `aws:` keys included.
pub type TagMap = BTreeMap<String, String>;

/// A part of a live gateway that this build cannot represent: a union member it does not know,
/// or a member the model requires that the response lacks. Only that gateway is affected: it is
/// reported, and never updated, since an update would silently drop what could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}; this acgw version cannot read it")]
pub struct Unreadable {
    /// The field path in API naming.
    pub path: String,
    /// What is wrong there.
    pub reason: String,
}

live_status!(
    /// A target's lifecycle status (the enum keeps growing).
    TargetStatus {
        Creating = "CREATING",
        Updating = "UPDATING",
        UpdateUnsuccessful = "UPDATE_UNSUCCESSFUL",
        Deleting = "DELETING",
        Ready = "READY",
        Failed = "FAILED",
        Synchronizing = "SYNCHRONIZING",
        SynchronizeUnsuccessful = "SYNCHRONIZE_UNSUCCESSFUL",
        CreatePendingAuth = "CREATE_PENDING_AUTH",
        UpdatePendingAuth = "UPDATE_PENDING_AUTH",
        SynchronizePendingAuth = "SYNCHRONIZE_PENDING_AUTH",
    }
);

impl TargetStatus {
    /// True while the service is still working on the target.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            TargetStatus::Creating | TargetStatus::Updating | TargetStatus::Deleting | TargetStatus::Synchronizing
        )
    }

    /// True while an OAuth authorization-code target waits for a user to authorize it.
    pub fn is_pending_auth(&self) -> bool {
        matches!(
            self,
            TargetStatus::CreatePendingAuth | TargetStatus::UpdatePendingAuth | TargetStatus::SynchronizePendingAuth
        )
    }

    /// True for a status that ends a create, update or synchronize unsuccessfully.
    pub fn is_failure(&self) -> bool {
        matches!(self, TargetStatus::Failed | TargetStatus::UpdateUnsuccessful | TargetStatus::SynchronizeUnsuccessful)
    }
}

/// A target as GetGatewayTarget (or a create, update or synchronize) returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTarget {
    pub target_id: String,
    pub name: String,
    pub status: TargetStatus,
    pub status_reasons: Vec<String>,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
    /// RFC 3339, once the target was synchronized.
    pub last_synchronized_at: Option<String>,
    /// Where a user authorizes an OAuth authorization-code target that is pending authorization.
    pub authorization_url: Option<String>,
    /// The configuration, or why this build cannot represent it.
    pub config: Result<crate::model::target::Target, Unreadable>,
}

live_status!(
    /// A gateway rule's lifecycle status.
    GatewayRuleStatus {
        Creating = "CREATING",
        Active = "ACTIVE",
        Updating = "UPDATING",
        Deleting = "DELETING",
    }
);

impl GatewayRuleStatus {
    /// True while the service is still working on the rule.
    pub fn is_transitional(&self) -> bool {
        matches!(self, GatewayRuleStatus::Creating | GatewayRuleStatus::Updating | GatewayRuleStatus::Deleting)
    }
}

live_status!(
    /// A gateway rate limit's lifecycle status.
    GatewayRateLimitStatus {
        Creating = "CREATING",
        Active = "ACTIVE",
        Updating = "UPDATING",
        Deleting = "DELETING",
    }
);

impl GatewayRateLimitStatus {
    /// True while the service is still working on the rate limit.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            GatewayRateLimitStatus::Creating | GatewayRateLimitStatus::Updating | GatewayRateLimitStatus::Deleting
        )
    }
}

/// A rule as GetGatewayRule (or ListGatewayRules, or a create or update) returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRule {
    pub rule_id: String,
    pub status: GatewayRuleStatus,
    /// RFC 3339, as the service reported it (GetGatewayRule may omit it: then `createdAt`).
    pub updated_at: String,
    /// `system.managedBy` of a system-managed rule, which acgw never changes or deletes.
    pub system_managed_by: Option<String>,
    /// The configuration, or why this build cannot represent it.
    pub config: Result<crate::model::rule::Rule, Unreadable>,
}

/// A rate limit as GetGatewayRateLimit (or a list, create, update or batch put) returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRateLimit {
    pub rate_limit_id: String,
    pub status: GatewayRateLimitStatus,
    /// RFC 3339, as the service reported it.
    pub updated_at: String,
    /// The configuration, or why this build cannot represent it.
    pub config: Result<crate::model::rate_limit::RateLimit, Unreadable>,
}
