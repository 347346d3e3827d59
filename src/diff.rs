//! Diff: field-level changes between two normalized gateways, and between two tag maps.
//!
//! Gateways are compared as their API JSON (`serde_json::to_value`), so paths use API naming
//! (`protocolConfiguration.mcp.sessionConfiguration.sessionTimeoutInSeconds`,
//! `interceptorConfigurations[0].interceptionPoints`). Structures are walked down to their leaves;
//! set-like lists ([`crate::normalize::SET_LIKE`]) are one change listing added and removed
//! elements; other lists are compared item by item. Tags are left out of the gateway diff: they
//! are not part of UpdateGateway and are diffed with [`tags`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::live::TagMap;
use crate::model::target::Target;
use crate::model::Gateway;
use crate::normalize::SET_LIKE;

/// The field changes between two normalized targets.
pub fn targets(before: &Target, after: &Target) -> Vec<Change> {
    let mut out = Vec::new();
    let (b, a) = (serde_json::to_value(before).unwrap_or_default(), serde_json::to_value(after).unwrap_or_default());
    values(String::new(), Some(&b), Some(&a), &mut out);
    out
}

/// Every field a new target sets.
pub fn target_creation(after: &Target) -> Vec<Change> {
    let mut out = Vec::new();
    let a = serde_json::to_value(after).unwrap_or_default();
    values(String::new(), None, Some(&a), &mut out);
    out
}

/// Strings longer than this (in characters) are shown as a line diff rather than `before → after`.
pub const LONG_STRING: usize = 80;

/// What happened to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Absent before, set after.
    Add,
    /// Set before, absent after.
    Remove,
    /// Set on both sides, with different values.
    Change,
}

impl ChangeKind {
    /// The symbol used in text and diff output.
    pub fn symbol(self) -> &'static str {
        match self {
            ChangeKind::Add => "+",
            ChangeKind::Remove => "-",
            ChangeKind::Change => "~",
        }
    }
}

/// One changed field of a gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    /// The field path in API naming.
    pub path: String,
    pub kind: ChangeKind,
    /// The value before (observed); `null` when absent.
    pub before: Option<Value>,
    /// The value after (desired); `null` when absent.
    pub after: Option<Value>,
    /// For set-like lists: the elements added and removed (order carries no meaning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements: Option<SetDelta>,
}

impl Change {
    /// True when the change is best shown as a line diff (a multi-line or long string).
    pub fn is_text(&self) -> bool {
        let long = |v: &Option<Value>| match v {
            Some(Value::String(s)) => s.contains('\n') || s.chars().count() > LONG_STRING,
            _ => false,
        };
        let stringy = |v: &Option<Value>| matches!(v, None | Some(Value::String(_)));
        (long(&self.before) || long(&self.after)) && stringy(&self.before) && stringy(&self.after)
    }
}

/// Elements added to and removed from a set-like list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDelta {
    pub added: Vec<Value>,
    pub removed: Vec<Value>,
}

/// One changed tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagChange {
    pub key: String,
    pub kind: ChangeKind,
    /// The live value; `null` when the key is not set.
    pub before: Option<String>,
    /// The desired value; `null` when the key is to be removed.
    pub after: Option<String>,
}

/// The field changes that turn `before` into `after` (both normalized); tags are not compared.
pub fn gateways(before: &Gateway, after: &Gateway) -> Vec<Change> {
    let mut out = Vec::new();
    values(String::new(), Some(&config_value(before)), Some(&config_value(after)), &mut out);
    out
}

/// Every field of `after` as an addition (a gateway to create); tags are left out.
pub fn creation(after: &Gateway) -> Vec<Change> {
    let mut out = Vec::new();
    values(String::new(), None, Some(&config_value(after)), &mut out);
    out
}

/// The gateway's API JSON without `tags`.
fn config_value(g: &Gateway) -> Value {
    let mut v = serde_json::to_value(g).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.remove("tags");
    }
    v
}

/// Appends the changes between two JSON values found at `path`.
pub fn values(path: String, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    let before = before.filter(|v| !v.is_null());
    let after = after.filter(|v| !v.is_null());
    if before == after {
        return;
    }
    if is_set_like(&path) {
        if let (None | Some(Value::Array(_)), None | Some(Value::Array(_))) = (before, after) {
            set_change(path, before, after, out);
            return;
        }
    }
    match (before, after) {
        (None | Some(Value::Object(_)), None | Some(Value::Object(_))) => {
            let empty = Map::new();
            let b = before.and_then(Value::as_object).unwrap_or(&empty);
            let a = after.and_then(Value::as_object).unwrap_or(&empty);
            for key in merged_order(b, a) {
                values(join(&path, key), b.get(key), a.get(key), out);
            }
        }
        (None | Some(Value::Array(_)), None | Some(Value::Array(_))) => {
            let empty = Vec::new();
            let b = before.and_then(Value::as_array).unwrap_or(&empty);
            let a = after.and_then(Value::as_array).unwrap_or(&empty);
            for i in 0..b.len().max(a.len()) {
                values(format!("{path}[{i}]"), b.get(i), a.get(i), out);
            }
        }
        _ => out.push(Change {
            path,
            kind: kind_of(before, after),
            before: before.cloned(),
            after: after.cloned(),
            elements: None,
        }),
    }
}

/// The union of both objects' keys in `after`'s order, each key only in `before` placed right
/// after the key that precedes it in `before`. Both sides serialize the same model type, so this
/// keeps the model's declaration order.
fn merged_order<'a>(before: &'a Map<String, Value>, after: &'a Map<String, Value>) -> Vec<&'a String> {
    let mut out: Vec<&String> = after.keys().collect();
    let mut at = 0;
    for key in before.keys() {
        match out.iter().position(|k| *k == key) {
            Some(p) => at = p + 1,
            None => {
                out.insert(at, key);
                at += 1;
            }
        }
    }
    out
}

fn set_change(path: String, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    let empty = Vec::new();
    let b = before.and_then(Value::as_array).unwrap_or(&empty);
    let a = after.and_then(Value::as_array).unwrap_or(&empty);
    let added: Vec<Value> = a.iter().filter(|x| !b.contains(x)).cloned().collect();
    let removed: Vec<Value> = b.iter().filter(|x| !a.contains(x)).cloned().collect();
    if added.is_empty() && removed.is_empty() && before.is_some() == after.is_some() {
        return;
    }
    out.push(Change {
        path,
        kind: kind_of(before, after),
        before: before.cloned(),
        after: after.cloned(),
        elements: Some(SetDelta { added, removed }),
    });
}

fn kind_of(before: Option<&Value>, after: Option<&Value>) -> ChangeKind {
    match (before, after) {
        (None, _) => ChangeKind::Add,
        (_, None) => ChangeKind::Remove,
        _ => ChangeKind::Change,
    }
}

/// True when the last member name of `path` is a set-like list.
fn is_set_like(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    !last.ends_with(']') && SET_LIKE.contains(&last)
}

/// Appends a member to a path; keys that are not plain names (tag keys, scopes) are quoted.
fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Value::String(key.to_string())),
    }
}

/// The tag changes that turn `before` (live, normalized) into `after` (desired, normalized).
pub fn tags(before: &TagMap, after: &TagMap) -> Vec<TagChange> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (b, a) = (before.get(key), after.get(key));
            let kind = match (b, a) {
                (None, Some(_)) => ChangeKind::Add,
                (Some(_), None) => ChangeKind::Remove,
                (Some(x), Some(y)) if x != y => ChangeKind::Change,
                _ => return None,
            };
            Some(TagChange { key: key.clone(), kind, before: b.cloned(), after: a.cloned() })
        })
        .collect()
}

/// The tags TagResource must set (new keys and changed values).
pub fn tags_to_set(changes: &[TagChange]) -> TagMap {
    changes.iter().filter_map(|c| Some((c.key.clone(), c.after.clone()?))).collect()
}

/// The tag keys UntagResource must remove.
pub fn tags_to_remove(changes: &[TagChange]) -> Vec<String> {
    changes.iter().filter(|c| c.kind == ChangeKind::Remove).map(|c| c.key.clone()).collect()
}

/// Changes whose path is `sensitive` (a target's OAuth `customParameters`, see
/// [`crate::kind::ItemKind::sensitive`]) with their values replaced by `(sensitive)`: text and
/// Markdown never print them, nor do drift reports; JSON plans carry them, because `apply PLANFILE`
/// needs them.
pub fn mask_sensitive(changes: &[Change], sensitive: fn(&str) -> bool) -> Vec<Change> {
    changes
        .iter()
        .map(|c| {
            if !sensitive(&c.path) {
                return c.clone();
            }
            let hide =
                |v: &Option<serde_json::Value>| v.as_ref().map(|_| serde_json::Value::String("(sensitive)".into()));
            let mut masked = c.clone();
            masked.before = hide(&c.before);
            masked.after = hide(&c.after);
            masked.elements = None;
            masked
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(before: Value, after: Value) -> Vec<Change> {
        let mut out = Vec::new();
        values(String::new(), Some(&before), Some(&after), &mut out);
        out
    }

    #[test]
    fn paths_use_api_naming_down_to_leaves() {
        let out = diff(
            json!({"protocolConfiguration": {"mcp": {"sessionConfiguration": {"sessionTimeoutInSeconds": 900}}}}),
            json!({"protocolConfiguration": {"mcp": {"sessionConfiguration": {"sessionTimeoutInSeconds": 7200}}}}),
        );
        assert_eq!(
            out,
            vec![Change {
                path: "protocolConfiguration.mcp.sessionConfiguration.sessionTimeoutInSeconds".into(),
                kind: ChangeKind::Change,
                before: Some(json!(900)),
                after: Some(json!(7200)),
                elements: None,
            }]
        );
    }

    #[test]
    fn add_and_remove_expand_structures_to_leaves() {
        let out = diff(json!({"kmsKeyArn": "k"}), json!({"wafConfiguration": {"failureMode": "FAIL_OPEN"}}));
        let summary: Vec<(&str, ChangeKind)> = out.iter().map(|c| (c.path.as_str(), c.kind)).collect();
        assert_eq!(summary, vec![("kmsKeyArn", ChangeKind::Remove), ("wafConfiguration.failureMode", ChangeKind::Add)]);
        assert_eq!(out[0].before, Some(json!("k")));
        assert_eq!(out[0].after, None);
    }

    #[test]
    fn removed_keys_keep_their_place_in_declaration_order() {
        let out = diff(json!({"a": 1, "b": 2, "c": 3}), json!({"a": 0, "c": 4}));
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["a", "b", "c"]);
    }

    #[test]
    fn set_like_lists_show_added_and_removed_elements() {
        let out = diff(
            json!({"customJWTAuthorizer": {"allowedClients": ["a", "b"]}}),
            json!({"customJWTAuthorizer": {"allowedClients": ["b", "c"]}}),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "customJWTAuthorizer.allowedClients");
        assert_eq!(out[0].elements, Some(SetDelta { added: vec![json!("c")], removed: vec![json!("a")] }));
    }

    #[test]
    fn set_like_list_appearing_is_an_add_with_every_element() {
        let out = diff(json!({}), json!({"supportedVersions": ["1", "2"]}));
        assert_eq!(out[0].kind, ChangeKind::Add);
        assert_eq!(out[0].elements, Some(SetDelta { added: vec![json!("1"), json!("2")], removed: vec![] }));
    }

    #[test]
    fn ordered_lists_compare_item_by_item() {
        let out = diff(
            json!({"interceptorConfigurations": [{"interceptionPoints": ["REQUEST"], "x": 1}]}),
            json!({"interceptorConfigurations": [{"interceptionPoints": ["REQUEST", "RESPONSE"], "x": 1}, {"x": 2}]}),
        );
        let paths: Vec<&str> = out.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["interceptorConfigurations[0].interceptionPoints", "interceptorConfigurations[1].x"]);
        assert_eq!(out[0].elements, Some(SetDelta { added: vec![json!("RESPONSE")], removed: vec![] }));
        assert_eq!(out[1].kind, ChangeKind::Add);
    }

    #[test]
    fn map_keys_that_are_not_names_are_quoted() {
        let out =
            diff(json!({"advertisedScopeMapping": {"a.b/c": "x"}}), json!({"advertisedScopeMapping": {"a.b/c": "y"}}));
        assert_eq!(out[0].path, r#"advertisedScopeMapping["a.b/c"]"#);
    }

    #[test]
    fn long_and_multi_line_strings_are_text() {
        let c = |b: &str, a: &str| Change {
            path: "p".into(),
            kind: ChangeKind::Change,
            before: Some(json!(b)),
            after: Some(json!(a)),
            elements: None,
        };
        assert!(c("one\ntwo", "one").is_text());
        assert!(c(&"x".repeat(LONG_STRING + 1), "short").is_text());
        assert!(!c("short", "also short").is_text());
    }

    #[test]
    fn gateway_diff_leaves_tags_out() {
        let mut a = crate::render::fixture::gateway(json!({
            "name": "g", "roleArn": "arn:aws:iam::123456789012:role/r", "authorizerType": "NONE", "tags": {"t": "1"},
        }));
        let b = a.clone();
        a.tags = None;
        assert!(gateways(&a, &b).is_empty());
        assert!(creation(&b).iter().all(|c| !c.path.starts_with("tags")));
    }

    #[test]
    fn tag_changes_cover_add_change_remove() {
        let before = TagMap::from([("a".into(), "1".into()), ("b".into(), "2".into()), ("c".into(), "3".into())]);
        let after = TagMap::from([("a".into(), "1".into()), ("b".into(), "9".into()), ("d".into(), "".into())]);
        let out = tags(&before, &after);
        let kinds: Vec<(&str, ChangeKind)> = out.iter().map(|t| (t.key.as_str(), t.kind)).collect();
        assert_eq!(kinds, vec![("b", ChangeKind::Change), ("c", ChangeKind::Remove), ("d", ChangeKind::Add)]);
        assert_eq!(tags_to_set(&out), TagMap::from([("b".into(), "9".into()), ("d".into(), "".into())]));
        assert_eq!(tags_to_remove(&out), vec!["c".to_string()]);
    }
}
