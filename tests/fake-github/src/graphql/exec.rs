//! Execution of a checked GraphQL operation against the fake's state: resolves
//! each field of the schema subset, builds connections with opaque cursors and
//! `pageInfo`, and reports `NOT_FOUND` for an unknown organisation.

use serde_json::{Map, Value, json};

use super::{Ctx, GField, GSet, RateInfo, arguments, collect, cursor, error};
use crate::model::{
    OrgRole, Privacy, Repo, Team, TeamRole, User, key, notification_setting_graphql,
};
use crate::ratelimit::iso8601;

/// An object being resolved.
#[derive(Debug, Clone)]
enum Node<'s> {
    Query,
    RateLimit,
    Org,
    Team(&'s Team),
    User(&'s User),
    Repo(&'s Repo),
    PageInfo {
        has_next: bool,
        has_prev: bool,
        start: Option<String>,
        end: Option<String>,
    },
    Conn {
        ty: &'static str,
        total: usize,
        edges: Vec<Node<'s>>,
        page_info: Box<Node<'s>>,
    },
    Edge {
        ty: &'static str,
        cursor: String,
        node: Box<Node<'s>>,
        extra: Option<&'static str>,
    },
}

impl Node<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Node::Query => "Query",
            Node::RateLimit => "RateLimit",
            Node::Org => "Organization",
            Node::Team(_) => "Team",
            Node::User(_) => "User",
            Node::Repo(_) => "Repository",
            Node::PageInfo { .. } => "PageInfo",
            Node::Conn { ty, .. } | Node::Edge { ty, .. } => ty,
        }
    }
}

/// What a field resolved to.
enum Resolved<'s> {
    Scalar(Value),
    One(Option<Node<'s>>),
    Many(Vec<Node<'s>>),
}

struct Exec<'c, 'd> {
    ctx: &'c Ctx<'d>,
    rate: RateInfo,
    errors: Vec<Value>,
}

/// Runs the operation; returns `data` and field errors.
pub(crate) fn execute(ctx: &Ctx<'_>, set: &GSet, rate: RateInfo) -> (Value, Vec<Value>) {
    let mut exec = Exec {
        ctx,
        rate,
        errors: Vec::new(),
    };
    let data = exec.object(&Node::Query, &[set], &mut Vec::new());
    (data, exec.errors)
}

impl<'c, 'd> Exec<'c, 'd>
where
    'd: 'c,
{
    fn object(&mut self, node: &Node<'d>, sets: &[&'d GSet], path: &mut Vec<Value>) -> Value {
        let mut ignored = Vec::new();
        let fields = collect(sets, node.type_name(), self.ctx, &mut ignored);
        let mut map = Map::new();
        for (key, group) in fields {
            path.push(json!(key));
            let value = self.field(node, &group, path);
            path.pop();
            map.insert(key, value);
        }
        Value::Object(map)
    }

    fn field(&mut self, node: &Node<'d>, group: &[&'d GField], path: &mut Vec<Value>) -> Value {
        let field = group[0];
        if field.name == "__typename" {
            return json!(node.type_name());
        }
        let args = arguments(field, self.ctx).unwrap_or_default();
        let subsets: Vec<&'d GSet> = group.iter().map(|f| &f.selection_set).collect();
        match self.resolve(node, field, &args, path) {
            Resolved::Scalar(v) => v,
            Resolved::One(None) => Value::Null,
            Resolved::One(Some(n)) => self.object(&n, &subsets, path),
            Resolved::Many(nodes) => Value::Array(
                nodes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        path.push(json!(i));
                        let v = self.object(n, &subsets, path);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
        }
    }

    fn resolve(
        &mut self,
        node: &Node<'d>,
        field: &GField,
        args: &Map<String, Value>,
        path: &[Value],
    ) -> Resolved<'d> {
        let state = self.ctx.env.state;
        let name = field.name.as_str();
        let s = |v: Value| Resolved::Scalar(v);
        match node {
            Node::Query => {
                match name {
                    "rateLimit" => Resolved::One(Some(Node::RateLimit)),
                    "viewer" => Resolved::One(state.user(self.ctx.env.viewer).map(Node::User)),
                    "organization" => {
                        let login = args.get("login").and_then(Value::as_str).unwrap_or("");
                        if login.eq_ignore_ascii_case(&state.org) {
                            Resolved::One(Some(Node::Org))
                        } else {
                            self.errors.push(error(
                            Some("NOT_FOUND"),
                            format!("Could not resolve to an Organization with the login of '{login}'."),
                            path,
                            Some(field.position),
                        ));
                            Resolved::One(None)
                        }
                    }
                    _ => s(Value::Null),
                }
            }
            Node::RateLimit => s(match name {
                "cost" => json!(self.rate.cost),
                "limit" => json!(self.rate.limit),
                "nodeCount" => json!(self.rate.node_count),
                "remaining" => json!(self.rate.remaining),
                "resetAt" => json!(iso8601(self.rate.reset)),
                "used" => json!(self.rate.used),
                _ => Value::Null,
            }),
            Node::Org => match name {
                "id" => s(json!(format!("O_kgDOAA{:06}", state.org_id))),
                "databaseId" => s(json!(state.org_id)),
                "login" | "name" => s(json!(state.org)),
                "membersWithRole" => {
                    let items = state
                        .members
                        .iter()
                        .filter_map(|(k, role)| {
                            let label = match role {
                                OrgRole::Admin => "ADMIN",
                                OrgRole::Member => "MEMBER",
                            };
                            state.users.get(k).map(|u| (Node::User(u), Some(label)))
                        })
                        .collect();
                    Resolved::One(Some(connection(
                        "OrganizationMemberConnection",
                        "OrganizationMemberEdge",
                        items,
                        args,
                    )))
                }
                "pendingMembers" => {
                    let items = state
                        .invitations
                        .iter()
                        .filter_map(|i| i.login.as_ref().and_then(|l| state.users.get(l)))
                        .map(|u| (Node::User(u), None))
                        .collect();
                    Resolved::One(Some(connection("UserConnection", "UserEdge", items, args)))
                }
                "teams" => {
                    let mut teams: Vec<&Team> = state.teams.values().collect();
                    if args.get("rootTeamsOnly").and_then(Value::as_bool) == Some(true) {
                        teams.retain(|t| t.parent.is_none());
                    }
                    if let Some(p) = args.get("privacy").and_then(Value::as_str) {
                        let want = if p == "SECRET" {
                            Privacy::Secret
                        } else {
                            Privacy::Closed
                        };
                        teams.retain(|t| t.privacy == want);
                    }
                    // "If non-null, filters teams according to notification setting"
                    // (GitHub's schema, `Organization.teams(notificationSetting:)`).
                    if let Some(n) = args.get("notificationSetting").and_then(Value::as_str) {
                        teams.retain(|t| {
                            notification_setting_graphql(&t.notification_setting) == Some(n)
                        });
                    }
                    if let Some(q) = args.get("query").and_then(Value::as_str) {
                        let q = q.to_lowercase();
                        teams.retain(|t| t.name.to_lowercase().contains(&q) || t.slug.contains(&q));
                    }
                    if let Some(logins) = args.get("userLogins").and_then(Value::as_array) {
                        let logins: Vec<String> =
                            logins.iter().filter_map(Value::as_str).map(key).collect();
                        teams.retain(|t| logins.iter().any(|l| t.members.contains_key(l)));
                    }
                    sort_teams(&mut teams, args.get("orderBy"));
                    let items = teams.into_iter().map(|t| (Node::Team(t), None)).collect();
                    Resolved::One(Some(connection("TeamConnection", "TeamEdge", items, args)))
                }
                "team" => {
                    let slug = args.get("slug").and_then(Value::as_str).unwrap_or("");
                    Resolved::One(state.team_by_slug(slug).map(Node::Team))
                }
                _ => s(Value::Null),
            },
            Node::Team(team) => match name {
                "id" => s(json!(team.node_id)),
                "databaseId" => s(json!(team.id)),
                "slug" => s(json!(team.slug)),
                "combinedSlug" => s(json!(format!("{}/{}", state.org, team.slug))),
                "name" => s(json!(team.name)),
                "description" => s(json!(team.description)),
                "privacy" => s(json!(match team.privacy {
                    Privacy::Secret => "SECRET",
                    Privacy::Closed => "VISIBLE",
                })),
                // `TeamNotificationSetting!` from the REST `notification_setting`
                // (`notifications_enabled` -> NOTIFICATIONS_ENABLED,
                // `notifications_disabled` -> NOTIFICATIONS_DISABLED); GitHub's
                // schema, `type Team` / `enum TeamNotificationSetting`. REST create
                // and update accept only those two values.
                "notificationSetting" => s(json!(notification_setting_graphql(
                    &team.notification_setting
                ))),
                "parentTeam" => Resolved::One(
                    team.parent
                        .and_then(|p| state.teams.get(&p))
                        .map(Node::Team),
                ),
                "organization" => Resolved::One(Some(Node::Org)),
                "childTeams" => {
                    let immediate = args
                        .get("immediateOnly")
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    let mut teams: Vec<&Team> = if immediate {
                        state.children(team.id)
                    } else {
                        state
                            .descendants(team.id)
                            .iter()
                            .filter_map(|id| state.teams.get(id))
                            .collect()
                    };
                    sort_teams(&mut teams, args.get("orderBy"));
                    let items = teams.into_iter().map(|t| (Node::Team(t), None)).collect();
                    Resolved::One(Some(connection("TeamConnection", "TeamEdge", items, args)))
                }
                "members" => {
                    let membership = args
                        .get("membership")
                        .and_then(Value::as_str)
                        .unwrap_or("ALL");
                    let mut members: Vec<(String, TeamRole)> = match membership {
                        "IMMEDIATE" => team.members.iter().map(|(l, r)| (l.clone(), *r)).collect(),
                        "CHILD_TEAM" => {
                            let mut out = std::collections::BTreeMap::new();
                            for child in state.descendants(team.id) {
                                if let Some(t) = state.teams.get(&child) {
                                    for (l, r) in &t.members {
                                        out.entry(l.clone()).or_insert(*r);
                                    }
                                }
                            }
                            out.into_iter().collect()
                        }
                        _ => state
                            .team_members_with_children(team.id)
                            .into_iter()
                            .map(|(l, r, _)| (l, r))
                            .collect(),
                    };
                    if let Some(role) = args.get("role").and_then(Value::as_str) {
                        let want = if role == "MAINTAINER" {
                            TeamRole::Maintainer
                        } else {
                            TeamRole::Member
                        };
                        members.retain(|(_, r)| *r == want);
                    }
                    if let Some(q) = args.get("query").and_then(Value::as_str) {
                        let q = q.to_lowercase();
                        members.retain(|(l, _)| l.contains(&q));
                    }
                    let items = members
                        .into_iter()
                        .filter_map(|(l, r)| {
                            let label = match r {
                                TeamRole::Maintainer => "MAINTAINER",
                                TeamRole::Member => "MEMBER",
                            };
                            state.users.get(&l).map(|u| (Node::User(u), Some(label)))
                        })
                        .collect();
                    Resolved::One(Some(connection(
                        "TeamMemberConnection",
                        "TeamMemberEdge",
                        items,
                        args,
                    )))
                }
                "repositories" => {
                    let mut repos: Vec<(&Repo, &'static str)> = team
                        .repos
                        .iter()
                        .filter_map(|(k, p)| state.repos.get(k).map(|r| (r, p.graphql())))
                        .collect();
                    if let Some(q) = args.get("query").and_then(Value::as_str) {
                        let q = q.to_lowercase();
                        repos.retain(|(r, _)| r.name.to_lowercase().contains(&q));
                    }
                    let items = repos
                        .into_iter()
                        .map(|(r, p)| (Node::Repo(r), Some(p)))
                        .collect();
                    Resolved::One(Some(connection(
                        "TeamRepositoryConnection",
                        "TeamRepositoryEdge",
                        items,
                        args,
                    )))
                }
                _ => s(Value::Null),
            },
            Node::User(user) => s(match name {
                "id" => json!(format!("U_kgDOAA{:06}", user.id)),
                "databaseId" => json!(user.id),
                "login" => json!(user.login),
                _ => Value::Null,
            }),
            Node::Repo(repo) => s(match name {
                "id" => json!(format!("R_kgDOAA{:06}", repo.id)),
                "databaseId" => json!(repo.id),
                "name" => json!(repo.name),
                "nameWithOwner" => json!(format!("{}/{}", state.org, repo.name)),
                "isPrivate" => json!(repo.private),
                _ => Value::Null,
            }),
            Node::PageInfo {
                has_next,
                has_prev,
                start,
                end,
            } => s(match name {
                "hasNextPage" => json!(has_next),
                "hasPreviousPage" => json!(has_prev),
                "startCursor" => json!(start),
                "endCursor" => json!(end),
                _ => Value::Null,
            }),
            Node::Conn {
                total,
                edges,
                page_info,
                ..
            } => match name {
                "totalCount" => s(json!(total)),
                "pageInfo" => Resolved::One(Some((**page_info).clone())),
                "edges" => Resolved::Many(edges.clone()),
                "nodes" => Resolved::Many(
                    edges
                        .iter()
                        .filter_map(|e| match e {
                            Node::Edge { node, .. } => Some((**node).clone()),
                            _ => None,
                        })
                        .collect(),
                ),
                _ => s(Value::Null),
            },
            Node::Edge {
                cursor,
                node,
                extra,
                ..
            } => match name {
                "cursor" => s(json!(cursor)),
                "node" => Resolved::One(Some((**node).clone())),
                "role" | "permission" => s(json!(extra)),
                _ => s(Value::Null),
            },
        }
    }
}

/// Orders teams by name (GitHub's `TeamOrder` only has `NAME`).
fn sort_teams(teams: &mut [&Team], order: Option<&Value>) {
    teams.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    if order
        .and_then(|o| o.get("direction"))
        .and_then(Value::as_str)
        == Some("DESC")
    {
        teams.reverse();
    }
}

/// Builds one page of a connection over `items` from the `first`, `last`,
/// `after` and `before` arguments.
fn connection<'s>(
    ty: &'static str,
    edge_ty: &'static str,
    items: Vec<(Node<'s>, Option<&'static str>)>,
    args: &Map<String, Value>,
) -> Node<'s> {
    let n = items.len();
    let arg = |k: &str| args.get(k).filter(|v| !v.is_null());
    let start = arg("after")
        .and_then(Value::as_str)
        .and_then(cursor::decode)
        .map(|i| i + 1)
        .unwrap_or(0)
        .min(n);
    let end = arg("before")
        .and_then(Value::as_str)
        .and_then(cursor::decode)
        .unwrap_or(n)
        .clamp(start, n);
    let as_usize = |v: &Value| v.as_u64().and_then(|x| usize::try_from(x).ok());
    let (from, to) = match (
        arg("first").and_then(as_usize),
        arg("last").and_then(as_usize),
    ) {
        (Some(first), _) => (start, (start + first).min(end)),
        (None, Some(last)) => (end.saturating_sub(last).max(start), end),
        (None, None) => (start, end),
    };
    let edges: Vec<Node<'s>> = items
        .into_iter()
        .enumerate()
        .skip(from)
        .take(to - from)
        .map(|(i, (node, extra))| Node::Edge {
            ty: edge_ty,
            cursor: cursor::encode(i),
            node: Box::new(node),
            extra,
        })
        .collect();
    let page_info = Node::PageInfo {
        has_next: to < n,
        has_prev: from > 0,
        start: (to > from).then(|| cursor::encode(from)),
        end: (to > from).then(|| cursor::encode(to - 1)),
    };
    Node::Conn {
        ty,
        total: n,
        edges,
        page_info: Box::new(page_info),
    }
}
