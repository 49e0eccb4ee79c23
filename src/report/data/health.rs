//! The health page: teams without a lead or whose leads all leave soon, repositories without an
//! owner, rules nobody can answer for, people in too many teams, aliases with one recipient,
//! expired allocations still holding money, and `check`'s findings.

use super::{AliasRow, AllocationRow, RepoRow, Shared, TeamRef, allocation_row};
use crate::contact::Contact;
use crate::model::Member;
use serde::Serialize;

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

/// The health page, from the shared indexes, the ownership index `repos` and `check`'s
/// `findings`.
pub(super) fn page(s: &Shared<'_>, repos: &[RepoRow], findings: Vec<Finding>) -> Health {
    let (org, today, soon, funds, ownership) = (s.org, s.today, s.soon, &s.funds, &s.ownership);
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
    let repos_without_owner = s
        .permission_repos
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
            if rule.claims.iter().all(|c| s.current_count(c.team) == 0) {
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
    let overloaded = s
        .memberships
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
    let single_recipient = s
        .expanded
        .values()
        .filter(|e| e.recipients.len() == 1)
        .filter_map(|e| s.alias_row(&e.address))
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
    health
}
