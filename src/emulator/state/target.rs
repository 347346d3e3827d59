//! Gateway targets: CREATING/UPDATING/SYNCHRONIZING, the `*_PENDING_AUTH` statuses of the OAuth
//! AUTHORIZATION_CODE grant, failures and injected errors.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{Paging, TargetFacts, TargetRequest};
use super::super::wire::{rfc3339, ApiError};
use super::child::{mark_deleted, page, part, part_mut, part_record, replayed};
use super::*;

/// What last changed a target, which names its transitional status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum TargetChange {
    Create,
    Update,
    Synchronize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TargetRecord {
    /// Creation order: the stable sort key that list pages follow.
    pub(super) seq: u64,
    pub(super) target_id: String,
    /// The configuration as the model serializes it (name and description included), plus what
    /// the service adds itself (the policy session header).
    pub(super) config: Map<String, Value>,
    pub(super) facts: TargetFacts,
    pub(super) created_at_ms: u64,
    pub(super) updated_at_ms: u64,
    pub(super) ready_at_ms: u64,
    pub(super) last_change: TargetChange,
    /// When a deleted target disappears; until then it is DELETING.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) gone_at_ms: Option<u64>,
    /// Why the last create or update did not succeed; it settles as FAILED/UPDATE_UNSUCCESSFUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) failure: Option<Vec<String>>,
    /// The user consented to the AUTHORIZATION_CODE grant since the last create or update.
    #[serde(default)]
    pub(super) authorized: bool,
    /// When the latest synchronization finishes (or finished).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) synchronized_at_ms: Option<u64>,
    /// The synchronization before it, reported while the latest one runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) previous_synchronized_at_ms: Option<u64>,
}

part_record!(TargetRecord, target_id, gone_at_ms, "Target");

impl State {
    /// [`State::set_raw`] for the stored configuration of the target named `target` (its name
    /// included: `/name` renames it past the API's pattern, as a hostile service could answer).
    pub fn set_target_raw(&mut self, gateway_id: &str, target: &str, pointer: &str, value: Value) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        let Some(t) = g.targets.iter_mut().find(|t| t.name() == target) else { return false };
        let stored = store_raw(&mut t.config, pointer, value);
        if stored {
            self.mutated();
        }
        stored
    }

    /// CreateGatewayTarget: CREATING for the create delay, then READY (or a pending-auth or
    /// failed status, see [`TargetRecord::status`]).
    pub fn create_target(&mut self, gateway_id: &str, req: TargetRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let target_id = self.random_id(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        let seq = self.next_seq;
        let failure_key = (gateway_id.to_string(), req.name.clone());
        let g = self.gateway_mut(gateway_id)?;
        g.refuse_if_deleting()?;
        let fingerprint = req.fingerprint();
        if let Some(t) = replayed(&g.targets, &g.target_tokens, req.client_token.as_ref(), &fingerprint)? {
            return Ok(Answer { status: 202, body: Some(g.target_detail(t, env.now_ms, None)), mutated: false });
        }
        if g.targets.iter().any(|t| t.name() == req.name) {
            return Err(ApiError::conflict(format!("A target with name {} already exists in this gateway", req.name)));
        }
        let config = g.with_service_members(req.config);
        let mut target = TargetRecord {
            seq,
            target_id: target_id.clone(),
            config,
            facts: req.facts,
            created_at_ms: env.now_ms,
            updated_at_ms: env.now_ms,
            ready_at_ms: env.now_ms + millis(env.delays.create),
            last_change: TargetChange::Create,
            gone_at_ms: None,
            failure: None,
            authorized: false,
            synchronized_at_ms: None,
            previous_synchronized_at_ms: None,
        };
        if let Some(token) = req.client_token {
            g.target_tokens.insert(token, TokenRecord { id: target_id, request: fingerprint });
        }
        target.failure = self.failing_targets.remove(&failure_key);
        let g = self.gateway_mut(gateway_id)?;
        let body = g.target_detail(&target, env.now_ms, Some(Status::Creating));
        g.targets.push(target);
        self.next_seq += 1;
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGatewayTarget.
    pub fn get_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let t = g.target(target_id)?;
        Ok(Answer::read(g.target_detail(t, env.now_ms, None)))
    }

    /// UpdateGatewayTarget: a full replace of the configuration; UPDATING for the update delay.
    pub fn update_target(
        &mut self,
        gateway_id: &str,
        target_id: &str,
        req: TargetRequest,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway(gateway_id)?;
        let status = g.target(target_id)?.status(env.now_ms);
        if status.is_pending_auth() || status == Status::Deleting {
            return Err(ApiError::conflict(format!("Target {target_id} is {} and cannot be updated", status.as_str())));
        }
        if g.targets.iter().any(|t| t.target_id != target_id && t.name() == req.name) {
            return Err(ApiError::conflict(format!("A target with name {} already exists in this gateway", req.name)));
        }
        let failure = self.failing_targets.remove(&(gateway_id.to_string(), req.name.clone()));
        let g = self.gateway_mut(gateway_id)?;
        let config = g.with_service_members(req.config);
        let t = g.target_mut(target_id)?;
        t.config = config;
        t.facts = req.facts;
        t.updated_at_ms = env.now_ms;
        t.ready_at_ms = env.now_ms + millis(env.delays.update);
        t.last_change = TargetChange::Update;
        t.failure = failure;
        // A new configuration needs a new consent, as UPDATE_PENDING_AUTH says.
        t.authorized = false;
        let g = self.gateway(gateway_id)?;
        let body = g.target_detail(g.target(target_id)?, env.now_ms, Some(Status::Updating));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// SynchronizeGatewayTargets for its one target: SYNCHRONIZING for the update delay, then
    /// READY with a new `lastSynchronizedAt`.
    pub fn synchronize_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let t = g.target(target_id)?;
        if !t.facts.can_synchronize {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                format!(
                    "Target {target_id} cannot be synchronized: only mcpServer targets without mcpToolSchema discover their tools"
                ),
            ));
        }
        let status = t.status(env.now_ms);
        if status != Status::Ready {
            return Err(ApiError::conflict(format!(
                "Target {target_id} is {} and cannot be synchronized",
                status.as_str()
            )));
        }
        let t = g.target_mut(target_id)?;
        t.previous_synchronized_at_ms = t.synchronized_at_ms;
        t.ready_at_ms = env.now_ms + millis(env.delays.update);
        t.synchronized_at_ms = Some(t.ready_at_ms);
        t.last_change = TargetChange::Synchronize;
        let g = self.gateway(gateway_id)?;
        let detail = g.target_detail(g.target(target_id)?, env.now_ms, Some(Status::Synchronizing));
        self.mutated();
        Ok(Answer { status: 202, body: Some(json!({ "targets": [detail] })), mutated: true })
    }

    /// ListGatewayTargets.
    pub fn list_targets(&mut self, gateway_id: &str, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        // Checked first, so that an endless listing refuses a token it never handed out too.
        decode_token(paging.next_token.as_deref(), "t")?;
        if self.endless.contains(&Some(gateway_id.to_string())) {
            let every = self.gateway(gateway_id)?.targets.iter().map(|t| t.summary(env.now_ms)).collect();
            return Ok(self.endless_page("t", every, paging.max_results));
        }
        let g = self.gateway(gateway_id)?;
        Ok(Answer::read(page(&g.targets, |t| t.seq, |t| t.summary(env.now_ms), paging, "t", "items")?))
    }

    /// DeleteGatewayTarget: DELETING for the delete delay, then gone.
    pub fn delete_target(&mut self, gateway_id: &str, target_id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(gateway_id)?;
        let body = json!({ "gatewayArn": g.gateway_arn, "targetId": target_id, "status": Status::Deleting.as_str() });
        let t = g.target(target_id)?;
        let status = t.status(env.now_ms);
        if t.gone_at_ms.is_none() && status.is_pending_auth() {
            return Err(ApiError::conflict(format!(
                "Target {target_id} is {} and cannot be deleted until authorization completes",
                status.as_str()
            )));
        }
        let marked =
            mark_deleted(&mut g.targets, &mut g.target_tokens, target_id, env.now_ms + millis(env.delays.delete))?;
        Ok(self.part_deleted(env.now_ms, body, marked))
    }

    /// Makes the next create or update of the target named `name` in a gateway settle as FAILED
    /// (create) or UPDATE_UNSUCCESSFUL (update) with `reasons`.
    pub fn fail_next_target(&mut self, gateway_id: &str, name: &str, reasons: Vec<String>) {
        self.failing_targets.insert((gateway_id.to_string(), name.to_string()), reasons);
    }

    /// Completes a pending OAuth consent: the target settles READY instead of
    /// CREATE_PENDING_AUTH/UPDATE_PENDING_AUTH. False when there is no such target or it needs
    /// no consent.
    pub fn authorize_target(&mut self, gateway_id: &str, target_id: &str) -> bool {
        let Some(t) = self.gateways.get_mut(gateway_id).and_then(|g| g.target_mut(target_id).ok()) else {
            return false;
        };
        if !t.facts.needs_auth {
            return false;
        }
        t.authorized = true;
        self.mutated();
        true
    }

    /// Queues `error` as the answer to the next target operation `op` on a gateway.
    pub fn inject_target_error(&mut self, gateway_id: &str, op: TargetOperation, error: InjectedError) {
        self.injected.push((gateway_id.to_string(), op, error));
    }

    /// Takes the first queued error that matches a call of `op` on `gateway_id`.
    pub fn take_injected(&mut self, gateway_id: &str, op: TargetOperation) -> Option<InjectedError> {
        let at = self
            .injected
            .iter()
            .position(|(g, want, _)| g == gateway_id && (*want == TargetOperation::Any || *want == op))?;
        Some(self.injected.remove(at).2)
    }
}

impl GatewayRecord {
    pub(super) fn target(&self, target_id: &str) -> Result<&TargetRecord, ApiError> {
        part(&self.targets, target_id)
    }

    pub(super) fn target_mut(&mut self, target_id: &str) -> Result<&mut TargetRecord, ApiError> {
        part_mut(&mut self.targets, target_id)
    }

    /// `config` with what the service adds on its own: with a policy engine, targets must pass
    /// the policy session header through, so it joins `allowedRequestHeaders`.
    pub(super) fn with_service_members(&self, mut config: Map<String, Value>) -> Map<String, Value> {
        if !self.config.contains_key("policyEngineConfiguration") {
            return config;
        }
        let metadata = config.entry("metadataConfiguration").or_insert_with(|| json!({}));
        if let Value::Object(metadata) = metadata {
            let headers = metadata.entry("allowedRequestHeaders").or_insert_with(|| json!([]));
            if let Value::Array(headers) = headers {
                let present =
                    headers.iter().any(|h| h.as_str().is_some_and(|h| h.eq_ignore_ascii_case(POLICY_SESSION_HEADER)));
                if !present {
                    headers.push(Value::String(POLICY_SESSION_HEADER.into()));
                }
            }
        }
        config
    }

    /// The Create/Get/Update/Synchronize output for a target; `status` overrides the computed one
    /// (a mutation's own answer).
    pub(super) fn target_detail(&self, t: &TargetRecord, now_ms: u64, status: Option<Status>) -> Value {
        let status = status.unwrap_or_else(|| t.status(now_ms));
        // A target without credentials has no `credentialProviderConfigurations`: the model's
        // list holds exactly one item, so `[]` would break it, and the SDK reads a missing list
        // as empty.
        let mut out = t.config.clone();
        out.insert("gatewayArn".into(), Value::String(self.gateway_arn.clone()));
        out.insert("targetId".into(), Value::String(t.target_id.clone()));
        t.add_common(&mut out, status, now_ms);
        if let (Some(reasons), Status::Failed | Status::UpdateUnsuccessful) = (&t.failure, status) {
            out.insert("statusReasons".into(), json!(reasons));
        }
        if let Some(protocol) = &t.facts.protocol_type {
            out.insert("protocolType".into(), Value::String(protocol.clone()));
        }
        Value::Object(out)
    }
}

impl TargetRecord {
    pub(super) fn name(&self) -> &str {
        self.config.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    pub(super) fn status(&self, now_ms: u64) -> Status {
        if self.gone_at_ms.is_some() {
            return Status::Deleting;
        }
        if now_ms < self.ready_at_ms {
            return match self.last_change {
                TargetChange::Create => Status::Creating,
                TargetChange::Update => Status::Updating,
                TargetChange::Synchronize => Status::Synchronizing,
            };
        }
        match (&self.failure, self.last_change) {
            (Some(_), TargetChange::Create) => Status::Failed,
            (Some(_), TargetChange::Update) => Status::UpdateUnsuccessful,
            _ if !self.facts.needs_auth || self.authorized => Status::Ready,
            (_, TargetChange::Create) => Status::CreatePendingAuth,
            // Synchronizing is only allowed once authorized, so this is an update.
            (_, TargetChange::Update | TargetChange::Synchronize) => Status::UpdatePendingAuth,
        }
    }

    /// The members Get and List share: status, timestamps, sync time and authorization data.
    pub(super) fn add_common(&self, out: &mut Map<String, Value>, status: Status, now_ms: u64) {
        out.insert("status".into(), Value::String(status.as_str().into()));
        out.insert("createdAt".into(), Value::String(rfc3339(self.created_at_ms)));
        out.insert("updatedAt".into(), Value::String(rfc3339(self.updated_at_ms)));
        let synchronized = match self.synchronized_at_ms {
            Some(at) if at <= now_ms => Some(at),
            _ => self.previous_synchronized_at_ms,
        };
        if let Some(at) = synchronized {
            out.insert("lastSynchronizedAt".into(), Value::String(rfc3339(at)));
        }
        if status.is_pending_auth() {
            out.insert(
                "authorizationData".into(),
                json!({ "oauth2": {
                    "authorizationUrl": format!("https://{AUTHORIZATION_HOST}/authorize?target={}", self.target_id),
                    "userId": AUTHORIZATION_USER,
                }}),
            );
        }
    }

    /// A ListGatewayTargets item: no configuration, but its kind and MCP server ordering.
    pub(super) fn summary(&self, now_ms: u64) -> Value {
        let mut out = Map::new();
        out.insert("targetId".into(), Value::String(self.target_id.clone()));
        for key in ["name", "description"] {
            if let Some(v) = self.config.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        self.add_common(&mut out, self.status(now_ms), now_ms);
        out.insert("targetType".into(), Value::String(self.facts.target_type.clone()));
        let server = self.config.get("targetConfiguration").and_then(|c| c.pointer("/mcp/mcpServer"));
        for key in ["resourcePriority", "listingMode"] {
            if let Some(v) = server.and_then(|s| s.get(key)) {
                out.insert(key.into(), v.clone());
            }
        }
        Value::Object(out)
    }
}
