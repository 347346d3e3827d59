//! Live state: what the service reports about a gateway beyond its configuration.
//!
//! Plain data, shared by `observe`, `plan`, `diff`, `render` and `apply`, so that the pure stages
//! depend on the model alone and `api` holds only the traits, the SDK and the conversion.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Gateway;

/// A gateway's lifecycle status as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", from = "String")]
pub enum GatewayStatus {
    Creating,
    Updating,
    UpdateUnsuccessful,
    Deleting,
    Ready,
    Failed,
    /// A value this version does not know; kept verbatim.
    Other(String),
}

impl GatewayStatus {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            GatewayStatus::Creating => "CREATING",
            GatewayStatus::Updating => "UPDATING",
            GatewayStatus::UpdateUnsuccessful => "UPDATE_UNSUCCESSFUL",
            GatewayStatus::Deleting => "DELETING",
            GatewayStatus::Ready => "READY",
            GatewayStatus::Failed => "FAILED",
            GatewayStatus::Other(s) => s,
        }
    }

    /// True while the service is still working on the gateway.
    pub fn is_transitional(&self) -> bool {
        matches!(self, GatewayStatus::Creating | GatewayStatus::Updating | GatewayStatus::Deleting)
    }
}

impl From<&str> for GatewayStatus {
    fn from(s: &str) -> Self {
        match s {
            "CREATING" => GatewayStatus::Creating,
            "UPDATING" => GatewayStatus::Updating,
            "UPDATE_UNSUCCESSFUL" => GatewayStatus::UpdateUnsuccessful,
            "DELETING" => GatewayStatus::Deleting,
            "READY" => GatewayStatus::Ready,
            "FAILED" => GatewayStatus::Failed,
            other => GatewayStatus::Other(other.to_string()),
        }
    }
}

impl From<String> for GatewayStatus {
    fn from(s: String) -> Self {
        GatewayStatus::from(s.as_str())
    }
}

impl From<GatewayStatus> for String {
    fn from(s: GatewayStatus) -> String {
        s.as_str().to_string()
    }
}

impl fmt::Display for GatewayStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

/// A target's lifecycle status as the API reports it (the enum keeps growing: unknown values are
/// kept verbatim).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", from = "String")]
pub enum TargetStatus {
    Creating,
    Updating,
    UpdateUnsuccessful,
    Deleting,
    Ready,
    Failed,
    Synchronizing,
    SynchronizeUnsuccessful,
    CreatePendingAuth,
    UpdatePendingAuth,
    SynchronizePendingAuth,
    /// A value this version does not know; kept verbatim.
    Other(String),
}

impl TargetStatus {
    const NAMES: &'static [(&'static str, TargetStatus)] = &[
        ("CREATING", TargetStatus::Creating),
        ("UPDATING", TargetStatus::Updating),
        ("UPDATE_UNSUCCESSFUL", TargetStatus::UpdateUnsuccessful),
        ("DELETING", TargetStatus::Deleting),
        ("READY", TargetStatus::Ready),
        ("FAILED", TargetStatus::Failed),
        ("SYNCHRONIZING", TargetStatus::Synchronizing),
        ("SYNCHRONIZE_UNSUCCESSFUL", TargetStatus::SynchronizeUnsuccessful),
        ("CREATE_PENDING_AUTH", TargetStatus::CreatePendingAuth),
        ("UPDATE_PENDING_AUTH", TargetStatus::UpdatePendingAuth),
        ("SYNCHRONIZE_PENDING_AUTH", TargetStatus::SynchronizePendingAuth),
    ];

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            TargetStatus::Other(s) => s,
            known => Self::NAMES.iter().find(|(_, v)| v == known).map_or("", |(n, _)| n),
        }
    }

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

impl From<&str> for TargetStatus {
    fn from(s: &str) -> Self {
        Self::NAMES.iter().find(|(n, _)| *n == s).map_or_else(|| TargetStatus::Other(s.to_string()), |(_, v)| v.clone())
    }
}

impl From<String> for TargetStatus {
    fn from(s: String) -> Self {
        TargetStatus::from(s.as_str())
    }
}

impl From<TargetStatus> for String {
    fn from(s: TargetStatus) -> String {
        s.as_str().to_string()
    }
}

impl fmt::Display for TargetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
