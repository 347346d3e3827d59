//! Gateway rules: priorities unique per gateway, PATCH updates, and system-managed rules.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{Paging, RulePatch, RuleRequest};
use super::super::wire::{rfc3339, ApiError};
use super::child::{mark_deleted, page, part, part_mut, part_status, replayed};
use super::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RuleRecord {
    /// Creation order: the stable sort key that list pages follow.
    pub(super) seq: u64,
    pub(super) rule_id: String,
    /// The rule as the model serializes it: priority, description, conditions, actions.
    pub(super) config: Map<String, Value>,
    pub(super) created_at_ms: u64,
    pub(super) updated_at_ms: u64,
    pub(super) ready_at_ms: u64,
    pub(super) last_change: Change,
    /// When a deleted rule disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gone_at_ms: Option<u64>,
    /// `system.managedBy` of a rule an AWS process manages (see [`State::add_system_rule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) managed_by: Option<String>,
}

/// CreateGatewayRule's answer: a rule's detail without `updatedAt`, which its output shape (unlike
/// Get's and Update's) does not have.
pub(super) fn created_rule(mut detail: Value) -> Value {
    if let Value::Object(out) = &mut detail {
        out.remove("updatedAt");
    }
    detail
}

impl RuleRecord {
    pub(super) fn status(&self, now_ms: u64) -> &'static str {
        part_status(self.gone_at_ms, self.ready_at_ms, self.last_change, now_ms)
    }

    pub(super) fn priority(&self) -> Option<i64> {
        self.config.get("priority").and_then(Value::as_i64)
    }

    /// The Create/Get/Update/List output; `status` overrides the computed one.
    pub(super) fn detail(&self, gateway_arn: &str, now_ms: u64, status: Option<&str>) -> Value {
        let mut out = self.config.clone();
        out.insert("ruleId".into(), Value::String(self.rule_id.clone()));
        out.insert("gatewayArn".into(), Value::String(gateway_arn.to_string()));
        out.insert("status".into(), Value::String(status.unwrap_or_else(|| self.status(now_ms)).into()));
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        if let Some(by) = &self.managed_by {
            out.insert("system".into(), json!({ "managedBy": by }));
        }
        Value::Object(out)
    }
}

impl GatewayRecord {
    pub(super) fn rule(&self, rule_id: &str) -> Result<&RuleRecord, ApiError> {
        part(&self.rules, rule_id)
    }

    pub(super) fn rule_mut(&mut self, rule_id: &str) -> Result<&mut RuleRecord, ApiError> {
        part_mut(&mut self.rules, rule_id)
    }

    /// The live rule (not being deleted) other than `except` that holds `priority`.
    pub(super) fn priority_holder(&self, priority: i64, except: Option<&str>) -> Option<&RuleRecord> {
        self.rules
            .iter()
            .find(|r| r.gone_at_ms.is_none() && r.priority() == Some(priority) && Some(r.rule_id.as_str()) != except)
    }
}

impl State {
    /// A rule ID as the model's `GatewayRuleId` has it: a lowercase version-4 UUID, from the
    /// seeded stream so that seeded runs stay reproducible.
    pub(super) fn new_rule_id(&mut self) -> String {
        let mut bytes: [u8; 16] = std::array::from_fn(|_| self.rng.u8(..));
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    /// CreateGatewayRule: CREATING for the create delay, then ACTIVE. A priority held by another
    /// rule of the gateway is a ConflictException.
    pub fn create_rule(&mut self, gateway_id: &str, req: RuleRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let rule_id = self.new_rule_id();
        let g = self.gateway(gateway_id)?;
        g.refuse_if_deleting()?;
        let fingerprint = req.fingerprint();
        if let Some(r) = replayed(&g.rules, &g.rule_tokens, req.client_token.as_ref(), &fingerprint)? {
            let body = created_rule(r.detail(&g.gateway_arn, env.now_ms, None));
            return Ok(Answer { status: 202, body: Some(body), mutated: false });
        }
        if let Some(other) = g.priority_holder(i64::from(req.priority), None) {
            return Err(ApiError::conflict(format!(
                "A rule with priority {} already exists in this gateway ({})",
                req.priority, other.rule_id
            )));
        }
        let seq = self.next();
        let g = self.gateway_mut(gateway_id)?;
        let rule = RuleRecord {
            seq,
            rule_id: rule_id.clone(),
            config: req.config,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: Change::Create,
            gone_at_ms: None,
            managed_by: None,
        };
        let body = created_rule(rule.detail(&g.gateway_arn, env.now_ms, Some("CREATING")));
        if let Some(token) = req.client_token {
            g.rule_tokens.insert(token, TokenRecord { id: rule_id, request: fingerprint });
        }
        g.rules.push(rule);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGatewayRule.
    pub fn get_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        Ok(Answer::read(g.rule(rule_id)?.detail(&g.gateway_arn, env.now_ms, None)))
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
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let r = g.rule(rule_id)?;
        if let Some(by) = &r.managed_by {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!("Rule {rule_id} is managed by {by} and cannot be updated"),
            ));
        }
        let status = r.status(env.now_ms);
        if status != "ACTIVE" {
            return Err(ApiError::conflict(format!(
                "Rule {rule_id} is {status} and cannot be updated until it is ACTIVE"
            )));
        }
        if let Some(p) = patch.priority {
            if let Some(other) = g.priority_holder(i64::from(p), Some(rule_id)) {
                return Err(ApiError::conflict(format!(
                    "A rule with priority {p} already exists in this gateway ({})",
                    other.rule_id
                )));
            }
        }
        let g = self.gateway_mut(gateway_id)?;
        let arn = g.gateway_arn.clone();
        let r = g.rule_mut(rule_id)?;
        for (k, v) in patch.members {
            if k == "conditions" && v.as_array().is_some_and(Vec::is_empty) {
                r.config.remove(&k);
            } else {
                r.config.insert(k, v);
            }
        }
        r.updated_at_ms = env.now_ms;
        r.ready_at_ms = env.now_ms + millis(env.delays.update);
        r.last_change = Change::Update;
        let body = r.detail(&arn, env.now_ms, Some("UPDATING"));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// DeleteGatewayRule: DELETING for the delete delay, then gone. System-managed rules are
    /// refused with ValidationException.
    pub fn delete_rule(&mut self, gateway_id: &str, rule_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ "ruleId": rule_id, "status": "DELETING" });
        if let Some(by) = &g.rule(rule_id)?.managed_by {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!("Rule {rule_id} is managed by {by} and cannot be deleted"),
            ));
        }
        let marked = mark_deleted(&mut g.rules, &mut g.rule_tokens, rule_id, env.now_ms + millis(env.delays.delete))?;
        Ok(self.part_deleted(env.now_ms, body, marked))
    }

    /// ListGatewayRules: full details, in creation order.
    pub fn list_rules(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let body =
            page(&g.rules, |r| r.seq, |r| r.detail(&g.gateway_arn, env.now_ms, None), paging, "r", "gatewayRules")?;
        Ok(Answer::read(body))
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
    pub(super) fn plant_rule(
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
        g.rules.push(RuleRecord {
            seq,
            rule_id: rule_id.clone(),
            config,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            ready_at_ms: now_ms,
            last_change: Change::Create,
            gone_at_ms: None,
            managed_by,
        });
        self.next_seq += 1;
        self.mutated();
        Some(rule_id)
    }
}
