//! The project's benchmark: `cargo run --release --example bench` prints one Markdown table.
//!
//! Each row is one function in [`BENCHES`] that measures a workload and compares it with a
//! reference figure (a target or a baseline); `ratio` is measured / reference, so above 1 is better
//! for throughputs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use aws_sdk_bedrockagentcorecontrol::config::retry::RetryConfig;
use aws_sdk_bedrockagentcorecontrol::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_bedrockagentcorecontrol::types::AuthorizerType;
use aws_sdk_bedrockagentcorecontrol::Client;

use acgw::emulator::{Config, Emulator};

/// One row of the table.
struct Row {
    workload: String,
    figure: String,
    reference: String,
    ratio: f64,
}

/// A benchmark: measures one workload inside the shared runtime.
type Bench = fn(&tokio::runtime::Runtime) -> anyhow::Result<Row>;

/// Every row, in table order; add a function here to add a row.
const BENCHES: &[Bench] = &[emulator_get_gateway_throughput];

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    let mut rows = Vec::new();
    for bench in BENCHES {
        rows.push(bench(&runtime)?);
    }
    println!("| workload | figure | reference | ratio |");
    println!("| --- | --- | --- | --- |");
    for r in rows {
        println!("| {} | {} | {} | {:.2} |", r.workload, r.figure, r.reference, r.ratio);
    }
    Ok(())
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

/// GetGateway calls per second through the real SDK client against an in-process emulator with
/// no latency or faults; client and server share this machine's cores.
fn emulator_get_gateway_throughput(runtime: &tokio::runtime::Runtime) -> anyhow::Result<Row> {
    let per_sec = runtime.block_on(async {
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
    Ok(Row {
        workload: "Emulator GetGateway throughput at zero latency".into(),
        figure: format!("{} calls/s", thousands(per_sec)),
        reference: format!("{} calls/s target", thousands(TARGET_CALLS_PER_SEC)),
        ratio: per_sec / TARGET_CALLS_PER_SEC,
    })
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
