//! `acgw emulator`: serves the local gateway API emulator in the foreground.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::cli::EmulatorArgs;
use acgw::emulator::{Config, Emulator, Faults};
use acgw::ui::Ui;

/// Prints the URL as the first line on stdout (scripts read it), then serves until Ctrl-C or SIGTERM.
pub fn run(args: &EmulatorArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(serve(args, ui))
}

async fn serve(args: &EmulatorArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let config = config_of(args);
    let handle = Emulator::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.url()).context("cannot write to stdout")?;
        out.flush().context("cannot write to stdout")?;
    }
    match &args.state {
        Some(path) => ui.info(&format!("emulator listening; state in {}; stop with Ctrl-C", path.display())),
        None => ui.info("emulator listening; state in memory only; stop with Ctrl-C"),
    }
    wait_for_signal().await?;
    ui.info("stopping emulator");
    handle.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(unix)]
async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await.context("cannot listen for Ctrl-C")
}

/// The emulator's configuration from its command line.
fn config_of(args: &EmulatorArgs) -> Config {
    Config {
        host: args.host.clone(),
        port: args.port,
        state_file: args.state.clone(),
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            throttle_rate: args.throttle_rate,
            error_rate: args.error_rate,
            lost_response_rate: args.lost_response_rate,
            max_rps: args.max_rps,
        },
        create_delay: Duration::from_millis(args.create_delay_ms),
        update_delay: Duration::from_millis(args.update_delay_ms),
        delete_delay: Duration::from_millis(args.delete_delay_ms),
        seed: args.seed,
        conformance: None,
    }
}
