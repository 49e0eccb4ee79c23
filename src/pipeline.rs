//! The shared front half of every command: load → parse → model → validate.
//!
//! `load` does I/O (directory or git); everything after it is pure. Commands that go further
//! (plan, reports) call [`checked`] and stop with the diagnostics when there are errors; commands
//! that only read the model (`diff`, `reviewers`) call [`model_only`], which runs no rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::{LoadError, Loaded, load_dir, load_git};
use crate::model::{self, Org};
use crate::parse::{ParseTimings, Validators, parse_all_timed};
use crate::source::SourceSet;
use crate::validate::{self, Context};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where to read the org from.
#[derive(Debug, Clone)]
pub struct OrgLocation {
    /// The org directory (`--org`).
    pub dir: PathBuf,
    /// A git revision to read it at instead of the work tree (`--rev`).
    pub rev: Option<String>,
}

impl OrgLocation {
    /// Reads the files (the only I/O step).
    pub fn load(&self) -> Result<Loaded, LoadError> {
        match &self.rev {
            Some(rev) => load_git(&self.dir, rev),
            None => load_dir(&self.dir),
        }
    }
}

/// The result of checking an org.
#[derive(Debug)]
pub struct Checked {
    /// Every file read.
    pub sources: SourceSet,
    /// The model (partial when files failed to parse).
    pub org: Org,
    /// Every problem found, unsorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the time went.
    pub timings: Timings,
    /// Where the org came from.
    pub origin: String,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Time spent per stage.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading files.
    pub read: Duration,
    /// YAML parsing, schema validation and typed decoding (wall time of the parallel stage).
    pub parse: Duration,
    /// The parse stage split into its steps, summed over files and threads.
    pub parse_steps: ParseTimings,
    /// Building the model.
    pub model: Duration,
    /// Running the rules.
    pub rules: Duration,
}

/// Loads and fully checks the org.
pub fn checked(
    location: &OrgLocation,
    ctx: &Context,
    skip: &[String],
) -> Result<Checked, LoadError> {
    let t0 = Instant::now();
    let loaded = location.load()?;
    let read = t0.elapsed();
    let mut checked = check_loaded(loaded, ctx, skip);
    checked.timings.read = read;
    Ok(checked)
}

/// An org read and modelled without running any rule: for commands that compare or query the
/// model (`diff`, `reviewers`) and leave rule findings to `check`.
#[derive(Debug)]
pub struct Modelled {
    /// Every file read.
    pub sources: SourceSet,
    /// The model (partial when files failed to parse).
    pub org: Org,
    /// Problems found while reading, parsing and modelling (no rule findings).
    pub diagnostics: Vec<Diagnostic>,
    /// Where the time went (`rules` is zero).
    pub timings: Timings,
    /// Where the org came from.
    pub origin: String,
}

/// Loads, parses and models the org; runs no rule.
pub fn model_only(location: &OrgLocation) -> Result<Modelled, LoadError> {
    let t0 = Instant::now();
    let loaded = location.load()?;
    let read = t0.elapsed();
    let mut modelled = model_loaded(loaded);
    modelled.timings.read = read;
    Ok(modelled)
}

/// Parses and models files already read. Pure.
pub fn model_loaded(loaded: Loaded) -> Modelled {
    let Loaded {
        sources,
        entries,
        mut diagnostics,
        origin,
    } = loaded;
    let t = Instant::now();
    let validators = Validators::new();
    let (parsed, mut parse_diags, parse_steps) = parse_all_timed(&sources, &entries, &validators);
    let parse = t.elapsed();
    diagnostics.append(&mut parse_diags);
    let t = Instant::now();
    let (org, mut model_diags) = model::build(parsed);
    let model = t.elapsed();
    diagnostics.append(&mut model_diags);
    Modelled {
        sources,
        org,
        diagnostics,
        timings: Timings {
            read: Duration::ZERO,
            parse,
            parse_steps,
            model,
            rules: Duration::ZERO,
        },
        origin,
    }
}

/// Checks files already read. Pure.
pub fn check_loaded(loaded: Loaded, ctx: &Context, skip: &[String]) -> Checked {
    let Modelled {
        sources,
        org,
        mut diagnostics,
        mut timings,
        origin,
    } = model_loaded(loaded);
    let t = Instant::now();
    diagnostics.extend(validate::run(&org, ctx, skip));
    timings.rules = t.elapsed();
    Checked {
        sources,
        org,
        diagnostics,
        timings,
        origin,
    }
}

/// Today's date in UTC.
pub fn today_utc() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken() -> OrgLocation {
        OrgLocation {
            dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/broken/org")),
            rev: None,
        }
    }

    /// `model_only` builds the same model as `checked` but runs no rule: the broken example's
    /// rule findings are absent, its load/parse/model findings present.
    #[test]
    fn model_only_runs_no_rule() {
        let ctx = Context::new(jiff::civil::date(2026, 11, 25));
        let full = checked(&broken(), &ctx, &[]).expect("load");
        let modelled = model_only(&broken()).expect("load");
        let rule_names: Vec<&str> = validate::RULES.iter().map(|r| r.name).collect();
        assert!(
            full.diagnostics
                .iter()
                .any(|d| rule_names.contains(&d.rule.as_ref())),
            "the broken example has rule findings"
        );
        assert!(
            !modelled
                .diagnostics
                .iter()
                .any(|d| rule_names.contains(&d.rule.as_ref())),
            "{:?}",
            modelled.diagnostics
        );
        let pre_rule: Vec<_> = full
            .diagnostics
            .iter()
            .filter(|d| !rule_names.contains(&d.rule.as_ref()))
            .collect();
        assert_eq!(pre_rule.len(), modelled.diagnostics.len());
        assert_eq!(full.org.people.len(), modelled.org.people.len());
        assert_eq!(modelled.timings.rules, Duration::ZERO);
    }
}
