//! One function per subcommand; the glue between the library's stages and the terminal.

mod apply;
mod drift;
mod emulator;
mod export;
mod plan;
mod validate;

use std::process::ExitCode;

use acgw::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ui = acgw::ui::Ui::new(&cli.global);
    match &cli.command {
        Command::Validate(args) => validate::run(args, &ui),
        Command::Plan(args) => plan::run(&cli.global, args, &ui),
        Command::Apply(args) => apply::run(&cli.global, args, &ui),
        Command::Drift(args) => drift::run(&cli.global, args, &ui),
        Command::Export(args) => export::run(&cli.global, args, &ui),
        Command::Emulator(args) => emulator::run(args, &ui),
    }
}
