//! Shared by the reporting commands (`owners`, `codeowners`, `budget`, `report`): load and check
//! the org, and stop with the errors when there are any.
//!
//! Reports answer from a valid org only, so what they show is what `check` accepts; `--skip RULE`
//! lets a report through a known problem, as with `check`.

use super::Global;
use crate::diagnostic::Diagnostic;
use crate::load::{Entry, Loaded, Partial};
use crate::model::{self, Org};
use crate::parse::{Parsed, Validators, parse_all};
use crate::pipeline::{Checked, checked};
use crate::schema::is_valid_id;
use crate::source::SourceSet;
use crate::validate::Context;
use std::io::Write;
use std::path::Path;
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
    let ctx = global.context();
    ctx.check_skip(skip)?;
    let checked = checked(&global.location(), &ctx, skip)?;
    if !checked.has_errors() {
        return Ok(Ok(Ready { checked, ctx }));
    }
    let n = super::common::print_errors(global, &checked.diagnostics, &checked.sources);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "error: `orgctl {command}` stops because the org has {n} error(s); fix them (`orgctl check` shows them all) or skip a rule with `--skip RULE`"
    );
    Ok(Err(ExitCode::from(1)))
}

/// A quick, partial read of the org for questions about one repository (`owners`,
/// `codeowners`): `org.yaml` and the team files that mention the repository, then only the
/// people an answer shows. Files are parsed and schema-checked as by `check`; each file is parsed
/// once even when more are read later.
pub struct Quick {
    partial: Partial,
    validators: Validators,
    parsed: Vec<Parsed>,
    diagnostics: Vec<Diagnostic>,
    loaded: Loaded,
}

impl Quick {
    /// Reads and parses `org.yaml` and the team files mentioning `repo`.
    pub fn for_repo(dir: &Path, repo: &str) -> anyhow::Result<Quick> {
        let mut partial = Partial::new(dir)?;
        partial.add_files(&["org.yaml".to_string()]);
        partial.add_matching("teams", repo)?;
        let validators = Validators::new();
        let loaded = partial.loaded();
        let (parsed, mut diagnostics) = parse_all(&loaded.sources, &loaded.entries, &validators);
        diagnostics.extend(loaded.diagnostics.iter().cloned());
        Ok(Quick {
            partial,
            validators,
            parsed,
            diagnostics,
            loaded,
        })
    }

    /// The model of what has been read so far.
    pub fn org(&self) -> Org {
        model::build(self.parsed.clone()).0
    }

    /// Reads and parses the files of the people `ids` (ids that are not valid are ignored).
    pub fn add_people<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) {
        let rels: Vec<String> = ids
            .into_iter()
            .filter(|id| is_valid_id(id))
            .map(|id| format!("people/{id}.yaml"))
            .collect();
        let before = self.loaded.sources.len();
        self.partial.add_files(&rels);
        self.loaded = self.partial.loaded();
        let new: Vec<Entry> = self
            .loaded
            .entries
            .iter()
            .filter(|e| e.file >= before)
            .cloned()
            .collect();
        let (mut parsed, diagnostics) = parse_all(&self.loaded.sources, &new, &self.validators);
        self.parsed.append(&mut parsed);
        self.diagnostics.extend(diagnostics);
        let fresh = self
            .loaded
            .diagnostics
            .iter()
            .filter(|d| d.file.is_some_and(|f| f >= before));
        self.diagnostics.extend(fresh.cloned());
    }

    /// Runs the rules named in `rules` (minus `skip`) on what has been read.
    pub fn run_rules(&mut self, ctx: &Context, rules: &[&str], skip: &[String]) {
        let org = self.org();
        let only = Context {
            rules: ctx
                .rules
                .iter()
                .copied()
                .filter(|r| rules.contains(&r.name))
                .collect(),
            ..ctx.clone()
        };
        self.diagnostics
            .extend(crate::validate::run(&org, &only, skip));
    }

    /// The sources, the model and the warnings; on errors prints them and returns exit code 1.
    pub fn finish(self, global: &Global, command: &str) -> Result<(SourceSet, Org), ExitCode> {
        let (org, model_diags) = model::build(self.parsed);
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(model_diags);
        let n = super::common::print_errors(global, &diagnostics, &self.loaded.sources);
        if n == 0 {
            return Ok((self.loaded.sources, org));
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "error: `orgctl {command}` stops because the files it reads have {n} error(s); fix them (`orgctl check` shows them all) or skip a rule with `--skip RULE`"
        );
        Err(ExitCode::from(1))
    }
}

/// Ends a command asked about a repository that no team owns: reads the whole org and names the
/// repositories that do have owners. `Ok` carries the exit code when that read itself fails.
pub fn no_owner_in(
    global: &Global,
    skip: &[String],
    command: &str,
    repo: &str,
) -> anyhow::Result<std::process::ExitCode> {
    let everything = match load(global, skip, command)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let list: Vec<&str> = crate::ownership::repositories(&everything.checked.org)
        .into_iter()
        .collect();
    anyhow::bail!(
        "no team owns anything in repository `{repo}`; repositories with owners: {}",
        if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        }
    );
}
