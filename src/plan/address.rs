//! Resource addresses: `(provider, kind, name, index)`, printed Terraform-style.
//!
//! The core knows no provider's kinds: an address is data a provider builds, and the printed
//! form follows one grammar for every kind (`<provider>_<kind>` then `.<name>` then `["<index>"]`):
//! `github_team.infra`, `github_team_member.infra["alice"]`, `github_org_member["alice"]`,
//! `email_alias["infra@example.org"]`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The address of one managed resource.
///
/// A kind `<k>_<more>` with a name belongs to the `<k>` resource of the same name
/// (`github_team_member.infra["alice"]` belongs to `github_team.infra`): `--target
/// github_team.infra` selects it, and the plan groups it with that resource.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// The provider that owns the resource (`github`, `email`).
    pub provider: String,
    /// The resource kind within the provider (`team`, `team_member`, `alias`).
    pub kind: String,
    /// The resource's name, printed after a dot (a team's slug); absent for kinds addressed by
    /// their index alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The instance key, printed in brackets and quotes (a login, a repository, an address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

impl Address {
    /// An address of `provider`'s `kind` with a name and no index (`github_team.infra`).
    pub fn named(provider: &str, kind: &str, name: &str) -> Address {
        Address {
            provider: provider.to_string(),
            kind: kind.to_string(),
            name: Some(name.to_string()),
            index: None,
        }
    }

    /// An address with a name and an index (`github_team_member.infra["alice"]`).
    pub fn named_indexed(provider: &str, kind: &str, name: &str, index: &str) -> Address {
        Address {
            index: Some(index.to_string()),
            ..Address::named(provider, kind, name)
        }
    }

    /// An address with an index and no name (`github_org_member["alice"]`).
    pub fn indexed(provider: &str, kind: &str, index: &str) -> Address {
        Address {
            provider: provider.to_string(),
            kind: kind.to_string(),
            name: None,
            index: Some(index.to_string()),
        }
    }

    /// `<provider>_<kind>`, the resource type as printed (`github_team_member`).
    pub fn resource_type(&self) -> String {
        format!("{}_{}", self.provider, self.kind)
    }

    /// Whether this address is of `provider`'s `kind`.
    pub fn is(&self, provider: &str, kind: &str) -> bool {
        self.provider == provider && self.kind == kind
    }

    /// The addresses (printed) of the resources this one belongs to, nearest last: for
    /// `github_team_member.infra["a"]`, `github_team.infra`. Empty without a name.
    pub fn owners(&self) -> Vec<String> {
        let Some(name) = &self.name else {
            return Vec::new();
        };
        self.kind
            .match_indices('_')
            .map(|(i, _)| format!("{}_{}.{name}", self.provider, &self.kind[..i]))
            .collect()
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.provider, self.kind)?;
        if let Some(name) = &self.name {
            write!(f, ".{name}")?;
        }
        if let Some(index) = &self.index {
            write!(f, "[\"{index}\"]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Address;

    #[test]
    fn printed_terraform_style() {
        assert_eq!(
            Address::named("github", "team", "infra").to_string(),
            "github_team.infra"
        );
        assert_eq!(
            Address::named_indexed("github", "team_member", "infra", "alice").to_string(),
            "github_team_member.infra[\"alice\"]"
        );
        assert_eq!(
            Address::indexed("email", "alias", "a@x.org").to_string(),
            "email_alias[\"a@x.org\"]"
        );
    }

    #[test]
    fn a_named_kind_belongs_to_its_prefix_kinds() {
        let a = Address::named_indexed("github", "team_repo", "web", "site");
        assert_eq!(a.owners(), ["github_team.web"]);
        assert_eq!(
            Address::named("x", "a_b_c", "n").owners(),
            ["x_a.n", "x_a_b.n"]
        );
        assert!(
            Address::indexed("github", "org_member", "a")
                .owners()
                .is_empty()
        );
    }
}
