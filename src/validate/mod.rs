//! Semantic rules: named checks over the model, all run, all reported, sorted.
//!
//! A rule is one file in `rules/` (a doc line, a `check` function and a test that makes it fail)
//! and one entry in [`RULES`], kept sorted by name. Rules are pure functions of the model and a
//! [`Context`] (today's date), so they never touch the file system or the network. Stage: validate.

mod rules;
#[cfg(test)]
pub(crate) mod testing;

use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Org;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// What rules may know besides the model.
#[derive(Debug, Clone)]
pub struct Context {
    /// The date terms and expiries are judged against (`--as-of`, default today in UTC).
    pub today: Date,
    /// The operator's settings: orgctl's variables (`ORGCTL_*`) of the environment the command
    /// runs in, never anything from the files. Provider rules derive their policies from it
    /// (the email provider: which secret references and map paths are allowed).
    pub env: BTreeMap<String, String>,
    /// The rules to run: the core's [`RULES`] and the providers' (`crate::cli::registry::rules`).
    pub rules: Vec<&'static Rule>,
}

impl Context {
    /// A context for `today` with an empty environment and the core's rules only.
    pub fn new(today: Date) -> Context {
        Context {
            today,
            env: BTreeMap::new(),
            rules: RULES.iter().collect(),
        }
    }

    /// Checks that every name in `skip` is one of this context's rules.
    pub fn check_skip(&self, skip: &[String]) -> Result<(), UnknownRule> {
        for name in skip {
            if !self.rules.iter().any(|r| r.name == name) {
                let suggestion = self
                    .rules
                    .iter()
                    .map(|r| (crate::parse::edit_distance(name, r.name), r.name))
                    .filter(|(d, _)| *d <= 3)
                    .min()
                    .map(|(_, n)| n.to_string());
                return Err(UnknownRule {
                    name: name.clone(),
                    suggestion,
                });
            }
        }
        Ok(())
    }
}

/// One semantic rule.
pub struct Rule {
    /// Stable kebab-case name, used by `--skip` and printed with every finding.
    pub name: &'static str,
    /// The severity of every finding.
    pub severity: Severity,
    /// One line saying what the rule requires.
    pub summary: &'static str,
    /// Appends findings to the vector; their `rule` and `severity` are set by the runner.
    pub check: fn(&Org, &Context, &mut Vec<Diagnostic>),
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("name", &self.name).finish()
    }
}

pub use rules::{
    RULES, expected_slug, is_valid_login, is_valid_repo, is_valid_slug, looks_like_address,
};

/// A finding of the running rule (rule name and severity are filled in by [`run`]).
pub fn finding(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error("", message)
}

/// An unknown name given to `--skip`.
#[derive(Debug, thiserror::Error)]
#[error("unknown rule `{name}` in --skip{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownRule {
    /// The name given.
    pub name: String,
    /// The closest existing rule name.
    pub suggestion: Option<String>,
}

/// Runs every rule of `ctx` not in `skip` (in parallel: rules are independent pure functions) and
/// returns their findings, in rule order.
pub fn run(org: &Org, ctx: &Context, skip: &[String]) -> Vec<Diagnostic> {
    let rules: Vec<&Rule> = ctx
        .rules
        .iter()
        .copied()
        .filter(|r| !skip.iter().any(|s| s == r.name))
        .collect();
    let found = crate::par::par_map_uneven(&rules, |rule| {
        let mut found = Vec::new();
        (rule.check)(org, ctx, &mut found);
        for d in &mut found {
            d.rule = rule.name.into();
            d.severity = rule.severity;
        }
        found
    });
    found.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for w in RULES.windows(2) {
            assert!(
                w[0].name < w[1].name,
                "{} must sort before {}",
                w[0].name,
                w[1].name
            );
        }
        for r in RULES {
            assert!(
                r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                r.name
            );
            assert!(
                !r.summary.is_empty() && r.summary.ends_with('.'),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn unknown_skip_is_an_error_with_a_suggestion() {
        let e = Context::new(jiff::civil::date(2026, 1, 1))
            .check_skip(&["lead-not-membr".into()])
            .unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("lead-not-member"));
        assert!(
            Context::new(jiff::civil::date(2026, 1, 1))
                .check_skip(&["lead-not-member".into()])
                .is_ok()
        );
    }
}
