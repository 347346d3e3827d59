//! Macros that give model types their rules: constrained strings, enums, structs, unions.

/// A string newtype that can only hold a value within `len` (characters) and matching `pattern`
/// as a whole string.
macro_rules! spec_string {
    ($(#[$m:meta])* $name:ident, len $min:literal ..= $max:expr $(, pattern $pat:literal)?) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks `s` against this type's length and pattern.
            pub fn check(s: &str) -> Result<(), String> {
                let n = s.chars().count();
                let (min, max): (usize, usize) = ($min, $max);
                if n < min || n > max {
                    return Err(if max == usize::MAX {
                        format!("expected at least {min} characters, found {n}")
                    } else {
                        format!("expected {min}–{max} characters, found {n}")
                    });
                }
                $(
                    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
                        regex::Regex::new(concat!("^(?:", $pat, ")$")).expect("model pattern is a valid regex")
                    });
                    if !RE.is_match(s) {
                        return Err(format!(
                            "expected a value matching `{}`, found {}",
                            $pat,
                            $crate::model::quote_short(s)
                        ));
                    }
                )?
                Ok(())
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $name {
            /// This type's own constraints as a JSON Schema (for mapping keys, which are never
            /// interpolated).
            pub fn string_schema() -> serde_json::Value {
                $crate::model::schema::string($min, $max, spec_string!(@pattern $($pat)?))
            }
        }

        impl $crate::model::schema::Schema for $name {
            fn schema(defs: &mut $crate::model::schema::Defs) -> serde_json::Value {
                $crate::model::schema::scalar(defs, Self::string_schema())
            }
        }

        impl $crate::model::FromService<String> for $name {
            fn from_service(s: String) -> Self {
                Self(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::check(&s)?;
                Ok(Self(s))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = String;
            fn try_from(s: &str) -> Result<Self, String> {
                Self::check(s)?;
                Ok(Self(s.to_string()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let s = cx.string(node)?;
                match Self::check(&s) {
                    Ok(()) => Some(Self(s.into_owned())),
                    Err(e) => {
                        cx.error(node.mark, e);
                        None
                    }
                }
            }
        }
    };
    (@pattern $pat:literal) => { Some($pat) };
    (@pattern) => { None };
}

/// A set of wire values: the ones this build knows, plus `Unknown` for a value the service sent
/// that this build does not (AWS grows enums without notice). Specs, saved plans and emulator
/// requests can only name known values: [`Decode`](crate::model::decode::Decode) refuses the
/// rest; `Unknown` comes only from [`FromService`](crate::model::FromService).
macro_rules! spec_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $wire)] $var,)+
            /// A value the service sent that this build does not know; kept verbatim, shown as
            /// it is, and unequal to every known value.
            #[serde(untagged)]
            Unknown(String),
        }

        impl $name {
            /// Every known value, in model order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// Every known wire value, in model order.
            pub const WIRE: &'static [&'static str] = &[$($wire),+];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$var => $wire,)+
                    $name::Unknown(s) => s,
                }
            }

            /// The value for a wire string, if it is one this build knows.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($wire => Some($name::$var),)+
                    _ => None,
                }
            }

            /// True for a value this build does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl $crate::model::schema::Schema for $name {
            fn schema(defs: &mut $crate::model::schema::Defs) -> serde_json::Value {
                $crate::model::schema::scalar(defs, serde_json::json!({ "type": "string", "enum": Self::WIRE }))
            }
        }

        impl $crate::model::FromService<&str> for $name {
            fn from_service(s: &str) -> Self {
                Self::parse(s).unwrap_or_else(|| $name::Unknown(s.to_string()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let s = cx.scalar(node)?;
                match Self::parse(&s) {
                    Some(v) => Some(v),
                    None => {
                        let hint = match $crate::model::decode::nearest(&s, Self::WIRE) {
                            Some(n) => format!("; did you mean `{n}`?"),
                            None => String::new(),
                        };
                        cx.error(node.mark, format!("expected one of {}, found {}{hint}", Self::WIRE.join(", "), $crate::model::quote_short(&s)));
                        None
                    }
                }
            }
        }
    };
}

/// `Decode` and `Schema` for a struct: its keys in API naming, each `req` (required) or `opt`
/// (optional), with the API's one-line description.
macro_rules! decode_struct {
    ($name:ident { $($field:ident : $kind:ident $key:literal $doc:literal),* $(,)? }) => {
        impl $name {
            /// The spec keys of this structure, in canonical order.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let entries = cx.map(node)?;
                cx.check_keys(entries, Self::KEYS);
                $(let $field = decode_struct!(@get $kind cx node entries $key);)*
                Some(Self { $($field: decode_struct!(@unwrap $kind $field)),* })
            }
        }

        impl $crate::model::schema::Schema for $name {
            fn schema(defs: &mut $crate::model::schema::Defs) -> serde_json::Value {
                use $crate::model::schema::{of_field, structure, Member};
                defs.define(stringify!($name), |defs| {
                    let members = vec![$(Member {
                        key: $key,
                        required: decode_struct!(@required $kind),
                        doc: $doc,
                        schema: of_field(|s: &$name| &s.$field, defs),
                    }),*];
                    structure("", members, defs)
                })
            }
        }
    };
    (@required req) => { true };
    (@required opt) => { false };
    (@get req $cx:ident $node:ident $entries:ident $key:literal) => { $cx.required($node, $entries, $key) };
    (@get opt $cx:ident $node:ident $entries:ident $key:literal) => { $cx.optional($entries, $key) };
    (@unwrap req $f:ident) => { $f? };
    (@unwrap opt $f:ident) => { $f };
}

/// `Decode` and `Schema` for a union: a mapping with exactly one of the listed members.
macro_rules! decode_union {
    ($name:ident { $($var:ident = $key:literal $doc:literal),+ $(,)? }) => {
        impl $name {
            /// The member keys of this union.
            pub const KEYS: &'static [&'static str] = &[$($key),+];
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let entries = cx.map(node)?;
                cx.check_keys(entries, Self::KEYS);
                let set: Vec<&str> = entries
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .filter_map(|(k, _)| k.as_scalar())
                    .filter(|k| Self::KEYS.contains(k))
                    .collect();
                let unknown = entries.iter().any(|(k, _)| k.as_scalar().is_some_and(|k| !Self::KEYS.contains(&k)));
                if set.is_empty() && unknown {
                    // The unknown key was reported with a suggestion; "found none" would only repeat it.
                    return None;
                }
                if set.len() != 1 {
                    let found = if set.is_empty() { "none".to_string() } else { set.join(" and ") };
                    cx.error(node.mark, format!("expected exactly one of {}, found {found}", Self::KEYS.join(", ")));
                    return None;
                }
                $(
                    if set[0] == $key {
                        return cx.required::<_>(node, entries, $key).map($name::$var);
                    }
                )+
                None
            }
        }

        impl $crate::model::schema::Schema for $name {
            fn schema(defs: &mut $crate::model::schema::Defs) -> serde_json::Value {
                use $crate::model::schema::{of_variant, union, Member};
                defs.define(stringify!($name), |defs| {
                    let members = vec![$(Member {
                        key: $key,
                        required: false,
                        doc: $doc,
                        schema: of_variant($name::$var, defs),
                    }),+];
                    union("", members)
                })
            }
        }
    };
}
