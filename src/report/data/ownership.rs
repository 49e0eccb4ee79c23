//! The ownership index: every repository with its CODEOWNERS rules in order and who to ask.

use super::Shared;
use crate::contact::TeamContact;
use crate::model::Org;
use crate::ownership::RepoOwnership;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeSet;

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

/// Every owned repository's row, by name.
pub(super) fn rows(s: &Shared<'_>) -> Vec<RepoRow> {
    s.ownership
        .values()
        .map(|own| repo_row(s.org, own, s.today))
        .collect()
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
