//! What the binary-level test suites share: running `acgw` as a user would, against one [`Env`].
//! How to write a test with them: tests/support/README.md.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod env;
// Not every binary runs an Env (action.rs runs the composite action with `--local`).
#[allow(unused_imports)]
pub use env::Env;

/// Runs the real binary with a clean, offline environment.
pub struct Acgw {
    pub cmd: Command,
    /// Arguments that go after the command's own (client options follow the subcommand).
    pub trailing: Vec<String>,
}

impl Acgw {
    /// `acgw` run in `dir` with an empty environment but PATH, HOME and NO_COLOR.
    pub fn new(dir: &Path) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_acgw"));
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("NO_COLOR", "1");
        Acgw { cmd, trailing: Vec::new() }
    }

    /// Adds arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        self.cmd.args(args);
        self
    }

    /// Points the binary at an API endpoint with fake credentials, as a pipeline would at AWS.
    pub fn endpoint(mut self, url: &str) -> Self {
        self.trailing.extend(["--endpoint-url".to_string(), url.to_string()]);
        self.cmd
            .env("AWS_ACCESS_KEY_ID", "AKIDTESTTESTTEST")
            .env("AWS_SECRET_ACCESS_KEY", "test-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// The command with every argument, stdin closed, for a test that spawns (and kills) it
    /// itself; its output is not checked against the contracts.
    pub fn into_command(mut self) -> Command {
        self.cmd.args(&self.trailing).stdin(Stdio::null());
        self.cmd
    }

    /// Runs to completion, capturing both streams; then checks the machine contracts of what it
    /// printed (see [`check_contracts`]).
    pub fn run(mut self) -> Run {
        let out: Output = self.cmd.args(&self.trailing).output().expect("the binary runs");
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        let args: Vec<String> = self.cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let dir = self.cmd.get_current_dir().map(Path::to_path_buf).unwrap_or_default();
        check_contracts(&args, &dir, &run);
        run
    }
}

/// The commands whose `--format json` document has a schema in docs/schemas/.
const DOCUMENTS: &[&str] = &["plan", "drift", "apply", "destroy", "validate", "sync"];

/// Every run of the suite keeps the output contracts: with `--format json`, stdout is exactly one
/// JSON document valid against the command's checked-in schema (docs/schemas/, closed with
/// `additionalProperties: false`, so an output field added without a schema change fails here);
/// a plan saved with `--out` is valid against the plan schema; every spec `export` writes reads
/// back through a YAML 1.1 parser (PyYAML) with every scalar as acgw reads it.
pub fn check_contracts(args: &[String], dir: &Path, run: &Run) {
    let Some(command) = args.iter().find(|a| DOCUMENTS.contains(&a.as_str()) || *a == "export") else { return };
    // Usage errors (64), help and signals print no document.
    if run.code.is_none() || run.code == Some(64) || args.iter().any(|a| a == "--help" || a == "-h") {
        return;
    }
    let value_of = |flags: &[&str]| {
        args.windows(2).find(|w| flags.contains(&w[0].as_str())).map(|w| w[1].clone()).or_else(|| {
            args.iter().find_map(|a| flags.iter().find_map(|f| a.strip_prefix(&format!("{f}=")).map(str::to_string)))
        })
    };
    if command == "export" {
        if run.code == Some(0) {
            let yaml = match value_of(&["-o", "--output"]) {
                Some(file) => std::fs::read_to_string(dir.join(file)).unwrap_or_default(),
                None => run.stdout.clone(),
            };
            check_yaml_reads_the_same(&yaml);
        }
        return;
    }
    if value_of(&["--format"]).as_deref() == Some("json") {
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!("`acgw {}` printed no single JSON document on stdout ({e}):\n{}", args.join(" "), run.stdout)
        });
        check_schema(command, &doc, &args.join(" "));
    }
    if command == "plan" {
        if let Some(file) = value_of(&["--out"]) {
            if let Ok(text) = std::fs::read_to_string(dir.join(&file)) {
                let doc: serde_json::Value = serde_json::from_str(&text).expect("a saved plan is JSON");
                check_schema("plan", &doc, &format!("the plan saved to {file}"));
            }
        }
    }
}

/// The checked-in schema of `document`, compiled once per test binary.
fn validator(document: &str) -> std::sync::Arc<jsonschema::Validator> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(document.to_string())
        .or_insert_with(|| {
            let path = repo().join("docs/schemas").join(format!("{document}.json"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
            Arc::new(jsonschema::draft202012::new(&schema).expect("the schema compiles"))
        })
        .clone()
}

/// Panics with every violation when `doc` is not valid against `document`'s schema.
pub fn check_schema(document: &str, doc: &serde_json::Value, what: &str) {
    let validator = validator(document);
    let errors: Vec<String> =
        validator.iter_errors(doc).map(|e| format!("  at {}: {e}", e.instance_path())).take(20).collect();
    assert!(
        errors.is_empty(),
        "the output of `{what}` does not match docs/schemas/{document}.json:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(doc).unwrap_or_default()
    );
}

/// The venv's Python with PyYAML (made by `.ci/moto-setup`); `None` (with a note) when it is
/// missing outside CI. In CI it must exist: .ci/run makes it before the tests.
pub fn pyyaml() -> Option<PathBuf> {
    let python = repo().join("target/moto-venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {} is missing: run .ci/moto-setup (it installs PyYAML) before the tests",
        python.display()
    );
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!("note: {} is missing (run .ci/moto-setup): exports are not checked with PyYAML", python.display())
    });
    None
}

/// Reads `yaml` with PyYAML (YAML 1.1: dates, yes/no, octal...) and with acgw's YAML 1.2 reading,
/// and panics unless every scalar is the same in both.
pub fn check_yaml_reads_the_same(yaml: &str) {
    use std::io::Write;
    let Some(python) = pyyaml() else { return };
    // Non-JSON values (dates, ...) are written as a tagged string, so they cannot match.
    let script = "import sys, json, yaml\n\
        print(json.dumps(list(yaml.safe_load_all(sys.stdin.read())), default=lambda v: '!python ' + type(v).__name__ + ' ' + str(v)))";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    child.stdin.take().expect("stdin").write_all(yaml.as_bytes()).expect("write yaml");
    let out = child.wait_with_output().expect("python ends");
    assert!(out.status.success(), "PyYAML cannot read the export: {}\n{yaml}", String::from_utf8_lossy(&out.stderr));
    let python_sees: serde_json::Value = serde_json::from_slice(&out.stdout).expect("python printed JSON");
    let acgw_sees: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| {
            let value = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).expect("yaml");
            serde_json::to_value(value).expect("json")
        })
        .collect();
    assert_eq!(python_sees, serde_json::Value::Array(acgw_sees), "PyYAML reads the export differently:\n{yaml}");
}

/// How a run ended and what it printed.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code and both streams, for assertion messages.
    pub fn show(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes a spec (or any file) into `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write spec");
    path
}

/// A minimal Lambda MCP target configuration, for tests that only need a target to exist.
pub fn lambda_target() -> aws_sdk_bedrockagentcorecontrol::types::TargetConfiguration {
    use aws_sdk_bedrockagentcorecontrol::types::{
        McpLambdaTargetConfiguration, McpTargetConfiguration, SchemaDefinition, SchemaType, TargetConfiguration,
        ToolDefinition, ToolSchema,
    };
    // One tool: the emulator, like the service's model, refuses an empty list.
    let tool = ToolDefinition::builder()
        .name("ping")
        .description("Answers pong")
        .input_schema(SchemaDefinition::builder().r#type(SchemaType::Object).build().expect("a schema"))
        .build()
        .expect("a tool");
    TargetConfiguration::Mcp(McpTargetConfiguration::Lambda(
        McpLambdaTargetConfiguration::builder()
            .lambda_arn("arn:aws:lambda:us-east-1:123456789012:function:f")
            .tool_schema(ToolSchema::InlinePayload(vec![tool]))
            .build()
            .expect("a lambda target"),
    ))
}
