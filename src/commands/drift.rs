//! `acgw drift`.

use std::process::ExitCode;

use acgw::cli::{DriftArgs, GlobalArgs};
use acgw::ui::Ui;

pub fn run(_global: &GlobalArgs, _args: &DriftArgs, _ui: &Ui) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`acgw drift` is not built yet")
}
