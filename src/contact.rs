//! Contacts: how people and teams are shown in `owners`, `budget` and reports.
//!
//! The one place that decides what of a person may be printed: the name, the GitHub login, and a
//! public address; a secret address (`email: { secret: ... }`) is always shown as `<redacted>`,
//! never resolved and never echoed (not even the reference). Pure. Stage: report.

use crate::model::{Member, Org, Person, Team};
use crate::schema::{AliasTarget, RawEmail};
use jiff::civil::Date;
use serde::Serialize;

/// What is shown of a person's address when it is a secret reference.
pub const REDACTED: &str = "<redacted>";

/// A person as shown to readers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Person id (file stem); also the page name in reports.
    pub id: String,
    /// Display name (the id when the person file is missing).
    pub name: String,
    /// GitHub login.
    pub github: Option<String>,
    /// A public address, [`REDACTED`] for a private one, or nothing.
    pub email: Option<String>,
    /// Role in the team, when listed with one.
    pub role: Option<String>,
    /// First day of the term, when the membership has one.
    pub since: Option<Date>,
    /// Last day of the term, when the membership has one.
    pub until: Option<Date>,
}

impl Contact {
    /// The person `id`, without team details.
    pub fn of(org: &Org, id: &str) -> Contact {
        let person = org.people.get(id);
        Contact {
            id: id.to_string(),
            name: person.map_or_else(|| id.to_string(), |p| p.spec.name.clone()),
            github: person.and_then(|p| p.spec.github.clone()),
            email: person.and_then(shown_email),
            role: None,
            since: None,
            until: None,
        }
    }

    /// A member of a team, with role and term.
    pub fn member(org: &Org, m: &Member<'_>) -> Contact {
        Contact {
            role: m.role.map(str::to_string),
            since: m.since,
            until: m.until,
            ..Contact::of(org, m.person)
        }
    }

    /// `Name @login <address>` (parts that exist), for one-line human output.
    pub fn line(&self) -> String {
        let mut s = self.name.clone();
        if let Some(g) = &self.github {
            s.push_str(" @");
            s.push_str(g);
        }
        if let Some(e) = &self.email {
            if e == REDACTED {
                s.push(' ');
                s.push_str(REDACTED);
            } else {
                s.push_str(&format!(" <{e}>"));
            }
        }
        s
    }
}

/// The address of `p` as it may be shown.
pub fn shown_email(p: &Person) -> Option<String> {
    match &p.spec.email {
        Some(RawEmail::Address(a)) => Some(a.clone()),
        Some(RawEmail::Secret(_)) => Some(REDACTED.to_string()),
        Some(RawEmail::NoMail(_)) | None => None,
    }
}

/// A team as shown where it owns something: who to ask and where to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamContact {
    /// Team id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `@org/slug` when the team is synced to a GitHub organisation.
    pub github: Option<String>,
    /// Current leads.
    pub leads: Vec<Contact>,
    /// Current members other than the leads.
    pub members: Vec<Contact>,
    /// The team's own alias addresses, members-wide ones first.
    pub aliases: Vec<String>,
    /// Whether the team is archived.
    pub archived: bool,
}

impl TeamContact {
    /// The contact of `team` on `today`.
    pub fn of(org: &Org, team: &Team, today: Date) -> TeamContact {
        let leads: Vec<&str> = team.current_leads(today).collect();
        let mut aliases: Vec<(bool, String)> = team
            .spec
            .email
            .iter()
            .map(|a| (a.to == AliasTarget::Leads, a.address.clone()))
            .collect();
        aliases.sort();
        TeamContact {
            id: team.id.clone(),
            name: team.spec.name.clone(),
            github: github_team(org, team),
            leads: leads.iter().map(|l| lead_contact(org, team, l)).collect(),
            members: team
                .current_members(today)
                .filter(|m| !leads.contains(&m.person))
                .map(|m| Contact::member(org, &m))
                .collect(),
            aliases: aliases.into_iter().map(|(_, a)| a).collect(),
            archived: team.spec.archived,
        }
    }
}

fn lead_contact(org: &Org, team: &Team, lead: &str) -> Contact {
    match team.member(lead) {
        Some(m) => Contact::member(org, &m),
        None => Contact::of(org, lead),
    }
}

/// `@<github-org>/<slug>` of a synced team in a synced org.
pub fn github_team(org: &Org, team: &Team) -> Option<String> {
    let gh_org = &org.spec.github.as_ref()?.org;
    team.spec.github.as_ref()?;
    Some(format!("@{gh_org}/{}", team.slug()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::{org, today};

    #[test]
    fn secret_addresses_are_redacted_and_terms_respected() {
        let o = org(&[
            ("org.yaml", "name: O\ngithub:\n  org: acme\n  admins: [a]\n"),
            (
                "people/a.yaml",
                "name: Ann\ngithub: ann\ngithub_id: 1\nemail: {secret: \"env:ANN_MAIL\"}\n",
            ),
            ("people/b.yaml", "name: Bob\nemail: bob@example.org\n"),
            ("people/c.yaml", "name: Cy\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers:\n  - a\n  - b\n  - {person: c, until: 2020-01-01}\ngithub: {}\nemail:\n  - {address: l@x.org, to: leads}\n  - {address: t@x.org}\n",
            ),
        ]);
        let t = TeamContact::of(&o, &o.teams["t"], today());
        assert_eq!(t.github.as_deref(), Some("@acme/t"));
        assert_eq!(t.leads[0].line(), "Ann @ann <redacted>");
        assert_eq!(
            t.members.iter().map(Contact::line).collect::<Vec<_>>(),
            ["Bob <bob@example.org>"]
        );
        assert_eq!(t.aliases, ["t@x.org", "l@x.org"]);
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("env:") && json.contains(REDACTED));
    }
}
