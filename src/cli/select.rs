//! What `plan` and `apply` cover: which providers (`--provider`, with `--no-email` and
//! `--no-github` as aliases) and which addresses (`--target`). One struct, flattened into both.
//! The provider names come from the registry: a new provider is selectable without a change
//! here.

use super::registry::DESCRIPTIONS;
use crate::model::Org;
use anyhow::bail;
use clap::builder::{PossibleValue, PossibleValuesParser};

/// `--provider`'s values: every registered provider, with its one-line help.
pub fn provider_names() -> PossibleValuesParser {
    PossibleValuesParser::new(
        DESCRIPTIONS
            .iter()
            .map(|d| PossibleValue::new(d.name).help(d.about)),
    )
}

/// The selection flags of `plan` and `apply`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Selection {
    /// Only these providers (comma-separated or repeated); default: every provider org.yaml
    /// configures.
    #[arg(long, value_parser = provider_names(), value_delimiter = ',', value_name = "PROVIDER")]
    pub provider: Vec<String>,
    /// Only changes of this address (`github_team.infra`, `github_org_member["alice"]`,
    /// `email_alias`); apply adds the team creations they need; repeatable.
    #[arg(long, value_name = "ADDRESS")]
    pub target: Vec<String>,
    /// Alias of `--provider`: every configured provider but email.
    #[arg(long, conflicts_with = "provider")]
    pub no_email: bool,
    /// Alias of `--provider`: every configured provider but GitHub.
    #[arg(long, conflicts_with = "provider")]
    pub no_github: bool,
}

impl Selection {
    /// Whether the provider called `name` is selected (whether org.yaml configures it is
    /// another question).
    pub fn wants_name(&self, name: &str) -> bool {
        if !self.provider.is_empty() {
            return self.provider.iter().any(|p| p == name);
        }
        !(self.no_github && name == "github" || self.no_email && name == "email")
    }

    /// Refuses a provider named with `--provider` that org.yaml does not configure.
    pub fn check_configured(&self, org: &Org) -> anyhow::Result<()> {
        for p in &self.provider {
            if let Some(d) = super::registry::catalog().provider(p) {
                if !(d.configured)(org) {
                    bail!(
                        "--provider {p}: org.yaml has no {} (configure it, or leave `{p}` out)",
                        d.configured_by
                    );
                }
            }
        }
        Ok(())
    }
}

/// Why a plan or apply has nothing to do when no configured provider is selected.
pub fn nothing_selected(org: &Org) -> String {
    let configured: Vec<&str> = DESCRIPTIONS
        .iter()
        .filter(|d| (d.configured)(org))
        .map(|d| d.name)
        .collect();
    if configured.is_empty() {
        let keys: Vec<&str> = DESCRIPTIONS.iter().map(|d| d.configured_by).collect();
        format!("org.yaml has {}", none_of(&keys))
    } else {
        format!(
            "every provider org.yaml configures ({}) is left out by --provider / --no-github / --no-email",
            configured.join(", ")
        )
    }
}

/// `no a and no b`.
fn none_of(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("no {k}"))
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cmd {
        #[command(flatten)]
        selection: Selection,
    }

    fn parse(args: &[&str]) -> Result<Selection, clap::Error> {
        let mut all = vec!["x"];
        all.extend_from_slice(args);
        Cmd::try_parse_from(all).map(|c| c.selection)
    }

    fn wanted(s: &Selection) -> Vec<&'static str> {
        DESCRIPTIONS
            .iter()
            .map(|d| d.name)
            .filter(|n| s.wants_name(n))
            .collect()
    }

    #[test]
    fn the_aliases_mean_every_provider_but_one() {
        let all = parse(&[]).expect("none");
        assert_eq!(wanted(&all), ["github", "email"]);
        assert_eq!(
            wanted(&parse(&["--no-github"]).expect("no-github")),
            wanted(&parse(&["--provider", "email"]).expect("email"))
        );
        assert_eq!(
            wanted(&parse(&["--no-email"]).expect("no-email")),
            wanted(&parse(&["--provider", "github"]).expect("github"))
        );
    }

    #[test]
    fn providers_are_comma_separated_or_repeated() {
        let both = ["github", "email"];
        assert_eq!(
            wanted(&parse(&["--provider", "github,email"]).expect("comma")),
            both
        );
        assert_eq!(
            wanted(&parse(&["--provider", "email", "--provider", "github"]).expect("repeated")),
            both
        );
        let e = parse(&["--provider", "zulip"]).expect_err("unknown");
        assert!(
            e.to_string().contains("[possible values: github, email]"),
            "{e}"
        );
        let e = parse(&["--provider", "email", "--no-email"]).expect_err("conflict");
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn nothing_configured_names_what_each_provider_needs() {
        let org = crate::validate::testing::org(&[("org.yaml", "name: Bare\n")]);
        assert_eq!(
            nothing_selected(&org),
            "org.yaml has no `github:` block and no `email.backend`"
        );
    }
}
