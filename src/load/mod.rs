//! Loading specs: files and directories, YAML documents, interpolation, decoding, duplicates.
//!
//! Nothing here touches the network; every problem found is reported, sorted by place.

pub mod yaml;

use std::path::{Path, PathBuf};

use crate::model::interpolate::interpolate;

use crate::model::decode::{Cx, Decode, Node, NodeKind};
use crate::model::Gateway;
use crate::problem::{Mark, Problem, Problems, Severity};

/// Spec files larger than this are refused before they are read (real specs are far smaller).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where a gateway's spec came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub file: String,
    pub mark: Mark,
}

/// One gateway from the specs, with where it was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub gateway: Gateway,
    pub source: Source,
}

/// The desired state: every gateway declared, sorted by name, names unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desired {
    pub specs: Vec<Spec>,
    /// Problems that do not stop the run.
    pub warnings: Vec<Problem>,
}

impl Desired {
    /// The spec of the gateway named `name`.
    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.specs.iter().find(|s| s.gateway.name.as_str() == name)
    }
}

/// Reads the environment for interpolation.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Loads every spec under `paths` (files, or directories of `*.yaml`/`*.yml`).
pub fn load_paths(paths: &[PathBuf], env: &dyn Fn(&str) -> Option<String>) -> Result<Desired, Problems> {
    let mut problems = Vec::new();
    let mut loaded = Loaded::default();
    for file in expand_paths(paths, &mut problems) {
        let shown = file.display().to_string();
        match read_spec_file(&file) {
            Ok(text) => load_str(&shown, &text, env, &mut loaded, &mut problems),
            Err(p) => problems.push(p),
        }
    }
    finish(loaded, problems)
}

/// Loads specs from text already in memory, as if read from `file`.
pub fn load_text(file: &str, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Desired, Problems> {
    let mut problems = Vec::new();
    let mut loaded = Loaded::default();
    load_str(file, text, env, &mut loaded, &mut problems);
    finish(loaded, problems)
}

/// What the files declared so far: decoded gateways, and every name seen (decoded or not).
#[derive(Default)]
struct Loaded {
    specs: Vec<Spec>,
    names: Vec<(String, Source)>,
}

fn finish(loaded: Loaded, mut problems: Vec<Problem>) -> Result<Desired, Problems> {
    check_duplicates(&loaded.names, &mut problems);
    let mut specs = loaded.specs;
    let mut problems = Problems(problems);
    problems.sort();
    if problems.has_errors() {
        return Err(problems);
    }
    specs.sort_by(|a, b| a.gateway.name.cmp(&b.gateway.name));
    Ok(Desired { specs, warnings: problems.0 })
}

fn file_problem(file: &str, mark: Mark, message: impl Into<String>) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_string(),
        mark,
        gateway: None,
        path: String::new(),
        message: message.into(),
    }
}

fn expand_paths(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => problems.push(file_problem(&shown, Mark::default(), format!("cannot read: {e}"))),
            Ok(meta) if meta.is_dir() => match std::fs::read_dir(path) {
                Err(e) => problems.push(file_problem(&shown, Mark::default(), format!("cannot read directory: {e}"))),
                Ok(entries) => {
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                        })
                        .collect();
                    found.sort();
                    if found.is_empty() {
                        problems.push(file_problem(
                            &shown,
                            Mark::default(),
                            "directory holds no *.yaml or *.yml spec files",
                        ));
                    }
                    files.extend(found);
                }
            },
            Ok(_) => files.push(path.clone()),
        }
    }
    files
}

fn read_spec_file(path: &Path) -> Result<String, Problem> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(file_problem(
            &shown,
            Mark { line: 1, column: 1 },
            format!("file is {size} bytes; spec files over {MAX_FILE_BYTES} bytes are refused"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| file_problem(&shown, Mark::default(), format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        file_problem(&shown, Mark { line, column }, "file is not valid UTF-8")
    })
}

const TOP_KEYS: &[&str] = &["gateways"];

/// Loads the gateways of one file's text, appending problems.
fn load_str(
    file: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    loaded: &mut Loaded,
    problems: &mut Vec<Problem>,
) {
    let docs = match yaml::parse_documents(text) {
        Ok(docs) => docs,
        Err(e) => {
            problems.push(file_problem(file, e.mark, e.message));
            return;
        }
    };
    if docs.iter().all(Option::is_none) {
        problems.push(file_problem(
            file,
            Mark { line: 1, column: 1 },
            "file holds no spec: expected a mapping with a `gateways` list",
        ));
        return;
    }
    let mut cx = Cx::new(file, problems).with_env(env);
    for doc in docs.into_iter().flatten() {
        let Some(entries) = cx.map(&doc) else { continue };
        cx.check_keys(entries, TOP_KEYS);
        let Some(list) = doc.get("gateways") else {
            cx.error(doc.mark, "missing required key `gateways`");
            continue;
        };
        if list.is_null() {
            continue;
        }
        let NodeKind::Seq(items) = &list.kind else {
            cx.at("gateways", |cx| {
                cx.error(list.mark, format!("expected a list of gateways, found {}", list.type_name()))
            });
            continue;
        };
        for item in items {
            let name = item
                .get("name")
                .and_then(Node::as_scalar)
                .map(|n| interpolate(n, env).unwrap_or_else(|_| n.to_string()));
            let source = Source { file: file.to_string(), mark: item.mark };
            if let Some(name) = &name {
                loaded.names.push((name.clone(), source.clone()));
            }
            cx.set_gateway(name);
            let decoded = Gateway::decode(item, &mut cx);
            Gateway::check_cross_field(item, &mut cx);
            if let Some(gateway) = decoded {
                loaded.specs.push(Spec { gateway, source });
            }
            cx.set_gateway(None);
        }
    }
}

fn check_duplicates(names: &[(String, Source)], problems: &mut Vec<Problem>) {
    let mut sorted: Vec<&(String, Source)> = names.iter().collect();
    sorted.sort_by(|a, b| (&a.0, &a.1.file, a.1.mark).cmp(&(&b.0, &b.1.file, b.1.mark)));
    for pair in sorted.windows(2) {
        let ((name, first), (other, second)) = (pair[0], pair[1]);
        if name == other {
            problems.push(Problem {
                severity: Severity::Error,
                file: second.file.clone(),
                mark: second.mark,
                gateway: Some(name.clone()),
                path: "name".into(),
                message: format!(
                    "gateway name `{name}` is declared twice: here and at {}:{}:{}",
                    first.file, first.mark.line, first.mark.column
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests;
