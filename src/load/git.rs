//! Loading an org from a git revision with gix, without touching the work tree.

use super::{Content, LoadError, Loaded, assemble};
use crate::yaml::MAX_FILE_BYTES;
use std::path::Path;

/// Reads the org directory `org_path` (as given on the command line, relative to the current
/// directory) at revision `rev` of the repository containing it.
pub fn load_git(org_path: &Path, rev: &str) -> Result<Loaded, LoadError> {
    let err = |reason: String| LoadError::Git {
        rev: rev.to_string(),
        path: org_path.display().to_string(),
        reason,
    };
    let (repo, in_repo) = open_repo(org_path).map_err(err)?;
    let commit = resolve_commit(&repo, rev).map_err(err)?;
    let root_tree = commit.tree().map_err(|e| err(e.to_string()))?;
    let tree = if in_repo.is_empty() {
        root_tree
    } else {
        let entry = root_tree
            .lookup_entry_by_path(&in_repo)
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err(format!("`{in_repo}` does not exist at this revision")))?;
        entry
            .object()
            .map_err(|e| err(e.to_string()))?
            .try_into_tree()
            .map_err(|_| err(format!("`{in_repo}` is not a directory at this revision")))?
    };
    let mut files = Vec::new();
    collect(&repo, &tree, "", 0, &mut files).map_err(err)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let short = commit.id().to_hex_with_len(8).to_string();
    let prefix = if in_repo.is_empty() {
        format!("{rev}:")
    } else {
        format!("{rev}:{in_repo}/")
    };
    Ok(assemble(
        format!("{prefix} ({short})"),
        &prefix,
        files,
        Vec::new(),
    ))
}

/// The repository containing `org_path` (or the current directory, when the path does not
/// exist in the work tree) and the org's path inside it (`org`, or empty at the root).
pub(super) fn open_repo(org_path: &Path) -> Result<(gix::Repository, String), String> {
    let start = if org_path.exists() {
        org_path
    } else {
        Path::new(".")
    };
    let repo = gix::discover(start).map_err(|e| format!("not inside a git repository ({e})"))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| "the repository is bare; run from a checkout".to_string())?;
    let workdir = std::fs::canonicalize(workdir).map_err(|e| e.to_string())?;
    let abs = std::path::absolute(org_path).map_err(|e| e.to_string())?;
    let abs = normalize(&abs);
    let in_repo = abs.strip_prefix(&workdir).map_err(|_| {
        format!(
            "the org directory is outside the repository at {}",
            workdir.display()
        )
    })?;
    let in_repo = in_repo.to_string_lossy().replace('\\', "/");
    Ok((repo, in_repo))
}

/// The commit `rev` names (a branch, tag, `HEAD~3`, an id).
pub(super) fn resolve_commit<'r>(
    repo: &'r gix::Repository,
    rev: &str,
) -> Result<gix::Commit<'r>, String> {
    repo.rev_parse_single(rev)
        .map_err(|e| format!("unknown revision ({e}); shallow CI clones need `fetch-depth: 0`"))?
        .object()
        .map_err(|e| e.to_string())?
        .peel_to_commit()
        .map_err(|e| e.to_string())
}

fn collect(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, Content)>,
) -> Result<(), String> {
    for entry in tree.iter() {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.filename().to_string();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let mode = entry.mode();
        if mode.is_tree() {
            if depth < 2 {
                let sub = repo
                    .find_object(entry.oid())
                    .map_err(|e| e.to_string())?
                    .try_into_tree()
                    .map_err(|e| e.to_string())?;
                collect(repo, &sub, &format!("{rel}/"), depth + 1, out)?;
            } else {
                out.push((
                    format!("{rel}/"),
                    Content::Unreadable("it is a directory".into()),
                ));
            }
        } else if mode.is_link() {
            out.push((
                rel,
                Content::Unreadable(
                    "it is a symbolic link; org files must be regular files".into(),
                ),
            ));
        } else if mode.is_commit() {
            out.push((rel, Content::Unreadable("it is a git submodule".into())));
        } else {
            let header = repo.find_header(entry.oid()).map_err(|e| e.to_string())?;
            if header.size() > MAX_FILE_BYTES {
                out.push((rel, Content::TooLarge(header.size())));
                continue;
            }
            let blob = repo.find_object(entry.oid()).map_err(|e| e.to_string())?;
            out.push((rel, Content::Bytes(blob.data.clone())));
        }
    }
    Ok(())
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
