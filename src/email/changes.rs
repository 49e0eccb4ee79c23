//! The email provider's part of a plan: `email_alias["x@y"]` changes beside the GitHub
//! resources.
//!
//! Pure conversion of an [`EmailPlan`] into the core's [`Change`]s and [`Note`]s, so one plan
//! shows, saves and counts everything; the core never sees the email types. Recipients are
//! rendered with their redacting `Display`: a private address is never in a plan.

use super::{Drift, EmailPlan, Recipient};
use crate::plan::{Action, Address, Change, Note, PartOrigin, PlanPart, Resource, fingerprint};

/// The provider's name in addresses (`email_alias["x@y"]`).
pub const PROVIDER: &str = "email";

/// The address of alias `address` (`email_alias["infra@example.org"]`).
pub fn alias_address(address: &str) -> Address {
    Address::indexed(PROVIDER, "alias", address)
}

/// Whether `change` is one of the email provider's.
pub fn is_email(change: &Change) -> bool {
    change.address.provider == PROVIDER
}

/// The email plan as its part of the core plan: changes, notes and fingerprints.
pub fn plan_part(plan: &EmailPlan) -> PlanPart {
    let (changes, notes) = email_changes(plan);
    PlanPart {
        changes,
        notes,
        origin: PartOrigin {
            provider: PROVIDER.to_string(),
            target: plan.backend.clone(),
            desired_fingerprint: fingerprint(&plan.desired),
            observed_fingerprint: plan.observed_fingerprint.clone(),
        },
    }
}

/// The plan changes and notes of an email plan.
pub fn email_changes(plan: &EmailPlan) -> (Vec<Change>, Vec<Note>) {
    let recipients = |rs: &[Recipient]| {
        Resource::new().with(
            "recipients",
            rs.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        )
    };
    let changes = plan
        .changes
        .iter()
        .map(|c| {
            let action = c.action;
            Change {
                address: alias_address(&c.address),
                action,
                before: (action != Action::Create).then(|| recipients(&c.before)),
                after: (action != Action::Delete).then(|| recipients(&c.after)),
                reason: Some(format!("on {}", plan.backend)),
                needs: Vec::new(),
            }
        })
        .collect();
    let note = |d: &Drift, blocking: bool| Note {
        address: alias_address(d.address.as_deref().unwrap_or(&plan.backend)),
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
            address: alias_address(a),
            message: "nobody currently receives this alias's mail, so it is not served".into(),
        });
    }
    (changes, notes)
}
