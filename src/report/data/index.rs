//! The index page: counts, the team hierarchy (SVG and Mermaid), what happens in the next 90
//! days (term ends and starts, expiring allocations) and the directory of people.

use super::{Shared, TeamRef};
use crate::budget::{Amount, Status};
use crate::contact::Contact;
use crate::report::layout::{Tree, mermaid, tree};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// Something happening within 90 days.
#[derive(Debug, Clone, Serialize)]
pub struct Upcoming {
    /// When.
    pub date: Date,
    /// `term-ends`, `term-starts` or `allocation-expires`.
    pub what: &'static str,
    /// The team.
    pub team: TeamRef,
    /// The person (terms).
    pub person: Option<Contact>,
    /// The fund and allocation (expiries).
    pub detail: Option<String>,
}

/// Counts on the index.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// People.
    pub people: usize,
    /// People in at least one team on the report date.
    pub active_people: usize,
    /// Teams (archived included).
    pub teams: usize,
    /// Archived teams.
    pub archived: usize,
    /// Teams per kind.
    pub by_kind: Vec<(&'static str, usize)>,
    /// Aliases (team and cross-team).
    pub aliases: usize,
    /// Funds.
    pub funds: usize,
    /// Repositories named in permissions or ownership.
    pub repos: usize,
}

/// The index page.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    /// Counts.
    pub counts: Counts,
    /// Hierarchy (SVG).
    pub tree: Tree,
    /// Hierarchy (Mermaid source).
    pub mermaid: String,
    /// Whether Mermaid levels were cut.
    pub mermaid_cut: bool,
    /// Term ends, term starts and expiries in the next 90 days.
    pub upcoming: Vec<Upcoming>,
    /// Every person, for the directory.
    pub people: Vec<TeamRef>,
}

/// The index page, from the shared indexes.
pub(super) fn page(s: &Shared<'_>) -> Index {
    let (org, today, soon, funds) = (s.org, s.today, s.soon, &s.funds);
    let mut upcoming = Vec::new();
    for t in org.teams.values().filter(|t| !t.spec.archived) {
        for m in t.members() {
            let person = || Some(Contact::member(org, &m));
            if let Some(u) = m.until.filter(|u| *u >= today && *u <= soon) {
                upcoming.push(Upcoming {
                    date: u,
                    what: "term-ends",
                    team: TeamRef::of(org, &t.id),
                    person: person(),
                    detail: None,
                });
            }
            if let Some(s) = m.since.filter(|s| *s > today && *s <= soon) {
                upcoming.push(Upcoming {
                    date: s,
                    what: "term-starts",
                    team: TeamRef::of(org, &t.id),
                    person: person(),
                    detail: None,
                });
            }
        }
    }
    for f in funds {
        for a in f
            .allocations
            .iter()
            .filter(|a| a.status == Status::ExpiringSoon)
        {
            if let Some(d) = a.expires {
                upcoming.push(Upcoming {
                    date: d,
                    what: "allocation-expires",
                    team: TeamRef::of(org, &a.team),
                    person: None,
                    detail: Some(format!(
                        "{} / {}: {} {} unspent",
                        f.name,
                        a.id,
                        Amount(a.remaining.0.max(rust_decimal::Decimal::ZERO)),
                        f.currency
                    )),
                });
            }
        }
    }
    upcoming.sort_by(|a, b| {
        (a.date, a.what, &a.team.id, a.person.as_ref().map(|p| &p.id)).cmp(&(
            b.date,
            b.what,
            &b.team.id,
            b.person.as_ref().map(|p| &p.id),
        ))
    });
    let mut by_kind: BTreeMap<&'static str, usize> = BTreeMap::new();
    for t in org.teams.values() {
        *by_kind.entry(t.spec.kind.as_str()).or_default() += 1;
    }
    let mut all_repos = s.permission_repos.clone();
    all_repos.extend(s.ownership.keys().copied());
    let counts = Counts {
        people: org.people.len(),
        active_people: s
            .memberships
            .values()
            .filter(|l| l.iter().any(|(_, m)| m.is_current(today)))
            .count(),
        teams: org.teams.len(),
        archived: org.teams.values().filter(|t| t.spec.archived).count(),
        by_kind: by_kind.into_iter().collect(),
        aliases: s.expanded.len(),
        funds: funds.len(),
        repos: all_repos.len(),
    };
    let (mermaid, mermaid_cut) = mermaid(org);
    Index {
        counts,
        tree: tree(org, |id| {
            org.teams.get(id).map_or(0, |t| s.current_count(t))
        }),
        mermaid,
        mermaid_cut,
        upcoming,
        people: org
            .people
            .values()
            .map(|p| TeamRef {
                id: p.id.clone(),
                name: p.spec.name.clone(),
            })
            .collect(),
    }
}
