//! The restJson1 wire details: error answers, timestamps, paths, query strings and strict body checks.

use serde_json::{json, Map, Value};

use crate::model::schema::members;
use crate::problem::{Problem, Severity};

/// An error answer: the code goes in `x-amzn-errortype`, the HTTP status is the model's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// ValidationException only: the model's `reason`.
    pub reason: Option<&'static str>,
    /// ValidationException only: `fieldList` as (name, message).
    pub fields: Vec<(String, String)>,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), reason: None, fields: Vec::new() }
    }

    /// ValidationException (400) with reason FieldValidationFailed and one entry per field.
    pub fn fields(fields: Vec<(String, String)>) -> Self {
        let n = fields.len();
        let detail: Vec<String> = fields.iter().map(|(name, msg)| format!("Value at '{name}' {msg}")).collect();
        let message = format!("{n} validation error{} detected: {}", if n == 1 { "" } else { "s" }, detail.join("; "));
        ApiError { reason: Some("FieldValidationFailed"), fields, ..Self::new(400, "ValidationException", message) }
    }

    /// ValidationException (400) for one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::fields(vec![(name.to_string(), message.into())])
    }

    /// ValidationException (400) with an explicit reason and no field list.
    pub fn validation(reason: &'static str, message: impl Into<String>) -> Self {
        ApiError { reason: Some(reason), ..Self::new(400, "ValidationException", message) }
    }

    /// ResourceNotFoundException (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message)
    }

    /// AccessDeniedException (403).
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(403, "AccessDeniedException", message)
    }

    /// ConflictException (409).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
    }

    /// ServiceQuotaExceededException: the model gives it HTTP 402.
    pub fn quota(message: impl Into<String>) -> Self {
        Self::new(402, "ServiceQuotaExceededException", message)
    }

    /// ThrottlingException (429).
    pub fn throttling() -> Self {
        Self::new(429, "ThrottlingException", "Rate exceeded")
    }

    /// InternalServerException (500).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalServerException", message)
    }

    /// A path or method the API does not have.
    pub fn unknown_operation(method: &str, path: &str) -> Self {
        Self::new(404, "UnknownOperationException", format!("no operation for {method} {path}"))
    }

    /// The answer a test asked for with [`super::EmulatorHandle::fail_next_target_call`].
    pub fn injected(error: super::InjectedError) -> Self {
        use super::InjectedError as E;
        const WHY: &str = "injected by the emulator";
        match error {
            E::Throttling => Self::throttling(),
            E::InternalServer => Self::internal(format!("Internal server error ({WHY})")),
            E::Conflict => Self::conflict(format!("Conflict ({WHY})")),
            E::Validation => Self::validation("FieldValidationFailed", format!("Validation failed ({WHY})")),
            E::AccessDenied => Self::access_denied(format!("Access denied ({WHY})")),
            E::ResourceNotFound => Self::not_found(format!("Resource not found ({WHY})")),
            E::ServiceQuotaExceeded => Self::quota(format!("Quota exceeded ({WHY})")),
        }
    }

    /// The JSON body of the answer.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("message".into(), Value::String(self.message.clone()));
        if let Some(reason) = self.reason {
            body.insert("reason".into(), Value::String(reason.into()));
        }
        if !self.fields.is_empty() {
            let list = self.fields.iter().map(|(name, message)| json!({"name": name, "message": message})).collect();
            body.insert("fieldList".into(), Value::Array(list));
        }
        Value::Object(body)
    }
}

/// Errors among `problems` (warnings are dropped) as a ValidationException, if there are any.
pub fn problems_to_error(problems: &[Problem]) -> Option<ApiError> {
    let fields: Vec<(String, String)> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.path.clone(), p.message.clone()))
        .collect();
    (!fields.is_empty()).then(|| ApiError::fields(fields))
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds, e.g. `2025-01-01T00:00:00.000Z`.
pub fn rfc3339(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// Howard Hinnant's days-to-civil conversion (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Path segments, percent-decoded one by one; a trailing slash adds no segment.
///
/// Decoding after splitting keeps an encoded `/` (`%2F`, as in ARNs) inside its segment.
pub fn segments(path: &str) -> Result<Vec<String>, ApiError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    trimmed.split('/').map(decode_component).collect()
}

/// Percent-decodes one path segment or query component as UTF-8.
pub fn decode_component(s: &str) -> Result<String, ApiError> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| ApiError::validation("CannotParse", "request URI is not valid percent-encoded UTF-8"))
}

/// Query parameters in order, decoded; a key may repeat (`tagKeys`).
pub fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let Some(query) = query else { return Ok(Vec::new()) };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode_component(k)?, decode_component(v)?))
        })
        .collect()
}

/// The region of a SigV4 `Authorization` header's credential scope, if there is one.
pub fn region_from_authorization(header: Option<&str>) -> Option<String> {
    let scope = header?.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let region = scope.split('/').nth(2)?;
    let valid = !region.is_empty()
        && region.len() <= 20
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then(|| region.to_string())
}

/// Wire-level checks that the spec decoder is lenient about, because in a spec an empty value means
/// "not set": on the wire an empty string, an empty list or a `{}` union is sent on purpose and the
/// service rejects it (length and count minimums). Tag values may be empty.
pub fn strict_body_problems(body: &Map<String, Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in body {
        walk_strict(k, k, v, &mut out);
    }
    out
}

fn walk_strict(path: &str, key: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) if s.is_empty() => {
            out.push((path.to_string(), "must have length greater than or equal to 1".into()))
        }
        // `[]` and `{}` are valid where the model's declarations say so (`#[may_be_empty]`).
        Value::Array(items) if items.is_empty() && !members().may_be_empty_list(key) => {
            out.push((path.to_string(), "must have at least 1 item".into()))
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                // An item is never "not set": its own type decides whether it may be empty
                // (`allowedAudience: [""]` is valid in the model, a `[""]` of names is not).
                if item.as_str() != Some("") {
                    walk_strict(&format!("{path}[{i}]"), key, item, out);
                }
            }
        }
        // Tag keys and values are checked by the model; values may be empty, as may a static
        // query parameter's (its type decides). A connector's `parameterValues` is a free-form
        // document whose contents the model does not constrain.
        Value::Object(_) if key == "tags" || key == "parameterValues" || key == "staticQueryParameters" => {}
        Value::Object(map) if map.is_empty() && !members().may_be_empty_object(key) => {
            out.push((path.to_string(), "must not be an empty object".into()))
        }
        Value::Object(map) => {
            for (k, v) in map {
                walk_strict(&format!("{path}.{k}"), k, v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
    }

    #[test]
    fn segments_decode_each_part_and_ignore_trailing_slash() {
        assert_eq!(segments("/gateways/").unwrap(), vec!["gateways"]);
        assert_eq!(segments("/gateways").unwrap(), vec!["gateways"]);
        assert_eq!(
            segments("/tags/arn%3Aaws%3Ax%3Agateway%2Fgw-1").unwrap(),
            vec!["tags".to_string(), "arn:aws:x:gateway/gw-1".to_string()]
        );
        assert!(segments("/gateways/%FF").is_err());
    }

    #[test]
    fn query_keys_repeat() {
        let q = query_pairs(Some("tagKeys=a&tagKeys=b%20c&maxResults=5")).unwrap();
        assert_eq!(q.len(), 3);
        assert_eq!(q[1], ("tagKeys".to_string(), "b c".to_string()));
    }

    #[test]
    fn region_comes_from_the_credential_scope() {
        let h =
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/bedrock-agentcore/aws4_request, SignedHeaders=host";
        assert_eq!(region_from_authorization(Some(h)).as_deref(), Some("eu-west-1"));
        assert_eq!(region_from_authorization(Some("Bearer x")), None);
        assert_eq!(region_from_authorization(None), None);
    }

    #[test]
    fn strict_checks_flag_empty_values_but_not_tags() {
        let body = json!({
            "description": "",
            "protocolConfiguration": {},
            "tags": {"a": ""},
            "authorizerConfiguration": {"customJWTAuthorizer": {"allowedClients": []}},
            "protocolConfigurationX": {"mcp": {"supportedVersions": []}}
        });
        let Value::Object(map) = body else { unreachable!() };
        let names: Vec<String> = strict_body_problems(&map).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            vec!["description", "protocolConfiguration", "authorizerConfiguration.customJWTAuthorizer.allowedClients"]
        );
    }

    #[test]
    fn validation_body_has_reason_and_field_list() {
        let e = ApiError::field("name", "is bad");
        let body = e.body();
        assert_eq!(body["reason"], "FieldValidationFailed");
        assert_eq!(body["fieldList"][0]["name"], "name");
        assert_eq!(e.status, 400);
    }
}
