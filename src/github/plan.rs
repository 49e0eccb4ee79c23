//! The GitHub provider's plan: desired against observed GitHub state, diffed into an ordered
//! [`Plan`].
//!
//! Identity is the numeric user id where known, so a renamed login is a note, not a removal
//! and re-invitation. A pending invitation counts as present (never re-invite). Unmanaged teams
//! are invisible. The token's own account and org admins are never removed. Order: org invites and
//! role changes, team creates (parents first) and team updates (reordered where GitHub's nesting
//! rules need it), membership and permission adds and updates, then removals, then team deletes
//! (children first).

use super::desired::{DesiredGithub, DesiredUser, desired_github};
use super::resources::{GithubAddress, GithubResource, PROVIDER, needs};
use super::simulate::simulate;
use super::state::{GithubState, Invitation, OrgMember, OrgRole, TeamMember};
use crate::model::Org;
use crate::plan::{
    Action, Address, Change, Note, PartOrigin, Plan, PlanPart, Policy, Resource, fingerprint,
};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The GitHub provider's part of a plan: every change that makes `actual` match `desired`, in
/// execution order, with its notes and fingerprints. Pure.
pub fn plan_part(desired: &DesiredGithub, actual: &GithubState) -> PlanPart {
    let mut actual = actual.clone();
    actual.normalize();
    let viewer = actual.viewer.as_deref().map(str::to_lowercase);
    let mut org_changes = Vec::new();
    let mut team_creates = Vec::new();
    let mut team_updates = Vec::new();
    let mut adds = Vec::new();
    let mut removals = Vec::new();
    let mut team_deletes = Vec::new();
    let mut notes = Vec::new();

    // Organisation membership.
    if desired.manage_org_members {
        let mut matched: BTreeSet<u64> = BTreeSet::new();
        let mut matched_invites: BTreeSet<u64> = BTreeSet::new();
        // Indexes instead of a scan per desired member (10,000 × 10,000 in a
        // large org); each keeps the first match, as a scan would find it.
        let mut by_id: HashMap<u64, &OrgMember> = HashMap::new();
        let mut by_login: HashMap<String, &OrgMember> = HashMap::new();
        for m in &actual.members {
            by_id.entry(m.id).or_insert(m);
            by_login.entry(m.login.to_ascii_lowercase()).or_insert(m);
        }
        let mut invitation_by_login: HashMap<String, &Invitation> = HashMap::new();
        for i in &actual.invitations {
            if let Some(login) = &i.login {
                invitation_by_login
                    .entry(login.to_ascii_lowercase())
                    .or_insert(i);
            }
        }
        for (u, role) in desired.members.values() {
            let found =
                u.id.and_then(|id| by_id.get(&id))
                    .or_else(|| by_login.get(&u.login.to_ascii_lowercase()))
                    .copied();
            match found {
                Some(m) => {
                    matched.insert(m.id);
                    rename_note(
                        &mut notes,
                        u,
                        &m.login,
                        Address::from(GithubAddress::OrgMember {
                            login: m.login.clone(),
                        }),
                    );
                    if m.role != *role {
                        if viewer.as_deref() == Some(m.login.to_lowercase().as_str())
                            && m.role == OrgRole::Admin
                        {
                            notes.push(Note {
                                address: Address::from(GithubAddress::OrgMember {
                                    login: m.login.clone(),
                                }),
                                message:
                                    "the token's own account is an owner; orgctl never demotes it"
                                        .into(),
                            });
                            continue;
                        }
                        org_changes.push(Change {
                            address: Address::from(GithubAddress::OrgMember {
                                login: m.login.clone(),
                            }),
                            action: Action::Update,
                            before: Some(org_member(Some(m.id), m.role, false)),
                            after: Some(org_member(u.id, *role, false)),
                            reason: Some(format!(
                                "{} in people/{}.yaml",
                                role_word(*role),
                                u.person
                            )),
                            needs: Vec::new(),
                        });
                    }
                }
                None => {
                    if let Some(i) = invitation_by_login.get(&u.login.to_ascii_lowercase()) {
                        matched_invites.insert(i.id);
                        continue;
                    }
                    org_changes.push(Change {
                        address: Address::from(GithubAddress::OrgMember {
                            login: u.login.clone(),
                        }),
                        action: Action::Create,
                        before: None,
                        after: Some(org_member(u.id, *role, true)),
                        reason: Some(format!("people/{}.yaml", u.person)),
                        needs: Vec::new(),
                    });
                }
            }
        }
        for m in actual.members.iter().filter(|m| !matched.contains(&m.id)) {
            let address = Address::from(GithubAddress::OrgMember {
                login: m.login.clone(),
            });
            if viewer.as_deref() == Some(m.login.to_lowercase().as_str()) {
                notes.push(Note {
                    address,
                    message: "the token's own account is not declared in the files; orgctl never removes it".into(),
                });
            } else if m.role == OrgRole::Admin {
                notes.push(Note {
                    address,
                    message: "an org owner not declared in org.yaml `github.admins`; orgctl never removes owners: declare them or remove them by hand".into(),
                });
            } else {
                removals.push(Change {
                    address,
                    action: Action::Delete,
                    before: Some(org_member(Some(m.id), m.role, false)),
                    after: None,
                    reason: Some("no person in people/ has this GitHub login".into()),
                    needs: Vec::new(),
                });
            }
        }
        for i in actual
            .invitations
            .iter()
            .filter(|i| !matched_invites.contains(&i.id))
        {
            match &i.login {
                Some(login) => removals.push(Change {
                    address: Address::from(GithubAddress::OrgMember {
                        login: login.clone(),
                    }),
                    action: Action::Delete,
                    before: Some(org_member(None, OrgRole::Member, true)),
                    after: None,
                    reason: Some("pending invitation for someone not declared: cancel it".into()),
                    needs: Vec::new(),
                }),
                None => notes.push(Note {
                    address: Address::from(GithubAddress::OrgMember {
                        login: i
                            .email
                            .clone()
                            .unwrap_or_else(|| format!("invitation {}", i.id)),
                    }),
                    message: "a pending e-mail invitation orgctl did not send; left alone".into(),
                }),
            }
        }
    }

    // Teams.
    let actual_teams: BTreeMap<&str, &crate::github::state::Team> = actual
        .teams
        .iter()
        .filter(|t| !desired.unmanaged_teams.contains(&t.slug))
        .map(|t| (t.slug.as_str(), t))
        .collect();
    let invited: BTreeSet<String> = actual
        .invitations
        .iter()
        .filter_map(|i| i.login.as_ref().map(|l| l.to_lowercase()))
        .collect();
    for slug in parents_first(desired) {
        let d = &desired.teams[slug];
        let want = Resource::from(GithubResource::Team {
            name: d.name.clone(),
            description: d.description.clone(),
            privacy: d.privacy,
            parent: d.parent.clone(),
        });
        let team_addr = Address::from(GithubAddress::Team {
            slug: slug.to_string(),
        });
        let (members, repos) = match actual_teams.get(slug) {
            None => {
                team_creates.push(Change {
                    address: team_addr,
                    action: Action::Create,
                    before: None,
                    after: Some(want),
                    reason: Some(format!("teams/{}.yaml", d.id)),
                    needs: Vec::new(),
                });
                (&[][..], &[][..])
            }
            Some(a) => {
                let have = Resource::from(GithubResource::Team {
                    name: a.name.clone(),
                    description: a.description.clone(),
                    privacy: a.privacy,
                    parent: a.parent.clone(),
                });
                if have != want {
                    team_updates.push(Change {
                        address: team_addr,
                        action: Action::Update,
                        before: Some(have),
                        after: Some(want),
                        reason: Some(format!("teams/{}.yaml", d.id)),
                        needs: Vec::new(),
                    });
                }
                (a.members.as_slice(), a.repos.as_slice())
            }
        };
        // Settings, when declared (undeclared ones are GitHub's business).
        if let Some(change) = settings_change(slug, d, actual_teams.get(slug).copied()) {
            adds.push(change);
        }
        // Members.
        let mut matched: BTreeSet<u64> = BTreeSet::new();
        for (u, role) in d.members.values() {
            let found: Option<&TeamMember> =
                members.iter().find(|m| u.id == Some(m.id)).or_else(|| {
                    members
                        .iter()
                        .find(|m| m.login.eq_ignore_ascii_case(&u.login))
                });
            match found {
                Some(m) => {
                    matched.insert(m.id);
                    if m.role != *role {
                        adds.push(Change {
                            address: Address::from(GithubAddress::TeamMember {
                                slug: slug.to_string(),
                                login: m.login.clone(),
                            }),
                            action: Action::Update,
                            before: Some(Resource::from(GithubResource::TeamMember {
                                user_id: Some(m.id),
                                role: m.role,
                            })),
                            after: Some(Resource::from(GithubResource::TeamMember {
                                user_id: u.id,
                                role: *role,
                            })),
                            reason: Some(if *role == crate::github::state::TeamRole::Maintainer {
                                format!("lead of teams/{}.yaml", d.id)
                            } else {
                                format!("not a lead of teams/{}.yaml", d.id)
                            }),
                            needs: Vec::new(),
                        });
                    }
                }
                None if invited.contains(&u.login.to_lowercase()) => {}
                None => adds.push(Change {
                    address: Address::from(GithubAddress::TeamMember {
                        slug: slug.to_string(),
                        // The API takes the account's current login: a renamed account is
                        // found by its id among the org members.
                        login: current_login(&actual, u),
                    }),
                    action: Action::Create,
                    before: None,
                    after: Some(Resource::from(GithubResource::TeamMember {
                        user_id: u.id,
                        role: *role,
                    })),
                    reason: Some(format!("member in teams/{}.yaml", d.id)),
                    needs: Vec::new(),
                }),
            }
        }
        for m in members.iter().filter(|m| !matched.contains(&m.id)) {
            removals.push(Change {
                address: Address::from(GithubAddress::TeamMember {
                    slug: slug.to_string(),
                    login: m.login.clone(),
                }),
                action: Action::Delete,
                before: Some(Resource::from(GithubResource::TeamMember {
                    user_id: Some(m.id),
                    role: m.role,
                })),
                after: None,
                reason: Some(format!("not a current member in teams/{}.yaml", d.id)),
                needs: Vec::new(),
            });
        }
        // Repositories.
        for (repo, perm) in &d.repos {
            let have = repos.iter().find(|r| r.name.eq_ignore_ascii_case(repo));
            let want = Resource::from(GithubResource::TeamRepo { permission: *perm });
            match have {
                Some(h) if h.permission == *perm => {}
                Some(h) => adds.push(Change {
                    address: Address::from(GithubAddress::TeamRepo {
                        slug: slug.to_string(),
                        repo: h.name.clone(),
                    }),
                    action: Action::Update,
                    before: Some(Resource::from(GithubResource::TeamRepo {
                        permission: h.permission,
                    })),
                    after: Some(want),
                    reason: None,
                    needs: Vec::new(),
                }),
                None => adds.push(Change {
                    address: Address::from(GithubAddress::TeamRepo {
                        slug: slug.to_string(),
                        repo: repo.clone(),
                    }),
                    action: Action::Create,
                    before: None,
                    after: Some(want),
                    reason: None,
                    needs: Vec::new(),
                }),
            }
        }
        for r in repos
            .iter()
            .filter(|r| !d.repos.keys().any(|k| k.eq_ignore_ascii_case(&r.name)))
        {
            removals.push(Change {
                address: Address::from(GithubAddress::TeamRepo {
                    slug: slug.to_string(),
                    repo: r.name.clone(),
                }),
                action: Action::Delete,
                before: Some(Resource::from(GithubResource::TeamRepo {
                    permission: r.permission,
                })),
                after: None,
                reason: Some(format!("not in `github.repos` of teams/{}.yaml", d.id)),
                needs: Vec::new(),
            });
        }
    }
    // Undeclared teams: deleted children first when pruning, else reported.
    let undeclared: Vec<&crate::github::state::Team> = actual_teams
        .values()
        .copied()
        .filter(|t| !desired.teams.contains_key(&t.slug))
        .collect();
    for t in children_first(&undeclared, &actual) {
        let address = Address::from(GithubAddress::Team {
            slug: t.slug.clone(),
        });
        if desired.prune_undeclared_teams {
            team_deletes.push(Change {
                address,
                action: Action::Delete,
                before: Some(Resource::from(GithubResource::Team {
                    name: t.name.clone(),
                    description: t.description.clone(),
                    privacy: t.privacy,
                    parent: t.parent.clone(),
                })),
                after: None,
                reason: Some("not declared in teams/ (prune_undeclared_teams is on)".into()),
                needs: Vec::new(),
            });
        } else {
            notes.push(Note {
                address,
                message: format!(
                    "team `{}` exists on GitHub but is not declared in teams/ ({}): declare it, list it in `github.unmanaged_teams`, or set `prune_undeclared_teams: true` to delete it",
                    t.slug,
                    crate::words::count(t.members.len(), "member", "members")
                ),
            });
        }
    }

    for group in [
        &mut org_changes,
        &mut team_updates,
        &mut adds,
        &mut removals,
    ] {
        group.sort_by_cached_key(|c| GithubAddress::parse(&c.address));
    }
    let mut changes: Vec<Change> = org_changes
        .into_iter()
        .chain(team_changes_in_order(team_creates, team_updates))
        .chain(adds)
        .chain(removals)
        .chain(team_deletes)
        .collect();
    for c in &mut changes {
        c.needs = needs(c);
    }
    PlanPart {
        changes,
        notes,
        origin: PartOrigin {
            provider: PROVIDER.to_string(),
            target: format!("GitHub organisation {}", desired.org),
            desired_fingerprint: fingerprint(desired),
            observed_fingerprint: actual.fingerprint(),
        },
    }
}

/// The plan that makes `actual` match `desired`, with only the GitHub part: the changes of
/// [`plan_part`] that `policy` selects. Pure.
pub fn plan_github(desired: &DesiredGithub, actual: &GithubState, policy: &Policy) -> Plan {
    let mut plan = Plan::new(&desired.org, desired.max_removals);
    plan.add_part(plan_part(desired, actual), policy);
    plan
}

/// The GitHub changes from the base's desired state to the head's (for `orgctl diff`): the base as if applied (a
/// simulated GitHub), then planned against the head exactly as `orgctl plan` would.
pub fn between(base: &Org, head: &Org, today: Date) -> (Vec<Change>, Vec<String>) {
    let Some(to) = desired_github(head, today) else {
        let note = base.spec.github.is_some().then(|| {
            "the head has no `github:` block in org.yaml: orgctl no longer manages GitHub (nothing is removed)".to_string()
        });
        return (Vec::new(), note.into_iter().collect());
    };
    let empty = GithubState::new(&to.org);
    let state = match desired_github(base, today) {
        Some(from) => {
            let start = GithubState::new(&from.org);
            let build = plan_github(&from, &start, &Policy::default());
            simulate(&build, &start, true)
        }
        None => empty,
    };
    if state.org != to.org {
        return (
            Vec::new(),
            vec![format!(
                "the GitHub organisation changes from `{}` to `{}`: compare the plans of each",
                state.org, to.org
            )],
        );
    }
    let plan = plan_github(&to, &state, &Policy::default());
    let notes = plan
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.address, n.message))
        .collect();
    (plan.changes, notes)
}

/// The change of a team's settings, if its declared notification setting is not GitHub's. A
/// new team starts with notifications enabled (GitHub's documented default for "Create a
/// team"), so only another value needs a write after the creation; an existing team whose
/// setting was not read (a snapshot from before orgctl read it) is written.
fn settings_change(
    slug: &str,
    desired: &super::desired::DesiredTeam,
    actual: Option<&crate::github::state::Team>,
) -> Option<Change> {
    let want = desired.notifications?;
    let have = match actual {
        None => Some(crate::schema::Notifications::Enabled),
        Some(a) => a.notifications,
    };
    if have == Some(want) {
        return None;
    }
    let settings = |notifications| Resource::from(GithubResource::TeamSettings { notifications });
    Some(Change {
        address: GithubAddress::TeamSettings {
            slug: slug.to_string(),
        }
        .into(),
        action: if actual.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        before: actual.and(have).map(settings),
        after: Some(settings(want)),
        reason: Some(format!(
            "`github.notifications` in teams/{}.yaml",
            desired.id
        )),
        needs: Vec::new(),
    })
}

/// The login GitHub knows a desired user by: the org member with the same id, else the files'.
fn current_login(actual: &GithubState, u: &DesiredUser) -> String {
    u.id.and_then(|id| actual.members.iter().find(|m| m.id == id))
        .map_or_else(|| u.login.clone(), |m| m.login.clone())
}

fn org_member(user_id: Option<u64>, role: OrgRole, pending: bool) -> Resource {
    Resource::from(GithubResource::OrgMember {
        user_id,
        role,
        pending,
    })
}

fn role_word(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Admin => "admin",
        OrgRole::Member => "member",
    }
}

fn rename_note(notes: &mut Vec<Note>, u: &DesiredUser, actual_login: &str, address: Address) {
    if !u.login.eq_ignore_ascii_case(actual_login) {
        notes.push(Note {
            address,
            message: format!(
                "GitHub account {} was renamed from `{}` to `{actual_login}`: same account (by id), no change needed; update `github:` in people/{}.yaml",
                u.id.map(|i| i.to_string()).unwrap_or_default(),
                u.login,
                u.person
            ),
        });
    }
}

/// Desired team slugs, parents before children (cycles, rejected by `check`, end the walk).
fn parents_first(desired: &DesiredGithub) -> Vec<&str> {
    let depth = |slug: &str| {
        let mut d = 0;
        let mut cur = desired.teams.get(slug).and_then(|t| t.parent.as_deref());
        while let Some(p) = cur {
            d += 1;
            if d > desired.teams.len() {
                break;
            }
            cur = desired.teams.get(p).and_then(|t| t.parent.as_deref());
        }
        d
    };
    let mut slugs: Vec<(usize, &str)> = desired
        .teams
        .keys()
        .map(|s| (depth(s), s.as_str()))
        .collect();
    slugs.sort();
    slugs.into_iter().map(|(_, s)| s).collect()
}

/// Team creates (parents first) and updates (by address), reordered where GitHub's nesting rules
/// need it, so that every request is valid when it is sent:
/// - a team is created before a team is created or moved under it;
/// - a secret team turning closed is updated before a team is created or moved under it (a
///   secret team cannot be a parent);
/// - a team that changes its parent is updated before a team is moved under it (GitHub refuses
///   to nest a team beneath one of its current children);
/// - a team moving away from a parent that turns secret is updated before that parent (a team
///   with child teams cannot be secret).
///
/// Otherwise the given order is kept (a stable topological sort). The first three kinds of
/// constraint run from a desired parent to its child, so they form no cycle; should the fourth
/// ever close one, the remaining changes keep their given order.
fn team_changes_in_order(creates: Vec<Change>, updates: Vec<Change>) -> Vec<Change> {
    use crate::schema::Privacy;
    let changes: Vec<Change> = creates.into_iter().chain(updates).collect();
    let team =
        |r: &Option<Resource>| match r.as_ref().and_then(|r| GithubResource::parse("team", r)) {
            Some(GithubResource::Team {
                privacy, parent, ..
            }) => Some((privacy, parent)),
            _ => None,
        };
    let slug =
        |c: &Change| GithubAddress::parse(&c.address).and_then(|a| a.team().map(str::to_string));
    let index: HashMap<String, usize> = changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| slug(c).map(|s| (s, i)))
        .collect();
    // Whether change `i` must come before a team is nested under its team.
    let opens_for_children = |i: usize| {
        let c = &changes[i];
        match (team(&c.before), team(&c.after)) {
            (None, Some(_)) => true,
            (Some((before, old_parent)), Some((after, new_parent))) => {
                (before == Privacy::Secret && after != Privacy::Secret) || old_parent != new_parent
            }
            _ => false,
        }
    };
    // Updates that take a team away from its current parent, by that parent.
    let mut moving_away: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, c) in changes.iter().enumerate() {
        if let (Some((_, Some(was))), Some((_, now))) = (team(&c.before), team(&c.after)) {
            if now.as_ref() != Some(&was) {
                moving_away.entry(was).or_default().push(j);
            }
        }
    }
    let mut after_these: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, c) in changes.iter().enumerate() {
        let (Some(before), Some((after_privacy, new_parent))) = (team(&c.before), team(&c.after))
        else {
            // A create: nested under a team created or opened in this plan.
            if let Some((_, Some(parent))) = team(&c.after) {
                if let Some(&p) = index.get(parent.as_str()) {
                    if opens_for_children(p) {
                        after_these[i].push(p);
                    }
                }
            }
            continue;
        };
        let (before_privacy, old_parent) = before;
        if let Some(parent) = new_parent
            .as_deref()
            .filter(|p| Some(*p) != old_parent.as_deref())
        {
            if let Some(&p) = index.get(parent) {
                if opens_for_children(p) {
                    after_these[i].push(p);
                }
            }
        }
        if after_privacy == Privacy::Secret && before_privacy != Privacy::Secret {
            if let Some(leaving) = slug(c).and_then(|me| moving_away.get(&me)) {
                after_these[i].extend(leaving);
            }
        }
    }
    // Kahn's algorithm, always taking the earliest ready change.
    let mut waiting: Vec<usize> = after_these.iter().map(Vec::len).collect();
    let mut unlocks: Vec<Vec<usize>> = vec![Vec::new(); changes.len()];
    for (i, deps) in after_these.iter().enumerate() {
        for &d in deps {
            unlocks[d].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..changes.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(changes.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &unlocks[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    let placed: BTreeSet<usize> = order.iter().copied().collect();
    order.extend((0..changes.len()).filter(|i| !placed.contains(i)));
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Teams ordered children before parents, by their live parent links.
fn children_first<'a>(
    teams: &[&'a crate::github::state::Team],
    actual: &GithubState,
) -> Vec<&'a crate::github::state::Team> {
    let depth = |t: &crate::github::state::Team| {
        let mut d = 0;
        let mut cur = t.parent.as_deref();
        while let Some(p) = cur {
            d += 1;
            if d > actual.teams.len() {
                break;
            }
            cur = actual.team(p).and_then(|t| t.parent.as_deref());
        }
        d
    };
    let mut v: Vec<(std::cmp::Reverse<usize>, &str, &crate::github::state::Team)> = teams
        .iter()
        .map(|t| (std::cmp::Reverse(depth(t)), t.slug.as_str(), *t))
        .collect();
    v.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    v.into_iter().map(|(_, _, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::between;
    use crate::validate::testing::{org, today};

    const ORG: &str = "name: Test\ngithub:\n  org: acme\nemail:\n  domains: [example.org]\n";

    /// `orgctl diff`'s GitHub part: the base as if applied, then the head planned against it.
    #[test]
    fn between_plans_the_head_against_the_base_as_applied() {
        let base = org(&[
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
            ("people/b.yaml", "name: B\ngithub: b-gh\ngithub_id: 2\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers: [a, b]\ngithub:\n  repos:\n    web: push\n",
            ),
        ]);
        let head = org(&[
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-new\ngithub_id: 1\n"),
            ("people/b.yaml", "name: B\ngithub: b-gh\ngithub_id: 2\n"),
            ("people/c.yaml", "name: C\ngithub: c-gh\ngithub_id: 3\n"),
            (
                "teams/t.yaml",
                "name: T\nleads: [a]\nmembers: [a, b, c]\ngithub:\n  repos:\n    web: maintain\n    api: pull\n",
            ),
        ]);
        let (changes, _) = between(&base, &head, today());
        // A rename is an update of the same account (same id); the new member and the new
        // permission are added.
        let github: Vec<String> = changes.iter().map(|c| c.address.to_string()).collect();
        for address in [
            "github_team_member.t[\"c-gh\"]",
            "github_team_repo.t[\"api\"]",
            "github_team_repo.t[\"web\"]",
        ] {
            assert!(github.contains(&address.to_string()), "{github:?}");
        }
    }

    /// A setting that was not read (an older snapshot, a value GitHub added later) is written
    /// when declared, since it cannot be compared; one that matches, or is not declared, is not.
    #[test]
    fn an_unknown_notification_setting_is_written_only_when_declared() {
        use super::settings_change;
        use crate::github::state::{Notifications, Privacy, Team};
        let files = |github: &str| {
            let o = org(&[
                ("org.yaml", ORG),
                ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
                (
                    "teams/t.yaml",
                    &format!("name: T\nmembers: [a]\ngithub: {github}\n"),
                ),
            ]);
            crate::github::desired_github(&o, today()).expect("github")
        };
        let live = |notifications| Team {
            id: 1,
            slug: "t".into(),
            name: "t".into(),
            description: None,
            privacy: Privacy::Closed,
            parent: None,
            notifications,
            members: Vec::new(),
            repos: Vec::new(),
        };
        let declared = files("{notifications: disabled}");
        let t = &declared.teams["t"];
        let unknown = settings_change("t", t, Some(&live(None))).expect("written");
        assert_eq!(unknown.action, crate::plan::Action::Update);
        assert_eq!(unknown.before, None);
        assert_eq!(
            unknown
                .after
                .and_then(|r| r.get_as::<Notifications>("notifications")),
            Some(Notifications::Disabled)
        );
        assert_eq!(
            settings_change("t", t, Some(&live(Some(Notifications::Disabled)))),
            None
        );
        let undeclared = files("{}");
        assert_eq!(
            settings_change("t", &undeclared.teams["t"], Some(&live(None))),
            None
        );
    }

    #[test]
    fn a_team_leaving_github_is_left_there() {
        let base = org(&[
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
            ("teams/t.yaml", "name: T\nmembers: [a]\ngithub: {}\n"),
        ]);
        let head = org(&[
            ("org.yaml", ORG),
            ("people/a.yaml", "name: A\ngithub: a-gh\ngithub_id: 1\n"),
            ("teams/t.yaml", "name: T\nmembers: [a]\n"),
        ]);
        // An undeclared team is reported, not deleted (prune_undeclared_teams is off).
        let (changes, _) = between(&base, &head, today());
        assert_eq!(changes, Vec::new());
    }
}
