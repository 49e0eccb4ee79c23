//! Fake-GitHub builders shared by the end-to-end tests: a `FakeState` serving a snapshot.

use fake_github::FakeState;
use fake_github::model::{Invitation, Team, User};
use orgctl::github::state::{self as st, GithubState};

/// Adds `login` (with GitHub's `id` when known; the snapshot's id wins over one the fake
/// made up) to the fake's accounts.
pub fn add_user(s: &mut FakeState, login: &str, id: Option<u64>) {
    match id {
        Some(id) => {
            s.users.insert(
                login.to_lowercase(),
                User {
                    login: login.to_string(),
                    id,
                },
            );
        }
        None => {
            s.add_user(login);
        }
    }
}

/// The fake's team role for a snapshot's.
pub fn team_role(r: st::TeamRole) -> fake_github::TeamRole {
    match r {
        st::TeamRole::Member => fake_github::TeamRole::Member,
        st::TeamRole::Maintainer => fake_github::TeamRole::Maintainer,
    }
}

/// The fake's permission for a snapshot's.
pub fn permission(p: st::Permission) -> fake_github::Permission {
    match p {
        st::Permission::Pull => fake_github::Permission::Pull,
        st::Permission::Triage => fake_github::Permission::Triage,
        st::Permission::Push => fake_github::Permission::Push,
        st::Permission::Maintain => fake_github::Permission::Maintain,
        st::Permission::Admin => fake_github::Permission::Admin,
    }
}

/// `s` with the organisation's members, invitations and teams replaced by the snapshot's (its
/// accounts, with their ids, and the repositories its teams are granted added), serving it as
/// GitHub would. Ids the fake makes up start above every id in the snapshot.
pub fn serve_snapshot(snapshot: &GithubState, mut s: FakeState) -> FakeState {
    let highest = snapshot
        .members
        .iter()
        .map(|m| m.id)
        .chain(snapshot.teams.iter().map(|t| t.id))
        .chain(snapshot.invitations.iter().map(|i| i.id))
        .chain(
            snapshot
                .teams
                .iter()
                .flat_map(|t| t.members.iter().map(|m| m.id)),
        )
        .max()
        .unwrap_or(0);
    s.next_id = s.next_id.max(highest + 1);
    s.members.clear();
    for m in &snapshot.members {
        add_user(&mut s, &m.login, Some(m.id));
        let role = match m.role {
            st::OrgRole::Admin => fake_github::OrgRole::Admin,
            st::OrgRole::Member => fake_github::OrgRole::Member,
        };
        s.members.insert(m.login.to_lowercase(), role);
    }
    for i in &snapshot.invitations {
        if let Some(l) = &i.login {
            add_user(&mut s, l, None);
        }
        s.invitations.push(Invitation {
            id: i.id,
            login: i.login.as_ref().map(|l| l.to_lowercase()),
            email: i.email.clone(),
            role: match i.role {
                st::InvitationRole::Admin => fake_github::InvitationRole::Admin,
                st::InvitationRole::BillingManager => fake_github::InvitationRole::BillingManager,
                _ => fake_github::InvitationRole::DirectMember,
            },
            teams: Default::default(),
        });
    }
    let id_of = |slug: &str| snapshot.team(slug).map(|t| t.id);
    for t in &snapshot.teams {
        for m in &t.members {
            add_user(&mut s, &m.login, Some(m.id));
        }
        for r in &t.repos {
            s.add_repo(&r.name);
        }
        s.teams.insert(
            t.id,
            Team {
                id: t.id,
                node_id: format!("T_kwDOAA{:06}", t.id),
                name: t.name.clone(),
                slug: t.slug.clone(),
                description: t.description.clone(),
                privacy: match t.privacy {
                    st::Privacy::Closed => fake_github::Privacy::Closed,
                    st::Privacy::Secret => fake_github::Privacy::Secret,
                },
                notification_setting: "notifications_enabled".into(),
                permission: "pull".into(),
                parent: t.parent.as_deref().and_then(id_of),
                members: t
                    .members
                    .iter()
                    .map(|m| (m.login.to_lowercase(), team_role(m.role)))
                    .collect(),
                repos: t
                    .repos
                    .iter()
                    .map(|r| (r.name.to_lowercase(), permission(r.permission)))
                    .collect(),
            },
        );
    }
    s
}
