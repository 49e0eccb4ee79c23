//! The audit record of an apply: versioned JSON that CI keeps as an artifact.
//!
//! One entry per planned change: its address, action, state before and after (the plan's own
//! values, so the plan's redaction applies: an email recipient with a private address is
//! `person <redacted>`, never the address), the outcome and every HTTP exchange made for it
//! (method, path, status, start time, duration). Built by a pure function from the report;
//! the times come from the shell. Documented in `docs/apply.md`.

use super::Exchange;
use super::{ApplyReport, ApplySummary, Outcome};
use crate::plan::{Action, Address, Plan, Resource};
use serde::Serialize;

/// Version of the audit record format written by this build. Version 2: the plan's
/// fingerprints per provider (`plan.parts`) and plan format 3's addresses and resources.
pub const AUDIT_FORMAT_VERSION: u32 = 2;

/// Which plan was executed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRef {
    /// `saved` (`orgctl apply plan.json`) or `fresh` (planned by this apply).
    pub source: &'static str,
    /// The saved plan's file name, for `saved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Each provider's target and desired- and observed-state fingerprints.
    pub parts: Vec<crate::plan::PartOrigin>,
    /// The orgctl version that made the plan.
    pub orgctl_version: String,
    /// The executed plan's content digest ([`Plan::content_digest`]): a saved plan's own, since
    /// apply refuses one that differs from the plan it recomputes.
    pub digest: String,
}

impl PlanRef {
    /// The reference of `plan`, saved in `file` or made by this apply (`None`).
    pub fn of(plan: &Plan, file: Option<String>) -> PlanRef {
        PlanRef {
            source: if file.is_some() { "saved" } else { "fresh" },
            file,
            parts: plan.parts.clone(),
            orgctl_version: plan.orgctl_version.clone(),
            digest: plan.content_digest(),
        }
    }
}

/// One change in the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditChange {
    /// The address as printed (`github_team_member.infra["alice"]`).
    pub address: String,
    /// The address as data.
    pub resource: Address,
    /// Create, update or delete.
    pub action: Action,
    /// State before (absent for a create).
    pub before: Option<Resource>,
    /// State after (absent for a delete).
    pub after: Option<Resource>,
    /// Applied, failed (with `error`) or skipped (with `reason`).
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Remarks (`invitation pending`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Every HTTP exchange made for this change, in order.
    pub requests: Vec<Exchange>,
}

/// The audit record of one apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// [`AUDIT_FORMAT_VERSION`].
    pub audit_format_version: u32,
    /// The orgctl version that applied.
    pub orgctl_version: String,
    /// The GitHub organisation.
    pub org: String,
    /// The token's account, when known.
    pub actor: Option<String>,
    /// When apply started writing.
    pub started_at: jiff::Timestamp,
    /// When it finished.
    pub finished_at: jiff::Timestamp,
    /// The plan executed.
    pub plan: PlanRef,
    /// Whether every change was applied.
    pub complete: bool,
    /// Counts.
    pub summary: ApplySummary,
    /// Why the run stopped before its last change, when it did (`by GitHub's rate limit`), and
    /// when to run it again; the changes after it are `skipped` as not attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<AuditStop>,
    /// Every change, in execution order.
    pub changes: Vec<AuditChange>,
}

/// Why an apply stopped early, in the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditStop {
    /// `by GitHub's rate limit`.
    pub why: String,
    /// `after 2026-11-26T03:46:40Z`.
    pub again: String,
}

/// Where and when an apply ran (the shell's part of the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditMeta {
    /// The organisation.
    pub org: String,
    /// The token's account.
    pub actor: Option<String>,
    /// Start time.
    pub started_at: jiff::Timestamp,
    /// End time.
    pub finished_at: jiff::Timestamp,
    /// The plan.
    pub plan: PlanRef,
}

/// Builds the record. Pure.
pub fn record(meta: AuditMeta, report: &ApplyReport) -> AuditRecord {
    AuditRecord {
        audit_format_version: AUDIT_FORMAT_VERSION,
        orgctl_version: env!("CARGO_PKG_VERSION").to_string(),
        org: meta.org,
        actor: meta.actor,
        started_at: meta.started_at,
        finished_at: meta.finished_at,
        plan: meta.plan,
        complete: report.is_complete(),
        summary: report.summary(),
        stopped: report.stopped.as_ref().map(|s| AuditStop {
            why: s.why.clone(),
            again: s.again.clone(),
        }),
        changes: report
            .results
            .iter()
            .map(|r| AuditChange {
                address: r.change.address.to_string(),
                resource: r.change.address.clone(),
                action: r.change.action,
                before: r.change.before.clone(),
                after: r.change.after.clone(),
                outcome: r.outcome.clone(),
                notes: r.notes.clone(),
                requests: r.exchanges.clone(),
            })
            .collect(),
    }
}

impl AuditRecord {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
