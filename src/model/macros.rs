//! Macros that give model types their rules: constrained strings, enums, structs, unions.

/// A string newtype that can only hold a value within `len` (characters) and matching `pattern`
/// as a whole string; `sensitive: true` makes the problems found decoding it never quote it.
macro_rules! spec_string {
    ($(#[$m:meta])* $name:ident, len $min:literal ..= $max:expr $(, pattern $pat:literal)? $(, sensitive: $sensitive:literal)?) => {
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

        impl $crate::model::sdk::Sdk for $name {
            type Sdk = String;
            fn to_sdk(&self) -> Result<String, $crate::model::sdk::BuildFailure> {
                Ok(self.0.clone())
            }
            fn from_sdk(value: String, _: &str) -> Result<Self, $crate::model::live::Unreadable> {
                Ok(Self(value))
            }
            fn blank(value: &String) -> bool {
                value.is_empty()
            }
        }

        impl $crate::model::schema::MapKey for $name {
            fn key_schema() -> serde_json::Value {
                Self::string_schema()
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
                let decode = |cx: &mut $crate::model::decode::Cx<'_>| {
                    let s = cx.string(node)?;
                    match Self::check(&s) {
                        Ok(()) => Some(Self(s.into_owned())),
                        Err(_) if cx.is_secret() => {
                            // The check's message may quote the value (a pattern mismatch does).
                            cx.error(node.mark, Self::check_sensitive(&s).err().unwrap_or_default());
                            None
                        }
                        Err(e) => {
                            cx.error(node.mark, e);
                            None
                        }
                    }
                };
                if spec_string!(@sensitive $($sensitive)?) {
                    cx.secret(decode)
                } else {
                    decode(cx)
                }
            }
        }

        impl $name {
            /// Like `check`, with a message that never quotes `s`: for sensitive values.
            fn check_sensitive(s: &str) -> Result<(), String> {
                let n = s.chars().count();
                let (min, max): (usize, usize) = ($min, $max);
                if n < min || n > max {
                    return Self::check(s);
                }
                Self::check(s).map_err(|_| "does not match the expected pattern (not shown: the value is sensitive)".to_string())
            }
        }
    };
    (@pattern $pat:literal) => { Some($pat) };
    (@pattern) => { None };
    (@sensitive $sensitive:literal) => { $sensitive };
    (@sensitive) => { false };
}

/// A set of wire values: the ones this build knows, plus `Unknown` for a value the service sent
/// that this build does not (AWS grows enums without notice). Specs, saved plans and emulator
/// requests can only name known values: [`Decode`](crate::model::decode::Decode) refuses the
/// rest; `Unknown` comes only from [`FromService`](crate::model::FromService).
macro_rules! spec_enum {
    ($(#[$m:meta])* $name:ident => $sdk:ident { $($body:tt)* }) => {
        spec_enum!($(#[$m])* $name { $($body)* });

        impl $crate::model::sdk::Sdk for $name {
            type Sdk = aws_sdk_bedrockagentcorecontrol::types::$sdk;
            fn to_sdk(&self) -> Result<Self::Sdk, $crate::model::sdk::BuildFailure> {
                Ok(aws_sdk_bedrockagentcorecontrol::types::$sdk::from(self.as_str()))
            }
            fn from_sdk(value: Self::Sdk, _: &str) -> Result<Self, $crate::model::live::Unreadable> {
                Ok($crate::model::FromService::from_service(value.as_str()))
            }
            fn blank(value: &Self::Sdk) -> bool {
                value.as_str().is_empty()
            }
        }
    };
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
    ($name:ident { $($field:ident : $kind:ident $key:literal $doc:literal $([$($attr:tt)*])?),* $(,)? }) => {
        impl $name {
            /// The spec keys of this structure, in canonical order.
            pub const KEYS: &'static [&'static str] = &[$($key),*];
            /// What the declaration says about each member beyond its type (see `shape_attr!`).
            pub const MEMBERS: &'static [$crate::model::schema::MemberInfo] = &[$($crate::model::schema::MemberInfo {
                key: $key,
                set_like: shape_attr!(@set_like [$($($attr)*)?]),
                may_be_empty: shape_attr!(@may_be_empty [$($($attr)*)?]),
                carried: decode_struct!(@carried $kind),
            }),*];
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
                    defs.note(Self::MEMBERS, &members);
                    structure("", members, defs)
                })
            }
        }
    };
    (@carried carried) => { true };
    (@carried $kind:ident) => { false };
    (@required req) => { true };
    (@required opt) => { false };
    (@required carried) => { false };
    (@get req $cx:ident $node:ident $entries:ident $key:literal) => { $cx.required($node, $entries, $key) };
    (@get opt $cx:ident $node:ident $entries:ident $key:literal) => { $cx.optional($entries, $key) };
    (@get carried $cx:ident $node:ident $entries:ident $key:literal) => { $cx.optional($entries, $key) };
    (@unwrap req $f:ident) => { $f? };
    (@unwrap opt $f:ident) => { $f };
    (@unwrap carried $f:ident) => { $f };
}

/// `Decode` and `Schema` for a union: a mapping with exactly one of the listed members.
macro_rules! decode_union {
    ($name:ident { $($var:ident = $key:literal $doc:literal $([$($attr:tt)*])?),+ $(,)? }) => {
        impl $name {
            /// The member keys of this union.
            pub const KEYS: &'static [&'static str] = &[$($key),+];

            /// The key of the member that is set.
            pub fn key(&self) -> &'static str {
                match self {
                    $($name::$var(_) => $key,)+
                }
            }
            /// What the declaration says about each member beyond its type (see `shape_attr!`).
            pub const MEMBERS: &'static [$crate::model::schema::MemberInfo] = &[$($crate::model::schema::MemberInfo {
                key: $key,
                set_like: shape_attr!(@set_like [$($($attr)*)?]),
                may_be_empty: shape_attr!(@may_be_empty [$($($attr)*)?]),
                carried: shape_attr!(@carried [$($($attr)*)?]),
            }),+];
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let (key, entries) = cx.union_member(node, Self::KEYS)?;
                $(
                    if key == $key {
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
                    defs.note(Self::MEMBERS, &members);
                    union("", members)
                })
            }
        }
    };
}

/// An integer newtype that can only hold a value in `min..=max`.
macro_rules! spec_int {
    ($(#[$m:meta])* $name:ident, $min:literal ..= $max:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(i32);

        impl $name {
            /// The value if it is within bounds.
            pub fn new(n: i32) -> Result<Self, String> {
                if !($min..=$max).contains(&n) {
                    return Err(format!("expected an integer from {} to {}, found {n}", $min, $max));
                }
                Ok(Self(n))
            }

            /// The value.
            pub fn get(self) -> i32 {
                self.0
            }
        }

        impl $crate::model::schema::Schema for $name {
            fn schema(defs: &mut $crate::model::schema::Defs) -> serde_json::Value {
                $crate::model::schema::scalar(defs, serde_json::json!({ "type": "integer", "minimum": $min, "maximum": $max }))
            }
        }

        impl $crate::model::FromService<i32> for $name {
            fn from_service(n: i32) -> Self {
                Self(n)
            }
        }

        impl $crate::model::sdk::Sdk for $name {
            type Sdk = i32;
            fn to_sdk(&self) -> Result<i32, $crate::model::sdk::BuildFailure> {
                Ok(self.0)
            }
            fn from_sdk(value: i32, _: &str) -> Result<Self, $crate::model::live::Unreadable> {
                Ok(Self(value))
            }
        }

        impl $crate::model::decode::Decode for $name {
            fn decode(node: &$crate::model::decode::Node, cx: &mut $crate::model::decode::Cx<'_>) -> Option<Self> {
                let n = i32::decode(node, cx)?;
                match Self::new(n) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        cx.error(node.mark, e);
                        None
                    }
                }
            }
        }
    };
}

/// One declaration of a structure: the type, its serialization in API naming, its decoder and
/// JSON Schema (`decode_struct!`) and its SDK conversion (`sdk_struct!`). `$sdk` names the SDK
/// type in `aws_sdk_bedrockagentcorecontrol::types`; `fallible` when its builder returns a
/// `Result`, `plain` when not. Each member: `field: req|opt|carried Type => "apiKey" "description"`,
/// after any of acgw's attributes (`#[set_like]`, `#[may_be_empty]`, `#[create(..)]`, ...: see
/// `shape_attr!`). Field names are the SDK's, so that `set_<field>` is the builder's setter.
///
/// A top-level shape (one an operation takes member by member) names its operations instead of
/// an SDK type: `Name => operations { create: Builder, update: Builder, read: [Output, ...] }`
/// (see `sdk_operations!`).
macro_rules! shape_struct {
    ($(#[$m:meta])* $name:ident => operations { $($ops:tt)* } {
        $($(#[$($attr:tt)*])* $field:ident : $kind:ident $ty:ty => $key:literal $doc:literal),* $(,)?
    }) => {
        shape_struct!($(#[$m])* $name { $($(#[$($attr)*])* $field: $kind $ty => $key $doc),* });
        sdk_operations!($name { $($ops)* } { $($field: $kind $key [$($($attr)*)*]),* });
        shape_struct!(@minimal $name [] [] $($field $kind $ty,)*);
    };
    ($(#[$m:meta])* $name:ident => $sdk:ident $build:ident {
        $($(#[$($attr:tt)*])* $field:ident : $kind:ident $ty:ty => $key:literal $doc:literal),* $(,)?
    }) => {
        shape_struct!($(#[$m])* $name { $($(#[$($attr)*])* $field: $kind $ty => $key $doc),* });
        sdk_struct!($name => $sdk $build { $($field: $kind $key),* });
    };
    // Without an SDK type: a shape that SDK 1.97 lacks (`api::carried` sends and reads it).
    ($(#[$m:meta])* $name:ident {
        $($(#[$($attr:tt)*])* $field:ident : $kind:ident $ty:ty => $key:literal $doc:literal),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $(pub $field: shape_struct!(@ty $kind $ty),)*
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                $(shape_struct!(@ser $kind map self.$field, $key);)*
                map.end()
            }
        }

        decode_struct!($name { $($field: $kind $key $doc [$($($attr)*)*]),* });
    };
    // `minimal(required members...)`: the required members in declaration order, the others absent.
    (@minimal $name:ident [$($param:tt)*] [$($init:tt)*]) => {
        impl $name {
            /// A value with only the required members set, in declaration order.
            pub fn minimal($($param)*) -> Self {
                Self { $($init)* }
            }
        }
    };
    (@minimal $name:ident [$($param:tt)*] [$($init:tt)*] $field:ident req $ty:ty, $($rest:tt)*) => {
        shape_struct!(@minimal $name [$($param)* $field: $ty,] [$($init)* $field,] $($rest)*);
    };
    (@minimal $name:ident [$($param:tt)*] [$($init:tt)*] $field:ident $kind:ident $ty:ty, $($rest:tt)*) => {
        shape_struct!(@minimal $name [$($param)*] [$($init)* $field: None,] $($rest)*);
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty carried $ty:ty) => { Option<$ty> };
    (@ser req $map:ident $e:expr, $key:literal) => { $map.serialize_entry($key, &$e)? };
    (@ser $kind:ident $map:ident $e:expr, $key:literal) => {
        if let Some(v) = &$e {
            $map.serialize_entry($key, v)?;
        }
    };
}

/// acgw's attributes on a member declaration, read token by token (unknown ones, doc comments
/// included, are skipped):
/// - `#[set_like]`: a list whose order and duplicates carry no meaning (normalize sorts it, diff
///   shows it as one change of added and removed items);
/// - `#[may_be_empty]`: `[]` or `{}` is a valid value on the wire (the emulator refuses any other
///   empty list or object);
/// - `#[create(no)]`, `#[update(no)]`: the operation has no such member;
///   `#[create(skip_empty)]`: an empty list is not sent; `#[update(empty_when_absent)]`: absent
///   is sent as an empty list (a PATCH that clears it);
/// - `#[read(no)]`: the outputs do not report it (it is read elsewhere);
///   `#[read(verbatim)]`: the output member is not optional and is kept as sent, even empty.
macro_rules! shape_attr {
    (@set_like []) => { false };
    (@set_like [set_like $($rest:tt)*]) => { true };
    (@set_like [$skip:tt $($rest:tt)*]) => { shape_attr!(@set_like [$($rest)*]) };
    (@may_be_empty []) => { false };
    (@may_be_empty [may_be_empty $($rest:tt)*]) => { true };
    (@may_be_empty [$skip:tt $($rest:tt)*]) => { shape_attr!(@may_be_empty [$($rest)*]) };
    // Set by `shape_union!` on its `carried { ... }` members.
    (@carried []) => { false };
    (@carried [carried $($rest:tt)*]) => { true };
    (@carried [$skip:tt $($rest:tt)*]) => { shape_attr!(@carried [$($rest)*]) };
}

/// The SDK conversion of a top-level shape, member by member, per operation (see
/// `shape_struct!` and `shape_attr!`): `to_create` and `to_update` set every member the
/// operation has on its input builder, and [`ReadSdk`](crate::model::sdk::ReadSdk) reads each
/// output (or list item) that reports the shape.
macro_rules! sdk_operations {
    ($name:ident { create: $create:ty, update: $update:ty, read: [$($read:ty),+ $(,)?] $(, echo: $input:ty => $output:ty)? $(,)? }
     { $($members:tt)* }) => {
        sdk_operations!(@inputs $name $create, $update { $($members)* });
        sdk_operations!(@echo_impl $name [$($input => $output)?] { $($members)* });
        sdk_operations!(@reads $name [$($read),+] { $($members)* });
    };
    (@reads $name:ident [] { $($members:tt)* }) => {};
    (@reads $name:ident [$first:ty $(, $rest:ty)*] { $($members:tt)* }) => {
        sdk_operations!(@read_impl $name $first { $($members)* });
        sdk_operations!(@reads $name [$($rest),*] { $($members)* });
    };
    (@inputs $name:ident $create:ty, $update:ty { $($field:ident : $kind:ident $key:literal [$($attr:tt)*]),* }) => {
        impl $name {
            /// This configuration's members as the create operation takes them, set on `b`.
            pub fn to_create(&self, b: $create) -> Result<$create, $crate::model::sdk::MemberFailure> {
                $(let b = sdk_operations!(@create [$($attr)*] $kind b $field self.$field, $key);)*
                Ok(b)
            }

            /// This configuration's members as the update operation takes them, set on `b`.
            pub fn to_update(&self, b: $update) -> Result<$update, $crate::model::sdk::MemberFailure> {
                $(let b = sdk_operations!(@update [$($attr)*] $kind b $field self.$field, $key);)*
                Ok(b)
            }
        }
    };
    // For tests: what the service would answer for an update input, every member it reads back
    // as it was sent, so that a round trip covers a new member without another list of them.
    (@echo_impl $name:ident [] { $($members:tt)* }) => {};
    (@echo_impl $name:ident [$input:ty => $output:ty] { $($field:ident : $kind:ident $key:literal [$($attr:tt)*]),* }) => {
        #[cfg(test)]
        impl $name {
            /// Sets on `b` every member of `input` that the outputs report (tests only).
            pub fn echo_update(input: $input, b: $output) -> $output {
                $(let b = sdk_operations!(@echo [$($attr)*] $kind b $field input.$field);)*
                b
            }
        }
    };
    (@echo [] carried $b:ident $field:ident $e:expr) => { $b };
    (@echo [] $kind:ident $b:ident $field:ident $e:expr) => { pastey::paste! { $b.[<set_ $field>]($e) } };
    (@echo [update (no) $($r:tt)*] $kind:ident $b:ident $($t:tt)*) => { $b };
    (@echo [read (no) $($r:tt)*] $kind:ident $b:ident $($t:tt)*) => { $b };
    (@echo [$skip:tt $($r:tt)*] $($t:tt)*) => { sdk_operations!(@echo [$($r)*] $($t)*) };
    (@read_impl $name:ident $read:ty { $($field:ident : $kind:ident $key:literal [$($attr:tt)*]),* }) => {
        impl $crate::model::sdk::ReadSdk<$read> for $name {
            fn read_sdk(out: $read) -> Result<Self, $crate::model::live::Unreadable> {
                Ok(Self { $($field: sdk_operations!(@read [$($attr)*] $kind out.$field, $key),)* })
            }
        }
    };

    (@create [] $($t:tt)*) => { sdk_operations!(@set $($t)*) };
    (@create [create (no) $($r:tt)*] $kind:ident $b:ident $($t:tt)*) => { $b };
    (@create [create (skip_empty) $($r:tt)*] opt $b:ident $field:ident $e:expr, $key:literal) => {
        pastey::paste! { $b.[<set_ $field>](
            $crate::model::sdk::non_blank(&$e, $e.as_ref().map($crate::model::sdk::Sdk::to_sdk).transpose()
                .map_err(|e| $crate::model::sdk::MemberFailure { key: $key, failure: e })?)
        ) }
    };
    (@create [$skip:tt $($r:tt)*] $($t:tt)*) => { sdk_operations!(@create [$($r)*] $($t)*) };

    (@update [] $($t:tt)*) => { sdk_operations!(@set $($t)*) };
    (@update [update (no) $($r:tt)*] $kind:ident $b:ident $($t:tt)*) => { $b };
    (@update [update (empty_when_absent) $($r:tt)*] opt $b:ident $field:ident $e:expr, $key:literal) => {
        pastey::paste! { $b.[<set_ $field>](Some(
            $crate::model::sdk::or_empty(&$e).map_err(|e| $crate::model::sdk::MemberFailure { key: $key, failure: e })?
        )) }
    };
    (@update [$skip:tt $($r:tt)*] $($t:tt)*) => { sdk_operations!(@update [$($r)*] $($t)*) };

    // A `carried` member is one the SDK lacks: `api::carried` sends and reads it.
    (@set carried $b:ident $field:ident $e:expr, $key:literal) => { $b };
    (@set req $b:ident $field:ident $e:expr, $key:literal) => {
        pastey::paste! { $b.[<set_ $field>](Some(
            $crate::model::sdk::Sdk::to_sdk(&$e).map_err(|e| $crate::model::sdk::MemberFailure { key: $key, failure: e })?
        )) }
    };
    (@set opt $b:ident $field:ident $e:expr, $key:literal) => {
        pastey::paste! { $b.[<set_ $field>](
            $e.as_ref().map($crate::model::sdk::Sdk::to_sdk).transpose()
                .map_err(|e| $crate::model::sdk::MemberFailure { key: $key, failure: e })?
        ) }
    };

    (@read [] carried $e:expr, $key:literal) => { None };
    (@read [] req $e:expr, $key:literal) => { $crate::model::sdk::req($e, "", $key)? };
    (@read [] opt $e:expr, $key:literal) => { $crate::model::sdk::opt($e, "", $key)? };
    (@read [read (no) $($r:tt)*] $kind:ident $($t:tt)*) => { None };
    (@read [read (verbatim) $($r:tt)*] req $e:expr, $key:literal) => {
        $crate::model::sdk::Sdk::from_sdk($e, $key)?
    };
    (@read [read (verbatim) $($r:tt)*] opt $e:expr, $key:literal) => {
        Some($crate::model::sdk::Sdk::from_sdk($e, $key)?)
    };
    (@read [$skip:tt $($r:tt)*] $($t:tt)*) => { sdk_operations!(@read [$($r)*] $($t)*) };
}

/// The SDK conversion of a structure declared elsewhere (see `shape_struct!`).
macro_rules! sdk_struct {
    ($name:ident => $sdk:ident $build:ident { $($field:ident : $kind:ident $key:literal),* $(,)? }) => {
        impl $crate::model::sdk::Sdk for $name {
            type Sdk = aws_sdk_bedrockagentcorecontrol::types::$sdk;

            fn to_sdk(&self) -> Result<Self::Sdk, $crate::model::sdk::BuildFailure> {
                let b = aws_sdk_bedrockagentcorecontrol::types::$sdk::builder();
                $(let b = sdk_struct!(@set $kind b $field self.$field);)*
                sdk_struct!(@build $build b $sdk)
            }

            fn from_sdk(v: Self::Sdk, path: &str) -> Result<Self, $crate::model::live::Unreadable> {
                Ok(Self { $($field: sdk_struct!(@from $kind v.$field, path, $key),)* })
            }
        }
    };
    // A `carried` member is one the SDK lacks: `api::carried` sends and reads it.
    (@set carried $b:ident $field:ident $e:expr) => { $b };
    (@set $kind:ident $b:ident $field:ident $e:expr) => {
        pastey::paste! { $b.[<set_ $field>](sdk_struct!(@to $kind $e)) }
    };
    (@to req $e:expr) => { Some($crate::model::sdk::Sdk::to_sdk(&$e)?) };
    (@to opt $e:expr) => { $e.as_ref().map($crate::model::sdk::Sdk::to_sdk_opt).transpose()?.flatten() };
    (@build fallible $b:ident $sdk:ident) => {
        $b.build().map_err(|e| $crate::model::sdk::BuildFailure::new(stringify!($sdk), e))
    };
    (@build plain $b:ident $sdk:ident) => { Ok($b.build()) };
    (@from carried $e:expr, $path:ident, $key:literal) => { None };
    (@from req $e:expr, $path:ident, $key:literal) => { $crate::model::sdk::req($e, $path, $key)? };
    (@from opt $e:expr, $path:ident, $key:literal) => { $crate::model::sdk::opt($e, $path, $key)? };
}

/// One declaration of a union: the enum, its serialization, decoder, JSON Schema and SDK
/// conversion. Variant names are the SDK's. Each member: `Variant(Type) => "apiKey" "description"`.
///
/// Members SDK 1.97 lacks follow in `carried { ... }`: the SDK conversion sends the union as
/// absent for them and `api::carried` sends and reads them.
macro_rules! shape_union {
    ($(#[$m:meta])* $name:ident => $sdk:ident { $($(#[$($attr:tt)*])* $var:ident($ty:ty) => $key:literal $doc:literal),+ $(,)? }
     $(carried { $($(#[$($cattr:tt)*])* $cvar:ident($cty:ty) => $ckey:literal $cdoc:literal),+ $(,)? })?) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        pub enum $name {
            $(#[serde(rename = $key)] $var($ty),)+
            $($(#[serde(rename = $ckey)] $cvar($cty),)+)?
        }

        decode_union!($name { $($var = $key $doc [$($($attr)*)*]),+ $($(, $cvar = $ckey $cdoc [carried $($($cattr)*)*])+)? });
        sdk_union!($name => $sdk { $($var = $key),+ } carried { $($($cvar),+)? });
    };
}

/// The SDK conversion of a union declared elsewhere (see `shape_union!`).
macro_rules! sdk_union {
    ($name:ident => $sdk:ident { $($var:ident = $key:literal),+ $(,)? }) => {
        sdk_union!($name => $sdk { $($var = $key),+ } carried {});
    };
    ($name:ident => $sdk:ident { $($var:ident = $key:literal),+ $(,)? } carried { $($cvar:ident),* }) => {
        impl $crate::model::sdk::Sdk for $name {
            type Sdk = aws_sdk_bedrockagentcorecontrol::types::$sdk;

            fn to_sdk(&self) -> Result<Self::Sdk, $crate::model::sdk::BuildFailure> {
                use aws_sdk_bedrockagentcorecontrol::types::$sdk as S;
                #[allow(unreachable_patterns)]
                match self {
                    $($name::$var(v) => Ok(S::$var($crate::model::sdk::Sdk::to_sdk(v)?)),)+
                    // A member the SDK lacks has no SDK value: `to_sdk_opt` sends it as absent.
                    _ => Err($crate::model::sdk::BuildFailure {
                        shape: stringify!($sdk),
                        message: "a member SDK 1.97 lacks has no SDK value".into(),
                    }),
                }
            }

            fn to_sdk_opt(&self) -> Result<Option<Self::Sdk>, $crate::model::sdk::BuildFailure> {
                #[allow(unreachable_patterns)]
                match self {
                    $($name::$cvar(_) => Ok(None),)*
                    _ => self.to_sdk().map(Some),
                }
            }

            fn from_sdk(v: Self::Sdk, path: &str) -> Result<Self, $crate::model::live::Unreadable> {
                use aws_sdk_bedrockagentcorecontrol::types::$sdk as S;
                match v {
                    $(S::$var(x) => Ok($name::$var($crate::model::sdk::Sdk::from_sdk(x, &$crate::model::sdk::join(path, $key))?)),)+
                    _ => Err($crate::model::sdk::unknown_member(path)),
                }
            }

            sdk_union!(@from_opt $sdk [$($cvar)*]);
        }
    };
    (@from_opt $sdk:ident []) => {};
    // The SDK reads a member it lacks as `Unknown`; `api::carried` reads it from the body and
    // refuses the resource by path if it is not one of the carried members.
    (@from_opt $sdk:ident [$($cvar:ident)+]) => {
        fn from_sdk_opt(v: Self::Sdk, path: &str) -> Result<Option<Self>, $crate::model::live::Unreadable> {
            match v {
                v if v.is_unknown() => Ok(None),
                v => Self::from_sdk(v, path).map(Some),
            }
        }
    };
}
