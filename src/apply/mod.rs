//! Applying a [`Plan`]: the provider-independent engine. Pure.
//!
//! * [`select`]: the changes to run (`--target`, plus the team creations they need).
//! * [`guard`]: the removal limit every provider shares (too many removals without
//!   `--allow-removals N`); each provider adds its own refusals (`github/guard.rs`).
//! * [`ChangeResult`], [`ApplyReport`], [`Progress`], [`Exchange`]: what providers report, in
//!   one vocabulary; [`summary_line`] says it. The GitHub provider executes its changes
//!   (`github/execute.rs`), then the email provider writes its aliases and reports them as
//!   results of the same kind (`email/results.rs`); `crate::cli::apply` reads the live
//!   state, prints and asks.
//! * [`audit`]: the versioned JSON record of every write.

pub mod audit;
pub mod guard;

use crate::plan::{Action, Address, Change, Plan, Policy};
use serde::Serialize;

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Written (or found already done, e.g. a DELETE answered 404).
    Applied,
    /// The write failed; the error names the endpoint and, where known, the fix.
    Failed {
        /// The error.
        error: String,
    },
    /// Not attempted.
    Skipped {
        /// Why (a team it needs was not created, the run stopped).
        reason: String,
    },
}

/// One change and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeResult {
    /// The planned change.
    pub change: Change,
    /// Applied, failed or skipped.
    pub outcome: Outcome,
    /// Remarks (`invitation pending`, `removed the token's account from the new team`).
    pub notes: Vec<String>,
    /// The HTTP exchanges made for it.
    pub exchanges: Vec<Exchange>,
}

impl ChangeResult {
    /// `change` failed with `error` before any request was made for it.
    pub fn failed(change: &Change, error: &str) -> ChangeResult {
        ChangeResult {
            change: change.clone(),
            outcome: Outcome::Failed {
                error: error.to_string(),
            },
            notes: Vec::new(),
            exchanges: Vec::new(),
        }
    }

    /// Total time of its HTTP exchanges, in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        self.exchanges.iter().map(|e| e.duration_ms).sum()
    }

    /// The last status answered to its main write (the first request's method and path; a
    /// team creation's later removal of the token's account does not count).
    pub fn status(&self) -> Option<u16> {
        let first = self.exchanges.first()?;
        self.exchanges
            .iter()
            .filter(|e| e.method == first.method && e.path == first.path)
            .filter_map(|e| e.status)
            .next_back()
    }
}

/// Why an apply stopped before its last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// `by GitHub's rate limit`.
    pub why: String,
    /// When or how to run apply again (`after 2026-11-26T03:46:40Z`).
    pub again: String,
}

/// The result of an apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Every change, in execution order.
    pub results: Vec<ChangeResult>,
    /// Set when the run stopped early (the changes after it are skipped, not attempted).
    pub stopped: Option<Stopped>,
}

/// Counts of an apply, for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ApplySummary {
    /// Creates applied.
    pub added: usize,
    /// Updates applied.
    pub changed: usize,
    /// Deletes applied.
    pub destroyed: usize,
    /// Changes that failed.
    pub failed: usize,
    /// Changes not attempted.
    pub skipped: usize,
}

impl ApplyReport {
    /// Counts by action and outcome.
    pub fn summary(&self) -> ApplySummary {
        let mut s = ApplySummary::default();
        for r in &self.results {
            match (&r.outcome, r.change.action) {
                (Outcome::Applied, Action::Create) => s.added += 1,
                (Outcome::Applied, Action::Update) => s.changed += 1,
                (Outcome::Applied, Action::Delete) => s.destroyed += 1,
                (Outcome::Failed { .. }, _) => s.failed += 1,
                (Outcome::Skipped { .. }, _) => s.skipped += 1,
            }
        }
        s
    }

    /// Whether every change was applied.
    pub fn is_complete(&self) -> bool {
        self.results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Applied))
    }

    /// Appends another report (email after GitHub).
    pub fn extend(&mut self, other: ApplyReport) {
        self.results.extend(other.results);
        if self.stopped.is_none() {
            self.stopped = other.stopped;
        }
    }
}

/// `Apply complete: X added, Y changed, Z destroyed.`, or the failure summary. Pure.
pub fn summary_line(report: &ApplyReport) -> String {
    let s = report.summary();
    let counts = format!(
        "{} added, {} changed, {} destroyed",
        s.added, s.changed, s.destroyed
    );
    if let Some(stopped) = &report.stopped {
        format!(
            "Apply stopped {}: {counts}; {} failed, {} not attempted. Run apply again {}: it continues where this run stopped.",
            stopped.why, s.failed, s.skipped, stopped.again
        )
    } else if report.is_complete() {
        format!("Apply complete: {counts}.")
    } else {
        format!(
            "Apply incomplete: {counts}; {} failed, {} skipped. Fix the causes below and run apply again: it continues where this run stopped.",
            s.failed, s.skipped
        )
    }
}

/// A change chosen for this run, with why when it was not asked for directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The changes to run, in plan order.
    pub changes: Vec<Change>,
    /// Addresses added because a targeted change needs them.
    pub added_for_targets: Vec<Address>,
}

/// The changes of `plan` that `targets` select (all when empty, matched like `plan --target`),
/// plus the creations the selected changes need ([`Change::needs`]: a member's team, a team's
/// parent), in plan order. Pure.
pub fn select(plan: &Plan, targets: &[String]) -> Selection {
    let policy = Policy {
        targets: targets.to_vec(),
    };
    let (chosen, added) = policy.choose(&plan.changes);
    let added = added
        .into_iter()
        .map(|j| plan.changes[j].address.clone())
        .collect();
    Selection {
        changes: plan
            .changes
            .iter()
            .zip(chosen)
            .filter(|(_, c)| *c)
            .map(|(c, _)| c.clone())
            .collect(),
        added_for_targets: added,
    }
}

/// One request a provider made for a change (HTTP: method, path, status), for audit records.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Path (and query) of the request.
    pub path: String,
    /// Status answered; `None` when no answer came (timeout, connection error).
    pub status: Option<u16>,
    /// GitHub's message for an unsuccessful answer, or the transport error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the request was sent.
    pub started_at: jiff::Timestamp,
    /// How long the answer took, in milliseconds.
    pub duration_ms: u64,
}

/// Progress of an execution, for the command line.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Change number `index` (0-based) of `total` starts.
    Started {
        /// Position.
        index: usize,
        /// Number of changes.
        total: usize,
        /// The change.
        change: &'a Change,
    },
    /// Change number `index` is done.
    Finished {
        /// Position.
        index: usize,
        /// Number of changes.
        total: usize,
        /// What happened.
        result: &'a ChangeResult,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(slug: &str, parent: Option<&str>) -> Change {
        Change {
            address: Address::named("p", "team", slug),
            action: Action::Create,
            before: None,
            after: None,
            reason: None,
            needs: parent
                .map(|p| Address::named("p", "team", p))
                .into_iter()
                .collect(),
        }
    }

    fn member(slug: &str, login: &str) -> Change {
        Change {
            address: Address::named_indexed("p", "team_member", slug, login),
            action: Action::Create,
            before: None,
            after: None,
            reason: None,
            needs: vec![Address::named("p", "team", slug)],
        }
    }

    fn plan(changes: Vec<Change>) -> Plan {
        let mut p = Plan::new("acme", 5);
        p.changes = changes;
        p
    }

    #[test]
    fn targets_bring_the_creations_they_need() {
        let p = plan(vec![
            team("eng", None),
            team("web", Some("eng")),
            team("ops", None),
            member("web", "alice"),
            member("ops", "bob"),
        ]);
        let s = select(&p, &["p_team_member.web[\"alice\"]".to_string()]);
        let got: Vec<String> = s.changes.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(
            got,
            ["p_team.eng", "p_team.web", "p_team_member.web[\"alice\"]"]
        );
        assert_eq!(s.added_for_targets.len(), 2);
        assert_eq!(select(&p, &[]).changes.len(), 5);
    }
}
