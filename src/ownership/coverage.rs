//! Ownership coverage of a repository's files: the share with an owner and the largest
//! directories with none. Pure: the file list comes from the CLI (a checkout or a git tree).

use super::RepoOwnership;
use serde::Serialize;
use std::collections::BTreeMap;

/// The coverage of one file list by one repository's rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Files considered.
    pub files: usize,
    /// Files with an owner.
    pub owned: usize,
    /// Owned files as a percentage of all files (100 for an empty list).
    pub percent: f64,
    /// The largest directories none of whose files has an owner, largest first. A directory is
    /// listed only when its parent has some owned file, so nested ones are not repeated.
    pub unowned_dirs: Vec<UnownedDir>,
}

/// A directory without any owned file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnownedDir {
    /// The directory, repository-relative, with a trailing `/` (`/` for the root).
    pub path: String,
    /// Files below it.
    pub files: usize,
}

/// Computes the coverage of `files` (repository-relative paths), listing at most `top`
/// unowned directories.
pub fn coverage(own: &RepoOwnership<'_>, files: &[String], top: usize) -> Coverage {
    // directory -> (files below, owned files below); "" is the root.
    let mut dirs: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut owned = 0;
    for f in files {
        let f = f.trim_start_matches('/');
        let is_owned = own.owner(f).is_some();
        owned += usize::from(is_owned);
        let mut ancestors = vec![""];
        ancestors.extend(f.match_indices('/').map(|(i, _)| &f[..i]));
        for d in ancestors {
            let e = dirs.entry(d).or_default();
            e.0 += 1;
            e.1 += usize::from(is_owned);
        }
    }
    let fully_unowned = |d: &str| dirs.get(d).is_some_and(|(_, o)| *o == 0);
    let mut unowned_dirs: Vec<UnownedDir> = dirs
        .iter()
        .filter(|(d, (_, o))| {
            *o == 0 && (d.is_empty() || !fully_unowned(d.rfind('/').map_or("", |i| &d[..i])))
        })
        .map(|(d, (n, _))| UnownedDir {
            path: if d.is_empty() {
                "/".into()
            } else {
                format!("{d}/")
            },
            files: *n,
        })
        .collect();
    unowned_dirs.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.path.cmp(&b.path)));
    unowned_dirs.truncate(top);
    let percent = if files.is_empty() {
        100.0
    } else {
        owned as f64 * 100.0 / files.len() as f64
    };
    Coverage {
        files: files.len(),
        owned,
        percent,
        unowned_dirs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::org;

    #[test]
    fn counts_owned_files_and_maximal_unowned_directories() {
        let o = org(&[(
            "teams/t.yaml",
            "name: T\nowns:\n  - repo: r\n    paths: [/src/, /docs/index.md]\n",
        )]);
        let own = RepoOwnership::build(&o, "r");
        let files: Vec<String> = [
            "src/a.rs",
            "src/b/c.rs",
            "docs/index.md",
            "docs/old/x.md",
            "docs/old/y.md",
            "docs/z.md",
            "tools/a/b.sh",
            "tools/c.sh",
            "README.md",
        ]
        .map(String::from)
        .to_vec();
        let c = coverage(&own, &files, 10);
        assert_eq!((c.files, c.owned), (9, 3));
        assert!((c.percent - 33.333).abs() < 0.01);
        let dirs: Vec<(&str, usize)> = c
            .unowned_dirs
            .iter()
            .map(|d| (d.path.as_str(), d.files))
            .collect();
        assert_eq!(dirs, [("docs/old/", 2), ("tools/", 2)]);
        let none = coverage(&own, &[], 10);
        assert_eq!(none.percent, 100.0);
        let all_unowned = coverage(&own, &["x/y".to_string()], 10);
        assert_eq!(all_unowned.unowned_dirs[0].path, "/");
    }
}
