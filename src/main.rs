//! The `acgw` binary: parses the command line and maps outcomes to exit codes.

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

use cli::Cli;

/// Usage errors exit 64 (EX_USAGE): clap's own 2 means "changes present" in this tool.
const EXIT_USAGE: u8 = 64;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Errors quote live names and service messages: no control character of theirs
            // reaches the terminal. Line feeds stay: a stale plan's error lists one gateway a line.
            eprintln!("error: {}", acgw::render::clean_lines(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}
