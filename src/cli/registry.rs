//! The registry: what the command line composes from the core and the providers. Part of the
//! shell: the core never names a provider, the registry names them all, once.
//!
//! * [`rules`]: the `check` rules, the core's (`validate::RULES`) and each provider's
//!   (`email::rules::RULES`), one sorted list for `check`, `--skip` and `orgctl rules`;
//! * [`DESCRIPTIONS`] and [`catalog`]: every provider's description, in plan order (GitHub,
//!   then email), for `--provider` and for grouping plans;
//! * [`providers`]: the providers of one run, built with this machine's settings.

use crate::email::provider::EmailProvider;
use crate::github::provider::{GithubProvider, Source};
use crate::interface::{Catalog, Description, Provider};
use crate::validate::Rule;

/// Every provider's description, in the order their parts appear in a plan.
pub static DESCRIPTIONS: &[&Description] = &[
    &crate::github::provider::DESCRIPTION,
    &crate::email::provider::DESCRIPTION,
];

/// The descriptions as the core's display hook.
pub fn catalog() -> Catalog<'static> {
    Catalog {
        providers: DESCRIPTIONS,
    }
}

/// This machine's settings for the providers of one run (never from the files).
pub struct Settings {
    /// Where GitHub is read: live, or a snapshot (`plan --state`).
    pub github_source: Source,
    /// Write pacing and progress for GitHub (apply).
    pub github_pacing: Option<crate::github::WritePacing>,
    /// Where GitHub's waits and retries are reported (apply).
    pub github_progress: Option<std::sync::Arc<dyn crate::github::ProgressSink>>,
    /// The email backend's machine settings (`ORGCTL_POSTMAP`, `MAILGUN_API_KEY`, …).
    pub email: crate::email::BackendOptions,
    /// Apply's email options (`--allow-drift`).
    pub email_apply: crate::email::ApplyOptions,
}

/// One provider of each kind, in [`DESCRIPTIONS`] order.
pub fn providers(settings: Settings) -> Vec<Box<dyn Provider>> {
    let mut github = GithubProvider::new(settings.github_source);
    if let Some(p) = settings.github_pacing {
        github = github.with_write_pacing(p);
    }
    if let Some(s) = settings.github_progress {
        github = github.with_progress(s);
    }
    vec![
        Box::new(github),
        Box::new(EmailProvider::new(settings.email, settings.email_apply)),
    ]
}

/// Every rule, the core's and the providers', sorted by name.
pub fn rules() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = crate::validate::RULES
        .iter()
        .chain(crate::email::rules::RULES)
        .collect();
    all.sort_by_key(|r| r.name);
    all
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_names_are_unique_across_core_and_providers() {
        let all = super::rules();
        for w in all.windows(2) {
            assert!(w[0].name < w[1].name, "{} / {}", w[0].name, w[1].name);
        }
        assert!(all.iter().any(|r| r.name == "email-backend"));
        assert!(all.iter().any(|r| r.name == "team-slug"));
        assert_eq!(
            all.len(),
            crate::validate::RULES.len() + crate::email::rules::RULES.len()
        );
    }

    #[test]
    fn providers_come_in_description_order_with_unique_kinds() {
        let settings = super::Settings {
            github_source: super::Source::Live,
            github_pacing: None,
            github_progress: None,
            email: crate::email::BackendOptions::default(),
            email_apply: crate::email::ApplyOptions::default(),
        };
        let names: Vec<&str> = super::providers(settings)
            .iter()
            .map(|p| p.describe().name)
            .collect();
        let described: Vec<&str> = super::DESCRIPTIONS.iter().map(|d| d.name).collect();
        assert_eq!(names, described);
        for d in super::DESCRIPTIONS {
            // `<provider>_<kind>` must read back one way: no `_` in a provider's name.
            assert!(!d.name.contains('_'), "{}", d.name);
            let mut kinds: Vec<&str> = d.kinds.iter().map(|k| k.name).collect();
            kinds.sort_unstable();
            kinds.dedup();
            assert_eq!(kinds.len(), d.kinds.len(), "{}", d.name);
        }
    }
}
