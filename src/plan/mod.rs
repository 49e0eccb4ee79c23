//! Plans: the ordered list of changes that would make the live org match the files.
//!
//! A [`Plan`] is plain, versioned, serialisable data (like Terraform's plan): resource
//! [`Address`]es, an [`Action`], the resource's state before and after, plus fingerprints of the
//! desired and observed state so `apply` can refuse a stale plan. It is computed by pure
//! functions (`desired` projects the model, `diff` compares it with a [`GithubState`](crate::github::GithubState)) and
//! rendered elsewhere (`crate::render::plan`). Display-only fields (`reason`) never drive apply.

pub mod desired;
pub mod diff;
pub mod email;
pub mod simulate;

pub use desired::{DesiredGithub, DesiredTeam, DesiredUser};
pub use diff::{Policy, plan_github};

use crate::github::state::{OrgRole, Permission, Privacy, TeamRole};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Version of the plan file format written by this build; `apply` refuses other versions.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// The address of one managed resource, printed Terraform-style (`github_team.infra`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Address {
    /// A GitHub team.
    GithubTeam {
        /// Team slug.
        slug: String,
    },
    /// A person's membership of a GitHub team.
    GithubTeamMember {
        /// Team slug.
        slug: String,
        /// User login.
        login: String,
    },
    /// A team's permission on a repository.
    GithubTeamRepo {
        /// Team slug.
        slug: String,
        /// Repository name.
        repo: String,
    },
    /// A person's membership of the GitHub organisation.
    GithubOrgMember {
        /// User login.
        login: String,
    },
    /// An email alias.
    EmailAlias {
        /// The alias address.
        address: String,
    },
}

impl Address {
    /// The team slug this address belongs to, for grouping output.
    pub fn team(&self) -> Option<&str> {
        match self {
            Address::GithubTeam { slug }
            | Address::GithubTeamMember { slug, .. }
            | Address::GithubTeamRepo { slug, .. } => Some(slug),
            _ => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::GithubTeam { slug } => write!(f, "github_team.{slug}"),
            Address::GithubTeamMember { slug, login } => {
                write!(f, "github_team_member.{slug}[\"{login}\"]")
            }
            Address::GithubTeamRepo { slug, repo } => {
                write!(f, "github_team_repo.{slug}[\"{repo}\"]")
            }
            Address::GithubOrgMember { login } => write!(f, "github_org_member[\"{login}\"]"),
            Address::EmailAlias { address } => write!(f, "email_alias[\"{address}\"]"),
        }
    }
}

/// What a change does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create (or invite).
    Create,
    /// Change fields in place.
    Update,
    /// Remove.
    Delete,
}

impl Action {
    /// Terraform's symbol: `+`, `~`, `-`.
    pub fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
        }
    }
}

/// The state of one resource, as desired or as observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Resource {
    /// A team.
    GithubTeam {
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
    GithubTeamMember {
        /// GitHub user id, when known.
        user_id: Option<u64>,
        /// Member or maintainer.
        role: TeamRole,
    },
    /// A team's repository permission.
    GithubTeamRepo {
        /// Permission.
        permission: Permission,
    },
    /// An org membership.
    GithubOrgMember {
        /// GitHub user id, when known.
        user_id: Option<u64>,
        /// Admin or member.
        role: OrgRole,
        /// True while the invitation is not accepted.
        pending: bool,
    },
    /// An email alias (recipients as displayed: private ones redacted).
    EmailAlias {
        /// Recipients, sorted.
        recipients: Vec<String>,
    },
}

impl Resource {
    /// `(field, value)` pairs for display and field-level diffs.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".into());
        match self {
            Resource::GithubTeam {
                name,
                description,
                privacy,
                parent,
            } => vec![
                ("name", name.clone()),
                ("description", opt(description)),
                ("privacy", format!("{privacy:?}").to_lowercase()),
                ("parent", opt(parent)),
            ],
            Resource::GithubTeamMember { role, .. } => {
                vec![("role", format!("{role:?}").to_lowercase())]
            }
            Resource::GithubTeamRepo { permission } => {
                vec![("permission", format!("{permission:?}").to_lowercase())]
            }
            Resource::GithubOrgMember { role, pending, .. } => {
                let mut v = vec![("role", format!("{role:?}").to_lowercase())];
                if *pending {
                    v.push(("state", "pending invitation".into()));
                }
                v
            }
            Resource::EmailAlias { recipients } => vec![("recipients", recipients.join(", "))],
        }
    }
}

/// One planned change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    /// What it changes.
    pub address: Address,
    /// How.
    pub action: Action,
    /// The observed state (absent for a create).
    pub before: Option<Resource>,
    /// The desired state (absent for a delete).
    pub after: Option<Resource>,
    /// Why, for people (display only; apply never reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Change {
    /// Fields whose value differs, as `(field, before, after)`.
    pub fn changed_fields(&self) -> Vec<(&'static str, Option<String>, Option<String>)> {
        let before = self
            .before
            .as_ref()
            .map(Resource::fields)
            .unwrap_or_default();
        let after = self
            .after
            .as_ref()
            .map(Resource::fields)
            .unwrap_or_default();
        let mut names: Vec<&'static str> = before.iter().chain(&after).map(|(n, _)| *n).collect();
        names.dedup();
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for n in names {
            if seen.contains(&n) {
                continue;
            }
            seen.push(n);
            let b = before.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
            let a = after.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
            if a != b {
                out.push((n, b, a));
            }
        }
        out
    }
}

/// Something found on the live side that the plan does not change, worth a reviewer's look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Note {
    /// The resource concerned.
    pub address: Address,
    /// What was found and what to do.
    pub message: String,
}

/// Counts of a plan, Terraform's summary line.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Summary {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`].
    pub format_version: u32,
    /// The orgctl version that made it.
    pub orgctl_version: String,
    /// The GitHub organisation.
    pub org: String,
    /// SHA-256 of the desired state (the org files as interpreted).
    pub desired_fingerprint: String,
    /// SHA-256 of the observed live state the plan was computed against.
    pub observed_fingerprint: String,
    /// The changes, in the order apply executes them.
    pub changes: Vec<Change>,
    /// Drift and renames that the plan reports but does not change.
    pub notes: Vec<Note>,
    /// Number of removals (deletes) in `changes`.
    pub removals: usize,
    /// The org's `limits.max_removals`.
    pub max_removals: u32,
    /// The email backend the `email_alias` changes are for, when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_backend: Option<String>,
    /// Fingerprint of the desired email aliases (secrets as references), when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_desired_fingerprint: Option<String>,
    /// Fingerprint of the observed email aliases, when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_observed_fingerprint: Option<String>,
}

impl Plan {
    /// A plan with no GitHub part (an org that only manages email).
    pub fn without_github(org: &str, max_removals: u32) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            orgctl_version: env!("CARGO_PKG_VERSION").to_string(),
            org: org.to_string(),
            desired_fingerprint: fingerprint(&()),
            observed_fingerprint: fingerprint(&()),
            changes: Vec::new(),
            notes: Vec::new(),
            removals: 0,
            max_removals,
            email_backend: None,
            email_desired_fingerprint: None,
            email_observed_fingerprint: None,
        }
    }

    /// Adds the email alias part of the plan (changes selected by `policy`, drift as notes).
    pub fn add_email(&mut self, email: &crate::email::EmailPlan, policy: &Policy) {
        let (changes, notes) = self::email::email_changes(email);
        self.changes
            .extend(changes.into_iter().filter(|c| policy.selects(c)));
        self.notes.extend(notes);
        self.removals = self
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .count();
        self.email_backend = Some(email.backend.clone());
        self.email_desired_fingerprint = Some(fingerprint(&email.desired));
        self.email_observed_fingerprint = Some(email.observed_fingerprint.clone());
    }

    /// Counts by action.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }

    /// Whether apply needs `--allow-removals N` to run this plan.
    pub fn needs_override(&self) -> bool {
        self.removals > self.max_removals as usize
    }

    /// The plan as versioned pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Hex SHA-256 of the canonical JSON of `value`.
pub fn fingerprint<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
