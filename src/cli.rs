//! The command line, as README.md's "Commands" documents it: the binary's alone. Commands turn
//! these arguments into the library's plain settings, so the library knows no command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// acgw keeps Amazon Bedrock AgentCore gateways in the state declared in YAML.
#[derive(Debug, Parser)]
// The version line names the commit and the SDK (set by build.rs), so a pasted report can be traced.
#[command(name = "acgw", version = env!("ACGW_VERSION_LINE"), about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// How every command prints.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// When to color text output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail about what is happening (repeatable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// How the commands that call the API reach it; only those commands take these options.
#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// AWS region (default: the SDK's chain: AWS_REGION, profile, ...).
    #[arg(long)]
    pub region: Option<String>,
    /// Named AWS profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// API endpoint (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL also works).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Use the built-in emulator, with state in .acgw/local-state.json, instead of AWS.
    #[arg(long, conflicts_with = "endpoint_url")]
    pub local: bool,
    /// How many gateways to read or change at once.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub parallelism: u16,
    /// Requests per second never to exceed (the account's quota); without it, acgw finds the quota
    /// by itself (start at 10/s, grow until throttled, settle just under).
    #[arg(long, env = "ACGW_MAX_RPS", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_rps: Option<u32>,
    /// Attempts per API call, including the first; retries wait for the same rate limit.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
    /// The SDK's retry mode: `standard` (default) backs off per call; `adaptive` adds the SDK's own
    /// client-side limiter on top of acgw's, which cuts hard on every throttle.
    #[arg(long, value_enum, env = "AWS_RETRY_MODE", default_value_t = RetryMode::Standard)]
    pub retry_mode: RetryMode,
    /// With --local: how long to wait for another acgw run in this directory to release the
    /// state file's lock before giving up (exit 1), e.g. 30s, 5m; 0 refuses at once.
    #[arg(long, env = "ACGW_LOCK_TIMEOUT", default_value = "60s", value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Duration,
}

impl ClientArgs {
    /// The library's connection settings.
    pub fn settings(&self) -> acgw::connect::Settings {
        acgw::connect::Settings {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            local: self.local,
            max_attempts: self.max_attempts,
            retry_mode: match self.retry_mode {
                RetryMode::Standard => acgw::connect::RetryMode::Standard,
                RetryMode::Adaptive => acgw::connect::RetryMode::Adaptive,
            },
            max_rps: self.max_rps,
            lock_timeout: self.lock_timeout,
        }
    }
}

/// The SDK's retry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetryMode {
    Standard,
    Adaptive,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl From<ColorChoice> for acgw::ui::ColorWhen {
    fn from(c: ColorChoice) -> Self {
        match c {
            ColorChoice::Auto => acgw::ui::ColorWhen::Auto,
            ColorChoice::Always => acgw::ui::ColorWhen::Always,
            ColorChoice::Never => acgw::ui::ColorWhen::Never,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check spec files offline: no credentials, no network.
    Validate(ValidateArgs),
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Make the live gateways match the specs, or apply a saved plan.
    Apply(ApplyArgs),
    /// Report differences between the specs and the live gateways (read-only; exit 2 on drift).
    Drift(DriftArgs),
    /// Write live gateways as spec YAML.
    Export(ExportArgs),
    /// Serve a local emulator of the gateway API.
    Emulator(EmulatorArgs),
    /// Delete every gateway the specs name, with its targets (owned ones only).
    Destroy(DestroyArgs),
    /// Re-discover the tools of MCP server targets (SynchronizeGatewayTargets), e.g. after a deploy.
    Sync(SyncArgs),
    /// Print the JSON Schema of spec files, for editors (yaml-language-server, SchemaStore), or
    /// with --output that of a command's JSON output.
    Schema(SchemaArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

/// `acgw sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Only this gateway of the specs (repeatable) [default: every gateway the specs name].
    #[arg(long = "gateway", value_name = "NAME")]
    pub gateways: Vec<String>,
    /// Only this target (repeatable) [default: every MCP server target without mcpToolSchema].
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,
    /// How long to wait for each target to be READY again, e.g. 90s, 10m.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// Format of the final report.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
}

/// `acgw destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Do not ask for confirmation (needed without a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Delete gateways whose acgw:owner tag is missing or names another owner.
    #[arg(long)]
    pub take_ownership: bool,
    /// How long to wait for each step (targets gone, gateway gone), e.g. 90s, 10m.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// Format of the final report.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
}

/// `acgw schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of this command's `--format json` document instead of the spec files'.
    #[arg(long, value_enum, value_name = "DOCUMENT")]
    pub output: Option<OutputDocument>,
}

/// The documents `acgw schema --output` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputDocument {
    Plan,
    Drift,
    Apply,
    Destroy,
    Validate,
    Sync,
}

impl From<OutputDocument> for acgw::output::Output {
    fn from(d: OutputDocument) -> Self {
        use acgw::output::Output;
        match d {
            OutputDocument::Plan => Output::Plan,
            OutputDocument::Drift => Output::Drift,
            OutputDocument::Apply => Output::Apply,
            OutputDocument::Destroy => Output::Destroy,
            OutputDocument::Validate => Output::Validate,
            OutputDocument::Sync => Output::Sync,
        }
    }
}

/// `acgw completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where specs come from.
#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// A spec file or a directory of *.yaml/*.yml files (repeatable) [default: ./gateways.yaml]
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// The owner of these specs' gateways (overrides `owner:` in the specs): tagged acgw:owner
    /// on every gateway acgw creates or updates, and the proof that --prune and destroy need.
    #[arg(long, value_name = "ID", value_parser = parse_owner)]
    pub owner: Option<acgw::model::Owner>,
    /// Let `file:` in specs read files outside the spec's directory tree.
    #[arg(long)]
    pub allow_outside_files: bool,
}

fn parse_owner(s: &str) -> Result<acgw::model::Owner, String> {
    acgw::model::Owner::try_from(s)
}

impl SpecArgs {
    /// How to load the specs.
    pub fn load_options(&self) -> acgw::load::Options {
        acgw::load::Options { allow_outside_files: self.allow_outside_files }
    }

    /// The paths to load, with the default applied.
    pub fn paths(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from("gateways.yaml")]
        } else {
            self.files.clone()
        }
    }
}

/// `acgw validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
}

/// Output formats of plan and drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
}

impl From<ReportFormat> for acgw::render::Format {
    fn from(f: ReportFormat) -> Self {
        match f {
            ReportFormat::Text => acgw::render::Format::Text,
            ReportFormat::Json => acgw::render::Format::Json,
            ReportFormat::Markdown => acgw::render::Format::Markdown,
        }
    }
}

/// `acgw plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Save the plan (JSON, mode 0600) for `acgw apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 2 when there are changes, 0 when there are none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also plan the deletion of gateways tagged with this owner that no spec names.
    #[arg(long)]
    pub prune: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `acgw apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    /// A plan saved by `acgw plan --out`; applied without asking.
    #[arg(value_name = "PLANFILE", conflicts_with = "files")]
    pub plan_file: Option<PathBuf>,
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Do not ask for confirmation (needed without a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow deleting and re-creating gateways whose authorizerType changed.
    #[arg(long)]
    pub allow_replace: bool,
    /// Also delete gateways tagged with this owner that no spec names (with their targets).
    #[arg(long, conflicts_with = "plan_file")]
    pub prune: bool,
    /// Update gateways tagged with another owner, taking them over.
    #[arg(long)]
    pub take_ownership: bool,
    /// How long to wait for a gateway to become READY (e.g. 90s, 10m).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// Return once every call was accepted, reporting the statuses last seen, instead of waiting
    /// for READY (waits a later call depends on still happen).
    #[arg(long)]
    pub no_wait: bool,
    /// Format of the final report.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text)]
    pub format: ApplyFormat,
}

/// Output formats of apply's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    Text,
    Json,
}

/// `acgw drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub specs: SpecArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// `acgw export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub client: ClientArgs,
    /// Export only this gateway (repeatable).
    #[arg(long = "name", value_name = "NAME")]
    pub names: Vec<String>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With -o: replace schema files that exist already but this run did not write (never a
    /// symbolic link).
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// `acgw emulator`.
#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Load state from FILE at start and persist it atomically after every mutation.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Added latency per call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of calls answered with ThrottlingException (429), 0.0–1.0.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub throttle_rate: f64,
    /// Share of calls answered with InternalServerException (500), 0.0–1.0.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub error_rate: f64,
    /// Share of mutations committed and then answered by closing the connection, 0.0–1.0.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub lost_response_rate: f64,
    /// Requests per second above which calls are throttled (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub max_rps: u32,
    /// Milliseconds a new gateway stays CREATING.
    #[arg(long, default_value_t = 0)]
    pub create_delay_ms: u64,
    /// Milliseconds an updated gateway stays UPDATING.
    #[arg(long, default_value_t = 0)]
    pub update_delay_ms: u64,
    /// Milliseconds a deleted gateway stays DELETING.
    #[arg(long, default_value_t = 0)]
    pub delete_delay_ms: u64,
    /// Seed for the random choices (IDs, faults), for reproducible runs.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Parses `250ms`, `90s`, `10m`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a duration like 90s or 10m"))?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use ms, s, m or h)")),
    };
    Ok(Duration::from_millis(ms))
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let r: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("`{s}` is outside 0.0–1.0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("7y").is_err());
    }
}
