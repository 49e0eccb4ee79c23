//! The desired GitHub state: what the org files say GitHub should look like on a date.
//!
//! Pure projection of the model. Only teams with a `github:` block are synced; their members are
//! the current members (terms respected) who have a GitHub login, leads as maintainers.

use super::state::{Notifications, OrgRole, Permission, Privacy, TeamRole};
use crate::model::Org;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A user as the files name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredUser {
    /// Login as written.
    pub login: String,
    /// GitHub user id (identity across renames).
    pub id: Option<u64>,
    /// The person id in the files (display only).
    pub person: String,
}

/// A desired team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredTeam {
    /// Team id in the files.
    pub id: String,
    /// Name on GitHub.
    pub name: String,
    /// Description on GitHub.
    pub description: Option<String>,
    /// Visibility.
    pub privacy: Privacy,
    /// Parent slug, when the parent team is synced.
    pub parent: Option<String>,
    /// The notification setting, when the files declare one (else GitHub's is left alone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Notifications>,
    /// Members by lowercased login, with their role.
    pub members: BTreeMap<String, (DesiredUser, TeamRole)>,
    /// Repository permissions.
    pub repos: BTreeMap<String, Permission>,
}

/// The desired state of one GitHub organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredGithub {
    /// Organisation login.
    pub org: String,
    /// Teams by slug.
    pub teams: BTreeMap<String, DesiredTeam>,
    /// Org members by lowercased login (empty and ignored unless `manage_org_members`).
    pub members: BTreeMap<String, (DesiredUser, OrgRole)>,
    /// Whether org membership is managed.
    pub manage_org_members: bool,
    /// Slugs never touched.
    pub unmanaged_teams: BTreeSet<String>,
    /// Whether undeclared teams are deleted.
    pub prune_undeclared_teams: bool,
    /// Apply's removal limit.
    pub max_removals: u32,
}

/// Projects the model onto GitHub. `None` when org.yaml has no `github:` block.
pub fn desired_github(org: &Org, today: Date) -> Option<DesiredGithub> {
    let gh = org.spec.github.as_ref()?;
    let user = |person: &str| -> Option<DesiredUser> {
        let p = org.people.get(person)?;
        Some(DesiredUser {
            login: p.spec.github.clone()?,
            id: p.spec.github_id,
            person: p.id.clone(),
        })
    };
    let mut teams = BTreeMap::new();
    for t in org.teams.values() {
        let Some(tg) = &t.spec.github else { continue };
        if t.spec.archived {
            continue;
        }
        let mut members = BTreeMap::new();
        for m in t.current_members(today) {
            let Some(u) = user(m.person) else { continue };
            let role = if t.spec.leads.iter().any(|l| l == m.person) {
                TeamRole::Maintainer
            } else {
                TeamRole::Member
            };
            members.insert(u.login.to_lowercase(), (u, role));
        }
        let description = tg
            .description
            .clone()
            .or_else(|| t.spec.description.clone())
            // Compared exactly: GitHub documents no normalisation of a team's description,
            // and an empty one is no description (as `GithubState::normalize` reads it).
            .filter(|d| !d.is_empty());
        teams.insert(
            t.slug().to_string(),
            DesiredTeam {
                id: t.id.clone(),
                name: tg.name.clone().unwrap_or_else(|| t.slug().to_string()),
                description,
                privacy: tg.privacy,
                parent: org.github_parent(t).map(|p| p.slug().to_string()),
                notifications: tg.notifications,
                members,
                repos: tg.repos.clone(),
            },
        );
    }
    let mut members = BTreeMap::new();
    if gh.manage_org_members {
        // Everyone with a GitHub login is an org member, inactive or not: to remove someone from
        // the organisation, remove their `github:` (or their file).
        for p in org.people.values() {
            let admin = gh.admins.contains(&p.id);
            let Some(u) = user(&p.id) else { continue };
            let role = if admin {
                OrgRole::Admin
            } else {
                OrgRole::Member
            };
            members.insert(u.login.to_lowercase(), (u, role));
        }
    }
    Some(DesiredGithub {
        org: gh.org.clone(),
        teams,
        members,
        manage_org_members: gh.manage_org_members,
        unmanaged_teams: gh.unmanaged_teams.iter().cloned().collect(),
        prune_undeclared_teams: gh.prune_undeclared_teams,
        max_removals: org.spec.limits.max_removals,
    })
}
