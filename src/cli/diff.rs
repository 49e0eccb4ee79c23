//! `orgctl diff`: what a change to the org files means, in the org's own terms.

use super::format::{Format, Formats};
use super::{Global, print};
use crate::orgdiff::{OrgDiff, Side, diff};
use crate::pipeline::{Modelled, OrgLocation, model_only};
use crate::render::diff::{human, markdown};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The version to compare against: a git revision of the repository holding `--org`
    /// (`origin/main` in a pull request, `HEAD~1` after a merge). The other side is the work
    /// tree, or `--rev`.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    base: String,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
    /// Exit with 1 when anything differs (0 when nothing does).
    #[arg(long)]
    exit_code: bool,
}

/// The `--format` values of `diff`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Sections per kind, for a terminal"),
    (Format::Json, "A stable JSON document (version 2)"),
    (
        Format::Markdown,
        "A pull-request comment (mentions neutralised)",
    ),
]);

/// Version of `diff --format json`. Version 2: `github[]` holds plan format 3's changes
/// (generic addresses and resources, docs/plan-format.md).
const DIFF_FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    base: &'a str,
    head: &'a str,
    as_of: jiff::civil::Date,
    #[serde(flatten)]
    diff: &'a OrgDiff,
}

/// Loads one side (the model only: rule findings are `check`'s business, so no rule runs);
/// refuses one whose files do not all parse (a missing entity would show as removed).
fn side(location: &OrgLocation, what: &str) -> anyhow::Result<Modelled> {
    let c = model_only(location)?;
    if !c.org.broken.is_empty() {
        let files: Vec<String> = c
            .org
            .broken
            .iter()
            .map(|(kind, id)| format!("{} `{id}`", kind.name()))
            .collect();
        let how = match &location.rev {
            Some(rev) => format!("orgctl check --rev {rev}"),
            None => "orgctl check".to_string(),
        };
        anyhow::bail!(
            "the {what} ({}) has files that do not parse: {}; fix them first (`{how}` shows where)",
            c.origin,
            files.join(", ")
        );
    }
    Ok(c)
}

/// Both sides of a change and their diff: the base at git revision `base`, the head as
/// `--org` / `--rev` say.
pub(super) struct Sides {
    pub base: Modelled,
    pub head: Modelled,
    pub diff: OrgDiff,
}

/// Loads both sides (each must parse) and compares them.
pub(super) fn load_sides(global: &Global, base: &str) -> anyhow::Result<Sides> {
    let base_location = OrgLocation {
        dir: global.org.clone(),
        rev: Some(base.to_string()),
    };
    let base = side(&base_location, "base")?;
    let head = side(&global.location(), "head")?;
    let diff = diff(
        Side {
            org: &base.org,
            sources: &base.sources,
        },
        Side {
            org: &head.org,
            sources: &head.sources,
        },
        global.context().today,
        crate::github::plan::between,
    );
    Ok(Sides { base, head, diff })
}

/// Runs `diff`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let Sides {
        base,
        head,
        diff: d,
    } = load_sides(global, &args.base)?;
    let today = global.context().today;
    let text = match args.format {
        Format::Human => human(&d, &base.origin, &head.origin),
        Format::Markdown => markdown(&d, &base.origin, &head.origin),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&JsonOut {
                version: DIFF_FORMAT_VERSION,
                base: &base.origin,
                head: &head.origin,
                as_of: today,
                diff: &d,
            })?;
            s.push('\n');
            s
        }
        other => return Err(super::format::unsupported("diff", other)),
    };
    print(&text)?;
    Ok(if args.exit_code && !d.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
