//! A gateway's resource policy: the IAM policy document of PutResourcePolicy, which the API
//! carries as a JSON string and a spec writes as a YAML mapping.

use serde_json::{json, Value};

use super::decode::{Cx, Decode, Node, NodeKind};
use super::live::Unreadable;
use super::schema::{Defs, Schema};
use super::sdk::{BuildFailure, Sdk};

/// The largest policy document, in characters of its compact JSON. The SDK documents no limit;
/// this is the service model's (20 KiB), which is also IAM's limit for resource policies.
pub const MAX_POLICY_CHARS: usize = 20_480;

/// A resource policy document: a JSON object with a string `Version`, at most
/// [`MAX_POLICY_CHARS`] characters as compact JSON. Serialized as the JSON object itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ResourcePolicy(Value);

impl ResourcePolicy {
    /// The document if it is an object with a string `Version` within the size limit.
    pub fn new(doc: Value) -> Result<Self, String> {
        let Value::Object(map) = &doc else {
            return Err(format!("expected a policy document (a mapping), found {}", json_type(&doc)));
        };
        match map.get("Version") {
            Some(Value::String(v)) if !v.is_empty() => {}
            Some(_) => return Err("`Version` must be a string such as \"2012-10-17\"".into()),
            None => return Err("a policy document needs `Version` (e.g. \"2012-10-17\")".into()),
        }
        let n = doc.to_string().chars().count();
        if n > MAX_POLICY_CHARS {
            return Err(format!("expected at most {MAX_POLICY_CHARS} characters of JSON, found {n}"));
        }
        Ok(ResourcePolicy(doc))
    }

    /// Parses the API's JSON string.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("the policy is not valid JSON: {e}"))?;
        Self::new(doc)
    }

    /// The document.
    pub fn document(&self) -> &Value {
        &self.0
    }

    /// The API's form: compact JSON.
    pub fn to_json_string(&self) -> String {
        self.0.to_string()
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Decode for ResourcePolicy {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        if !matches!(node.kind, NodeKind::Map(_)) {
            cx.error(node.mark, format!("expected a policy document (a mapping), found {}", node.type_name()));
            return None;
        }
        let doc = super::target::to_json(node, cx)?;
        match ResourcePolicy::new(doc) {
            Ok(p) => Some(p),
            Err(e) => {
                cx.error(node.mark, e);
                None
            }
        }
    }
}

impl Schema for ResourcePolicy {
    fn schema(_: &mut Defs) -> Value {
        json!({
            "type": "object",
            "description": "An IAM policy document (JSON as YAML); `Version` is required.",
            "required": ["Version"],
            "properties": { "Version": { "type": "string" } }
        })
    }
}

impl Sdk for ResourcePolicy {
    type Sdk = String;
    fn to_sdk(&self) -> Result<String, BuildFailure> {
        Ok(self.to_json_string())
    }
    fn from_sdk(value: String, path: &str) -> Result<Self, Unreadable> {
        // Tolerant: any JSON object is kept (a service-side default may lack `Version`); only
        // text that is not a JSON object cannot be represented.
        match serde_json::from_str::<Value>(&value) {
            Ok(doc @ Value::Object(_)) => Ok(ResourcePolicy(doc)),
            Ok(_) | Err(_) => {
                Err(Unreadable { path: path.to_string(), reason: "the policy is not a JSON object".to_string() })
            }
        }
    }
    fn blank(value: &String) -> bool {
        value.is_empty()
    }
}
