//! Deterministic organisations of a given shape, for benchmarks and large
//! tests: members, repositories, teams (some nested) with members and
//! repository permissions, and pending invitations.

use crate::model::{FakeState, InvitationRole, OrgRole, Permission, TeamRole};

/// Size and shape of a generated organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgShape {
    /// Organisation members besides the viewer.
    pub members: usize,
    /// Every n-th member is an owner (0: none).
    pub admins_every: usize,
    /// Repositories.
    pub repos: usize,
    /// Teams.
    pub teams: usize,
    /// Immediate members per team (at most `members`).
    pub members_per_team: usize,
    /// Repositories per team (at most `repos`).
    pub repos_per_team: usize,
    /// Every n-th team is a child of the team before it (0: all flat).
    pub child_every: usize,
    /// Pending invitations.
    pub invitations: usize,
}

impl Default for OrgShape {
    fn default() -> Self {
        OrgShape {
            members: 500,
            admins_every: 50,
            repos: 300,
            teams: 120,
            members_per_team: 12,
            repos_per_team: 5,
            child_every: 4,
            invitations: 20,
        }
    }
}

const PERMISSIONS: [Permission; 5] = [
    Permission::Pull,
    Permission::Triage,
    Permission::Push,
    Permission::Maintain,
    Permission::Admin,
];

impl FakeState {
    /// Generates organisation `org` (token owner `viewer`) of `shape`. Users are
    /// `user00000`…, repositories `repo00000`…, teams `Team 00000`… (slugs
    /// `team-00000`…), invitees `invitee00000`…. The same shape always gives
    /// the same state.
    pub fn generate(org: &str, viewer: &str, shape: OrgShape) -> FakeState {
        let mut s = FakeState::new(org, viewer);
        let user = |i: usize| format!("user{i:05}");
        for i in 0..shape.members {
            let admin = shape.admins_every > 0 && i % shape.admins_every == 0;
            s.add_member(
                &user(i),
                if admin {
                    OrgRole::Admin
                } else {
                    OrgRole::Member
                },
            );
        }
        for i in 0..shape.repos {
            s.add_repo(&format!("repo{i:05}"));
        }
        let per_team_members = shape.members_per_team.min(shape.members);
        let per_team_repos = shape.repos_per_team.min(shape.repos);
        for t in 0..shape.teams {
            let name = format!("Team {t:05}");
            let slug = format!("team-{t:05}");
            let nested = shape.child_every > 0 && t > 0 && t % shape.child_every == 0;
            let parent = nested.then(|| format!("team-{:05}", t - 1));
            if s.add_team(&name, parent.as_deref()).is_err() {
                continue;
            }
            for k in 0..per_team_members {
                let role = if k == 0 {
                    TeamRole::Maintainer
                } else {
                    TeamRole::Member
                };
                let _ = s.set_team_member(&slug, &user((t * 7 + k) % shape.members), role);
            }
            for k in 0..per_team_repos {
                let repo = format!("repo{:05}", (t * 3 + k) % shape.repos);
                let _ = s.set_team_repo(&slug, &repo, PERMISSIONS[(t + k) % PERMISSIONS.len()]);
            }
        }
        for i in 0..shape.invitations {
            s.invite(&format!("invitee{i:05}"), InvitationRole::DirectMember);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_respected_and_deterministic() {
        let shape = OrgShape::default();
        let a = FakeState::generate("acme", "boss", shape);
        assert_eq!(a, FakeState::generate("acme", "boss", shape));
        assert_eq!(a.members.len(), 501);
        assert_eq!(a.teams.len(), 120);
        assert_eq!(a.invitations.len(), 20);
        assert!(
            a.teams
                .values()
                .all(|t| t.members.len() == 12 && t.repos.len() == 5)
        );
        assert_eq!(a.teams.values().filter(|t| t.parent.is_some()).count(), 29);
    }
}
