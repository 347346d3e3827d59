//! The house rules of `docs/architecture.md`, checked over the source: every module imports
//! only modules below it in the pipeline (so there is no import circle), and the pure core names
//! neither the I/O modules nor the SDK's client. Test code (`#[cfg(test)]` modules and the files
//! they declare) may reach anywhere and is not checked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first. A module may import those before it.
/// Foundations share the first layer and import nothing of the crate.
pub(crate) const LAYERS: &[&[&str]] = &[
    // Foundations.
    &["problem", "bounded", "atomic", "escape", "rate", "yaml_out"],
    // The pure core, in pipeline order.
    &["model"],
    &["load"],
    &["normalize"],
    &["kind"],
    &["diff"],
    &["observed"],
    &["plan"],
    &["render"],
    // The I/O edge: progress on stderr, then the API layer and what drives it.
    &["ui"],
    &["api"],
    &["observe"],
    &["apply"],
    &["output"],
    &["confine"],
    &["export"],
    &["emulator"],
    &["connect"],
];

/// The layers that do no I/O.
const PURE: &[&str] = &[
    "problem",
    "bounded",
    "escape",
    "yaml_out",
    "model",
    "load",
    "normalize",
    "kind",
    "diff",
    "observed",
    "plan",
    "render",
];

/// Modules a pure module must not name.
const IO: &[&str] = &["api", "apply", "observe", "connect", "emulator"];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src is readable").flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`plan` for `src/plan/items.rs`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().to_string();
    first.trim_end_matches(".rs").to_string()
}

/// The non-test code of a file, comments dropped, and the files its test modules declare.
fn code_of(text: &str) -> (String, Vec<String>) {
    let mut code = String::new();
    let mut test_files = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        if t.starts_with("#[cfg(test)]") {
            // A `#[path = "FILE"]` between the attribute and the `mod` names the file.
            let mut path = None;
            while let Some(attr) = lines.peek().map(|l| l.trim_start().to_string()).filter(|l| l.starts_with("#[")) {
                if let Some(p) = attr.strip_prefix("#[path = \"").and_then(|p| p.strip_suffix("\"]")) {
                    path = Some(p.trim_end_matches(".rs").to_string());
                }
                lines.next();
            }
            let Some(next) = lines.peek().map(|l| l.trim_start().to_string()) else { break };
            let decl = next.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
            if let Some(rest) = decl.strip_prefix("mod ") {
                if let Some(name) = rest.strip_suffix(';') {
                    test_files.push(path.map_or_else(|| name.trim().to_string(), |p| format!("@{p}")));
                    lines.next();
                    continue;
                }
                // An inline test module: by convention the rest of the file.
                break;
            }
            // A test-only item (a `use`, a helper): skipped up to its end.
            for l in lines.by_ref() {
                let l = l.trim_end();
                if l.ends_with(';') && !l.starts_with(' ') || l == "}" {
                    break;
                }
            }
            continue;
        }
        let line = match line.find(" //") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    (code, test_files)
}

/// The crate's modules named by `crate::NAME` in `code`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.insert(name);
        }
        rest = after;
    }
    out
}

/// Every import edge of the library, `(file, from module, to module)`, test code left out.
fn edges() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut skip: BTreeSet<PathBuf> = BTreeSet::new();
    let mut parsed = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source is readable");
        let (code, test_files) = code_of(&text);
        let dir = if file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs") {
            file.parent().expect("a parent").to_path_buf()
        } else {
            file.with_extension("")
        };
        for name in test_files {
            // `@FILE`: a `#[path]`, relative to the declaring file's folder.
            if let Some(file_path) = name.strip_prefix('@') {
                skip.insert(file.parent().expect("a parent").join(format!("{file_path}.rs")));
                continue;
            }
            skip.insert(dir.join(format!("{name}.rs")));
            skip.insert(dir.join(&name));
        }
        parsed.insert(file.clone(), code);
    }
    let mut out = Vec::new();
    for (file, code) in parsed {
        let rel = file.strip_prefix(&src).expect("under src");
        let top = rel.components().next().expect("a component").as_os_str().to_string_lossy().to_string();
        // The binary's modules sit above the library and use it as `acgw::`.
        if matches!(top.as_str(), "main.rs" | "cli.rs" | "commands" | "lib.rs" | "layering_tests.rs") {
            continue;
        }
        if skip.iter().any(|s| file == *s || file.starts_with(s)) {
            continue;
        }
        let from = module_of(&src, &file);
        for to in imports(&code) {
            if to != from {
                out.push((rel.display().to_string(), from.clone(), to));
            }
        }
    }
    out
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let declared: Vec<&str> =
        lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';'))).collect();
    assert!(declared.len() > 10, "lib.rs declares its modules as `pub mod NAME;`");
    let missing: Vec<_> = declared.iter().filter(|m| rank(m).is_none()).collect();
    assert!(missing.is_empty(), "modules with no layer in LAYERS (add them, and to docs/architecture.md): {missing:?}");
}

#[test]
fn no_module_imports_one_above_it() {
    let mut upward = Vec::new();
    for (file, from, to) in edges() {
        let (Some(f), Some(t)) = (rank(&from), rank(&to)) else {
            upward.push(format!("{file}: {from} -> {to} (a module with no layer)"));
            continue;
        };
        if t >= f {
            upward.push(format!("{file}: {from} (layer {f}) imports {to} (layer {t})"));
        }
    }
    assert!(upward.is_empty(), "imports that go up (or sideways) the layers:\n{}", upward.join("\n"));
}

#[test]
fn the_pure_core_names_no_io_module_nor_the_sdk_client() {
    let mut bad = Vec::new();
    for (file, from, to) in edges() {
        if PURE.contains(&from.as_str()) && IO.contains(&to.as_str()) {
            bad.push(format!("{file}: {from} names {to}"));
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    for file in files {
        if !PURE.contains(&module_of(&src, &file).as_str()) {
            continue;
        }
        let (code, _) = code_of(&std::fs::read_to_string(&file).expect("source is readable"));
        if code.contains("aws_sdk_bedrockagentcorecontrol::Client") || code.contains("aws_config") {
            bad.push(format!("{}: names the SDK's client", file.display()));
        }
    }
    assert!(bad.is_empty(), "the pure core reaches I/O:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_sees_an_upward_import() {
    let (code, tests) = code_of(
        "// crate::apply in a comment\nuse crate::model::Gateway;\nfn f() { crate::api::x(); }\n#[cfg(test)]\nuse crate::observe::Part;\n#[cfg(test)]\nmod fixture;\n#[cfg(test)]\nmod tests {\n    use crate::emulator::X;\n}\n",
    );
    assert_eq!(imports(&code), BTreeSet::from(["model".to_string(), "api".to_string()]));
    assert_eq!(tests, vec!["fixture".to_string()]);
    let (_, tests) = code_of("#[cfg(test)]\n#[path = \"x_tests.rs\"]\nmod tests;\n");
    assert_eq!(tests, vec!["@x_tests".to_string()]);
}

#[test]
fn no_source_file_is_over_a_thousand_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|f| {
            let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            name != "tests.rs" && !name.ends_with("_tests.rs")
        })
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).expect("source is readable").lines().count();
            (lines > 1000).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by job (tests aside):\n{}", long.join("\n"));
}
