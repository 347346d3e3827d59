//! `acgw validate`: load and check specs offline.

use std::process::ExitCode;

use crate::cli::{ValidateArgs, ValidateFormat};
use acgw::load;
use acgw::problem::{Problem, Severity};
use acgw::ui::Ui;

pub fn run(args: &ValidateArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let paths = args.specs.paths();
    let (gateways, providers, problems, ok) =
        match load::load_paths_with(&paths, &load::process_env, args.specs.load_options()) {
            Ok(desired) => (desired.specs.len(), desired.providers.len(), desired.warnings, true),
            Err(problems) => (0, 0, problems.0, false),
        };
    match args.format {
        ValidateFormat::Text => {
            for p in &problems {
                ui.problem(p);
            }
            if ok {
                let providers = match providers {
                    0 => String::new(),
                    n => format!(" and {n} credential provider{}", plural(n)),
                };
                ui.data(&format!(
                    "Valid: {gateways} gateway{}{providers} in {} path{}.",
                    plural(gateways),
                    paths.len(),
                    plural(paths.len())
                ));
            } else {
                let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
                ui.error(&format!("{errors} problem{} found; nothing was checked against AWS.", plural(errors)));
            }
        }
        ValidateFormat::Json => {
            ui.data_raw(
                &acgw::output::ValidateDocument::new(ok, gateways, &problems).with_providers(providers).to_json(),
            );
        }
        ValidateFormat::Github => {
            for p in &problems {
                ui.data(&github_line(p));
            }
        }
    }
    Ok(ExitCode::from(if ok { 0 } else { 1 }))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One GitHub Actions workflow command for a problem.
fn github_line(p: &Problem) -> String {
    let kind = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = vec![format!("file={}", escape_property(&p.file))];
    if p.mark.line > 0 {
        props.push(format!("line={}", p.mark.line));
        props.push(format!("col={}", p.mark.column));
    }
    let mut message = String::new();
    if let Some(g) = &p.gateway {
        message.push_str(&format!("gateway `{g}`: "));
    }
    if !p.path.is_empty() {
        message.push_str(&format!("{}: ", p.path));
    }
    message.push_str(&p.message);
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use acgw::problem::Mark;

    #[test]
    fn workflow_commands_escape_every_character_that_could_end_or_forge_one() {
        let p = Problem {
            severity: Severity::Warning,
            file: "a,b:c%d\r\ne.yaml".into(),
            mark: Mark { line: 3, column: 7 },
            gateway: Some("g\n::error::forged".into()),
            path: "description".into(),
            message: "100% bad\r\n::error file=x::forged".into(),
        };
        assert_eq!(
            github_line(&p),
            "::warning file=a%2Cb%3Ac%25d%0D%0Ae.yaml,line=3,col=7::gateway `g%0A::error::forged`: description: \
             100%25 bad%0D%0A::error file=x::forged"
        );
    }
}
