//! Reading the history of team files from git (first-parent, newest first), for
//! `orgctl history`. The only I/O of the history; what the changes mean is `crate::history`.

use super::LoadError;
use super::git::{open_repo, resolve_commit};
use crate::yaml::MAX_FILE_BYTES;
use std::collections::BTreeMap;
use std::path::Path;

/// A commit that changed files in the org's `teams/` directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRevision {
    /// Abbreviated commit id.
    pub commit: String,
    /// Commit time, seconds since the Unix epoch.
    pub time: i64,
    /// Author name.
    pub author: String,
    /// First line of the message.
    pub summary: String,
    /// The team files it changed, by team id (file stem).
    pub changed: Vec<ChangedTeam>,
}

/// One team file before and after a commit (`None`: absent, or not readable text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedTeam {
    /// Team id (file stem).
    pub id: String,
    /// The text before the commit.
    pub before: Option<String>,
    /// The text after it.
    pub after: Option<String>,
}

/// The commits reachable from `rev` by first parents, newest first, that changed team files of
/// the org at `org_path`; at most `max_commits` commits are looked at.
pub fn team_history(
    org_path: &Path,
    rev: &str,
    max_commits: usize,
) -> Result<Vec<TeamRevision>, LoadError> {
    let err = |reason: String| LoadError::Git {
        rev: rev.to_string(),
        path: org_path.display().to_string(),
        reason,
    };
    let (repo, in_repo) = open_repo(org_path).map_err(err)?;
    let teams_path = if in_repo.is_empty() {
        "teams".to_string()
    } else {
        format!("{in_repo}/teams")
    };
    let start = resolve_commit(&repo, rev).map_err(err)?;
    let walk = repo
        .rev_walk([start.id])
        .first_parent_only()
        .all()
        .map_err(|e| err(e.to_string()))?;
    // The id of the `teams/` tree at a commit: equal ids mean no team file changed, which is
    // most commits, and is known without listing the directory.
    let teams_tree = |commit: &gix::Commit<'_>| -> Result<Option<gix::ObjectId>, String> {
        let tree = commit.tree().map_err(|e| e.to_string())?;
        let entry = tree
            .lookup_entry_by_path(&teams_path)
            .map_err(|e| e.to_string())?;
        Ok(entry
            .filter(|e| e.mode().is_tree())
            .map(|e| e.oid().to_owned()))
    };
    let teams_in = |id: Option<gix::ObjectId>| -> Result<BTreeMap<String, gix::ObjectId>, String> {
        let Some(id) = id else {
            return Ok(BTreeMap::new());
        };
        let dir = repo
            .find_object(id)
            .map_err(|e| e.to_string())?
            .try_into_tree()
            .map_err(|e| e.to_string())?;
        let mut out = BTreeMap::new();
        for e in dir.iter() {
            let e = e.map_err(|e| e.to_string())?;
            let name = e.filename().to_string();
            let stem = name
                .strip_suffix(".yaml")
                .or_else(|| name.strip_suffix(".yml"));
            if let (Some(stem), true) = (stem, e.mode().is_blob()) {
                out.insert(stem.to_string(), e.oid().to_owned());
            }
        }
        Ok(out)
    };
    let text = |id: &gix::ObjectId| -> Option<String> {
        let header = repo.find_header(*id).ok()?;
        if header.size() > MAX_FILE_BYTES {
            return None;
        }
        let blob = repo.find_object(*id).ok()?;
        String::from_utf8(blob.data.clone()).ok()
    };
    let mut out = Vec::new();
    // The walk goes from child to first parent, so a commit's parent is the next commit: its
    // `teams/` tree, looked up as "before", is kept for the next round's "after".
    let mut parent_seen: Option<(gix::ObjectId, Option<gix::ObjectId>)> = None;
    for info in walk.take(max_commits) {
        let info = info.map_err(|e| err(e.to_string()))?;
        let commit = info.object().map_err(|e| err(e.to_string()))?;
        let after_tree = match parent_seen {
            Some((id, tree)) if id == info.id => tree,
            _ => teams_tree(&commit).map_err(err)?,
        };
        let before_tree = match info.parent_ids.first() {
            Some(p) => {
                let parent = repo
                    .find_object(*p)
                    .map_err(|e| err(e.to_string()))?
                    .try_into_commit()
                    .map_err(|e| err(e.to_string()))?;
                let tree = teams_tree(&parent).map_err(err)?;
                parent_seen = Some((*p, tree));
                tree
            }
            None => None,
        };
        if before_tree == after_tree {
            continue;
        }
        let (before, after) = (
            teams_in(before_tree).map_err(err)?,
            teams_in(after_tree).map_err(err)?,
        );
        let mut changed = Vec::new();
        let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for id in ids {
            let (b, a) = (before.get(id), after.get(id));
            if b != a {
                changed.push(ChangedTeam {
                    id: id.clone(),
                    before: b.and_then(text),
                    after: a.and_then(text),
                });
            }
        }
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        let author = commit
            .author()
            .map(|a| a.name.to_string())
            .unwrap_or_default();
        let summary = commit
            .message()
            .map(|m| m.summary().to_string())
            .unwrap_or_default();
        out.push(TeamRevision {
            commit: info.id.to_hex_with_len(8).to_string(),
            time,
            author,
            summary,
            changed,
        });
    }
    Ok(out)
}
