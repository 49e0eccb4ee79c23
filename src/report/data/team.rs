//! A team's page: its place in the hierarchy, leads and members with their terms, what it owns,
//! its aliases and the cross-team aliases reaching it, its GitHub side and its allocations.

use super::{AliasRow, AllocationRow, Shared, TeamRef, TermStatus, allocation_row, term_status};
use crate::contact::{Contact, github_team};
use crate::model::Team;
use crate::par::par_map;
use serde::Serialize;
use std::collections::BTreeMap;

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

/// Every team's page, by id.
pub(super) fn pages(s: &Shared<'_>) -> Vec<TeamPage> {
    let org = s.org;
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
    par_map(&team_list, |t| team_page(s, t, &in_aliases))
}

fn team_page(s: &Shared<'_>, t: &Team, in_aliases: &BTreeMap<&str, Vec<String>>) -> TeamPage {
    let (org, today) = (s.org, s.today);
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
            .filter_map(|a| s.alias_row(&a.address))
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
        allocations: s
            .funds
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
