//! The GraphQL reader: reads a whole organisation with the fewest requests.
//!
//! * `OrgctlOrgPage` (queries/org_page.graphql) pages the teams, each with its
//!   first 100 immediate members and repositories; the first page also brings
//!   the first 100 organisation members and the viewer.
//! * `OrgctlOrgMembers` continues the organisation members when there are
//!   more than 100.
//! * `OrgctlTeamMembers` / `OrgctlTeamRepos` continue, per team, only the
//!   nested connections whose `hasNextPage` is true (an inner cursor must not
//!   go into the outer query: it would apply to every team).
//! * Pending invitations come from REST `GET /orgs/{org}/invitations` (GraphQL
//!   has no invitation role); after the first page the rest are fetched
//!   concurrently.
//!
//! Independent chains run concurrently, bounded by [`ReadOptions::concurrency`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::LiveReader;
use super::config::GithubConfig;
use super::error::{GithubError, GraphqlErrorInfo};
use super::listing::{self, closed, task_failed};
use super::state::{
    GithubState, Invitation, OrgMember, OrgRole, Permission, Privacy, Team, TeamMember, TeamRepo,
    TeamRole,
};
use super::transport::{GraphqlReply, RequestCount, Transport};

const ORG_PAGE: &str = include_str!("queries/org_page.graphql");
const ORG_MEMBERS: &str = include_str!("queries/org_members.graphql");
const TEAM_MEMBERS: &str = include_str!("queries/team_members.graphql");
const TEAM_REPOS: &str = include_str!("queries/team_repos.graphql");

/// The GraphQL documents the reader sends, by operation name (for schema checks).
pub const QUERIES: &[(&str, &str)] = &[
    ("OrgctlOrgPage", ORG_PAGE),
    ("OrgctlOrgMembers", ORG_MEMBERS),
    ("OrgctlTeamMembers", TEAM_MEMBERS),
    ("OrgctlTeamRepos", TEAM_REPOS),
];

/// Tuning of a read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Teams per GraphQL page (1..=100).
    pub team_page_size: u32,
    /// Requests in flight at once (GitHub allows 100; it asks clients to be gentle).
    pub concurrency: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            team_page_size: 100,
            concurrency: 4,
        }
    }
}

/// Reads organisations through GraphQL (plus REST for invitations).
pub struct GraphqlReader {
    transport: Arc<Transport>,
    options: ReadOptions,
}

impl GraphqlReader {
    /// A reader over `transport` with default options.
    pub fn new(transport: Arc<Transport>) -> GraphqlReader {
        GraphqlReader {
            transport,
            options: ReadOptions::default(),
        }
    }

    /// Connects with `config` (see [`Transport::connect`]).
    pub async fn connect(config: &GithubConfig) -> Result<GraphqlReader, GithubError> {
        Ok(GraphqlReader::new(Arc::new(
            Transport::connect(config).await?,
        )))
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: ReadOptions) -> GraphqlReader {
        self.options = options;
        self
    }

    /// Requests sent so far.
    pub fn requests(&self) -> RequestCount {
        self.transport.requests()
    }
}

// ---- response shapes -------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

impl PageInfo {
    fn next(&self) -> Option<String> {
        if self.has_next_page {
            self.end_cursor.clone()
        } else {
            None
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EdgeConn<E> {
    page_info: PageInfo,
    edges: Vec<E>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserNode {
    login: String,
    database_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct RoleEdge {
    role: String,
    node: UserNode,
}

#[derive(Debug, Deserialize)]
struct RepoNode {
    name: String,
}

#[derive(Debug, Deserialize)]
struct RepoEdge {
    permission: String,
    node: RepoNode,
}

#[derive(Debug, Deserialize)]
struct SlugRef {
    slug: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TeamNode {
    database_id: u64,
    slug: String,
    name: String,
    description: Option<String>,
    privacy: String,
    parent_team: Option<SlugRef>,
    members: EdgeConn<RoleEdge>,
    repositories: EdgeConn<RepoEdge>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TeamsConn {
    page_info: PageInfo,
    nodes: Vec<TeamNode>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrgPageOrg {
    members_with_role: Option<EdgeConn<RoleEdge>>,
    teams: TeamsConn,
}

#[derive(Debug, Deserialize)]
struct OrgPage {
    viewer: Option<UserNode>,
    organization: Option<OrgPageOrg>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MembersOrg {
    members_with_role: EdgeConn<RoleEdge>,
}

#[derive(Debug, Deserialize)]
struct MembersPage {
    organization: Option<MembersOrg>,
}

#[derive(Debug, Deserialize)]
struct TeamMembersTeam {
    members: EdgeConn<RoleEdge>,
}

#[derive(Debug, Deserialize)]
struct TeamReposTeam {
    repositories: EdgeConn<RepoEdge>,
}

#[derive(Debug, Deserialize)]
struct TeamOrg<T> {
    team: Option<T>,
}

#[derive(Debug, Deserialize)]
struct TeamPage<T> {
    organization: Option<TeamOrg<T>>,
}

// ---- pure conversions ------------------------------------------------------

/// Turns GraphQL errors into the error that names the fix.
fn check_errors(
    org: &str,
    endpoint: &str,
    errors: Vec<GraphqlErrorInfo>,
) -> Result<(), GithubError> {
    if errors.is_empty() {
        return Ok(());
    }
    let kind_is = |e: &GraphqlErrorInfo, k: &str| e.kind.as_deref() == Some(k);
    if let Some(e) = errors
        .iter()
        .find(|e| kind_is(e, "NOT_FOUND") && e.path.as_deref().is_none_or(|p| p == "organization"))
    {
        return Err(GithubError::OrgNotFound {
            org: org.to_string(),
            endpoint: endpoint.to_string(),
            message: e.message.clone(),
        });
    }
    if let Some(e) = errors
        .iter()
        .find(|e| kind_is(e, "INSUFFICIENT_SCOPES") || kind_is(e, "FORBIDDEN"))
    {
        return Err(GithubError::OrgAccessDenied {
            org: org.to_string(),
            endpoint: endpoint.to_string(),
            status: e.kind.clone().unwrap_or_default(),
            message: e.message.clone(),
        });
    }
    Err(GithubError::Graphql {
        endpoint: endpoint.to_string(),
        errors,
    })
}

fn decode<T: DeserializeOwned>(
    org: &str,
    endpoint: &str,
    reply: GraphqlReply,
) -> Result<T, GithubError> {
    check_errors(org, endpoint, reply.errors)?;
    serde_json::from_value(reply.data).map_err(|e| GithubError::Decode {
        endpoint: endpoint.to_string(),
        message: e.to_string(),
    })
}

fn org_member(edge: RoleEdge) -> OrgMember {
    OrgMember {
        login: edge.node.login,
        id: edge.node.database_id.unwrap_or_default(),
        role: if edge.role == "ADMIN" {
            OrgRole::Admin
        } else {
            OrgRole::Member
        },
    }
}

fn team_member(edge: RoleEdge) -> TeamMember {
    TeamMember {
        login: edge.node.login,
        id: edge.node.database_id.unwrap_or_default(),
        role: if edge.role == "MAINTAINER" {
            TeamRole::Maintainer
        } else {
            TeamRole::Member
        },
    }
}

fn team_repo(endpoint: &str, edge: RepoEdge) -> Result<TeamRepo, GithubError> {
    let permission =
        Permission::from_graphql(&edge.permission).ok_or_else(|| GithubError::Decode {
            endpoint: endpoint.to_string(),
            message: format!("unknown repository permission `{}`", edge.permission),
        })?;
    Ok(TeamRepo {
        name: edge.node.name,
        permission,
    })
}

/// A team from a teams page plus the cursors of its overflowing connections.
struct PagedTeam {
    team: Team,
    members_next: Option<String>,
    repos_next: Option<String>,
}

fn paged_team(endpoint: &str, node: TeamNode) -> Result<PagedTeam, GithubError> {
    let members_next = node.members.page_info.next();
    let repos_next = node.repositories.page_info.next();
    let repos = node
        .repositories
        .edges
        .into_iter()
        .map(|e| team_repo(endpoint, e))
        .collect::<Result<_, _>>()?;
    Ok(PagedTeam {
        team: Team {
            id: node.database_id,
            slug: node.slug,
            name: node.name,
            description: node.description,
            privacy: if node.privacy == "SECRET" {
                Privacy::Secret
            } else {
                Privacy::Closed
            },
            parent: node.parent_team.map(|p| p.slug),
            members: node.members.edges.into_iter().map(team_member).collect(),
            repos,
        },
        members_next,
        repos_next,
    })
}

// ---- the imperative shell ---------------------------------------------------

/// A piece of the organisation fetched by one task.
enum Piece {
    First {
        viewer: Option<String>,
        members: Vec<OrgMember>,
        members_next: Option<String>,
        teams: Vec<PagedTeam>,
        teams_next: Option<String>,
    },
    Members {
        members: Vec<OrgMember>,
        next: Option<String>,
    },
    Teams {
        teams: Vec<PagedTeam>,
        next: Option<String>,
    },
    Invitations(Vec<Invitation>),
    TeamMembers {
        slug: String,
        members: Vec<TeamMember>,
        next: Option<String>,
    },
    TeamRepos {
        slug: String,
        repos: Vec<TeamRepo>,
        next: Option<String>,
    },
}

/// What every task needs.
struct Ctx {
    transport: Arc<Transport>,
    semaphore: Arc<Semaphore>,
    org: String,
    team_page_size: u32,
}

impl Ctx {
    async fn graphql(
        &self,
        operation: &str,
        query: &str,
        variables: Value,
    ) -> Result<(String, GraphqlReply), GithubError> {
        let _permit = self.semaphore.acquire().await.map_err(|e| closed(&e))?;
        let endpoint = format!("GraphQL {operation}");
        let reply = self.transport.graphql(operation, query, variables).await?;
        Ok((endpoint, reply))
    }

    async fn teams_page(
        &self,
        after: Option<String>,
        first_page: bool,
    ) -> Result<Piece, GithubError> {
        let variables = json!({
            "org": self.org,
            "teamsFirst": self.team_page_size,
            "teamsAfter": after,
            "firstPage": first_page,
            "withViewer": first_page && !self.transport.is_app(),
        });
        let (endpoint, reply) = self.graphql("OrgctlOrgPage", ORG_PAGE, variables).await?;
        let page: OrgPage = decode(&self.org, &endpoint, reply)?;
        let org = page.organization.ok_or_else(|| GithubError::OrgNotFound {
            org: self.org.clone(),
            endpoint: endpoint.clone(),
            message: "organization is null".into(),
        })?;
        let teams_next = org.teams.page_info.next();
        let teams = org
            .teams
            .nodes
            .into_iter()
            .map(|n| paged_team(&endpoint, n))
            .collect::<Result<Vec<_>, _>>()?;
        if !first_page {
            return Ok(Piece::Teams {
                teams,
                next: teams_next,
            });
        }
        let (members, members_next) = match org.members_with_role {
            Some(conn) => (
                conn.edges.into_iter().map(org_member).collect(),
                conn.page_info.next(),
            ),
            None => (Vec::new(), None),
        };
        Ok(Piece::First {
            viewer: page.viewer.map(|v| v.login),
            members,
            members_next,
            teams,
            teams_next,
        })
    }

    async fn members_page(&self, after: String) -> Result<Piece, GithubError> {
        let variables = json!({"org": self.org, "after": after});
        let (endpoint, reply) = self
            .graphql("OrgctlOrgMembers", ORG_MEMBERS, variables)
            .await?;
        let page: MembersPage = decode(&self.org, &endpoint, reply)?;
        let conn = page
            .organization
            .ok_or_else(|| GithubError::OrgNotFound {
                org: self.org.clone(),
                endpoint: endpoint.clone(),
                message: "organization is null".into(),
            })?
            .members_with_role;
        Ok(Piece::Members {
            next: conn.page_info.next(),
            members: conn.edges.into_iter().map(org_member).collect(),
        })
    }

    async fn team_page<T: DeserializeOwned>(
        &self,
        operation: &str,
        query: &str,
        slug: &str,
        after: String,
    ) -> Result<(String, T), GithubError> {
        let variables = json!({"org": self.org, "slug": slug, "after": after});
        let (endpoint, reply) = self.graphql(operation, query, variables).await?;
        let page: TeamPage<T> = decode(&self.org, &endpoint, reply)?;
        let team =
            page.organization
                .and_then(|o| o.team)
                .ok_or_else(|| GithubError::Inconsistent {
                    slug: slug.to_string(),
                })?;
        Ok((endpoint, team))
    }

    async fn team_members_page(&self, slug: String, after: String) -> Result<Piece, GithubError> {
        let (_, team): (_, TeamMembersTeam) = self
            .team_page("OrgctlTeamMembers", TEAM_MEMBERS, &slug, after)
            .await?;
        Ok(Piece::TeamMembers {
            next: team.members.page_info.next(),
            members: team.members.edges.into_iter().map(team_member).collect(),
            slug,
        })
    }

    async fn team_repos_page(&self, slug: String, after: String) -> Result<Piece, GithubError> {
        let (endpoint, team): (_, TeamReposTeam) = self
            .team_page("OrgctlTeamRepos", TEAM_REPOS, &slug, after)
            .await?;
        Ok(Piece::TeamRepos {
            next: team.repositories.page_info.next(),
            repos: team
                .repositories
                .edges
                .into_iter()
                .map(|e| team_repo(&endpoint, e))
                .collect::<Result<_, _>>()?,
            slug,
        })
    }
}

/// Accumulates pieces and schedules follow-up requests.
struct Assembly {
    ctx: Arc<Ctx>,
    tasks: JoinSet<Result<Piece, GithubError>>,
    state: GithubState,
    teams: BTreeMap<String, Team>,
}

impl Assembly {
    fn spawn<F>(&mut self, make: impl FnOnce(Arc<Ctx>) -> F)
    where
        F: Future<Output = Result<Piece, GithubError>> + Send + 'static,
    {
        let future = make(self.ctx.clone());
        self.tasks.spawn(future);
    }

    fn add_teams(&mut self, teams: Vec<PagedTeam>) {
        for paged in teams {
            let slug = paged.team.slug.clone();
            if let Some(after) = paged.members_next {
                let s = slug.clone();
                self.spawn(move |ctx| async move { ctx.team_members_page(s, after).await });
            }
            if let Some(after) = paged.repos_next {
                let s = slug.clone();
                self.spawn(move |ctx| async move { ctx.team_repos_page(s, after).await });
            }
            self.teams.insert(slug, paged.team);
        }
    }

    fn accept(&mut self, piece: Piece) -> Result<(), GithubError> {
        match piece {
            Piece::First {
                viewer,
                members,
                members_next,
                teams,
                teams_next,
            } => {
                self.state.viewer = viewer;
                self.accept(Piece::Members {
                    members,
                    next: members_next,
                })?;
                self.accept(Piece::Teams {
                    teams,
                    next: teams_next,
                })?;
            }
            Piece::Members { members, next } => {
                self.state.members.extend(members);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.members_page(after).await });
                }
            }
            Piece::Teams { teams, next } => {
                self.add_teams(teams);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.teams_page(Some(after), false).await });
                }
            }
            Piece::Invitations(invitations) => self.state.invitations.extend(invitations),
            Piece::TeamMembers {
                slug,
                members,
                next,
            } => {
                let team = self
                    .teams
                    .get_mut(&slug)
                    .ok_or_else(|| GithubError::Inconsistent { slug: slug.clone() })?;
                team.members.extend(members);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.team_members_page(slug, after).await });
                }
            }
            Piece::TeamRepos { slug, repos, next } => {
                let team = self
                    .teams
                    .get_mut(&slug)
                    .ok_or_else(|| GithubError::Inconsistent { slug: slug.clone() })?;
                team.repos.extend(repos);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.team_repos_page(slug, after).await });
                }
            }
        }
        Ok(())
    }
}

/// How precisely an error explains a failed read (3: nothing better can come).
fn specificity(e: &GithubError) -> u8 {
    match e {
        GithubError::OrgNotFound { .. }
        | GithubError::BadCredentials { .. }
        | GithubError::Config(_) => 3,
        GithubError::OrgAccessDenied { .. } => 2,
        _ => 1,
    }
}

/// Checks an organisation login before it goes into URLs.
pub(crate) fn check_org_name(org: &str) -> Result<(), GithubError> {
    let ok = !org.is_empty()
        && org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(GithubError::Config(format!(
            "`{org}` is not a valid GitHub organisation name"
        )))
    }
}

impl LiveReader for GraphqlReader {
    async fn read_org(&self, org: &str) -> Result<GithubState, GithubError> {
        check_org_name(org)?;
        let ctx = Arc::new(Ctx {
            transport: self.transport.clone(),
            semaphore: Arc::new(Semaphore::new(self.options.concurrency.max(1))),
            org: org.to_string(),
            team_page_size: self.options.team_page_size.clamp(1, 100),
        });
        let mut assembly = Assembly {
            ctx: ctx.clone(),
            tasks: JoinSet::new(),
            state: GithubState::new(org),
            teams: BTreeMap::new(),
        };
        assembly.spawn(|ctx| async move { ctx.teams_page(None, true).await });
        assembly.spawn(|ctx| async move {
            let path = listing::invitations_path(&ctx.org);
            let endpoint = format!("GET {path}");
            let items = listing::list_concurrent(
                ctx.transport.clone(),
                ctx.semaphore.clone(),
                ctx.org.clone(),
                path,
            )
            .await?;
            let invitations = items
                .iter()
                .map(|v| listing::invitation(&endpoint, v))
                .collect::<Result<_, _>>()?;
            Ok(Piece::Invitations(invitations))
        });
        // On a failure, stop scheduling and let the requests in flight finish:
        // a GraphQL NOT_FOUND explains a REST 404 on invitations better.
        let mut failure: Option<GithubError> = None;
        while let Some(joined) = assembly.tasks.join_next().await {
            let result = joined
                .map_err(|e| task_failed(&e))
                .and_then(|r| r)
                .and_then(|piece| match failure {
                    None => assembly.accept(piece),
                    Some(_) => Ok(()),
                });
            if let Err(e) = result {
                if specificity(&e) >= 3 {
                    return Err(e);
                }
                failure = match failure {
                    Some(previous) if specificity(&previous) >= specificity(&e) => Some(previous),
                    _ => Some(e),
                };
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        let mut state = assembly.state;
        state.teams = assembly.teams.into_values().collect();
        state.normalize();
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_errors_name_the_fix() {
        let not_found = vec![GraphqlErrorInfo {
            kind: Some("NOT_FOUND".into()),
            path: Some("organization".into()),
            message: "Could not resolve to an Organization with the login of 'x'.".into(),
        }];
        let err = check_errors("x", "GraphQL OrgctlOrgPage", not_found).expect_err("not found");
        assert!(
            err.to_string().contains("check the organisation name"),
            "{err}"
        );
        let scopes = vec![GraphqlErrorInfo {
            kind: Some("INSUFFICIENT_SCOPES".into()),
            path: None,
            message: "needs read:org".into(),
        }];
        let err = check_errors("x", "e", scopes).expect_err("scopes");
        assert!(err.to_string().contains("read:org"), "{err}");
        assert!(check_errors("x", "e", Vec::new()).is_ok());
    }

    #[test]
    fn org_names_are_checked() {
        assert!(check_org_name("rust-lang").is_ok());
        assert!(check_org_name("a/b").is_err());
        assert!(check_org_name("").is_err());
    }
}
