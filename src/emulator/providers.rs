//! The token vault's OAuth2 and API-key credential providers (issue 26): the ten operations,
//! with the model's validation, tags, the token-vault ARN, the callback URL, and a secret passed
//! by value stored as a Secrets Manager ARN and never answered back.
//!
//! Names are unique per kind, as the two kinds have their own operations and ARNs. The store is
//! part of the emulator's state and so of its state file (a `providers` section), which holds
//! what the service keeps: the configuration it answers, the secret's location, tags and times.
//! A secret passed by value is never stored, not even in memory: only the ARN of the Secrets
//! Manager secret the service would have put it in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::state::{Answer, ACCOUNT};
use super::wire::{problems_to_error, ApiError};
use crate::model::credential_provider::{
    ApiKey, ClientAuthenticationMethod, CredentialProviderName, CredentialProviderVendor, Oauth2ProviderConfigInput,
    SecretReference, SecretSource,
};
use crate::model::decode::{Cx, Node};
use crate::model::Tags;

/// The most tags a resource can have (the model's TagsMap).
const MAX_TAGS: usize = 50;
/// ListOauth2CredentialProviders' largest page (the model: 1–20).
const MAX_OAUTH2_PAGE: usize = 20;
/// ListApiKeyCredentialProviders' largest page (the model's MaxResults: 1–100).
const MAX_API_KEY_PAGE: usize = 100;
/// The page size when `maxResults` is omitted.
const DEFAULT_PAGE: usize = 10;

/// One of the ten provider operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ProviderOp {
    CreateOauth2,
    GetOauth2,
    UpdateOauth2,
    DeleteOauth2,
    ListOauth2,
    CreateApiKey,
    GetApiKey,
    UpdateApiKey,
    DeleteApiKey,
    ListApiKey,
}

impl ProviderOp {
    /// The operation for the last segment of `/identities/<Operation>`.
    pub(super) fn parse(segment: &str) -> Option<Self> {
        Some(match segment {
            "CreateOauth2CredentialProvider" => ProviderOp::CreateOauth2,
            "GetOauth2CredentialProvider" => ProviderOp::GetOauth2,
            "UpdateOauth2CredentialProvider" => ProviderOp::UpdateOauth2,
            "DeleteOauth2CredentialProvider" => ProviderOp::DeleteOauth2,
            "ListOauth2CredentialProviders" => ProviderOp::ListOauth2,
            "CreateApiKeyCredentialProvider" => ProviderOp::CreateApiKey,
            "GetApiKeyCredentialProvider" => ProviderOp::GetApiKey,
            "UpdateApiKeyCredentialProvider" => ProviderOp::UpdateApiKey,
            "DeleteApiKeyCredentialProvider" => ProviderOp::DeleteApiKey,
            "ListApiKeyCredentialProviders" => ProviderOp::ListApiKey,
            _ => return None,
        })
    }
}

/// Where a provider's secret is: never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretLocation {
    arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    json_key: Option<String>,
    source: SecretMode,
}

/// Who holds a provider's secret (the model's SecretSourceType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum SecretMode {
    /// The service, in a secret of its own, from a value it was given.
    Managed,
    /// The user, in a Secrets Manager secret the provider names.
    External,
}

impl SecretMode {
    fn as_str(self) -> &'static str {
        match self {
            SecretMode::Managed => "MANAGED",
            SecretMode::External => "EXTERNAL",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Oauth2Record {
    vendor: String,
    /// `oauth2ProviderConfigOutput`, as answered: no client secret, but the values of
    /// `privateKeyJwtConfig`'s additional claims, which the model marks sensitive, are kept,
    /// since GetOauth2CredentialProvider answers them back.
    output: Value,
    secret: SecretLocation,
    created_ms: u64,
    updated_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiKeyRecord {
    secret: SecretLocation,
    created_ms: u64,
    updated_ms: u64,
}

/// The providers of one emulator, by kind and name, and their tags by ARN; this is also the
/// state file's `providers` section.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Store {
    #[serde(default)]
    oauth2: BTreeMap<String, Oauth2Record>,
    #[serde(default)]
    api_keys: BTreeMap<String, ApiKeyRecord>,
    #[serde(default)]
    tags: BTreeMap<String, BTreeMap<String, String>>,
}

/// The token-vault ARN of a provider.
fn arn(region: &str, kind: &str, name: &str) -> String {
    format!("arn:aws:bedrock-agentcore:{region}:{ACCOUNT}:token-vault/default/{kind}/{name}")
}

/// True for an ARN of a credential provider (which the tag operations route here).
pub(super) fn is_provider_arn(arn: &str) -> bool {
    arn.contains(":token-vault/default/oauth2credentialprovider/")
        || arn.contains(":token-vault/default/apikeycredentialprovider/")
}

/// The request body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation("CannotParse", "request body must be a JSON object")),
        Err(e) => Err(ApiError::validation("CannotParse", format!("request body is not valid JSON: {e}"))),
    }
}

/// The members of a request body, decoded by the model's rules: `keys` are the operation's
/// input members, `f` decodes them; any problem is a ValidationException naming the fields.
fn decode<T>(
    body: &[u8],
    keys: &[&str],
    f: impl FnOnce(&Node, &[(Node, Node)], &mut Cx<'_>) -> Option<T>,
) -> Result<T, ApiError> {
    let node = Node::from_json(&Value::Object(object(body)?));
    let mut problems = Vec::new();
    let out = {
        let mut cx = Cx::new("request", &mut problems);
        cx.map(&node).and_then(|entries| {
            cx.check_keys(entries, keys);
            f(&node, entries, &mut cx)
        })
    };
    if let Some(e) = problems_to_error(&problems) {
        return Err(e);
    }
    out.ok_or_else(|| ApiError::validation("FieldValidationFailed", "the request could not be read"))
}

/// The name member of Get and Delete.
fn name_only(body: &[u8]) -> Result<String, ApiError> {
    decode(body, &["name"], |node, entries, cx| cx.required::<CredentialProviderName>(node, entries, "name"))
        .map(|n| n.as_str().to_string())
}

/// `maxResults` (1 to `max`) and `nextToken` of a List body.
fn paging(body: &[u8], max: usize) -> Result<(usize, Option<String>), ApiError> {
    let obj = object(body)?;
    let mut fields = Vec::new();
    for k in obj.keys() {
        if k != "maxResults" && k != "nextToken" {
            fields.push((k.clone(), "is not a member of this operation's input".to_string()));
        }
    }
    let size = match obj.get("maxResults") {
        None | Some(Value::Null) => DEFAULT_PAGE.min(max),
        Some(v) => match v.as_u64() {
            Some(n) if (1..=max as u64).contains(&n) => n as usize,
            _ => {
                fields.push(("maxResults".into(), format!("must be an integer from 1 to {max}")));
                0
            }
        },
    };
    let token = match obj.get("nextToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            fields.push(("nextToken".into(), "must be a string".into()));
            None
        }
    };
    if !fields.is_empty() {
        return Err(ApiError::fields(fields));
    }
    Ok((size, token))
}

/// One page of `names` (sorted) after `token`, which is the last name of the previous page.
fn page<'a>(
    names: impl Iterator<Item = &'a String>,
    size: usize,
    token: Option<&str>,
) -> Result<(Vec<&'a String>, Option<String>), ApiError> {
    let all: Vec<&String> = names.collect();
    let start = match token {
        None => 0,
        Some(t) => match all.iter().position(|n| n.as_str() == t) {
            Some(i) => i + 1,
            // The provider the token names is gone: continue after where it would sort.
            None if CredentialProviderName::check(t).is_ok() => all.partition_point(|n| n.as_str() < t),
            None => return Err(ApiError::field("nextToken", "is not a token this operation returned")),
        },
    };
    let items: Vec<&String> = all.iter().skip(start).take(size).copied().collect();
    let next = (start + items.len() < all.len()).then(|| items.last().map(|n| n.to_string())).flatten();
    Ok((items, next))
}

/// The Secrets Manager ARN a secret is at: the service's own for a value it was given, the
/// user's for a reference (a bare secret name is made an ARN in this account and region).
fn secret_location(
    region: &str,
    kind: &str,
    name: &str,
    reference: Option<&SecretReference>,
) -> Result<SecretLocation, ApiError> {
    match reference {
        None => Ok(SecretLocation {
            arn: format!(
                "arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:bedrock-agentcore-identity!default/{kind}/{name}"
            ),
            json_key: None,
            source: SecretMode::Managed,
        }),
        Some(r) => {
            let id = r.secret_id.as_str();
            let arn = if id.starts_with("arn:") {
                id.to_string()
            } else {
                format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{id}")
            };
            static SECRET_ARN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                regex::Regex::new(
                    "^arn:(aws|aws-us-gov):secretsmanager:[A-Za-z0-9-]{1,64}:[0-9]{12}:secret:[a-zA-Z0-9-_/+=.@!]+$",
                )
                .expect("static regex")
            });
            if !SECRET_ARN.is_match(&arn) {
                return Err(ApiError::field("secretId", "must be a Secrets Manager secret ARN or name"));
            }
            Ok(SecretLocation { arn, json_key: Some(r.json_key.as_str().to_string()), source: SecretMode::External })
        }
    }
}

/// The rules of the two secret modes, as the service applies them: a value or a reference (with
/// EXTERNAL), not both; `prefix` names the members (`clientSecret`, `apiKey`).
fn check_secret(
    has_value: bool,
    reference: Option<&SecretReference>,
    source: Option<&SecretSource>,
    required: bool,
    [value, config, source_key]: [&str; 3],
) -> Result<(), ApiError> {
    let external = matches!(source, Some(SecretSource::External));
    let problem = match (has_value, reference.is_some()) {
        (true, true) => Some((value, format!("cannot be set together with {config}"))),
        (false, true) if !external => Some((source_key, format!("must be EXTERNAL when {config} is set"))),
        (_, false) if external => Some((config, format!("is required when {source_key} is EXTERNAL"))),
        (false, false) if required => Some((value, format!("is required unless {config} is set"))),
        _ => None,
    };
    match problem {
        Some((field, message)) => Err(ApiError::field(field, message)),
        None => Ok(()),
    }
}

/// Where a built-in vendor's endpoints are discovered.
fn vendor_discovery(vendor: &str, tenant: Option<&str>) -> String {
    match vendor {
        "GoogleOauth2" => "https://accounts.google.com/.well-known/openid-configuration".into(),
        // The tenant is any text (TenantIdType has no pattern): one path segment, percent-encoded,
        // so that the URL keeps DiscoveryUrlType's pattern (no whitespace, `?` or `#`).
        "MicrosoftOauth2" => format!(
            "https://login.microsoftonline.com/{}/v2.0/.well-known/openid-configuration",
            path_segment(tenant.unwrap_or("common"))
        ),
        "SalesforceOauth2" => "https://login.salesforce.com/.well-known/openid-configuration".into(),
        "SlackOauth2" => "https://slack.com/.well-known/openid-configuration".into(),
        "LinkedinOauth2" => "https://www.linkedin.com/oauth/.well-known/openid-configuration".into(),
        "AtlassianOauth2" => "https://auth.atlassian.com/.well-known/openid-configuration".into(),
        other => format!("https://{}.oauth.example/.well-known/oauth-authorization-server", other.to_ascii_lowercase()),
    }
}

/// `text` as one URL path segment: RFC 3986's unreserved characters kept, every other byte
/// percent-encoded.
fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `oauth2ProviderConfigOutput` for a configuration input: its readable members, never a secret.
fn config_output(config: &Oauth2ProviderConfigInput, vendor: &str) -> Result<Value, ApiError> {
    use Oauth2ProviderConfigInput as C;
    let input = match serde_json::to_value(config) {
        Ok(Value::Object(map)) => map,
        _ => return Err(ApiError::internal("could not serialize the provider configuration")),
    };
    let (key, member) = input.into_iter().next().ok_or_else(|| ApiError::internal("an empty configuration"))?;
    let Value::Object(member) = member else { return Err(ApiError::internal("a configuration that is not an object")) };
    let keep = |keys: &[&str]| -> Map<String, Value> {
        member.iter().filter(|(k, _)| keys.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    let out = match config {
        C::CustomOauth2ProviderConfig(_) => keep(&[
            "oauthDiscovery",
            "clientId",
            "onBehalfOfTokenExchangeConfig",
            "clientAuthenticationMethod",
            "privateEndpoint",
            "privateEndpointOverrides",
            "certificateConfigurations",
            "privateKeyJwtConfig",
        ]),
        C::IncludedOauth2ProviderConfig(c) => {
            let mut out = keep(&["clientId"]);
            let discovery = match (&c.issuer, &c.authorization_endpoint, &c.token_endpoint) {
                (Some(i), Some(a), Some(t)) => json!({ "authorizationServerMetadata": {
                    "issuer": i, "authorizationEndpoint": a, "tokenEndpoint": t } }),
                _ => json!({ "discoveryUrl": vendor_discovery(vendor, None) }),
            };
            out.insert("oauthDiscovery".into(), discovery);
            out
        }
        C::MicrosoftOauth2ProviderConfig(c) => {
            let mut out = keep(&["clientId"]);
            let tenant = c.tenant_id.as_ref().map(|t| t.as_str());
            out.insert("oauthDiscovery".into(), json!({ "discoveryUrl": vendor_discovery(vendor, tenant) }));
            out
        }
        _ => {
            let mut out = keep(&["clientId"]);
            out.insert("oauthDiscovery".into(), json!({ "discoveryUrl": vendor_discovery(vendor, None) }));
            out
        }
    };
    Ok(json!({ key: out }))
}

/// The Create/Update OAuth2 request, decoded and checked.
struct Oauth2Request {
    name: String,
    vendor: CredentialProviderVendor,
    config: Oauth2ProviderConfigInput,
    tags: Option<Tags>,
}

fn parse_oauth2(body: &[u8], create: bool) -> Result<Oauth2Request, ApiError> {
    let keys: &[&str] = if create {
        &["name", "credentialProviderVendor", "oauth2ProviderConfigInput", "tags"]
    } else {
        &["name", "credentialProviderVendor", "oauth2ProviderConfigInput"]
    };
    let req = decode(body, keys, |node, entries, cx| {
        let name = cx.required::<CredentialProviderName>(node, entries, "name");
        let vendor = cx.required::<CredentialProviderVendor>(node, entries, "credentialProviderVendor");
        let config = cx.required::<Oauth2ProviderConfigInput>(node, entries, "oauth2ProviderConfigInput");
        let tags = cx.optional::<Tags>(entries, "tags");
        Some(Oauth2Request { name: name?.as_str().to_string(), vendor: vendor?, config: config?, tags })
    })?;
    let expected = req.vendor.config_key();
    if req.config.key() != expected {
        return Err(ApiError::field(
            "oauth2ProviderConfigInput",
            format!("vendor {} takes {expected}, found {}", req.vendor, req.config.key()),
        ));
    }
    let secret = req.config.secret();
    let secretless = matches!(&req.config, Oauth2ProviderConfigInput::CustomOauth2ProviderConfig(c)
        if matches!(c.client_authentication_method,
            Some(ClientAuthenticationMethod::PrivateKeyJwt | ClientAuthenticationMethod::AwsIamIdTokenJwt)));
    check_secret(
        secret.value.is_some(),
        secret.reference,
        secret.source,
        !secretless,
        ["clientSecret", "clientSecretConfig", "clientSecretSource"],
    )?;
    Ok(req)
}

/// The Create/Update API-key request, decoded and checked.
struct ApiKeyRequest {
    name: String,
    has_key: bool,
    reference: Option<SecretReference>,
    tags: Option<Tags>,
}

fn parse_api_key(body: &[u8], create: bool) -> Result<ApiKeyRequest, ApiError> {
    let keys: &[&str] = if create {
        &["name", "apiKey", "apiKeySecretConfig", "apiKeySecretSource", "tags"]
    } else {
        &["name", "apiKey", "apiKeySecretConfig", "apiKeySecretSource"]
    };
    let (req, source) = decode(body, keys, |node, entries, cx| {
        let name = cx.required::<CredentialProviderName>(node, entries, "name");
        // Decoded to be checked; the value itself is never kept (the service stores it elsewhere).
        let key = cx.optional::<ApiKey>(entries, "apiKey");
        let reference = cx.optional::<SecretReference>(entries, "apiKeySecretConfig");
        let source = cx.optional::<SecretSource>(entries, "apiKeySecretSource");
        let tags = cx.optional::<Tags>(entries, "tags");
        Some((ApiKeyRequest { name: name?.as_str().to_string(), has_key: key.is_some(), reference, tags }, source))
    })?;
    check_secret(
        req.has_key,
        req.reference.as_ref(),
        source.as_ref(),
        true,
        ["apiKey", "apiKeySecretConfig", "apiKeySecretSource"],
    )?;
    Ok(req)
}

fn tag_map(tags: Option<&Tags>) -> Result<BTreeMap<String, String>, ApiError> {
    let map: BTreeMap<String, String> =
        tags.map(|t| t.as_map().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap_or_default();
    if let Some(k) = map.keys().find(|k| k.to_ascii_lowercase().starts_with("aws:")) {
        return Err(ApiError::field(&format!("tags.{k}"), "tag keys starting with `aws:` are reserved for AWS use"));
    }
    Ok(map)
}

fn callback_url(region: &str) -> String {
    format!("https://bedrock-agentcore.{region}.amazonaws.com/identities/oauth2/callback")
}

impl Store {
    /// Runs one provider operation.
    pub(super) fn dispatch(
        &mut self,
        op: ProviderOp,
        body: &[u8],
        region: &str,
        now_ms: u64,
    ) -> Result<Answer, ApiError> {
        match op {
            ProviderOp::CreateOauth2 => self.create_oauth2(parse_oauth2(body, true)?, region, now_ms),
            ProviderOp::UpdateOauth2 => self.update_oauth2(parse_oauth2(body, false)?, region, now_ms),
            ProviderOp::GetOauth2 => {
                let name = name_only(body)?;
                let r = self.oauth2.get(&name).ok_or_else(|| not_found("OAuth2", &name))?;
                Ok(read(oauth2_detail(&name, r, region, true)))
            }
            ProviderOp::DeleteOauth2 => {
                let name = name_only(body)?;
                self.oauth2.remove(&name).ok_or_else(|| not_found("OAuth2", &name))?;
                self.tags.remove(&arn(region, "oauth2credentialprovider", &name));
                Ok(Answer { status: 204, body: None, mutated: true })
            }
            ProviderOp::ListOauth2 => {
                let (size, token) = paging(body, MAX_OAUTH2_PAGE)?;
                let (names, next) = page(self.oauth2.keys(), size, token.as_deref())?;
                let items: Vec<Value> = names
                    .into_iter()
                    .filter_map(|n| self.oauth2.get(n).map(|r| (n, r)))
                    .map(|(n, r)| {
                        json!({ "name": n, "credentialProviderVendor": r.vendor,
                            "credentialProviderArn": arn(region, "oauth2credentialprovider", n),
                            "createdTime": epoch(r.created_ms), "lastUpdatedTime": epoch(r.updated_ms) })
                    })
                    .collect();
                Ok(read(list_body(items, next)))
            }
            ProviderOp::CreateApiKey => self.create_api_key(parse_api_key(body, true)?, region, now_ms),
            ProviderOp::UpdateApiKey => self.update_api_key(parse_api_key(body, false)?, region, now_ms),
            ProviderOp::GetApiKey => {
                let name = name_only(body)?;
                let r = self.api_keys.get(&name).ok_or_else(|| not_found("API key", &name))?;
                Ok(read(api_key_detail(&name, r, region)))
            }
            ProviderOp::DeleteApiKey => {
                let name = name_only(body)?;
                self.api_keys.remove(&name).ok_or_else(|| not_found("API key", &name))?;
                self.tags.remove(&arn(region, "apikeycredentialprovider", &name));
                Ok(Answer { status: 204, body: None, mutated: true })
            }
            ProviderOp::ListApiKey => {
                let (size, token) = paging(body, MAX_API_KEY_PAGE)?;
                let (names, next) = page(self.api_keys.keys(), size, token.as_deref())?;
                let items: Vec<Value> = names
                    .into_iter()
                    .filter_map(|n| self.api_keys.get(n).map(|r| (n, r)))
                    .map(|(n, r)| {
                        json!({ "name": n, "credentialProviderArn": arn(region, "apikeycredentialprovider", n),
                            "createdTime": epoch(r.created_ms), "lastUpdatedTime": epoch(r.updated_ms) })
                    })
                    .collect();
                Ok(read(list_body(items, next)))
            }
        }
    }

    fn create_oauth2(&mut self, req: Oauth2Request, region: &str, now_ms: u64) -> Result<Answer, ApiError> {
        if self.oauth2.contains_key(&req.name) {
            return Err(ApiError::conflict(format!("An OAuth2 credential provider named {} already exists", req.name)));
        }
        let tags = tag_map(req.tags.as_ref())?;
        let record = Oauth2Record {
            vendor: req.vendor.as_str().to_string(),
            output: config_output(&req.config, req.vendor.as_str())?,
            secret: secret_location(region, "oauth2", &req.name, req.config.secret().reference)?,
            created_ms: now_ms,
            updated_ms: now_ms,
        };
        let body = oauth2_detail(&req.name, &record, region, false);
        self.tags.insert(arn(region, "oauth2credentialprovider", &req.name), tags);
        self.oauth2.insert(req.name, record);
        Ok(Answer { status: 201, body: Some(body), mutated: true })
    }

    fn update_oauth2(&mut self, req: Oauth2Request, region: &str, now_ms: u64) -> Result<Answer, ApiError> {
        let old = self.oauth2.get(&req.name).ok_or_else(|| not_found("OAuth2", &req.name))?;
        let record = Oauth2Record {
            vendor: req.vendor.as_str().to_string(),
            output: config_output(&req.config, req.vendor.as_str())?,
            secret: secret_location(region, "oauth2", &req.name, req.config.secret().reference)?,
            created_ms: old.created_ms,
            updated_ms: now_ms.max(old.updated_ms),
        };
        let body = oauth2_detail(&req.name, &record, region, true);
        self.oauth2.insert(req.name, record);
        Ok(Answer { status: 200, body: Some(body), mutated: true })
    }

    fn create_api_key(&mut self, req: ApiKeyRequest, region: &str, now_ms: u64) -> Result<Answer, ApiError> {
        if self.api_keys.contains_key(&req.name) {
            return Err(ApiError::conflict(format!(
                "An API key credential provider named {} already exists",
                req.name
            )));
        }
        let tags = tag_map(req.tags.as_ref())?;
        let record = ApiKeyRecord {
            secret: secret_location(region, "apikey", &req.name, req.reference.as_ref())?,
            created_ms: now_ms,
            updated_ms: now_ms,
        };
        let mut body = api_key_detail(&req.name, &record, region);
        // CreateApiKeyCredentialProvider answers no timestamps.
        if let Some(obj) = body.as_object_mut() {
            obj.remove("createdTime");
            obj.remove("lastUpdatedTime");
        }
        self.tags.insert(arn(region, "apikeycredentialprovider", &req.name), tags);
        self.api_keys.insert(req.name, record);
        Ok(Answer { status: 201, body: Some(body), mutated: true })
    }

    fn update_api_key(&mut self, req: ApiKeyRequest, region: &str, now_ms: u64) -> Result<Answer, ApiError> {
        let old = self.api_keys.get(&req.name).ok_or_else(|| not_found("API key", &req.name))?;
        let record = ApiKeyRecord {
            secret: secret_location(region, "apikey", &req.name, req.reference.as_ref())?,
            created_ms: old.created_ms,
            updated_ms: now_ms.max(old.updated_ms),
        };
        let body = api_key_detail(&req.name, &record, region);
        self.api_keys.insert(req.name, record);
        Ok(Answer { status: 200, body: Some(body), mutated: true })
    }

    /// True when `arn` names a provider that exists.
    fn exists(&self, arn: &str) -> bool {
        self.tags.contains_key(arn)
    }

    /// TagResource on a provider: merges; more than 50 tags in total exceeds the quota.
    pub(super) fn tag_resource(&mut self, arn: &str, tags: BTreeMap<String, String>) -> Result<Answer, ApiError> {
        if !self.exists(arn) {
            return Err(ApiError::not_found(format!("No credential provider has the ARN {arn}")));
        }
        let current = self.tags.entry(arn.to_string()).or_default();
        let mut merged = current.clone();
        merged.extend(tags);
        if merged.len() > MAX_TAGS {
            return Err(ApiError::quota(format!(
                "A resource can have at most {MAX_TAGS} tags; this request would make {}",
                merged.len()
            )));
        }
        *current = merged;
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// UntagResource on a provider.
    pub(super) fn untag_resource(&mut self, arn: &str, keys: &[String]) -> Result<Answer, ApiError> {
        let current = self
            .tags
            .get_mut(arn)
            .ok_or_else(|| ApiError::not_found(format!("No credential provider has the ARN {arn}")))?;
        for k in keys {
            current.remove(k);
        }
        Ok(Answer { status: 204, body: None, mutated: true })
    }

    /// ListTagsForResource on a provider.
    pub(super) fn list_tags(&self, arn: &str) -> Result<Answer, ApiError> {
        let tags = self
            .tags
            .get(arn)
            .ok_or_else(|| ApiError::not_found(format!("No credential provider has the ARN {arn}")))?;
        Ok(read(json!({ "tags": tags })))
    }
}

/// A timestamp as these operations answer it: the model's `Timestamp` has no format, so restJson's
/// default, epoch seconds.
fn epoch(ms: u64) -> Value {
    json!(ms as f64 / 1000.0)
}

fn read(body: Value) -> Answer {
    Answer { status: 200, body: Some(body), mutated: false }
}

fn not_found(kind: &str, name: &str) -> ApiError {
    ApiError::not_found(format!("No {kind} credential provider is named {name}"))
}

fn list_body(items: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ "credentialProviders": items });
    if let (Some(t), Some(obj)) = (next, body.as_object_mut()) {
        obj.insert("nextToken".into(), Value::String(t));
    }
    body
}

/// Create, Get and Update's answer for an OAuth2 provider (Create's lacks the vendor and times).
fn oauth2_detail(name: &str, r: &Oauth2Record, region: &str, full: bool) -> Value {
    let mut body = json!({
        "name": name,
        "credentialProviderArn": arn(region, "oauth2credentialprovider", name),
        "clientSecretArn": { "secretArn": r.secret.arn },
        "clientSecretSource": r.secret.source.as_str(),
        "callbackUrl": callback_url(region),
        "oauth2ProviderConfigOutput": r.output,
        "status": "READY",
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(k) = &r.secret.json_key {
            obj.insert("clientSecretJsonKey".into(), Value::String(k.clone()));
        }
        if full {
            obj.insert("credentialProviderVendor".into(), Value::String(r.vendor.clone()));
            obj.insert("createdTime".into(), epoch(r.created_ms));
            obj.insert("lastUpdatedTime".into(), epoch(r.updated_ms));
        }
    }
    body
}

/// Get and Update's answer for an API-key provider.
fn api_key_detail(name: &str, r: &ApiKeyRecord, region: &str) -> Value {
    let mut body = json!({
        "name": name,
        "credentialProviderArn": arn(region, "apikeycredentialprovider", name),
        "apiKeySecretArn": { "secretArn": r.secret.arn },
        "apiKeySecretSource": r.secret.source.as_str(),
        "createdTime": epoch(r.created_ms),
        "lastUpdatedTime": epoch(r.updated_ms),
    });
    if let (Some(k), Some(obj)) = (&r.secret.json_key, body.as_object_mut()) {
        obj.insert("apiKeySecretJsonKey".into(), Value::String(k.clone()));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_microsoft_tenant_of_any_text_makes_a_discovery_url_of_the_model_s_pattern() {
        assert_eq!(
            vendor_discovery("MicrosoftOauth2", Some(" a/b?c#d\té")),
            "https://login.microsoftonline.com/%20a%2Fb%3Fc%23d%09%C3%A9/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            vendor_discovery("MicrosoftOauth2", Some("contoso.onmicrosoft.com")),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
    }
}
