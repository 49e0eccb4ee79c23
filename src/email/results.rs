//! The email provider's part of an apply: the `email_alias` changes of a plan, written by the email backend
//! (`crate::email::apply`) after the GitHub changes, reported like them.
//!
//! Pure conversions between the backend's [`crate::email::ApplyReport`] and [`ChangeResult`]s.
//! A backend writes its whole table at once (the Postfix map is one file), so a `--target` must
//! select every email change or none.

use super::changes::{alias_address, is_email};
use crate::apply::{ChangeResult, Outcome};
use crate::email;
use crate::plan::Change;

/// Why the selected email changes cannot be applied as selected, if they cannot. Pure.
pub fn partial_selection(plan: &[Change], selected: &[Change]) -> Option<String> {
    let all = plan.iter().filter(|c| is_email(c)).count();
    let chosen = selected.iter().filter(|c| is_email(c)).count();
    (chosen > 0 && chosen < all).then(|| {
        format!(
            "--target selects {chosen} of the plan's {all} email alias changes, but the email backend writes every alias at once: target `email_alias` (all of them) or none"
        )
    })
}

/// The results of the email changes after the backend applied them (`Ok`) or refused (`Err`,
/// before any write). Writes the backend made that the plan did not list (a private address
/// whose value changed) are added with their note. Pure.
pub fn results(
    changes: &[Change],
    outcome: Result<&email::ApplyReport, String>,
) -> Vec<ChangeResult> {
    let email_changes: Vec<&Change> = changes.iter().filter(|c| is_email(c)).collect();
    let report = match outcome {
        Err(error) => {
            return email_changes
                .into_iter()
                .map(|c| ChangeResult::failed(c, &error))
                .collect();
        }
        Ok(r) => r,
    };
    let mut out: Vec<ChangeResult> = email_changes
        .iter()
        .map(|c| {
            let written = report
                .applied
                .iter()
                .find(|a| a.resource == c.address.to_string());
            ChangeResult {
                change: (*c).clone(),
                outcome: match written.and_then(|a| a.error.clone()) {
                    Some(error) => Outcome::Failed { error },
                    None => Outcome::Applied,
                },
                notes: written.and_then(|a| a.note.clone()).into_iter().collect(),
                exchanges: written.map(|a| a.exchanges.clone()).unwrap_or_default(),
            }
        })
        .collect();
    for a in &report.applied {
        if email_changes
            .iter()
            .any(|c| c.address.to_string() == a.resource)
        {
            continue;
        }
        let address = a
            .resource
            .strip_prefix("email_alias[\"")
            .and_then(|s| s.strip_suffix("\"]"))
            .unwrap_or(&a.resource)
            .to_string();
        out.push(ChangeResult {
            change: Change {
                address: alias_address(&address),
                action: a.action,
                before: None,
                after: None,
                reason: a.note.clone(),
                needs: Vec::new(),
            },
            outcome: match &a.error {
                Some(error) => Outcome::Failed {
                    error: error.clone(),
                },
                None => Outcome::Applied,
            },
            notes: a.note.clone().into_iter().collect(),
            exchanges: a.exchanges.clone(),
        });
    }
    if let Some(first) = out.first_mut() {
        first.notes.extend(report.notes.iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Resource};

    fn alias(a: &str, action: Action) -> Change {
        Change {
            address: alias_address(a),
            action,
            before: None,
            after: Some(Resource::new().with("recipients", ["bob <redacted>"])),
            reason: None,
            needs: Vec::new(),
        }
    }

    #[test]
    fn reports_map_onto_changes() {
        let changes = vec![
            alias("a@x.org", Action::Create),
            alias("b@x.org", Action::Update),
        ];
        let report = email::ApplyReport {
            applied: vec![
                email::Applied {
                    resource: "email_alias[\"a@x.org\"]".into(),
                    action: Action::Create,
                    note: None,
                    error: None,
                    exchanges: Vec::new(),
                },
                email::Applied {
                    resource: "email_alias[\"b@x.org\"]".into(),
                    action: Action::Update,
                    note: None,
                    error: Some("HTTP 500".into()),
                    exchanges: Vec::new(),
                },
                email::Applied {
                    resource: "email_alias[\"c@x.org\"]".into(),
                    action: Action::Update,
                    note: Some("private address changed".into()),
                    error: None,
                    exchanges: Vec::new(),
                },
            ],
            notes: vec!["ran postmap".into()],
        };
        let r = results(&changes, Ok(&report));
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].outcome, Outcome::Applied);
        assert_eq!(r[0].notes, ["ran postmap"]);
        assert!(matches!(r[1].outcome, Outcome::Failed { .. }));
        assert_eq!(r[2].change.address.to_string(), "email_alias[\"c@x.org\"]");
        let refused = results(&changes, Err("drift".into()));
        assert!(
            refused
                .iter()
                .all(|c| matches!(c.outcome, Outcome::Failed { .. }))
        );
        assert!(partial_selection(&changes, &changes[..1]).is_some());
        assert_eq!(partial_selection(&changes, &changes), None);
        assert_eq!(partial_selection(&changes, &[]), None);
    }
}
