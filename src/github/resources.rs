//! The GitHub provider's resource kinds, typed: its view of the core's generic
//! [`Address`]es and [`Resource`]s.
//!
//! The core knows a resource only as `(provider, kind, name, index)` and named attribute values
//! (`crate::plan`); here each GitHub kind is a variant with GitHub's types, converted to and
//! from the core's form at the provider's edge. The attribute names and order are what `plan`
//! prints: a team's `name`, `description`, `privacy`, `parent`; a member's `role`; a
//! repository's `permission`; an org member's `role` and, while invited, `state`; a team's
//! settings' `notifications`.

use super::state::{OrgRole, TeamRole};
use crate::plan::{Address, Change, Resource};
use crate::schema::{Notifications, Permission, Privacy};

/// The provider's name in addresses (`github_team.infra`).
pub const PROVIDER: &str = "github";

/// An org member's `state` while the invitation is not accepted.
const PENDING: &str = "pending invitation";

/// A GitHub resource's address, typed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GithubAddress {
    /// A team (`github_team.<slug>`).
    Team {
        /// Team slug.
        slug: String,
    },
    /// A person's membership of a team (`github_team_member.<slug>["<login>"]`).
    TeamMember {
        /// Team slug.
        slug: String,
        /// User login.
        login: String,
    },
    /// A team's permission on a repository (`github_team_repo.<slug>["<repo>"]`).
    TeamRepo {
        /// Team slug.
        slug: String,
        /// Repository name.
        repo: String,
    },
    /// A person's membership of the organisation (`github_org_member["<login>"]`).
    OrgMember {
        /// User login.
        login: String,
    },
    /// A team's settings (`github_team_settings.<slug>`): today its notification setting.
    TeamSettings {
        /// Team slug.
        slug: String,
    },
}

impl GithubAddress {
    /// The typed form of `address`, when it is a GitHub one of a known kind.
    pub fn parse(address: &Address) -> Option<GithubAddress> {
        if address.provider != PROVIDER {
            return None;
        }
        let name = address.name.clone();
        let index = address.index.clone();
        match (address.kind.as_str(), name, index) {
            ("team", Some(slug), None) => Some(GithubAddress::Team { slug }),
            ("team_member", Some(slug), Some(login)) => {
                Some(GithubAddress::TeamMember { slug, login })
            }
            ("team_repo", Some(slug), Some(repo)) => Some(GithubAddress::TeamRepo { slug, repo }),
            ("org_member", None, Some(login)) => Some(GithubAddress::OrgMember { login }),
            ("team_settings", Some(slug), None) => Some(GithubAddress::TeamSettings { slug }),
            _ => None,
        }
    }

    /// The kind's name in the core's address (`team_member`).
    pub fn kind(&self) -> &'static str {
        match self {
            GithubAddress::Team { .. } => "team",
            GithubAddress::TeamMember { .. } => "team_member",
            GithubAddress::TeamRepo { .. } => "team_repo",
            GithubAddress::OrgMember { .. } => "org_member",
            GithubAddress::TeamSettings { .. } => "team_settings",
        }
    }

    /// The team this address belongs to, if any.
    pub fn team(&self) -> Option<&str> {
        match self {
            GithubAddress::Team { slug }
            | GithubAddress::TeamMember { slug, .. }
            | GithubAddress::TeamRepo { slug, .. }
            | GithubAddress::TeamSettings { slug } => Some(slug),
            GithubAddress::OrgMember { .. } => None,
        }
    }
}

impl From<GithubAddress> for Address {
    fn from(a: GithubAddress) -> Address {
        let kind = a.kind();
        match a {
            GithubAddress::Team { slug } => Address::named(PROVIDER, kind, &slug),
            GithubAddress::TeamMember { slug, login } => {
                Address::named_indexed(PROVIDER, kind, &slug, &login)
            }
            GithubAddress::TeamRepo { slug, repo } => {
                Address::named_indexed(PROVIDER, kind, &slug, &repo)
            }
            GithubAddress::OrgMember { login } => Address::indexed(PROVIDER, kind, &login),
            GithubAddress::TeamSettings { slug } => Address::named(PROVIDER, kind, &slug),
        }
    }
}

/// A GitHub resource's state, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubResource {
    /// A team.
    Team {
        /// Display name on GitHub.
        name: String,
        /// Description.
        description: Option<String>,
        /// Visibility.
        privacy: Privacy,
        /// Parent team slug.
        parent: Option<String>,
    },
    /// A team membership.
    TeamMember {
        /// GitHub user id, when known (kept, not shown).
        user_id: Option<u64>,
        /// Member or maintainer.
        role: TeamRole,
    },
    /// A team's repository permission.
    TeamRepo {
        /// Permission.
        permission: Permission,
    },
    /// An org membership.
    OrgMember {
        /// GitHub user id, when known (kept, not shown).
        user_id: Option<u64>,
        /// Admin or member.
        role: OrgRole,
        /// True while the invitation is not accepted.
        pending: bool,
    },
    /// A team's settings.
    TeamSettings {
        /// Whether the team's members are notified when it is mentioned.
        notifications: Notifications,
    },
}

impl GithubResource {
    /// The typed form of `resource` as a resource of `kind`, when its attributes are that
    /// kind's (a malformed saved plan gives `None`).
    pub fn parse(kind: &str, r: &Resource) -> Option<GithubResource> {
        let user_id = || r.id_as::<u64>("user_id");
        match kind {
            "team" => Some(GithubResource::Team {
                name: r.get_as("name")?,
                description: r.get_as("description")?,
                privacy: r.get_as("privacy")?,
                parent: r.get_as("parent")?,
            }),
            "team_member" => Some(GithubResource::TeamMember {
                user_id: user_id(),
                role: r.get_as("role")?,
            }),
            "team_repo" => Some(GithubResource::TeamRepo {
                permission: r.get_as("permission")?,
            }),
            "org_member" => Some(GithubResource::OrgMember {
                user_id: user_id(),
                role: r.get_as("role")?,
                pending: match r.get("state") {
                    None => false,
                    Some(v) if v == PENDING => true,
                    Some(_) => return None,
                },
            }),
            "team_settings" => Some(GithubResource::TeamSettings {
                notifications: r.get_as("notifications")?,
            }),
            _ => None,
        }
    }

    /// The typed `after` (or with `before`, the `before`) of a GitHub change.
    pub fn of(change: &Change, side: &Option<Resource>) -> Option<GithubResource> {
        side.as_ref()
            .and_then(|r| GithubResource::parse(&change.address.kind, r))
    }
}

impl From<GithubResource> for Resource {
    fn from(r: GithubResource) -> Resource {
        match r {
            GithubResource::Team {
                name,
                description,
                privacy,
                parent,
            } => Resource::new()
                .with("name", name)
                .with("description", description)
                .with("privacy", privacy)
                .with("parent", parent),
            GithubResource::TeamMember { user_id, role } => {
                with_user_id(Resource::new().with("role", role), user_id)
            }
            GithubResource::TeamRepo { permission } => {
                Resource::new().with("permission", permission)
            }
            GithubResource::OrgMember {
                user_id,
                role,
                pending,
            } => {
                let mut r = Resource::new().with("role", role);
                if pending {
                    r = r.with("state", PENDING);
                }
                with_user_id(r, user_id)
            }
            GithubResource::TeamSettings { notifications } => {
                Resource::new().with("notifications", notifications)
            }
        }
    }
}

fn with_user_id(r: Resource, user_id: Option<u64>) -> Resource {
    match user_id {
        Some(id) => r.with_id("user_id", id),
        None => r,
    }
}

/// What must exist on GitHub before `change` runs: a member's or repository's team, a team's
/// parent (the core's `Change::needs`).
pub fn needs(change: &Change) -> Vec<Address> {
    let team = |slug: &str| {
        Address::from(GithubAddress::Team {
            slug: slug.to_string(),
        })
    };
    match GithubAddress::parse(&change.address) {
        Some(
            GithubAddress::TeamMember { slug, .. }
            | GithubAddress::TeamRepo { slug, .. }
            | GithubAddress::TeamSettings { slug },
        ) => vec![team(&slug)],
        Some(GithubAddress::Team { .. }) => match GithubResource::of(change, &change.after) {
            Some(GithubResource::Team {
                parent: Some(p), ..
            }) => vec![team(&p)],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_the_core_form() {
        let cases = [
            (
                GithubAddress::Team { slug: "web".into() },
                GithubResource::Team {
                    name: "Web".into(),
                    description: None,
                    privacy: Privacy::Secret,
                    parent: Some("eng".into()),
                },
            ),
            (
                GithubAddress::TeamMember {
                    slug: "web".into(),
                    login: "a".into(),
                },
                GithubResource::TeamMember {
                    user_id: Some(3),
                    role: TeamRole::Maintainer,
                },
            ),
            (
                GithubAddress::TeamRepo {
                    slug: "web".into(),
                    repo: "site".into(),
                },
                GithubResource::TeamRepo {
                    permission: Permission::Maintain,
                },
            ),
            (
                GithubAddress::OrgMember { login: "a".into() },
                GithubResource::OrgMember {
                    user_id: None,
                    role: OrgRole::Admin,
                    pending: true,
                },
            ),
            (
                GithubAddress::TeamSettings { slug: "web".into() },
                GithubResource::TeamSettings {
                    notifications: Notifications::Disabled,
                },
            ),
        ];
        // Every typed kind is a described kind, and every described kind has a typed one.
        let mut described: Vec<&str> = crate::github::provider::DESCRIPTION
            .kinds
            .iter()
            .map(|k| k.name)
            .collect();
        described.sort_unstable();
        let mut typed: Vec<&str> = cases.iter().map(|(a, _)| a.kind()).collect();
        typed.sort_unstable();
        assert_eq!(typed, described);
        for (address, resource) in cases {
            let a = Address::from(address.clone());
            assert_eq!(GithubAddress::parse(&a), Some(address));
            let r = Resource::from(resource.clone());
            assert_eq!(GithubResource::parse(&a.kind, &r), Some(resource));
        }
    }

    #[test]
    fn attributes_print_as_before_the_redesign() {
        let r = Resource::from(GithubResource::OrgMember {
            user_id: Some(1),
            role: OrgRole::Member,
            pending: true,
        });
        assert_eq!(
            r.fields(),
            [
                ("role".to_string(), "member".to_string()),
                ("state".to_string(), "pending invitation".to_string())
            ]
        );
        let accepted = Resource::from(GithubResource::OrgMember {
            user_id: Some(1),
            role: OrgRole::Member,
            pending: false,
        });
        assert_eq!(accepted.fields().len(), 1);
    }

    #[test]
    fn malformed_attributes_are_not_a_resource() {
        let r = Resource::new().with("role", "owner");
        assert_eq!(GithubResource::parse("team_member", &r), None);
        assert_eq!(GithubResource::parse("org_member", &r), None);
        let odd_state = Resource::new().with("role", "member").with("state", "x");
        assert_eq!(GithubResource::parse("org_member", &odd_state), None);
    }
}
