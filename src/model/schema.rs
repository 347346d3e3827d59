//! The JSON Schema (draft 2020-12) of spec files, generated from the declarations the decoder
//! checks: the same lengths, patterns, ranges, enums, list sizes and keys, so the editor's view
//! and `acgw validate` cannot drift apart.
//!
//! What JSON Schema cannot say is left to `acgw validate` and said in the descriptions: rules
//! across fields, and `${VAR}` interpolation (any scalar that contains `${` is accepted here and
//! checked once expanded).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// The schema dialect.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Shared definitions (`$defs`) collected while the schema is built, and what the declarations
/// say about their members beyond the schema ([`MemberInfo`]).
#[derive(Debug, Default)]
pub struct Defs(BTreeMap<String, Value>, Vec<(MemberInfo, bool)>);

/// What a member declaration says beyond its type: generated as `MEMBERS` for each declared
/// structure and union from the member's attributes (`shape_attr!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberInfo {
    /// The member's key, in API naming.
    pub key: &'static str,
    /// `#[set_like]`: a list whose order and duplicates carry no meaning.
    pub set_like: bool,
    /// `#[may_be_empty]`: `[]` or `{}` is a valid value on the wire.
    pub may_be_empty: bool,
    /// A `carried` member: one SDK 1.97 lacks, which `api::carried` sends and reads.
    pub carried: bool,
}

/// The keys of the `carried` members among `members`, in declaration order.
pub fn carried(members: &'static [MemberInfo]) -> impl Iterator<Item = &'static str> {
    members.iter().filter(|m| m.carried).map(|m| m.key)
}

impl Defs {
    /// A reference to the definition `name`, built with `build` the first time it is asked for.
    pub fn define(&mut self, name: &str, build: impl FnOnce(&mut Defs) -> Value) -> Value {
        if !self.0.contains_key(name) {
            // A placeholder first, so that a type reached again while it is built is not rebuilt.
            self.0.insert(name.to_string(), Value::Null);
            let schema = build(self);
            self.0.insert(name.to_string(), schema);
        }
        reference(name)
    }

    /// Records what a shape's declaration says about `members` (its schema members, in the
    /// same order), with whether each one is a list.
    pub fn note(&mut self, info: &[MemberInfo], members: &[Member]) {
        for (i, m) in info.iter().zip(members) {
            let list = m.schema.get("type").and_then(Value::as_str) == Some("array");
            self.1.push((*i, list));
        }
    }

    /// The definitions collected, for a document's `$defs`.
    pub fn into_map(self) -> BTreeMap<String, Value> {
        self.0
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// A model type's schema.
pub trait Schema {
    /// The schema of a value of this type, inline or as a `$ref` into `defs`.
    fn schema(defs: &mut Defs) -> Value;
}

/// A type that can be a mapping key: its own constraints (keys are never interpolated).
pub trait MapKey {
    /// The key's constraints.
    fn key_schema() -> Value;
}

impl<K: MapKey, V: Schema> Schema for BTreeMap<K, V> {
    fn schema(defs: &mut Defs) -> Value {
        map(K::key_schema(), V::schema(defs), 0, usize::MAX)
    }
}

impl<T: Schema> Schema for Box<T> {
    fn schema(defs: &mut Defs) -> Value {
        T::schema(defs)
    }
}

/// A scalar that `${VAR}` interpolation will replace: accepted as it is, checked when expanded.
pub fn interpolated(defs: &mut Defs) -> Value {
    defs.define("interpolated", |_| {
        json!({
            "type": "string",
            "pattern": "\\$\\{",
            "description": "Contains ${VAR} or ${VAR:-default}: checked by `acgw validate` once the environment is read."
        })
    })
}

/// What an optional member may hold to mean "not set": null, an empty string, list or mapping.
pub fn unset(defs: &mut Defs) -> Value {
    defs.define("unset", |_| {
        json!({
            "description": "Not set: null, an empty string, an empty list or an empty mapping.",
            "anyOf": [
                { "type": "null" },
                { "const": "" },
                { "type": "array", "maxItems": 0 },
                { "type": "object", "maxProperties": 0 }
            ]
        })
    })
}

/// A scalar's own constraints, or an interpolated value.
pub fn scalar(defs: &mut Defs, own: Value) -> Value {
    json!({ "anyOf": [own, interpolated(defs)] })
}

/// The constraints of a string of `min..=max` characters matching `pattern` as a whole.
pub fn string(min: usize, max: usize, pattern: Option<&str>) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!("string"));
    if min > 0 {
        s.insert("minLength".into(), json!(min));
    }
    if max != usize::MAX {
        s.insert("maxLength".into(), json!(max));
    }
    if let Some(p) = pattern {
        s.insert("pattern".into(), json!(format!("^(?:{p})$")));
    }
    Value::Object(s)
}

/// A list of `min..=max` items.
pub fn array(items: Value, min: usize, max: usize) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!("array"));
    s.insert("items".into(), items);
    if min > 0 {
        s.insert("minItems".into(), json!(min));
    }
    if max != usize::MAX {
        s.insert("maxItems".into(), json!(max));
    }
    Value::Object(s)
}

/// A mapping of `min..=max` entries; keys are never interpolated, so they get only their own
/// constraints.
pub fn map(key: Value, value: Value, min: usize, max: usize) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!("object"));
    s.insert("propertyNames".into(), key);
    s.insert("additionalProperties".into(), value);
    if min > 0 {
        s.insert("minProperties".into(), json!(min));
    }
    if max != usize::MAX {
        s.insert("maxProperties".into(), json!(max));
    }
    Value::Object(s)
}

/// One member of a structure or union.
pub struct Member {
    pub key: &'static str,
    pub required: bool,
    pub doc: &'static str,
    pub schema: Value,
}

/// A structure: its members, the required ones, nothing else.
pub fn structure(doc: &str, members: Vec<Member>, defs: &mut Defs) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for m in members {
        let schema = if m.required {
            required.push(m.key);
            m.schema
        } else {
            or_unset(m.schema, defs)
        };
        properties.insert(m.key.into(), described(schema, m.doc));
    }
    described(
        json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false
        }),
        doc,
    )
}

/// `schema`, or "not set"; a bare `anyOf` gains one more alternative rather than a level.
fn or_unset(schema: Value, defs: &mut Defs) -> Value {
    match schema {
        Value::Object(mut map) if map.len() == 1 && map.get("anyOf").is_some_and(Value::is_array) => {
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.push(unset(defs));
            }
            Value::Object(map)
        }
        other => json!({ "anyOf": [other, unset(defs)] }),
    }
}

/// A union: exactly one member set (null members do not count).
pub fn union(doc: &str, members: Vec<Member>) -> Value {
    let mut properties = Map::new();
    let mut one_of = Vec::new();
    for m in &members {
        properties.insert(m.key.into(), described(json!({ "anyOf": [m.schema, { "type": "null" }] }), m.doc));
        one_of.push(json!({ "required": [m.key], "properties": { m.key: { "not": { "type": "null" } } } }));
    }
    described(
        json!({
            "type": "object",
            "properties": properties,
            "additionalProperties": false,
            "oneOf": one_of
        }),
        doc,
    )
}

/// `schema` with a description.
pub fn described(mut schema: Value, doc: &str) -> Value {
    if let (Value::Object(map), false) = (&mut schema, doc.is_empty()) {
        map.insert("description".into(), json!(doc));
    }
    schema
}

/// The schema of `T`, for a member reached through `field` (type inference picks `T`).
pub fn of_field<S, T: Schema>(_field: fn(&S) -> &T, defs: &mut Defs) -> Value {
    T::schema(defs)
}

/// The schema of `T`, for a union member built with `variant` (type inference picks `T`).
pub fn of_variant<T: Schema, U>(_variant: fn(T) -> U, defs: &mut Defs) -> Value {
    T::schema(defs)
}

impl<T: Schema> Schema for Option<T> {
    fn schema(defs: &mut Defs) -> Value {
        T::schema(defs)
    }
}

impl<T: Schema> Schema for Vec<T> {
    fn schema(defs: &mut Defs) -> Value {
        array(T::schema(defs), 0, usize::MAX)
    }
}

impl Schema for bool {
    fn schema(defs: &mut Defs) -> Value {
        scalar(defs, json!({ "type": "boolean" }))
    }
}

impl Schema for i32 {
    fn schema(defs: &mut Defs) -> Value {
        scalar(defs, json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }))
    }
}

impl Schema for String {
    fn schema(defs: &mut Defs) -> Value {
        scalar(defs, json!({ "type": "string" }))
    }
}

/// Member keys, by name, that some declaration marks (`#[set_like]`, `#[may_be_empty]`), over
/// every shape reachable from a gateway, target, rule or rate limit. Keyed by name, not path:
/// the wire check and diff look a member up by its last key.
#[derive(Debug, Default)]
pub struct MemberIndex {
    set_like: std::collections::BTreeSet<&'static str>,
    empty_lists: std::collections::BTreeSet<&'static str>,
    empty_objects: std::collections::BTreeSet<&'static str>,
}

impl MemberIndex {
    /// True when some list member named `key` is declared `#[set_like]`.
    pub fn is_set_like(&self, key: &str) -> bool {
        self.set_like.contains(key)
    }

    /// True when some list member named `key` is declared `#[may_be_empty]`.
    pub fn may_be_empty_list(&self, key: &str) -> bool {
        self.empty_lists.contains(key)
    }

    /// True when some object member named `key` is declared `#[may_be_empty]`.
    pub fn may_be_empty_object(&self, key: &str) -> bool {
        self.empty_objects.contains(key)
    }

    /// The `#[set_like]` member names, sorted.
    pub fn set_like(&self) -> Vec<&'static str> {
        self.set_like.iter().copied().collect()
    }
}

/// The [`MemberIndex`] of the model's declarations, built once by walking the shapes.
pub fn members() -> &'static MemberIndex {
    static INDEX: std::sync::LazyLock<MemberIndex> = std::sync::LazyLock::new(|| {
        let mut defs = Defs::default();
        crate::model::Gateway::schema(&mut defs);
        crate::model::target::Target::schema(&mut defs);
        crate::model::rule::Rule::schema(&mut defs);
        crate::model::rate_limit::RateLimit::schema(&mut defs);
        crate::model::rate_limit::BatchPutLimitEntry::schema(&mut defs);
        let mut index = MemberIndex::default();
        for (info, list) in defs.1 {
            if info.set_like {
                index.set_like.insert(info.key);
            }
            match (info.may_be_empty, list) {
                (true, true) => index.empty_lists.insert(info.key),
                (true, false) => index.empty_objects.insert(info.key),
                _ => false,
            };
        }
        index
    });
    &INDEX
}

/// The schema of a spec file: each YAML document is a mapping with a `gateways` list, a
/// `credentialProviders` list, or both.
pub fn spec_file() -> Value {
    let mut defs = Defs::default();
    let gateway = crate::model::Gateway::schema(&mut defs);
    let targets = array(crate::model::target::Target::schema(&mut defs), 0, usize::MAX);
    let lifecycle = crate::model::Lifecycle::schema(&mut defs);
    let lifecycle = json!({ "anyOf": [lifecycle, unset(&mut defs)] });
    let policy = crate::model::policy::ResourcePolicy::schema(&mut defs);
    let rules = array(crate::model::rule::Rule::schema(&mut defs), 0, usize::MAX);
    let rate_limits =
        array(crate::model::rate_limit::RateLimit::schema(&mut defs), 0, crate::model::rate_limit::MAX_RATE_LIMITS);
    let providers = array(crate::model::credential_provider::CredentialProviderSpec::schema(&mut defs), 0, usize::MAX);
    // acgw's own `lifecycle` is written inside a provider's member (`oauth2:`, `apiKey:`).
    for name in ["Oauth2Provider", "ApiKeyProvider"] {
        if let Some(Value::Object(props)) = defs.0.get_mut(name).and_then(|p| p.get_mut("properties")) {
            props.insert(
                "lifecycle".into(),
                described(lifecycle.clone(), "acgw's own key: how acgw may delete the provider (`preventDestroy: true` tags it acgw:prevent-destroy=true, which blocks --prune and destroy)."),
            );
        }
    }
    // acgw's own keys on a gateway entry: `targets` (present = complete) and `lifecycle`.
    if let Some(Value::Object(props)) = defs.0.get_mut("Gateway").and_then(|g| g.get_mut("properties")) {
        props.insert(
            "targets".into(),
            described(targets, "The gateway's targets. Present means the complete list: live targets it does not name are deleted (`[]` deletes them all). Absent: acgw does not manage the targets."),
        );
        props.insert(
            "rules".into(),
            described(rules, "The gateway's rules (identity: priority, unique within the gateway). Present means the complete list of user rules: live user rules it does not name are deleted (`[]` deletes them all); system-managed rules are never changed. Absent: acgw does not manage the rules. With `targets:` declared, every routed target must be one of them."),
        );
        props.insert(
            "rateLimits".into(),
            described(rate_limits, "The gateway's rate limits (identity: rateLimitId). Present means the complete list: live rate limits it does not name are deleted (`[]` deletes them all). Absent: acgw does not manage the rate limits. The service fails open: rate limits are no security boundary."),
        );
        props.insert("lifecycle".into(), described(lifecycle, "acgw's own key: how acgw may delete the gateway."));
        props.insert(
            "resourcePolicy".into(),
            json!({
                "description": "The gateway's resource policy (an IAM policy document; `${VAR}` works in the YAML form), or `file: PATH` (JSON or YAML, relative to the spec file), or null for none (a live one is deleted). Absent: acgw does not manage the policy.",
                "anyOf": [
                    policy,
                    { "type": "object", "required": ["file"], "properties": { "file": { "type": "string", "minLength": 1 } }, "additionalProperties": false },
                    { "type": "null" }
                ]
            }),
        );
    }
    // `file:` stands in for `inlinePayload` in the payload unions (read at load time).
    for name in ["ApiSchemaConfiguration", "McpToolSchemaConfiguration", "ToolSchema"] {
        if let Some(Value::Object(union)) = defs.0.get_mut(name) {
            if let Some(Value::Object(props)) = union.get_mut("properties") {
                props.insert(
                    "file".into(),
                    json!({ "type": "string", "minLength": 1, "description": "A file relative to the spec file, read at load time and sent as inlinePayload." }),
                );
            }
            if let Some(Value::Array(one_of)) = union.get_mut("oneOf") {
                one_of.push(
                    json!({ "required": ["file"], "properties": { "file": { "not": { "$ref": "#/$defs/unset" } } } }),
                );
            }
        }
    }
    json!({
        "$schema": DIALECT,
        "title": "acgw gateway specs",
        "description": "Amazon Bedrock AgentCore gateways and credential providers as acgw declares them (keys are the API's JSON member names). Generated by `acgw schema` from the rules `acgw validate` checks; rules across fields and ${VAR} values are checked by `acgw validate` only.",
        "type": "object",
        "properties": {
            "owner": {
                "description": "acgw's own key: who owns these gateways (one ID per repository or pipeline). Every gateway acgw creates or updates is tagged acgw:owner with it, which --prune and destroy need as proof; documents loaded together must agree.",
                "anyOf": [crate::model::Owner::string_schema(), { "type": "null" }]
            },
            "credentialProviders": {
                "description": "acgw's own key: the credential providers (AgentCore Identity's token vault) this document declares, each `oauth2:` or `apiKey:`; names are unique across both kinds and every file loaded together. A target names one with `providerArn: { credentialProvider: NAME }`.",
                "anyOf": [providers, { "type": "null" }]
            },
            "gateways": {
                "description": "The gateways this document declares; names are unique across every file loaded together.",
                "anyOf": [array(gateway, 0, usize::MAX), { "type": "null" }]
            }
        },
        "anyOf": [{ "required": ["gateways"] }, { "required": ["credentialProviders"] }],
        "additionalProperties": false,
        "$defs": defs.0
    })
}

#[cfg(test)]
mod tests {
    use super::members;

    /// The index is what the declarations say, looked up by name, list and object apart.
    #[test]
    fn member_attributes_are_indexed_by_name_from_the_declarations() {
        let index = members();
        for set in ["allowedAudience", "interceptionPoints", "subnetIds", "scopes", "methods", "enabled"] {
            assert!(index.is_set_like(set), "{set}");
        }
        for ordered in ["customClaims", "interceptorConfigurations", "actions", "conditions", "entries"] {
            assert!(!index.is_set_like(ordered), "{ordered}");
        }
        // Lists: declared on a gateway (nested), a target (hand-written shape) and a rule member.
        for list in ["supportedVersions", "required", "conditions"] {
            assert!(index.may_be_empty_list(list) && !index.may_be_empty_object(list), "{list}");
        }
        // Objects: a union variant, a struct member and a map.
        for object in ["mcp", "wafConfiguration", "metadata", "properties"] {
            assert!(index.may_be_empty_object(object) && !index.may_be_empty_list(object), "{object}");
        }
        for needed in ["allowedClients", "interceptionPoints", "authorizerConfiguration", "targetConfiguration"] {
            assert!(!index.may_be_empty_list(needed) && !index.may_be_empty_object(needed), "{needed}");
        }
    }
}
