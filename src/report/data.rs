//! The report's data: everything every page shows, computed once from the model, as plain
//! serialisable values for the templates. Pure. Indexes (person → teams, person → aliases) are
//! built once so a 10,000-person org costs linear time, not people × teams.

use super::layout::{Bars, Tree, bars, mermaid, tree};
use crate::budget::{self, Amount, FundReport, Status};
use crate::contact::{Contact, TeamContact, github_team};
use crate::model::aliases::{Declared, Recipient, expand};
use crate::model::{Member, Org, Team};
use crate::ownership::{self, RepoOwnership};
use crate::par::par_map;
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

/// A member row of a team page.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    /// The person, with role and term.
    pub person: Contact,
    /// Listed in `leads:`.
    pub lead: bool,
    /// Term status on the report date.
    pub status: TermStatus,
}

/// What a team owns in one repository.
#[derive(Debug, Clone, Serialize)]
pub struct OwnsRow {
    /// Repository.
    pub repo: String,
    /// The whole repository (no paths).
    pub whole: bool,
    /// Patterns.
    pub patterns: Vec<String>,
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

/// A team's GitHub side.
#[derive(Debug, Clone, Serialize)]
pub struct GithubRow {
    /// `@org/slug`, or the slug when the org is not synced.
    pub handle: String,
    /// Privacy.
    pub privacy: &'static str,
    /// Repository permissions, by repository.
    pub repos: Vec<(String, &'static str)>,
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

/// One team's page.
#[derive(Debug, Clone, Serialize)]
pub struct TeamPage {
    /// Id and name.
    pub team: TeamRef,
    /// Description.
    pub description: Option<String>,
    /// Kind.
    pub kind: &'static str,
    /// Archived.
    pub archived: bool,
    /// Ancestors, root first.
    pub ancestors: Vec<TeamRef>,
    /// Direct subteams.
    pub children: Vec<TeamRef>,
    /// Current leads.
    pub leads: Vec<Contact>,
    /// Every `members:` entry with its status.
    pub members: Vec<MemberRow>,
    /// Alumni.
    pub alumni: Vec<Contact>,
    /// Owned repositories and paths.
    pub owns: Vec<OwnsRow>,
    /// The team's own aliases.
    pub aliases: Vec<AliasRow>,
    /// Cross-team aliases that reach the team's members.
    pub in_aliases: Vec<String>,
    /// GitHub team and permissions.
    pub github: Option<GithubRow>,
    /// Budget allocations to the team.
    pub allocations: Vec<AllocationRow>,
}

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

/// A team owning a rule, with who to ask.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerRow {
    /// The team, with leads, members and aliases.
    pub team: TeamContact,
}

/// One rule of the ownership index.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    /// Pattern.
    pub pattern: String,
    /// Position in CODEOWNERS order (1-based).
    pub position: usize,
    /// Owning teams.
    pub owners: Vec<OwnerRow>,
}

/// A repository in the ownership index.
#[derive(Debug, Clone, Serialize)]
pub struct RepoRow {
    /// Name.
    pub repo: String,
    /// Has a whole-repository (`*`) owner.
    pub default_owner: bool,
    /// Distinct owning teams.
    pub teams: usize,
    /// Rules in CODEOWNERS order.
    pub rules: Vec<RuleRow>,
}

/// A team whose every lead's term ends soon.
#[derive(Debug, Clone, Serialize)]
pub struct LeadsEnding {
    /// The team.
    pub team: TeamRef,
    /// The leads with their terms.
    pub leads: Vec<Contact>,
}

/// A rule whose owning teams have no current member.
#[derive(Debug, Clone, Serialize)]
pub struct OrphanRule {
    /// Repository.
    pub repo: String,
    /// Pattern.
    pub pattern: String,
    /// The teams.
    pub teams: Vec<TeamRef>,
}

/// A person in more teams than the limit.
#[derive(Debug, Clone, Serialize)]
pub struct Overloaded {
    /// Who.
    pub person: Contact,
    /// Their current teams.
    pub teams: Vec<TeamRef>,
}

/// An alias reaching one recipient only.
#[derive(Debug, Clone, Serialize)]
pub struct SingleRecipient {
    /// The alias.
    pub alias: AliasRow,
}

/// An expired allocation still holding money.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiredHolding {
    /// Fund.
    pub fund: String,
    /// Fund name.
    pub fund_name: String,
    /// The allocation.
    pub allocation: AllocationRow,
    /// The team.
    pub team: TeamRef,
}

/// A finding of `check` shown on the health page.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Rule name.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    /// Message.
    pub message: String,
    /// `file:line:column`.
    pub location: String,
}

/// The health page.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Active teams without a current lead.
    pub teams_without_lead: Vec<TeamRef>,
    /// Teams whose every lead's term ends within 90 days.
    pub leads_ending: Vec<LeadsEnding>,
    /// Repositories with GitHub permissions but no owner at all.
    pub repos_without_owner: Vec<String>,
    /// Owned repositories without a whole-repository owner (some paths have none).
    pub repos_partly_owned: Vec<String>,
    /// Rules owned only by teams with no current member.
    pub orphan_rules: Vec<OrphanRule>,
    /// The configured limit.
    pub max_teams: u32,
    /// People over it.
    pub overloaded: Vec<Overloaded>,
    /// Aliases with a single recipient (a bus factor of one).
    pub single_recipient: Vec<SingleRecipient>,
    /// Expired allocations still holding money.
    pub expired_holding: Vec<ExpiredHolding>,
    /// `check` findings (warnings, or errors of skipped-through reports).
    pub findings: Vec<Finding>,
    /// Number of problems listed above (findings included).
    pub problems: usize,
}

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

/// One fund in the index summary and its page.
#[derive(Debug, Clone, Serialize)]
pub struct FundPage {
    /// The numbers.
    pub fund: FundReport,
    /// The chart.
    pub bars: Bars,
    /// The approving team.
    pub approvers: TeamRef,
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

fn recipient_row(org: &Org, r: &Recipient) -> RecipientRow {
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

fn allocation_row(f: &FundReport, a: &budget::AllocationLine) -> AllocationRow {
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

/// Builds the whole site's data for `today`. `as_of` is only displayed; `findings` are the
/// `check` findings to list on the health page.
pub fn build(org: &Org, today: Date, as_of: Option<Date>, findings: Vec<Finding>) -> Site {
    let soon = budget::soon_limit(today);
    let funds = budget::report(org, today);
    let expanded = expand(org, today);
    let alias_row = |address: &str| -> Option<AliasRow> {
        let e = expanded.get(address)?;
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
    };
    // person -> aliases received
    let mut aliases_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in expanded.values() {
        for r in &e.recipients {
            if let Recipient::Person(p) = r {
                aliases_of
                    .entry(p.as_str())
                    .or_default()
                    .push(e.address.clone());
            }
        }
    }
    // person -> memberships (any status), alumni
    let mut memberships: BTreeMap<&str, Vec<(&Team, Member<'_>)>> = BTreeMap::new();
    let mut alumni_of: BTreeMap<&str, Vec<TeamRef>> = BTreeMap::new();
    for t in org.teams.values() {
        for m in t.members() {
            memberships.entry(m.person).or_default().push((t, m));
        }
        for a in &t.spec.alumni {
            alumni_of
                .entry(a.as_str())
                .or_default()
                .push(TeamRef::of(org, &t.id));
        }
    }
    let current_count = |t: &Team| t.current_members(today).count();
    let ownership = ownership::all(org);

    // team -> cross-team aliases naming it (directly or through a parent with subteams)
    let mut in_aliases: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in org.aliases.values() {
        for r in &a.spec.recipients {
            if let crate::schema::RawRecipient::Team(x) = r {
                let reached = if x.include_subteams {
                    org.subtree(&x.team)
                } else {
                    vec![x.team.as_str()]
                };
                for t in reached {
                    let list = in_aliases.entry(t).or_default();
                    if !list.contains(&a.spec.address) {
                        list.push(a.spec.address.clone());
                    }
                }
            }
        }
    }
    let team_list: Vec<&Team> = org.teams.values().collect();
    let teams: Vec<TeamPage> = par_map(&team_list, |t| {
        team_page(org, t, today, &funds, &alias_row, &in_aliases)
    });

    let person_list: Vec<&crate::model::Person> = org.people.values().collect();
    let people: Vec<PersonPage> = par_map(&person_list, |p| {
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
    });

    let repos: Vec<RepoRow> = ownership
        .values()
        .map(|own| repo_row(org, own, today))
        .collect();

    // Health.
    let teams_without_lead = org
        .teams
        .values()
        .filter(|t| !t.spec.archived && t.current_leads(today).next().is_none())
        .map(|t| TeamRef::of(org, &t.id))
        .collect();
    let leads_ending = org
        .teams
        .values()
        .filter(|t| !t.spec.archived)
        .filter_map(|t| {
            let leads: Vec<Member<'_>> =
                t.current_leads(today).filter_map(|l| t.member(l)).collect();
            let all_end =
                !leads.is_empty() && leads.iter().all(|m| m.until.is_some_and(|u| u <= soon));
            all_end.then(|| LeadsEnding {
                team: TeamRef::of(org, &t.id),
                leads: leads.iter().map(|m| Contact::member(org, m)).collect(),
            })
        })
        .collect();
    let mut permission_repos: BTreeSet<&str> = BTreeSet::new();
    for t in org.teams.values() {
        if let Some(g) = &t.spec.github {
            permission_repos.extend(g.repos.keys().map(String::as_str));
        }
    }
    let repos_without_owner = permission_repos
        .iter()
        .filter(|r| !ownership.contains_key(*r))
        .map(|r| r.to_string())
        .collect();
    let repos_partly_owned = repos
        .iter()
        .filter(|r| !r.default_owner)
        .map(|r| r.repo.clone())
        .collect();
    let mut orphan_rules = Vec::new();
    for own in ownership.values() {
        for rule in &own.rules {
            if rule.claims.iter().all(|c| current_count(c.team) == 0) {
                orphan_rules.push(OrphanRule {
                    repo: own.repo.clone(),
                    pattern: rule.pattern.as_str().to_string(),
                    teams: rule
                        .claims
                        .iter()
                        .map(|c| TeamRef::of(org, &c.team.id))
                        .collect(),
                });
            }
        }
    }
    let max_teams = org.spec.limits.max_teams_per_person;
    let overloaded = memberships
        .iter()
        .filter_map(|(p, list)| {
            let current: Vec<TeamRef> = list
                .iter()
                .filter(|(_, m)| m.is_current(today))
                .map(|(t, _)| TeamRef::of(org, &t.id))
                .collect();
            (current.len() > max_teams as usize).then(|| Overloaded {
                person: Contact::of(org, p),
                teams: current,
            })
        })
        .collect();
    let single_recipient = expanded
        .values()
        .filter(|e| e.recipients.len() == 1)
        .filter_map(|e| alias_row(&e.address))
        .map(|alias| SingleRecipient { alias })
        .collect();
    let expired_holding: Vec<ExpiredHolding> = funds
        .iter()
        .flat_map(|f| {
            f.allocations
                .iter()
                .filter(|a| f.expired_holding.contains(&a.id))
                .map(move |a| ExpiredHolding {
                    fund: f.id.clone(),
                    fund_name: f.name.clone(),
                    allocation: allocation_row(f, a),
                    team: TeamRef::of(org, &a.team),
                })
        })
        .collect();
    let mut health = Health {
        teams_without_lead,
        leads_ending,
        repos_without_owner,
        repos_partly_owned,
        orphan_rules,
        max_teams,
        overloaded,
        single_recipient,
        expired_holding,
        findings,
        problems: 0,
    };
    health.problems = health.teams_without_lead.len()
        + health.leads_ending.len()
        + health.repos_without_owner.len()
        + health.orphan_rules.len()
        + health.overloaded.len()
        + health.single_recipient.len()
        + health.expired_holding.len()
        + health.findings.len();

    // Index.
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
    for f in &funds {
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
    let mut all_repos = permission_repos.clone();
    all_repos.extend(ownership.keys().copied());
    let counts = Counts {
        people: org.people.len(),
        active_people: memberships
            .values()
            .filter(|l| l.iter().any(|(_, m)| m.is_current(today)))
            .count(),
        teams: org.teams.len(),
        archived: org.teams.values().filter(|t| t.spec.archived).count(),
        by_kind: by_kind.into_iter().collect(),
        aliases: expanded.len(),
        funds: funds.len(),
        repos: all_repos.len(),
    };
    let (mermaid, mermaid_cut) = mermaid(org);
    let index = Index {
        counts,
        tree: tree(org, |id| org.teams.get(id).map_or(0, current_count)),
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
    };
    let fund_pages = funds
        .into_iter()
        .map(|f| FundPage {
            bars: bars(&f),
            approvers: TeamRef::of(org, &f.approvers),
            fund: f,
        })
        .collect();
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
        funds: fund_pages,
    }
}

fn team_page(
    org: &Org,
    t: &Team,
    today: Date,
    funds: &[FundReport],
    alias_row: &(dyn Fn(&str) -> Option<AliasRow> + Sync),
    in_aliases: &BTreeMap<&str, Vec<String>>,
) -> TeamPage {
    let mut ancestors: Vec<TeamRef> = org
        .ancestors(&t.id)
        .iter()
        .map(|a| TeamRef::of(org, a))
        .collect();
    ancestors.reverse();
    let in_aliases = in_aliases.get(t.id.as_str()).cloned().unwrap_or_default();
    TeamPage {
        team: TeamRef::of(org, &t.id),
        description: t.spec.description.clone(),
        kind: t.spec.kind.as_str(),
        archived: t.spec.archived,
        ancestors,
        children: org
            .children(&t.id)
            .iter()
            .map(|c| TeamRef::of(org, c))
            .collect(),
        leads: t
            .current_leads(today)
            .map(|l| {
                t.member(l)
                    .map_or_else(|| Contact::of(org, l), |m| Contact::member(org, &m))
            })
            .collect(),
        members: t
            .members()
            .map(|m| MemberRow {
                person: Contact::member(org, &m),
                lead: t.spec.leads.iter().any(|l| l == m.person),
                status: term_status(&m, today),
            })
            .collect(),
        alumni: t.spec.alumni.iter().map(|a| Contact::of(org, a)).collect(),
        owns: t
            .spec
            .owns
            .iter()
            .map(|o| OwnsRow {
                repo: o.repo.clone(),
                whole: o.paths.is_empty(),
                patterns: o.paths.clone(),
            })
            .collect(),
        aliases: t
            .spec
            .email
            .iter()
            .filter_map(|a| alias_row(&a.address))
            .collect(),
        in_aliases,
        github: t.spec.github.as_ref().map(|g| GithubRow {
            handle: github_team(org, t).unwrap_or_else(|| t.slug().to_string()),
            privacy: match g.privacy {
                crate::schema::Privacy::Closed => "closed",
                crate::schema::Privacy::Secret => "secret",
            },
            repos: g
                .repos
                .iter()
                .map(|(r, p)| (r.clone(), p.as_str()))
                .collect(),
        }),
        allocations: funds
            .iter()
            .flat_map(|f| {
                f.allocations
                    .iter()
                    .filter(|a| a.team == t.id)
                    .map(move |a| allocation_row(f, a))
            })
            .collect(),
    }
}

fn repo_row(org: &Org, own: &RepoOwnership<'_>, today: Date) -> RepoRow {
    let teams: BTreeSet<&str> = own
        .rules
        .iter()
        .flat_map(|r| r.claims.iter().map(|c| c.team.id.as_str()))
        .collect();
    RepoRow {
        repo: own.repo.clone(),
        default_owner: own.rules.iter().any(|r| r.pattern.as_str() == "*"),
        teams: teams.len(),
        rules: own
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| RuleRow {
                pattern: r.pattern.as_str().to_string(),
                position: i + 1,
                owners: r
                    .claims
                    .iter()
                    .map(|c| OwnerRow {
                        team: TeamContact::of(org, c.team, today),
                    })
                    .collect(),
            })
            .collect(),
    }
}
