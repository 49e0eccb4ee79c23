//! Applying a plan to a [`GithubState`] in memory: what GitHub would look like afterwards.
//!
//! Pure. Used by property tests (`plan(desired, simulate(plan, actual))` is empty) and by
//! `orgctl import` checks; it models GitHub's documented effects of each write (a new member of
//! the org is pending until they accept; deleting a team deletes its children).

use super::{Action, Address, Change, Plan, Resource};
use crate::github::state::{
    GithubState, Invitation, InvitationRole, OrgMember, OrgRole, Team, TeamMember, TeamRepo,
};

/// The state after every change of `plan` succeeds. New org members are added as invitations
/// when `accept_invitations` is false, and as members when it is true (they accepted).
pub fn simulate(plan: &Plan, state: &GithubState, accept_invitations: bool) -> GithubState {
    let mut s = state.clone();
    let mut next_id = s.teams.iter().map(|t| t.id).max().unwrap_or(0) + 1;
    for c in &plan.changes {
        apply_one(&mut s, c, accept_invitations, &mut next_id);
    }
    s.normalize();
    s
}

fn apply_one(s: &mut GithubState, c: &Change, accept: bool, next_id: &mut u64) {
    match (&c.address, c.action, &c.after) {
        (
            Address::GithubTeam { slug },
            Action::Create | Action::Update,
            Some(Resource::GithubTeam {
                name,
                description,
                privacy,
                parent,
            }),
        ) => {
            if let Some(t) = s.teams.iter_mut().find(|t| t.slug == *slug) {
                t.name = name.clone();
                t.description = description.clone();
                t.privacy = *privacy;
                t.parent = parent.clone();
            } else {
                s.teams.push(Team {
                    id: *next_id,
                    slug: slug.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    privacy: *privacy,
                    parent: parent.clone(),
                    members: Vec::new(),
                    repos: Vec::new(),
                });
                *next_id += 1;
            }
        }
        (Address::GithubTeam { slug }, Action::Delete, _) => {
            let mut doomed = vec![slug.clone()];
            let mut i = 0;
            while i < doomed.len() {
                let p = doomed[i].clone();
                doomed.extend(
                    s.teams
                        .iter()
                        .filter(|t| t.parent.as_deref() == Some(&p))
                        .map(|t| t.slug.clone()),
                );
                i += 1;
            }
            s.teams.retain(|t| !doomed.contains(&t.slug));
        }
        (
            Address::GithubTeamMember { slug, login },
            Action::Create | Action::Update,
            Some(Resource::GithubTeamMember { user_id, role }),
        ) => {
            let is_member = s.member(login).is_some();
            if !is_member && !accept {
                if !s.invitations.iter().any(|i| {
                    i.login
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(login))
                }) {
                    s.invitations.push(Invitation {
                        login: Some(login.clone()),
                        email: None,
                        id: user_id.unwrap_or(0) + 1_000_000,
                        role: InvitationRole::Member,
                    });
                }
                return;
            }
            if !is_member {
                s.members.push(OrgMember {
                    login: login.clone(),
                    id: user_id.unwrap_or(0),
                    role: OrgRole::Member,
                });
                s.invitations.retain(|i| {
                    !i.login
                        .as_deref()
                        .is_some_and(|l| l.eq_ignore_ascii_case(login))
                });
            }
            if let Some(t) = s.teams.iter_mut().find(|t| t.slug == *slug) {
                match t
                    .members
                    .iter_mut()
                    .find(|m| m.login.eq_ignore_ascii_case(login))
                {
                    Some(m) => m.role = *role,
                    None => t.members.push(TeamMember {
                        login: login.clone(),
                        id: user_id.unwrap_or(0),
                        role: *role,
                    }),
                }
            }
        }
        (Address::GithubTeamMember { slug, login }, Action::Delete, _) => {
            if let Some(t) = s.teams.iter_mut().find(|t| t.slug == *slug) {
                t.members.retain(|m| !m.login.eq_ignore_ascii_case(login));
            }
        }
        (
            Address::GithubTeamRepo { slug, repo },
            Action::Create | Action::Update,
            Some(Resource::GithubTeamRepo { permission }),
        ) => {
            if let Some(t) = s.teams.iter_mut().find(|t| t.slug == *slug) {
                match t
                    .repos
                    .iter_mut()
                    .find(|r| r.name.eq_ignore_ascii_case(repo))
                {
                    Some(r) => r.permission = *permission,
                    None => t.repos.push(TeamRepo {
                        name: repo.clone(),
                        permission: *permission,
                    }),
                }
            }
        }
        (Address::GithubTeamRepo { slug, repo }, Action::Delete, _) => {
            if let Some(t) = s.teams.iter_mut().find(|t| t.slug == *slug) {
                t.repos.retain(|r| !r.name.eq_ignore_ascii_case(repo));
            }
        }
        (
            Address::GithubOrgMember { login },
            Action::Create | Action::Update,
            Some(Resource::GithubOrgMember { user_id, role, .. }),
        ) => {
            if let Some(m) = s
                .members
                .iter_mut()
                .find(|m| m.login.eq_ignore_ascii_case(login))
            {
                m.role = *role;
            } else if accept {
                s.members.push(OrgMember {
                    login: login.clone(),
                    id: user_id.unwrap_or(0),
                    role: *role,
                });
            } else {
                s.invitations.push(Invitation {
                    login: Some(login.clone()),
                    email: None,
                    id: user_id.unwrap_or(0) + 1_000_000,
                    role: match role {
                        OrgRole::Admin => InvitationRole::Admin,
                        OrgRole::Member => InvitationRole::Member,
                    },
                });
            }
        }
        (Address::GithubOrgMember { login }, Action::Delete, _) => {
            // Removing a member removes them from every team too (documented).
            s.members.retain(|m| !m.login.eq_ignore_ascii_case(login));
            s.invitations.retain(|i| {
                !i.login
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(login))
            });
            for t in &mut s.teams {
                t.members.retain(|m| !m.login.eq_ignore_ascii_case(login));
            }
        }
        _ => {}
    }
}
