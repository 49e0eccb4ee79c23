//! `orgctl check`: validate the org and report every problem at its line.

use super::format::{Format, Formats};
use super::{Global, print, width};
use crate::diagnostic::Severity;
use crate::locate::locate;
use crate::pipeline::checked;
use crate::render::diagnostics::{HumanStyle, github, human, json};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
    /// Skip a rule by name (repeatable; `orgctl rules` lists them).
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Print where the time went (read, parse, model, rules) to stderr.
    #[arg(long, hide = true)]
    timings: bool,
}

/// The `--format` values of `check`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Reports with the offending line underlined"),
    (Format::Json, "A stable JSON document (docs/format.md)"),
    (Format::Github, "GitHub Actions annotations"),
]);

/// Runs `check`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let ctx = global.context();
    ctx.check_skip(&args.skip)?;
    let checked = checked(&global.location(), &ctx, &args.skip)?;
    if args.timings {
        let t = checked.timings;
        let p = t.parse_steps;
        eprintln!(
            "files: {}  read: {:?}  parse+schema: {:?} (summed over threads: yaml {:?}, schema {:?}, decode {:?})  model: {:?}  rules: {:?}",
            checked.sources.len(),
            t.read,
            t.parse,
            p.yaml,
            p.schema,
            p.decode,
            t.model,
            t.rules
        );
    }
    let fail = checked.diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (args.deny_warnings && d.severity == Severity::Warning)
    });
    let located = locate(checked.diagnostics, &checked.sources);
    let text = match args.format {
        Format::Human => {
            let style = HumanStyle {
                color: global.color(std::io::stdout().is_terminal()),
                width: width(),
            };
            let mut s = human(&located, &checked.sources, style);
            if located.is_empty() {
                s = format!(
                    "{}: {}, {}, {}, {}: no problems found\n",
                    checked.origin.trim_end_matches('/'),
                    crate::render::count(checked.org.people.len(), "person", "people"),
                    crate::render::count(checked.org.teams.len(), "team", "teams"),
                    crate::render::count(checked.org.aliases.len(), "alias", "aliases"),
                    crate::render::count(checked.org.budgets.len(), "budget", "budgets")
                );
            }
            s
        }
        Format::Json => json(&located, &checked.sources),
        Format::Github => github(&located, &checked.sources),
        other => return Err(super::format::unsupported("check", other)),
    };
    print(&text)?;
    // The process ends here: freeing the model and the sources file by file would only add
    // teardown time (about 5% of a large org's check).
    std::mem::forget(checked.org);
    std::mem::forget(checked.sources);
    Ok(if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
