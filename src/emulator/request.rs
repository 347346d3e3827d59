//! Request bodies and parameters, validated with the project's own model before any state is touched.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::wire::{problems_to_error, strict_body_problems, ApiError};
use crate::model::decode::{Cx, Decode, Node, NodeKind};
use crate::model::policy::ResourcePolicy;
use crate::model::rate_limit::{check_dimensions, BatchPutLimitEntry, LimitEntries, RateLimitDescription, RateLimitId};
use crate::model::rule::{Actions, Conditions, Priority, Rule, RuleDescription};
use crate::model::target::{
    HttpTargetConfiguration, InferenceTargetConfiguration, McpTargetConfiguration, OAuthGrantType, Target,
    TargetConfiguration,
};
use crate::model::{Gateway, TagKey, Tags};

/// Largest request body accepted; the API's own documents are far smaller.
pub const MAX_BODY: usize = 1 << 20;

/// A validated CreateGateway request.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub name: String,
    /// The canonical configuration (model serialization, tags excluded).
    pub config: Map<String, Value>,
    pub tags: BTreeMap<String, String>,
    pub client_token: Option<String>,
}

impl CreateRequest {
    /// What a repeated client token must match: the whole request except the token itself.
    pub fn fingerprint(&self) -> Value {
        serde_json::json!({ "config": self.config, "tags": self.tags })
    }
}

/// A validated UpdateGateway body.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    pub name: String,
    pub authorizer_type: String,
    pub config: Map<String, Value>,
}

/// A validated CreateGatewayTarget or UpdateGatewayTarget body.
#[derive(Debug, Clone)]
pub struct TargetRequest {
    pub name: String,
    /// The configuration as the model serializes it, name and description included.
    pub config: Map<String, Value>,
    pub client_token: Option<String>,
    pub facts: TargetFacts,
}

impl TargetRequest {
    /// What a repeated client token must match: the whole request except the token itself.
    pub fn fingerprint(&self) -> Value {
        serde_json::json!({ "config": self.config })
    }
}

/// What the state rules need to know about a target, read off the decoded model once so that
/// state.rs never interprets the configuration's JSON itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetFacts {
    /// TargetSummary's `targetType`.
    pub target_type: String,
    /// GetGatewayTarget's `protocolType` (MCP or HTTP); inference targets have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_type: Option<String>,
    /// OAuth with the AUTHORIZATION_CODE grant: a user must consent before the target is READY.
    #[serde(default)]
    pub needs_auth: bool,
    /// An MCP server target without a static tool schema.
    #[serde(default)]
    pub can_synchronize: bool,
}

impl TargetFacts {
    fn of(target: &Target) -> Self {
        let (target_type, protocol_type) = match &target.target_configuration {
            TargetConfiguration::Mcp(m) => (
                match m {
                    McpTargetConfiguration::OpenApiSchema(_) => "OPEN_API_SCHEMA",
                    McpTargetConfiguration::SmithyModel(_) => "SMITHY_MODEL",
                    McpTargetConfiguration::Lambda(_) => "LAMBDA",
                    McpTargetConfiguration::McpServer(_) => "MCP_SERVER",
                    McpTargetConfiguration::ApiGateway(_) => "API_GATEWAY",
                    McpTargetConfiguration::Connector(_) => "CONNECTOR",
                },
                Some("MCP"),
            ),
            TargetConfiguration::Http(h) => (
                match h {
                    HttpTargetConfiguration::AgentcoreRuntime(_) => "AGENTCORE_RUNTIME",
                    HttpTargetConfiguration::Passthrough(_) => "PASSTHROUGH",
                    HttpTargetConfiguration::Connector(_) => "HTTP_CONNECTOR",
                },
                Some("HTTP"),
            ),
            // TargetType has no inference-connector value; CONNECTOR is the closest the SDK knows.
            TargetConfiguration::Inference(i) => (
                match i {
                    InferenceTargetConfiguration::Connector(_) => "CONNECTOR",
                    InferenceTargetConfiguration::Provider(_) => "PROVIDER",
                },
                None,
            ),
        };
        TargetFacts {
            target_type: target_type.to_string(),
            protocol_type: protocol_type.map(str::to_string),
            needs_auth: target.oauth().and_then(|o| o.grant_type.as_ref()) == Some(&OAuthGrantType::AuthorizationCode),
            can_synchronize: target.can_synchronize(),
        }
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation("CannotParse", "request body must be a JSON object")),
        Err(e) => Err(ApiError::validation("CannotParse", format!("request body is not valid JSON: {e}"))),
    }
}

static CLIENT_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^(?:[a-zA-Z0-9](-*[a-zA-Z0-9]){0,256})$").expect("static regex"));
static GATEWAY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^(?:([0-9a-z][-]?){1,100}-[0-9a-z]{10})$").expect("static regex"));
static TARGET_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9a-zA-Z]{10}$").expect("static regex"));
static RESOURCE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("^(?:arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z-]+/[^/]+)(?:/[a-z-]+/[^/]+)*)$")
        .expect("static regex")
});

/// Checks a `clientToken` value against the model (33–256 characters and its pattern).
fn client_token_problem(token: &Value) -> Option<String> {
    let Value::String(t) = token else { return Some("must be a string".into()) };
    let n = t.chars().count();
    if !(33..=256).contains(&n) {
        return Some(format!("must have length between 33 and 256, found {n}"));
    }
    (!CLIENT_TOKEN.is_match(t))
        .then(|| "must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,256}".into())
}

/// Decodes a body with the model, adding `fields` (wire problems found before decoding) and the
/// shape's cross-field rules; fieldList names are unique.
fn decode_body<T: Decode>(
    obj: &Map<String, Value>,
    mut fields: Vec<(String, String)>,
    cross_field: fn(&Node, &mut Cx<'_>),
) -> Result<T, ApiError> {
    fields.extend(strict_body_problems(obj));
    let node = Node::from_json(&Value::Object(obj.clone()));
    let mut problems = Vec::new();
    let mut cx = Cx::new("request", &mut problems).on_the_wire();
    let decoded = T::decode(&node, &mut cx);
    cross_field(&node, &mut cx);
    if let Some(e) = problems_to_error(&problems) {
        fields.extend(e.fields);
    }
    let mut seen = std::collections::HashSet::new();
    fields.retain(|(name, _)| seen.insert(name.clone()));
    if !fields.is_empty() {
        return Err(ApiError::fields(fields));
    }
    decoded.ok_or_else(|| ApiError::validation("CannotParse", "request body could not be decoded"))
}

fn decode_gateway(obj: &Map<String, Value>, fields: Vec<(String, String)>) -> Result<Gateway, ApiError> {
    decode_body(obj, fields, Gateway::check_cross_field)
}

fn reserved_tag_problems(tags: &BTreeMap<String, String>, prefix: &str) -> Vec<(String, String)> {
    tags.keys()
        .filter(|k| k.to_ascii_lowercase().starts_with("aws:"))
        .map(|k| (format!("{prefix}.{k}"), "tag keys starting with `aws:` are reserved for AWS use".into()))
        .collect()
}

fn to_object(gateway: &Gateway) -> Result<Map<String, Value>, ApiError> {
    match serde_json::to_value(gateway) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::internal("could not serialize the gateway configuration")),
    }
}

fn tag_strings(tags: &Tags) -> BTreeMap<String, String> {
    tags.as_map().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Removes `clientToken` from a create body, recording a field problem if it is malformed.
fn take_client_token(obj: &mut Map<String, Value>, fields: &mut Vec<(String, String)>) -> Option<String> {
    match obj.remove("clientToken") {
        None | Some(Value::Null) => None,
        Some(token) => {
            if let Some(problem) = client_token_problem(&token) {
                fields.push(("clientToken".to_string(), problem));
            }
            token.as_str().map(str::to_string)
        }
    }
}

/// Validates a CreateGateway body.
pub fn parse_create(body: &[u8]) -> Result<CreateRequest, ApiError> {
    let mut obj = parse_object(body)?;
    let mut fields = Vec::new();
    let client_token = take_client_token(&mut obj, &mut fields);
    for key in ["wafConfiguration", "customTransformConfiguration"] {
        if obj.contains_key(key) {
            fields.push((key.to_string(), "is not a member of CreateGateway; set it with UpdateGateway".into()));
        }
    }
    let mut gateway = decode_gateway(&obj, fields)?;
    let tags = gateway.tags.take().map(|t| tag_strings(&t)).unwrap_or_default();
    let reserved = reserved_tag_problems(&tags, "tags");
    if !reserved.is_empty() {
        return Err(ApiError::fields(reserved));
    }
    Ok(CreateRequest { name: gateway.name.to_string(), config: to_object(&gateway)?, tags, client_token })
}

/// Validates an UpdateGateway body.
pub fn parse_update(body: &[u8]) -> Result<UpdateRequest, ApiError> {
    let obj = parse_object(body)?;
    let mut fields = Vec::new();
    if obj.contains_key("tags") {
        fields.push(("tags".to_string(), "is not a member of UpdateGateway; use TagResource and UntagResource".into()));
    }
    let gateway = decode_gateway(&obj, fields)?;
    Ok(UpdateRequest {
        name: gateway.name.to_string(),
        authorizer_type: gateway.authorizer_type.to_string(),
        config: to_object(&gateway)?,
    })
}

/// Validates a TagResource body: `{"tags": {...}}`.
pub fn parse_tags(body: &[u8]) -> Result<BTreeMap<String, String>, ApiError> {
    let obj = parse_object(body)?;
    let node = Node::from_json(&Value::Object(obj));
    let mut problems = Vec::new();
    let mut cx = Cx::new("request", &mut problems);
    let mut tags = None;
    if let Some(entries) = cx.map(&node) {
        cx.check_keys(entries, &["tags"]);
        tags = cx.required::<Tags>(&node, entries, "tags");
    }
    if let Some(e) = problems_to_error(&problems) {
        return Err(e);
    }
    let tags = tags.map(|t| tag_strings(&t)).unwrap_or_default();
    let reserved = reserved_tag_problems(&tags, "tags");
    if !reserved.is_empty() {
        return Err(ApiError::fields(reserved));
    }
    Ok(tags)
}

/// Validates UntagResource's `tagKeys` (0–200 keys, each a TagKey).
pub fn parse_tag_keys(query: &[(String, String)]) -> Result<Vec<String>, ApiError> {
    let keys: Vec<String> = query.iter().filter(|(k, _)| k == "tagKeys").map(|(_, v)| v.clone()).collect();
    if keys.len() > 200 {
        return Err(ApiError::field("tagKeys", format!("must have at most 200 items, found {}", keys.len())));
    }
    let fields: Vec<(String, String)> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| TagKey::check(k).err().map(|e| (format!("tagKeys[{i}]"), e)))
        .collect();
    if !fields.is_empty() {
        return Err(ApiError::fields(fields));
    }
    Ok(keys)
}

fn target_request(target: &Target, client_token: Option<String>) -> Result<TargetRequest, ApiError> {
    let config = match serde_json::to_value(target) {
        Ok(Value::Object(map)) => map,
        _ => return Err(ApiError::internal("could not serialize the target configuration")),
    };
    Ok(TargetRequest { name: target.name.to_string(), config, client_token, facts: TargetFacts::of(target) })
}

/// Validates a CreateGatewayTarget body.
pub fn parse_create_target(body: &[u8]) -> Result<TargetRequest, ApiError> {
    let mut obj = parse_object(body)?;
    let mut fields = Vec::new();
    let client_token = take_client_token(&mut obj, &mut fields);
    let target: Target = decode_body(&obj, fields, Target::check_cross_field)?;
    target_request(&target, client_token)
}

/// Validates an UpdateGatewayTarget body: the same members as a create, without `clientToken`.
pub fn parse_update_target(body: &[u8]) -> Result<TargetRequest, ApiError> {
    let obj = parse_object(body)?;
    let mut fields = Vec::new();
    if obj.contains_key("clientToken") {
        fields.push(("clientToken".to_string(), "is not a member of UpdateGatewayTarget".into()));
    }
    let target: Target = decode_body(&obj, fields, Target::check_cross_field)?;
    target_request(&target, None)
}

/// Validates a SynchronizeGatewayTargets body and returns its one target ID.
pub fn parse_synchronize(body: &[u8]) -> Result<String, ApiError> {
    let mut obj = parse_object(body)?;
    let mut fields: Vec<(String, String)> = obj
        .keys()
        .filter(|k| k.as_str() != "targetIdList")
        .map(|k| (k.clone(), "is not a member of SynchronizeGatewayTargets".to_string()))
        .collect();
    let id = match obj.remove("targetIdList") {
        None | Some(Value::Null) => {
            fields.push(("targetIdList".into(), "is required".into()));
            None
        }
        Some(Value::Array(ids)) if ids.len() == 1 => match &ids[0] {
            Value::String(id) if TARGET_ID.is_match(id) => Some(id.clone()),
            _ => {
                fields.push((
                    "targetIdList[0]".into(),
                    "must satisfy regular expression pattern: [0-9a-zA-Z]{10}".into(),
                ));
                None
            }
        },
        Some(Value::Array(ids)) => {
            fields.push(("targetIdList".into(), format!("must have exactly 1 item, found {}", ids.len())));
            None
        }
        Some(_) => {
            fields.push(("targetIdList".into(), "must be a list".into()));
            None
        }
    };
    match id {
        Some(id) if fields.is_empty() => Ok(id),
        _ => Err(ApiError::fields(fields)),
    }
}

/// Checks a `gatewayIdentifier` URI label against the model's pattern.
pub fn check_gateway_id(id: &str) -> Result<(), ApiError> {
    if GATEWAY_ID.is_match(id) {
        Ok(())
    } else {
        Err(ApiError::field(
            "gatewayIdentifier",
            "must satisfy regular expression pattern: ([0-9a-z][-]?){1,100}-[0-9a-z]{10}",
        ))
    }
}

/// Checks a `targetId` URI label.
pub fn check_target_id(id: &str) -> Result<(), ApiError> {
    if TARGET_ID.is_match(id) {
        Ok(())
    } else {
        Err(ApiError::field("targetId", "must satisfy regular expression pattern: [0-9a-zA-Z]{10}"))
    }
}

/// Checks a `resourceArn` URI label (TaggableResourcesArn: 20–1011 characters and its pattern).
pub fn check_resource_arn(arn: &str) -> Result<(), ApiError> {
    let n = arn.chars().count();
    if !(20..=1011).contains(&n) {
        return Err(ApiError::field("resourceArn", format!("must have length between 20 and 1011, found {n}")));
    }
    if !RESOURCE_ARN.is_match(arn) {
        return Err(ApiError::field(
            "resourceArn",
            "must satisfy regular expression pattern: arn:(?:[^:]+)?:bedrock-agentcore:[a-z0-9-]+:[0-9]{12}:([a-z-]+/[^/]+)(?:/[a-z-]+/[^/]+)*",
        ));
    }
    Ok(())
}

/// A page request: `maxResults` (1 to the operation's maximum, default 50) and an optional
/// `nextToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub max_results: usize,
    pub next_token: Option<String>,
}

/// The service's page size when `maxResults` is omitted (the model documents none).
pub const DEFAULT_PAGE: usize = 50;

/// The largest `maxResults` of ListGateways and ListGatewayTargets (model: 1–1000).
pub const MAX_PAGE: usize = 1000;

/// The largest `maxResults` of ListGatewayRules and ListGatewayRateLimits (model:
/// GatewayRuleMaxResults and GatewayRateLimitMaxResults, 1–100).
pub const MAX_RULE_PAGE: usize = 100;

/// Reads `maxResults` (1–`max`) and `nextToken` from the query string.
pub fn parse_paging(query: &[(String, String)], max: usize) -> Result<Paging, ApiError> {
    let mut paging = Paging { max_results: DEFAULT_PAGE, next_token: None };
    for (k, v) in query {
        match k.as_str() {
            "maxResults" => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => paging.max_results = n,
                _ => {
                    return Err(ApiError::field(
                        "maxResults",
                        format!("must be an integer from 1 to {max}, found `{v}`"),
                    ))
                }
            },
            "nextToken" if v.is_empty() || v.len() > 2048 || v.chars().any(char::is_whitespace) => {
                return Err(ApiError::field("nextToken", "must have length between 1 and 2048 and no whitespace"))
            }
            "nextToken" => paging.next_token = Some(v.clone()),
            _ => {}
        }
    }
    Ok(paging)
}

// ---------------------------------------------------------------- rules

/// A validated CreateGatewayRule body.
#[derive(Debug, Clone)]
pub struct RuleRequest {
    pub priority: i32,
    /// The rule as the model serializes it (priority, description, conditions, actions).
    pub config: Map<String, Value>,
    pub client_token: Option<String>,
}

impl RuleRequest {
    /// What a repeated client token must match: the whole request except the token itself.
    pub fn fingerprint(&self) -> Value {
        serde_json::json!({ "config": self.config })
    }
}

/// A validated UpdateGatewayRule body: PATCH semantics, so each member is optional and an
/// absent member keeps its value. Each present member as the model serializes it.
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    pub priority: Option<i32>,
    pub members: Map<String, Value>,
}

/// UpdateGatewayRule's members, each optional.
struct RuleUpdate {
    priority: Option<Priority>,
    description: Option<RuleDescription>,
    conditions: Option<Conditions>,
    actions: Option<Actions>,
}

impl Decode for RuleUpdate {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        cx.check_keys(entries, Rule::KEYS);
        // `"conditions": []` is a value here (the model allows 0 items): it removes the
        // conditions, where `optional` would read it as "not sent" and keep them.
        let conditions = match node.get("conditions") {
            Some(c) if matches!(&c.kind, NodeKind::Seq(items) if items.is_empty()) => {
                Some(Conditions::new(Vec::new()).expect("the model allows no conditions"))
            }
            _ => cx.optional(entries, "conditions"),
        };
        Some(RuleUpdate {
            priority: cx.optional(entries, "priority"),
            description: cx.optional(entries, "description"),
            conditions,
            actions: cx.optional(entries, "actions"),
        })
    }
}

fn to_map<T: Serialize>(value: &T, what: &str) -> Result<Map<String, Value>, ApiError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::internal(format!("could not serialize the {what}"))),
    }
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|_| ApiError::internal("could not serialize a member"))
}

/// Validates a CreateGatewayRule body.
pub fn parse_create_rule(body: &[u8]) -> Result<RuleRequest, ApiError> {
    let mut obj = parse_object(body)?;
    let mut fields = Vec::new();
    let client_token = take_client_token(&mut obj, &mut fields);
    let rule: Rule = decode_body(&obj, fields, Rule::check_cross_field)?;
    Ok(RuleRequest { priority: rule.priority.get(), config: to_map(&rule, "rule")?, client_token })
}

/// Validates an UpdateGatewayRule body.
pub fn parse_update_rule(body: &[u8]) -> Result<RulePatch, ApiError> {
    let obj = parse_object(body)?;
    let mut fields = Vec::new();
    if obj.contains_key("clientToken") {
        fields.push(("clientToken".to_string(), "is not a member of UpdateGatewayRule".into()));
    }
    let update: RuleUpdate = decode_body(&obj, fields, Rule::check_cross_field)?;
    let mut patch = RulePatch { priority: update.priority.map(Priority::get), members: Map::new() };
    if let Some(p) = &update.priority {
        patch.members.insert("priority".into(), to_value(p)?);
    }
    if let Some(d) = &update.description {
        patch.members.insert("description".into(), to_value(d)?);
    }
    if let Some(c) = &update.conditions {
        // An empty list removes the conditions: the rule then applies to every request.
        patch.members.insert("conditions".into(), to_value(c)?);
    }
    if let Some(a) = &update.actions {
        patch.members.insert("actions".into(), to_value(a)?);
    }
    Ok(patch)
}

// ---------------------------------------------------------------- rate limits

/// A validated CreateGatewayRateLimit body, or one entry of a BatchPutGatewayRateLimits body.
#[derive(Debug, Clone)]
pub struct RateLimitRequest {
    pub rate_limit_id: Option<String>,
    pub dimension_keys: Vec<String>,
    /// Description and entries as the model serializes them.
    pub config: Map<String, Value>,
    pub client_token: Option<String>,
}

impl RateLimitRequest {
    fn of(entry: &BatchPutLimitEntry, client_token: Option<String>) -> Result<Self, ApiError> {
        let mut config = to_map(entry, "rate limit")?;
        config.remove("rateLimitId");
        config.remove("dimensionKeys");
        Ok(RateLimitRequest {
            rate_limit_id: entry.rate_limit_id.as_ref().map(|id| id.to_string()),
            dimension_keys: entry.dimension_keys.iter().map(|k| k.to_string()).collect(),
            config,
            client_token,
        })
    }

    /// What a repeated client token must match: the whole request except the token itself.
    pub fn fingerprint(&self) -> Value {
        serde_json::json!({ "id": self.rate_limit_id, "keys": self.dimension_keys, "config": self.config })
    }
}

/// A validated UpdateGatewayRateLimit body (PATCH): description and entries, each optional;
/// the entries are checked against the rate limit's dimension keys by [`check_entries`].
#[derive(Debug, Clone, Default)]
pub struct RateLimitPatch {
    pub members: Map<String, Value>,
}

/// UpdateGatewayRateLimit's members, each optional.
struct RateLimitUpdate {
    description: Option<RateLimitDescription>,
    entries: Option<LimitEntries>,
}

impl Decode for RateLimitUpdate {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        cx.check_keys(entries, &["description", "entries"]);
        Some(RateLimitUpdate {
            description: cx.optional(entries, "description"),
            entries: cx.optional(entries, "entries"),
        })
    }
}

/// The rateLimits list of a BatchPutGatewayRateLimits body.
struct BatchPut {
    rate_limits: Vec<BatchPutLimitEntry>,
}

impl Decode for BatchPut {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        cx.check_keys(entries, &["rateLimits"]);
        Some(BatchPut { rate_limits: cx.required(node, entries, "rateLimits")? })
    }
}

/// The dimension rules of every entry of a batch.
fn check_batch(node: &Node, cx: &mut Cx<'_>) {
    if let Some(NodeKind::Seq(items)) = node.get("rateLimits").map(|n| &n.kind) {
        for (i, item) in items.iter().enumerate() {
            cx.at("rateLimits", |cx| cx.at(format!("[{i}]"), |cx| check_dimensions(item, cx)));
        }
    }
}

/// True when `obj` has `"description": ""`. A rate limit's description may be empty
/// (GatewayRateLimitDescription is 0–512 in the service model), unlike every other string the
/// strict wire check refuses empty; a create stores none, an update clears the description.
fn take_empty_description(obj: &mut Map<String, Value>) -> bool {
    let empty = obj.get("description").and_then(Value::as_str) == Some("");
    if empty {
        obj.remove("description");
    }
    empty
}

/// Validates a CreateGatewayRateLimit body.
pub fn parse_create_rate_limit(body: &[u8]) -> Result<RateLimitRequest, ApiError> {
    let mut obj = parse_object(body)?;
    take_empty_description(&mut obj);
    let mut fields = Vec::new();
    let client_token = take_client_token(&mut obj, &mut fields);
    // CreateGatewayRateLimit has exactly BatchPutLimitEntry's members besides the token.
    let entry: BatchPutLimitEntry = decode_body(&obj, fields, BatchPutLimitEntry::check_cross_field)?;
    RateLimitRequest::of(&entry, client_token)
}

/// Validates an UpdateGatewayRateLimit body.
pub fn parse_update_rate_limit(body: &[u8]) -> Result<RateLimitPatch, ApiError> {
    let obj = parse_object(body)?;
    let mut fields = Vec::new();
    for key in ["clientToken", "dimensionKeys", "rateLimitId"] {
        if obj.contains_key(key) {
            let why = if key == "dimensionKeys" {
                "cannot be changed after creation (delete and re-create the rate limit)"
            } else {
                "is not a member of UpdateGatewayRateLimit"
            };
            fields.push((key.to_string(), why.to_string()));
        }
    }
    let mut rest = obj.clone();
    rest.remove("dimensionKeys");
    rest.remove("rateLimitId");
    let clear_description = take_empty_description(&mut rest);
    let update: RateLimitUpdate = decode_body(&rest, fields, |_, _| {})?;
    // The model's UpdateGatewayRateLimitRequest requires `entries` (PATCH or not).
    if update.entries.is_none() {
        return Err(ApiError::field("entries", "is required"));
    }
    let mut patch = RateLimitPatch::default();
    if clear_description {
        patch.members.insert("description".into(), Value::String(String::new()));
    }
    if let Some(d) = &update.description {
        patch.members.insert("description".into(), to_value(d)?);
    }
    if let Some(e) = &update.entries {
        patch.members.insert("entries".into(), to_value(e)?);
    }
    Ok(patch)
}

/// Checks entries (as the model serialized them) against a rate limit's dimension keys.
pub fn check_entries(dimension_keys: &[String], entries: &Value) -> Result<(), ApiError> {
    let node = Node::from_json(&serde_json::json!({ "dimensionKeys": dimension_keys, "entries": entries }));
    let mut problems = Vec::new();
    let mut cx = Cx::new("request", &mut problems);
    check_dimensions(&node, &mut cx);
    problems_to_error(&problems).map_or(Ok(()), Err)
}

/// Validates a BatchPutGatewayRateLimits body: its client token and its rate limits.
pub fn parse_batch_put(body: &[u8]) -> Result<(Option<String>, Vec<RateLimitRequest>), ApiError> {
    let mut obj = parse_object(body)?;
    let mut fields = Vec::new();
    let client_token = take_client_token(&mut obj, &mut fields);
    if let Some(Value::Array(items)) = obj.get_mut("rateLimits") {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            take_empty_description(item);
        }
    }
    let batch: BatchPut = decode_body(&obj, fields, check_batch)?;
    let items = batch.rate_limits.iter().map(|e| RateLimitRequest::of(e, None)).collect::<Result<Vec<_>, _>>()?;
    Ok((client_token, items))
}

/// Checks a `rateLimitId` URI label.
pub fn check_rate_limit_id(id: &str) -> Result<(), ApiError> {
    RateLimitId::check(id).map_err(|e| ApiError::field("rateLimitId", e))
}

/// Checks a `ruleId` URI label against the model's `GatewayRuleId`: a 36-character lowercase
/// UUID (`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).
pub fn check_rule_id(id: &str) -> Result<(), ApiError> {
    let uuid = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        });
    if !uuid {
        return Err(ApiError::field("ruleId", "must be a 36-character lowercase UUID"));
    }
    Ok(())
}

// ---------------------------------------------------------------- resource policy

/// Validates a PutResourcePolicy body and returns the policy text as sent.
pub fn parse_put_policy(body: &[u8]) -> Result<String, ApiError> {
    let obj = parse_object(body)?;
    let mut fields: Vec<(String, String)> = obj
        .keys()
        .filter(|k| k.as_str() != "policy")
        .map(|k| (k.clone(), "is not a member of PutResourcePolicy".to_string()))
        .collect();
    let text = match obj.get("policy") {
        None | Some(Value::Null) => {
            fields.push(("policy".into(), "is required".into()));
            None
        }
        Some(Value::String(text)) => match ResourcePolicy::parse(text) {
            Ok(_) => Some(text.clone()),
            Err(e) => {
                fields.push(("policy".into(), e));
                None
            }
        },
        Some(_) => {
            fields.push(("policy".into(), "must be a string holding the JSON policy document".into()));
            None
        }
    };
    match text {
        Some(text) if fields.is_empty() => Ok(text),
        _ => Err(ApiError::fields(fields)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{"name":"orders","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE"}"#;

    #[test]
    fn create_decodes_with_the_model_and_keeps_unions_omitted() {
        let body = r#"{"name":"orders","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"AWS_IAM",
            "protocolType":"MCP","protocolConfiguration":{"mcp":{"searchType":"SEMANTIC"}},
            "tags":{"team":"a"},"clientToken":"0123456789abcdef0123456789abcdef0"}"#;
        let req = parse_create(body.as_bytes()).unwrap();
        assert_eq!(req.name, "orders");
        assert_eq!(req.tags.get("team").map(String::as_str), Some("a"));
        assert_eq!(req.client_token.as_deref(), Some("0123456789abcdef0123456789abcdef0"));
        assert!(!req.config.contains_key("tags"));
        assert!(!req.config.contains_key("authorizerConfiguration"));
        assert_eq!(req.config["protocolConfiguration"]["mcp"]["searchType"], "SEMANTIC");
    }

    #[test]
    fn create_reports_every_field_problem() {
        let body = r#"{"name":"-bad","roleArn":"nope","authorizerType":"CUSTOM_JWT","clientToken":"short",
            "wafConfiguration":{"failureMode":"FAIL_OPEN"},"descripton":"x"}"#;
        let e = parse_create(body.as_bytes()).unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(e.reason, Some("FieldValidationFailed"));
        let names: Vec<&str> = e.fields.iter().map(|(n, _)| n.as_str()).collect();
        for want in ["clientToken", "wafConfiguration", "name", "roleArn", "descripton", "authorizerConfiguration"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
    }

    #[test]
    fn create_rejects_empty_unions_and_reserved_tags() {
        let body = r#"{"name":"a","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE","protocolConfiguration":{}}"#;
        let e = parse_create(body.as_bytes()).unwrap_err();
        assert_eq!(e.fields[0].0, "protocolConfiguration");
        let body =
            r#"{"name":"a","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE","tags":{"aws:x":"1"}}"#;
        let e = parse_create(body.as_bytes()).unwrap_err();
        assert_eq!(e.fields[0].0, "tags.aws:x");
    }

    #[test]
    fn update_refuses_tags_and_client_token() {
        assert!(parse_update(MINIMAL.as_bytes()).is_ok());
        let body = r#"{"name":"a","roleArn":"arn:aws:iam::123456789012:role/r","authorizerType":"NONE","tags":{"a":"b"},
            "clientToken":"0123456789abcdef0123456789abcdef0"}"#;
        let e = parse_update(body.as_bytes()).unwrap_err();
        let names: Vec<&str> = e.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["tags", "clientToken"]);
    }

    #[test]
    fn malformed_json_cannot_parse() {
        let e = parse_create(b"{nope").unwrap_err();
        assert_eq!(e.reason, Some("CannotParse"));
        assert!(parse_create(b"[]").is_err());
    }

    #[test]
    fn paging_bounds() {
        let q = |s: &str| super::super::wire::query_pairs(Some(s)).unwrap();
        assert_eq!(parse_paging(&q("maxResults=1000"), MAX_PAGE).unwrap().max_results, 1000);
        assert!(parse_paging(&q("maxResults=0"), MAX_PAGE).is_err());
        assert!(parse_paging(&q("maxResults=1001"), MAX_PAGE).is_err());
        assert_eq!(parse_paging(&[], MAX_PAGE).unwrap().max_results, DEFAULT_PAGE);
        // Rules and rate limits: 1–100.
        assert_eq!(parse_paging(&q("maxResults=100"), MAX_RULE_PAGE).unwrap().max_results, 100);
        assert!(parse_paging(&q("maxResults=101"), MAX_RULE_PAGE).is_err());
        const { assert!(DEFAULT_PAGE <= MAX_RULE_PAGE) };
    }

    #[test]
    fn identifiers() {
        assert!(check_gateway_id("orders-abcdefghij").is_ok());
        assert!(check_gateway_id("Orders-abcdefghij").is_err());
        assert!(
            check_resource_arn("arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/orders-abcdefghij").is_ok()
        );
        assert!(check_resource_arn("arn:aws:s3:::bucket-name-long-enough").is_err());
    }

    const LAMBDA_TARGET: &str = r#"{"name":"orders","targetConfiguration":{"mcp":{"lambda":{
        "lambdaArn":"arn:aws:lambda:us-east-1:123456789012:function:orders",
        "toolSchema":{"inlinePayload":[{"name":"get","description":"Gets","inputSchema":{"type":"object","properties":{},"required":[]}}]}}}},
        "credentialProviderConfigurations":[{"credentialProviderType":"GATEWAY_IAM_ROLE"}]}"#;

    #[test]
    fn target_decodes_with_the_model() {
        let req = parse_create_target(LAMBDA_TARGET.as_bytes()).unwrap();
        assert_eq!(req.name, "orders");
        assert_eq!(req.facts.target_type, "LAMBDA");
        assert_eq!(req.facts.protocol_type.as_deref(), Some("MCP"));
        assert!(!req.facts.needs_auth && !req.facts.can_synchronize);
        assert_eq!(req.config["targetConfiguration"]["mcp"]["lambda"]["toolSchema"]["inlinePayload"][0]["name"], "get");
    }

    #[test]
    fn target_problems_name_their_fields() {
        let body = r#"{"name":"-x","targetConfiguration":{"mcp":{"mcpServer":{"endpoint":"http://plain","resourcePriority":5000}}},
            "credentialProviderConfigurations":[{"credentialProviderType":"GATEWAY_IAM_ROLE"}],"extra":1,"clientToken":"short"}"#;
        let e = parse_create_target(body.as_bytes()).unwrap_err();
        let names: Vec<&str> = e.fields.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "clientToken",
            "name",
            "extra",
            "targetConfiguration.mcp.mcpServer.endpoint",
            "targetConfiguration.mcp.mcpServer.resourcePriority",
            "credentialProviderConfigurations[0]",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let e = parse_update_target(
            br#"{"name":"a","clientToken":"0123456789abcdef0123456789abcdef0","targetConfiguration":{"mcp":{}}}"#,
        )
        .unwrap_err();
        let names: Vec<&str> = e.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["clientToken", "targetConfiguration.mcp"]);
    }

    #[test]
    fn target_facts_follow_the_union_member() {
        let facts = |config: &str, creds: &str| {
            let body = format!(r#"{{"name":"t","targetConfiguration":{config}{creds}}}"#);
            parse_create_target(body.as_bytes()).unwrap().facts
        };
        let server = r#"{"mcp":{"mcpServer":{"endpoint":"https://mcp.example.com"}}}"#;
        let auth_code = r#","credentialProviderConfigurations":[{"credentialProviderType":"OAUTH","credentialProvider":
            {"oauthCredentialProvider":{"providerArn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/p","scopes":[],"grantType":"AUTHORIZATION_CODE"}}}]"#;
        let f = facts(server, auth_code);
        assert_eq!((f.target_type.as_str(), f.needs_auth, f.can_synchronize), ("MCP_SERVER", true, true));
        let f = facts(
            r#"{"http":{"agentcoreRuntime":{"arn":"arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent-0123456789"}}}"#,
            "",
        );
        assert_eq!((f.target_type.as_str(), f.protocol_type.as_deref()), ("AGENTCORE_RUNTIME", Some("HTTP")));
        let f = facts(r#"{"inference":{"provider":{"endpoint":"https://llm.example.com"}}}"#, "");
        assert_eq!((f.target_type.as_str(), f.protocol_type), ("PROVIDER", None));
    }

    #[test]
    fn synchronize_takes_exactly_one_id() {
        assert_eq!(parse_synchronize(br#"{"targetIdList":["ABCDEFGHIJ"]}"#).unwrap(), "ABCDEFGHIJ");
        for body in [r#"{"targetIdList":[]}"#, r#"{"targetIdList":["ABCDEFGHIJ","KLMNOPQRST"]}"#, "{}"] {
            assert_eq!(parse_synchronize(body.as_bytes()).unwrap_err().fields[0].0, "targetIdList", "{body}");
        }
        assert_eq!(parse_synchronize(br#"{"targetIdList":["short"]}"#).unwrap_err().fields[0].0, "targetIdList[0]");
    }

    #[test]
    fn a_provider_named_instead_of_given_by_arn_is_refused_as_the_service_would() {
        let body = |arn: &str| {
            format!(
                r#"{{"name":"t","targetConfiguration":{{"mcp":{{"mcpServer":{{"endpoint":"https://m.example.com/mcp"}}}}}},
                "credentialProviderConfigurations":[{{"credentialProviderType":"API_KEY",
                "credentialProvider":{{"apiKeyCredentialProvider":{{"providerArn":{arn}}}}}}}]}}"#
            )
        };
        let arn =
            r#""arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/w""#;
        assert!(parse_create_target(body(arn).as_bytes()).is_ok());
        let e = parse_create_target(body(r#"{"credentialProvider":"w"}"#).as_bytes()).unwrap_err();
        assert_eq!(e.code, "ValidationException");
        assert_eq!(
            e.fields,
            [(
                "credentialProviderConfigurations[0].credentialProvider.apiKeyCredentialProvider.providerArn"
                    .to_string(),
                "expected a string, found a mapping".to_string()
            )]
        );
    }
}
