//! Apply bookkeeping every backend shares: the options, the refusals before any write (stale
//! plan, conflicts, drift), pairing desired recipients with their resolved addresses, and the
//! report of what was written ([`ApplyReport`], one [`Applied`] per alias).

use super::expand::{AliasTable, Recipient};
use super::plan::{Action, EmailPlan, Observed, resource};
use super::{EmailError, Resolved};
use serde::Serialize;
use std::collections::BTreeMap;

/// The note of an alias rewritten outside the plan because a private address changed value
/// while its reference stayed the same (plan cannot see it; apply, holding the values, can).
pub(crate) const PRIVATE_ADDRESS_CHANGED: &str = "private address changed";

/// Flags of apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Overwrite hand edits (drift) instead of refusing.
    pub allow_drift: bool,
}

/// One write (or attempted write) of an apply, for the summary and the audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// `email_alias["..."]`.
    pub resource: String,
    /// What was done.
    pub action: Action,
    /// Why, when it was not in the plan (`private address changed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The error, when this write failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The HTTP writes made for it (Mailgun), for `orgctl apply`'s audit record; not part of
    /// `orgctl email`'s JSON.
    #[serde(skip)]
    pub exchanges: Vec<crate::apply::Exchange>,
}

/// What an apply did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyReport {
    /// Each alias written, in order.
    pub applied: Vec<Applied>,
    /// Backend notes (backup file kept, `postmap` run, requests made).
    pub notes: Vec<String>,
}

impl ApplyReport {
    /// Whether any write failed.
    pub fn failed(&self) -> bool {
        self.applied.iter().any(|a| a.error.is_some())
    }

    /// `Apply complete: X added, Y changed, Z destroyed.`, or, when any write failed,
    /// `Apply incomplete: ...; N failed. ...` (failed writes are not counted as done).
    pub fn summary(&self) -> String {
        let ok = |act: Action| {
            self.applied
                .iter()
                .filter(|a| a.error.is_none() && a.action == act)
                .count()
        };
        let counts = format!(
            "{} added, {} changed, {} destroyed",
            ok(Action::Create),
            ok(Action::Update),
            ok(Action::Delete)
        );
        let failed = self.applied.iter().filter(|a| a.error.is_some()).count();
        if failed == 0 {
            format!("Apply complete: {counts}.")
        } else {
            format!(
                "Apply incomplete: {counts}; {failed} failed. Fix the causes above and run apply again."
            )
        }
    }

    /// Records one write of alias `address`: `note` says why when it was not planned, `error`
    /// why it failed.
    pub(crate) fn record(
        &mut self,
        address: &str,
        action: Action,
        note: Option<String>,
        error: Option<String>,
    ) {
        self.applied.push(Applied {
            resource: resource(address),
            action,
            note,
            error,
            exchanges: Vec::new(),
        });
    }

    /// Attaches the HTTP writes made for the write recorded last.
    pub(crate) fn exchanges(&mut self, exchanges: Vec<crate::apply::Exchange>) {
        if let Some(last) = self.applied.last_mut() {
            last.exchanges = exchanges;
        }
    }

    /// Adds a backend note (a file written, a program run, requests made).
    pub(crate) fn note(&mut self, note: String) {
        self.notes.push(note);
    }
}

/// The refusals before any write: the server changed since the plan ([`EmailError::Stale`]),
/// an alias is also defined outside orgctl's control, or there is drift and `options` does not
/// allow overwriting it. `observed` is what the backend read just now.
pub(crate) fn refuse_unsafe(
    plan: &EmailPlan,
    observed: &Observed,
    options: ApplyOptions,
) -> Result<(), EmailError> {
    if observed.fingerprint != plan.observed_fingerprint {
        return Err(EmailError::Stale);
    }
    let conflicts = super::plan::conflicts(&plan.desired, &observed.unmanaged);
    if !conflicts.is_empty() {
        return Err(EmailError::Conflict(conflicts));
    }
    if !observed.drift.is_empty() && !options.allow_drift {
        return Err(EmailError::Drift(observed.drift.clone()));
    }
    Ok(())
}

/// The planned action of each alias address the plan changes.
pub(crate) fn planned(plan: &EmailPlan) -> BTreeMap<&str, Action> {
    plan.changes
        .iter()
        .map(|c| (c.address.as_str(), c.action))
        .collect()
}

/// A desired alias with every recipient's real address, for writers. Lives only inside apply.
pub(crate) struct ResolvedAlias<'a> {
    /// Alias address.
    pub address: &'a str,
    /// (recipient, real address) in table order.
    pub recipients: Vec<(&'a Recipient, &'a str)>,
}

/// Pairs each desired recipient with its real address; an unresolved secret or an address that
/// cannot be written safely is an error (no write has happened yet when this runs).
pub(crate) fn resolve_table<'a>(
    desired: &'a AliasTable,
    secrets: &'a Resolved,
) -> Result<Vec<ResolvedAlias<'a>>, EmailError> {
    let mut out = Vec::new();
    for (address, rs) in desired {
        if !crate::validate::looks_like_address(address) {
            return Err(EmailError::Invalid(format!(
                "alias `{address}` is not a valid address"
            )));
        }
        let mut recipients = Vec::new();
        for r in rs {
            let Some(real) = secrets.address(r) else {
                return Err(EmailError::Invalid(format!(
                    "{}: recipient {r} has no resolved address",
                    resource(address)
                )));
            };
            if !crate::validate::looks_like_address(real) {
                return Err(EmailError::Invalid(format!(
                    "{}: recipient {r} is not a valid address",
                    resource(address)
                )));
            }
            recipients.push((r, real));
        }
        out.push(ResolvedAlias {
            address,
            recipients,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_says_when_a_write_failed() {
        let write = |action, error: Option<&str>| Applied {
            resource: resource("a@x.org"),
            action,
            note: None,
            error: error.map(str::to_string),
            exchanges: Vec::new(),
        };
        let mut report = ApplyReport {
            applied: vec![write(Action::Create, None), write(Action::Update, None)],
            notes: Vec::new(),
        };
        assert_eq!(
            report.summary(),
            "Apply complete: 1 added, 1 changed, 0 destroyed."
        );
        report
            .applied
            .push(write(Action::Create, Some("POST /v3/routes: HTTP 400")));
        assert_eq!(
            report.summary(),
            "Apply incomplete: 1 added, 1 changed, 0 destroyed; 1 failed. Fix the causes above and run apply again."
        );
    }
}
