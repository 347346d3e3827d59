//! Gateway rules: priorities unique per gateway, PATCH updates, and system-managed rules.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{Paging, RulePatch, RuleRequest};
use super::super::wire::ApiError;
use super::child::{part_record, GatewayChild, Life};
use super::gateway::GatewayRecord;
use super::*;

/// A gateway rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RuleRecord {
    pub(super) rule_id: String,
    /// The rule as the model serializes it: priority, description, conditions, actions.
    pub(super) config: Map<String, Value>,
    #[serde(flatten)]
    pub(super) life: Life,
    /// `system.managedBy` of a rule an AWS process manages (see [`State::add_system_rule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) managed_by: Option<String>,
}

part_record!(RuleRecord, rule_id, life.gone_at_ms, "Gateway rule");

impl RuleRecord {
    pub(super) fn priority(&self) -> Option<i64> {
        self.config.get("priority").and_then(Value::as_i64)
    }
}

impl GatewayChild for RuleRecord {
    const TITLE: &'static str = "Rule";
    const ID_MEMBER: &'static str = "ruleId";
    const PAGE_KIND: &'static str = "r";
    const LIST_MEMBER: &'static str = "gatewayRules";
    const CREATED: u16 = 202;
    const UPDATED: u16 = 202;
    const DELETED: u16 = 202;
    const ID_FIRST: bool = true;
    type Request = RuleRequest;
    type Patch = RulePatch;

    fn records(g: &GatewayRecord) -> &[Self] {
        &g.rules
    }

    fn slot(g: &mut GatewayRecord) -> (&mut Vec<Self>, &mut BTreeMap<String, TokenRecord>) {
        (&mut g.rules, &mut g.rule_tokens)
    }

    fn tokens(g: &GatewayRecord) -> &BTreeMap<String, TokenRecord> {
        &g.rule_tokens
    }

    fn life(&self) -> &Life {
        &self.life
    }

    fn life_mut(&mut self) -> &mut Life {
        &mut self.life
    }

    fn detail(&self, g: &GatewayRecord, now_ms: u64, status: Option<&str>) -> Value {
        let mut out = self.config.clone();
        out.insert("ruleId".into(), Value::String(self.rule_id.clone()));
        out.insert("gatewayArn".into(), Value::String(g.gateway_arn.clone()));
        out.insert("status".into(), Value::String(status.unwrap_or_else(|| self.life.status(now_ms)).into()));
        self.life.add_times(&mut out);
        if let Some(by) = &self.managed_by {
            out.insert("system".into(), json!({ "managedBy": by }));
        }
        Value::Object(out)
    }

    /// Without `updatedAt`, which CreateGatewayRule's output shape (unlike Get's and Update's)
    /// does not have.
    fn created(mut detail: Value) -> Value {
        if let Value::Object(out) = &mut detail {
            out.remove("updatedAt");
        }
        detail
    }

    fn client_token(req: &RuleRequest) -> Option<&String> {
        req.client_token.as_ref()
    }

    fn fingerprint(req: &RuleRequest) -> Value {
        req.fingerprint()
    }

    fn new_id(state: &mut State, _taken: &BTreeSet<String>, _req: &RuleRequest) -> String {
        state.new_rule_id()
    }

    /// A priority held by another live rule of the gateway is a ConflictException.
    fn check_create(g: &GatewayRecord, req: &RuleRequest) -> Result<(), ApiError> {
        match g.priority_holder(i64::from(req.priority), None) {
            Some(other) => Err(ApiError::conflict(format!(
                "A rule with priority {} already exists in this gateway ({})",
                req.priority, other.rule_id
            ))),
            None => Ok(()),
        }
    }

    fn build(rule_id: String, life: Life, req: RuleRequest) -> Self {
        RuleRecord { rule_id, config: req.config, life, managed_by: None }
    }

    /// System-managed rules are refused with ValidationException.
    fn check_user_change(&self, verb: &str) -> Result<(), ApiError> {
        match &self.managed_by {
            Some(by) => Err(ApiError::validation(
                "FieldValidationFailed",
                format!("Rule {} is managed by {by} and cannot be {verb}", self.rule_id),
            )),
            None => Ok(()),
        }
    }

    fn check_patch(&self, g: &GatewayRecord, patch: &RulePatch) -> Result<(), ApiError> {
        if let Some(p) = patch.priority {
            if let Some(other) = g.priority_holder(i64::from(p), Some(&self.rule_id)) {
                return Err(ApiError::conflict(format!(
                    "A rule with priority {p} already exists in this gateway ({})",
                    other.rule_id
                )));
            }
        }
        Ok(())
    }

    /// An empty `conditions` list removes the conditions: the rule then applies to every request.
    fn apply(&mut self, patch: RulePatch) {
        for (k, v) in patch.members {
            if k == "conditions" && v.as_array().is_some_and(Vec::is_empty) {
                self.config.remove(&k);
            } else {
                self.config.insert(k, v);
            }
        }
    }
}

impl GatewayRecord {
    /// The live rule (not being deleted) other than `except` that holds `priority`.
    pub(super) fn priority_holder(&self, priority: i64, except: Option<&str>) -> Option<&RuleRecord> {
        self.rules
            .iter()
            .find(|r| r.life.is_live() && r.priority() == Some(priority) && Some(r.rule_id.as_str()) != except)
    }
}

impl State {
    /// A rule ID as the model's `GatewayRuleId` has it: a lowercase version-4 UUID, from the
    /// seeded stream so that seeded runs stay reproducible.
    fn new_rule_id(&mut self) -> String {
        let mut bytes: [u8; 16] = std::array::from_fn(|_| self.rng.u8(..));
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    /// CreateGatewayRule: CREATING for the create delay, then ACTIVE. A priority held by another
    /// rule of the gateway is a ConflictException.
    pub fn create_rule(&mut self, gateway_id: &str, req: RuleRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.create_child::<RuleRecord>(gateway_id, req, env)
    }

    /// GetGatewayRule.
    pub fn get_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.get_child::<RuleRecord>(gateway_id, rule_id, env)
    }

    /// UpdateGatewayRule (PATCH): present members replace, absent ones stay; UPDATING for the
    /// update delay. System-managed rules are refused with ValidationException.
    pub fn update_rule(
        &mut self,
        gateway_id: &str,
        rule_id: &str,
        patch: RulePatch,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.update_child::<RuleRecord>(gateway_id, rule_id, patch, env)
    }

    /// DeleteGatewayRule: DELETING for the delete delay, then gone. System-managed rules are
    /// refused with ValidationException.
    pub fn delete_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.delete_child::<RuleRecord>(gateway_id, rule_id, env)
    }

    /// ListGatewayRules: full details, in creation order.
    pub fn list_rules(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.list_child::<RuleRecord>(gateway_id, paging, env)
    }

    /// Adds a rule as an AWS process would (`system.managedBy`), ACTIVE at once; users cannot
    /// update or delete it. `None` when there is no such gateway or the priority is taken.
    pub fn add_system_rule(
        &mut self,
        gateway_id: &str,
        priority: i32,
        managed_by: &str,
        now_ms: u64,
    ) -> Option<String> {
        let mut config = Map::new();
        config.insert("priority".into(), json!(priority));
        config.insert("description".into(), Value::String(format!("Managed by {managed_by}")));
        config.insert("actions".into(), json!([{ "routeToTarget": { "staticRoute": { "targetName": "system" } } }]));
        self.plant_rule(gateway_id, config, Some(managed_by.to_string()), true, now_ms)
    }

    /// Adds a user rule at `priority` (matching `/planted/*`, routed to target `planted`), ACTIVE
    /// at once, without the priority check of CreateGatewayRule: two live rules can then share a
    /// priority, as a race in the service could leave them. Users can update and delete it like
    /// any rule. `None` when there is no such gateway.
    pub fn add_rule_unchecked(&mut self, gateway_id: &str, priority: i32, now_ms: u64) -> Option<String> {
        let mut config = Map::new();
        config.insert("priority".into(), json!(priority));
        config.insert("description".into(), Value::String(format!("Planted at priority {priority}")));
        config.insert("conditions".into(), json!([{ "matchPaths": { "anyOf": ["/planted/*"] } }]));
        config.insert("actions".into(), json!([{ "routeToTarget": { "staticRoute": { "targetName": "planted" } } }]));
        self.plant_rule(gateway_id, config, None, false, now_ms)
    }

    /// Stores a rule without a request (for the test hooks above), ACTIVE at once. With
    /// `exclusive`, `None` when another live rule holds its priority.
    fn plant_rule(
        &mut self,
        gateway_id: &str,
        config: Map<String, Value>,
        managed_by: Option<String>,
        exclusive: bool,
        now_ms: u64,
    ) -> Option<String> {
        self.purge(now_ms);
        let rule_id = self.new_rule_id();
        let seq = self.next_seq;
        let priority = config.get("priority").and_then(Value::as_i64)?;
        let g = self.gateways.get_mut(gateway_id)?;
        if exclusive && g.priority_holder(priority, None).is_some() {
            return None;
        }
        let life = Life::created(seq, now_ms, Duration::ZERO);
        g.rules.push(RuleRecord { rule_id: rule_id.clone(), config, life, managed_by });
        self.next_seq += 1;
        self.mutated();
        Some(rule_id)
    }
}
