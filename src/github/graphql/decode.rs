//! Decoding: the shapes of GitHub's GraphQL responses, GraphQL errors turned into the error that
//! names the fix, and the conversion of members, repositories and teams into [`GithubState`]
//! parts. Pure.
//!
//! [`GithubState`]: super::super::state::GithubState

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::super::error::{GithubError, GraphqlErrorInfo};
use super::super::state::{
    Notifications, OrgMember, OrgRole, Permission, Privacy, Team, TeamMember, TeamRepo, TeamRole,
};
use super::super::transport::GraphqlReply;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PageInfo {
    pub(super) has_next_page: bool,
    pub(super) end_cursor: Option<String>,
    #[serde(default)]
    pub(super) has_previous_page: bool,
    #[serde(default)]
    pub(super) start_cursor: Option<String>,
}

impl PageInfo {
    pub(super) fn next(&self) -> Option<String> {
        if self.has_next_page {
            self.end_cursor.clone()
        } else {
            None
        }
    }

    pub(super) fn previous(&self) -> Option<String> {
        if self.has_previous_page {
            self.start_cursor.clone()
        } else {
            None
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EdgeConn<E> {
    #[serde(default)]
    pub(super) total_count: Option<usize>,
    pub(super) page_info: PageInfo,
    pub(super) edges: Vec<E>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserNode {
    pub(super) login: String,
    pub(super) database_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RoleEdge {
    pub(super) role: String,
    pub(super) node: UserNode,
}

#[derive(Debug, Deserialize)]
pub(super) struct RepoNode {
    pub(super) name: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RepoEdge {
    pub(super) permission: String,
    pub(super) node: RepoNode,
}

#[derive(Debug, Deserialize)]
pub(super) struct SlugRef {
    pub(super) slug: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TeamNode {
    pub(super) database_id: u64,
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) privacy: String,
    /// `NOTIFICATIONS_ENABLED` or `NOTIFICATIONS_DISABLED` (GraphQL `TeamNotificationSetting`).
    #[serde(default)]
    pub(super) notification_setting: Option<String>,
    pub(super) parent_team: Option<SlugRef>,
    pub(super) members: EdgeConn<RoleEdge>,
    pub(super) repositories: EdgeConn<RepoEdge>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TeamsConn {
    #[serde(default)]
    pub(super) total_count: Option<usize>,
    pub(super) page_info: PageInfo,
    pub(super) nodes: Vec<TeamNode>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrgPageOrg {
    pub(super) members_with_role: Option<EdgeConn<RoleEdge>>,
    pub(super) teams: TeamsConn,
}

#[derive(Debug, Deserialize)]
pub(super) struct OrgPage {
    pub(super) viewer: Option<UserNode>,
    pub(super) organization: Option<OrgPageOrg>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MembersOrg {
    pub(super) members_with_role: EdgeConn<RoleEdge>,
}

#[derive(Debug, Deserialize)]
pub(super) struct MembersPage {
    pub(super) organization: Option<MembersOrg>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TeamMembersTeam {
    pub(super) members: EdgeConn<RoleEdge>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TeamReposTeam {
    pub(super) repositories: EdgeConn<RepoEdge>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TeamOrg<T> {
    pub(super) team: Option<T>,
}

#[derive(Debug, Deserialize)]
pub(super) struct TeamPage<T> {
    pub(super) organization: Option<TeamOrg<T>>,
}

/// Turns GraphQL errors into the error that names the fix.
pub(super) fn check_errors(
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

pub(super) fn decode<T: DeserializeOwned>(
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

pub(super) fn org_member(edge: RoleEdge) -> OrgMember {
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

pub(super) fn team_member(edge: RoleEdge) -> TeamMember {
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

pub(super) fn team_repo(endpoint: &str, edge: RepoEdge) -> Result<TeamRepo, GithubError> {
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
pub(super) struct PagedTeam {
    pub(super) team: Team,
    pub(super) members_next: Option<String>,
    pub(super) repos_next: Option<String>,
}

pub(super) fn paged_team(endpoint: &str, node: TeamNode) -> Result<PagedTeam, GithubError> {
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
            notifications: match node.notification_setting.as_deref() {
                Some("NOTIFICATIONS_ENABLED") => Some(Notifications::Enabled),
                Some("NOTIFICATIONS_DISABLED") => Some(Notifications::Disabled),
                // A value GitHub may add later is not one orgctl can compare: unknown.
                _ => None,
            },
            members: node.members.edges.into_iter().map(team_member).collect(),
            repos,
        },
        members_next,
        repos_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `notificationSetting` GitHub may add later (or a server's nonsense) is read as
    /// unknown, never as one of the two orgctl writes; absent is unknown too.
    #[test]
    fn an_unknown_notification_setting_is_unknown() {
        let team = |setting: serde_json::Value| {
            let node: TeamNode = serde_json::from_value(serde_json::json!({
                "databaseId": 1, "slug": "web", "name": "Web", "description": null,
                "privacy": "VISIBLE", "notificationSetting": setting, "parentTeam": null,
                "members": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": []},
                "repositories": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": []}
            }))
            .expect("node");
            paged_team("/graphql", node)
                .expect("team")
                .team
                .notifications
        };
        assert_eq!(
            team("NOTIFICATIONS_DISABLED".into()),
            Some(Notifications::Disabled)
        );
        assert_eq!(
            team("NOTIFICATIONS_ENABLED".into()),
            Some(Notifications::Enabled)
        );
        assert_eq!(team("NOTIFICATIONS_SOMETIMES\u{1b}[2J".into()), None);
        assert_eq!(team(serde_json::Value::Null), None);
    }

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
}
