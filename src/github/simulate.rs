//! Applying a plan to a [`GithubState`] in memory: what GitHub would look like afterwards.
//!
//! Pure. Used by property tests (`plan(desired, simulate(plan, actual))` is empty), by
//! `orgctl import` checks and by `orgctl diff` (the base's desired state as GitHub would hold
//! it); it models GitHub's documented effects of each write (a new member of the org is pending
//! until they accept; deleting a team deletes its children; removing an org member removes them
//! from every team). Every lookup is indexed, so simulating a plan for 10,000 members and 2,000
//! teams costs one map operation per change.

use super::resources::{GithubAddress, GithubResource};
use super::state::{
    GithubState, Invitation, InvitationRole, OrgMember, OrgRole, Team, TeamMember, TeamRepo,
};
use crate::plan::{Action, Change, Plan};
use std::collections::{BTreeMap, HashSet};

/// The state after every change of `plan` succeeds. New org members are added as invitations
/// when `accept_invitations` is false, and as members when it is true (they accepted).
pub fn simulate(plan: &Plan, state: &GithubState, accept_invitations: bool) -> GithubState {
    let mut sim = Sim::new(state);
    for c in &plan.changes {
        sim.apply(c, accept_invitations);
    }
    sim.finish()
}

/// Logins compare case-insensitively on GitHub.
fn key(login: &str) -> String {
    login.to_ascii_lowercase()
}

/// A team during simulation: its members and repositories indexed.
struct SimTeam {
    team: Team,
    members: BTreeMap<String, TeamMember>,
    repos: BTreeMap<String, TeamRepo>,
}

/// The state being simulated, indexed by login and slug.
struct Sim {
    /// Organisation, viewer and version; members, invitations and teams live below.
    rest: GithubState,
    members: BTreeMap<String, OrgMember>,
    invitations: Vec<Invitation>,
    invited: HashSet<String>,
    teams: BTreeMap<String, SimTeam>,
    next_id: u64,
}

impl Sim {
    fn new(state: &GithubState) -> Sim {
        let mut rest = state.clone();
        let members = std::mem::take(&mut rest.members)
            .into_iter()
            .map(|m| (key(&m.login), m))
            .collect();
        let invitations = std::mem::take(&mut rest.invitations);
        let invited = invitations
            .iter()
            .filter_map(|i| i.login.as_deref().map(key))
            .collect();
        let teams: BTreeMap<String, SimTeam> = std::mem::take(&mut rest.teams)
            .into_iter()
            .map(|mut t| {
                let members = std::mem::take(&mut t.members)
                    .into_iter()
                    .map(|m| (key(&m.login), m))
                    .collect();
                let repos = std::mem::take(&mut t.repos)
                    .into_iter()
                    .map(|r| (key(&r.name), r))
                    .collect();
                (
                    t.slug.clone(),
                    SimTeam {
                        team: t,
                        members,
                        repos,
                    },
                )
            })
            .collect();
        let next_id = teams.values().map(|t| t.team.id).max().unwrap_or(0) + 1;
        Sim {
            rest,
            members,
            invitations,
            invited,
            teams,
            next_id,
        }
    }

    fn finish(self) -> GithubState {
        let mut s = self.rest;
        s.members = self.members.into_values().collect();
        s.invitations = self.invitations;
        s.teams = self
            .teams
            .into_values()
            .map(|mut t| {
                t.team.members = t.members.into_values().collect();
                t.team.repos = t.repos.into_values().collect();
                t.team
            })
            .collect();
        s.normalize();
        s
    }

    fn invite(&mut self, login: &str, id: u64, role: InvitationRole) {
        if self.invited.insert(key(login)) {
            self.invitations.push(Invitation {
                login: Some(login.to_string()),
                email: None,
                id,
                role,
            });
        }
    }

    fn uninvite(&mut self, login: &str) {
        let k = key(login);
        if self.invited.remove(&k) {
            self.invitations
                .retain(|i| i.login.as_deref().map(key).as_ref() != Some(&k));
        }
    }

    fn apply(&mut self, c: &Change, accept: bool) {
        let address = GithubAddress::parse(&c.address);
        let after = GithubResource::of(c, &c.after);
        match (&address, c.action, &after) {
            (
                Some(GithubAddress::Team { slug }),
                Action::Create | Action::Update,
                Some(GithubResource::Team {
                    name,
                    description,
                    privacy,
                    parent,
                }),
            ) => {
                if let Some(t) = self.teams.get_mut(slug) {
                    t.team.name = name.clone();
                    t.team.description = description.clone();
                    t.team.privacy = *privacy;
                    t.team.parent = parent.clone();
                } else {
                    let team = Team {
                        id: self.next_id,
                        slug: slug.clone(),
                        name: name.clone(),
                        description: description.clone(),
                        privacy: *privacy,
                        parent: parent.clone(),
                        // GitHub's default for a new team ("Create a team").
                        notifications: Some(crate::schema::Notifications::Enabled),
                        members: Vec::new(),
                        repos: Vec::new(),
                    };
                    self.next_id += 1;
                    self.teams.insert(
                        slug.clone(),
                        SimTeam {
                            team,
                            members: BTreeMap::new(),
                            repos: BTreeMap::new(),
                        },
                    );
                }
            }
            (Some(GithubAddress::Team { slug }), Action::Delete, _) => {
                // Deleting a team deletes its child teams (documented).
                let mut doomed = vec![slug.clone()];
                let mut i = 0;
                while i < doomed.len() {
                    let p = doomed[i].clone();
                    doomed.extend(
                        self.teams
                            .values()
                            .filter(|t| t.team.parent.as_deref() == Some(&p))
                            .map(|t| t.team.slug.clone()),
                    );
                    i += 1;
                }
                for d in doomed {
                    self.teams.remove(&d);
                }
            }
            (
                Some(GithubAddress::TeamMember { slug, login }),
                Action::Create | Action::Update,
                Some(GithubResource::TeamMember { user_id, role }),
            ) => {
                let k = key(login);
                if !self.members.contains_key(&k) {
                    if !accept {
                        self.invite(
                            login,
                            user_id.unwrap_or(0) + 1_000_000,
                            InvitationRole::Member,
                        );
                        return;
                    }
                    self.members.insert(
                        k.clone(),
                        OrgMember {
                            login: login.clone(),
                            id: user_id.unwrap_or(0),
                            role: OrgRole::Member,
                        },
                    );
                    self.uninvite(login);
                }
                if let Some(t) = self.teams.get_mut(slug) {
                    t.members
                        .entry(k)
                        .and_modify(|m| m.role = *role)
                        .or_insert_with(|| TeamMember {
                            login: login.clone(),
                            id: user_id.unwrap_or(0),
                            role: *role,
                        });
                }
            }
            (Some(GithubAddress::TeamMember { slug, login }), Action::Delete, _) => {
                if let Some(t) = self.teams.get_mut(slug) {
                    t.members.remove(&key(login));
                }
            }
            (
                Some(GithubAddress::TeamRepo { slug, repo }),
                Action::Create | Action::Update,
                Some(GithubResource::TeamRepo { permission }),
            ) => {
                if let Some(t) = self.teams.get_mut(slug) {
                    t.repos
                        .entry(key(repo))
                        .and_modify(|r| r.permission = *permission)
                        .or_insert_with(|| TeamRepo {
                            name: repo.clone(),
                            permission: *permission,
                        });
                }
            }
            (Some(GithubAddress::TeamRepo { slug, repo }), Action::Delete, _) => {
                if let Some(t) = self.teams.get_mut(slug) {
                    t.repos.remove(&key(repo));
                }
            }
            (
                Some(GithubAddress::OrgMember { login }),
                Action::Create | Action::Update,
                Some(GithubResource::OrgMember { user_id, role, .. }),
            ) => {
                if let Some(m) = self.members.get_mut(&key(login)) {
                    m.role = *role;
                } else if accept {
                    self.members.insert(
                        key(login),
                        OrgMember {
                            login: login.clone(),
                            id: user_id.unwrap_or(0),
                            role: *role,
                        },
                    );
                } else {
                    self.invite(
                        login,
                        user_id.unwrap_or(0) + 1_000_000,
                        match role {
                            OrgRole::Admin => InvitationRole::Admin,
                            OrgRole::Member => InvitationRole::Member,
                        },
                    );
                }
            }
            (
                Some(GithubAddress::TeamSettings { slug }),
                Action::Create | Action::Update,
                Some(GithubResource::TeamSettings { notifications }),
            ) => {
                if let Some(t) = self.teams.get_mut(slug) {
                    t.team.notifications = Some(*notifications);
                }
            }
            (Some(GithubAddress::OrgMember { login }), Action::Delete, _) => {
                // Removing a member removes them from every team too (documented).
                let k = key(login);
                self.members.remove(&k);
                self.uninvite(login);
                for t in self.teams.values_mut() {
                    t.members.remove(&k);
                }
            }
            _ => {}
        }
    }
}
