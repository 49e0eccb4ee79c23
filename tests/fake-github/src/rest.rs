//! REST routes of the fake: route recognition (with a route kind per route for
//! request counting) and the handlers for teams, team members, team
//! repositories, organisation members and invitations, users and
//! `/rate_limit`, following the status codes and bodies of GitHub's REST API.

use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::model::{
    FakeState, MembershipState, NewTeam, OrgRole, Permission, Privacy, TeamPatch, TeamRole, key,
};
use crate::paging::{PageRequest, Query};
use crate::render;

/// A recognised REST route with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/rate_limit`
    RateLimit,
    /// `/user`
    Viewer,
    /// `/users/{username}`
    User(String),
    /// `/app/installations/{installation_id}/access_tokens`
    AppToken(String),
    /// `/graphql`
    Graphql,
    /// `/orgs/{org}/teams`
    Teams(String),
    /// `/orgs/{org}/teams/{team_slug}`
    Team(String, String),
    /// `/orgs/{org}/teams/{team_slug}/teams`
    TeamChildren(String, String),
    /// `/orgs/{org}/teams/{team_slug}/members`
    TeamMembers(String, String),
    /// `/orgs/{org}/teams/{team_slug}/memberships/{username}`
    TeamMembership(String, String, String),
    /// `/orgs/{org}/teams/{team_slug}/invitations`
    TeamInvitations(String, String),
    /// `/orgs/{org}/teams/{team_slug}/repos`
    TeamRepos(String, String),
    /// `/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}`
    TeamRepo(String, String, String, String),
    /// `/orgs/{org}/members`
    OrgMembers(String),
    /// `/orgs/{org}/members/{username}`
    OrgMember(String, String),
    /// `/orgs/{org}/memberships/{username}`
    OrgMembership(String, String),
    /// `/orgs/{org}/invitations`
    OrgInvitations(String),
}

impl Route {
    /// Recognises a request path (a trailing slash is not recognised, as on GitHub).
    pub fn parse(path: &str) -> Option<Route> {
        let segs: Vec<String> = path
            .strip_prefix('/')?
            .split('/')
            .map(str::to_string)
            .collect();
        if segs.iter().any(String::is_empty) {
            return None;
        }
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let o = |x: &str| x.to_string();
        Some(match s.as_slice() {
            ["rate_limit"] => Route::RateLimit,
            ["user"] => Route::Viewer,
            ["users", u] => Route::User(o(u)),
            ["app", "installations", id, "access_tokens"] => Route::AppToken(o(id)),
            ["graphql"] => Route::Graphql,
            ["orgs", org, "teams"] => Route::Teams(o(org)),
            ["orgs", org, "teams", t] => Route::Team(o(org), o(t)),
            ["orgs", org, "teams", t, "teams"] => Route::TeamChildren(o(org), o(t)),
            ["orgs", org, "teams", t, "members"] => Route::TeamMembers(o(org), o(t)),
            ["orgs", org, "teams", t, "memberships", u] => {
                Route::TeamMembership(o(org), o(t), o(u))
            }
            ["orgs", org, "teams", t, "invitations"] => Route::TeamInvitations(o(org), o(t)),
            ["orgs", org, "teams", t, "repos"] => Route::TeamRepos(o(org), o(t)),
            ["orgs", org, "teams", t, "repos", owner, repo] => {
                Route::TeamRepo(o(org), o(t), o(owner), o(repo))
            }
            ["orgs", org, "members"] => Route::OrgMembers(o(org)),
            ["orgs", org, "members", u] => Route::OrgMember(o(org), o(u)),
            ["orgs", org, "memberships", u] => Route::OrgMembership(o(org), o(u)),
            ["orgs", org, "invitations"] => Route::OrgInvitations(o(org)),
            _ => return None,
        })
    }

    /// Route kind (the path template) used for request counting.
    pub fn kind(&self) -> &'static str {
        match self {
            Route::RateLimit => "/rate_limit",
            Route::Viewer => "/user",
            Route::User(_) => "/users/{username}",
            Route::AppToken(_) => "/app/installations/{installation_id}/access_tokens",
            Route::Graphql => "/graphql",
            Route::Teams(_) => "/orgs/{org}/teams",
            Route::Team(..) => "/orgs/{org}/teams/{team_slug}",
            Route::TeamChildren(..) => "/orgs/{org}/teams/{team_slug}/teams",
            Route::TeamMembers(..) => "/orgs/{org}/teams/{team_slug}/members",
            Route::TeamMembership(..) => "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            Route::TeamInvitations(..) => "/orgs/{org}/teams/{team_slug}/invitations",
            Route::TeamRepos(..) => "/orgs/{org}/teams/{team_slug}/repos",
            Route::TeamRepo(..) => "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}",
            Route::OrgMembers(_) => "/orgs/{org}/members",
            Route::OrgMember(..) => "/orgs/{org}/members/{username}",
            Route::OrgMembership(..) => "/orgs/{org}/memberships/{username}",
            Route::OrgInvitations(_) => "/orgs/{org}/invitations",
        }
    }

    /// The `{org}` parameter, for organisation routes.
    pub fn org(&self) -> Option<&str> {
        match self {
            Route::Teams(o)
            | Route::Team(o, _)
            | Route::TeamChildren(o, _)
            | Route::TeamMembers(o, _)
            | Route::TeamMembership(o, _, _)
            | Route::TeamInvitations(o, _)
            | Route::TeamRepos(o, _)
            | Route::TeamRepo(o, _, _, _)
            | Route::OrgMembers(o)
            | Route::OrgMember(o, _)
            | Route::OrgMembership(o, _)
            | Route::OrgInvitations(o) => Some(o),
            _ => None,
        }
    }
}

/// A REST answer before HTTP encoding.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// JSON body, `None` for 204.
    pub body: Option<Value>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// `204 No Content`.
    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The answer for an error.
    pub fn error(e: &ApiError) -> Reply {
        Reply::json(e.status(), e.body())
    }
}

/// One REST request as the handlers see it.
pub struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path (without query).
    pub path: &'a str,
    /// Query parameters.
    pub query: &'a Query,
    /// `accept` header.
    pub accept: &'a str,
    /// Body bytes.
    pub body: &'a [u8],
    /// Base URL of the fake without trailing slash.
    pub base: &'a str,
    /// Login of the token owner.
    pub viewer: &'a str,
}

fn listing(req: &Request<'_>, items: Vec<Value>) -> Reply {
    let page = PageRequest::from_query(req.query);
    let body = Value::Array(page.slice(&items).to_vec());
    let mut reply = Reply::json(200, body);
    if let Some(link) = page.link_header(items.len(), req.base, req.path, req.query) {
        reply.headers.push(("link".into(), link));
    }
    reply
}

/// Parses a JSON object body; an empty body is an empty object.
fn body_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::BadRequest("Body should be a JSON object".into())),
        Err(_) => Err(ApiError::BadRequest("Problems parsing JSON".into())),
    }
}

fn invalid_request() -> ApiError {
    ApiError::Unprocessable("Invalid request".into())
}

fn opt_string(m: &Map<String, Value>, k: &str) -> Result<Option<Option<String>>, ApiError> {
    match m.get(k) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(invalid_request()),
    }
}

fn string_list(m: &Map<String, Value>, k: &str) -> Result<Vec<String>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(invalid_request))
            .collect(),
        Some(_) => Err(invalid_request()),
    }
}

fn privacy_field(m: &Map<String, Value>) -> Result<Option<Privacy>, ApiError> {
    match opt_string(m, "privacy")? {
        None | Some(None) => Ok(None),
        Some(Some(p)) => Privacy::parse(&p)
            .map(Some)
            .ok_or_else(|| ApiError::validation("Team", "privacy", "invalid", None)),
    }
}

/// Resolves `parent_team_id` / `parent_team_slug`: `None` = absent,
/// `Some(None)` = explicit null.
fn parent_field(
    state: &FakeState,
    m: &Map<String, Value>,
) -> Result<Option<Option<u64>>, ApiError> {
    match m.get("parent_team_id") {
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Number(n)) => {
            return n
                .as_u64()
                .map(|id| Some(Some(id)))
                .ok_or_else(invalid_request);
        }
        Some(_) => return Err(invalid_request()),
        None => {}
    }
    match opt_string(m, "parent_team_slug")? {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(slug)) => state
            .team_by_slug(&slug)
            .map(|t| Some(Some(t.id)))
            .ok_or_else(|| {
                ApiError::validation(
                    "Team",
                    "parent_team_slug",
                    "invalid",
                    Some("Parent team does not exist"),
                )
            }),
    }
}

fn team_id(state: &FakeState, slug: &str) -> Result<u64, ApiError> {
    state
        .team_by_slug(slug)
        .map(|t| t.id)
        .ok_or(ApiError::NotFound)
}

/// Answers a REST request for the organisation routes and the user routes.
/// Authentication, rate limits and faults are handled by the caller.
pub fn handle(state: &mut FakeState, route: &Route, req: &Request<'_>) -> Result<Reply, ApiError> {
    if let Some(org) = route.org() {
        if !org.eq_ignore_ascii_case(&state.org) {
            return Err(ApiError::NotFound);
        }
    }
    let base = req.base;
    match (req.method, route) {
        ("GET", Route::Viewer) => state
            .user(req.viewer)
            .map(|u| Reply::json(200, render::public_user(base, u)))
            .ok_or_else(|| ApiError::Forbidden("Resource not accessible by integration".into())),
        ("GET", Route::User(login)) => state
            .user(login)
            .map(|u| Reply::json(200, render::public_user(base, u)))
            .ok_or(ApiError::NotFound),

        ("GET", Route::Teams(_)) => {
            let items = state
                .teams_by_name()
                .into_iter()
                .map(|t| render::team(base, state, t, false))
                .collect();
            Ok(listing(req, items))
        }
        ("POST", Route::Teams(_)) => {
            let m = body_object(req.body)?;
            let name = match m.get("name") {
                Some(Value::String(n)) => n.clone(),
                None | Some(Value::Null) => {
                    return Err(ApiError::validation("Team", "name", "missing_field", None));
                }
                Some(_) => return Err(invalid_request()),
            };
            let permission =
                match opt_string(&m, "permission")? {
                    Some(Some(p)) => Some(Permission::parse(&p).ok_or_else(|| {
                        ApiError::validation("Team", "permission", "invalid", None)
                    })?),
                    _ => None,
                };
            let new = NewTeam {
                name,
                description: opt_string(&m, "description")?.flatten(),
                privacy: privacy_field(&m)?,
                parent: parent_field(state, &m)?.flatten(),
                maintainers: string_list(&m, "maintainers")?,
                repo_names: string_list(&m, "repo_names")?,
                permission,
                notification_setting: opt_string(&m, "notification_setting")?.flatten(),
            };
            let creator = state
                .members
                .contains_key(&key(req.viewer))
                .then_some(req.viewer);
            let id = state.create_team(new, creator)?;
            let team = state.teams.get(&id).ok_or(ApiError::NotFound)?;
            Ok(Reply::json(201, render::team(base, state, team, true)))
        }
        ("GET", Route::Team(_, slug)) => {
            let team = state.team_by_slug(slug).ok_or(ApiError::NotFound)?;
            Ok(Reply::json(200, render::team(base, state, team, true)))
        }
        ("PATCH", Route::Team(_, slug)) => {
            let id = team_id(state, slug)?;
            let m = body_object(req.body)?;
            let name = match opt_string(&m, "name")? {
                Some(None) => return Err(invalid_request()),
                other => other.flatten(),
            };
            let patch = TeamPatch {
                name,
                description: opt_string(&m, "description")?,
                privacy: privacy_field(&m)?,
                parent: parent_field(state, &m)?,
                notification_setting: opt_string(&m, "notification_setting")?.flatten(),
                permission: opt_string(&m, "permission")?.flatten(),
            };
            let changed = state.update_team(id, patch)?;
            let team = state.teams.get(&id).ok_or(ApiError::NotFound)?;
            Ok(Reply::json(
                if changed { 201 } else { 200 },
                render::team(base, state, team, true),
            ))
        }
        ("DELETE", Route::Team(_, slug)) => {
            let id = team_id(state, slug)?;
            state.delete_team(id)?;
            Ok(Reply::no_content())
        }
        ("GET", Route::TeamChildren(_, slug)) => {
            let id = team_id(state, slug)?;
            let items = state
                .children(id)
                .into_iter()
                .map(|t| render::team(base, state, t, false))
                .collect();
            Ok(listing(req, items))
        }
        ("GET", Route::TeamMembers(_, slug)) => {
            let id = team_id(state, slug)?;
            let want =
                match req.query.get("role").unwrap_or("all") {
                    "all" => None,
                    r => Some(TeamRole::parse(r).ok_or_else(|| {
                        ApiError::validation("TeamMember", "role", "invalid", None)
                    })?),
                };
            let items = state
                .team_members_with_children(id)
                .into_iter()
                .filter(|(_, role, _)| want.is_none_or(|w| w == *role))
                .filter_map(|(login, role, inherited)| {
                    state.users.get(&login).map(|u| {
                        let mut v = render::simple_user(base, u);
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("role".into(), json!(role.rest()));
                            obj.insert("inherited".into(), json!(inherited));
                        }
                        v
                    })
                })
                .collect();
            Ok(listing(req, items))
        }
        ("GET", Route::TeamMembership(_, slug, login)) => {
            let id = team_id(state, slug)?;
            let user = state.user(login).ok_or(ApiError::NotFound)?;
            let team = state.teams.get(&id).ok_or(ApiError::NotFound)?;
            let k = key(login);
            let found = state
                .team_members_with_children(id)
                .into_iter()
                .find(|(l, _, _)| *l == k)
                .map(|(_, role, _)| (role, MembershipState::Active))
                .or_else(|| {
                    state
                        .invitation(login)
                        .and_then(|inv| inv.teams.get(&id))
                        .map(|role| (*role, MembershipState::Pending))
                });
            let (mut role, st) = found.ok_or(ApiError::NotFound)?;
            if state.members.get(&k) == Some(&OrgRole::Admin) {
                role = TeamRole::Maintainer;
            }
            Ok(Reply::json(
                200,
                render::team_membership(base, state, team, user, role, st),
            ))
        }
        ("PUT", Route::TeamMembership(_, slug, login)) => {
            let id = team_id(state, slug)?;
            let m = body_object(req.body)?;
            let role = match opt_string(&m, "role")?.flatten() {
                None => TeamRole::Member,
                Some(r) => TeamRole::parse(&r)
                    .ok_or_else(|| ApiError::validation("TeamMember", "role", "invalid", None))?,
            };
            let st = state.put_team_membership(id, login, role)?;
            let user = state.user(login).ok_or(ApiError::NotFound)?;
            let team = state.teams.get(&id).ok_or(ApiError::NotFound)?;
            Ok(Reply::json(
                200,
                render::team_membership(base, state, team, user, role, st),
            ))
        }
        ("DELETE", Route::TeamMembership(_, slug, login)) => {
            let id = team_id(state, slug)?;
            state.user(login).ok_or(ApiError::NotFound)?;
            state.remove_team_membership(id, login)?;
            Ok(Reply::no_content())
        }
        ("GET", Route::TeamInvitations(_, slug)) => {
            let id = team_id(state, slug)?;
            let items = state
                .invitations
                .iter()
                .filter(|i| i.teams.contains_key(&id))
                .map(|i| render::invitation(base, state, i))
                .collect();
            Ok(listing(req, items))
        }
        ("GET", Route::TeamRepos(_, slug)) => {
            let team = state.team_by_slug(slug).ok_or(ApiError::NotFound)?;
            let items = team
                .repos
                .iter()
                .filter_map(|(k, p)| {
                    state
                        .repos
                        .get(k)
                        .map(|r| render::team_repo(base, state, r, *p))
                })
                .collect();
            Ok(listing(req, items))
        }
        ("GET", Route::TeamRepo(_, slug, owner, repo)) => {
            let id = team_id(state, slug)?;
            if !owner.eq_ignore_ascii_case(&state.org) {
                return Err(ApiError::NotFound);
            }
            let r = state.repos.get(&key(repo)).ok_or(ApiError::NotFound)?;
            let p = state
                .team_repo_permission(id, repo)
                .ok_or(ApiError::NotFound)?;
            if req
                .accept
                .contains("application/vnd.github.v3.repository+json")
            {
                Ok(Reply::json(200, render::team_repo(base, state, r, p)))
            } else {
                Ok(Reply::no_content())
            }
        }
        ("PUT", Route::TeamRepo(_, slug, owner, repo)) => {
            let id = team_id(state, slug)?;
            let m = body_object(req.body)?;
            let not_owned = || {
                ApiError::validation(
                    "Team",
                    "repository",
                    "custom",
                    Some("Repository must be owned by the organization"),
                )
            };
            if !owner.eq_ignore_ascii_case(&state.org) || !state.repos.contains_key(&key(repo)) {
                return Err(not_owned());
            }
            let default = state
                .teams
                .get(&id)
                .map(|t| t.permission.clone())
                .unwrap_or_else(|| "pull".into());
            let p = opt_string(&m, "permission")?.flatten().unwrap_or(default);
            let p = Permission::parse(&p)
                .ok_or_else(|| ApiError::validation("Team", "permission", "invalid", None))?;
            state.set_team_repo(slug, repo, p)?;
            Ok(Reply::no_content())
        }
        ("DELETE", Route::TeamRepo(_, slug, _owner, repo)) => {
            let id = team_id(state, slug)?;
            if let Some(team) = state.teams.get_mut(&id) {
                team.repos.remove(&key(repo));
            }
            Ok(Reply::no_content())
        }
        ("GET", Route::OrgMembers(_)) => {
            let want = match req.query.get("role").unwrap_or("all") {
                "all" => None,
                "admin" => Some(OrgRole::Admin),
                "member" => Some(OrgRole::Member),
                _ => return Err(ApiError::validation("Member", "role", "invalid", None)),
            };
            let items = state
                .members
                .iter()
                .filter(|(_, r)| want.is_none_or(|w| w == **r))
                .filter_map(|(k, _)| state.users.get(k).map(|u| render::simple_user(base, u)))
                .collect();
            Ok(listing(req, items))
        }
        ("GET", Route::OrgMember(_, login)) => {
            if state.members.contains_key(&key(login)) {
                Ok(Reply::no_content())
            } else {
                Err(ApiError::NotFound)
            }
        }
        ("DELETE", Route::OrgMember(_, login)) => {
            let k = key(login);
            if state.members.remove(&k).is_some() {
                for team in state.teams.values_mut() {
                    team.members.remove(&k);
                }
            }
            Ok(Reply::no_content())
        }
        ("GET", Route::OrgMembership(_, login)) => {
            let user = state.user(login).ok_or(ApiError::NotFound)?;
            let k = key(login);
            if let Some(role) = state.members.get(&k) {
                return Ok(Reply::json(
                    200,
                    render::org_membership(base, state, user, *role, MembershipState::Active),
                ));
            }
            let inv = state.invitation(login).ok_or(ApiError::NotFound)?;
            let role = if inv.role == crate::model::InvitationRole::Admin {
                OrgRole::Admin
            } else {
                OrgRole::Member
            };
            Ok(Reply::json(
                200,
                render::org_membership(base, state, user, role, MembershipState::Pending),
            ))
        }
        ("PUT", Route::OrgMembership(_, login)) => {
            let m = body_object(req.body)?;
            let role = match opt_string(&m, "role")?.flatten().as_deref() {
                None | Some("member") => OrgRole::Member,
                Some("admin") => OrgRole::Admin,
                Some(_) => return Err(ApiError::validation("Membership", "role", "invalid", None)),
            };
            let st = state.put_org_membership(login, role)?;
            let user = state.user(login).ok_or(ApiError::NotFound)?;
            Ok(Reply::json(
                200,
                render::org_membership(base, state, user, role, st),
            ))
        }
        ("DELETE", Route::OrgMembership(_, login)) => {
            if state.remove_org_membership(login) {
                Ok(Reply::no_content())
            } else {
                Err(ApiError::NotFound)
            }
        }
        ("GET", Route::OrgInvitations(_)) => {
            let role = req.query.get("role").unwrap_or("all");
            let items = state
                .invitations
                .iter()
                .filter(|i| role == "all" || i.role.rest() == role)
                .map(|i| render::invitation(base, state, i))
                .collect();
            Ok(listing(req, items))
        }
        _ => Err(ApiError::NotFound),
    }
}
