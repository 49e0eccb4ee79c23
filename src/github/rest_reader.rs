//! A per-resource REST reader, the pattern of the Terraform GitHub provider:
//! list the organisation's members (by role), invitations and teams, then per
//! team list maintainers, members and repositories, following `link:
//! rel="next"` page by page. It produces the same [`GithubState`] as the
//! GraphQL reader and is the comparison point for request counts.
//!
//! Team member listings include members of child teams; GitHub marks those
//! `inherited: true` and this reader skips them, keeping immediate members as
//! the GraphQL reader's `membership: IMMEDIATE` does.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::LiveReader;
use super::config::GithubConfig;
use super::error::GithubError;
use super::graphql::{ReadOptions, check_org_name};
use super::listing::{self, closed, list_sequential, task_failed};
use super::state::{
    GithubState, Notifications, OrgMember, OrgRole, Permission, Privacy, Team, TeamMember,
    TeamRepo, TeamRole,
};
use super::transport::{RequestCount, Transport};

/// Reads organisations with one REST listing per resource.
pub struct RestReader {
    transport: Arc<Transport>,
    options: ReadOptions,
}

impl RestReader {
    /// A reader over `transport` with default options.
    pub fn new(transport: Arc<Transport>) -> RestReader {
        RestReader {
            transport,
            options: ReadOptions::default(),
        }
    }

    /// Connects with `config` (see [`Transport::connect`]).
    pub async fn connect(config: &GithubConfig) -> Result<RestReader, GithubError> {
        Ok(RestReader::new(Arc::new(Transport::connect(config).await?)))
    }

    /// Replaces the options (only `concurrency` applies: teams read at once).
    pub fn with_options(mut self, options: ReadOptions) -> RestReader {
        self.options = options;
        self
    }

    /// Requests sent so far.
    pub fn requests(&self) -> RequestCount {
        self.transport.requests()
    }
}

fn decode_error(endpoint: &str, what: &str) -> GithubError {
    GithubError::Decode {
        endpoint: endpoint.to_string(),
        message: format!("missing {what}"),
    }
}

fn str_field<'a>(endpoint: &str, v: &'a Value, field: &str) -> Result<&'a str, GithubError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| decode_error(endpoint, field))
}

fn u64_field(endpoint: &str, v: &Value, field: &str) -> Result<u64, GithubError> {
    v.get(field)
        .and_then(Value::as_u64)
        .ok_or_else(|| decode_error(endpoint, field))
}

/// A team from a `GET /orgs/{org}/teams` item, without members and repositories.
fn team_from_json(endpoint: &str, v: &Value) -> Result<Team, GithubError> {
    Ok(Team {
        id: u64_field(endpoint, v, "id")?,
        slug: str_field(endpoint, v, "slug")?.to_string(),
        name: str_field(endpoint, v, "name")?.to_string(),
        description: v
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        privacy: if v.get("privacy").and_then(Value::as_str) == Some("secret") {
            Privacy::Secret
        } else {
            Privacy::Closed
        },
        parent: v
            .get("parent")
            .and_then(|p| p.get("slug"))
            .and_then(Value::as_str)
            .map(str::to_string),
        notifications: match v.get("notification_setting").and_then(Value::as_str) {
            Some("notifications_enabled") => Some(Notifications::Enabled),
            Some("notifications_disabled") => Some(Notifications::Disabled),
            _ => None,
        },
        members: Vec::new(),
        repos: Vec::new(),
    })
}

fn repo_from_json(endpoint: &str, v: &Value) -> Result<TeamRepo, GithubError> {
    let flags = v
        .get("permissions")
        .ok_or_else(|| decode_error(endpoint, "permissions"))?;
    let flag = |k: &str| flags.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(TeamRepo {
        name: str_field(endpoint, v, "name")?.to_string(),
        permission: Permission::from_flags(
            flag("admin"),
            flag("maintain"),
            flag("push"),
            flag("triage"),
        ),
    })
}

async fn read_team(
    transport: Arc<Transport>,
    semaphore: Arc<Semaphore>,
    org: String,
    mut team: Team,
) -> Result<Team, GithubError> {
    let _permit = semaphore.acquire().await.map_err(|e| closed(&e))?;
    let slug = team.slug.clone();
    let base = format!("/orgs/{org}/teams/{slug}");
    let vanished = |e: GithubError| match e {
        GithubError::OrgAccessDenied { ref status, .. } if status == "404" => {
            GithubError::Inconsistent { slug: slug.clone() }
        }
        other => other,
    };
    for (role, label) in [
        (TeamRole::Maintainer, "maintainer"),
        (TeamRole::Member, "member"),
    ] {
        let path = format!("{base}/members?role={label}&per_page=100");
        let endpoint = format!("GET {path}");
        for v in list_sequential(&transport, &org, &path)
            .await
            .map_err(vanished)?
        {
            if v.get("inherited").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            team.members.push(TeamMember {
                login: str_field(&endpoint, &v, "login")?.to_string(),
                id: u64_field(&endpoint, &v, "id")?,
                role,
            });
        }
    }
    let path = format!("{base}/repos?per_page=100");
    let endpoint = format!("GET {path}");
    for v in list_sequential(&transport, &org, &path)
        .await
        .map_err(vanished)?
    {
        team.repos.push(repo_from_json(&endpoint, &v)?);
    }
    Ok(team)
}

impl LiveReader for RestReader {
    /// Reads `org` within the read deadline (`ORGCTL_GITHUB_READ_DEADLINE`).
    async fn read_org(&self, org: &str) -> Result<GithubState, GithubError> {
        check_org_name(org)?;
        self.transport
            .within_read_deadline(&format!("reading organisation `{org}`"), self.read_now(org))
            .await
    }
}

impl RestReader {
    /// The whole read, without the deadline.
    async fn read_now(&self, org: &str) -> Result<GithubState, GithubError> {
        let t = &self.transport;
        let mut state = GithubState::new(org);
        if !t.is_app() {
            let response = t.get("/user").await?;
            if response.is_success() {
                let user: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
                state.viewer = user
                    .get("login")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
        }
        for (role, label) in [(OrgRole::Admin, "admin"), (OrgRole::Member, "member")] {
            let path = format!("/orgs/{org}/members?role={label}&per_page=100");
            let endpoint = format!("GET {path}");
            for v in list_sequential(t, org, &path).await? {
                state.members.push(OrgMember {
                    login: str_field(&endpoint, &v, "login")?.to_string(),
                    id: u64_field(&endpoint, &v, "id")?,
                    role,
                });
            }
        }
        let path = listing::invitations_path(org);
        let endpoint = format!("GET {path}");
        for v in list_sequential(t, org, &path).await? {
            state.invitations.push(listing::invitation(&endpoint, &v)?);
        }
        let path = format!("/orgs/{org}/teams?per_page=100");
        let endpoint = format!("GET {path}");
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for v in list_sequential(t, org, &path).await? {
            let team = team_from_json(&endpoint, &v)?;
            tasks.spawn(read_team(
                t.clone(),
                semaphore.clone(),
                org.to_string(),
                team,
            ));
        }
        while let Some(joined) = tasks.join_next().await {
            state.teams.push(joined.map_err(|e| task_failed(&e))??);
        }
        state.normalize();
        Ok(state)
    }
}
