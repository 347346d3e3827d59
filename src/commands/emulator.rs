//! `acgw emulator`.

use std::process::ExitCode;

use acgw::cli::EmulatorArgs;
use acgw::ui::Ui;

pub fn run(_args: &EmulatorArgs, _ui: &Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`acgw emulator` is not built yet")
}
