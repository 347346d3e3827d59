//! The project's benchmark: `cargo run --release --example bench` prints one Markdown table.
//!
//! Each row compares a measured figure with a reference (a target, a lower bound or a baseline)
//! measured or fixed in the same run, because this machine is shared and noisy. `ratio` is
//! measured / reference: below 1 is better for times and memory, above 1 for throughputs.
//!
//! The CLI rows run the release binary `target/release/acgw` as a child process (built first with
//! `cargo build --release --bin acgw`; `ACGW_BIN` overrides the path) against an emulator in this
//! process, and measure the child's wall time and peak RSS (`wait4`'s `ru_maxrss`). Progress goes
//! to stderr, the table to stdout.

#[path = "../benches/support/specs.rs"]
mod specs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use aws_sdk_bedrockagentcorecontrol::config::retry::RetryConfig;
use aws_sdk_bedrockagentcorecontrol::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockagentcorecontrol::types::AuthorizerType;
use aws_sdk_bedrockagentcorecontrol::Client;
use tokio::runtime::Runtime;

use acgw::emulator::{Config, Emulator, EmulatorHandle, Faults};

/// One row of the table.
struct Row {
    workload: String,
    figure: String,
    reference: String,
    ratio: f64,
}

/// A benchmark: measures one workload (or a few related ones) and returns its rows.
type Bench = fn(&mut Ctx) -> anyhow::Result<Vec<Row>>;

/// Every row, in table order, by name; add a function here to add rows.
const BENCHES: &[(&str, Bench)] = &[
    ("validate_10k", validate_10k),
    ("plan_1k_parallelism_10", plan_1k_parallelism_10),
    ("plan_scaling", plan_scaling),
    ("apply_200_creates", apply_200_creates),
    ("plan_1k_with_targets", plan_1k_with_targets),
    ("apply_100_with_targets", apply_100_with_targets),
    ("plan_200_with_every_part", plan_200_with_every_part),
    ("plan_under_quota", plan_under_quota),
    ("apply_under_quota", apply_under_quota),
    ("emulator_get_gateway_throughput", emulator_get_gateway_throughput),
    ("startup", startup),
    ("sequential_sdk_baseline", sequential_sdk_baseline),
];

/// Gateways in the validate benchmark (issue 2).
const VALIDATE_GATEWAYS: usize = 10_000;
/// Gateways in the plan benchmarks (issue 4).
const PLAN_GATEWAYS: usize = 1_000;
/// Gateways in the apply benchmark (issue 5).
const APPLY_GATEWAYS: usize = 200;
/// Per-call latency the emulator adds in the plan, apply and baseline benchmarks.
const CALL_LATENCY: Duration = Duration::from_millis(20);
/// How long a created gateway stays CREATING in the apply benchmark.
const CREATE_DELAY: Duration = Duration::from_secs(1);
/// Runs of the plan at parallelism 10 (the median is reported); other long runs are run once.
const PLAN_RUNS: usize = 3;
/// Runs of `validate` on 10,000 gateways (median time, highest peak RSS).
const VALIDATE_RUNS: usize = 3;
/// Runs of each startup command (median time).
const STARTUP_RUNS: usize = 21;
/// The startup reference: a command that answers within 50 ms feels instant at a prompt and
/// costs nothing in a CI step; it is our target, not a measured baseline.
const STARTUP_TARGET: Duration = Duration::from_millis(50);
const MIB: u64 = 1024 * 1024;

/// What the benchmarks share: the runtime (which serves the in-process emulators), the binary,
/// a scratch directory, and the emulator holding the plan fleet.
struct Ctx {
    runtime: Runtime,
    bin: PathBuf,
    dir: tempfile::TempDir,
    fleet: Option<Fleet>,
    /// Median wall time of the plan at parallelism 10 (row 2), for the baseline comparison.
    plan_p10: Option<Duration>,
}

/// An emulator holding `PLAN_GATEWAYS` gateways created from `spec`, answering after `CALL_LATENCY`.
struct Fleet {
    emulator: EmulatorHandle,
    spec: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == MEASURE_FLAG) {
        return measure_child(&args[2..]);
    }
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    let mut ctx =
        Ctx { runtime, bin: binary()?, dir: tempfile::tempdir().context("scratch dir")?, fleet: None, plan_p10: None };
    let mut rows = Vec::new();
    // `ACGW_BENCH_ONLY=plan_1k` runs only the benchmarks whose name contains it.
    let only = std::env::var("ACGW_BENCH_ONLY").ok();
    for (name, bench) in BENCHES {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        rows.extend(bench(&mut ctx)?);
    }
    if let Some(fleet) = ctx.fleet.take() {
        ctx.runtime.block_on(fleet.emulator.shutdown())?;
    }
    println!("| workload | figure | reference | ratio |");
    println!("| --- | --- | --- | --- |");
    for r in rows {
        println!("| {} | {} | {} | {:.2} |", r.workload, r.figure, r.reference, r.ratio);
    }
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The release binary, rebuilt if needed (`cargo run --example` does not build the binary).
fn binary() -> anyhow::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("ACGW_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe().context("path of the bench executable")?;
    // target/release/examples/bench → target/release/acgw
    let profile_dir = exe.parent().and_then(Path::parent).context("bench is not in target/<profile>/examples")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let mut build = Command::new(cargo);
    build.args(["build", "--bin", "acgw", "--quiet"]);
    // `cargo run` sets these for this process. Build scripts watch some of them (aws-lc-sys's
    // reads CARGO_PKG_NAME, for example), so passing them on would make this build see a
    // changed environment and recompile aws-lc, rustls and the AWS SDK every time.
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if key.starts_with("CARGO_PKG_")
            || key.starts_with("CARGO_MANIFEST_")
            || matches!(key, "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE" | "OUT_DIR")
        {
            build.env_remove(key);
        }
    }
    if release {
        build.arg("--release");
    } else {
        eprintln!("bench: warning: not a release build; figures will be far from the targets");
    }
    eprintln!("bench: building the acgw binary");
    // The example's own targets in the same invocation, so that dev-dependency features unify
    // exactly as in the build of this example: the binary then reuses its compiled dependencies
    // instead of compiling the AWS SDK a second time with other features.
    build.args(["--example", "bench"]);
    let status = build.status().context("run cargo build")?;
    ensure!(status.success(), "cargo build --bin acgw failed");
    let bin = profile_dir.join("acgw");
    ensure!(bin.exists(), "{} was not built", bin.display());
    Ok(bin)
}

// ---------------------------------------------------------------------------------------------
// Child processes

/// A finished child: wall time from spawn to exit, peak RSS, exit code and output.
struct ChildRun {
    wall: Duration,
    peak_rss: u64,
    code: i32,
    stdout: String,
    stderr: String,
}

/// The first argument that makes this executable a measuring helper instead of the benchmark.
const MEASURE_FLAG: &str = "--measure-child";

/// Runs the acgw binary with `args` and fake AWS credentials, and measures its wall time and
/// peak RSS. Must not be called from inside the runtime (it blocks).
///
/// The measuring is done by a fresh copy of this executable ([`measure_child`]), not by this
/// process: Linux folds the peak RSS of the image a child replaces at `exec` into the child's
/// `ru_maxrss`, and a child spawned from here starts as (or shares the memory of) this process,
/// which holds emulators with thousands of gateways. The helper is small, so what it adds is
/// below the `--version` figure of the startup row.
fn run_acgw(ctx: &Ctx, args: &[&str]) -> anyhow::Result<ChildRun> {
    let mut out = tempfile::tempfile().context("stdout file")?;
    let mut err = tempfile::tempfile().context("stderr file")?;
    let report = tempfile::NamedTempFile::new().context("report file")?;
    // /proc/self/exe still runs this executable when cargo has relinked the file meanwhile.
    let me = Path::new("/proc/self/exe");
    let me = if me.exists() { me.to_path_buf() } else { std::env::current_exe().context("path of the bench")? };
    let mut cmd = Command::new(me);
    cmd.arg(MEASURE_FLAG)
        .arg(report.path())
        .arg(&ctx.bin)
        .args(args)
        .current_dir(ctx.dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDBENCH")
        .env("AWS_SECRET_ACCESS_KEY", "bench-secret")
        .env("AWS_REGION", "us-east-1")
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL")
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(err.try_clone()?);
    let status = cmd.status().with_context(|| format!("start the measuring helper for {}", ctx.bin.display()))?;
    ensure!(status.success(), "the measuring helper failed: {status}; stderr: {}", tail(&read_all(&mut err)?));
    let text = std::fs::read_to_string(report.path()).context("read the helper's report")?;
    let fields: Vec<i64> = text.split_whitespace().map(str::parse).collect::<Result<_, _>>().context("report")?;
    let [code, rss_kib, wall_ns] = fields[..] else { bail!("malformed helper report: {text:?}") };
    Ok(ChildRun {
        wall: Duration::from_nanos(u64::try_from(wall_ns).unwrap_or(0)),
        peak_rss: u64::try_from(rss_kib).unwrap_or(0) * 1024,
        code: i32::try_from(code).unwrap_or(-1),
        stdout: read_all(&mut out)?,
        stderr: read_all(&mut err)?,
    })
}

/// The helper: `bench --measure-child REPORT PROGRAM ARGS...` runs PROGRAM with this process's
/// stdio and environment, reaps it with `wait4`, and writes "exit-code peak-RSS-KiB wall-ns" to
/// REPORT.
fn measure_child(args: &[std::ffi::OsString]) -> anyhow::Result<()> {
    let [report, program, rest @ ..] = args else { bail!("usage: bench {MEASURE_FLAG} REPORT PROGRAM [ARGS...]") };
    let started = Instant::now();
    let child = Command::new(program).args(rest).spawn().with_context(|| format!("start {program:?}"))?;
    let (status, rusage) = wait4(child.id())?;
    let wall = started.elapsed();
    // `child` was reaped by wait4; dropping it does not wait again.
    drop(child);
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    // Linux reports ru_maxrss in KiB.
    std::fs::write(report, format!("{code} {} {}\n", rusage.ru_maxrss, wall.as_nanos())).context("write the report")?;
    Ok(())
}

/// Like [`run_acgw`], failing unless the exit code is `expected`.
fn run_ok(ctx: &Ctx, args: &[&str], expected: i32) -> anyhow::Result<ChildRun> {
    let run = run_acgw(ctx, args)?;
    if run.code != expected {
        bail!(
            "`acgw {}` exited {} (expected {expected})\nstdout (tail): {}\nstderr (tail): {}",
            args.join(" "),
            run.code,
            tail(&run.stdout),
            tail(&run.stderr)
        );
    }
    Ok(run)
}

fn wait4(pid: u32) -> anyhow::Result<(i32, libc::rusage)> {
    let pid = libc::pid_t::try_from(pid).context("pid")?;
    let mut status = 0;
    // SAFETY: rusage is plain old data, and zero is a valid value for every field.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut rusage) };
        if r == pid {
            return Ok((status, rusage));
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e).context("wait4");
        }
    }
}

fn read_all(file: &mut std::fs::File) -> anyhow::Result<String> {
    use std::io::{Read, Seek};
    file.rewind()?;
    let mut s = String::new();
    file.read_to_string(&mut s)?;
    Ok(s)
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(2000);
    let start = (start..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(s.len());
    &s[start..]
}

fn write_spec(ctx: &Ctx, file: &str, gateways: usize) -> anyhow::Result<PathBuf> {
    let path = ctx.dir.path().join(file);
    std::fs::write(&path, specs::yaml(gateways)).with_context(|| format!("write {}", path.display()))?;
    Ok(path)
}

fn path_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str().context("non-UTF-8 scratch path")
}

// ---------------------------------------------------------------------------------------------
// Rows

/// Row 1: `acgw validate` on 10,000 generated gateways (issue 2: under 1 s and 200 MiB).
fn validate_10k(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    eprintln!("bench: validate {VALIDATE_GATEWAYS} gateways");
    let spec = write_spec(ctx, "validate-10k.yaml", VALIDATE_GATEWAYS)?;
    let mut walls = Vec::new();
    let mut rss = 0;
    for _ in 0..VALIDATE_RUNS {
        let run = run_ok(ctx, &["validate", "-f", path_str(&spec)?], 0)?;
        ensure!(run.stdout.contains(&format!("Valid: {VALIDATE_GATEWAYS} gateways")), "validate said: {}", run.stdout);
        walls.push(run.wall);
        rss = rss.max(run.peak_rss);
    }
    let wall = median(&mut walls);
    let workload = format!("`validate`, {} gateways", thousands(VALIDATE_GATEWAYS as f64));
    Ok(vec![
        Row {
            workload: format!("{workload}: wall time (median of {VALIDATE_RUNS})"),
            figure: secs(wall),
            reference: "1 s target".into(),
            ratio: wall.as_secs_f64(),
        },
        Row {
            workload: format!("{workload}: peak RSS"),
            figure: mib(rss),
            reference: "200 MiB target".into(),
            ratio: rss as f64 / (200 * MIB) as f64,
        },
    ])
}

/// The emulator with the plan fleet, created on first use by `acgw apply` at zero latency, then
/// switched to `CALL_LATENCY` per call.
fn fleet(ctx: &mut Ctx) -> anyhow::Result<&Fleet> {
    if ctx.fleet.is_none() {
        eprintln!("bench: creating {PLAN_GATEWAYS} gateways in the emulator");
        let spec = write_spec(ctx, "plan-1k.yaml", PLAN_GATEWAYS)?;
        let emulator = ctx.runtime.block_on(Emulator::start(Config::default()))?;
        let url = emulator.url();
        run_ok(
            ctx,
            &["apply", "-f", path_str(&spec)?, "--auto-approve", "--endpoint-url", &url, "--parallelism", "32"],
            0,
        )?;
        emulator.set_faults(Faults { latency: CALL_LATENCY, ..Faults::default() });
        ctx.fleet = Some(Fleet { emulator, spec });
    }
    Ok(ctx.fleet.as_ref().expect("just set"))
}

/// One `acgw plan` over the fleet: its run, and the API calls it made (from the emulator's stats).
fn plan_once(ctx: &mut Ctx, parallelism: u16) -> anyhow::Result<(ChildRun, u64)> {
    let (url, spec, before) = {
        let fleet = fleet(ctx)?;
        (fleet.emulator.url(), fleet.spec.clone(), fleet.emulator.stats())
    };
    let p = parallelism.to_string();
    let run = run_ok(ctx, &["plan", "-f", path_str(&spec)?, "--endpoint-url", &url, "--parallelism", &p], 0)?;
    ensure!(run.stdout.contains("No changes."), "the fleet should plan clean, got: {}", tail(&run.stdout));
    let after = ctx.fleet.as_ref().expect("fleet").emulator.stats();
    let calls = calls_between(&before, &after);
    let expected = 1 + 2 * PLAN_GATEWAYS as u64;
    ensure!(calls == expected, "plan made {calls} calls, expected {expected}");
    Ok((run, calls))
}

fn calls_between(before: &BTreeMap<String, u64>, after: &BTreeMap<String, u64>) -> u64 {
    after.iter().map(|(op, n)| n - before.get(op).copied().unwrap_or(0)).sum()
}

/// `ceil(calls / parallelism) × latency`: no client can be faster.
fn plan_bound(calls: u64, parallelism: u16) -> Duration {
    CALL_LATENCY * u32::try_from(calls.div_ceil(u64::from(parallelism))).unwrap_or(u32::MAX)
}

/// Row 2: plan over 1,000 gateways at 20 ms per call, parallelism 10 (issue 4: within 1.3× of the
/// lower bound, peak RSS under 100 MiB).
fn plan_1k_parallelism_10(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    let mut walls = Vec::new();
    let mut rss = 0;
    let mut calls = 0;
    for i in 0..PLAN_RUNS {
        eprintln!("bench: plan {PLAN_GATEWAYS} gateways, parallelism 10 (run {}/{PLAN_RUNS})", i + 1);
        let (run, c) = plan_once(ctx, 10)?;
        walls.push(run.wall);
        rss = rss.max(run.peak_rss);
        calls = c;
    }
    let wall = median(&mut walls);
    ctx.plan_p10 = Some(wall);
    let bound = plan_bound(calls, 10);
    let workload = format!(
        "`plan`, {} gateways, {} ms/call, parallelism 10",
        thousands(PLAN_GATEWAYS as f64),
        CALL_LATENCY.as_millis()
    );
    Ok(vec![
        Row {
            workload: format!("{workload}: wall time (median of {PLAN_RUNS})"),
            figure: secs(wall),
            reference: format!("{} lower bound (⌈{calls}/10⌉ × 20 ms); target ≤ 1.3", secs(bound)),
            ratio: wall.as_secs_f64() / bound.as_secs_f64(),
        },
        Row {
            workload: format!("{workload}: peak RSS"),
            figure: mib(rss),
            reference: "100 MiB target".into(),
            ratio: rss as f64 / (100 * MIB) as f64,
        },
    ])
}

/// Row 3: the same plan at parallelism 1, 10 and 50, each against its own lower bound.
fn plan_scaling(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for parallelism in [1u16, 10, 50] {
        eprintln!("bench: plan {PLAN_GATEWAYS} gateways, parallelism {parallelism}");
        let (run, calls) = plan_once(ctx, parallelism)?;
        let bound = plan_bound(calls, parallelism);
        rows.push(Row {
            workload: format!("`plan` scaling: parallelism {parallelism} (peak RSS {})", mib(run.peak_rss)),
            figure: secs(run.wall),
            reference: format!("{} lower bound (⌈{calls}/{parallelism}⌉ × 20 ms)", secs(bound)),
            ratio: run.wall.as_secs_f64() / bound.as_secs_f64(),
        });
    }
    Ok(rows)
}

/// `acgw apply` of `spec` against a fresh emulator with `CREATE_DELAY` READY delays and
/// `CALL_LATENCY` per call: the run, and the emulator's calls per operation.
fn apply_with_delays(
    ctx: &mut Ctx,
    spec: &Path,
    parallelism: u32,
) -> anyhow::Result<(ChildRun, BTreeMap<String, u64>)> {
    let config = Config {
        faults: Faults { latency: CALL_LATENCY, ..Faults::default() },
        create_delay: CREATE_DELAY,
        ..Config::default()
    };
    let emulator = ctx.runtime.block_on(Emulator::start(config))?;
    let url = emulator.url();
    let p = parallelism.to_string();
    let run = run_ok(
        ctx,
        &["apply", "-f", path_str(spec)?, "--auto-approve", "--endpoint-url", &url, "--parallelism", &p],
        0,
    );
    let stats = emulator.stats();
    ctx.runtime.block_on(emulator.shutdown())?;
    Ok((run?, stats))
}

/// Row 4: apply 200 creates with a 1 s READY delay and 20 ms per call, parallelism 10, against
/// `ceil(200 / parallelism) × (delay + call latency)` (issue 5).
fn apply_200_creates(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    const PARALLELISM: u32 = 10;
    eprintln!("bench: apply {APPLY_GATEWAYS} creates, {} s READY delay", CREATE_DELAY.as_secs());
    let spec = write_spec(ctx, "apply-200.yaml", APPLY_GATEWAYS)?;
    let (run, stats) = apply_with_delays(ctx, &spec, PARALLELISM)?;
    let created = stats.get("CreateGateway").copied().unwrap_or(0);
    ensure!(created == APPLY_GATEWAYS as u64, "apply made {created} CreateGateway calls");
    let rounds = u32::try_from(APPLY_GATEWAYS.div_ceil(PARALLELISM as usize)).unwrap_or(u32::MAX);
    let bound = (CREATE_DELAY + CALL_LATENCY) * rounds;
    let polls = stats.get("GetGateway").copied().unwrap_or(0);
    Ok(vec![Row {
        workload: format!(
            "`apply`, {APPLY_GATEWAYS} creates, {} s READY delay, {} ms/call, parallelism {PARALLELISM} \
             ({polls} GetGateway polls, peak RSS {})",
            CREATE_DELAY.as_secs(),
            CALL_LATENCY.as_millis(),
            mib(run.peak_rss)
        ),
        figure: secs(run.wall),
        reference: format!("{} lower bound (⌈200/{PARALLELISM}⌉ × (1 s + 20 ms))", secs(bound)),
        ratio: run.wall.as_secs_f64() / bound.as_secs_f64(),
    }])
}

/// Targets per gateway in the target plan row, and gateways and targets in the target apply row.
const PLAN_TARGETS: usize = 5;
const APPLY_TARGET_GATEWAYS: usize = 100;
const APPLY_TARGETS: usize = 3;

/// Applies `yaml` (written to `file`) to a fresh emulator without latency, then plans it at 20 ms
/// per call, parallelism 10, checking that the plan is clean and made exactly `expected` calls;
/// returns the plan's run and its calls. `label` names the fleet in progress lines.
fn plan_fresh_fleet(
    ctx: &mut Ctx,
    file: &str,
    yaml: &str,
    label: &str,
    expected: u64,
) -> anyhow::Result<(ChildRun, u64)> {
    let path = ctx.dir.path().join(file);
    std::fs::write(&path, yaml)?;
    let emulator = ctx.runtime.block_on(Emulator::start(Config::default()))?;
    let url = emulator.url();
    let spec = path_str(&path)?.to_string();
    let setup =
        run_ok(ctx, &["apply", "-f", &spec, "--auto-approve", "--endpoint-url", &url, "--parallelism", "32"], 0);
    let result = setup.and_then(|_| {
        emulator.set_faults(Faults { latency: CALL_LATENCY, ..Faults::default() });
        eprintln!("bench: plan {label}, parallelism 10");
        let before = emulator.stats();
        let run = run_ok(ctx, &["plan", "-f", &spec, "--endpoint-url", &url, "--parallelism", "10"], 0)?;
        ensure!(run.stdout.contains("No changes."), "the fleet should plan clean, got: {}", tail(&run.stdout));
        let calls = calls_between(&before, &emulator.stats());
        ensure!(calls == expected, "plan made {calls} calls, expected {expected}");
        Ok((run, calls))
    });
    ctx.runtime.block_on(emulator.shutdown())?;
    result
}

/// Issue 13: plan over 1,000 gateways with 5 targets each at 20 ms per call, parallelism 10,
/// against `⌈calls / 10⌉ × 20 ms` with calls = 1 + 1,000 × (2 + 1 + 5); peak RSS under 150 MiB.
fn plan_1k_with_targets(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    eprintln!("bench: creating {PLAN_GATEWAYS} gateways with {PLAN_TARGETS} targets each");
    let yaml = specs::yaml_with_targets(PLAN_GATEWAYS, PLAN_TARGETS);
    let expected = 1 + PLAN_GATEWAYS as u64 * (2 + 1 + PLAN_TARGETS as u64);
    let label = format!("{PLAN_GATEWAYS} gateways x {PLAN_TARGETS} targets");
    let (run, calls) = plan_fresh_fleet(ctx, "plan-1k-targets.yaml", &yaml, &label, expected)?;
    let bound = plan_bound(calls, 10);
    let workload = format!(
        "`plan`, {} gateways × {PLAN_TARGETS} targets, {} ms/call, parallelism 10",
        thousands(PLAN_GATEWAYS as f64),
        CALL_LATENCY.as_millis()
    );
    Ok(vec![
        Row {
            workload: format!("{workload}: wall time"),
            figure: secs(run.wall),
            reference: format!("{} lower bound (⌈{calls}/10⌉ × 20 ms); target ≤ 1.2", secs(bound)),
            ratio: run.wall.as_secs_f64() / bound.as_secs_f64(),
        },
        Row {
            workload: format!("{workload}: peak RSS"),
            figure: mib(run.peak_rss),
            reference: "150 MiB target".into(),
            ratio: run.peak_rss as f64 / (150 * MIB) as f64,
        },
    ])
}

/// Issue 15: plan over 200 complete gateways (5 targets, 5 rules, 3 rate limits, a policy each)
/// at 20 ms per call, parallelism 10, against `⌈calls / 10⌉ × 20 ms`; calls = 1 + 200 × (GetGateway,
/// tags, ListGatewayTargets, 5 × GetGatewayTarget, ListGatewayRules, ListGatewayRateLimits,
/// GetResourcePolicy).
fn plan_200_with_every_part(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    const GATEWAYS: usize = 200;
    eprintln!("bench: creating {GATEWAYS} complete gateways");
    let expected = 1 + GATEWAYS as u64 * (2 + 1 + 5 + 1 + 1 + 1);
    let yaml = specs::yaml_with_parts(GATEWAYS);
    let (run, calls) =
        plan_fresh_fleet(ctx, "plan-200-parts.yaml", &yaml, &format!("{GATEWAYS} complete gateways"), expected)?;
    let bound = plan_bound(calls, 10);
    Ok(vec![Row {
        workload: format!(
            "`plan`, {GATEWAYS} gateways × (5 targets, 5 rules, 3 rate limits, a policy), {} ms/call, parallelism 10 (peak RSS {})",
            CALL_LATENCY.as_millis(),
            mib(run.peak_rss)
        ),
        figure: secs(run.wall),
        reference: format!("{} lower bound (⌈{calls}/10⌉ × 20 ms); target ≤ 1.2", secs(bound)),
        ratio: run.wall.as_secs_f64() / bound.as_secs_f64(),
    }])
}

/// Issue 13: apply creating 100 gateways with 3 targets each, 1 s READY delays (gateways and
/// targets), 20 ms per call, parallelism 10, against `⌈100 / 10⌉ × 2 × (1 s + 20 ms)`: a gateway
/// must be READY before its targets are created, and its targets are created together.
fn apply_100_with_targets(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    const PARALLELISM: u32 = 10;
    eprintln!("bench: apply {APPLY_TARGET_GATEWAYS} creates with {APPLY_TARGETS} targets each");
    let path = ctx.dir.path().join("apply-100-targets.yaml");
    std::fs::write(&path, specs::yaml_with_targets(APPLY_TARGET_GATEWAYS, APPLY_TARGETS))?;
    let (run, stats) = apply_with_delays(ctx, &path, PARALLELISM)?;
    let targets = stats.get("CreateGatewayTarget").copied().unwrap_or(0);
    ensure!(
        targets == (APPLY_TARGET_GATEWAYS * APPLY_TARGETS) as u64,
        "apply made {targets} CreateGatewayTarget calls"
    );
    let rounds = u32::try_from(APPLY_TARGET_GATEWAYS.div_ceil(PARALLELISM as usize)).unwrap_or(u32::MAX);
    let bound = (CREATE_DELAY + CALL_LATENCY) * 2 * rounds;
    let polls = stats.get("GetGateway").copied().unwrap_or(0);
    let target_polls = stats.get("GetGatewayTarget").copied().unwrap_or(0);
    Ok(vec![Row {
        workload: format!(
            "`apply`, {APPLY_TARGET_GATEWAYS} creates × {APPLY_TARGETS} targets, {} s READY delays, {} ms/call, parallelism {PARALLELISM} ({polls} GetGateway and {target_polls} GetGatewayTarget polls, peak RSS {})",
            CREATE_DELAY.as_secs(),
            CALL_LATENCY.as_millis(),
            mib(run.peak_rss)
        ),
        figure: secs(run.wall),
        reference: format!("{} lower bound (⌈100/{PARALLELISM}⌉ × 2 × (1 s + 20 ms)); target ≤ 1.3", secs(bound)),
        ratio: run.wall.as_secs_f64() / bound.as_secs_f64(),
    }])
}

/// The quota rows (issue 17): `(gateways, quota per second)`, each planned with the default
/// adaptive limiter and with `--max-rps` set to the quota.
const QUOTA_PLANS: [(usize, u32); 2] = [(300, 50), (1_000, 100)];
/// The targets for the quota rows: `(default mode, --max-rps)`.
const QUOTA_TARGETS: (f64, f64) = (1.25, 1.1);
/// Creates in the apply-under-quota row, and its quota per second.
const QUOTA_APPLY: (usize, u32) = (100, 20);
/// The target for it.
const QUOTA_APPLY_TARGET: f64 = 1.3;

/// `calls / quota`: no client can do `calls` accepted calls faster under the quota.
fn quota_floor(calls: u64, quota: u32) -> Duration {
    Duration::from_secs_f64(calls as f64 / f64::from(quota))
}

/// The line `-v` prints about the rate, from a run's stderr.
fn rate_line(run: &ChildRun) -> String {
    run.stderr.lines().find(|l| l.starts_with("rate: ")).unwrap_or("rate: (not printed)").to_string()
}

/// Rows: plan over the fleet while the emulator admits only `quota` calls per second (20 ms per
/// call, parallelism 10), with the default limiter, with `--max-rps` at the quota, and (for the
/// first size only, as a comparison) with the SDK's adaptive retry mode on top of the default.
/// Each compares the wall time with `accepted calls / quota`, where accepted calls are all calls
/// less the throttled ones (a throttled call does not use the quota), and must be 1 + 2 per
/// gateway.
fn plan_under_quota(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    fleet(ctx)?;
    let mut rows = Vec::new();
    for (i, (gateways, quota)) in QUOTA_PLANS.into_iter().enumerate() {
        let spec = write_spec(ctx, &format!("quota-{gateways}.yaml"), gateways)?;
        let spec = path_str(&spec)?.to_string();
        let q = quota.to_string();
        let mut modes: Vec<(&str, Vec<&str>, Option<f64>)> = vec![
            ("default", vec![], Some(QUOTA_TARGETS.0)),
            ("`--max-rps` at the quota", vec!["--max-rps", &q], Some(QUOTA_TARGETS.1)),
        ];
        if i == 0 {
            modes.push(("default limiter plus `--retry-mode adaptive`", vec!["--retry-mode", "adaptive"], None));
        }
        for (label, extra, target) in modes {
            eprintln!("bench: plan {gateways} gateways under a quota of {quota}/s, {label}");
            let fleet = ctx.fleet.as_ref().context("fleet")?;
            fleet.emulator.set_faults(Faults { latency: CALL_LATENCY, max_rps: quota, ..Faults::default() });
            let url = fleet.emulator.url();
            let before = fleet.emulator.stats();
            fleet.emulator.reset_rate_stats();
            let mut args = vec!["plan", "-v", "-f", &spec, "--endpoint-url", &url, "--parallelism", "10"];
            args.extend(extra.iter().copied());
            let run = run_ok(ctx, &args, 0);
            let fleet = ctx.fleet.as_ref().context("fleet")?;
            let (after, rate) = (fleet.emulator.stats(), fleet.emulator.rate_stats());
            fleet.emulator.set_faults(Faults { latency: CALL_LATENCY, ..Faults::default() });
            let run = run?;
            ensure!(run.stdout.contains("No changes."), "the fleet should plan clean, got: {}", tail(&run.stdout));
            let throttled = rate.throttled;
            let accepted = calls_between(&before, &after) - throttled;
            let expected = 1 + 2 * gateways as u64;
            ensure!(accepted == expected, "plan made {accepted} accepted calls, expected {expected}");
            let floor = quota_floor(accepted, quota);
            let ratio = run.wall.as_secs_f64() / floor.as_secs_f64();
            eprintln!("bench:   {:.2} s, ratio {ratio:.2}; {}", run.wall.as_secs_f64(), rate_line(&run));
            rows.push(Row {
                workload: format!(
                    "`plan`, {} gateways, quota {quota}/s, {label} ({throttled} throttles absorbed, busiest second {} calls)",
                    thousands(gateways as f64),
                    rate.peak_window
                ),
                figure: secs(run.wall),
                reference: format!(
                    "{} floor ({accepted} calls / {quota} per s){}",
                    secs(floor),
                    target.map(|t| format!("; target ≤ {t}")).unwrap_or_default()
                ),
                ratio,
            });
        }
    }
    Ok(rows)
}

/// Rows: apply 100 creates (1 s READY delay, 20 ms per call) while the emulator admits 20 calls
/// per second, with the default limiter and with `--max-rps 20`, against
/// `(creates + polls + 1) / 20` for the accepted calls it made. Parallelism 20: each gateway holds
/// its slot through the waits between polls (0.5 s, then 1 s), so at parallelism 10 the waits,
/// not the quota, would bound the rate.
fn apply_under_quota(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    let (gateways, quota) = QUOTA_APPLY;
    let spec = write_spec(ctx, "apply-quota.yaml", gateways)?;
    let spec = path_str(&spec)?.to_string();
    let q = quota.to_string();
    let mut rows = Vec::new();
    for (label, extra) in [("default", vec![]), ("`--max-rps 20`", vec!["--max-rps", q.as_str()])] {
        eprintln!("bench: apply {gateways} creates under a quota of {quota}/s, {label}");
        let config = Config {
            faults: Faults { latency: CALL_LATENCY, max_rps: quota, ..Faults::default() },
            create_delay: CREATE_DELAY,
            ..Config::default()
        };
        let emulator = ctx.runtime.block_on(Emulator::start(config))?;
        let url = emulator.url();
        let mut args =
            vec!["apply", "-v", "-f", &spec, "--auto-approve", "--endpoint-url", &url, "--parallelism", "20"];
        args.extend(extra.iter().copied());
        let run = run_ok(ctx, &args, 0);
        let (stats, rate) = (emulator.stats(), emulator.rate_stats());
        ctx.runtime.block_on(emulator.shutdown())?;
        let run = run?;
        let calls: u64 = stats.values().sum();
        let accepted = calls - rate.throttled;
        let created = stats.get("CreateGateway").copied().unwrap_or(0);
        let polls = stats.get("GetGateway").copied().unwrap_or(0);
        ensure!(created >= gateways as u64, "apply made {created} CreateGateway calls");
        let floor = quota_floor(accepted, quota);
        let ratio = run.wall.as_secs_f64() / floor.as_secs_f64();
        eprintln!("bench:   {:.2} s, ratio {ratio:.2}; {}", run.wall.as_secs_f64(), rate_line(&run));
        rows.push(Row {
            workload: format!(
                "`apply`, {gateways} creates, quota {quota}/s, 1 s READY delay, parallelism 20, {label} \
                 ({created} CreateGateway and {polls} GetGateway calls, {} throttles absorbed, busiest second {} calls)",
                rate.throttled, rate.peak_window
            ),
            figure: secs(run.wall),
            reference: format!(
                "{} floor ({accepted} accepted calls / {quota} per s); target ≤ {QUOTA_APPLY_TARGET}",
                secs(floor)
            ),
            ratio,
        });
    }
    Ok(rows)
}

/// Concurrent callers in the throughput run: enough to keep both sides of loopback busy.
const CALLERS: usize = 64;
/// How long the measured phase lasts, after a short warm-up that opens the connections.
const MEASURE: Duration = Duration::from_secs(4);
const WARM_UP: Duration = Duration::from_millis(500);
/// The target for GetGateway at zero latency.
const TARGET_CALLS_PER_SEC: f64 = 5_000.0;

fn sdk_client(url: &str) -> Client {
    let conf = aws_sdk_bedrockagentcorecontrol::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

/// Row 5: GetGateway calls per second through the real SDK client against an in-process emulator
/// with no latency or faults; client and server share this machine's cores.
fn emulator_get_gateway_throughput(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    eprintln!("bench: emulator GetGateway throughput");
    let per_sec = ctx.runtime.block_on(async {
        let emulator = Emulator::start(Config::default()).await?;
        let client = sdk_client(&emulator.url());
        let id = client
            .create_gateway()
            .name("bench")
            .role_arn("arn:aws:iam::123456789012:role/bench")
            .authorizer_type(AuthorizerType::AwsIam)
            .send()
            .await
            .context("create the benchmark gateway")?
            .gateway_id()
            .to_string();

        let measuring = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let callers: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (client, id) = (client.clone(), id.clone());
                let (measuring, stop, ok, failed) = (measuring.clone(), stop.clone(), ok.clone(), failed.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let result = client.get_gateway().gateway_identifier(&id).send().await;
                        if measuring.load(Ordering::Relaxed) {
                            let counter = if result.is_ok() { &ok } else { &failed };
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        tokio::time::sleep(WARM_UP).await;
        measuring.store(true, Ordering::Relaxed);
        let started = Instant::now();
        tokio::time::sleep(MEASURE).await;
        measuring.store(false, Ordering::Relaxed);
        let elapsed = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for c in callers {
            c.await.context("caller task")?;
        }
        emulator.shutdown().await?;
        let failed = failed.load(Ordering::Relaxed);
        ensure!(failed == 0, "{failed} GetGateway calls failed during the benchmark");
        anyhow::Ok(ok.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64())
    })?;
    Ok(vec![Row {
        workload: "Emulator GetGateway throughput at zero latency".into(),
        figure: format!("{} calls/s", thousands(per_sec)),
        reference: format!("{} calls/s target", thousands(TARGET_CALLS_PER_SEC)),
        ratio: per_sec / TARGET_CALLS_PER_SEC,
    }])
}

/// Row 6: process startup, `acgw --version` and `acgw validate` on the two-gateway quickstart.
fn startup(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    eprintln!("bench: startup");
    let small = ctx.dir.path().join("small.yaml");
    std::fs::write(&small, specs::yaml(2))?;
    let small = path_str(&small)?.to_string();
    let cases: [(&str, Vec<&str>); 2] =
        [("`acgw --version`", vec!["--version"]), ("`acgw validate`, 2 gateways", vec!["validate", "-f", &small])];
    let mut rows = Vec::new();
    for (label, args) in cases {
        let mut walls = Vec::new();
        let mut rss = 0;
        for _ in 0..STARTUP_RUNS {
            let run = run_ok(ctx, &args, 0)?;
            walls.push(run.wall);
            rss = rss.max(run.peak_rss);
        }
        let wall = median(&mut walls);
        rows.push(Row {
            workload: format!("Startup: {label} (median of {STARTUP_RUNS}, peak RSS {})", mib(rss)),
            figure: millis(wall),
            reference: format!("{} target", millis(STARTUP_TARGET)),
            ratio: wall.as_secs_f64() / STARTUP_TARGET.as_secs_f64(),
        });
    }
    Ok(rows)
}

/// Row 7: what a user would write without acgw: the same read (ListGateways, then GetGateway and
/// ListTagsForResource per gateway) as a plain sequential loop of single calls through the same
/// SDK client configuration, at the same latency; compared with row 2's plan.
fn sequential_sdk_baseline(ctx: &mut Ctx) -> anyhow::Result<Vec<Row>> {
    eprintln!("bench: sequential SDK loop over {PLAN_GATEWAYS} gateways");
    let url = fleet(ctx)?.emulator.url();
    let (wall, calls) = ctx.runtime.block_on(async {
        let client = acgw::connect::client_for_endpoint(&url, 3);
        let started = Instant::now();
        let mut calls = 0u64;
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let page =
                client.list_gateways().max_results(1000).set_next_token(token.take()).send().await.context("list")?;
            calls += 1;
            ids.extend(page.items().iter().map(|g| g.gateway_id().to_string()));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        let mut tags = 0usize;
        for id in &ids {
            let gw = client.get_gateway().gateway_identifier(id).send().await.context("get")?;
            let t = client.list_tags_for_resource().resource_arn(gw.gateway_arn()).send().await.context("tags")?;
            tags += t.tags().map_or(0, |t| t.len());
            calls += 2;
        }
        ensure!(ids.len() == PLAN_GATEWAYS && tags > 0, "read {} gateways", ids.len());
        anyhow::Ok((started.elapsed(), calls))
    })?;
    let plan = ctx.plan_p10.context("row 2 runs first")?;
    Ok(vec![Row {
        workload: format!(
            "`plan` (parallelism 10, row 2) vs a sequential SDK loop doing the same {calls} reads, {} ms/call",
            CALL_LATENCY.as_millis()
        ),
        figure: format!("{} (plan)", secs(plan)),
        reference: format!("{} (loop)", secs(wall)),
        ratio: plan.as_secs_f64() / wall.as_secs_f64(),
    }])
}

// ---------------------------------------------------------------------------------------------
// Formatting

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

/// `12345.6` as `12,346`.
fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
