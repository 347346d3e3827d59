//! Request bodies and parameters, validated with the project's own model before any state is touched.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::wire::{problems_to_error, strict_body_problems, ApiError};
use crate::model::decode::{Cx, Decode, Node};
use crate::model::{Description, Gateway, TagKey, Tags};

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

/// A validated CreateGatewayTarget body; beyond name and description it is kept verbatim.
#[derive(Debug, Clone)]
pub struct TargetRequest {
    pub name: String,
    pub description: Option<String>,
    pub client_token: Option<String>,
    /// `targetConfiguration` and the other optional members, as sent.
    pub members: Map<String, Value>,
}

impl TargetRequest {
    /// What a repeated client token must match.
    pub fn fingerprint(&self) -> Value {
        serde_json::json!({ "name": self.name, "description": self.description, "members": self.members })
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
static TARGET_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^(?:([0-9a-zA-Z][-]?){1,100})$").expect("static regex"));
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

/// Decodes a gateway body with the model, adding `extra` wire problems; fieldList names are unique.
fn decode_gateway(obj: &Map<String, Value>, mut fields: Vec<(String, String)>) -> Result<Gateway, ApiError> {
    fields.extend(strict_body_problems(obj));
    let node = Node::from_json(&Value::Object(obj.clone()));
    let mut problems = Vec::new();
    let mut cx = Cx::new("request", &mut problems);
    let gateway = Gateway::decode(&node, &mut cx);
    Gateway::check_cross_field(&node, &mut cx);
    if let Some(e) = problems_to_error(&problems) {
        fields.extend(e.fields);
    }
    let mut seen = std::collections::HashSet::new();
    fields.retain(|(name, _)| seen.insert(name.clone()));
    if !fields.is_empty() {
        return Err(ApiError::fields(fields));
    }
    gateway.ok_or_else(|| ApiError::validation("CannotParse", "request body could not be decoded"))
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

/// Validates a CreateGatewayTarget body; only what the emulator needs is checked in depth.
pub fn parse_target(body: &[u8]) -> Result<TargetRequest, ApiError> {
    const KEYS: &[&str] = &[
        "name",
        "description",
        "clientToken",
        "targetConfiguration",
        "credentialProviderConfigurations",
        "metadataConfiguration",
        "privateEndpoint",
        "certificateConfigurations",
    ];
    let mut obj = parse_object(body)?;
    let mut fields = Vec::new();
    for key in obj.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        fields.push((key.clone(), "is not a member of CreateGatewayTarget".to_string()));
    }
    let name = match obj.remove("name") {
        Some(Value::String(n)) if TARGET_NAME.is_match(&n) => Some(n),
        Some(Value::String(_)) => {
            fields.push(("name".into(), "must satisfy regular expression pattern: ([0-9a-zA-Z][-]?){1,100}".into()));
            None
        }
        Some(_) => {
            fields.push(("name".into(), "must be a string".into()));
            None
        }
        None => {
            fields.push(("name".into(), "is required".into()));
            None
        }
    };
    let description = match obj.remove("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => {
            if let Err(e) = Description::check(&d) {
                fields.push(("description".into(), e));
            }
            Some(d)
        }
        Some(_) => {
            fields.push(("description".into(), "must be a string".into()));
            None
        }
    };
    let client_token = take_client_token(&mut obj, &mut fields);
    match obj.get("targetConfiguration") {
        Some(Value::Object(m)) if m.len() == 1 => {}
        Some(Value::Object(_)) => {
            fields.push(("targetConfiguration".into(), "must set exactly one member of the union".into()))
        }
        Some(_) => fields.push(("targetConfiguration".into(), "must be an object".into())),
        None => fields.push(("targetConfiguration".into(), "is required".into())),
    }
    match (name, fields.is_empty()) {
        (Some(name), true) => Ok(TargetRequest { name, description, client_token, members: obj }),
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

/// A page request: `maxResults` (1–1000, default 50) and an optional `nextToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub max_results: usize,
    pub next_token: Option<String>,
}

/// The service's page size when `maxResults` is omitted (the model documents none).
pub const DEFAULT_PAGE: usize = 50;

/// Reads `maxResults` and `nextToken` from the query string.
pub fn parse_paging(query: &[(String, String)]) -> Result<Paging, ApiError> {
    let mut paging = Paging { max_results: DEFAULT_PAGE, next_token: None };
    for (k, v) in query {
        match k.as_str() {
            "maxResults" => match v.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => paging.max_results = n,
                _ => {
                    return Err(ApiError::field(
                        "maxResults",
                        format!("must be an integer from 1 to 1000, found `{v}`"),
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
        assert_eq!(parse_paging(&q("maxResults=1000")).unwrap().max_results, 1000);
        assert!(parse_paging(&q("maxResults=0")).is_err());
        assert!(parse_paging(&q("maxResults=1001")).is_err());
        assert_eq!(parse_paging(&[]).unwrap().max_results, DEFAULT_PAGE);
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
}
