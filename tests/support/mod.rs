//! What the binary-level test suites share: running `acgw` as a user would.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

    /// Runs to completion, capturing both streams.
    pub fn run(mut self) -> Run {
        let out: Output = self.cmd.args(&self.trailing).output().expect("the binary runs");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// How a run ended and what it printed.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
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
