//! The GraphQL reader: reads a whole organisation with the fewest requests.
//!
//! * `OrgctlOrgPage` (queries/org_page.graphql) pages the teams, each with its
//!   first 100 immediate members and repositories; the first page also brings
//!   the first 100 organisation members and the viewer.
//! * `OrgctlOrgMembers` continues the organisation members when there are
//!   more than 100.
//! * The two outer connections (teams, organisation members) are cursor
//!   paged, so each is a chain of dependent requests: the latency of a read
//!   is the latency of its longest chain. Both are read from their two ends
//!   at once (`first`/`after` forwards, `last`/`before` backwards), splitting
//!   the pages the first answer's `totalCount` says are left, which halves
//!   the chain without adding a request; items of the page where the two
//!   ends meet are deduplicated. Should the connection change during the
//!   read (fewer items than `totalCount`), the forward chain goes on until a
//!   page brings nothing new.
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

/// Organisation members per page (GitHub's maximum).
const MEMBERS_PAGE_SIZE: u32 = 100;

/// The GraphQL documents the reader sends, by operation name (for schema checks).
pub const QUERIES: &[(&str, &str)] = &[
    ("OrgctlOrgPage", ORG_PAGE),
    ("OrgctlOrgMembers", ORG_MEMBERS),
    ("OrgctlTeamMembers", TEAM_MEMBERS),
    ("OrgctlTeamRepos", TEAM_REPOS),
];

/// Tuning of a read. The defaults are measured in `benches/plan.rs` (see
/// docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Teams per GraphQL page (1..=100). 100 gives the fewest requests; such
    /// a page is at most 20,200 nodes (the limit is 500,000) and costs about
    /// 2 points.
    pub team_page_size: u32,
    /// Requests in flight at once (GitHub allows 100 and asks clients to be
    /// gentle). 8: the two ends of the teams and of the members connections
    /// keep four chains busy, the other four permits serve overflowing
    /// teams and invitation pages.
    pub concurrency: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            team_page_size: 100,
            concurrency: 8,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
    #[serde(default)]
    has_previous_page: bool,
    #[serde(default)]
    start_cursor: Option<String>,
}

impl PageInfo {
    fn next(&self) -> Option<String> {
        if self.has_next_page {
            self.end_cursor.clone()
        } else {
            None
        }
    }

    fn previous(&self) -> Option<String> {
        if self.has_previous_page {
            self.start_cursor.clone()
        } else {
            None
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EdgeConn<E> {
    #[serde(default)]
    total_count: Option<usize>,
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
    #[serde(default)]
    total_count: Option<usize>,
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

/// Which end of a connection a chain of pages reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    /// `first` / `after`.
    Forward,
    /// `last` / `before`.
    Backward,
}

/// The next page of a chain over a cursor-paged connection.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chain {
    dir: Dir,
    /// `after` (forwards) or `before` (backwards); `None` starts at that end.
    cursor: Option<String>,
    /// Pages this chain still reads, this one included; `None`: until the
    /// end, or until a page brings nothing new.
    pages: Option<usize>,
}

impl Chain {
    /// `(first, after, last, before)` of this page, `size` items.
    fn arguments(&self, size: u32) -> (Value, Value, Value, Value) {
        let cursor = json!(self.cursor);
        match self.dir {
            Dir::Forward => (json!(size), cursor, Value::Null, Value::Null),
            Dir::Backward => (Value::Null, Value::Null, json!(size), cursor),
        }
    }

    /// The chain's next page after a page with `info` that brought `new`
    /// unseen items, if the chain goes on.
    fn after_page(&self, info: &PageInfo, new: usize) -> Option<Chain> {
        let cursor = match self.dir {
            Dir::Forward => info.next(),
            Dir::Backward => info.previous(),
        }?;
        let pages = match self.pages {
            Some(n) if n > 1 => Some(n - 1),
            Some(_) => return None,
            None if new > 0 => None,
            None => return None,
        };
        Some(Chain {
            dir: self.dir,
            cursor: Some(cursor),
            pages,
        })
    }
}

/// The chains that read the rest of a connection after its first page, from
/// both ends: `remaining` items in pages of `size` make `ceil(remaining /
/// size)` pages, split between a forward chain continuing at `after` and a
/// backward chain starting at the end.
fn split(after: String, remaining: usize, size: usize) -> Vec<Chain> {
    let pages = remaining.div_ceil(size.max(1));
    let forward = pages.div_ceil(2).max(1);
    let mut chains = vec![Chain {
        dir: Dir::Forward,
        cursor: Some(after),
        pages: Some(forward),
    }];
    if pages > forward {
        chains.push(Chain {
            dir: Dir::Backward,
            cursor: None,
            pages: Some(pages - forward),
        });
    }
    chains
}

// ---- the imperative shell ---------------------------------------------------

/// One page of an outer connection (teams or organisation members).
struct Page<T> {
    items: Vec<T>,
    /// The chain that asked for it (`None`: the first page).
    chain: Option<Chain>,
    info: PageInfo,
    /// `totalCount` of the connection when the page was read.
    total: Option<usize>,
}

/// A piece of the organisation fetched by one task.
enum Piece {
    First {
        viewer: Option<String>,
        members: Page<OrgMember>,
        teams: Page<PagedTeam>,
    },
    Members(Page<OrgMember>),
    Teams(Page<PagedTeam>),
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

    /// The first page of teams (with the first page of members and the
    /// viewer) when `chain` is `None`, else the page `chain` points at.
    async fn teams_page(&self, chain: Option<Chain>) -> Result<Piece, GithubError> {
        let first_page = chain.is_none();
        let (first, after, last, before) = match &chain {
            Some(c) => c.arguments(self.team_page_size),
            None => (
                json!(self.team_page_size),
                Value::Null,
                Value::Null,
                Value::Null,
            ),
        };
        let variables = json!({
            "org": self.org,
            "teamsFirst": first,
            "teamsAfter": after,
            "teamsLast": last,
            "teamsBefore": before,
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
        let teams = Page {
            items: org
                .teams
                .nodes
                .into_iter()
                .map(|n| paged_team(&endpoint, n))
                .collect::<Result<Vec<_>, _>>()?,
            info: org.teams.page_info,
            total: org.teams.total_count,
            chain,
        };
        if !first_page {
            return Ok(Piece::Teams(teams));
        }
        let members = match org.members_with_role {
            Some(conn) => Page {
                items: conn.edges.into_iter().map(org_member).collect(),
                info: conn.page_info,
                total: conn.total_count,
                chain: None,
            },
            None => Page {
                items: Vec::new(),
                info: PageInfo::default(),
                total: None,
                chain: None,
            },
        };
        Ok(Piece::First {
            viewer: page.viewer.map(|v| v.login),
            members,
            teams,
        })
    }

    async fn members_page(&self, chain: Chain) -> Result<Piece, GithubError> {
        let (first, after, last, before) = chain.arguments(MEMBERS_PAGE_SIZE);
        let variables = json!({
            "org": self.org,
            "first": first,
            "after": after,
            "last": last,
            "before": before,
        });
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
        Ok(Piece::Members(Page {
            items: conn.edges.into_iter().map(org_member).collect(),
            info: conn.page_info,
            total: conn.total_count,
            chain: Some(chain),
        }))
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

/// Progress of reading one outer connection (teams or organisation members)
/// from both ends.
#[derive(Debug, Default)]
struct Outer {
    /// The latest `totalCount` seen.
    total: Option<usize>,
    /// Where the forward chain stopped when its share of pages was read.
    resume: Option<String>,
    /// Whether the catch-up chain has been started (at most once).
    caught_up: bool,
}

impl Outer {
    /// The chains to start after a page of `size` items that came from
    /// `chain` (`None`: the first page), held `on_page` items, `new` of them
    /// unseen.
    fn next_chains(
        &mut self,
        chain: Option<&Chain>,
        info: &PageInfo,
        total: Option<usize>,
        on_page: usize,
        new: usize,
        size: usize,
    ) -> Vec<Chain> {
        if total.is_some() {
            self.total = total;
        }
        match chain {
            None => match (info.next(), total) {
                (Some(after), Some(total)) => split(after, total.saturating_sub(on_page), size),
                (Some(after), None) => vec![Chain {
                    dir: Dir::Forward,
                    cursor: Some(after),
                    pages: None,
                }],
                (None, _) => Vec::new(),
            },
            Some(c) => match c.after_page(info, new) {
                Some(next) => vec![next],
                None => {
                    if c.dir == Dir::Forward && c.pages.is_some() {
                        self.resume = info.next();
                    }
                    Vec::new()
                }
            },
        }
    }

    /// After every chain ended with `seen` items while `totalCount` promised
    /// more (the connection changed during the read): one forward chain from
    /// where the forward half stopped, until a page brings nothing new.
    fn catch_up(&mut self, seen: usize) -> Option<Chain> {
        if self.caught_up || self.total.is_none_or(|t| seen >= t) {
            return None;
        }
        let cursor = self.resume.take()?;
        self.caught_up = true;
        Some(Chain {
            dir: Dir::Forward,
            cursor: Some(cursor),
            pages: None,
        })
    }
}

/// Accumulates pieces and schedules follow-up requests.
struct Assembly {
    ctx: Arc<Ctx>,
    tasks: JoinSet<Result<Piece, GithubError>>,
    state: GithubState,
    /// Organisation members by lowercased login.
    members: BTreeMap<String, OrgMember>,
    members_outer: Outer,
    teams: BTreeMap<String, Team>,
    teams_outer: Outer,
}

impl Assembly {
    fn spawn<F>(&mut self, make: impl FnOnce(Arc<Ctx>) -> F)
    where
        F: Future<Output = Result<Piece, GithubError>> + Send + 'static,
    {
        let future = make(self.ctx.clone());
        self.tasks.spawn(future);
    }

    fn spawn_members(&mut self, chain: Chain) {
        self.spawn(move |ctx| async move { ctx.members_page(chain).await });
    }

    fn spawn_teams(&mut self, chain: Chain) {
        self.spawn(move |ctx| async move { ctx.teams_page(Some(chain)).await });
    }

    /// Adds the teams not seen yet (the page where the two ends of the teams
    /// connection meet repeats some) and schedules their overflowing nested
    /// connections. Returns how many were new.
    fn add_teams(&mut self, teams: Vec<PagedTeam>) -> usize {
        let mut new = 0;
        for paged in teams {
            let slug = paged.team.slug.clone();
            if self.teams.contains_key(&slug) {
                continue;
            }
            new += 1;
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
        new
    }

    fn accept(&mut self, piece: Piece) -> Result<(), GithubError> {
        match piece {
            Piece::First {
                viewer,
                members,
                teams,
            } => {
                self.state.viewer = viewer;
                self.accept(Piece::Members(members))?;
                self.accept(Piece::Teams(teams))?;
            }
            Piece::Members(page) => {
                let on_page = page.items.len();
                let mut new = 0;
                for m in page.items {
                    if let std::collections::btree_map::Entry::Vacant(e) =
                        self.members.entry(m.login.to_lowercase())
                    {
                        e.insert(m);
                        new += 1;
                    }
                }
                let chains = self.members_outer.next_chains(
                    page.chain.as_ref(),
                    &page.info,
                    page.total,
                    on_page,
                    new,
                    MEMBERS_PAGE_SIZE as usize,
                );
                for chain in chains {
                    self.spawn_members(chain);
                }
            }
            Piece::Teams(page) => {
                let on_page = page.items.len();
                let new = self.add_teams(page.items);
                let chains = self.teams_outer.next_chains(
                    page.chain.as_ref(),
                    &page.info,
                    page.total,
                    on_page,
                    new,
                    self.ctx.team_page_size as usize,
                );
                for chain in chains {
                    self.spawn_teams(chain);
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

    /// Starts the catch-up chains of outer connections that came up short;
    /// false when there is nothing more to read.
    fn catch_up(&mut self) -> bool {
        let mut more = false;
        if let Some(chain) = self.members_outer.catch_up(self.members.len()) {
            self.spawn_members(chain);
            more = true;
        }
        if let Some(chain) = self.teams_outer.catch_up(self.teams.len()) {
            self.spawn_teams(chain);
            more = true;
        }
        more
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
    /// Reads `org` within the read deadline (`ORGCTL_GITHUB_READ_DEADLINE`).
    async fn read_org(&self, org: &str) -> Result<GithubState, GithubError> {
        check_org_name(org)?;
        self.transport
            .within_read_deadline(&format!("reading organisation `{org}`"), self.read_now(org))
            .await
    }
}

impl GraphqlReader {
    /// The whole read, without the deadline.
    async fn read_now(&self, org: &str) -> Result<GithubState, GithubError> {
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
            members: BTreeMap::new(),
            members_outer: Outer::default(),
            teams: BTreeMap::new(),
            teams_outer: Outer::default(),
        };
        assembly.spawn(|ctx| async move { ctx.teams_page(None).await });
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
        loop {
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
                        Some(previous) if specificity(&previous) >= specificity(&e) => {
                            Some(previous)
                        }
                        _ => Some(e),
                    };
                }
            }
            if failure.is_some() || !assembly.catch_up() {
                break;
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        let mut state = assembly.state;
        state.members = assembly.members.into_values().collect();
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

    fn info(next: Option<&str>, previous: Option<&str>) -> PageInfo {
        PageInfo {
            has_next_page: next.is_some(),
            end_cursor: next.map(str::to_string),
            has_previous_page: previous.is_some(),
            start_cursor: previous.map(str::to_string),
        }
    }

    fn chain(dir: Dir, cursor: Option<&str>, pages: Option<usize>) -> Chain {
        Chain {
            dir,
            cursor: cursor.map(str::to_string),
            pages,
        }
    }

    #[test]
    fn the_rest_of_a_connection_is_split_between_its_two_ends() {
        // 10,000 members, 100 on the first page: 99 more pages, 50 + 49.
        assert_eq!(
            split("c".into(), 9_900, 100),
            vec![
                chain(Dir::Forward, Some("c"), Some(50)),
                chain(Dir::Backward, None, Some(49)),
            ]
        );
        // 261 members: 161 left, one page from each end (they overlap).
        assert_eq!(
            split("c".into(), 161, 100),
            vec![
                chain(Dir::Forward, Some("c"), Some(1)),
                chain(Dir::Backward, None, Some(1)),
            ]
        );
        assert_eq!(
            split("c".into(), 50, 100),
            vec![chain(Dir::Forward, Some("c"), Some(1))]
        );
        // `hasNextPage` although `totalCount` says nothing is left: one page.
        assert_eq!(
            split("c".into(), 0, 100),
            vec![chain(Dir::Forward, Some("c"), Some(1))]
        );
    }

    #[test]
    fn chains_follow_their_own_cursor_for_their_share_of_pages() {
        let page = info(Some("end"), Some("start"));
        let forward = chain(Dir::Forward, Some("a"), Some(2));
        assert_eq!(
            forward.after_page(&page, 100),
            Some(chain(Dir::Forward, Some("end"), Some(1)))
        );
        let backward = chain(Dir::Backward, None, Some(3));
        assert_eq!(
            backward.after_page(&page, 100),
            Some(chain(Dir::Backward, Some("start"), Some(2)))
        );
        assert_eq!(
            chain(Dir::Forward, None, Some(1)).after_page(&page, 100),
            None
        );
        assert_eq!(forward.after_page(&info(None, Some("s")), 100), None);
        assert_eq!(backward.after_page(&info(Some("e"), None), 100), None);
        // A catch-up chain stops at the first page that brings nothing new.
        let open = chain(Dir::Forward, Some("a"), None);
        assert_eq!(
            open.after_page(&page, 1),
            Some(chain(Dir::Forward, Some("end"), None))
        );
        assert_eq!(open.after_page(&page, 0), None);
        assert_eq!(
            Value::Array(vec![backward.arguments(100).0, backward.arguments(100).2]),
            json!([null, 100])
        );
    }

    #[test]
    fn a_connection_that_changed_during_the_read_is_caught_up_once() {
        let mut outer = Outer::default();
        let chains = outer.next_chains(None, &info(Some("p1"), None), Some(250), 100, 100, 100);
        assert_eq!(chains.len(), 2);
        // The forward half ends with its share read; the end is still ahead.
        let forward = &chains[0];
        assert!(
            outer
                .next_chains(
                    Some(forward),
                    &info(Some("p2"), Some("x")),
                    Some(251),
                    100,
                    100,
                    100
                )
                .is_empty()
        );
        let backward = &chains[1];
        assert!(
            outer
                .next_chains(
                    Some(backward),
                    &info(None, Some("y")),
                    Some(251),
                    50,
                    50,
                    100
                )
                .is_empty()
        );
        // Read everything `totalCount` promised: nothing to catch up.
        assert_eq!(
            Outer {
                total: Some(250),
                ..Outer::default()
            }
            .catch_up(250),
            None
        );
        // 250 seen of 251: one catch-up chain from where the forward half stopped.
        assert_eq!(
            outer.catch_up(250),
            Some(chain(Dir::Forward, Some("p2"), None))
        );
        assert_eq!(outer.catch_up(250), None, "only once");
    }

    #[test]
    fn org_names_are_checked() {
        assert!(check_org_name("rust-lang").is_ok());
        assert!(check_org_name("a/b").is_err());
        assert!(check_org_name("").is_err());
    }
}
