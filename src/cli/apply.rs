//! `orgctl apply`: change GitHub, then the email aliases, to match the org files, through a plan.
//!
//! `orgctl apply` reads the live organisation (and the mail server), plans, prints the plan and
//! asks for `yes` on a terminal (`--auto-approve` in CI; without a terminal it refuses).
//! `orgctl apply plan.json` executes a saved plan exactly, after checking that its format is this
//! build's and that neither the org files nor GitHub (nor the mail server) changed since it was
//! made (fingerprints). Guards run before the first write; GitHub changes run first, then the
//! email backend writes its aliases; progress is a bar on a terminal and one line per change
//! otherwise; `--format json` / `--audit FILE` write the audit record. See docs/apply.md.

use super::format::{Format, Formats};
use super::registry::{Settings, catalog, providers};
use super::select::{Selection, nothing_selected};
use super::{Global, print};
use crate::apply::audit::{self, AuditMeta, PlanRef};
use crate::apply::{self as applying, ApplyReport, ChangeResult, Outcome, Progress};
use crate::github::WritePacing;
use crate::github::provider::Source;
use crate::github::retry::ProgressEvent;
use crate::interface::Provider;
use crate::plan::{Change, PLAN_FORMAT_VERSION, Plan, Policy};
use crate::render::plan::human;
use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Arguments of `apply`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A saved plan (`orgctl plan --out plan.json`) to execute exactly; without it, apply plans
    /// now and asks for confirmation.
    #[arg(value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Refuse the saved plan unless its digest is DIGEST (`sha256:…`, printed by
    /// `orgctl plan --out`): hand it from the job that planned to the job that applies through
    /// another channel than the plan file (docs/security.md).
    #[arg(long, value_name = "DIGEST", requires = "plan")]
    pub expect_digest: Option<String>,
    /// Apply without asking (CI). Without a terminal, apply refuses unless this is given.
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow up to N removals when the plan has more than org.yaml's `limits.max_removals`.
    #[arg(long, value_name = "N")]
    pub allow_removals: Option<usize>,
    /// Providers and addresses.
    #[command(flatten)]
    pub selection: Selection,
    /// Output: progress for people, or the JSON audit record on stdout (progress on stderr).
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the JSON audit record to FILE.
    #[arg(long, value_name = "FILE")]
    pub audit: Option<PathBuf>,
    /// Minimum time between two writes, in milliseconds (GitHub asks for at least 1000).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1000,
        env = "ORGCTL_WRITE_INTERVAL_MS"
    )]
    pub write_interval_ms: u64,
    /// At most this many writes a minute (GitHub's content-creation limit; 0 = no limit).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 80,
        env = "ORGCTL_WRITES_PER_MINUTE"
    )]
    pub writes_per_minute: usize,
    /// At most this many writes an hour (GitHub's content-creation limit; 0 = no limit).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500,
        env = "ORGCTL_WRITES_PER_HOUR"
    )]
    pub writes_per_hour: usize,
    /// Overwrite email aliases edited by hand on the server since the last apply.
    #[arg(long)]
    pub allow_drift: bool,
    /// Do not run postmap after writing the Postfix map (`ORGCTL_POSTMAP`,
    /// `ORGCTL_POSTFIX_CONFIG_DIR` and `MAILGUN_API_KEY` are read as by `orgctl email`).
    #[arg(long)]
    pub no_postmap: bool,
}

/// The `--format` values of `apply`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Progress and a summary for people"),
    (Format::Json, "The audit record (JSON) on stdout"),
]);

impl Args {
    fn pacing(&self) -> WritePacing {
        let mut windows = Vec::new();
        if self.writes_per_minute > 0 {
            windows.push((Duration::from_secs(60), self.writes_per_minute));
        }
        if self.writes_per_hour > 0 {
            windows.push((Duration::from_secs(3600), self.writes_per_hour));
        }
        WritePacing {
            min_interval: Duration::from_millis(self.write_interval_ms),
            windows,
        }
    }
}

/// Where people-facing text goes: stdout, or stderr when stdout carries the JSON record.
#[derive(Clone)]
struct Out {
    to_stderr: bool,
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

impl Out {
    fn line(&self, s: &str) {
        let s = &*crate::render::text::terminal_safe(s);
        let bar = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
        match bar.as_ref() {
            Some(b) => b.println(s),
            None if self.to_stderr => eprintln!("{s}"),
            None => println!("{s}"),
        }
    }

    fn text(&self, s: &str) -> anyhow::Result<()> {
        if self.to_stderr {
            eprint!("{s}");
            Ok(())
        } else {
            print(s)
        }
    }

    fn is_terminal(&self) -> bool {
        if self.to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        }
    }

    /// Waits and rate limits reported by the transport go to stderr (above the bar).
    fn sink(&self) -> Arc<dyn crate::github::ProgressSink> {
        let bar = self.bar.clone();
        Arc::new(move |e: &ProgressEvent| {
            if let ProgressEvent::Waiting {
                endpoint,
                reason,
                wait,
                attempt,
            } = e
            {
                let msg = if *attempt == 0 {
                    format!("waiting {wait:.1?}: {reason}")
                } else {
                    format!(
                        "waiting {wait:.1?} before retrying {endpoint} (attempt {attempt} failed: {reason})"
                    )
                };
                // The reason quotes the server: shown terminal-safe.
                let msg = crate::render::text::terminal_safe(&msg);
                let bar = bar.lock().unwrap_or_else(PoisonError::into_inner);
                match bar.as_ref() {
                    Some(b) => b.suspend(|| eprintln!("{msg}")),
                    None => eprintln!("{msg}"),
                }
            }
        })
    }
}

/// One progress line: `+ github_team_member.infra["alice"] ... ok (201, 143 ms)`. Pure.
pub fn progress_line(r: &ChangeResult) -> String {
    let head = format!("{} {} ...", r.change.action.symbol(), r.change.address);
    match &r.outcome {
        Outcome::Applied => {
            let mut detail = Vec::new();
            if let Some(s) = r.status() {
                detail.push(s.to_string());
            }
            detail.push(format!("{} ms", r.duration_ms()));
            let mut line = format!("{head} ok ({})", detail.join(", "));
            if !r.notes.is_empty() {
                line.push_str(&format!("; {}", r.notes.join("; ")));
            }
            line
        }
        Outcome::Failed { error } => format!("{head} FAILED: {error}"),
        Outcome::Skipped { reason } => format!("{head} skipped: {reason}"),
    }
}

/// The closing text: the summary line and every failure and skip. Pure.
pub fn closing(report: &ApplyReport) -> String {
    let mut out = applying::summary_line(report);
    out.push('\n');
    let failed: Vec<&ChangeResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .collect();
    if !failed.is_empty() {
        out.push_str("\nFailed:\n");
        for r in failed {
            if let Outcome::Failed { error } = &r.outcome {
                out.push_str(&format!("  - {}: {error}\n", r.change.address));
            }
        }
    }
    let skipped: Vec<&ChangeResult> = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped { .. }))
        .collect();
    if !skipped.is_empty() {
        out.push_str("\nSkipped:\n");
        // After a stop every later change shares one reason: one line, not one per change (the
        // audit record lists them all).
        let mut shown: Vec<(&str, Vec<&ChangeResult>)> = Vec::new();
        for r in skipped {
            if let Outcome::Skipped { reason } = &r.outcome {
                match shown.iter_mut().find(|(why, _)| why == reason) {
                    Some((_, rs)) => rs.push(r),
                    None => shown.push((reason.as_str(), vec![r])),
                }
            }
        }
        for (reason, rs) in shown {
            if rs.len() > MANY_SKIPPED {
                out.push_str(&format!(
                    "  - {} changes, from {}: {reason}\n",
                    rs.len(),
                    rs[0].change.address
                ));
            } else {
                for r in rs {
                    out.push_str(&format!("  - {}: {reason}\n", r.change.address));
                }
            }
        }
    }
    out
}

/// More changes skipped for one reason than this are summed up in one line.
const MANY_SKIPPED: usize = 5;

/// Reads a saved plan, refusing another plan format version with a clear message.
pub fn read_plan(path: &std::path::Path) -> anyhow::Result<Plan> {
    let text = crate::readfile::read_regular_to_string(path, crate::readfile::MAX_DOCUMENT)
        .with_context(|| format!("reading the saved plan {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a plan file (not JSON)", path.display()))?;
    let version = value.get("format_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(PLAN_FORMAT_VERSION)) {
        let made_by = value
            .get("orgctl_version")
            .and_then(|v| v.as_str())
            .unwrap_or("an unknown version");
        bail!(
            "{} has plan format version {}, made by orgctl {made_by}; this orgctl ({}) executes format version {PLAN_FORMAT_VERSION} only: re-run `orgctl plan --out {}` with this orgctl",
            path.display(),
            version.map_or_else(|| "(none)".to_string(), |v| v.to_string()),
            env!("CARGO_PKG_VERSION"),
            path.display()
        );
    }
    // From the text, not the value: a `Value` keeps the last of two equal keys silently, the
    // plan's own types refuse them.
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid plan file", path.display()))
}

/// Asks for `yes` on the terminal.
fn confirm(subject: &str) -> anyhow::Result<bool> {
    let mut err = std::io::stderr().lock();
    write!(
        err,
        "\nDo you want to apply these changes to {subject}?\n  Only `yes` will be accepted to approve.\n\n  Enter a value: "
    )?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// Runs `apply`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(run_async(global, args))
}

fn stale(what: &str, kind: &str, saved: &str, now: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} changed since this plan was made ({kind} fingerprint {} in the plan, {} now): re-run `orgctl plan --out PLAN`, review it, and apply the new plan",
        short(saved),
        short(now)
    )
}

/// The refusal of a saved plan that is not the plan the files and live state produce.
fn altered(path: &std::path::Path, why: &[String]) -> anyhow::Error {
    let list: Vec<String> = why.iter().map(|w| format!("  - {w}")).collect();
    anyhow::anyhow!(
        "the plan file {} was altered after `orgctl plan` wrote it; nothing was changed:\n{}\nApply executes only the plan that the org files and the live state produce: re-run `orgctl plan --out PLAN` from the reviewed files, review it, and apply that file unmodified",
        path.display(),
        list.join("\n")
    )
}

async fn run_async(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let out = Out {
        to_stderr: args.format == Format::Json,
        bar: Arc::new(Mutex::new(None)),
    };
    let saved = match &args.plan {
        Some(path) => {
            let plan = read_plan(path)?;
            if !plan.digest_matches() {
                return Err(altered(
                    path,
                    &["its content does not match the digest `orgctl plan` wrote into it".into()],
                ));
            }
            if let Some(expected) = &args.expect_digest {
                if expected.trim() != plan.digest {
                    return Err(altered(
                        path,
                        &[format!(
                            "its digest is {}, not the {} given with --expect-digest",
                            plan.digest,
                            expected.trim()
                        )],
                    ));
                }
            }
            Some(plan)
        }
        None => None,
    };
    let checked = super::common::checked_or_bail(global)?;
    let org = &checked.org;
    let selection = &args.selection;
    selection.check_configured(org)?;
    let today = global.context().today;

    // The providers of this run: those selected that org.yaml configures (a saved plan: those
    // it has a part of, which org.yaml must still configure).
    let settings = Settings {
        github_source: Source::Live,
        github_pacing: Some(args.pacing()),
        github_progress: Some(out.sink()),
        email: super::common::email_options(!args.no_postmap),
        email_apply: crate::email::ApplyOptions {
            allow_drift: args.allow_drift,
        },
    };
    if let (Some(plan), Some(path)) = (&saved, &args.plan) {
        if let Some(part) = plan
            .parts
            .iter()
            .find(|part| catalog().provider(&part.provider).is_none())
        {
            bail!(
                "the saved plan has a part for provider `{}`, which this orgctl does not have: apply it with the orgctl that made it ({})",
                part.provider,
                plan.orgctl_version
            );
        }
        // Every change belongs to a part, and a provider has one part at most: nothing in the
        // file escapes the comparison with the recomputed plan below.
        let mut why = Vec::new();
        for (i, part) in plan.parts.iter().enumerate() {
            if plan.parts[..i].iter().any(|p| p.provider == part.provider) {
                why.push(format!("provider `{}` has two parts", part.provider));
            }
        }
        if let Some(c) = plan
            .changes
            .iter()
            .find(|c| plan.part(&c.address.provider).is_none())
        {
            why.push(format!(
                "{} {} belongs to provider `{}`, which has no part in the plan file",
                c.action.symbol(),
                c.address,
                c.address.provider
            ));
        }
        if !why.is_empty() {
            return Err(altered(path, &why));
        }
        for name in &selection.provider {
            if plan.part(name).is_none() {
                bail!(
                    "--provider {name}: the saved plan has no {name} part (it was planned without it); re-run `orgctl plan --out PLAN` to plan {name}"
                );
            }
        }
    }
    let mut chosen: Vec<Box<dyn Provider>> = Vec::new();
    for p in providers(settings) {
        let d = p.describe();
        if !selection.wants_name(d.name) {
            continue;
        }
        // `None`: a fresh apply; else whether the saved plan has a part for it.
        let has_part = saved.as_ref().map(|s| s.part(d.name).is_some());
        match (has_part, (d.configured)(org)) {
            (Some(true), false) => bail!(
                "the saved plan changes {} but org.yaml has no {} any more: re-run `orgctl plan --out PLAN`",
                d.title,
                d.configured_by
            ),
            (Some(false), true) => eprintln!(
                "note: the saved plan has no {} part: this apply leaves {} as it is",
                d.title, d.live
            ),
            (None | Some(true), true) => chosen.push(p),
            (None | Some(false), false) => {}
        }
    }
    if chosen.is_empty() {
        if saved.is_some() {
            bail!(
                "nothing to apply: the saved plan has no part for the selected providers, or org.yaml no longer configures them"
            );
        }
        bail!("nothing to apply: {}", nothing_selected(org));
    }

    // The plan executed is always the one the files and live state produce now; a saved plan
    // must be exactly that plan: its fingerprints are checked here (each provider's desired
    // one before that provider reads anything live), its content below.
    let max_removals = org.spec.limits.max_removals;
    let policy = Policy {
        targets: saved
            .as_ref()
            .map(|p| p.targets.clone())
            .unwrap_or_default(),
    };
    let account = chosen.iter().find_map(|p| p.account(org));
    let mut plan = Plan::new(account.as_deref().unwrap_or(&org.spec.name), max_removals);
    // Each provider's changes before `--target` (its guard judges a selection against them).
    let mut planned: Vec<Vec<Change>> = Vec::new();
    for p in &mut chosen {
        let d = p.describe();
        let saved_part = saved.as_ref().and_then(|s| s.part(d.name));
        if let (Some(saved_part), Some(plan)) = (saved_part, &saved) {
            if let Some(account) = p.account(org) {
                if !plan.org.eq_ignore_ascii_case(&account) {
                    bail!(
                        "the saved plan is for organisation `{}` but org.yaml manages `{account}`: re-run `orgctl plan --out PLAN` from these org files",
                        plan.org
                    );
                }
            }
            let now = p.desired_fingerprint(org, today).unwrap_or_default();
            if saved_part.desired_fingerprint != now {
                return Err(stale(
                    d.desired,
                    &format!("{} desired-state", d.title),
                    &saved_part.desired_fingerprint,
                    &now,
                ));
            }
        }
        let part = p.plan(org, today).await?;
        if let Some(saved_part) = saved_part {
            let now = &part.origin.observed_fingerprint;
            if saved_part.observed_fingerprint != *now {
                return Err(stale(
                    d.live,
                    &format!("{} observed-state", d.title),
                    &saved_part.observed_fingerprint,
                    now,
                ));
            }
        }
        planned.push(part.changes.clone());
        plan.add_part(part, &policy);
    }
    if let (Some(saved), Some(path)) = (&saved, &args.plan) {
        // Providers left out of the selection are neither compared nor executed.
        let mut compared = saved.clone();
        let chosen_names: Vec<&str> = chosen.iter().map(|p| p.describe().name).collect();
        compared
            .changes
            .retain(|c| chosen_names.contains(&c.address.provider.as_str()));
        compared
            .parts
            .retain(|part| chosen_names.contains(&part.provider.as_str()));
        compared.removals = crate::plan::removals(&compared.changes);
        if account.is_none() {
            compared.org.clone_from(&plan.org);
        }
        if let Some(why) = compared.binding_mismatch(&plan) {
            return Err(altered(path, &why));
        }
    }
    let targets = if selection.target.is_empty() {
        plan.targets.clone()
    } else {
        selection.target.clone()
    };
    if saved.is_some() && !plan.targets.is_empty() {
        eprintln!(
            "note: the saved plan was made with --target {}: only those changes and the creations they need are applied",
            plan.targets.join(" --target ")
        );
    }
    let selection = applying::select(&plan, &selection.target);
    let changes = selection.changes.clone();
    let mut shown = plan.clone();
    shown.targets = targets;
    shown.changes = changes.clone();
    shown.removals = crate::plan::removals(&changes);
    out.text(&human(&shown, &catalog(), global.color(out.is_terminal())))?;
    for a in &selection.added_for_targets {
        out.line(&format!(
            "note: also applying {a}: the targeted changes need it"
        ));
    }

    // Guards, every one before the first write: the removal limit, then each provider's.
    let mut refusals: Vec<String> =
        crate::apply::guard::removal_limit(&changes, max_removals, args.allow_removals)
            .iter()
            .map(ToString::to_string)
            .collect();
    let own = |changes: &[Change], name: &str| -> Vec<Change> {
        changes
            .iter()
            .filter(|c| c.address.provider == name)
            .cloned()
            .collect()
    };
    for (p, all) in chosen.iter().zip(&planned) {
        refusals.extend(p.guard(all, &own(&changes, p.describe().name)));
    }
    if !refusals.is_empty() {
        let list: Vec<String> = refusals.iter().map(|r| format!("  - {r}")).collect();
        bail!("apply refused before any change:\n{}", list.join("\n"));
    }

    let started_at = jiff::Timestamp::now();
    let mut report = ApplyReport::default();
    if !changes.is_empty() {
        if args.plan.is_none() && !args.auto_approve {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "refusing to apply without confirmation: stdin is not a terminal. Review the plan above, then run `orgctl apply --auto-approve` (CI), or save it with `orgctl plan --out plan.json` and run `orgctl apply plan.json`"
                );
            }
            let providers: Vec<&str> = chosen.iter().map(|p| p.describe().name).collect();
            let subject = catalog().subject(&providers, &plan.org);
            if !confirm(&crate::render::text::terminal_safe(&subject))? {
                bail!("apply cancelled: nothing was changed");
            }
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(changes.len() as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed_precise} {wide_msg}")
            {
                bar.set_style(style);
            }
            *out.bar.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar);
        }
        let bar = out.bar.clone();
        let line_out = out.clone();
        let mut on_progress = move |p: Progress<'_>| {
            let guard = bar.lock().unwrap_or_else(PoisonError::into_inner);
            match p {
                Progress::Started { change, .. } => {
                    if let Some(b) = guard.as_ref() {
                        b.set_message(change.address.to_string());
                    }
                }
                Progress::Finished { result, .. } => {
                    if let Some(b) = guard.as_ref() {
                        b.inc(1);
                    }
                    drop(guard);
                    line_out.line(&progress_line(result));
                }
            }
        };
        // Each provider runs its changes; a stop (GitHub's rate limit) ends only its own run.
        for p in &chosen {
            let mine = own(&changes, p.describe().name);
            if mine.is_empty() {
                continue;
            }
            let part = p.apply(&mine, &mut on_progress).await;
            report.extend(part);
        }
        if let Some(b) = out
            .bar
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            b.finish_and_clear();
        }
        out.line("");
        out.text(&crate::render::text::terminal_safe(&closing(&report)))?;
    }
    let finished_at = jiff::Timestamp::now();
    for p in &chosen {
        if let Some(line) = p.requests() {
            eprintln!("{line}");
        }
    }

    let record = audit::record(
        AuditMeta {
            org: plan.org.clone(),
            actor: chosen.iter().find_map(|p| p.actor()),
            started_at,
            finished_at,
            // A saved plan is recorded as the file it is (its digest, its maker).
            plan: PlanRef::of(
                saved.as_ref().unwrap_or(&plan),
                args.plan.as_ref().map(|p| p.display().to_string()),
            ),
        },
        &report,
    );
    let json = record.to_json();
    if let Some(path) = &args.audit {
        super::output::write_file(path, json.as_bytes())
            .with_context(|| format!("writing the audit record {}", path.display()))?;
    }
    if args.format == Format::Json {
        print(&json)?;
    }
    Ok(if report.is_complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}
