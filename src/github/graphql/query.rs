//! Query building: the GraphQL documents the reader sends (`queries/*.graphql`) and the request
//! of each page (its variables, decoded into a [`Piece`] of the organisation).

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::super::error::GithubError;
use super::super::listing::closed;
use super::super::state::{Invitation, OrgMember, TeamMember, TeamRepo};
use super::super::transport::{GraphqlReply, Transport};
use super::decode::{
    MembersPage, OrgPage, PageInfo, PagedTeam, TeamMembersTeam, TeamPage, TeamReposTeam, decode,
    org_member, paged_team, team_member, team_repo,
};
use super::paging::Chain;

pub(super) const ORG_PAGE: &str = include_str!("../queries/org_page.graphql");
pub(super) const ORG_MEMBERS: &str = include_str!("../queries/org_members.graphql");
pub(super) const TEAM_MEMBERS: &str = include_str!("../queries/team_members.graphql");
pub(super) const TEAM_REPOS: &str = include_str!("../queries/team_repos.graphql");

/// Organisation members per page (GitHub's maximum).
pub(super) const MEMBERS_PAGE_SIZE: u32 = 100;

/// The GraphQL documents the reader sends, by operation name (for schema checks).
pub const QUERIES: &[(&str, &str)] = &[
    ("OrgctlOrgPage", ORG_PAGE),
    ("OrgctlOrgMembers", ORG_MEMBERS),
    ("OrgctlTeamMembers", TEAM_MEMBERS),
    ("OrgctlTeamRepos", TEAM_REPOS),
];

/// One page of an outer connection (teams or organisation members).
pub(super) struct Page<T> {
    pub(super) items: Vec<T>,
    /// The chain that asked for it (`None`: the first page).
    pub(super) chain: Option<Chain>,
    pub(super) info: PageInfo,
    /// `totalCount` of the connection when the page was read.
    pub(super) total: Option<usize>,
}

/// A piece of the organisation fetched by one task.
pub(super) enum Piece {
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
pub(super) struct Ctx {
    pub(super) transport: Arc<Transport>,
    pub(super) semaphore: Arc<Semaphore>,
    pub(super) org: String,
    pub(super) team_page_size: u32,
}

impl Ctx {
    pub(super) async fn graphql(
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
    pub(super) async fn teams_page(&self, chain: Option<Chain>) -> Result<Piece, GithubError> {
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

    pub(super) async fn members_page(&self, chain: Chain) -> Result<Piece, GithubError> {
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

    pub(super) async fn team_page<T: DeserializeOwned>(
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

    pub(super) async fn team_members_page(
        &self,
        slug: String,
        after: String,
    ) -> Result<Piece, GithubError> {
        let (_, team): (_, TeamMembersTeam) = self
            .team_page("OrgctlTeamMembers", TEAM_MEMBERS, &slug, after)
            .await?;
        Ok(Piece::TeamMembers {
            next: team.members.page_info.next(),
            members: team.members.edges.into_iter().map(team_member).collect(),
            slug,
        })
    }

    pub(super) async fn team_repos_page(
        &self,
        slug: String,
        after: String,
    ) -> Result<Piece, GithubError> {
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
