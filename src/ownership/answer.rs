//! "Who owns this path?": the answer `orgctl owners` prints, with the reason.
//!
//! An answer names the deciding rule (the last match), every team claiming it with its current
//! leads, members and aliases, the `owns:` entry behind each claim (file, line, column), and the
//! earlier matching rules it overrides. Pure: positions come from the in-memory sources.

use super::{Claim, RepoOwnership, Rule};
use crate::contact::TeamContact;
use crate::model::Org;
use crate::source::{FileId, SourceSet, line_col};
use crate::yaml::SpanIndex;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// The answer for one path.
#[derive(Debug, Clone, Serialize)]
pub struct PathAnswer {
    /// The path as normalized (no leading `/`).
    pub path: String,
    /// The owning teams (empty: nobody owns the path).
    pub owners: Vec<TeamContact>,
    /// The deciding rule.
    pub rule: Option<RuleRef>,
    /// Earlier matching rules that the deciding one overrides, in CODEOWNERS order.
    pub overridden: Vec<RuleRef>,
}

/// A rule, as a reason.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    /// The pattern.
    pub pattern: String,
    /// 1-based position among the repository's rules (its order in CODEOWNERS).
    pub position: usize,
    /// How many rules the repository has.
    pub of: usize,
    /// The `owns:` entries behind it.
    pub claims: Vec<ClaimRef>,
}

/// One `owns:` entry, located.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRef {
    /// The team id.
    pub team: String,
    /// The file as shown to the user.
    pub file: String,
    /// 1-based line of the pattern (or of the repository name for whole-repository claims).
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
}

/// Resolves JSON pointers to lines, parsing each file at most once.
pub struct Locator<'s> {
    sources: &'s SourceSet,
    indexes: BTreeMap<FileId, SpanIndex>,
}

impl<'s> Locator<'s> {
    /// A locator over `sources`.
    pub fn new(sources: &'s SourceSet) -> Locator<'s> {
        Locator {
            sources,
            indexes: BTreeMap::new(),
        }
    }

    /// The located claim.
    pub fn claim(&mut self, c: &Claim<'_>) -> ClaimRef {
        let text = &self.sources.get(c.file).text;
        let span = self
            .indexes
            .entry(c.file)
            .or_insert_with(|| SpanIndex::new(text))
            .value(&c.pointer);
        let (line, column) = match span {
            Some((offset, _)) => {
                let (l, col) = line_col(text, offset);
                (Some(l), Some(col))
            }
            None => (None, None),
        };
        ClaimRef {
            team: c.team.id.clone(),
            file: self.sources.get(c.file).display.clone(),
            line,
            column,
        }
    }

    fn rule(&mut self, own: &RepoOwnership<'_>, index: usize, rule: &Rule<'_>) -> RuleRef {
        RuleRef {
            pattern: rule.pattern.as_str().to_string(),
            position: index + 1,
            of: own.rules.len(),
            claims: rule.claims.iter().map(|c| self.claim(c)).collect(),
        }
    }
}

/// Who owns `path` in `own`'s repository on `today`, and why.
pub fn answer(
    org: &Org,
    own: &RepoOwnership<'_>,
    path: &str,
    today: Date,
    loc: &mut Locator<'_>,
) -> PathAnswer {
    let path = super::normalize_path(path).to_string();
    let matching = own.matching(&path);
    let Some((&last, earlier)) = matching.split_last() else {
        return PathAnswer {
            path,
            owners: Vec::new(),
            rule: None,
            overridden: Vec::new(),
        };
    };
    let rule = &own.rules[last];
    PathAnswer {
        owners: rule
            .claims
            .iter()
            .map(|c| TeamContact::of(org, c.team, today))
            .collect(),
        rule: Some(loc.rule(own, last, rule)),
        overridden: earlier
            .iter()
            .map(|&i| loc.rule(own, i, &own.rules[i]))
            .collect(),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Content, assemble};
    use crate::parse::{Validators, parse_all};
    use crate::validate::testing::today;

    fn load(files: &[(&str, &str)]) -> (SourceSet, Org) {
        let all = files
            .iter()
            .map(|(p, t)| (p.to_string(), Content::Bytes(t.as_bytes().to_vec())))
            .collect();
        let loaded = assemble("t".into(), "org/", all, Vec::new());
        let (parsed, d) = parse_all(&loaded.sources, &loaded.entries, &Validators::new());
        assert!(d.is_empty(), "{d:?}");
        (loaded.sources, crate::model::build(parsed).0)
    }

    #[test]
    fn answers_with_the_deciding_rule_its_line_and_what_it_overrides() {
        let (sources, o) = load(&[
            ("org.yaml", "name: O\n"),
            ("people/a.yaml", "name: A\n"),
            ("people/b.yaml", "name: B\n"),
            (
                "teams/core.yaml",
                "name: Core\nleads: [a]\nmembers: [a, {person: b, until: 2020-01-01}]\nowns:\n  - repo: r\n    paths:\n      - /lib/\n",
            ),
            (
                "teams/docs.yaml",
                "name: Docs\nowns:\n  - repo: r\n    paths: ['*.md']\n",
            ),
        ]);
        let own = RepoOwnership::build(&o, "r");
        let mut loc = Locator::new(&sources);
        let a = answer(&o, &own, "./lib/README.md", today(), &mut loc);
        assert_eq!(a.path, "lib/README.md");
        assert_eq!(a.owners.len(), 1);
        assert_eq!(a.owners[0].leads[0].name, "A");
        assert!(a.owners[0].members.is_empty(), "b's term has ended");
        let rule = a.rule.unwrap();
        assert_eq!(
            (rule.pattern.as_str(), rule.position, rule.of),
            ("/lib/", 2, 2)
        );
        let c = &rule.claims[0];
        assert_eq!(
            (c.file.as_str(), c.line, c.column),
            ("org/teams/core.yaml", Some(7), Some(9))
        );
        assert_eq!(a.overridden[0].pattern, "*.md");
        let none = answer(&o, &own, "src/x.rs", today(), &mut loc);
        assert!(none.owners.is_empty() && none.rule.is_none());
    }
}
