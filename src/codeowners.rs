//! CODEOWNERS files: generated from a repository's ownership rules, and read back.
//!
//! [`generate`] writes the rules of [`RepoOwnership`] in order (least specific first, since the
//! last matching line wins), each team as `@<github-org>/<slug>`. [`parse`] and [`owners_of`]
//! read a CODEOWNERS file the way GitHub does, so tests can check that the generated file gives
//! every path the owners `orgctl owners` reports. Pure. Stage: report.

use crate::ownership::{Pattern, PatternError, RepoOwnership};

/// GitHub does not load a CODEOWNERS file of this size or more ("must be under 3 MB").
pub const MAX_BYTES: usize = 3 * 1024 * 1024;

/// Why a CODEOWNERS file cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeownersError {
    /// The file would reach GitHub's size limit.
    #[error(
        "the CODEOWNERS file of `{repo}` would be {bytes} bytes; GitHub ignores files of 3 MB or more"
    )]
    TooLarge {
        /// The repository.
        repo: String,
        /// The size it would have.
        bytes: usize,
    },
    /// Some patterns are not valid CODEOWNERS patterns.
    #[error(
        "{count} pattern(s) of `{repo}` are not valid in CODEOWNERS, for example `{example}`: {reason}"
    )]
    InvalidPatterns {
        /// The repository.
        repo: String,
        /// How many.
        count: usize,
        /// The first one.
        example: String,
        /// Why the first one is invalid.
        reason: PatternError,
    },
}

/// The CODEOWNERS text of `own`, naming teams in GitHub organisation `github_org`.
pub fn generate(own: &RepoOwnership<'_>, github_org: &str) -> Result<String, CodeownersError> {
    if let Some(first) = own.invalid.first() {
        return Err(CodeownersError::InvalidPatterns {
            repo: own.repo.clone(),
            count: own.invalid.len(),
            example: first.text.clone(),
            reason: first.error,
        });
    }
    let mut out = format!(
        "# CODEOWNERS of {github_org}/{repo}, generated from the org files by orgctl.\n\
         # Do not edit: change the teams' `owns:` entries, then run\n\
         # `orgctl codeowners --repo {repo}`.\n\
         # The last matching pattern wins, so more specific patterns come later.\n\n",
        repo = own.repo
    );
    for rule in &own.rules {
        out.push_str(rule.pattern.as_str());
        for c in &rule.claims {
            out.push_str(" @");
            out.push_str(github_org);
            out.push('/');
            out.push_str(c.team.slug());
        }
        out.push('\n');
    }
    if out.len() >= MAX_BYTES {
        return Err(CodeownersError::TooLarge {
            repo: own.repo.clone(),
            bytes: out.len(),
        });
    }
    Ok(out)
}

/// One rule line of a CODEOWNERS file.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The pattern, or why GitHub would reject it.
    pub pattern: Result<Pattern, PatternError>,
    /// The owners (`@user`, `@org/team`, addresses); empty means "no owner".
    pub owners: Vec<String>,
}

/// Reads a CODEOWNERS file: blank lines and `#` comments are skipped, an owner list ends at an
/// inline `#` comment.
pub fn parse(text: &str) -> Vec<Line> {
    text.lines()
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let mut words = line.split_whitespace();
            let pattern = Pattern::parse(words.next()?);
            let owners = words
                .take_while(|w| !w.starts_with('#'))
                .map(str::to_string)
                .collect();
            Some(Line {
                number: i + 1,
                pattern,
                owners,
            })
        })
        .collect()
}

/// The owners of `path` under `lines`: those of the last matching line (`None`: no line
/// matches). Lines with invalid patterns are skipped.
pub fn owners_of<'l>(lines: &'l [Line], path: &str) -> Option<&'l Line> {
    lines
        .iter()
        .rev()
        .find(|l| l.pattern.as_ref().is_ok_and(|p| p.matches(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::testing::org;

    #[test]
    fn generates_ordered_lines_with_team_slugs() {
        let o = org(&[
            (
                "teams/core.yaml",
                "name: Core\ngithub:\n  slug: core-team\nowns:\n  - repo: r\n    paths: [/lib/]\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nowns:\n  - repo: r\n    paths: ['*.md', /lib/]\n  - repo: r\n",
            ),
        ]);
        let own = RepoOwnership::build(&o, "r");
        let text = generate(&own, "acme").unwrap();
        let body: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        assert_eq!(
            body,
            [
                "* @acme/docs",
                "*.md @acme/docs",
                "/lib/ @acme/core-team @acme/docs"
            ]
        );
        let lines = parse(&text);
        assert_eq!(
            owners_of(&lines, "lib/a.md").unwrap().owners,
            ["@acme/core-team", "@acme/docs"]
        );
        assert_eq!(owners_of(&lines, "x").unwrap().owners, ["@acme/docs"]);
    }

    #[test]
    fn refuses_invalid_patterns() {
        let o = org(&[(
            "teams/t.yaml",
            "name: T\nowns:\n  - repo: r\n    paths: ['!x', '/y/']\n",
        )]);
        let e = generate(&RepoOwnership::build(&o, "r"), "acme").unwrap_err();
        assert!(e.to_string().contains("`!x`"), "{e}");
    }

    #[test]
    fn parses_githubs_example_file() {
        let text = "# comment\n*       @global-owner1 @global-owner2\n*.js    @js-owner #This is an inline comment.\n/build/logs/ @doctocat\ndocs/*  docs@example.com\n/apps/ @octocat\n/apps/github\n";
        let lines = parse(text);
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[1].owners, ["@js-owner"]);
        assert_eq!(owners_of(&lines, "a/b.js").unwrap().owners, ["@js-owner"]);
        assert_eq!(
            owners_of(&lines, "docs/a.md").unwrap().owners,
            ["docs@example.com"]
        );
        assert_eq!(
            owners_of(&lines, "docs/x/a.md").unwrap().owners,
            ["@global-owner1", "@global-owner2"]
        );
        assert!(
            owners_of(&lines, "apps/github/x")
                .unwrap()
                .owners
                .is_empty()
        );
        assert_eq!(owners_of(&lines, "apps/x").unwrap().owners, ["@octocat"]);
        assert_eq!(lines[5].number, 7);
    }
}
