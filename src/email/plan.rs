//! The email part of a plan: desired vs observed alias tables → ordered `email_alias[...]` changes.
//!
//! Pure. [`diff`] compares recipient lists by [`Recipient::key`], so a private recipient is
//! "unchanged" when the observed side attributes an address to the same person and reference
//! (see the marker scheme in the `email` module doc), without resolving any secret.

use super::expand::{AliasTable, Recipient, RecipientKey};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a change does: the same actions as every other plan change.
pub use crate::plan::Action;

/// One planned change of resource `email_alias["<address>"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasChange {
    /// The alias address (lowercase).
    pub address: String,
    /// Create, update or delete.
    pub action: Action,
    /// Recipients before (observed), sorted.
    pub before: Vec<Recipient>,
    /// Recipients after (desired), sorted; empty for a delete.
    pub after: Vec<Recipient>,
}

impl AliasChange {
    /// The resource address in plan output: `email_alias["infra@nixos.org"]`.
    pub fn resource(&self) -> String {
        resource(&self.address)
    }

    /// Recipients in `after` but not in `before`, sorted.
    pub fn added(&self) -> Vec<&Recipient> {
        let before: BTreeSet<RecipientKey> = self.before.iter().map(Recipient::key).collect();
        self.after
            .iter()
            .filter(|r| !before.contains(&r.key()))
            .collect()
    }

    /// Recipients in `before` but not in `after`, sorted.
    pub fn removed(&self) -> Vec<&Recipient> {
        let after: BTreeSet<RecipientKey> = self.after.iter().map(Recipient::key).collect();
        self.before
            .iter()
            .filter(|r| !after.contains(&r.key()))
            .collect()
    }
}

/// The resource address of an alias: `email_alias["infra@nixos.org"]`.
pub fn resource(address: &str) -> String {
    format!(
        "email_alias[{}]",
        serde_json::Value::String(address.to_string())
    )
}

/// Something on the server that differs from what orgctl last wrote there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The alias concerned, when the drift is about one alias.
    pub address: Option<String>,
    /// What was found, without any address in it (e.g. "entry edited by hand since the last
    /// apply (line 12)").
    pub message: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.address {
            Some(a) => write!(f, "{}: {}", resource(a), self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a backend read from the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The aliases orgctl manages there, with secret recipients attributed by their digests.
    pub table: AliasTable,
    /// Hand edits since the last apply. Apply refuses to overwrite them unless allowed.
    pub drift: Vec<Drift>,
    /// Addresses the server also serves outside orgctl's control (a map line outside the
    /// block, a route without the marker) → where, e.g. `line 3 of /etc/postfix/virtual`.
    /// A desired alias among them is a conflict that blocks apply.
    pub unmanaged: BTreeMap<String, String>,
    /// SHA-256 of the managed state as read, so apply can refuse a plan made on older state.
    pub fingerprint: String,
}

impl Observed {
    /// Replaces observed addresses that appear nowhere in `known` (lowercase addresses the org
    /// files make public, plus every desired address) by [`Recipient::Unlisted`], so plan
    /// output never shows an address that may be private.
    pub fn redact_unlisted(&mut self, known: &BTreeSet<String>) {
        for rs in self.table.values_mut() {
            for r in rs.iter_mut() {
                if let Some(a) = r.address() {
                    if !known.contains(&a.to_lowercase()) {
                        *r = Recipient::Unlisted {
                            digest: super::digest::unlisted(a),
                        };
                    }
                }
            }
            *rs = super::expand::normalize(std::mem::take(rs));
        }
    }
}

/// Diffs `desired` against `actual`: one change per alias that differs, ordered by address.
pub fn diff(desired: &AliasTable, actual: &AliasTable) -> Vec<AliasChange> {
    let mut out = Vec::new();
    let addresses: BTreeSet<&String> = desired.keys().chain(actual.keys()).collect();
    for address in addresses {
        let change = match (desired.get(address), actual.get(address)) {
            (Some(after), None) => Some((Action::Create, Vec::new(), after.clone())),
            (None, Some(before)) => Some((Action::Delete, before.clone(), Vec::new())),
            (Some(after), Some(before)) => {
                let a: Vec<RecipientKey> = after.iter().map(Recipient::key).collect();
                let b: Vec<RecipientKey> = before.iter().map(Recipient::key).collect();
                let (a, b): (BTreeSet<_>, BTreeSet<_>) =
                    (a.into_iter().collect(), b.into_iter().collect());
                (a != b).then(|| (Action::Update, before.clone(), after.clone()))
            }
            (None, None) => None,
        };
        if let Some((action, before, after)) = change {
            out.push(AliasChange {
                address: address.clone(),
                action,
                before,
                after,
            });
        }
    }
    out
}

/// Desired aliases the server also serves outside orgctl's control: apply refuses them.
pub fn conflicts(desired: &AliasTable, unmanaged: &BTreeMap<String, String>) -> Vec<Drift> {
    desired
        .keys()
        .filter_map(|a| {
            unmanaged.get(a).map(|at| Drift {
                address: Some(a.clone()),
                message: format!("also defined outside orgctl's control ({at}); remove it there so mail is not delivered twice or lost"),
            })
        })
        .collect()
}

/// Counts of a plan, Terraform-style.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Aliases to create.
    pub add: usize,
    /// Aliases to update.
    pub change: usize,
    /// Aliases to delete.
    pub destroy: usize,
}

impl Summary {
    /// Counts `changes`.
    pub fn of(changes: &[AliasChange]) -> Summary {
        let mut s = Summary::default();
        for c in changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Plan: {} to add, {} to change, {} to destroy.",
            self.add, self.change, self.destroy
        )
    }
}

/// A complete email plan: what apply needs and what plan shows.
#[derive(Debug, Clone, Serialize)]
pub struct EmailPlan {
    /// Which backend, for humans (`postfix map /etc/postfix/virtual`).
    pub backend: String,
    /// The desired table (unresolved: secrets are references).
    #[serde(skip)]
    pub desired: AliasTable,
    /// The changes, ordered by address.
    pub changes: Vec<AliasChange>,
    /// Hand edits found on the server.
    pub drift: Vec<Drift>,
    /// Problems that block apply.
    pub conflicts: Vec<Drift>,
    /// Fingerprint of the observed state the plan was made against.
    pub observed_fingerprint: String,
    /// Declared aliases left out because nobody currently receives their mail.
    pub empty_aliases: Vec<String>,
}

impl EmailPlan {
    /// Builds the plan from the desired table and what a backend observed. `known` are the
    /// addresses the org files make public ([`super::public_addresses`]); others are redacted.
    pub fn new(
        backend: String,
        desired: AliasTable,
        mut observed: Observed,
        known: &BTreeSet<String>,
    ) -> EmailPlan {
        let mut known = known.clone();
        known.extend(
            desired
                .values()
                .flatten()
                .filter_map(|r| r.address())
                .map(str::to_lowercase),
        );
        observed.redact_unlisted(&known);
        let changes = diff(&desired, &observed.table);
        let conflicts = conflicts(&desired, &observed.unmanaged);
        EmailPlan {
            backend,
            desired,
            changes,
            drift: observed.drift,
            conflicts,
            observed_fingerprint: observed.fingerprint,
            empty_aliases: Vec::new(),
        }
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }

    /// Changes keyed by address.
    pub fn by_address(&self) -> BTreeMap<&str, &AliasChange> {
        self.changes
            .iter()
            .map(|c| (c.address.as_str(), c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &str) -> Recipient {
        Recipient::Public(a.into())
    }

    fn s(person: &str) -> Recipient {
        Recipient::Secret {
            person: person.into(),
            reference: format!("env:{person}"),
        }
    }

    #[test]
    fn no_changes_when_equal() {
        let t = AliasTable::from([("a@x.org".into(), vec![p("m@y.org"), s("bob")])]);
        assert!(diff(&t, &t).is_empty());
    }

    #[test]
    fn create_update_delete_in_address_order() {
        let desired = AliasTable::from([
            ("b@x.org".into(), vec![p("m@y.org"), s("bob")]),
            (
                "c@x.org".into(),
                vec![Recipient::External("n@y.org".into())],
            ),
        ]);
        let actual = AliasTable::from([
            ("a@x.org".into(), vec![p("m@y.org")]),
            ("b@x.org".into(), vec![p("m@y.org"), s("carol")]),
            ("c@x.org".into(), vec![p("N@y.org")]),
        ]);
        let changes = diff(&desired, &actual);
        let shown: Vec<String> = changes
            .iter()
            .map(|c| {
                let add: Vec<String> = c.added().iter().map(|r| r.to_string()).collect();
                let rem: Vec<String> = c.removed().iter().map(|r| r.to_string()).collect();
                format!("{} {} +{add:?} -{rem:?}", c.action.symbol(), c.resource())
            })
            .collect();
        assert_eq!(
            shown,
            [
                "- email_alias[\"a@x.org\"] +[] -[\"m@y.org\"]",
                "~ email_alias[\"b@x.org\"] +[\"bob <redacted>\"] -[\"carol <redacted>\"]",
            ]
        );
        assert_eq!(
            Summary::of(&changes).to_string(),
            "Plan: 0 to add, 1 to change, 1 to destroy."
        );
    }

    #[test]
    fn unknown_observed_addresses_are_redacted() {
        let mut o = Observed {
            table: AliasTable::from([(
                "a@x.org".into(),
                vec![p("known@y.org"), p("private@home.example")],
            )]),
            ..Observed::default()
        };
        o.redact_unlisted(&BTreeSet::from(["known@y.org".to_string()]));
        let shown: Vec<String> = o.table["a@x.org"].iter().map(|r| r.to_string()).collect();
        assert_eq!(shown[0], "known@y.org");
        assert!(shown[1].starts_with("<unlisted address "), "{shown:?}");
        assert!(!format!("{o:?}").contains("private@"));
    }
}
