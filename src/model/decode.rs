//! Decoding a position-marked document tree into model types, collecting every problem.
//!
//! The YAML loader and the emulator's JSON bodies both produce a [`Node`] tree, so the
//! same rules (and the same messages) apply to specs and to API requests.

use std::collections::BTreeMap;

use crate::problem::{Mark, Problem, Severity};

/// A document node with the position it started at.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub mark: Mark,
    pub kind: NodeKind,
}

/// The shape of a [`Node`].
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar; `plain` is false for quoted scalars, which are never null, bool or number.
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in document order; duplicate keys were rejected when the tree was built.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// True for `null`, `~` and an empty plain scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, plain: true } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// True for what the spec treats as "not set": null, an empty string, list or map.
    pub fn is_empty_value(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar { value, .. } => value.is_empty() || self.is_null(),
            NodeKind::Seq(items) => items.is_empty(),
            NodeKind::Map(entries) => entries.is_empty(),
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The value under `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.as_scalar() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short description of the node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "null",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// Builds a tree without positions from JSON (the emulator's request bodies).
    pub fn from_json(value: &serde_json::Value) -> Node {
        use serde_json::Value;
        let kind = match value {
            Value::Null => NodeKind::Scalar { value: "null".into(), plain: true },
            Value::Bool(b) => NodeKind::Scalar { value: b.to_string(), plain: true },
            Value::Number(n) => NodeKind::Scalar { value: n.to_string(), plain: true },
            Value::String(s) => NodeKind::Scalar { value: s.clone(), plain: false },
            Value::Array(items) => NodeKind::Seq(items.iter().map(Node::from_json).collect()),
            Value::Object(map) => NodeKind::Map(
                map.iter()
                    .map(|(k, v)| {
                        let key =
                            Node { mark: Mark::default(), kind: NodeKind::Scalar { value: k.clone(), plain: false } };
                        (key, Node::from_json(v))
                    })
                    .collect(),
            ),
        };
        Node { mark: Mark::default(), kind }
    }
}

/// Looks up an environment variable for `${VAR}` interpolation.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Where decoding is and what it has found wrong so far.
pub struct Cx<'a> {
    file: &'a str,
    env: Option<Env<'a>>,
    gateway: Option<String>,
    path: Vec<String>,
    /// True while a sensitive value is decoded: messages then never quote the value.
    secret: bool,
    /// True for what travels on the wire (see [`Cx::on_the_wire`]).
    wire: bool,
    problems: &'a mut Vec<Problem>,
}

impl<'a> Cx<'a> {
    /// A context for one file (or one request body); problems are appended to `problems`.
    pub fn new(file: &'a str, problems: &'a mut Vec<Problem>) -> Self {
        Cx { file, env: None, gateway: None, path: Vec::new(), secret: false, wire: false, problems }
    }

    /// Decodes what travels on the wire (an API request or response): acgw's own spec forms,
    /// such as a credential provider named instead of given by ARN, are refused, as the service
    /// would refuse them.
    pub fn on_the_wire(mut self) -> Self {
        self.wire = true;
        self
    }

    /// The file (or request) being decoded.
    pub fn file(&self) -> &str {
        self.file
    }

    /// True when decoding what travels on the wire (see [`Cx::on_the_wire`]).
    pub fn is_wire(&self) -> bool {
        self.wire
    }

    /// Interpolates `${VAR}` in scalar values with `env` (specs do; API requests do not).
    pub fn with_env(mut self, env: Env<'a>) -> Self {
        self.env = Some(env);
        self
    }

    /// Runs `f` to decode a sensitive value (a type declared sensitive, such as an OAuth custom
    /// parameter's value): the problems it reports name the field, never the value, so that a
    /// secret does not reach a terminal, a CI log or an annotation.
    pub fn secret<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.secret, true);
        let out = f(self);
        self.secret = outer;
        out
    }

    /// True while a sensitive value is decoded (see [`Cx::secret`]).
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// How many problems have been recorded so far (errors and warnings), so that a caller can
    /// tell whether decoding a part found any.
    pub fn problem_count(&self) -> usize {
        self.problems.len()
    }

    /// True when scalars are interpolated (a spec), false for API requests: a secret passed by
    /// value must come from the environment in a spec, while a request carries it literally.
    pub fn interpolates(&self) -> bool {
        self.env.is_some()
    }

    /// The environment variable `name` when scalars are interpolated (a spec); `None` when it is
    /// unset or nothing is interpolated.
    pub fn var(&self, name: &str) -> Option<String> {
        self.env.and_then(|env| env(name))
    }

    /// The text of a scalar after interpolation, or `None` (reported) if it is not one or fails.
    pub fn text<'n>(&mut self, node: &'n Node) -> Option<std::borrow::Cow<'n, str>> {
        let NodeKind::Scalar { value, .. } = &node.kind else {
            self.error(node.mark, format!("expected a string, found {}", node.type_name()));
            return None;
        };
        let expand = if self.secret { super::interpolate::interpolate_secret } else { super::interpolate::interpolate };
        match self.env {
            Some(env) if value.contains('$') => match expand(value, env) {
                Ok(v) => Some(std::borrow::Cow::Owned(v)),
                Err(e) => {
                    self.error(node.mark, e);
                    None
                }
            },
            _ => Some(std::borrow::Cow::Borrowed(value)),
        }
    }

    /// True when `node` means "not set" once interpolated (`${X:-}` expands to nothing).
    fn is_unset(&mut self, node: &Node) -> bool {
        if node.is_empty_value() {
            return true;
        }
        match (&node.kind, self.env) {
            (NodeKind::Scalar { value, .. }, Some(env)) if value.contains('$') => {
                super::interpolate::interpolate(value, env).is_ok_and(|v| v.is_empty())
            }
            _ => false,
        }
    }

    /// Sets the gateway that following problems belong to.
    pub fn set_gateway(&mut self, name: Option<String>) {
        self.gateway = name;
    }

    /// The gateway that problems belong to now.
    pub fn gateway(&self) -> Option<&str> {
        self.gateway.as_deref()
    }

    /// Appends a problem found elsewhere (in a file a spec includes).
    pub fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// The current field path in API naming (`a.b[0].c`).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if seg.starts_with('[') || out.is_empty() {
                out.push_str(seg);
            } else {
                out.push('.');
                out.push_str(seg);
            }
        }
        out
    }

    /// Runs `f` with `seg` appended to the path.
    pub fn at<T>(&mut self, seg: impl Into<String>, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg.into());
        let out = f(self);
        self.path.pop();
        out
    }

    /// Records an error at `mark` for the current path.
    pub fn error(&mut self, mark: Mark, message: impl Into<String>) {
        self.report(Severity::Error, mark, message);
    }

    /// Records a warning at `mark` for the current path.
    pub fn warn(&mut self, mark: Mark, message: impl Into<String>) {
        self.report(Severity::Warning, mark, message);
    }

    fn report(&mut self, severity: Severity, mark: Mark, message: impl Into<String>) {
        self.problems.push(Problem {
            severity,
            file: self.file.to_string(),
            mark,
            gateway: self.gateway.clone(),
            path: self.path(),
            message: message.into(),
        });
    }

    /// The entries of a mapping, or an error.
    pub fn map<'n>(&mut self, node: &'n Node) -> Option<&'n [(Node, Node)]> {
        match &node.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => {
                self.error(node.mark, format!("expected a mapping, found {}", node.type_name()));
                None
            }
        }
    }

    /// The (interpolated) text of a string scalar, or an error. A plain scalar that YAML reads
    /// as a number, boolean or null is not a string (editors and JSON Schema see it that way,
    /// and `version: 1.10` would silently be `1.1`): it must be quoted to be text.
    pub fn string<'n>(&mut self, node: &'n Node) -> Option<std::borrow::Cow<'n, str>> {
        if let NodeKind::Scalar { value, plain: true } = &node.kind {
            if let Some(kind) = yaml_core_type(value) {
                let message = if kind == "null" {
                    "expected a string, found null".to_string()
                } else if self.secret {
                    format!("expected a string, found a {kind} (not shown: the value is sensitive); quote it to use it as text")
                } else {
                    format!("expected a string, found the {kind} `{value}`; quote it (\"{value}\") to use it as text")
                };
                self.error(node.mark, message);
                return None;
            }
        }
        self.text(node)
    }

    /// The (interpolated) text of a non-null scalar, or an error.
    pub fn scalar<'n>(&mut self, node: &'n Node) -> Option<std::borrow::Cow<'n, str>> {
        if node.is_null() {
            self.error(node.mark, "expected a string, found null");
            return None;
        }
        self.text(node)
    }

    /// Reports keys of `entries` that are not in `known`, suggesting the nearest known key.
    pub fn check_keys(&mut self, entries: &[(Node, Node)], known: &[&str]) {
        for (k, _) in entries {
            let Some(key) = k.as_scalar() else {
                self.error(k.mark, "expected a string key");
                continue;
            };
            if !known.contains(&key) {
                let hint = match nearest(key, known) {
                    Some(n) => format!("; did you mean `{n}`?"),
                    None => format!("; expected one of: {}", known.join(", ")),
                };
                self.at(key.to_string(), |cx| cx.error(k.mark, format!("unknown key `{key}`{hint}")));
            }
        }
    }

    /// Decodes an optional member: absent, null, empty string and empty list all mean "not set".
    pub fn optional<T: Decode>(&mut self, entries: &[(Node, Node)], key: &'static str) -> Option<T> {
        let value = lookup(entries, key)?;
        if self.is_unset(value) {
            return None;
        }
        self.at(key, |cx| T::decode(value, cx))
    }

    /// The one member set in the union mapping `node` (keys `keys`), with its entries. Unknown
    /// keys are reported with a suggestion; anything but exactly one known member set is an error
    /// at the mapping, except when the only keys are unknown ones ("found none" would repeat that).
    pub fn union_member<'n>(
        &mut self,
        node: &'n Node,
        keys: &'static [&'static str],
    ) -> Option<(&'static str, &'n [(Node, Node)])> {
        let entries = self.map(node)?;
        self.check_keys(entries, keys);
        let set: Vec<&'static str> = entries
            .iter()
            .filter(|(_, v)| !v.is_null())
            .filter_map(|(k, _)| k.as_scalar())
            .filter_map(|k| keys.iter().find(|known| **known == k).copied())
            .collect();
        let unknown = entries.iter().any(|(k, _)| k.as_scalar().is_some_and(|k| !keys.contains(&k)));
        if set.is_empty() && unknown {
            return None;
        }
        if set.len() != 1 {
            let found = if set.is_empty() { "none".to_string() } else { set.join(" and ") };
            self.error(node.mark, format!("expected exactly one of {}, found {found}", keys.join(", ")));
            return None;
        }
        Some((set[0], entries))
    }

    /// Decodes a required member; a missing one is reported at `parent`.
    pub fn required<T: Decode>(&mut self, parent: &Node, entries: &[(Node, Node)], key: &'static str) -> Option<T> {
        match lookup(entries, key) {
            Some(value) if value.is_null() => {
                self.at(key, |cx| cx.error(value.mark, "is required, found null"));
                None
            }
            Some(value) => self.at(key, |cx| T::decode(value, cx)),
            None => {
                self.at(key, |cx| cx.error(parent.mark, format!("missing required key `{key}`")));
                None
            }
        }
    }
}

fn lookup<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.as_scalar() == Some(key)).map(|(_, v)| v)
}

/// The known key closest to `key`, if it is close enough to be a likely typo or abbreviation.
pub fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    let by_distance = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 3.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    // `inputConfig` for `inputConfiguration`: a long shared prefix is as telling as a small distance.
    by_distance.or_else(|| {
        known
            .iter()
            .copied()
            .filter(|k| lower.len() >= 4 && k.to_ascii_lowercase().starts_with(&lower))
            .min_by_key(|k| k.len())
    })
}

/// A model value that can be decoded from a [`Node`], reporting problems into a [`Cx`].
pub trait Decode: Sized {
    /// Decodes `node`, or reports why not and returns `None`.
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self>;
}

impl Decode for String {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        cx.string(node).map(|s| s.into_owned())
    }
}

/// What YAML 1.2's core schema reads a plain scalar as, when it is not a string.
pub fn yaml_core_type(plain: &str) -> Option<&'static str> {
    static NUMBER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        )
        .expect("a valid regex")
    });
    match plain {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Some("boolean"),
        "" | "~" | "null" | "Null" | "NULL" => Some("null"),
        _ if NUMBER.is_match(plain) => Some("number"),
        _ => None,
    }
}

impl Decode for bool {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        match &node.kind {
            NodeKind::Scalar { plain: true, .. } => {
                let value = cx.text(node)?;
                match value.as_ref() {
                    "true" | "True" | "TRUE" => Some(true),
                    "false" | "False" | "FALSE" => Some(false),
                    other => {
                        cx.error(node.mark, format!("expected true or false, found `{other}`"));
                        None
                    }
                }
            }
            NodeKind::Scalar { value, .. } => {
                cx.error(node.mark, format!("expected true or false, found the quoted string \"{value}\""));
                None
            }
            _ => {
                cx.error(node.mark, format!("expected true or false, found {}", node.type_name()));
                None
            }
        }
    }
}

impl Decode for i32 {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        if !matches!(node.kind, NodeKind::Scalar { .. }) || node.is_null() {
            cx.error(node.mark, format!("expected an integer, found {}", node.type_name()));
            return None;
        }
        if let NodeKind::Scalar { value, plain: false } = &node.kind {
            // A quoted value is text; only `${VAR}` turns text into a number.
            if !value.contains("${") {
                cx.error(node.mark, format!("expected an integer, found the quoted string \"{value}\""));
                return None;
            }
        }
        let text = cx.scalar(node)?;
        match text.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error(node.mark, format!("expected an integer, found `{text}`"));
                None
            }
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let NodeKind::Seq(items) = &node.kind else {
            cx.error(node.mark, format!("expected a list, found {}", node.type_name()));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match cx.at(format!("[{i}]"), |cx| T::decode(item, cx)) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(node: &Node, cx: &mut Cx<'_>) -> Option<Self> {
        let entries = cx.map(node)?;
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (k, v) in entries {
            let seg = k.as_scalar().unwrap_or("?").to_string();
            if k.as_scalar().is_some_and(|k| k.contains("${")) {
                // Keys are not interpolated: a `${` there is almost certainly a mistake.
                cx.at(seg.clone(), |cx| cx.error(k.mark, "`${...}` is only expanded in values, not in keys"));
                ok = false;
                continue;
            }
            // A mapping key is text whatever it looks like (`2024: x` has the key "2024").
            let text_key = match &k.kind {
                NodeKind::Scalar { value, .. } => {
                    Node { mark: k.mark, kind: NodeKind::Scalar { value: value.clone(), plain: false } }
                }
                _ => k.clone(),
            };
            let decoded = cx.at(seg, |cx| {
                let key = K::decode(&text_key, cx);
                let value = V::decode(v, cx);
                key.zip(value)
            });
            match decoded {
                Some((k, v)) => {
                    out.insert(k, v);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    /// A spec with one OAuth target whose custom parameter `key` is `value` (YAML, as written).
    fn spec(value: &str) -> String {
        format!(
            "gateways:
  - name: tools
    roleArn: arn:aws:iam::123456789012:role/r
    authorizerType: AWS_IAM
    targets:
      - name: calendar
        targetConfiguration: {{ mcp: {{ mcpServer: {{ endpoint: \"https://calendar.example.com/mcp\" }} }} }}
        credentialProviderConfigurations:
          - credentialProviderType: OAUTH
            credentialProvider:
              oauthCredentialProvider:
                providerArn: arn:aws:bedrock-agentcore:us-east-1:123456789012:token-vault/default/oauth2credentialprovider/c
                scopes: [read]
                customParameters: {{ key: {value} }}
"
        )
    }

    #[test]
    fn problems_with_a_sensitive_value_name_the_field_never_the_value() {
        let long = format!("\"{}\"", "S3CRET".repeat(400));
        let env = |name: &str| match name {
            "LONG_SECRET" => Some("S3CRET".repeat(400)),
            _ => None,
        };
        for (value, secret) in [
            ("31415926535", "31415926535"),
            ("0x5EC4E7", "5EC4E7"),
            ("27182.818e3", "27182.818"),
            ("true", "true"),
            (long.as_str(), "S3CRET"),
            ("\"${LONG_SECRET}\"", "S3CRET"),
            ("\"S3CRET${unterminated\"", "S3CRET"),
            ("\"S3CRET${not a name}\"", "S3CRET"),
            ("\"${NOT_SET}S3CRET\"", "S3CRET"),
        ] {
            let problems = crate::load::load_text("g.yaml", &spec(value), &env).expect_err(value).0;
            assert_eq!(problems.len(), 1, "{value}: {problems:?}");
            let p = &problems[0];
            assert!(p.path.ends_with("customParameters.key"), "the field is named: {p}");
            assert_eq!((p.mark.line, p.gateway.as_deref()), (14, Some("tools")), "{p}");
            let shown = format!("{p} {}", serde_json::to_string(p).expect("json"));
            assert!(!shown.contains(secret), "{value}: the value leaks: {shown}");
        }
        // An unset variable is named: it is not the secret.
        let p = &crate::load::load_text("g.yaml", &spec("\"${NOT_SET}\""), &env).expect_err("unset").0[0];
        assert!(p.message.contains("`NOT_SET` is not set"), "{p}");
        // Elsewhere a number is still quoted, to help fix it.
        let p = &crate::load::load_text("g.yaml", &spec("x }\n        description: 31415926535\n        z: { "), &env);
        let p = &p.as_ref().expect_err("a number as description").0;
        assert!(p.iter().any(|p| p.message.contains("31415926535")), "{p:?}");
    }
}
