//! `orgctl history`: who joined and left which team, and when, from git.

use super::format::{Format, Formats};
use super::{Global, print};
use crate::history::{HistoryEvent, describe, events};
use crate::load::history::team_history;
use crate::render::text::terminal_safe;
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this person (id).
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// Only this team (id).
    #[arg(long, value_name = "ID")]
    team: Option<String>,
    /// How many commits to look back at most (first parents from `--rev`, default HEAD).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_commits: usize,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
}

/// The `--format` values of `history`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "One line per event, newest first"),
    (Format::Json, "A stable JSON document (version 1)"),
]);

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    events: &'a [HistoryEvent],
}

fn human(events: &[HistoryEvent]) -> String {
    if events.is_empty() {
        return "No membership changes found.\n".into();
    }
    let width = |f: &dyn Fn(&HistoryEvent) -> usize| events.iter().map(f).max().unwrap_or(0);
    let (wa, wt, wp) = (
        width(&|e| e.author.chars().count()),
        width(&|e| e.team.len()),
        width(&|e| e.person.as_deref().map_or(1, str::len)),
    );
    let mut out = String::new();
    for e in events {
        out.push_str(&format!(
            "{}  {}  {:wa$}  {:wt$}  {:wp$}  {}\n",
            e.date,
            e.commit,
            e.author,
            e.team,
            e.person.as_deref().unwrap_or("-"),
            describe(&e.event),
        ));
    }
    terminal_safe(&out).into_owned()
}

/// Runs `history`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let rev = global.rev.as_deref().unwrap_or("HEAD");
    let revisions = team_history(&global.org, rev, args.max_commits)?;
    let found = events(&revisions, args.person.as_deref(), args.team.as_deref());
    let text = match args.format {
        Format::Human => human(&found),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&JsonOut {
                version: 1,
                events: &found,
            })?;
            s.push('\n');
            s
        }
        other => return Err(super::format::unsupported("history", other)),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
