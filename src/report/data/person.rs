//! A person's page: contact, chat handles, teams with roles and terms, former teams, the areas
//! they own through current teams and the aliases they receive.

use super::{Shared, TeamRef, TermStatus, term_status};
use crate::contact::Contact;
use crate::model::aliases::Recipient;
use crate::par::par_map;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// A person's membership, on their page.
#[derive(Debug, Clone, Serialize)]
pub struct PersonTeamRow {
    /// The team.
    pub team: TeamRef,
    /// Role.
    pub role: Option<String>,
    /// Lead of the team.
    pub lead: bool,
    /// Term start.
    pub since: Option<Date>,
    /// Term end.
    pub until: Option<Date>,
    /// Status on the report date.
    pub status: TermStatus,
}

/// An area a person owns through a team.
#[derive(Debug, Clone, Serialize)]
pub struct OwnedArea {
    /// Repository.
    pub repo: String,
    /// Pattern (`*` for the whole repository).
    pub pattern: String,
    /// Through this team.
    pub team: TeamRef,
}

/// One person's page.
#[derive(Debug, Clone, Serialize)]
pub struct PersonPage {
    /// Who.
    pub person: Contact,
    /// Chat handles.
    pub chat: Vec<(String, String)>,
    /// Marked inactive.
    pub inactive: bool,
    /// Said `email: none`: receives no alias mail.
    pub no_mail: bool,
    /// GitHub organisation owner.
    pub admin: bool,
    /// Teams and roles with terms.
    pub teams: Vec<PersonTeamRow>,
    /// Former teams.
    pub alumni_of: Vec<TeamRef>,
    /// Owned areas through current teams.
    pub owns: Vec<OwnedArea>,
    /// Alias addresses they receive.
    pub aliases: Vec<String>,
}

/// Every person's page, by id.
pub(super) fn pages(s: &Shared<'_>) -> Vec<PersonPage> {
    let (org, today, memberships) = (s.org, s.today, &s.memberships);
    // person -> aliases received
    let mut aliases_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in s.expanded.values() {
        for r in &e.recipients {
            if let Recipient::Person(p) = r {
                aliases_of
                    .entry(p.as_str())
                    .or_default()
                    .push(e.address.clone());
            }
        }
    }
    // person -> alumni
    let mut alumni_of: BTreeMap<&str, Vec<TeamRef>> = BTreeMap::new();
    for t in org.teams.values() {
        for a in &t.spec.alumni {
            alumni_of
                .entry(a.as_str())
                .or_default()
                .push(TeamRef::of(org, &t.id));
        }
    }
    let person_list: Vec<&crate::model::Person> = org.people.values().collect();
    par_map(&person_list, |p| {
        let admin = org
            .spec
            .github
            .as_ref()
            .is_some_and(|g| g.admins.iter().any(|a| a == &p.id));
        let rows: Vec<PersonTeamRow> = memberships
            .get(p.id.as_str())
            .into_iter()
            .flatten()
            .map(|(t, m)| PersonTeamRow {
                team: TeamRef::of(org, &t.id),
                role: m.role.map(str::to_string),
                lead: t.spec.leads.iter().any(|l| l == &p.id),
                since: m.since,
                until: m.until,
                status: term_status(m, today),
            })
            .collect();
        let mut owns = Vec::new();
        for (t, m) in memberships.get(p.id.as_str()).into_iter().flatten() {
            if !m.is_current(today) {
                continue;
            }
            for o in &t.spec.owns {
                if o.paths.is_empty() {
                    owns.push(OwnedArea {
                        repo: o.repo.clone(),
                        pattern: "*".into(),
                        team: TeamRef::of(org, &t.id),
                    });
                }
                for path in &o.paths {
                    owns.push(OwnedArea {
                        repo: o.repo.clone(),
                        pattern: path.clone(),
                        team: TeamRef::of(org, &t.id),
                    });
                }
            }
        }
        let mut aliases = aliases_of.get(p.id.as_str()).cloned().unwrap_or_default();
        aliases.sort();
        aliases.dedup();
        PersonPage {
            person: Contact::of(org, &p.id),
            chat: p
                .spec
                .chat
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            inactive: p.spec.inactive,
            no_mail: p.receives_no_mail(),
            admin,
            teams: rows,
            alumni_of: alumni_of.get(p.id.as_str()).cloned().unwrap_or_default(),
            owns,
            aliases,
        }
    })
}
