//! `file:` in place of `inlinePayload`: schemas that live beside the spec.
//!
//! Resolved on the document tree before decoding, so the decoders stay pure: a `{ file: PATH }`
//! mapping under a schema key becomes `{ inlinePayload: ... }`. OpenAPI, Smithy and MCP tool
//! schemas are text, sent verbatim. A Lambda `toolSchema` file is a JSON or YAML list of tool
//! definitions, decoded and checked here with positions in that file, then spliced in.
//! `${VAR}` is not expanded inside these files: their `${` is escaped before splicing.

use std::path::{Path, PathBuf};

use crate::model::decode::{Cx, Decode, Node, NodeKind};
use crate::model::policy::ResourcePolicy;
use crate::model::target::ToolDefinition;
use crate::problem::{Mark, Problem, Severity};

/// The largest schema file acgw inlines. The API model names no limit for `inlinePayload`;
/// this keeps a request well inside what AWS APIs accept in one body.
pub const MAX_INLINE_BYTES: u64 = 1024 * 1024;

/// Keys whose value may be `{ file: PATH }` holding text.
const TEXT_KEYS: &[&str] = &["openApiSchema", "smithyModel", "mcpToolSchema", "source"];
/// Keys whose value may be `{ file: PATH }` holding a list of tool definitions.
const TOOL_KEYS: &[&str] = &["toolSchema"];

/// Where `file:` paths are resolved, and whether they may leave the spec's directory.
pub struct Base<'a> {
    /// The directory of the spec file that names the files.
    pub dir: &'a Path,
    /// `--allow-outside-files`.
    pub allow_outside: bool,
}

/// Replaces every `{ file: PATH }` under `node` (one target) in place, reporting problems at the
/// `file:` value's position through `cx` (and, inside a tool schema file, at that file's own).
pub fn resolve(node: &mut Node, base: &Base<'_>, cx: &mut Cx<'_>) {
    let NodeKind::Map(entries) = &mut node.kind else { return };
    for (k, v) in entries.iter_mut() {
        let Some(key) = k.as_scalar().map(str::to_string) else { continue };
        let is_text = TEXT_KEYS.contains(&key.as_str());
        let is_tools = TOOL_KEYS.contains(&key.as_str());
        if (is_text || is_tools) && v.get("file").is_some() {
            cx.at(key.clone(), |cx| inline(v, is_tools, base, cx));
        } else if matches!(v.kind, NodeKind::Map(_)) {
            cx.at(key.clone(), |cx| resolve(v, base, cx));
        } else if let NodeKind::Seq(items) = &mut v.kind {
            cx.at(key.clone(), |cx| {
                for (i, item) in items.iter_mut().enumerate() {
                    cx.at(format!("[{i}]"), |cx| resolve(item, base, cx));
                }
            });
        }
    }
}

fn inline(union: &mut Node, tools: bool, base: &Base<'_>, cx: &mut Cx<'_>) {
    let NodeKind::Map(entries) = &mut union.kind else { return };
    let Some(pos) = entries.iter().position(|(k, _)| k.as_scalar() == Some("file")) else { return };
    let (key, value) = entries[pos].clone();
    let content = cx.at("file", |cx| read(&value, base, cx));
    let replacement = match content {
        None => None,
        Some((path, text)) if tools => Some(tool_list(&path, &text, value.mark, cx)),
        Some((_, text)) => {
            Some(Node { mark: value.mark, kind: NodeKind::Scalar { value: escape(&text), plain: false } })
        }
    };
    match replacement {
        Some(node) => {
            let key = Node { mark: key.mark, kind: NodeKind::Scalar { value: "inlinePayload".into(), plain: false } };
            entries[pos] = (key, node);
        }
        // The problem is reported; drop the entry so the union does not report it again.
        None => {
            entries.remove(pos);
            if entries.is_empty() {
                let key =
                    Node { mark: key.mark, kind: NodeKind::Scalar { value: "inlinePayload".into(), plain: false } };
                let empty = if tools {
                    NodeKind::Seq(Vec::new())
                } else {
                    NodeKind::Scalar { value: "-".into(), plain: false }
                };
                entries.push((key, Node { mark: value.mark, kind: empty }));
            }
        }
    }
}

/// Reads the file `value` names: its resolved path and text.
fn read(value: &Node, base: &Base<'_>, cx: &mut Cx<'_>) -> Option<(PathBuf, String)> {
    let Some(name) = value.as_scalar().filter(|s| !value.is_null() && !s.is_empty()) else {
        cx.error(value.mark, format!("expected a file path, found {}", value.type_name()));
        return None;
    };
    let path = base.dir.join(name);
    let resolved = match path.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            cx.error(value.mark, format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    if !base.allow_outside {
        let root = base.dir.canonicalize().unwrap_or_else(|_| base.dir.to_path_buf());
        if !resolved.starts_with(&root) {
            cx.error(
                value.mark,
                format!(
                    "{} is outside the spec's directory {}; pass --allow-outside-files to read it",
                    path.display(),
                    root.display()
                ),
            );
            return None;
        }
    }
    let bytes = match crate::bounded::read(&resolved, MAX_INLINE_BYTES, "inline schemas") {
        Ok(bytes) => bytes,
        Err(crate::bounded::ReadError::TooLarge { .. }) => {
            cx.error(
                value.mark,
                format!(
                    "{} is over {MAX_INLINE_BYTES} bytes; inline schemas are limited to {MAX_INLINE_BYTES} bytes (use s3 instead)",
                    path.display(),
                ),
            );
            return None;
        }
        Err(e) => {
            cx.error(value.mark, format!("{} {e}", path.display()));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => {
            cx.error(value.mark, format!("{} is empty", path.display()));
            None
        }
        Ok(text) => Some((path, text)),
        Err(_) => {
            cx.error(value.mark, format!("cannot read {}: stream did not contain valid UTF-8", path.display()));
            None
        }
    }
}

/// A `resourcePolicy: { file: PATH }`: the file (JSON or YAML) decoded as a policy document,
/// problems at its own lines, `${VAR}` not expanded.
pub fn policy(union: &Node, base: &Base<'_>, cx: &mut Cx<'_>) -> Option<ResourcePolicy> {
    let value = union.get("file")?;
    let (path, text) = cx.at("file", |cx| read(value, base, cx))?;
    let doc = one_document(&path, &text, value.mark, "a policy", cx)?;
    let (policy, inner) = decode_in_file(&path, cx, |file_cx| ResourcePolicy::decode(&doc, file_cx));
    report_under(&cx.path(), inner, cx);
    policy
}

/// A tool schema file as a checked list node: problems inside it are reported at its own lines.
fn tool_list(path: &Path, text: &str, at: Mark, cx: &mut Cx<'_>) -> Node {
    let empty = placeholder(true, at);
    let Some(mut doc) = one_document(path, text, at, "a list of tool definitions", cx) else { return empty };
    let (decoded, inner) = decode_in_file(path, cx, |file_cx| Vec::<ToolDefinition>::decode(&doc, file_cx).is_some());
    if !decoded && inner.is_empty() {
        cx.error(at, format!("{}: expected a list of tool definitions", path.display()));
        return empty;
    }
    let failed = inner.iter().any(|p| p.severity == Severity::Error);
    report_under(&format!("{}.inlinePayload", cx.path()), inner, cx);
    if failed {
        return empty;
    }
    escape_tree(&mut doc);
    doc
}

/// The one document (YAML or JSON) of a referenced file, which must hold `what`; a syntax error
/// is reported at the file's own line and column.
fn one_document(path: &Path, text: &str, at: Mark, what: &str, cx: &mut Cx<'_>) -> Option<Node> {
    let shown = path.display().to_string();
    let docs = match super::yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => {
            cx.push(Problem {
                severity: Severity::Error,
                file: shown,
                mark: e.mark,
                gateway: cx.gateway().map(str::to_string),
                path: cx.path(),
                message: e.message,
            });
            return None;
        }
    };
    let mut docs = docs.into_iter().flatten();
    let (Some(doc), None) = (docs.next(), docs.next()) else {
        cx.error(at, format!("{shown} must hold exactly one document: {what}"));
        return None;
    };
    Some(doc)
}

/// Runs `decode` with problems placed in the file at `path` (its lines, the same gateway), and
/// returns them beside its result for [`report_under`].
fn decode_in_file<T>(path: &Path, cx: &Cx<'_>, decode: impl FnOnce(&mut Cx<'_>) -> T) -> (T, Vec<Problem>) {
    let shown = path.display().to_string();
    let mut inner = Vec::new();
    let value = {
        let mut file_cx = Cx::new(&shown, &mut inner);
        file_cx.set_gateway(cx.gateway().map(str::to_string));
        decode(&mut file_cx)
    };
    (value, inner)
}

/// Reports problems found inside a file under the spec path `prefix` that refers to it.
fn report_under(prefix: &str, problems: Vec<Problem>, cx: &mut Cx<'_>) {
    for mut p in problems {
        p.path = format!("{prefix}{}", p.path);
        cx.push(p);
    }
}

/// What stands in for a payload whose file could not be used. The problem is already reported
/// (so the load fails and the value never reaches an API); a value that decodes keeps the union
/// and the list from reporting the same problem a second time.
fn placeholder(tools: bool, mark: Mark) -> Node {
    let scalar = |v: &str| Node { mark, kind: NodeKind::Scalar { value: v.to_string(), plain: false } };
    if !tools {
        return scalar("-");
    }
    let entry = |k: &str, v: Node| (scalar(k), v);
    let input = Node { mark, kind: NodeKind::Map(vec![entry("type", scalar("object"))]) };
    let tool = Node {
        mark,
        kind: NodeKind::Map(vec![
            entry("name", scalar("-")),
            entry("description", scalar("-")),
            entry("inputSchema", input),
        ]),
    };
    Node { mark, kind: NodeKind::Seq(vec![tool]) }
}

/// `${` → `$${`, so that interpolation leaves the file's text as it is.
fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

fn escape_tree(node: &mut Node) {
    match &mut node.kind {
        NodeKind::Scalar { value, .. } => *value = escape(value),
        NodeKind::Seq(items) => items.iter_mut().for_each(escape_tree),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(_, v)| escape_tree(v)),
    }
}
