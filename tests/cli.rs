//! End-to-end tests of the `acgw` binary: exit codes, outputs and messages as a user sees them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real binary with a clean, offline environment.
struct Acgw {
    cmd: Command,
}

impl Acgw {
    fn new(dir: &Path) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_acgw"));
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("NO_COLOR", "1");
        Acgw { cmd }
    }

    fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        self.cmd.args(args);
        self
    }

    fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    fn run(mut self) -> Run {
        let out: Output = self.cmd.output().expect("the binary runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write spec");
    path
}

const BAD: &str = "gateways:
  - name: orders
    rolArn: arn:aws:iam::123456789012:role/r
    authorizerType: CUSTOM_JWT
    exceptionLevel: DEBG
";

#[test]
fn validate_accepts_every_example_and_the_quickstart() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path())
        .args(["validate", "-f"])
        .arg_path(&repo().join("examples"))
        .args(["-f"])
        .arg_path(&repo().join("gateways.yaml"))
        .run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("Valid: 6 gateways"), "{run:?}");
}

#[test]
fn validate_defaults_to_gateways_yaml_in_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("gateways.yaml: error: cannot read"), "{run:?}");
    std::fs::copy(repo().join("gateways.yaml"), dir.path().join("gateways.yaml")).unwrap();
    let run = Acgw::new(dir.path()).args(["validate"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn validate_reports_every_problem_with_its_place_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1), "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "g.yaml:2:5: error: gateway `orders`: authorizerConfiguration: is required when authorizerType is CUSTOM_JWT",
            "g.yaml:2:5: error: gateway `orders`: roleArn: missing required key `roleArn`",
            "g.yaml:3:5: error: gateway `orders`: rolArn: unknown key `rolArn`; did you mean `roleArn`?",
            "g.yaml:5:21: error: gateway `orders`: exceptionLevel: expected one of DEBUG, found \"DEBG\"; did you mean `DEBUG`?",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn validate_github_format_emits_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml", "--format", "github"]).run();
    assert_eq!(run.code, Some(1));
    let first = run.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "::error file=g.yaml,line=2,col=5::gateway `orders`: authorizerConfiguration: is required when authorizerType is CUSTOM_JWT"
    );
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

#[test]
fn validate_json_format_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.yaml", BAD);
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml", "--format", "json"]).run();
    assert_eq!(run.code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json on stdout");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["problems"][3]["path"], "exceptionLevel");
    assert_eq!(doc["problems"][3]["line"], 5);
    assert_eq!(doc["problems"][3]["column"], 21);
    assert_eq!(doc["problems"][3]["gateway"], "orders");
}

#[test]
fn warnings_are_printed_but_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "g.yaml",
        "gateways:\n  - name: a\n    roleArn: arn:aws:iam::123456789012:role/r\n    authorizerType: AWS_IAM\n    \
         authorizerConfiguration:\n      customJWTAuthorizer:\n        discoveryUrl: https://x.example.com/.well-known/openid-configuration\n",
    );
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("g.yaml:6:7: warning: gateway `a`: authorizerConfiguration"), "{run:?}");
}

#[test]
fn interpolation_uses_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "g.yaml",
        "gateways:\n  - name: a\n    roleArn: arn:aws:iam::${ACCOUNT_ID}:role/r\n    authorizerType: NONE\n",
    );
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).run();
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("g.yaml:3:14: error: gateway `a`: roleArn: environment variable `ACCOUNT_ID` is not set"), "{run:?}");
    let run = Acgw::new(dir.path()).args(["validate", "-f", "g.yaml"]).env("ACCOUNT_ID", "123456789012").run();
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn usage_errors_exit_64_not_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = Acgw::new(dir.path()).args(["validate", "--no-such-flag"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
    let run = Acgw::new(dir.path()).args(["frobnicate"]).run();
    assert_eq!(run.code, Some(64), "{run:?}");
    let run = Acgw::new(dir.path()).args(["--help"]).run();
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("validate"));
}

trait ArgPath {
    fn arg_path(self, path: &Path) -> Self;
}

impl ArgPath for Acgw {
    fn arg_path(mut self, path: &Path) -> Self {
        self.cmd.arg(path);
        self
    }
}
