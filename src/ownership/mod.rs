//! Ownership: which team owns which path of which repository, and why.
//!
//! Teams declare `owns:` entries (a repository, optionally with CODEOWNERS patterns). For one
//! repository, [`RepoOwnership::build`] collects every claim into an ordered rule list: one rule
//! per distinct pattern (teams claiming the same pattern share it), least specific first, so that
//! with GitHub's "last match wins" the most specific claim decides. `orgctl owners` answers from
//! this list and `orgctl codeowners` writes exactly this list, which is why the two always agree.
//! Pure; coverage over a file list lives in [`coverage`]. Stage: report.

pub mod answer;
pub mod coverage;
pub mod pattern;

pub use pattern::{Pattern, PatternError, Specificity};

use crate::model::{Org, Team};
use crate::source::FileId;
use std::collections::{BTreeMap, BTreeSet};

/// One team's claim on a pattern: the `owns:` entry that says so.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The claiming team.
    pub team: &'a Team,
    /// The team's file.
    pub file: FileId,
    /// JSON pointer of the pattern (`/owns/1/paths/0`), or of the repository name when the
    /// entry has no paths and claims the whole repository.
    pub pointer: String,
}

/// One line of the ownership table: a pattern and the teams claiming it.
#[derive(Debug, Clone)]
pub struct Rule<'a> {
    /// The pattern (`*` for whole-repository claims).
    pub pattern: Pattern,
    /// The claims, sorted by team id, one per team.
    pub claims: Vec<Claim<'a>>,
}

/// A pattern that cannot be used (GitHub would ignore the whole CODEOWNERS file).
#[derive(Debug, Clone)]
pub struct InvalidPattern<'a> {
    /// The claim that wrote it.
    pub claim: Claim<'a>,
    /// The pattern as written.
    pub text: String,
    /// Why it is rejected.
    pub error: PatternError,
}

/// The ownership rules of one repository, least specific first.
#[derive(Debug, Clone)]
pub struct RepoOwnership<'a> {
    /// The repository name.
    pub repo: String,
    /// Rules in CODEOWNERS order: the last matching rule wins.
    pub rules: Vec<Rule<'a>>,
    /// Patterns left out because GitHub does not support them (`check` reports them).
    pub invalid: Vec<InvalidPattern<'a>>,
}

/// Every repository some team owns something in, sorted.
pub fn repositories(org: &Org) -> BTreeSet<&str> {
    org.teams
        .values()
        .flat_map(|t| t.spec.owns.iter().map(|o| o.repo.as_str()))
        .collect()
}

/// The ownership rules of every repository, by name.
pub fn all(org: &Org) -> BTreeMap<&str, RepoOwnership<'_>> {
    repositories(org)
        .into_iter()
        .map(|r| (r, RepoOwnership::build(org, r)))
        .collect()
}

impl<'a> RepoOwnership<'a> {
    /// Collects the claims of every team on `repo` into ordered rules.
    pub fn build(org: &'a Org, repo: &str) -> RepoOwnership<'a> {
        let mut by_text: BTreeMap<String, (Pattern, Vec<Claim<'a>>)> = BTreeMap::new();
        let mut invalid = Vec::new();
        for team in org.teams.values() {
            for (i, owns) in team.spec.owns.iter().enumerate() {
                if owns.repo != repo {
                    continue;
                }
                let mut add = |pattern: Pattern, pointer: String| {
                    let entry = by_text
                        .entry(pattern.as_str().to_string())
                        .or_insert_with(|| (pattern, Vec::new()));
                    if !entry.1.iter().any(|c| c.team.id == team.id) {
                        entry.1.push(Claim {
                            team,
                            file: team.file,
                            pointer,
                        });
                    }
                };
                if owns.paths.is_empty() {
                    add(Pattern::everything(), format!("/owns/{i}/repo"));
                }
                for (j, text) in owns.paths.iter().enumerate() {
                    let pointer = format!("/owns/{i}/paths/{j}");
                    match Pattern::parse(text) {
                        Ok(p) => add(p, pointer),
                        Err(error) => invalid.push(InvalidPattern {
                            claim: Claim {
                                team,
                                file: team.file,
                                pointer,
                            },
                            text: text.clone(),
                            error,
                        }),
                    }
                }
            }
        }
        let mut rules: Vec<Rule<'a>> = by_text
            .into_values()
            .map(|(pattern, mut claims)| {
                claims.sort_by(|a, b| a.team.id.cmp(&b.team.id));
                Rule { pattern, claims }
            })
            .collect();
        // Stable: ties keep the pattern text order of the map, so the order is deterministic.
        rules.sort_by_key(|r| r.pattern.specificity());
        RepoOwnership {
            repo: repo.to_string(),
            rules,
            invalid,
        }
    }

    /// Indices of every rule matching `path`, in order; the last one decides.
    pub fn matching(&self, path: &str) -> Vec<usize> {
        let path = normalize_path(path);
        let parts: Vec<&str> = path.split('/').collect();
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pattern.matches_parts(&parts))
            .map(|(i, _)| i)
            .collect()
    }

    /// The deciding rule for `path` (the last match), if any.
    pub fn owner(&self, path: &str) -> Option<&Rule<'a>> {
        let path = normalize_path(path);
        let parts: Vec<&str> = path.split('/').collect();
        self.rules
            .iter()
            .rev()
            .find(|r| r.pattern.matches_parts(&parts))
    }
}

/// Normalizes a user-given path: no leading `./` or `/`, no trailing `/`.
pub fn normalize_path(path: &str) -> &str {
    let mut p = path.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.trim_start_matches('/').trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::org;

    fn example() -> crate::model::Org {
        org(&[
            (
                "teams/core.yaml",
                "name: Core\nowns:\n  - repo: r\n    paths: [/pkgs/top-level/, /lib/]\n",
            ),
            (
                "teams/py.yaml",
                "name: Py\nowns:\n  - repo: r\n    paths: [/pkgs/top-level/python-packages.nix, /lib/]\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nowns:\n  - repo: r\n    paths: ['*.md', '[bad]']\n  - repo: other\n",
            ),
        ])
    }

    #[test]
    fn most_specific_rule_comes_last_and_wins() {
        let o = example();
        let r = RepoOwnership::build(&o, "r");
        let order: Vec<&str> = r.rules.iter().map(|r| r.pattern.as_str()).collect();
        assert_eq!(
            order,
            [
                "*.md",
                "/lib/",
                "/pkgs/top-level/",
                "/pkgs/top-level/python-packages.nix"
            ]
        );
        let owner = |p| {
            r.owner(p).map(|r| {
                r.claims
                    .iter()
                    .map(|c| c.team.id.as_str())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            owner("pkgs/top-level/python-packages.nix"),
            Some(vec!["py"])
        );
        assert_eq!(
            owner("/pkgs/top-level/all-packages.nix"),
            Some(vec!["core"])
        );
        assert_eq!(owner("lib/x.nix"), Some(vec!["core", "py"]));
        assert_eq!(owner("lib/README.md"), Some(vec!["core", "py"]));
        assert_eq!(owner("README.md"), Some(vec!["docs"]));
        assert_eq!(owner("src/main.rs"), None);
        assert_eq!(r.invalid.len(), 1);
        assert_eq!(r.invalid[0].claim.pointer, "/owns/0/paths/1");
        assert_eq!(r.matching("./lib/README.md"), [0, 1]);
    }

    #[test]
    fn whole_repository_claims_are_a_catch_all() {
        let o = example();
        let r = RepoOwnership::build(&o, "other");
        assert_eq!(r.rules.len(), 1);
        assert_eq!(r.rules[0].pattern.as_str(), "*");
        assert_eq!(r.rules[0].claims[0].pointer, "/owns/1/repo");
        assert!(r.owner("deep/file").is_some());
        assert_eq!(
            repositories(&o).into_iter().collect::<Vec<_>>(),
            ["other", "r"]
        );
    }
}
