//! The GitHub provider's executor: runs the selected GitHub changes in plan order over a [`GithubWriter`].
//!
//! Orchestration only: no clock, no printing (progress goes to a callback), no HTTP of its own.
//! The plan's order is GitHub's: org invitations and roles, team creations parents first, team
//! updates, membership and permission adds, removals, team deletions children first.

use super::error::{GithubError, retry_after};
use super::resources::{GithubAddress, GithubResource};
use super::state::GithubState;
use super::writer::{GithubWriter, MembershipState, NewTeam, TeamPatch, expected_slug};
use crate::apply::{ChangeResult, Outcome, Progress, Stopped};
use crate::plan::{Action, Address, Change};
use std::collections::{BTreeMap, BTreeSet};

/// What the executor knows besides the changes.
#[derive(Debug, Clone, Default)]
pub struct ExecContext {
    /// Team ids by slug, from the live state read at apply time.
    pub team_ids: BTreeMap<String, u64>,
    /// The token's account (GitHub makes it maintainer of every team it creates).
    pub viewer: Option<String>,
    /// Slugs of the teams the viewer is a desired member of (it stays in those).
    pub viewer_member_of: BTreeSet<String>,
}

impl ExecContext {
    /// The context for `live`, keeping the viewer in `viewer_member_of`.
    pub fn from_live(live: &GithubState, viewer_member_of: BTreeSet<String>) -> ExecContext {
        ExecContext {
            team_ids: live.teams.iter().map(|t| (t.slug.clone(), t.id)).collect(),
            viewer: live.viewer.clone(),
            viewer_member_of,
        }
    }
}

/// The slugs of the teams whose desired members include `viewer` (case-insensitive).
pub fn teams_with_member(desired: &crate::github::DesiredGithub, viewer: &str) -> BTreeSet<String> {
    let key = viewer.to_lowercase();
    desired
        .teams
        .iter()
        .filter(|(_, t)| t.members.contains_key(&key))
        .map(|(slug, _)| slug.clone())
        .collect()
}

/// Runs `changes` (GitHub ones; others are reported as skipped) over `writer`, serially and in
/// order, and reports what happened to each. A failure skips only the changes that need what
/// failed, except GitHub's rate limit outlasting the retry budget and rejected credentials:
/// those stop the run, and every later change is reported as not attempted.
pub async fn execute<W: GithubWriter>(
    changes: &[Change],
    ctx: &ExecContext,
    writer: &W,
    progress: &mut dyn FnMut(Progress<'_>),
) -> crate::apply::ApplyReport {
    let mut ids = ctx.team_ids.clone();
    let mut missing: BTreeSet<Address> = BTreeSet::new();
    let mut stop: Option<String> = None;
    let mut report = crate::apply::ApplyReport::default();
    let total = changes.len();
    for (index, change) in changes.iter().enumerate() {
        progress(Progress::Started {
            index,
            total,
            change,
        });
        let mut notes = Vec::new();
        let outcome = if let Some(reason) = &stop {
            Outcome::Skipped {
                reason: reason.clone(),
            }
        } else if let Some(team) = change
            .needs
            .iter()
            .filter(|a| missing.contains(*a))
            .find_map(|a| a.name.as_deref())
        {
            Outcome::Skipped {
                reason: format!("team `{team}` was not created"),
            }
        } else {
            match run_one(change, ctx, &mut ids, writer, &mut notes).await {
                Ok(()) => Outcome::Applied,
                Err(e) => {
                    if let Some((skip, stopped)) = stops_the_run(&e) {
                        stop = Some(skip);
                        report.stopped = Some(stopped);
                    }
                    Outcome::Failed {
                        error: e.to_string(),
                    }
                }
            }
        };
        if let (Some(GithubAddress::Team { slug }), Action::Create) =
            (GithubAddress::parse(&change.address), change.action)
        {
            if !ids.contains_key(&slug) {
                missing.insert(change.address.clone());
            }
        }
        let result = ChangeResult {
            change: change.clone(),
            outcome,
            notes,
            exchanges: writer.take_exchanges(),
        };
        progress(Progress::Finished {
            index,
            total,
            result: &result,
        });
        report.results.push(result);
    }
    report
}

/// Whether `e` stops the run, and then the reason given to every change not attempted and why
/// the run stopped. GitHub's rate limit outlasting the retry budget does (every later write
/// would meet it too), as do rejected credentials.
fn stops_the_run(e: &GithubError) -> Option<(String, Stopped)> {
    if let Some(until) = e.rate_limited_until() {
        let at = retry_after(until);
        return Some((
            format!("not attempted: GitHub rate limit, retry after {at}"),
            Stopped {
                why: "by GitHub's rate limit".into(),
                again: format!("after {at}"),
            },
        ));
    }
    if matches!(e, GithubError::BadCredentials { .. }) {
        return Some((
            format!("not attempted: apply stopped: {e}"),
            Stopped {
                why: "because GitHub rejected the credentials".into(),
                again: "with a valid token".into(),
            },
        ));
    }
    None
}

fn malformed(change: &Change) -> GithubError {
    GithubError::NotApplied(format!(
        "{}: the plan does not say what to {} (malformed plan file); re-run `orgctl plan`",
        change.address,
        match change.action {
            Action::Create => "create",
            Action::Update => "change",
            Action::Delete => "delete",
        }
    ))
}

/// Refuses a team name from which GitHub would derive another slug than the team's.
fn check_slug(slug: &str, name: &str, creating: bool) -> Result<(), GithubError> {
    match expected_slug(name) {
        Some(derived) if derived != slug => Err(GithubError::NotApplied(format!(
            "GitHub derives a team's slug from its name: {} `{name}` would give it the slug `{derived}`, not `{slug}`; set `github.name` to a name whose slug is `{slug}`, or set `github.slug: {derived}` (nothing was written)",
            if creating {
                "creating it as"
            } else {
                "renaming it to"
            }
        ))),
        _ => Ok(()),
    }
}

fn parent_id(ids: &BTreeMap<String, u64>, parent: &Option<String>) -> Result<Option<u64>, String> {
    match parent {
        None => Ok(None),
        Some(p) => ids
            .get(p)
            .copied()
            .map(Some)
            .ok_or_else(|| format!("parent team `{p}` does not exist on GitHub")),
    }
}

/// Runs one change; `ids` learns the teams it creates.
async fn run_one<W: GithubWriter>(
    change: &Change,
    ctx: &ExecContext,
    ids: &mut BTreeMap<String, u64>,
    writer: &W,
    notes: &mut Vec<String>,
) -> Result<(), GithubError> {
    let pending = |state: MembershipState, notes: &mut Vec<String>| {
        if state == MembershipState::Pending {
            notes.push("invitation pending".into());
        }
    };
    let Some(address) = GithubAddress::parse(&change.address) else {
        return Err(GithubError::NotApplied(format!(
            "{}: not a GitHub resource this orgctl knows; it is applied by its own provider",
            change.address
        )));
    };
    let before = GithubResource::of(change, &change.before);
    let after = GithubResource::of(change, &change.after);
    match (&address, change.action) {
        (GithubAddress::Team { slug }, Action::Create) => {
            let Some(GithubResource::Team {
                name,
                description,
                privacy,
                parent,
            }) = &after
            else {
                return Err(malformed(change));
            };
            check_slug(slug, name, true)?;
            let parent_id = parent_id(ids, parent).map_err(GithubError::NotApplied)?;
            let created = writer
                .create_team(&NewTeam {
                    slug: slug.clone(),
                    name: name.clone(),
                    description: description.clone(),
                    privacy: *privacy,
                    parent_id,
                })
                .await?;
            if created.already_existed {
                notes.push("an earlier attempt had created it (found by slug)".into());
            }
            if created.slug != *slug {
                // Leave no stray team behind: it is new, empty and not the one planned.
                let cleanup = match writer.delete_team(&created.slug).await {
                    Ok(()) => "orgctl deleted it again".to_string(),
                    Err(e) => format!("deleting it again failed ({e}): delete it by hand"),
                };
                return Err(GithubError::NotApplied(format!(
                    "GitHub created the team with the slug `{}`, not `{slug}` ({cleanup}); set `github.name` to a name whose slug is `{slug}`, or set `github.slug: {}`",
                    created.slug, created.slug
                )));
            }
            ids.insert(slug.clone(), created.id);
            if let Some(viewer) = &ctx.viewer {
                if !ctx.viewer_member_of.contains(slug) {
                    // GitHub made the creator a maintainer of the new team.
                    writer.remove_team_membership(slug, viewer).await.map_err(|e| {
                        GithubError::NotApplied(format!(
                            "created the team, but could not remove the token's account `{viewer}` that GitHub made its maintainer: {e}"
                        ))
                    })?;
                    notes.push(format!(
                        "removed `{viewer}` (the token's account), whom GitHub made maintainer of the new team"
                    ));
                }
            }
            Ok(())
        }
        (GithubAddress::Team { slug }, Action::Update) => {
            let (
                Some(GithubResource::Team {
                    name: b_name,
                    description: b_desc,
                    privacy: b_priv,
                    parent: b_parent,
                }),
                Some(GithubResource::Team {
                    name,
                    description,
                    privacy,
                    parent,
                }),
            ) = (&before, &after)
            else {
                return Err(malformed(change));
            };
            if name != b_name {
                check_slug(slug, name, false)?;
            }
            let patch = TeamPatch {
                name: (name != b_name).then(|| name.clone()),
                description: (description != b_desc).then(|| description.clone()),
                privacy: (privacy != b_priv).then_some(*privacy),
                parent_id: if parent != b_parent {
                    Some(parent_id(ids, parent).map_err(GithubError::NotApplied)?)
                } else {
                    None
                },
                notifications: None,
            };
            if patch.is_empty() {
                return Ok(());
            }
            writer.update_team(slug, &patch).await
        }
        (GithubAddress::Team { slug }, Action::Delete) => writer.delete_team(slug).await,
        (GithubAddress::TeamMember { slug, login }, Action::Create | Action::Update) => {
            let Some(GithubResource::TeamMember { role, .. }) = &after else {
                return Err(malformed(change));
            };
            let state = writer.set_team_membership(slug, login, *role).await?;
            pending(state, notes);
            Ok(())
        }
        (GithubAddress::TeamMember { slug, login }, Action::Delete) => {
            writer.remove_team_membership(slug, login).await
        }
        (GithubAddress::TeamRepo { slug, repo }, Action::Create | Action::Update) => {
            let Some(GithubResource::TeamRepo { permission }) = &after else {
                return Err(malformed(change));
            };
            writer.set_team_repo(slug, repo, *permission).await
        }
        (GithubAddress::TeamRepo { slug, repo }, Action::Delete) => {
            writer.remove_team_repo(slug, repo).await
        }
        (GithubAddress::OrgMember { login }, Action::Create | Action::Update) => {
            let Some(GithubResource::OrgMember { role, .. }) = &after else {
                return Err(malformed(change));
            };
            let state = writer.set_org_membership(login, *role).await?;
            pending(state, notes);
            Ok(())
        }
        (GithubAddress::OrgMember { login }, Action::Delete) => {
            writer.remove_org_membership(login).await
        }
        (GithubAddress::TeamSettings { slug }, Action::Create | Action::Update) => {
            let Some(GithubResource::TeamSettings { notifications }) = &after else {
                return Err(malformed(change));
            };
            let patch = TeamPatch {
                notifications: Some(*notifications),
                ..TeamPatch::default()
            };
            writer.update_team(slug, &patch).await
        }
        // Settings are never planned for removal: undeclared settings are left as they are.
        (GithubAddress::TeamSettings { .. }, Action::Delete) => Err(malformed(change)),
    }
}
