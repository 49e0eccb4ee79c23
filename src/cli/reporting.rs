//! Shared by the reporting commands (`owners`, `codeowners`, `budget`, `report`): load and check
//! the org, and stop with the errors when there are any.
//!
//! Reports answer from a valid org only, so what they show is what `check` accepts; `--skip RULE`
//! lets a report through a known problem, as with `check`.

use super::{Global, width};
use crate::diagnostic::Severity;
use crate::locate::locate;
use crate::pipeline::{Checked, checked};
use crate::render::diagnostics::{HumanStyle, human};
use crate::validate::{Context, check_skip};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// A checked org without errors, and the date it is judged on.
pub struct Ready {
    /// Sources, model and the remaining warnings.
    pub checked: Checked,
    /// Today (`--as-of` or the UTC date).
    pub ctx: Context,
}

/// Loads and checks the org; on errors prints them to stderr and returns exit code 1.
pub fn load(
    global: &Global,
    skip: &[String],
    command: &str,
) -> anyhow::Result<Result<Ready, ExitCode>> {
    check_skip(skip)?;
    let ctx = global.context();
    let checked = checked(&global.location(), &ctx, skip)?;
    if !checked.has_errors() {
        return Ok(Ok(Ready { checked, ctx }));
    }
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let n = errors.len();
    let located = locate(errors, &checked.sources);
    let style = HumanStyle {
        color: global.color(std::io::stderr().is_terminal()),
        width: width(),
    };
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(human(&located, &checked.sources, style).as_bytes());
    let _ = writeln!(
        err,
        "error: `orgctl {command}` stops because the org has {n} error(s); fix them (`orgctl check` shows them all) or skip a rule with `--skip RULE`"
    );
    Ok(Err(ExitCode::from(1)))
}
