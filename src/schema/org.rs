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
        /// Mailgun's region: `us` (`https://api.mailgun.net`, the default) or `eu`
        /// (`https://api.eu.mailgun.net`). The API key is only ever sent to Mailgun's host for
        /// the region (or to `ORGCTL_MAILGUN_API_URL`, set in the environment, never here).
        #[serde(default)]
        region: Option<MailgunRegion>,
        /// Older spelling of `region`: only `https://api.mailgun.net` or
        /// `https://api.eu.mailgun.net` are accepted (`check` refuses any other URL).
        #[serde(default)]
        api_url: Option<String>,
    },
}

/// Mailgun's two API regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MailgunRegion {
    /// `https://api.mailgun.net`.
    Us,
    /// `https://api.eu.mailgun.net`.
    Eu,
}

impl MailgunRegion {
    /// The region's API base URL.
    pub fn api_url(self) -> &'static str {
        match self {
            MailgunRegion::Us => "https://api.mailgun.net",
            MailgunRegion::Eu => "https://api.eu.mailgun.net",
        }
    }

    /// The region whose API base URL is `url` (a trailing `/` and `/v3` allowed, case of the
    /// scheme and host ignored); `None` for any other URL.
    pub fn from_api_url(url: &str) -> Option<MailgunRegion> {
        let u = url.trim().to_ascii_lowercase();
        let u = u.trim_end_matches('/');
        let u = u.strip_suffix("/v3").unwrap_or(u);
        [MailgunRegion::Us, MailgunRegion::Eu]
            .into_iter()
            .find(|r| r.api_url() == u)
    }
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
