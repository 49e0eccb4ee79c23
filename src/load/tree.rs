//! Listing a repository's files for ownership coverage: a checkout on disk, or a git revision
//! read with gix (no checkout needed). Only paths are read, never contents. Stage: load.

use std::fs;
use std::path::Path;

/// A repository's files cannot be listed.
#[derive(Debug, thiserror::Error)]
#[error("cannot list the files of `{path}`{}: {reason}", rev.as_ref().map(|r| format!(" at `{r}`")).unwrap_or_default())]
pub struct TreeError {
    /// The directory given.
    pub path: String,
    /// The revision, if any.
    pub rev: Option<String>,
    /// Why.
    pub reason: String,
}

/// Every file below `dir`, repository-relative with `/` separators, sorted. `.git` is skipped;
/// symbolic links are listed as files (git tracks them as such) and never followed.
pub fn list_worktree(dir: &Path) -> Result<Vec<String>, TreeError> {
    let err = |reason: String| TreeError {
        path: dir.display().to_string(),
        rev: None,
        reason,
    };
    if !dir.is_dir() {
        return Err(err("not a directory".into()));
    }
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs, rel)) = stack.pop() {
        let entries = fs::read_dir(&abs).map_err(|e| err(format!("{}: {e}", abs.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| err(e.to_string()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{rel}{name}");
            let ft = entry.file_type().map_err(|e| err(e.to_string()))?;
            if ft.is_dir() {
                if name != ".git" {
                    stack.push((entry.path(), format!("{path}/")));
                }
            } else if name != ".git" {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Every file (blob or symbolic link) of the tree at `rev` in the git repository containing
/// `dir`, repository-relative, sorted. Submodules are not files of the repository and are left out.
pub fn list_git_tree(dir: &Path, rev: &str) -> Result<Vec<String>, TreeError> {
    let err = |reason: String| TreeError {
        path: dir.display().to_string(),
        rev: Some(rev.to_string()),
        reason,
    };
    let repo = gix::discover(dir).map_err(|e| err(format!("not inside a git repository ({e})")))?;
    let commit = repo
        .rev_parse_single(rev)
        .map_err(|e| err(format!("unknown revision ({e})")))?
        .object()
        .map_err(|e| err(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| err(e.to_string()))?;
    let tree = commit.tree().map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    collect(&repo, &tree, "", &mut out).map_err(err)?;
    out.sort();
    Ok(out)
}

fn collect(
    repo: &gix::Repository,
    tree: &gix::Tree<'_>,
    prefix: &str,
    out: &mut Vec<String>,
) -> Result<(), String> {
    for entry in tree.iter() {
        let entry = entry.map_err(|e| e.to_string())?;
        let path = format!("{prefix}{}", entry.filename());
        let mode = entry.mode();
        if mode.is_tree() {
            let sub = repo
                .find_object(entry.oid())
                .map_err(|e| e.to_string())?
                .try_into_tree()
                .map_err(|e| e.to_string())?;
            collect(repo, &sub, &format!("{path}/"), out)?;
        } else if !mode.is_commit() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_a_worktree_without_git() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("a/b")).unwrap();
        fs::create_dir_all(d.path().join(".git/objects")).unwrap();
        fs::write(d.path().join("a/b/c.txt"), "x").unwrap();
        fs::write(d.path().join("README"), "x").unwrap();
        fs::write(d.path().join(".git/HEAD"), "x").unwrap();
        fs::write(d.path().join(".gitignore"), "x").unwrap();
        assert_eq!(
            list_worktree(d.path()).unwrap(),
            [".gitignore", "README", "a/b/c.txt"]
        );
        assert!(list_worktree(&d.path().join("nope")).is_err());
    }

    #[test]
    fn lists_a_git_revision() {
        // This repository itself: its committed org directory is there at HEAD.
        let files = list_git_tree(Path::new(env!("CARGO_MANIFEST_DIR")), "HEAD").unwrap();
        assert!(
            files.iter().any(|f| f == "org/org.yaml"),
            "{:?}",
            &files[..files.len().min(5)]
        );
        assert!(files.iter().all(|f| !f.starts_with(".git/")));
    }
}
