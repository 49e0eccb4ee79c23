//! The email provider's part of a plan: `email_alias["x@y"]` changes beside the GitHub
//! resources.
//!
//! Pure conversion of an [`EmailPlan`] into the core's [`Change`]s and [`Note`]s, so one plan
//! shows, saves and counts everything; the core never sees the email types. Recipients are
//! rendered with their redacting `Display`: a private address is never in a plan.

use super::{Drift, EmailPlan, Recipient};
use crate::plan::{Action, Address, Change, Note, PlanPart, Resource, fingerprint};

/// The email plan as its part of the core plan: changes, notes and fingerprints.
pub fn plan_part(plan: &EmailPlan) -> PlanPart {
    let (changes, notes) = email_changes(plan);
    PlanPart {
        changes,
        notes,
        backend: plan.backend.clone(),
        desired_fingerprint: fingerprint(&plan.desired),
        observed_fingerprint: plan.observed_fingerprint.clone(),
    }
}

/// The plan changes and notes of an email plan.
pub fn email_changes(plan: &EmailPlan) -> (Vec<Change>, Vec<Note>) {
    let recipients = |rs: &[Recipient]| Resource::EmailAlias {
        recipients: rs.iter().map(|r| r.to_string()).collect(),
    };
    let changes = plan
        .changes
        .iter()
        .map(|c| {
            let action = c.action;
            Change {
                address: Address::EmailAlias {
                    address: c.address.clone(),
                },
                action,
                before: (action != Action::Create).then(|| recipients(&c.before)),
                after: (action != Action::Delete).then(|| recipients(&c.after)),
                reason: Some(format!("on {}", plan.backend)),
            }
        })
        .collect();
    let note = |d: &Drift, blocking: bool| Note {
        address: Address::EmailAlias {
            address: d.address.clone().unwrap_or_else(|| plan.backend.clone()),
        },
        message: if blocking {
            format!("{} (blocks apply)", d.message)
        } else {
            d.message.clone()
        },
    };
    let mut notes: Vec<Note> = plan.drift.iter().map(|d| note(d, false)).collect();
    notes.extend(plan.conflicts.iter().map(|d| note(d, true)));
    for a in &plan.empty_aliases {
        notes.push(Note {
            address: Address::EmailAlias { address: a.clone() },
            message: "nobody currently receives this alias's mail, so it is not served".into(),
        });
    }
    (changes, notes)
}
