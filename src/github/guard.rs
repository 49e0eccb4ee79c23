//! The GitHub provider's guards, checked by apply before its first write (the removal limit,
//! common to every provider, is `crate::apply::guard`). Pure: the selected changes and the live
//! state read at apply time in, every reason to refuse out (all of them, not the first), each
//! saying what to do.

use super::resources::{GithubAddress, GithubResource};
use super::state::{GithubState, OrgRole};
use crate::plan::{Action, Address, Change};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What the guards need besides the changes.
#[derive(Debug, Clone)]
pub struct GuardInput<'a> {
    /// The organisation as read at apply time.
    pub live: &'a GithubState,
    /// Teams orgctl must never touch (`github.unmanaged_teams`).
    pub unmanaged_teams: &'a BTreeSet<String>,
}

/// A reason to refuse an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The change removes or demotes the account apply runs as.
    ActingAccount {
        /// The change.
        address: Address,
        /// The token's account.
        viewer: String,
    },
    /// The change would leave the organisation without an owner.
    LastOwner {
        /// The change.
        address: Address,
    },
    /// The change touches a team listed in `github.unmanaged_teams`.
    UnmanagedTeam {
        /// The change.
        address: Address,
    },
    /// Deleting a team would delete a child team the plan keeps (GitHub cascades).
    Cascade {
        /// The team being deleted.
        team: String,
        /// A descendant that is not deleted by the plan.
        child: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ActingAccount { address, viewer } => write!(
                f,
                "{address}: orgctl never removes or demotes the account it runs as (`{viewer}`); declare it in the org files or change it by hand"
            ),
            Refusal::LastOwner { address } => write!(
                f,
                "{address}: this would leave the organisation without an owner; keep at least one person in `github.admins`"
            ),
            Refusal::UnmanagedTeam { address } => write!(
                f,
                "{address}: the team is listed in `github.unmanaged_teams`, which orgctl never touches; the plan is not from these org files, re-run `orgctl plan`"
            ),
            Refusal::Cascade { team, child } => write!(
                f,
                "github_team.{team}: deleting it would also delete its child team `{child}` (GitHub deletes child teams with their parent), which the plan keeps; move `{child}` elsewhere first or delete it too"
            ),
        }
    }
}

/// Every reason to refuse running `changes`. Pure.
pub fn check(changes: &[Change], input: &GuardInput<'_>) -> Vec<Refusal> {
    let mut refusals = Vec::new();
    let live = input.live;
    let viewer = live.viewer.as_deref().map(str::to_lowercase);
    let mut owners: BTreeSet<String> = live
        .members
        .iter()
        .filter(|m| m.role == OrgRole::Admin)
        .map(|m| m.login.to_lowercase())
        .collect();
    let had_owners = !owners.is_empty();
    for c in changes {
        let Some(address) = GithubAddress::parse(&c.address) else {
            continue;
        };
        if let GithubAddress::OrgMember { login } = &address {
            let key = login.to_lowercase();
            let loses_owner = match (c.action, GithubResource::of(c, &c.after)) {
                (Action::Delete, _) => true,
                (Action::Update, Some(GithubResource::OrgMember { role, .. })) => {
                    role != OrgRole::Admin
                }
                _ => false,
            };
            if !loses_owner {
                continue;
            }
            let is_viewer = viewer.as_deref() == Some(key.as_str());
            let was_owner = owners.contains(&key);
            if is_viewer && (c.action == Action::Delete || was_owner) {
                refusals.push(Refusal::ActingAccount {
                    address: c.address.clone(),
                    viewer: login.clone(),
                });
            }
            if was_owner {
                owners.remove(&key);
                if had_owners && owners.is_empty() {
                    refusals.push(Refusal::LastOwner {
                        address: c.address.clone(),
                    });
                }
            }
        }
        if address
            .team()
            .is_some_and(|t| input.unmanaged_teams.contains(t))
        {
            refusals.push(Refusal::UnmanagedTeam {
                address: c.address.clone(),
            });
        }
    }
    refusals.extend(cascades(changes, live));
    refusals
}

/// Team deletions whose (future) descendants are not deleted too.
fn cascades(changes: &[Change], live: &GithubState) -> Vec<Refusal> {
    // Parent links after the plan's creates and updates.
    let mut parent: BTreeMap<String, Option<String>> = live
        .teams
        .iter()
        .map(|t| (t.slug.clone(), t.parent.clone()))
        .collect();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    for c in changes {
        match (
            GithubAddress::parse(&c.address),
            c.action,
            GithubResource::of(c, &c.after),
        ) {
            (
                Some(GithubAddress::Team { slug }),
                Action::Create | Action::Update,
                Some(GithubResource::Team { parent: p, .. }),
            ) => {
                parent.insert(slug, p);
            }
            (Some(GithubAddress::Team { slug }), Action::Delete, _) => {
                deleted.insert(slug);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for team in &deleted {
        for (child, _) in parent.iter().filter(|(s, _)| !deleted.contains(*s)) {
            let mut cur = parent.get(child).cloned().flatten();
            let mut steps = 0;
            while let Some(p) = cur {
                if p == *team {
                    out.push(Refusal::Cascade {
                        team: team.to_string(),
                        child: child.to_string(),
                    });
                    break;
                }
                steps += 1;
                if steps > parent.len() {
                    break;
                }
                cur = parent.get(&p).cloned().flatten();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::state::{OrgMember, Privacy, Team};

    fn live() -> GithubState {
        let mut s = GithubState::new("acme");
        s.viewer = Some("bot".into());
        for (login, role) in [
            ("bot", OrgRole::Member),
            ("ann", OrgRole::Admin),
            ("bo", OrgRole::Member),
        ] {
            s.members.push(OrgMember {
                login: login.into(),
                id: 1,
                role,
            });
        }
        for (slug, parent) in [("eng", None), ("web", Some("eng")), ("old", None)] {
            s.teams.push(Team {
                id: 1,
                slug: slug.into(),
                name: slug.into(),
                description: None,
                privacy: Privacy::Closed,
                parent: parent.map(str::to_string),
                notifications: None,
                members: Vec::new(),
                repos: Vec::new(),
            });
        }
        s
    }

    fn delete(address: Address) -> Change {
        Change {
            address,
            action: Action::Delete,
            before: None,
            after: None,
            reason: None,
            needs: Vec::new(),
        }
    }

    fn org(login: &str) -> Address {
        GithubAddress::OrgMember {
            login: login.into(),
        }
        .into()
    }

    fn team(slug: &str) -> Address {
        GithubAddress::Team { slug: slug.into() }.into()
    }

    #[test]
    fn refuses_what_it_must() {
        let live = live();
        let unmanaged = BTreeSet::from(["old".to_string()]);
        let input = GuardInput {
            live: &live,
            unmanaged_teams: &unmanaged,
        };
        let changes = vec![
            delete(org("BOT")),
            delete(org("ann")),
            delete(team("eng")),
            delete(team("old")),
        ];
        let r = check(&changes, &input);
        assert!(r.iter().any(|x| matches!(x, Refusal::ActingAccount { .. })));
        assert!(r.contains(&Refusal::LastOwner {
            address: org("ann")
        }));
        assert!(r.contains(&Refusal::UnmanagedTeam {
            address: team("old")
        }));
        assert!(r.contains(&Refusal::Cascade {
            team: "eng".into(),
            child: "web".into()
        }));
        let ok = vec![delete(org("bo")), delete(team("web"))];
        assert_eq!(check(&ok, &input), Vec::new());
    }
}
