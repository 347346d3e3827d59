//! Rules (`rules:`): identified by priority within the gateway. System-managed rules are listed
//! in plans and never changed; a rule's description cannot be cleared in place (the update is a
//! PATCH), so removing it replaces the rule.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{GatewayPart, ItemKind, Part, WriteKind};
use crate::model::decode::{Cx, Node};
use crate::model::live::{GatewayRuleStatus, LiveRule, Unreadable};
use crate::model::rule::Rule;
use crate::normalize;

/// The reason shown for a rule replaced because its `description` is removed: the update is a
/// PATCH, where an absent member keeps its value, so a description cannot be cleared.
pub const RULE_DESCRIPTION_REPLACE: &str = "description cannot be removed in place (UpdateGatewayRule is a PATCH)";

/// The kind of a gateway's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleKind;

/// A rule's identity: its priority.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleKey {
    pub priority: i32,
}

impl fmt::Display for RuleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.priority)
    }
}

impl GatewayPart for RuleKind {
    const PART: Part = Part::Rules;
    const NOUN: &'static str = "rules";
    type Observed = Vec<LiveRule>;
}

impl ItemKind for RuleKind {
    const NOUN: &'static str = "rule";
    const NOUNS: &'static str = "rules";
    const SPEC_KEY: &'static str = "rules";
    const KEY_FIELD: &'static str = "priority";
    const ID_FIELD: &'static str = "ruleId";
    const SYSTEM_MANAGED: bool = true;
    const KEY_IS_IDENTITY: bool = false;

    type Desired = Rule;
    type Live = LiveRule;
    type Status = GatewayRuleStatus;
    type Key = RuleKey;

    fn key(desired: &Rule) -> RuleKey {
        RuleKey { priority: desired.priority.get() }
    }

    fn live_key(live: &LiveRule) -> Option<RuleKey> {
        live.config.as_ref().ok().map(Self::key)
    }

    fn live_id(live: &LiveRule) -> &str {
        &live.rule_id
    }

    fn live_status(live: &LiveRule) -> &GatewayRuleStatus {
        &live.status
    }

    fn live_updated_at(live: &LiveRule) -> &str {
        &live.updated_at
    }

    fn live_read(live: &LiveRule) -> Result<&Rule, &Unreadable> {
        live.config.as_ref()
    }

    fn system_managed_by(live: &LiveRule) -> Option<&str> {
        live.system_managed_by.as_deref()
    }

    fn normalized(desired: &Rule, _region: Option<&str>) -> serde_json::Value {
        normalize::rule(desired)
    }

    fn forced_by(live: &Rule, desired: &Rule) -> Vec<String> {
        let mut forced = Vec::new();
        if live.description.is_some() && desired.description.is_none() {
            forced.push(RULE_DESCRIPTION_REPLACE.to_string());
        }
        forced
    }

    fn check_cross_field(node: &Node, cx: &mut Cx<'_>) {
        Rule::check_cross_field(node, cx)
    }

    fn cite(key: &RuleKey) -> String {
        key.to_string()
    }
}

impl WriteKind for RuleKind {
    const GET_CALL: &'static str = "GetGatewayRule";
    const CREATE_CALL: &'static str = "CreateGatewayRule";
    const UPDATE_CALL: &'static str = "UpdateGatewayRule";
    const DELETE_CALL: &'static str = "DeleteGatewayRule";

    /// There are no failure states: ACTIVE is the only settled one.
    fn settled(status: &GatewayRuleStatus) -> bool {
        *status == GatewayRuleStatus::Active
    }

    fn deleting(status: &GatewayRuleStatus) -> bool {
        *status == GatewayRuleStatus::Deleting
    }
}
