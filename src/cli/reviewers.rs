//! `orgctl reviewers`: who must approve a change to the org files, and whom to ask.

use super::diff::{Sides, load_sides};
use super::format::{Format, Formats};
use super::{Global, print};
use crate::render::text::terminal_safe;
use crate::reviewers::{Approvals, Approver, approvals};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `reviewers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The version the change starts from (a git revision; `origin/main` in a pull request).
    /// Approvers are taken from it.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    base: String,
    /// The change's author (GitHub login or person id): never counted as an approver.
    #[arg(long, value_name = "LOGIN")]
    author: Option<String>,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
}

/// The `--format` values of `reviewers`.
const FORMATS: Formats = Formats::new(&[
    (
        Format::Human,
        "Each approval needed, with who can give it and why",
    ),
    (Format::Json, "A stable JSON document (version 1)"),
    (
        Format::Logins,
        "The suggested reviewers' GitHub logins, one per line (for `gh pr edit --add-reviewer`)",
    ),
]);

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    base: &'a str,
    head: &'a str,
    #[serde(flatten)]
    approvals: &'a Approvals,
}

fn name(a: &Approver) -> String {
    match &a.github {
        Some(g) => format!("{} ({g})", a.person),
        None => format!("{} (no GitHub login)", a.person),
    }
}

/// The approvals for people, [`terminal_safe`].
fn human(a: &Approvals, from: &str, to: &str) -> String {
    terminal_safe(&human_text(a, from, to)).into_owned()
}

fn human_text(a: &Approvals, from: &str, to: &str) -> String {
    let mut out = format!("Approvals needed for {from} → {to}\n\n");
    if a.required.is_empty() {
        out.push_str("None: the org files do not change.\n");
        return out;
    }
    for r in &a.required {
        out.push_str(&format!("  {}: {}\n", r.file, r.why));
        if r.any_of.is_empty() {
            out.push_str("      nobody but the author\n");
        } else {
            let names: Vec<String> = r.any_of.iter().map(name).collect();
            out.push_str(&format!("      any of: {}\n", names.join(", ")));
        }
    }
    out.push('\n');
    if !a.suggested.is_empty() {
        let names: Vec<String> = a.suggested.iter().map(name).collect();
        out.push_str(&format!("Suggested reviewers: {}\n", names.join(", ")));
    }
    if !a.unmet.is_empty() {
        out.push_str(&format!(
            "{} approval{} only the author could give: ask an org admin to review.\n",
            a.unmet.len(),
            if a.unmet.len() == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Runs `reviewers`. Exit 1 when an approval can only come from the author.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let Sides { base, head, diff } = load_sides(global, &args.base)?;
    let a = approvals(
        &diff,
        &base.org,
        &head.org,
        global.context().today,
        args.author.as_deref(),
    );
    let text = match args.format {
        Format::Human => human(&a, &base.origin, &head.origin),
        Format::Logins => a
            .suggested
            .iter()
            .filter_map(|x| x.github.as_deref())
            .map(|g| format!("{g}\n"))
            .collect(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&JsonOut {
                version: 1,
                base: &base.origin,
                head: &head.origin,
                approvals: &a,
            })?;
            s.push('\n');
            s
        }
        other => return Err(super::format::unsupported("reviewers", other)),
    };
    print(&text)?;
    Ok(if a.unmet.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
