//! `org.yaml`: the organisation, its GitHub org, its email domains and its safety limits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `org.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl organisation (org.yaml)")]
pub struct RawOrg {
    /// Display name of the organisation.
    pub name: String,
    /// One-paragraph description shown in reports.
    #[serde(default)]
    pub description: Option<String>,
    /// The GitHub organisation synced from these files; omit when not synced.
    #[serde(default)]
    pub github: Option<RawGithubOrg>,
    /// Email alias domains and the server that serves them.
    #[serde(default)]
    pub email: Option<RawEmailConfig>,
    /// Safety limits for apply and thresholds for reports.
    #[serde(default)]
    pub limits: RawLimits,
}

/// The `github:` block of `org.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGithubOrg {
    /// The GitHub organisation login.
    pub org: String,
    /// Person ids who are organisation owners (GitHub role `admin`).
    #[serde(default)]
    #[schemars(schema_with = "super::id_list_schema")]
    pub admins: Vec<String>,
    /// GitHub team slugs orgctl never plans for nor touches.
    #[serde(default)]
    pub unmanaged_teams: Vec<String>,
    /// Whether GitHub teams not declared in `teams/` are deleted (true) or only reported (false).
    #[serde(default)]
    pub prune_undeclared_teams: bool,
    /// Whether org membership (invitations, removals, roles) is planned from `people/`.
    #[serde(default = "default_true")]
    pub manage_org_members: bool,
}

fn default_true() -> bool {
    true
}

/// The `email:` block of `org.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEmailConfig {
    /// Domains every alias address must belong to.
    pub domains: Vec<String>,
    /// The mail backend that serves the aliases.
    #[serde(default)]
    pub backend: Option<EmailBackend>,
}

/// Which mail server serves the aliases.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum EmailBackend {
    /// A Postfix virtual alias map file, compiled with `postmap`.
    Postfix {
        /// Path of the map file (`/etc/postfix/virtual`).
        path: String,
    },
    /// Mailgun routes, each marked as managed by orgctl.
    Mailgun {
        /// The Mailgun sending domain.
        domain: String,
        /// API base URL (default `https://api.mailgun.net`).
        #[serde(default)]
        api_url: Option<String>,
    },
}

/// The `limits:` block of `org.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    /// Apply refuses a plan with more removals than this unless `--allow-removals N` is given.
    #[serde(default = "default_max_removals")]
    pub max_removals: u32,
    /// Reports flag people who are members of more teams than this.
    #[serde(default = "default_max_teams")]
    pub max_teams_per_person: u32,
}

impl Default for RawLimits {
    fn default() -> Self {
        RawLimits {
            max_removals: default_max_removals(),
            max_teams_per_person: default_max_teams(),
        }
    }
}

fn default_max_removals() -> u32 {
    20
}

fn default_max_teams() -> u32 {
    6
}
