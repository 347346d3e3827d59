//! `acgw schema`, `acgw completions` and `acgw man`: editor and shell integration.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, SchemaArgs};
use acgw::ui::Ui;

/// Prints the spec files' JSON Schema, or that of an output document.
pub fn schema(args: &SchemaArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let schema = match args.output {
        None => acgw::model::schema::spec_file(),
        Some(doc) => acgw::output::Output::from(doc).schema(),
    };
    ui.data(&serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}

/// Prints a completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "acgw", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page, with a section for each subcommand's options.
pub fn man() -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for sub in command.get_subcommands() {
        // Each subcommand's own page, without its title header, as a section of the main page.
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone()).render(&mut section)?;
        let text = String::from_utf8_lossy(&section);
        let body: String = text.lines().skip_while(|l| !l.starts_with(".SH")).map(|l| format!("{l}\n")).collect();
        page.extend_from_slice(format!(".SH \"ACGW {}\"\n", sub.get_name().to_uppercase()).as_bytes());
        page.extend_from_slice(body.replace(".SH ", ".SS ").as_bytes());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
