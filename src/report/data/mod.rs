//! The report's data: everything every page shows, computed once from the model, as plain
//! serialisable values for the templates. Pure. Indexes (person → teams, person → aliases) are
//! built once so a 10,000-person org costs linear time, not people × teams.
//!
//! This file holds what several pages show (links, alias and allocation rows, the organisation),
//! what several pages are computed from (`Shared`) and [`build`]; each page's data is in its
//! own module: `team`, `person`, `ownership` (the ownership index), `health`, `index` and
//! `budget` (the fund pages).

mod budget;
mod health;
mod index;
mod ownership;
mod person;
mod team;

pub use budget::FundPage;
pub use health::{
    ExpiredHolding, Finding, Health, LeadsEnding, OrphanRule, Overloaded, SingleRecipient,
};
pub use index::{Counts, Index, Upcoming};
pub use ownership::{OwnerRow, RepoRow, RuleRow};
pub use person::{OwnedArea, PersonPage, PersonTeamRow};
pub use team::{GithubRow, MemberRow, OwnsRow, TeamPage};

use crate::budget::{AllocationLine, Amount, FundReport, Status};
use crate::contact::Contact;
use crate::model::aliases::{Declared, Expanded, Recipient, expand};
use crate::model::{Member, Org, Team};
use crate::ownership::RepoOwnership;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A team (or person) by id and name, for links.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TeamRef {
    /// Id (page name).
    pub id: String,
    /// Display name.
    pub name: String,
}

impl TeamRef {
    fn of(org: &Org, id: &str) -> TeamRef {
        TeamRef {
            id: id.to_string(),
            name: org
                .teams
                .get(id)
                .map_or_else(|| id.to_string(), |t| t.spec.name.clone()),
        }
    }
}

/// Whether a membership term covers the report date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TermStatus {
    /// The term covers today (or there is none).
    Current,
    /// The term starts later.
    Upcoming,
    /// The term has ended.
    Ended,
}

fn term_status(m: &Member<'_>, today: Date) -> TermStatus {
    if m.since.is_some_and(|s| s > today) {
        TermStatus::Upcoming
    } else if m.until.is_some_and(|u| u < today) {
        TermStatus::Ended
    } else {
        TermStatus::Current
    }
}

/// An alias and who receives it.
#[derive(Debug, Clone, Serialize)]
pub struct AliasRow {
    /// The address.
    pub address: String,
    /// `team` or `alias`.
    pub kind: &'static str,
    /// Declaring team or alias id.
    pub declared_in: String,
    /// Recipients as shown (people redacted where private).
    pub recipients: Vec<RecipientRow>,
    /// People it reaches who said `email: none` and get none of its mail.
    pub no_mail: Vec<RecipientRow>,
}

/// One recipient of an alias.
#[derive(Debug, Clone, Serialize)]
pub struct RecipientRow {
    /// The person id, when a person (for a link).
    pub person: Option<String>,
    /// How it is shown: `Name <redacted>`, `Name <address>` or an external address.
    pub text: String,
}

/// An allocation to a team, on its page.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationRow {
    /// Fund id.
    pub fund: String,
    /// Fund name.
    pub fund_name: String,
    /// Currency.
    pub currency: String,
    /// Allocation id.
    pub id: String,
    /// What for.
    pub purpose: String,
    /// Allocated.
    pub amount: Amount,
    /// Spent.
    pub spent: Amount,
    /// Remaining.
    pub remaining: Amount,
    /// Expiry.
    pub expires: Option<Date>,
    /// Status.
    pub status: Status,
}

/// The organisation itself.
#[derive(Debug, Clone, Serialize)]
pub struct OrgInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// GitHub organisation.
    pub github: Option<String>,
    /// The `--as-of` date, shown only when given (so reports are byte-identical otherwise).
    pub as_of: Option<Date>,
}

/// Everything the report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// The org.
    pub org: OrgInfo,
    /// Index page.
    pub index: Index,
    /// Team pages, by id.
    pub teams: Vec<TeamPage>,
    /// Person pages, by id.
    pub people: Vec<PersonPage>,
    /// Ownership index, by repository.
    pub repos: Vec<RepoRow>,
    /// Health page.
    pub health: Health,
    /// Fund pages, by id.
    pub funds: Vec<FundPage>,
}

pub(super) fn recipient_row(org: &Org, r: &Recipient) -> RecipientRow {
    match r {
        Recipient::Person(p) => RecipientRow {
            person: org.people.contains_key(p).then(|| p.clone()),
            text: Contact::of(org, p).line(),
        },
        Recipient::External(a) => RecipientRow {
            person: None,
            text: a.clone(),
        },
    }
}

fn allocation_row(f: &FundReport, a: &AllocationLine) -> AllocationRow {
    AllocationRow {
        fund: f.id.clone(),
        fund_name: f.name.clone(),
        currency: f.currency.clone(),
        id: a.id.clone(),
        purpose: a.purpose.clone(),
        amount: a.amount,
        spent: a.spent,
        remaining: a.remaining,
        expires: a.expires,
        status: a.status,
    }
}

/// What several pages are computed from, built once.
struct Shared<'a> {
    org: &'a Org,
    /// The report date.
    today: Date,
    /// The end of the "soon" window ([`crate::budget::soon_limit`]).
    soon: Date,
    /// Every fund's numbers.
    funds: Vec<FundReport>,
    /// Every alias, expanded on the report date.
    expanded: BTreeMap<String, Expanded>,
    /// person -> memberships (any status).
    memberships: BTreeMap<&'a str, Vec<(&'a Team, Member<'a>)>>,
    /// Ownership by repository.
    ownership: BTreeMap<&'a str, RepoOwnership<'a>>,
    /// Repositories named in a team's GitHub permissions.
    permission_repos: BTreeSet<&'a str>,
}

impl<'a> Shared<'a> {
    fn new(org: &'a Org, today: Date) -> Shared<'a> {
        let mut memberships: BTreeMap<&str, Vec<(&Team, Member<'_>)>> = BTreeMap::new();
        for t in org.teams.values() {
            for m in t.members() {
                memberships.entry(m.person).or_default().push((t, m));
            }
        }
        let mut permission_repos: BTreeSet<&str> = BTreeSet::new();
        for t in org.teams.values() {
            if let Some(g) = &t.spec.github {
                permission_repos.extend(g.repos.keys().map(String::as_str));
            }
        }
        Shared {
            org,
            today,
            soon: crate::budget::soon_limit(today),
            funds: crate::budget::report(org, today),
            expanded: expand(org, today),
            memberships,
            ownership: crate::ownership::all(org),
            permission_repos,
        }
    }

    /// The row of alias `address`, if it reaches anyone on the report date.
    fn alias_row(&self, address: &str) -> Option<AliasRow> {
        let org = self.org;
        let e = self.expanded.get(address)?;
        let (kind, declared_in) = match &e.declared {
            Declared::Team(t) => ("team", t.clone()),
            Declared::Alias(a) => ("alias", a.clone()),
        };
        Some(AliasRow {
            address: e.address.clone(),
            kind,
            declared_in,
            recipients: e.recipients.iter().map(|r| recipient_row(org, r)).collect(),
            no_mail: e
                .no_mail
                .iter()
                .map(|p| recipient_row(org, &Recipient::Person(p.clone())))
                .collect(),
        })
    }

    /// Current members of `t` on the report date.
    fn current_count(&self, t: &Team) -> usize {
        t.current_members(self.today).count()
    }
}

/// Builds the whole site's data for `today`. `as_of` is only displayed; `findings` are the
/// `check` findings to list on the health page.
pub fn build(org: &Org, today: Date, as_of: Option<Date>, findings: Vec<Finding>) -> Site {
    let shared = Shared::new(org, today);
    let teams = team::pages(&shared);
    let people = person::pages(&shared);
    let repos = ownership::rows(&shared);
    let health = health::page(&shared, &repos, findings);
    let index = index::page(&shared);
    Site {
        org: OrgInfo {
            name: org.spec.name.clone(),
            description: org.spec.description.clone(),
            github: org.spec.github.as_ref().map(|g| g.org.clone()),
            as_of,
        },
        index,
        teams,
        people,
        repos,
        health,
        funds: budget::pages(org, shared.funds),
    }
}
