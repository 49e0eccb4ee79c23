//! Who receives mail sent to each alias: team aliases and cross-team aliases expanded to person
//! ids and external addresses on a date (terms respected), loop-safe.
//!
//! The one expansion of aliases: reports show it as is, `crate::email` maps each person to
//! their (public or secret) address. Pure. Stage: model.

use crate::model::{Org, recipient_people};
use crate::schema::{AliasTarget, RawRecipient};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// One final recipient.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recipient {
    /// A person, by id.
    Person(String),
    /// An external address, verbatim.
    External(String),
}

/// Where an alias is declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    /// In a team file.
    Team(String),
    /// In `aliases/<id>.yaml`.
    Alias(String),
}

/// One alias and its recipients.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The address.
    pub address: String,
    /// Where it is declared.
    pub declared: Declared,
    /// Recipients, sorted and de-duplicated.
    pub recipients: BTreeSet<Recipient>,
    /// People the alias reaches who said `email: none`: left out of `recipients`, listed so
    /// reports and diffs can say who gets no mail.
    pub no_mail: BTreeSet<String>,
}

impl Expanded {
    /// An alias with `recipients` found for it, people with `email: none` set apart.
    fn new(org: &Org, address: &str, declared: Declared, found: BTreeSet<Recipient>) -> Expanded {
        let (no_mail, recipients): (BTreeSet<Recipient>, BTreeSet<Recipient>) =
            found.into_iter().partition(|r| match r {
                Recipient::Person(p) => org.people.get(p).is_some_and(|p| p.receives_no_mail()),
                Recipient::External(_) => false,
            });
        Expanded {
            address: address.to_string(),
            declared,
            recipients,
            no_mail: no_mail
                .into_iter()
                .filter_map(|r| match r {
                    Recipient::Person(p) => Some(p),
                    Recipient::External(_) => None,
                })
                .collect(),
        }
    }
}

/// Every alias of the org, by address.
pub fn expand(org: &Org, today: Date) -> BTreeMap<String, Expanded> {
    let mut out = BTreeMap::new();
    for t in org.teams.values() {
        for a in &t.spec.email {
            let mut r = BTreeSet::new();
            let teams = if a.include_subteams {
                org.subtree(&t.id)
            } else {
                vec![t.id.as_str()]
            };
            for id in teams {
                if let Some(team) = org.teams.get(id) {
                    match a.to {
                        AliasTarget::Leads => r.extend(
                            team.current_leads(today)
                                .map(|p| Recipient::Person(p.into())),
                        ),
                        AliasTarget::Members => r.extend(
                            team.current_members(today)
                                .map(|m| Recipient::Person(m.person.into())),
                        ),
                    }
                }
            }
            for x in &a.extra {
                add(org, x, today, &mut BTreeSet::new(), &mut r);
            }
            out.insert(
                a.address.clone(),
                Expanded::new(org, &a.address, Declared::Team(t.id.clone()), r),
            );
        }
    }
    for a in org.aliases.values() {
        let mut r = BTreeSet::new();
        let mut visiting = BTreeSet::from([a.id.clone()]);
        for x in &a.spec.recipients {
            add(org, x, today, &mut visiting, &mut r);
        }
        out.insert(
            a.spec.address.clone(),
            Expanded::new(org, &a.spec.address, Declared::Alias(a.id.clone()), r),
        );
    }
    out
}

fn add(
    org: &Org,
    x: &RawRecipient,
    today: Date,
    visiting: &mut BTreeSet<String>,
    out: &mut BTreeSet<Recipient>,
) {
    match x {
        RawRecipient::Person(_) | RawRecipient::Team(_) => out.extend(
            recipient_people(org, x, today)
                .into_iter()
                .map(|p| Recipient::Person(p.into())),
        ),
        RawRecipient::Address(a) => {
            out.insert(Recipient::External(a.address.clone()));
        }
        RawRecipient::Alias(a) => {
            if !visiting.insert(a.alias.clone()) {
                return;
            }
            if let Some(alias) = org.aliases.get(&a.alias) {
                for y in &alias.spec.recipients {
                    add(org, y, today, visiting, out);
                }
            }
            visiting.remove(&a.alias);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org, today};

    #[test]
    fn expands_nested_aliases_terms_and_loops() {
        let o = org(&[
            ("people/a.yaml", "name: A\n"),
            ("people/b.yaml", "name: B\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers: [a, {person: b, until: 2020-01-01}]\nemail:\n  - {address: t@example.org, to: leads, extra: [{alias: x}]}\n",
            ),
            (
                "aliases/x.yaml",
                "address: x@example.org\nrecipients:\n  - alias: y\n  - address: ext@else.example\n",
            ),
            (
                "aliases/y.yaml",
                "address: y@example.org\nrecipients:\n  - alias: x\n  - team: t\n",
            ),
        ]);
        let all = expand(&o, today());
        let t = &all["t@example.org"].recipients;
        assert_eq!(
            t.iter().cloned().collect::<Vec<_>>(),
            [
                Recipient::Person("a".into()),
                Recipient::External("ext@else.example".into())
            ]
        );
        assert_eq!(all["y@example.org"].recipients.len(), 2);
        assert_eq!(all["x@example.org"].declared, Declared::Alias("x".into()));
    }

    /// Issue 14.4: `email: none` leaves a person out of every alias, and says so.
    #[test]
    fn people_with_email_none_receive_nothing_and_are_listed() {
        let o = org(&[
            ("people/a.yaml", "name: A\nemail: a@example.org\n"),
            ("people/b.yaml", "name: B\nemail: none\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers: [a, b]\nemail:\n  - {address: t@example.org}\n",
            ),
            (
                "aliases/x.yaml",
                "address: x@example.org\nrecipients:\n  - person: b\n",
            ),
        ]);
        let all = expand(&o, today());
        let t = &all["t@example.org"];
        assert_eq!(
            t.recipients.iter().cloned().collect::<Vec<_>>(),
            [Recipient::Person("a".into())]
        );
        assert_eq!(t.no_mail.iter().collect::<Vec<_>>(), ["b"]);
        // An alias left with no recipient stays as before: empty.
        assert!(all["x@example.org"].recipients.is_empty());
        assert_eq!(all["x@example.org"].no_mail.len(), 1);
    }
}
