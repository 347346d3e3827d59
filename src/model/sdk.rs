//! Model ↔ SDK conversion, generated for each shape by the macro that declares it.
//!
//! The SDK has no serde, so each shape needs a conversion both ways. Rather than hand-writing
//! them (four copies of every union: model, SDK, wire, schema), `shape_struct!`, `shape_union!`
//! and `spec_enum!` implement [`Sdk`] from the same declaration that gives the type its decoder
//! and JSON Schema; only the members' own types (strings, lists, maps, integers) have impls here.
//!
//! Model → SDK cannot lose information. SDK → model is tolerant (see [`FromService`]): values
//! outside the model's constraints are kept verbatim, an empty optional string, list or map means
//! "not set", and only what the model cannot hold at all (an unknown union member, a missing
//! required member) is [`Unreadable`].

use std::collections::{BTreeMap, HashMap};

use aws_sdk_bedrockagentcorecontrol::error::BuildError;
use aws_smithy_types::Document;

use super::live::Unreadable;
use super::FromService;

/// A model type with an SDK counterpart.
pub trait Sdk: Sized {
    /// The SDK type.
    type Sdk;
    /// The SDK value; fails only if an SDK builder refuses what the model guarantees.
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure>;
    /// The model value for what the service sent, read at `path` (API naming).
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable>;
    /// True for an SDK value that means "not set" (an empty string, list or map).
    fn blank(_value: &Self::Sdk) -> bool {
        false
    }
    /// True when a blank value is nevertheless a value of this type (a list that may be empty),
    /// so that a required member holding it is present, not missing.
    fn blank_is_valid() -> bool {
        false
    }
}

/// An SDK builder refused a value the model considers complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{shape}: the request could not be built: {message}")]
pub struct BuildFailure {
    /// The SDK shape.
    pub shape: &'static str,
    /// The builder's reason.
    pub message: String,
}

impl BuildFailure {
    /// A failure of the builder of `shape`.
    pub fn new(shape: &'static str, e: BuildError) -> Self {
        BuildFailure { shape, message: e.to_string() }
    }
}

/// An SDK member as an option: smithy-rs keeps some members as `T` and others as `Option<T>`,
/// and the generated conversions must not care which.
pub trait IntoOpt<T> {
    /// The value, if there is one.
    fn into_opt(self) -> Option<T>;
}

impl<T> IntoOpt<T> for T {
    fn into_opt(self) -> Option<T> {
        Some(self)
    }
}

impl<T> IntoOpt<T> for Option<T> {
    fn into_opt(self) -> Option<T> {
        self
    }
}

/// `path.key`, or `key` at the top.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A required member: missing or blank makes the value unreadable (the SDK fills in `""` or an
/// empty list for a required member that the response lacks).
pub fn req<M: Sdk, X: IntoOpt<M::Sdk>>(value: X, path: &str, key: &str) -> Result<M, Unreadable> {
    let path = join(path, key);
    match value.into_opt() {
        Some(v) if !M::blank(&v) || M::blank_is_valid() => M::from_sdk(v, &path),
        _ => Err(Unreadable { path, reason: "missing, but the model requires it".to_string() }),
    }
}

/// An optional member: missing or blank means not set.
pub fn opt<M: Sdk, X: IntoOpt<M::Sdk>>(value: X, path: &str, key: &str) -> Result<Option<M>, Unreadable> {
    match value.into_opt() {
        Some(v) if !M::blank(&v) => M::from_sdk(v, &join(path, key)).map(Some),
        _ => Ok(None),
    }
}

/// A union member this build does not know.
pub fn unknown_member(path: &str) -> Unreadable {
    Unreadable { path: path.to_string(), reason: "a union member this version does not know".to_string() }
}

impl Sdk for bool {
    type Sdk = bool;
    fn to_sdk(&self) -> Result<bool, BuildFailure> {
        Ok(*self)
    }
    fn from_sdk(value: bool, _: &str) -> Result<Self, Unreadable> {
        Ok(value)
    }
}

impl Sdk for i32 {
    type Sdk = i32;
    fn to_sdk(&self) -> Result<i32, BuildFailure> {
        Ok(*self)
    }
    fn from_sdk(value: i32, _: &str) -> Result<Self, Unreadable> {
        Ok(value)
    }
}

impl Sdk for String {
    type Sdk = String;
    fn to_sdk(&self) -> Result<String, BuildFailure> {
        Ok(self.clone())
    }
    fn from_sdk(value: String, _: &str) -> Result<Self, Unreadable> {
        Ok(value)
    }
    fn blank(value: &String) -> bool {
        value.is_empty()
    }
}

impl<T: Sdk> Sdk for Box<T> {
    type Sdk = Box<T::Sdk>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        Ok(Box::new(T::to_sdk(self)?))
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        T::from_sdk(*value, path).map(Box::new)
    }
}

impl<T: Sdk> Sdk for Vec<T> {
    type Sdk = Vec<T::Sdk>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        self.iter().map(T::to_sdk).collect()
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        value.into_iter().enumerate().map(|(i, v)| T::from_sdk(v, &format!("{path}[{i}]"))).collect()
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
}

impl<T: Sdk, const MIN: usize, const MAX: usize> Sdk for super::Bounded<T, MIN, MAX> {
    type Sdk = Vec<T::Sdk>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        self.iter().map(T::to_sdk).collect()
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        Vec::<T>::from_sdk(value, path).map(Self::from_service)
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
    fn blank_is_valid() -> bool {
        MIN == 0
    }
}

impl<K: Sdk<Sdk = String> + Ord, V: Sdk> Sdk for BTreeMap<K, V> {
    type Sdk = HashMap<String, V::Sdk>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        self.iter().map(|(k, v)| Ok((k.to_sdk()?, v.to_sdk()?))).collect()
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        value
            .into_iter()
            .map(|(k, v)| {
                let value = V::from_sdk(v, &join(path, &k))?;
                Ok((K::from_sdk(k, path)?, value))
            })
            .collect()
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
}

impl Sdk for super::Tags {
    type Sdk = HashMap<String, String>;
    fn to_sdk(&self) -> Result<Self::Sdk, BuildFailure> {
        Ok(self.as_map().iter().map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string())).collect())
    }
    fn from_sdk(value: Self::Sdk, path: &str) -> Result<Self, Unreadable> {
        BTreeMap::from_sdk(value, path).map(Self::from_service)
    }
    fn blank(value: &Self::Sdk) -> bool {
        value.is_empty()
    }
}

/// A JSON value as a smithy Document (numbers keep their sign and kind).
pub fn document(v: &serde_json::Value) -> Document {
    use aws_smithy_types::Number;
    use serde_json::Value;
    match v {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(document).collect()),
        Value::Object(map) => Document::Object(map.iter().map(|(k, v)| (k.clone(), document(v))).collect()),
    }
}

/// A smithy Document as a JSON value; object keys are sorted, since a Document's map has no order.
pub fn json(d: Document) -> serde_json::Value {
    use aws_smithy_types::Number;
    use serde_json::Value;
    match d {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(b),
        Document::Number(Number::PosInt(u)) => Value::from(u),
        Document::Number(Number::NegInt(i)) => Value::from(i),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Document::String(s) => Value::String(s),
        Document::Array(items) => Value::Array(items.into_iter().map(json).collect()),
        Document::Object(map) => {
            let sorted: BTreeMap<String, Document> = map.into_iter().collect();
            Value::Object(sorted.into_iter().map(|(k, v)| (k, json(v))).collect())
        }
    }
}
