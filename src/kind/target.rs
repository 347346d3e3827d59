//! Targets (`targets:`): identified by name. A target is never replaced (every member can be
//! updated); one whose last create or update failed gets its configuration sent again, and a
//! wait that sees a failure status ends with the service's reasons; an OAuth authorization-code
//! target may wait for a user to authorize it: it is not waited on, and plans and reports say
//! where to authorize it. A target's `customParameters` are secret: text and Markdown never
//! print them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{GatewayPart, ItemKind, Part, WriteKind};
use crate::model::decode::{Cx, Node};
use crate::model::live::{LiveTarget, TargetStatus, Unreadable};
use crate::model::target::Target;
use crate::normalize;

/// The members of a target whose map values are secrets: masked in text, Markdown and drift
/// reports, and written by export as `${VAR}` placeholders.
pub const SENSITIVE_MAPS: &[&str] = &["customParameters", "staticQueryParameters"];

/// The kind of a gateway's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetKind;

/// A target's identity: its name.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TargetKey {
    pub name: String,
}

impl fmt::Display for TargetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl GatewayPart for TargetKind {
    const PART: Part = Part::Targets;
    const NOUN: &'static str = "targets";
    type Observed = Vec<LiveTarget>;
}

impl ItemKind for TargetKind {
    const NOUN: &'static str = "target";
    const NOUNS: &'static str = "targets";
    const SPEC_KEY: &'static str = "targets";
    const KEY_FIELD: &'static str = "name";
    const ID_FIELD: &'static str = "targetId";
    const REPLACEABLE: bool = false;
    const ID_IN_REPORTS: bool = true;
    const AWAITS_AUTHORIZATION: bool = true;

    type Desired = Target;
    type Live = LiveTarget;
    type Status = TargetStatus;
    type Key = TargetKey;

    fn key(desired: &Target) -> TargetKey {
        TargetKey { name: desired.name.as_str().to_string() }
    }

    fn live_key(live: &LiveTarget) -> Option<TargetKey> {
        Some(TargetKey { name: live.name.clone() })
    }

    fn live_id(live: &LiveTarget) -> &str {
        &live.target_id
    }

    fn live_status(live: &LiveTarget) -> &TargetStatus {
        &live.status
    }

    fn live_updated_at(live: &LiveTarget) -> &str {
        &live.updated_at
    }

    fn live_read(live: &LiveTarget) -> Result<&Target, &Unreadable> {
        live.config.as_ref()
    }

    fn normalized(desired: &Target, region: Option<&str>) -> serde_json::Value {
        serde_json::to_value(normalize::target(desired.clone(), region)).unwrap_or_default()
    }

    /// A new target's plan lists its fields as declared, before defaults are filled in.
    fn as_created(desired: &Target, _region: Option<&str>) -> serde_json::Value {
        serde_json::to_value(desired).unwrap_or_default()
    }

    fn retry(live: &LiveTarget) -> bool {
        live.status.is_failure()
    }

    fn authorization_url(live: &LiveTarget) -> Option<String> {
        live.authorization_url.clone().filter(|_| live.status.is_pending_auth())
    }

    /// OAuth `customParameters` may hold secrets.
    /// OAuth `customParameters` and passthrough `staticQueryParameters` (the model marks their
    /// values sensitive: an API key in a query string is a secret).
    fn sensitive(path: &str) -> bool {
        SENSITIVE_MAPS.iter().any(|key| path.contains(key))
    }

    fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        Target::check_cross_field(node, cx)
    }
}

impl WriteKind for TargetKind {
    const GET_CALL: &'static str = "GetGatewayTarget";
    const CREATE_CALL: &'static str = "CreateGatewayTarget";
    const UPDATE_CALL: &'static str = "UpdateGatewayTarget";
    const DELETE_CALL: &'static str = "DeleteGatewayTarget";
    const RETRIES_WRITES: bool = false;

    /// READY, or waiting for a user's authorization (which no wait would see end).
    fn settled(status: &TargetStatus) -> bool {
        *status == TargetStatus::Ready || status.is_pending_auth()
    }

    fn deleting(status: &TargetStatus) -> bool {
        *status == TargetStatus::Deleting
    }

    fn failed(live: &LiveTarget) -> Option<Vec<String>> {
        live.status.is_failure().then(|| live.status_reasons.clone())
    }

    fn pending(live: &LiveTarget) -> bool {
        live.status.is_pending_auth()
    }

    /// A target is never replaced, so its token has no `replaces` part (and stays what it was).
    fn token(region: &str, endpoint: &str, gateway_id: &str, desired: &Target, _replaces: Option<&str>) -> String {
        super::token::target_token(region, endpoint, gateway_id, desired)
    }
}
