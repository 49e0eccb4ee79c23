//! The writes `apply` makes to GitHub: the [`GithubWriter`] trait (one method per write, so the
//! executor in `crate::apply` is tested against fakes) and its REST implementation
//! [`RestWriter`] over the [`Transport`].
//!
//! Team and membership writes exist only in REST. Writes are sent one at a time and paced by
//! the transport. Retries follow what each write is:
//!
//! * PUT, PATCH and DELETE are idempotent: retried on 502/503/504, timeouts and rate limits by
//!   the shared retry policy. A DELETE answered 404 means the thing is already gone: success.
//! * `POST /orgs/{org}/teams` is not: a create whose answer was lost may have happened. Before
//!   sending it again the writer looks the team up by slug and takes an existing team as the
//!   result, so a retried or re-run apply never creates a team twice.
//!
//! Every HTTP exchange (each attempt, and lookups) is kept until [`GithubWriter::take_exchanges`]
//! hands it to the audit record.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Value, json};

use super::error::GithubError;
use super::http::RawResponse;
use super::retry::{AttemptOutcome, Decision};
use super::state::{OrgRole, Permission, Privacy, TeamRole};
use super::transport::{Exchange, Transport, WriteMethod};

/// A team to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    /// The slug GitHub is expected to derive from `name` (used to find the team again).
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Visibility.
    pub privacy: Privacy,
    /// Id of the parent team.
    pub parent_id: Option<u64>,
}

/// Fields of a team to change; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPatch {
    /// New display name.
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New visibility.
    pub privacy: Option<Privacy>,
    /// New parent team id (`Some(None)` makes it a top-level team).
    pub parent_id: Option<Option<u64>>,
    /// New notification setting.
    pub notifications: Option<crate::schema::Notifications>,
}

impl TeamPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == TeamPatch::default()
    }
}

/// A team that exists after [`GithubWriter::create_team`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTeam {
    /// GitHub's team id.
    pub id: u64,
    /// Its slug.
    pub slug: String,
    /// True when an earlier attempt (whose answer was lost) had already created it.
    pub already_existed: bool,
}

/// State of a membership after it was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipState {
    /// The person is a member.
    Active,
    /// The person is not an organisation member yet: GitHub sent an invitation.
    Pending,
}

/// The writes apply makes. Implementations send them one at a time.
pub trait GithubWriter: Send + Sync {
    /// `POST /orgs/{org}/teams`.
    fn create_team(
        &self,
        team: &NewTeam,
    ) -> impl Future<Output = Result<CreatedTeam, GithubError>> + Send;
    /// `PATCH /orgs/{org}/teams/{slug}`.
    fn update_team(
        &self,
        slug: &str,
        patch: &TeamPatch,
    ) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// `DELETE /orgs/{org}/teams/{slug}` (GitHub deletes its child teams too).
    fn delete_team(&self, slug: &str) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// `PUT /orgs/{org}/teams/{slug}/memberships/{login}` with `role`.
    fn set_team_membership(
        &self,
        slug: &str,
        login: &str,
        role: TeamRole,
    ) -> impl Future<Output = Result<MembershipState, GithubError>> + Send;
    /// `DELETE /orgs/{org}/teams/{slug}/memberships/{login}`.
    fn remove_team_membership(
        &self,
        slug: &str,
        login: &str,
    ) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// `PUT /orgs/{org}/teams/{slug}/repos/{org}/{repo}` with `permission`.
    fn set_team_repo(
        &self,
        slug: &str,
        repo: &str,
        permission: Permission,
    ) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// `DELETE /orgs/{org}/teams/{slug}/repos/{org}/{repo}`.
    fn remove_team_repo(
        &self,
        slug: &str,
        repo: &str,
    ) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// `PUT /orgs/{org}/memberships/{login}` with `role` (invites a non-member).
    fn set_org_membership(
        &self,
        login: &str,
        role: OrgRole,
    ) -> impl Future<Output = Result<MembershipState, GithubError>> + Send;
    /// `DELETE /orgs/{org}/memberships/{login}`: removes a member or cancels an invitation.
    fn remove_org_membership(
        &self,
        login: &str,
    ) -> impl Future<Output = Result<(), GithubError>> + Send;
    /// The HTTP exchanges made since the last call, oldest first.
    fn take_exchanges(&self) -> Vec<Exchange>;
}

/// REST spelling of a privacy.
pub fn privacy_str(p: Privacy) -> &'static str {
    match p {
        Privacy::Closed => "closed",
        Privacy::Secret => "secret",
    }
}

fn team_role_str(r: TeamRole) -> &'static str {
    match r {
        TeamRole::Member => "member",
        TeamRole::Maintainer => "maintainer",
    }
}

fn org_role_str(r: OrgRole) -> &'static str {
    match r {
        OrgRole::Admin => "admin",
        OrgRole::Member => "member",
    }
}

pub use crate::validate::expected_slug;

/// Percent-encodes one path segment (logins, slugs and repository names are normally safe).
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The JSON body of a create request. Pure.
pub fn create_body(team: &NewTeam) -> Value {
    let mut body = json!({ "name": team.name, "privacy": privacy_str(team.privacy) });
    if let Some(d) = &team.description {
        body["description"] = json!(d);
    }
    if let Some(p) = team.parent_id {
        body["parent_team_id"] = json!(p);
    }
    body
}

/// The JSON body of a team update: only the fields that change; `parent_team_id: null` makes
/// the team top-level; a cleared description is sent as `""`. Pure.
pub fn patch_body(patch: &TeamPatch) -> Value {
    let mut body = json!({});
    if let Some(n) = &patch.name {
        body["name"] = json!(n);
    }
    if let Some(d) = &patch.description {
        body["description"] = json!(d.clone().unwrap_or_default());
    }
    if let Some(p) = patch.privacy {
        body["privacy"] = json!(privacy_str(p));
    }
    if let Some(p) = patch.parent_id {
        body["parent_team_id"] = match p {
            Some(id) => json!(id),
            None => Value::Null,
        };
    }
    if let Some(n) = patch.notifications {
        // REST "Update a team": `notification_setting`, `notifications_enabled` or
        // `notifications_disabled` (../shared/reference/github-api-notes.md §2).
        body["notification_setting"] = json!(match n {
            crate::schema::Notifications::Enabled => "notifications_enabled",
            crate::schema::Notifications::Disabled => "notifications_disabled",
        });
    }
    body
}

fn validation_details(r: &RawResponse) -> String {
    let details: Vec<String> = serde_json::from_str::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            e.get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    let field = e.get("field").and_then(Value::as_str)?;
                    let code = e.get("code").and_then(Value::as_str).unwrap_or("invalid");
                    Some(format!("{field}: {code}"))
                })
        })
        .collect();
    if details.is_empty() {
        r.message()
    } else {
        format!("{} ({})", r.message(), details.join("; "))
    }
}

/// The error for an unsuccessful write answer, with the fix where one is known. Pure.
pub fn write_error(endpoint: &str, r: &RawResponse) -> GithubError {
    let message = match r.status {
        401 => {
            return GithubError::BadCredentials {
                endpoint: endpoint.to_string(),
                message: r.message(),
            };
        }
        403 => format!(
            "{}: apply needs a token of an organisation owner with the `admin:org` scope (fine-grained token or GitHub App: organisation Members and Administration write)",
            r.message()
        ),
        404 => format!(
            "{}: the team, user or repository does not exist, or the token may not see it",
            r.message()
        ),
        422 => validation_details(r),
        _ => r.message(),
    };
    GithubError::Http {
        endpoint: endpoint.to_string(),
        status: r.status,
        message,
    }
}

fn decode_team(endpoint: &str, r: &RawResponse) -> Result<(u64, String), GithubError> {
    let v: Value = serde_json::from_str(&r.body).map_err(|e| GithubError::Decode {
        endpoint: endpoint.to_string(),
        message: e.to_string(),
    })?;
    let id = v.get("id").and_then(Value::as_u64);
    let slug = v.get("slug").and_then(Value::as_str);
    match (id, slug) {
        (Some(id), Some(slug)) => Ok((id, slug.to_string())),
        _ => Err(GithubError::Decode {
            endpoint: endpoint.to_string(),
            message: "a team without `id` or `slug`".into(),
        }),
    }
}

fn membership_state(r: &RawResponse) -> MembershipState {
    let pending = serde_json::from_str::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("state").and_then(Value::as_str).map(str::to_string))
        .is_some_and(|s| s == "pending");
    if pending {
        MembershipState::Pending
    } else {
        MembershipState::Active
    }
}

fn is_name_taken(r: &RawResponse) -> bool {
    r.status == 422 && r.body.contains("must be unique")
}

/// [`GithubWriter`] over GitHub's REST API.
pub struct RestWriter {
    transport: Arc<Transport>,
    org: String,
    log: Mutex<Vec<Exchange>>,
}

impl RestWriter {
    /// A writer for organisation `org` (checked to be a valid login).
    pub fn new(transport: Arc<Transport>, org: &str) -> Result<RestWriter, GithubError> {
        super::graphql::check_org_name(org)?;
        Ok(RestWriter {
            transport,
            org: org.to_string(),
            log: Mutex::new(Vec::new()),
        })
    }

    fn team_path(&self, slug: &str) -> String {
        format!("/orgs/{}/teams/{}", seg(&self.org), seg(slug))
    }

    fn log(&self, exchange: Exchange) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(exchange);
    }

    /// Sends an idempotent write; 2xx (and 404 for a DELETE) is success.
    async fn idempotent(
        &self,
        method: WriteMethod,
        path: &str,
        body: Option<&Value>,
    ) -> Result<RawResponse, GithubError> {
        let endpoint = format!("{} {path}", method.as_str());
        let r = self
            .transport
            .write_idempotent(method, path, body, &self.log)
            .await?;
        if r.is_success() || (method == WriteMethod::Delete && r.status == 404) {
            Ok(r)
        } else {
            Err(write_error(&endpoint, &r))
        }
    }

    /// The team with `slug`, if it exists.
    async fn find_team(&self, slug: &str) -> Result<Option<(u64, String)>, GithubError> {
        let path = self.team_path(slug);
        let endpoint = format!("GET {path}");
        let r = self.transport.get_logged(&path, &self.log).await?;
        match r.status {
            200 => decode_team(&endpoint, &r).map(Some),
            404 => Ok(None),
            _ => Err(write_error(&endpoint, &r)),
        }
    }
}

impl GithubWriter for RestWriter {
    async fn create_team(&self, team: &NewTeam) -> Result<CreatedTeam, GithubError> {
        let path = format!("/orgs/{}/teams", seg(&self.org));
        let endpoint = format!("POST {path}");
        let body = create_body(team);
        let mut waited = Duration::ZERO;
        let mut uncertain = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (outcome, exchange) = self
                .transport
                .write_once(WriteMethod::Post, &path, Some(&body))
                .await;
            self.log(exchange);
            if let AttemptOutcome::Response(r) = &outcome {
                if r.is_success() {
                    let (id, slug) = decode_team(&endpoint, r)?;
                    return Ok(CreatedTeam {
                        id,
                        slug,
                        already_existed: false,
                    });
                }
                if uncertain && is_name_taken(r) {
                    // An earlier attempt whose answer was lost created it.
                    if let Some((id, slug)) = self.find_team(&team.slug).await? {
                        return Ok(CreatedTeam {
                            id,
                            slug,
                            already_existed: true,
                        });
                    }
                }
            }
            let (wait, reason) = match self.transport.retry_decision(&outcome, attempt) {
                Decision::Accept => {
                    return Err(match outcome {
                        AttemptOutcome::Response(r) => write_error(&endpoint, &r),
                        AttemptOutcome::Transport(message) => {
                            GithubError::Transport { endpoint, message }
                        }
                    });
                }
                Decision::Retry { wait, reason } => (wait, reason),
            };
            if let Some(e) = self
                .transport
                .give_up(&endpoint, attempt, waited, wait, &reason)
            {
                return Err(e);
            }
            self.transport
                .wait_before_retry(&endpoint, reason, wait, attempt)
                .await;
            waited = waited.saturating_add(wait);
            uncertain = true;
            // The failed attempt may have created the team: look before sending it again.
            if let Some((id, slug)) = self.find_team(&team.slug).await? {
                return Ok(CreatedTeam {
                    id,
                    slug,
                    already_existed: true,
                });
            }
        }
    }

    async fn update_team(&self, slug: &str, patch: &TeamPatch) -> Result<(), GithubError> {
        let body = patch_body(patch);
        self.idempotent(WriteMethod::Patch, &self.team_path(slug), Some(&body))
            .await
            .map(|_| ())
    }

    async fn delete_team(&self, slug: &str) -> Result<(), GithubError> {
        self.idempotent(WriteMethod::Delete, &self.team_path(slug), None)
            .await
            .map(|_| ())
    }

    async fn set_team_membership(
        &self,
        slug: &str,
        login: &str,
        role: TeamRole,
    ) -> Result<MembershipState, GithubError> {
        let path = format!("{}/memberships/{}", self.team_path(slug), seg(login));
        let body = json!({ "role": team_role_str(role) });
        let r = self
            .idempotent(WriteMethod::Put, &path, Some(&body))
            .await?;
        Ok(membership_state(&r))
    }

    async fn remove_team_membership(&self, slug: &str, login: &str) -> Result<(), GithubError> {
        let path = format!("{}/memberships/{}", self.team_path(slug), seg(login));
        self.idempotent(WriteMethod::Delete, &path, None)
            .await
            .map(|_| ())
    }

    async fn set_team_repo(
        &self,
        slug: &str,
        repo: &str,
        permission: Permission,
    ) -> Result<(), GithubError> {
        let path = format!(
            "{}/repos/{}/{}",
            self.team_path(slug),
            seg(&self.org),
            seg(repo)
        );
        let body = json!({ "permission": permission.as_str() });
        self.idempotent(WriteMethod::Put, &path, Some(&body))
            .await
            .map(|_| ())
    }

    async fn remove_team_repo(&self, slug: &str, repo: &str) -> Result<(), GithubError> {
        let path = format!(
            "{}/repos/{}/{}",
            self.team_path(slug),
            seg(&self.org),
            seg(repo)
        );
        self.idempotent(WriteMethod::Delete, &path, None)
            .await
            .map(|_| ())
    }

    async fn set_org_membership(
        &self,
        login: &str,
        role: OrgRole,
    ) -> Result<MembershipState, GithubError> {
        let path = format!("/orgs/{}/memberships/{}", seg(&self.org), seg(login));
        let body = json!({ "role": org_role_str(role) });
        let r = self
            .idempotent(WriteMethod::Put, &path, Some(&body))
            .await?;
        Ok(membership_state(&r))
    }

    async fn remove_org_membership(&self, login: &str) -> Result<(), GithubError> {
        let path = format!("/orgs/{}/memberships/{}", seg(&self.org), seg(login));
        self.idempotent(WriteMethod::Delete, &path, None)
            .await
            .map(|_| ())
    }

    fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::http::Headers;

    #[test]
    fn bodies_carry_only_what_changes() {
        let team = NewTeam {
            slug: "web".into(),
            name: "Web".into(),
            description: None,
            privacy: Privacy::Closed,
            parent_id: Some(7),
        };
        assert_eq!(
            create_body(&team),
            json!({"name": "Web", "privacy": "closed", "parent_team_id": 7})
        );
        let patch = TeamPatch {
            description: Some(None),
            parent_id: Some(None),
            ..TeamPatch::default()
        };
        assert_eq!(
            patch_body(&patch),
            json!({"description": "", "parent_team_id": null})
        );
        assert!(TeamPatch::default().is_empty());
    }

    #[test]
    fn errors_name_the_fix() {
        let r = |status: u16, body: &str| RawResponse {
            status,
            headers: Headers::default(),
            body: body.into(),
        };
        let e = write_error(
            "PUT /x",
            &r(
                403,
                r#"{"message":"Must have admin rights to Repository."}"#,
            ),
        );
        assert!(e.to_string().contains("admin:org"), "{e}");
        let e = write_error(
            "POST /orgs/a/teams",
            &r(
                422,
                r#"{"message":"Validation Failed","errors":[{"resource":"Team","code":"custom","field":"name","message":"Name must be unique for this org"}]}"#,
            ),
        );
        assert!(e.to_string().contains("Name must be unique"), "{e}");
        assert!(matches!(
            write_error("GET /", &r(401, "{}")),
            GithubError::BadCredentials { .. }
        ));
        assert_eq!(seg("a b/c"), "a%20b%2Fc");
        assert_eq!(
            expected_slug("Monkeys & Bananas").as_deref(),
            Some("monkeys-bananas")
        );
        assert_eq!(expected_slug(" Web_Team 2 ").as_deref(), Some("web_team-2"));
        assert_eq!(expected_slug("My TEam Näme"), None);
        assert_eq!(seg("web-team_1.x"), "web-team_1.x");
    }
}
