//! `orgctl rules`: list the semantic rules.

use super::format::{Format, Formats};
use super::{Global, print};
use std::process::ExitCode;

/// Arguments of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
}

/// The `--format` values of `rules`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "A table"),
    (Format::Json, "JSON array of {name, severity, summary}"),
]);

/// Runs `rules`.
pub fn run(_: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let rules = super::registry::rules();
    let text = match args.format {
        Format::Human => {
            let w = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
            let mut s = String::new();
            for r in &rules {
                s.push_str(&format!(
                    "{:<w$}  {:<7}  {}\n",
                    r.name,
                    r.severity.as_str(),
                    r.summary
                ));
            }
            s
        }
        Format::Json => {
            let v: Vec<_> = rules
                .iter()
                .map(|r| serde_json::json!({"name": r.name, "severity": r.severity, "summary": r.summary}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        other => return Err(super::format::unsupported("rules", other)),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
