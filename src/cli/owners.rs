//! `orgctl owners`: who owns a path, who to ask, and why; or the ownership coverage of a
//! repository's files.

use super::format::{Format, Formats};
use super::reporting::{Quick, Ready, load};
use super::{Global, print};
use crate::contact::{Contact, TeamContact};
use crate::load::{list_git_tree, list_worktree};
use crate::model::Org;
use crate::ownership::answer::{Locator, PathAnswer, answer};
use crate::ownership::coverage::{Coverage, coverage};
use crate::ownership::{RepoOwnership, repositories};
use crate::render::text::terminal_safe;
use crate::source::SourceSet;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `owners`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository, by name as in `owns:` (`nixpkgs`).
    repo: String,
    /// Paths in the repository (`pkgs/stdenv/default.nix`). Without paths and without `--tree`,
    /// the repository's ownership rules are listed.
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
    /// Coverage: a checkout of the repository; every file below it except `.git` is counted.
    #[arg(long, value_name = "DIR")]
    tree: Option<PathBuf>,
    /// Coverage of the files tracked at this git revision of the repository at `--tree` (read
    /// with git, no checkout needed), instead of the files on disk.
    #[arg(long, value_name = "REV", requires = "tree")]
    tree_rev: Option<String>,
    /// Exit 1 when fewer than this percentage of the files have an owner (a CI ratchet).
    #[arg(long, value_name = "PERCENT", requires = "tree")]
    min_coverage: Option<f64>,
    /// How many of the largest unowned directories to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
    /// Skip a rule by name, as with `check`.
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
}

/// The `--format` values of `owners`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "For people"),
    (Format::Json, "A stable JSON document (version 1), for bots"),
]);

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    repo: &'a str,
    paths: &'a [PathAnswer],
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<Vec<JsonRule>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Coverage>,
}

#[derive(Serialize)]
struct JsonRule {
    pattern: String,
    teams: Vec<String>,
}

/// Runs `owners`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let (sources, org, today) = if global.rev.is_none() {
        match load_for_repo(global, &args)? {
            Ok(x) => x,
            Err(code) => return Ok(code),
        }
    } else {
        match load(global, &args.skip, "owners")? {
            Ok(Ready { checked, ctx }) => (checked.sources, checked.org, ctx.today),
            Err(code) => return Ok(code),
        }
    };
    let org = &org;
    if !repositories(org).contains(args.repo.as_str()) && args.tree.is_none() {
        // The quick read found no team owning the repository: list those that exist.
        return super::reporting::no_owner_in(global, &args.skip, "owners", &args.repo);
    }
    let own = RepoOwnership::build(org, &args.repo);
    if let Some(first) = own.invalid.first() {
        let warning = format!(
            "warning: {} pattern(s) of `{}` are not valid in CODEOWNERS and are left out, for example `{}` ({}); `orgctl check` shows them all",
            own.invalid.len(),
            args.repo,
            first.text,
            first.error
        );
        eprintln!("{}", terminal_safe(&warning));
    }
    let mut loc = Locator::new(&sources);
    let answers: Vec<PathAnswer> = args
        .paths
        .iter()
        .map(|p| answer(org, &own, p, today, &mut loc))
        .collect();
    let cov = match &args.tree {
        None => None,
        Some(dir) => {
            let files = match &args.tree_rev {
                Some(rev) => list_git_tree(dir, rev)?,
                None => list_worktree(dir)?,
            };
            Some(coverage(&own, &files, args.top))
        }
    };
    let list_rules = args.paths.is_empty() && cov.is_none();
    let text = match args.format {
        Format::Json => {
            let rules = list_rules.then(|| {
                own.rules
                    .iter()
                    .map(|r| JsonRule {
                        pattern: r.pattern.as_str().to_string(),
                        teams: r.claims.iter().map(|c| c.team.id.clone()).collect(),
                    })
                    .collect()
            });
            let out = JsonOut {
                version: 1,
                repo: &args.repo,
                paths: &answers,
                rules,
                coverage: cov.as_ref(),
            };
            format!("{}\n", serde_json::to_string_pretty(&out)?)
        }
        Format::Human => {
            let mut s = String::new();
            if list_rules {
                human_rules(&mut s, &own);
            }
            for a in &answers {
                human_answer(&mut s, a, &args.repo);
            }
            if let Some(c) = &cov {
                human_coverage(&mut s, c, &args);
            }
            terminal_safe(&s).into_owned()
        }
        other => return Err(super::format::unsupported("owners", other)),
    };
    print(&text)?;
    if let (Some(min), Some(c)) = (args.min_coverage, &cov) {
        if c.percent < min {
            eprintln!(
                "error: {:.1}% of the files of `{}` have an owner, below the minimum of {min}%",
                c.percent, args.repo
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads only what `owners` needs (see [`Quick`]): the team files that mention the repository
/// and then the people of the teams that own the asked paths. The semantic rules are not run (CI
/// runs `orgctl check`), which keeps one answer on a 12,000-file org within milliseconds.
fn load_for_repo(
    global: &Global,
    args: &Args,
) -> anyhow::Result<Result<(SourceSet, Org, Date), ExitCode>> {
    let ctx = global.context();
    ctx.check_skip(&args.skip)?;
    let today = ctx.today;
    let mut quick = Quick::for_repo(&global.org, &args.repo)?;
    let teams = quick.org();
    let own = RepoOwnership::build(&teams, &args.repo);
    let mut people: BTreeSet<&str> = BTreeSet::new();
    for p in &args.paths {
        if let Some(rule) = own.owner(p) {
            for c in &rule.claims {
                people.extend(c.team.spec.leads.iter().map(String::as_str));
                people.extend(c.team.members().map(|m| m.person));
            }
        }
    }
    quick.add_people(people);
    Ok(quick
        .finish(global, "owners")
        .map(|(sources, org)| (sources, org, today)))
}

fn human_rules(s: &mut String, own: &RepoOwnership<'_>) {
    let _ = writeln!(
        s,
        "{} ownership rules of `{}`, in CODEOWNERS order (the last match wins):",
        own.rules.len(),
        own.repo
    );
    let w = own
        .rules
        .iter()
        .map(|r| r.pattern.as_str().len())
        .max()
        .unwrap_or(0);
    for r in &own.rules {
        let teams: Vec<&str> = r.claims.iter().map(|c| c.team.id.as_str()).collect();
        let _ = writeln!(s, "  {:<w$}  {}", r.pattern.as_str(), teams.join(", "));
    }
}

fn person(c: &Contact) -> String {
    let mut s = c.line();
    let mut extra = Vec::new();
    if let Some(r) = &c.role {
        extra.push(r.clone());
    }
    if let Some(u) = c.until {
        extra.push(format!("until {u}"));
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

fn people(s: &mut String, label: &str, list: &[Contact]) {
    if list.is_empty() {
        let _ = writeln!(s, "  {label:<9} none");
    }
    for (i, c) in list.iter().enumerate() {
        let l = if i == 0 { label } else { "" };
        let _ = writeln!(s, "  {l:<9} {}", person(c));
    }
}

fn team_block(s: &mut String, t: &TeamContact) {
    let gh = t
        .github
        .as_deref()
        .map(|g| format!(", GitHub team {g}"))
        .unwrap_or_default();
    let archived = if t.archived { " [archived]" } else { "" };
    let _ = writeln!(s, "  owner:    {} ({}){gh}{archived}", t.name, t.id);
    people(s, "leads:", &t.leads);
    people(s, "members:", &t.members);
    if t.aliases.is_empty() {
        let _ = writeln!(s, "  write to: no team alias; ask a lead");
    } else {
        let _ = writeln!(s, "  write to: {}", t.aliases.join(", "));
    }
}

fn at(c: &crate::ownership::answer::ClaimRef) -> String {
    match (c.line, c.column) {
        (Some(l), Some(col)) => format!("{}:{l}:{col}", c.file),
        _ => c.file.clone(),
    }
}

fn human_answer(s: &mut String, a: &PathAnswer, repo: &str) {
    let _ = writeln!(s, "{}", a.path);
    let Some(rule) = &a.rule else {
        let _ = writeln!(
            s,
            "  no owner: no `owns:` pattern of repository `{repo}` matches this path\n"
        );
        return;
    };
    for t in &a.owners {
        team_block(s, t);
    }
    for c in &rule.claims {
        let _ = writeln!(
            s,
            "  why:      `{}` owned by {} at {} (rule {} of {} in CODEOWNERS order; the last match wins)",
            rule.pattern,
            c.team,
            at(c),
            rule.position,
            rule.of
        );
    }
    for o in &a.overridden {
        let by: Vec<String> = o
            .claims
            .iter()
            .map(|c| format!("{} at {}", c.team, at(c)))
            .collect();
        let _ = writeln!(s, "  overrides `{}` ({})", o.pattern, by.join("; "));
    }
    s.push('\n');
}

fn human_coverage(s: &mut String, c: &Coverage, args: &Args) {
    let source = match (&args.tree, &args.tree_rev) {
        (Some(d), Some(r)) => format!("{} at {r}", d.display()),
        (Some(d), None) => d.display().to_string(),
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "coverage of `{}` ({source}): {} of {} files have an owner ({:.1}%)",
        args.repo, c.owned, c.files, c.percent
    );
    if !c.unowned_dirs.is_empty() {
        let _ = writeln!(s, "largest directories without an owner:");
        for d in &c.unowned_dirs {
            let _ = writeln!(s, "  {:>7} files  {}", d.files, d.path);
        }
    }
}
