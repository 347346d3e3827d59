//! Checks the emulator's traffic against the service model (the botocore JSON copied in
//! `tests/model/agentcore-control.json`): every request the emulator accepts and every answer it
//! sends, against the operation's input and output shapes and its success status code. Test
//! harnesses turn it on with [`super::Config::conformance`]; `acgw emulator` and `--local` never
//! load it. A deviation is data for the test to fail on, never a changed answer.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use serde_json::Value;

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot read the service model {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} is not a service model: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
}

/// Where a member travels in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Body,
    Uri,
    Query,
    Header,
}

#[derive(Debug)]
struct Member {
    shape: String,
    location: Location,
    /// The URI label or query-string key, when it differs from the member's name.
    wire_name: String,
}

#[derive(Debug)]
enum Shape {
    Structure { members: Vec<(String, Member)>, required: BTreeSet<String>, union: bool },
    List { member: String, min: Option<u64>, max: Option<u64> },
    Map { key: String, value: String, min: Option<u64>, max: Option<u64> },
    String { min: Option<u64>, max: Option<u64>, pattern: Option<(String, Regex)>, values: Option<Vec<String>> },
    Integer { min: Option<f64>, max: Option<f64> },
    Double { min: Option<f64>, max: Option<f64> },
    Boolean,
    Timestamp,
    Document,
}

#[derive(Debug)]
struct Operation {
    method: String,
    /// `requestUri` split at `/`, without empty segments.
    uri: Vec<String>,
    status: u16,
    input: Option<String>,
    output: Option<String>,
}

/// A parsed service model with its patterns compiled.
#[derive(Debug)]
pub struct Model {
    /// The botocore version the copy was taken from.
    pub version: String,
    operations: HashMap<String, Operation>,
    shapes: HashMap<String, Shape>,
}

/// Models already loaded in this process, by path: test suites start hundreds of emulators, and
/// the patterns are compiled once.
fn cache() -> &'static Mutex<HashMap<PathBuf, Arc<Model>>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Model>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

impl Model {
    /// Loads (once per process and path) the model at `path`.
    pub fn load(path: &Path) -> Result<Arc<Model>, ModelError> {
        if let Some(m) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(path) {
            return Ok(Arc::clone(m));
        }
        let text =
            std::fs::read_to_string(path).map_err(|source| ModelError::Read { path: path.to_path_buf(), source })?;
        let model =
            Arc::new(Model::parse(&text).map_err(|reason| ModelError::Invalid { path: path.to_path_buf(), reason })?);
        cache().lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_path_buf(), Arc::clone(&model));
        Ok(model)
    }

    /// Parses botocore's JSON (or the extract of it that `.ci/model-extract` writes).
    pub fn parse(text: &str) -> Result<Model, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let version = doc["botocoreVersion"].as_str().unwrap_or("unknown").to_string();
        let mut shapes = HashMap::new();
        for (name, s) in doc["shapes"].as_object().ok_or("no shapes")? {
            shapes.insert(name.clone(), parse_shape(name, s)?);
        }
        let mut operations = HashMap::new();
        for (name, o) in doc["operations"].as_object().ok_or("no operations")? {
            let http = &o["http"];
            let shape_of = |key: &str| o[key]["shape"].as_str().map(String::from);
            operations.insert(
                name.clone(),
                Operation {
                    method: http["method"].as_str().ok_or_else(|| format!("{name}: no http.method"))?.to_string(),
                    uri: http["requestUri"]
                        .as_str()
                        .ok_or_else(|| format!("{name}: no http.requestUri"))?
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                    status: http["responseCode"].as_u64().map_or(Ok(200), u16::try_from).map_err(|e| e.to_string())?,
                    input: shape_of("input"),
                    output: shape_of("output"),
                },
            );
        }
        let model = Model { version, operations, shapes };
        for s in model.shapes.values() {
            for target in s.targets() {
                if !model.shapes.contains_key(target) {
                    return Err(format!("shape {target} is referenced but not defined"));
                }
            }
        }
        Ok(model)
    }

    /// The operation's HTTP method and success status code, for tests of the routes.
    pub fn http(&self, operation: &str) -> Option<(&str, u16)> {
        self.operations.get(operation).map(|o| (o.method.as_str(), o.status))
    }

    /// Deviations of an accepted request: its decoded path segments, query pairs and JSON body
    /// (empty for none) against the operation's input shape.
    pub fn check_request(
        &self,
        operation: &str,
        segments: &[String],
        query: &[(String, String)],
        body: &[u8],
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(op) = self.operations.get(operation) else {
            return vec![format!("{operation}: not an operation of the model")];
        };
        let Some(input) = op.input.as_deref() else { return out };
        let Some(Shape::Structure { members, required, .. }) = self.shapes.get(input) else { return out };
        let labels = uri_labels(&op.uri, segments);
        let mut body_value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return vec![format!("{operation} request: the body is not JSON: {e}")],
            }
        };
        let mut cx = Check { model: self, out: &mut out, what: format!("{operation} request") };
        for (name, m) in members {
            let value = match m.location {
                Location::Uri => labels.get(m.wire_name.as_str()).map(|v| Value::String(v.clone())),
                Location::Query => query_value(self, &m.shape, &m.wire_name, query),
                Location::Header => None,
                Location::Body => None,
            };
            if m.location == Location::Body {
                continue;
            }
            match value {
                Some(v) => cx.value(&m.shape, &v, &format!("{}({})", name, location_name(m.location))),
                None if required.contains(name) && m.location != Location::Header => {
                    cx.fail(&format!("{name}({})", location_name(m.location)), "required but absent")
                }
                None => {}
            }
        }
        for (key, _) in query {
            if !members.iter().any(|(_, m)| m.location == Location::Query && &m.wire_name == key) {
                cx.fail(&format!("{key}(query)"), "not a member of the input shape");
            }
        }
        // The body holds the members without a location.
        if let Value::Object(obj) = &mut body_value {
            let body_members: Vec<&(String, Member)> =
                members.iter().filter(|(_, m)| m.location == Location::Body).collect();
            cx.object(obj, &body_members, required, false, "$");
        } else {
            cx.fail("$", "the body is not a JSON object");
        }
        out
    }

    /// Deviations of a successful answer: its status code and JSON body (`None` for none)
    /// against the operation's output shape.
    pub fn check_response(&self, operation: &str, status: u16, body: Option<&Value>) -> Vec<String> {
        let mut out = Vec::new();
        let Some(op) = self.operations.get(operation) else {
            return vec![format!("{operation}: not an operation of the model")];
        };
        if status != op.status {
            out.push(format!("{operation} response: status {status}, the model's success code is {}", op.status));
        }
        let mut cx = Check { model: self, out: &mut out, what: format!("{operation} response") };
        match (op.output.as_deref(), body) {
            (Some(shape), Some(v)) => cx.value(shape, v, "$"),
            (Some(shape), None) => {
                if let Some(Shape::Structure { required, .. }) = self.shapes.get(shape) {
                    if !required.is_empty() {
                        cx.fail("$", "no body, but the output shape has required members");
                    }
                }
            }
            (None, Some(_)) => cx.fail("$", "a body, but the operation has no output shape"),
            (None, None) => {}
        }
        out
    }
}

fn location_name(l: Location) -> &'static str {
    match l {
        Location::Body => "body",
        Location::Uri => "uri",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// The URI labels of `segments` by the template's `{label}` names; the last label takes the rest
/// of the path (an ARN whose `/` was not encoded).
fn uri_labels(template: &[String], segments: &[String]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (i, t) in template.iter().enumerate() {
        let Some(label) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else { continue };
        let label = label.trim_end_matches('+');
        let value = if i + 1 == template.len() {
            segments.get(i..).map(|rest| rest.join("/"))
        } else {
            segments.get(i).cloned()
        };
        if let Some(v) = value {
            out.insert(label.to_string(), v);
        }
    }
    out
}

/// A query-string member as the JSON value its shape would have.
fn query_value(model: &Model, shape: &str, key: &str, query: &[(String, String)]) -> Option<Value> {
    let values: Vec<&String> = query.iter().filter(|(k, _)| k == key).map(|(_, v)| v).collect();
    let first = values.first()?;
    Some(match model.shapes.get(shape) {
        Some(Shape::List { .. }) => Value::Array(values.iter().map(|v| Value::String((*v).clone())).collect()),
        Some(Shape::Integer { .. }) => {
            first.parse::<i64>().map_or_else(|_| Value::String((*first).clone()), |n| Value::Number(n.into()))
        }
        _ => Value::String((*first).clone()),
    })
}

fn parse_shape(name: &str, s: &Value) -> Result<Shape, String> {
    let int = |key: &str| s[key].as_u64();
    let num = |key: &str| s[key].as_f64();
    let target =
        |key: &str| s[key]["shape"].as_str().map(String::from).ok_or_else(|| format!("shape {name}: no {key}.shape"));
    Ok(match s["type"].as_str().unwrap_or_default() {
        "structure" if s["document"].as_bool() == Some(true) => Shape::Document,
        "structure" => {
            let mut members = Vec::new();
            for (m, v) in s["members"].as_object().into_iter().flatten() {
                let location = match v["location"].as_str() {
                    None => Location::Body,
                    Some("uri") => Location::Uri,
                    Some("querystring") => Location::Query,
                    Some("header" | "headers") => Location::Header,
                    Some(other) => return Err(format!("shape {name}.{m}: unknown location {other}")),
                };
                members.push((
                    m.clone(),
                    Member {
                        shape: v["shape"].as_str().ok_or_else(|| format!("shape {name}.{m}: no shape"))?.to_string(),
                        location,
                        wire_name: v["locationName"].as_str().unwrap_or(m).to_string(),
                    },
                ));
            }
            let required =
                s["required"].as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect();
            Shape::Structure { members, required, union: s["union"].as_bool() == Some(true) }
        }
        "list" => Shape::List { member: target("member")?, min: int("min"), max: int("max") },
        "map" => Shape::Map { key: target("key")?, value: target("value")?, min: int("min"), max: int("max") },
        "string" => {
            let pattern = match s["pattern"].as_str().map(|p| erratum(name, p)) {
                // The model's patterns are matched against the whole value, as Smithy's are not
                // (Smithy's `@pattern` is a search), because the service and boto3 treat them so.
                Some(p) => Some((
                    p.clone(),
                    Regex::new(&format!("^(?:{p})$")).map_err(|e| format!("shape {name}: pattern {p:?}: {e}"))?,
                )),
                None => None,
            };
            let values = s["enum"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect());
            Shape::String { min: int("min"), max: int("max"), pattern, values }
        }
        "integer" | "long" => Shape::Integer { min: num("min"), max: num("max") },
        "double" | "float" => Shape::Double { min: num("min"), max: num("max") },
        "boolean" => Shape::Boolean,
        "timestamp" => Shape::Timestamp,
        other => return Err(format!("shape {name}: type {other:?} is not checked")),
    })
}

impl Shape {
    fn targets(&self) -> Vec<&str> {
        match self {
            Shape::Structure { members, .. } => members.iter().map(|(_, m)| m.shape.as_str()).collect(),
            Shape::List { member, .. } => vec![member],
            Shape::Map { key, value, .. } => vec![key, value],
            _ => Vec::new(),
        }
    }
}

/// One walk of a value, collecting deviations.
struct Check<'a> {
    model: &'a Model,
    out: &'a mut Vec<String>,
    what: String,
}

/// Required members the model makes impossible to send in some cases, by the member's shape, each
/// with why: left out, they are not reported missing (any other deviation still is).
const UNSATISFIABLE_REQUIRED: &[(&str, &str)] = &[(
    "CredentialProviderConfigurations",
    "required in target outputs, but its list holds exactly one item, so a target created without \
     credentials can only break one rule or the other; the emulator leaves the member out",
)];

/// How many deviations one message lists before it stops: a broken answer is one failure.
const MAX_DEVIATIONS: usize = 20;

impl Check<'_> {
    fn fail(&mut self, path: &str, why: &str) {
        if self.out.len() < MAX_DEVIATIONS {
            self.out.push(format!("{}: {path}: {why}", self.what));
        }
    }

    fn value(&mut self, shape_name: &str, v: &Value, path: &str) {
        let Some(shape) = self.model.shapes.get(shape_name) else {
            return self.fail(path, &format!("shape {shape_name} is not in the model"));
        };
        if v.is_null() {
            return self.fail(path, "null (a member is sent or left out, never null)");
        }
        match shape {
            Shape::Structure { members, required, union } => match v {
                Value::Object(obj) => {
                    let all: Vec<&(String, Member)> = members.iter().collect();
                    self.object(obj, &all, required, *union, path);
                }
                _ => self.fail(path, &format!("{} where the model has structure {shape_name}", kind(v))),
            },
            Shape::List { member, min, max } => match v {
                Value::Array(items) => {
                    self.size(path, items.len(), *min, *max, "items");
                    for (i, item) in items.iter().enumerate() {
                        self.value(member, item, &format!("{path}[{i}]"));
                    }
                }
                _ => self.fail(path, &format!("{} where the model has list {shape_name}", kind(v))),
            },
            Shape::Map { key, value, min, max } => match v {
                Value::Object(obj) => {
                    self.size(path, obj.len(), *min, *max, "entries");
                    for (k, item) in obj {
                        self.value(key, &Value::String(k.clone()), &format!("{path}{{key {k:?}}}"));
                        self.value(value, item, &format!("{path}[{k:?}]"));
                    }
                }
                _ => self.fail(path, &format!("{} where the model has map {shape_name}", kind(v))),
            },
            Shape::String { min, max, pattern, values } => {
                let Some(s) = v.as_str() else {
                    return self.fail(path, &format!("{} where the model has string {shape_name}", kind(v)));
                };
                let len = s.chars().count();
                self.size(path, len, *min, *max, "characters");
                if let Some(values) = values {
                    if !values.iter().any(|e| e == s) {
                        self.fail(path, &format!("{s:?} is not one of {shape_name}'s values {values:?}"));
                    }
                }
                if let Some((source, re)) = pattern {
                    if !re.is_match(s) {
                        self.fail(path, &format!("{s:?} does not match {shape_name}'s pattern {source:?}"));
                    }
                }
            }
            Shape::Integer { min, max } => match v.as_i64() {
                Some(n) => self.range(path, n as f64, *min, *max),
                None => self.fail(path, &format!("{} where the model has integer {shape_name}", kind(v))),
            },
            Shape::Double { min, max } => match v.as_f64() {
                Some(n) => self.range(path, n, *min, *max),
                None => self.fail(path, &format!("{} where the model has double {shape_name}", kind(v))),
            },
            Shape::Boolean => {
                if !v.is_boolean() {
                    self.fail(path, &format!("{} where the model has a boolean", kind(v)));
                }
            }
            // restJson1 sends timestamps as epoch seconds unless the shape says iso8601 (every
            // timestamp shape of this model does); either way a number or an RFC 3339 string.
            Shape::Timestamp => {
                let ok = v.is_number() || v.as_str().is_some_and(looks_rfc3339);
                if !ok {
                    self.fail(path, &format!("{v} is not a timestamp"));
                }
            }
            Shape::Document => {}
        }
    }

    fn object(
        &mut self,
        obj: &serde_json::Map<String, Value>,
        members: &[&(String, Member)],
        required: &BTreeSet<String>,
        union: bool,
        path: &str,
    ) {
        for (k, v) in obj {
            let member_path = format!("{path}.{k}");
            // A body member's JSON key is its `locationName` when it has one (DomainOverride's
            // `defaultDomain` travels as `default`), as botocore serializes it.
            match members.iter().find(|(_, m)| m.wire_name == *k) {
                Some((_, m)) => self.value(&m.shape, v, &member_path),
                None => self.fail(&member_path, "not a member of the shape"),
            }
        }
        for r in required {
            let Some((_, m)) = members.iter().find(|(name, _)| name == r) else { continue };
            if !obj.contains_key(&m.wire_name) && !UNSATISFIABLE_REQUIRED.iter().any(|(shape, _)| *shape == m.shape) {
                self.fail(&format!("{path}.{}", m.wire_name), "required but absent");
            }
        }
        if union {
            let set = obj.values().filter(|v| !v.is_null()).count();
            if set != 1 {
                self.fail(path, &format!("a union with {set} members set (exactly one is allowed)"));
            }
        }
    }

    fn size(&mut self, path: &str, n: usize, min: Option<u64>, max: Option<u64>, unit: &str) {
        let n = n as u64;
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            let bound = |b: Option<u64>| b.map_or_else(|| "-".to_string(), |b| b.to_string());
            self.fail(path, &format!("{n} {unit}, the model allows {}..{}", bound(min), bound(max)));
        }
    }

    fn range(&mut self, path: &str, n: f64, min: Option<f64>, max: Option<f64>) {
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            let bound = |b: Option<f64>| b.map_or_else(|| "-".to_string(), |b| b.to_string());
            self.fail(path, &format!("{n} is outside the model's range {}..{}", bound(min), bound(max)));
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` then anything (fraction, `Z` or offset): enough to tell a timestamp from
/// another string; the SDK's parser is the real judge.
fn looks_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b.iter().take(19).enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Where the model contradicts itself about credential provider ARNs (issue 26), the pattern
/// that lets them work: CredentialProviderArnType and ApiKeyCredentialProviderArnType name the
/// service `acps`, while IAM's resource types and TaggableResourcesArn name `bedrock-agentcore`,
/// and TaggableResourcesArn's `[a-z-]+` resource types leave out `oauth2credentialprovider`. The
/// emulator answers `bedrock-agentcore` ARNs and tags them; each pattern here accepts that too.
/// The same two patterns also leave `_` out of the provider's name, which CredentialProviderName
/// allows (and OAuth2CredentialProviderArn's name segment, `[a-zA-Z0-9_-]{1,128}`, has): the
/// ARN of a provider named `github_oauth` ends in that name.
fn erratum(shape: &str, pattern: &str) -> String {
    match shape {
        "CredentialProviderArnType" | "ApiKeyCredentialProviderArnType" => pattern
            .replacen(":acps:", ":(acps|bedrock-agentcore):", 1)
            .replacen("credentialprovider/[a-zA-Z0-9-.]+", "credentialprovider/[a-zA-Z0-9._-]+", 1),
        "TaggableResourcesArn" => {
            pattern.replace("([a-z-]+/[^/]+)(?:/[a-z-]+/[^/]+)*", "([a-z0-9-]+/[^/]+)(?:/[a-z0-9-]+/[^/]+)*")
        }
        _ => pattern.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Arc<Model> {
        Model::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/model/agentcore-control.json"))
            .expect("the checked-in model loads, every pattern compiling with the regex crate")
    }

    #[test]
    fn a_conformant_rule_passes_and_each_kind_of_deviation_is_named_with_its_path() {
        let m = model();
        let rule = serde_json::json!({
            "ruleId": "0f8fad5b-d9cb-469f-a165-70867728950e", "gatewayArn":
            "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/gw-0123456789", "priority": 7,
            "actions": [{ "routeToTarget": { "staticRoute": { "targetName": "t" } } }],
            "createdAt": "2026-01-01T00:00:00Z", "status": "ACTIVE",
        });
        assert_eq!(m.check_response("CreateGatewayRule", 202, Some(&rule)), Vec::<String>::new());
        let mut bad = rule.clone();
        bad["ruleId"] = "NPGQU8PHPW".into();
        bad["updatedAt"] = "2026-01-01T00:00:00Z".into();
        bad["status"] = "SLEEPING".into();
        bad["actions"][0]["routeToTarget"]["dynamicRoute"] = serde_json::json!({});
        bad.as_object_mut().map(|o| o.remove("createdAt"));
        let found = m.check_response("CreateGatewayRule", 201, Some(&bad)).join("\n");
        for expected in [
            "status 201, the model's success code is 202",
            "$.ruleId: 10 characters, the model allows 36..36",
            "$.ruleId: \"NPGQU8PHPW\" does not match GatewayRuleId's pattern",
            "$.updatedAt: not a member of the shape",
            "$.status: \"SLEEPING\" is not one of",
            "$.actions[0].routeToTarget: a union with 2 members set",
            "$.createdAt: required but absent",
        ] {
            assert!(found.contains(expected), "{expected:?} missing from:\n{found}");
        }
    }

    #[test]
    fn a_provider_arn_holds_the_name_as_credential_provider_name_allows_it_underscores_too() {
        let m = model();
        let arn = |name: &str| {
            format!(
                "arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/apikeycredentialprovider/{name}"
            )
        };
        let body = |name: &str| {
            serde_json::json!({
                "name": name, "credentialProviderArn": arn(name),
                "apiKeySecretArn": { "secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k" },
                "apiKeySecretSource": "MANAGED",
                "createdTime": 1.0, "lastUpdatedTime": 1.0,
            })
        };
        assert_eq!(
            m.check_response("GetApiKeyCredentialProvider", 200, Some(&body("weather_key-2"))),
            Vec::<String>::new()
        );
        let found = m.check_response("GetApiKeyCredentialProvider", 200, Some(&body("weather key"))).join("\n");
        assert!(found.contains("does not match ApiKeyCredentialProviderArnType's pattern"), "{found}");
    }

    #[test]
    fn requests_are_checked_in_the_uri_the_query_and_the_body() {
        let m = model();
        let segs = |p: &str| p.split('/').map(String::from).collect::<Vec<_>>();
        let ok = m.check_request(
            "GetGatewayRule",
            &segs("gateways/gw-0123456789/rules/0f8fad5b-d9cb-469f-a165-70867728950e"),
            &[],
            b"",
        );
        assert_eq!(ok, Vec::<String>::new());
        let found = m.check_request("GetGatewayRule", &segs("gateways/gw-0123456789/rules/R1"), &[], b"").join("\n");
        assert!(found.contains("GetGatewayRule request: ruleId(uri)"), "{found}");
        let q = [("maxResults".to_string(), "0".to_string()), ("color".to_string(), "red".to_string())];
        let found = m.check_request("ListGateways", &segs("gateways"), &q, b"").join("\n");
        assert!(found.contains("maxResults(query): 0 is outside the model's range 1..1000"), "{found}");
        assert!(found.contains("color(query): not a member"), "{found}");
        let found = m.check_request("CreateGateway", &segs("gateways"), &[], br#"{"name":"x","extra":1}"#).join("\n");
        assert!(found.contains("$.extra: not a member of the shape"), "{found}");
        assert!(found.contains("$.roleArn: required but absent"), "{found}");
    }
}
