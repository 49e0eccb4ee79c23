//! Expansion: the desired alias table of an org on a date. Pure: no I/O, no secrets resolved.
//!
//! Every alias address (a team's `email:` entry or an `aliases/<id>.yaml` file) expands to a
//! sorted, de-duplicated list of [`Recipient`]s. Team aliases expand to the team's current
//! members (or leads), optionally those of all subteams, plus `extra:` recipients; `alias:`
//! recipients expand recursively. A loop between aliases is a `check` error (`alias-loop`), but
//! expansion still terminates: an alias already being expanded contributes nothing the second
//! time. A member whose term has ended (or not yet begun) receives no mail. A person without any
//! address is skipped (`alias-recipient-address` reports it). Aliases left without recipients are
//! not in the table: the server would have nothing to deliver to, so the plan removes them.

use crate::model::{Org, aliases};
use crate::schema::{RawEmail, RawRecipient};
use jiff::civil::Date;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One destination of an alias.
///
/// `Display` never shows a private address: a secret recipient is `alice <redacted>`, and
/// `Debug` prints the same text, so neither `{}` nor `{:?}` nor JSON output can leak one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// A person's public address, from `people/<id>.yaml`. On the observed side, every address
    /// orgctl cannot attribute to a secret and that the org files know.
    Public(String),
    /// A person's private address, known only by its reference until `apply` resolves it.
    Secret {
        /// The person id.
        person: String,
        /// `env:VARIABLE` or `file:PATH` (the reference, never the value).
        reference: String,
    },
    /// An external address (`address:` recipient), verbatim.
    External(String),
    /// Observed only: an address found on the server that appears nowhere in the org files (for
    /// example added there by hand). It may be private, so only a short digest is shown.
    Unlisted {
        /// The first 8 hex digits of the address's SHA-256, to tell such addresses apart.
        digest: String,
    },
}

/// The identity of a recipient for de-duplication and diffing: an address, or a secret person.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecipientKey {
    /// A public or external address (lowercased: mail systems match addresses without case).
    Address(String),
    /// A private address, by person and reference.
    Secret(String, String),
    /// An unlisted address, by digest.
    Unlisted(String),
}

impl Recipient {
    /// The identity used for de-duplication and diffing: `Public` and `External` with the same
    /// address are the same recipient.
    pub fn key(&self) -> RecipientKey {
        match self {
            Recipient::Public(a) | Recipient::External(a) => {
                RecipientKey::Address(a.to_lowercase())
            }
            Recipient::Secret { person, reference } => {
                RecipientKey::Secret(person.clone(), reference.clone())
            }
            Recipient::Unlisted { digest } => RecipientKey::Unlisted(digest.clone()),
        }
    }

    /// The address when it may be printed (public and external recipients).
    pub fn address(&self) -> Option<&str> {
        match self {
            Recipient::Public(a) | Recipient::External(a) => Some(a),
            Recipient::Secret { .. } | Recipient::Unlisted { .. } => None,
        }
    }

    /// The text shown in plans, reports and logs: the address, `alice <redacted>` for a secret,
    /// `<unlisted address 1a2b3c4d>` for an address the org files do not know.
    pub fn redacted(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Public(a) | Recipient::External(a) => f.write_str(a),
            Recipient::Secret { person, .. } => write!(f, "{person} <redacted>"),
            Recipient::Unlisted { digest } => write!(f, "<unlisted address {digest}>"),
        }
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Public(a) => write!(f, "Public({a:?})"),
            Recipient::External(a) => write!(f, "External({a:?})"),
            Recipient::Secret { person, reference } => {
                write!(f, "Secret({person:?} <redacted>, {reference:?})")
            }
            Recipient::Unlisted { digest } => write!(f, "Unlisted({digest:?})"),
        }
    }
}

/// Serialised as its redacted display text.
impl Serialize for Recipient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// Alias address (lowercase) → its recipients, sorted by [`Recipient::key`] and de-duplicated.
pub type AliasTable = BTreeMap<String, Vec<Recipient>>;

/// Sorts and de-duplicates recipients by [`Recipient::key`]; for the same address a `Public`
/// recipient wins over an `External` one.
pub fn normalize(recipients: impl IntoIterator<Item = Recipient>) -> Vec<Recipient> {
    let mut by_key: BTreeMap<RecipientKey, Recipient> = BTreeMap::new();
    for r in recipients {
        let key = r.key();
        let replace = match by_key.get(&key) {
            None => true,
            Some(old) => !matches!(old, Recipient::Public(_)) && matches!(r, Recipient::Public(_)),
        };
        if replace {
            by_key.insert(key, r);
        }
    }
    by_key.into_values().collect()
}

/// The desired alias table of `org` on `today`: the model's alias expansion with each person
/// replaced by their address (people without one are left out; `check` reports them).
/// Deterministic; never resolves a secret. Aliases nobody receives are left out.
pub fn desired_aliases(org: &Org, today: Date) -> AliasTable {
    let mut table: BTreeMap<String, Vec<Recipient>> = BTreeMap::new();
    for (address, alias) in crate::model::aliases::expand(org, today) {
        let recipients = alias.recipients.iter().filter_map(|r| match r {
            aliases::Recipient::Person(p) => person_recipient(org, p),
            aliases::Recipient::External(a) => Some(Recipient::External(a.clone())),
        });
        table
            .entry(address.to_lowercase())
            .or_default()
            .extend(recipients);
    }
    table
        .into_iter()
        .map(|(address, rs)| (address, normalize(rs)))
        .filter(|(_, rs)| !rs.is_empty())
        .collect()
}

/// The recipient a person id stands for, if the person exists and has an address.
pub fn person_recipient(org: &Org, person: &str) -> Option<Recipient> {
    match &org.people.get(person)?.spec.email {
        Some(RawEmail::Address(a)) => Some(Recipient::Public(a.clone())),
        Some(RawEmail::Secret(s)) => Some(Recipient::Secret {
            person: person.to_string(),
            reference: s.secret.clone(),
        }),
        Some(RawEmail::NoMail(_)) | None => None,
    }
}

/// Every address the org files make public: people's public emails and external recipients.
/// Observed addresses outside this set are shown as [`Recipient::Unlisted`].
pub fn public_addresses(org: &Org) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = org
        .people
        .values()
        .filter_map(|p| p.public_email())
        .map(str::to_lowercase)
        .collect();
    let extern_of = |r: &RawRecipient| match r {
        RawRecipient::Address(a) => Some(a.address.to_lowercase()),
        _ => None,
    };
    for t in org.teams.values() {
        for a in &t.spec.email {
            out.extend(a.extra.iter().filter_map(extern_of));
        }
    }
    for a in org.aliases.values() {
        out.extend(a.spec.recipients.iter().filter_map(extern_of));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org, today};

    fn show(t: &AliasTable) -> Vec<String> {
        t.iter()
            .map(|(a, rs)| {
                let list: Vec<String> = rs.iter().map(Recipient::to_string).collect();
                format!("{a}: {}", list.join(", "))
            })
            .collect()
    }

    const PEOPLE: &[(&str, &str)] = &[
        ("people/alice.yaml", "name: A\nemail: alice@example.com\n"),
        (
            "people/bob.yaml",
            "name: B\nemail: { secret: \"env:BOB\" }\n",
        ),
        ("people/carol.yaml", "name: C\nemail: carol@example.com\n"),
        ("people/dave.yaml", "name: D\nemail: dave@example.com\n"),
        ("people/erin.yaml", "name: E\n"),
    ];

    fn with(files: &[(&'static str, &'static str)]) -> AliasTable {
        let all: Vec<(&str, &str)> = PEOPLE.iter().chain(files).copied().collect();
        desired_aliases(&org(&all), today())
    }

    #[test]
    fn team_members_leads_and_extra() {
        let t = with(&[(
            "teams/infra.yaml",
            "name: I\nleads: [alice]\nmembers: [alice, bob, {person: carol, until: 2026-01-31}]\n\
                 email:\n  - address: Infra@example.org\n    extra: [{address: pager@ext.example}, {person: alice}]\n  \
                 - address: infra-leads@example.org\n    to: leads\n",
        )]);
        assert_eq!(
            show(&t),
            [
                "infra-leads@example.org: alice@example.com",
                "infra@example.org: alice@example.com, pager@ext.example, bob <redacted>",
            ]
        );
    }

    #[test]
    fn subteams_and_nested_aliases_with_a_loop() {
        let t = with(&[
            (
                "teams/parent.yaml",
                "name: P\nmembers: [alice]\nemail: [{address: p@example.org, include_subteams: true}]\n",
            ),
            (
                "teams/child.yaml",
                "name: C\nparent: parent\nmembers: [dave, erin]\n",
            ),
            (
                "aliases/a.yaml",
                "address: a@example.org\nrecipients: [{alias: b}, {person: bob}]\n",
            ),
            (
                "aliases/b.yaml",
                "address: b@example.org\nrecipients: [{alias: a}, {team: child}, {address: Dave@example.com}]\n",
            ),
        ]);
        assert_eq!(
            show(&t),
            [
                "a@example.org: dave@example.com, bob <redacted>",
                "b@example.org: dave@example.com, bob <redacted>",
                "p@example.org: alice@example.com, dave@example.com",
            ]
        );
    }

    #[test]
    fn alias_without_current_recipients_is_left_out() {
        let t = with(&[(
            "teams/old.yaml",
            "name: O\nmembers: [{person: alice, until: 2020-01-01}, erin]\nemail: [{address: old@example.org}]\n",
        )]);
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn secret_is_redacted_in_display_debug_and_json() {
        let r = Recipient::Secret {
            person: "bob".into(),
            reference: "env:BOB".into(),
        };
        assert_eq!(r.to_string(), "bob <redacted>");
        assert_eq!(format!("{r:?}"), "Secret(\"bob\" <redacted>, \"env:BOB\")");
        assert_eq!(
            serde_json::to_string(&r).ok().as_deref(),
            Some("\"bob <redacted>\"")
        );
    }

    #[test]
    fn deterministic() {
        let files: &[(&str, &str)] = &[(
            "teams/t.yaml",
            "name: T\nmembers: [dave, carol, alice, bob]\nemail: [{address: t@example.org, extra: [{person: carol}]}]\n",
        )];
        assert_eq!(with(files), with(files));
        assert_eq!(
            show(&with(files)),
            [
                "t@example.org: alice@example.com, carol@example.com, dave@example.com, bob <redacted>"
            ]
        );
    }
}
