//! Gateways: their records, CreateGateway to ListGateways, tags, and the test hooks that act on one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::super::request::{CreateRequest, Paging, UpdateRequest};
use super::super::wire::ApiError;
use super::child::{page, purge_gone, Life};
use super::rate_limit::RateLimitRecord;
use super::rule::RuleRecord;
use super::target::TargetRecord;
use super::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GatewayRecord {
    pub(super) gateway_id: String,
    pub(super) gateway_arn: String,
    pub(super) region: String,
    /// The canonical configuration as the model serializes it; tags are kept apart.
    pub(super) config: Map<String, Value>,
    #[serde(default)]
    pub(super) tags: BTreeMap<String, String>,
    /// Creation order, timestamps, the last change and the delete mark.
    #[serde(flatten)]
    pub(super) life: Life,
    /// Why the last create or update did not succeed; it settles as FAILED/UPDATE_UNSUCCESSFUL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) failure: Option<Vec<String>>,
    #[serde(default)]
    pub(super) targets: Vec<TargetRecord>,
    #[serde(default)]
    pub(super) target_tokens: BTreeMap<String, TokenRecord>,
    #[serde(default)]
    pub(super) rules: Vec<RuleRecord>,
    #[serde(default)]
    pub(super) rule_tokens: BTreeMap<String, TokenRecord>,
    #[serde(default)]
    pub(super) rate_limits: Vec<RateLimitRecord>,
    /// Client tokens of CreateGatewayRateLimit and (prefixed `batch:`) BatchPutGatewayRateLimits.
    #[serde(default)]
    pub(super) rate_limit_tokens: BTreeMap<String, TokenRecord>,
    /// The resource policy, as the JSON text PutResourcePolicy received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) resource_policy: Option<String>,
}

impl State {
    pub(super) fn gateway(&self, id: &str) -> Result<&GatewayRecord, ApiError> {
        self.gateways.get(id).ok_or_else(|| ApiError::not_found(format!("Gateway not found: {id}")))
    }

    /// Makes the next create or update of the gateway named `name` settle as FAILED (create) or
    /// UPDATE_UNSUCCESSFUL (update) with `reasons`, as the service does when, say, its role
    /// cannot be assumed.
    pub fn fail_next(&mut self, name: &str, reasons: Vec<String>) {
        self.failing.insert(name.to_string(), reasons);
    }

    /// Adds a tag the way an AWS service does (CloudFormation's `aws:` tags): no API call, no
    /// validation, no limit. False when there is no such gateway.
    pub fn add_service_tag(&mut self, gateway_id: &str, key: &str, value: &str) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        g.tags.insert(key.to_string(), value.to_string());
        self.mutated();
        true
    }

    /// Stores `value` at the JSON pointer `pointer` of a gateway's stored configuration without
    /// any validation (`null` removes the member), so that every read answers it: for tests of
    /// how a client copes with what the real service may one day send (an enum value or union
    /// member it does not know, an empty or over-long string). False when there is no such
    /// gateway or the pointer's parent is not an object.
    pub fn set_raw(&mut self, gateway_id: &str, pointer: &str, value: Value) -> bool {
        let Some(g) = self.gateways.get_mut(gateway_id) else { return false };
        let stored = store_raw(&mut g.config, pointer, value);
        if stored {
            self.mutated();
        }
        stored
    }

    /// Makes GetGateway and ListTagsForResource of one gateway answer AccessDeniedException, as
    /// an IAM policy that denies one resource does.
    pub fn deny_reads(&mut self, gateway_id: &str) {
        self.denied.insert(gateway_id.to_string());
    }

    pub(super) fn readable(&self, id: &str) -> Result<&GatewayRecord, ApiError> {
        if self.denied.contains(id) {
            return Err(ApiError::access_denied(format!("not authorized to read gateway {id}")));
        }
        self.gateway(id)
    }

    pub(super) fn gateway_mut(&mut self, id: &str) -> Result<&mut GatewayRecord, ApiError> {
        self.gateways.get_mut(id).ok_or_else(|| ApiError::not_found(format!("Gateway not found: {id}")))
    }

    pub(super) fn gateway_by_arn(&mut self, arn: &str) -> Result<&mut GatewayRecord, ApiError> {
        let id = arn.rsplit_once(":gateway/").map(|(_, id)| id).unwrap_or_default();
        match self.gateways.get_mut(id) {
            Some(g) if g.gateway_arn == arn => Ok(g),
            _ => Err(ApiError::not_found(format!("Resource not found: {arn}"))),
        }
    }

    /// CreateGateway.
    pub fn create_gateway(&mut self, req: CreateRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let fingerprint = req.fingerprint();
        if let Some(token) = &req.client_token {
            if let Some(seen) = self.tokens.get(token) {
                // A token whose gateway is gone is forgotten: there is nothing left to return.
                if let Some(g) = self.gateways.get(&seen.id) {
                    if seen.request != fingerprint {
                        return Err(ApiError::validation(
                            "IdempotentParameterMismatchException",
                            "The client token was already used with different request parameters",
                        ));
                    }
                    return Ok(Answer { status: 202, body: Some(g.detail(env.now_ms, None)), mutated: false });
                }
                self.tokens.remove(token);
            }
        }
        if let Some(other) = self.gateways.values().find(|g| g.name() == req.name) {
            return Err(ApiError::conflict(format!(
                "A gateway with name {} already exists ({})",
                req.name, other.gateway_id
            )));
        }
        let prefix = req.name.to_ascii_lowercase();
        let id = loop {
            let id = format!("{prefix}-{}", self.random_id(b"abcdefghijklmnopqrstuvwxyz0123456789"));
            if !self.gateways.contains_key(&id) {
                break id;
            }
        };
        let seq = self.next();
        let record = GatewayRecord {
            gateway_arn: format!("arn:aws:bedrock-agentcore:{}:{ACCOUNT}:gateway/{id}", env.region),
            gateway_id: id.clone(),
            region: env.region.to_string(),
            config: req.config,
            tags: req.tags,
            life: Life::created(seq, env.now_ms, env.delays.create),
            failure: self.failing.remove(&req.name),
            targets: Vec::new(),
            target_tokens: BTreeMap::new(),
            rules: Vec::new(),
            rule_tokens: BTreeMap::new(),
            rate_limits: Vec::new(),
            rate_limit_tokens: BTreeMap::new(),
            resource_policy: None,
        };
        let body = record.detail(env.now_ms, Some(Status::Creating));
        if let Some(token) = req.client_token {
            self.tokens.insert(token, TokenRecord { id: id.clone(), request: fingerprint });
        }
        self.gateways.insert(id, record);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// GetGateway.
    pub fn get_gateway(&mut self, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        Ok(Answer::read(self.readable(id)?.detail(env.now_ms, None)))
    }

    /// UpdateGateway: a full replace of the configuration; tags stay.
    pub fn update_gateway(&mut self, id: &str, req: UpdateRequest, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(id)?;
        if req.name != g.name() {
            return Err(ApiError::field(
                "name",
                format!("must be the same as the gateway's name ({}); a gateway cannot be renamed", g.name()),
            ));
        }
        if g.config.get("authorizerType").and_then(Value::as_str) != Some(req.authorizer_type.as_str()) {
            return Err(ApiError::validation(
                "FieldValidationFailed",
                "Authorizer type cannot be updated for an existing gateway",
            ));
        }
        match g.status(env.now_ms) {
            // An update is how a user repairs a gateway whose last change did not succeed.
            Status::Ready | Status::Failed | Status::UpdateUnsuccessful => {}
            status => {
                return Err(ApiError::conflict(format!(
                    "Gateway {id} is {} and cannot be updated until it is READY",
                    status.as_str()
                )))
            }
        }
        g.config = req.config;
        g.life.updated(env.now_ms, env.delays.update);
        let name = g.name().to_string();
        let failure = self.failing.remove(&name);
        let g = self.gateway_mut(id)?;
        g.failure = failure;
        let body = g.detail(env.now_ms, Some(Status::Updating));
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// DeleteGateway: DELETING for the delete delay, then gone (tags and tokens with it).
    pub fn delete_gateway(&mut self, id: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_mut(id)?;
        let body = json!({ "gatewayId": id, "status": Status::Deleting.as_str() });
        if !g.life.is_live() {
            return Ok(Answer { status: 202, body: Some(body), mutated: false });
        }
        if !g.targets.is_empty() {
            return Err(ApiError::conflict("Delete all targets before deleting the gateway"));
        }
        // A choice where the SDK is silent (see the reference): the user's rules and rate limits
        // block the delete like targets do; system-managed rules and the resource policy go
        // with the gateway, since a user cannot delete them first.
        if g.rules.iter().any(|r| r.managed_by.is_none()) {
            return Err(ApiError::conflict("Delete all gateway rules before deleting the gateway"));
        }
        if !g.rate_limits.is_empty() {
            return Err(ApiError::conflict("Delete all gateway rate limits before deleting the gateway"));
        }
        let gone_at = env.now_ms + millis(env.delays.delete);
        g.life.gone_at_ms = Some(gone_at);
        self.pending_deletes.insert((gone_at, id.to_string()));
        self.purge(env.now_ms);
        self.mutated();
        Ok(Answer { status: 202, body: Some(body), mutated: true })
    }

    /// ListGateways: pages in creation order; the token names the last gateway of the page.
    pub fn list_gateways(&mut self, paging: &Paging, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        // Checked first, so that an endless listing refuses a token it never handed out too.
        decode_token(paging.next_token.as_deref(), "g")?;
        if self.endless.contains(&None) {
            let every = self.gateways.values().map(|g| g.summary(env.now_ms)).collect();
            return Ok(self.endless_page("g", every, paging.max_results));
        }
        let mut all: Vec<&GatewayRecord> = self.gateways.values().collect();
        all.sort_by_key(|g| g.life.seq);
        Ok(Answer::read(page(&all, |g| g.life.seq, |g| g.summary(env.now_ms), paging, "g", "items")?))
    }

    /// TagResource: merges; more than 50 tags in total exceeds the quota.
    pub fn tag_resource(
        &mut self,
        arn: &str,
        tags: BTreeMap<String, String>,
        env: &Env<'_>,
    ) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        let mut merged = g.tags.clone();
        merged.extend(tags);
        if merged.len() > crate::model::Tags::MAX {
            return Err(ApiError::quota(format!(
                "A resource can have at most {} tags; this request would make {}",
                crate::model::Tags::MAX,
                merged.len()
            )));
        }
        g.tags = merged;
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// UntagResource: keys that are not there are ignored.
    pub fn untag_resource(&mut self, arn: &str, keys: &[String], env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let g = self.gateway_by_arn(arn)?;
        for k in keys {
            g.tags.remove(k);
        }
        self.mutated();
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// ListTagsForResource.
    pub fn list_tags(&mut self, arn: &str, env: &Env<'_>) -> Result<Answer, ApiError> {
        self.purge(env.now_ms);
        let id = self.gateway_by_arn(arn)?.gateway_id.clone();
        Ok(Answer::read(json!({ "tags": self.readable(&id)?.tags })))
    }
}

impl GatewayRecord {
    /// Forgets the parts whose deletion has finished. Every kind stored inside a gateway has its
    /// line here.
    pub(super) fn purge_children(&mut self, now_ms: u64) {
        self.targets.retain(|t| t.gone_at_ms.is_none_or(|at| at > now_ms));
        purge_gone::<RuleRecord>(self, now_ms);
        purge_gone::<RateLimitRecord>(self, now_ms);
    }

    pub(super) fn name(&self) -> &str {
        self.config.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    pub(super) fn status(&self, now_ms: u64) -> Status {
        if !self.life.is_live() {
            Status::Deleting
        } else if now_ms < self.life.ready_at_ms {
            match self.life.last_change {
                Change::Create => Status::Creating,
                Change::Update => Status::Updating,
            }
        } else {
            match (&self.failure, self.life.last_change) {
                (None, _) => Status::Ready,
                (Some(_), Change::Create) => Status::Failed,
                (Some(_), Change::Update) => Status::UpdateUnsuccessful,
            }
        }
    }

    /// The Create/Get/Update output; `status` overrides the computed one (a mutation's own answer).
    pub(super) fn detail(&self, now_ms: u64, status: Option<Status>) -> Value {
        let status = status.unwrap_or_else(|| self.status(now_ms));
        let mut out = Map::new();
        out.insert("gatewayArn".into(), Value::String(self.gateway_arn.clone()));
        out.insert("gatewayId".into(), Value::String(self.gateway_id.clone()));
        out.insert(
            "gatewayUrl".into(),
            Value::String(format!(
                "https://{}.gateway.bedrock-agentcore.{}.amazonaws.com/mcp",
                self.gateway_id, self.region
            )),
        );
        self.life.add_times(&mut out);
        out.insert("status".into(), Value::String(status.as_str().into()));
        if let (Some(reasons), Status::Failed | Status::UpdateUnsuccessful) = (&self.failure, status) {
            out.insert("statusReasons".into(), json!(reasons));
        }
        for (k, v) in &self.config {
            out.insert(k.clone(), v.clone());
        }
        if let Some(Value::Object(mcp)) = out.get_mut("protocolConfiguration").and_then(|p| p.get_mut("mcp")) {
            let session = mcp.entry("sessionConfiguration").or_insert_with(|| json!({}));
            if let Value::Object(session) = session {
                session.entry("sessionTimeoutInSeconds").or_insert_with(|| json!(DEFAULT_SESSION_TIMEOUT));
            }
        }
        out.insert(
            "workloadIdentityDetails".into(),
            json!({ "workloadIdentityArn": format!(
                "arn:aws:bedrock-agentcore:{}:{ACCOUNT}:workload-identity-directory/default/workload-identity/{}",
                self.region, self.gateway_id
            )}),
        );
        Value::Object(out)
    }

    /// A ListGateways item: no ARN, no URL.
    pub(super) fn summary(&self, now_ms: u64) -> Value {
        let mut out = Map::new();
        out.insert("gatewayId".into(), Value::String(self.gateway_id.clone()));
        out.insert("name".into(), Value::String(self.name().to_string()));
        out.insert("status".into(), Value::String(self.status(now_ms).as_str().into()));
        for key in ["description", "authorizerType", "protocolType"] {
            if let Some(v) = self.config.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        self.life.add_times(&mut out);
        Value::Object(out)
    }

    pub(super) fn refuse_if_deleting(&self) -> Result<(), ApiError> {
        if !self.life.is_live() {
            return Err(ApiError::conflict(format!("Gateway {} is being deleted", self.gateway_id)));
        }
        Ok(())
    }
}
