//! What `plan` and `apply` cover: which providers (`--provider`, with `--no-email` and
//! `--no-github` as aliases) and which addresses (`--target`). One struct, flattened into both.

use crate::model::Org;
use crate::provider::Description;
use anyhow::bail;
use clap::ValueEnum;

/// A registered provider: what `--provider` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Provider {
    /// GitHub: organisation members, teams and their members (org.yaml `github:`).
    Github,
    /// Email aliases on the mail server (org.yaml `email.backend`).
    Email,
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn every_registered_provider_can_be_named_and_no_other() {
        let registered: Vec<&str> = crate::registry::DESCRIPTIONS
            .iter()
            .map(|d| d.name)
            .collect();
        let named: Vec<&str> = Provider::value_variants()
            .iter()
            .map(|p| p.name())
            .collect();
        assert_eq!(named, registered);
        for p in Provider::value_variants() {
            assert_eq!(p.description().name, p.name());
        }
    }
}

impl Provider {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Email => "email",
        }
    }

    /// The provider's description in the registry.
    pub fn description(self) -> &'static Description {
        crate::registry::DESCRIPTIONS
            .iter()
            .copied()
            .find(|d| d.name == self.name())
            .unwrap_or(crate::registry::DESCRIPTIONS[0])
    }

    /// Whether org.yaml configures this provider.
    pub fn configured(self, org: &Org) -> bool {
        (self.description().configured)(org)
    }

    /// The provider named `name`, if the command line knows it.
    pub fn named(name: &str) -> Option<Provider> {
        Provider::value_variants()
            .iter()
            .copied()
            .find(|p| p.name() == name)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The selection flags of `plan` and `apply`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Selection {
    /// Only these providers (comma-separated or repeated); default: every provider org.yaml
    /// configures.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PROVIDER")]
    pub provider: Vec<Provider>,
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
    /// Whether `provider` is selected (whether org.yaml configures it is another question).
    pub fn wants(&self, provider: Provider) -> bool {
        if !self.provider.is_empty() {
            return self.provider.contains(&provider);
        }
        match provider {
            Provider::Github => !self.no_github,
            Provider::Email => !self.no_email,
        }
    }

    /// Whether the provider called `name` is selected (false for a name this build lacks).
    pub fn wants_name(&self, name: &str) -> bool {
        Provider::named(name).is_some_and(|p| self.wants(p))
    }

    /// Refuses a provider named with `--provider` that org.yaml does not configure.
    pub fn check_configured(&self, org: &Org) -> anyhow::Result<()> {
        for p in &self.provider {
            if !p.configured(org) {
                bail!(
                    "--provider {p}: org.yaml has no {} (configure it, or leave `{p}` out)",
                    p.description()
                        .configured_by
                        .trim_end_matches(" in org.yaml")
                );
            }
        }
        Ok(())
    }
}

/// Why a plan or apply has nothing to do when no configured provider is selected.
pub fn nothing_selected(org: &Org) -> String {
    let configured: Vec<&str> = [Provider::Github, Provider::Email]
        .into_iter()
        .filter(|p| p.configured(org))
        .map(Provider::name)
        .collect();
    if configured.is_empty() {
        "org.yaml has no `github:` block and no `email.backend`".into()
    } else {
        format!(
            "every provider org.yaml configures ({}) is left out by --provider / --no-github / --no-email",
            configured.join(", ")
        )
    }
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

    fn wanted(s: &Selection) -> Vec<Provider> {
        [Provider::Github, Provider::Email]
            .into_iter()
            .filter(|p| s.wants(*p))
            .collect()
    }

    #[test]
    fn the_aliases_mean_every_provider_but_one() {
        let all = parse(&[]).expect("none");
        assert_eq!(wanted(&all), [Provider::Github, Provider::Email]);
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
        let both = [Provider::Github, Provider::Email];
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
}
