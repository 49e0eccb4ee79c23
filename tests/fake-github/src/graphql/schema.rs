//! The subset of GitHub's GraphQL schema the fake serves: type names, fields,
//! the arguments each field accepts and whether it is a scalar, an object, a
//! list or a paginated connection. Names follow GitHub's public schema.

/// Shape of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Scalar or enum.
    Scalar,
    /// A single object.
    Object,
    /// A list of objects.
    List,
    /// A connection that needs `first` or `last`.
    Connection,
}

/// One field of an object type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// Field name.
    pub name: &'static str,
    /// Type of the value (object type name, or scalar name).
    pub ty: &'static str,
    /// Shape.
    pub kind: Kind,
    /// Accepted argument names.
    pub args: &'static [&'static str],
}

const fn f(
    name: &'static str,
    ty: &'static str,
    kind: Kind,
    args: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        ty,
        kind,
        args,
    }
}

const PAGE: &[&str] = &["first", "after", "last", "before"];
const TEAMS_ARGS: &[&str] = &[
    "first",
    "after",
    "last",
    "before",
    "orderBy",
    "privacy",
    "query",
    "role",
    "rootTeamsOnly",
    "userLogins",
    "ldapMapped",
    "notificationSetting",
];
const CHILD_TEAMS_ARGS: &[&str] = &[
    "first",
    "after",
    "last",
    "before",
    "immediateOnly",
    "orderBy",
    "userLogins",
];
const MEMBERS_ARGS: &[&str] = &[
    "first",
    "after",
    "last",
    "before",
    "membership",
    "role",
    "query",
    "orderBy",
];
const REPOS_ARGS: &[&str] = &["first", "after", "last", "before", "query", "orderBy"];

use Kind::{Connection, List, Object, Scalar};

const QUERY: &[FieldDef] = &[
    f("rateLimit", "RateLimit", Object, &["dryRun"]),
    f("viewer", "User", Object, &[]),
    f("organization", "Organization", Object, &["login"]),
];
const RATE_LIMIT: &[FieldDef] = &[
    f("cost", "Int", Scalar, &[]),
    f("limit", "Int", Scalar, &[]),
    f("nodeCount", "Int", Scalar, &[]),
    f("remaining", "Int", Scalar, &[]),
    f("resetAt", "DateTime", Scalar, &[]),
    f("used", "Int", Scalar, &[]),
];
const ORGANIZATION: &[FieldDef] = &[
    f("id", "ID", Scalar, &[]),
    f("databaseId", "Int", Scalar, &[]),
    f("login", "String", Scalar, &[]),
    f("name", "String", Scalar, &[]),
    f(
        "membersWithRole",
        "OrganizationMemberConnection",
        Connection,
        PAGE,
    ),
    f("pendingMembers", "UserConnection", Connection, PAGE),
    f("teams", "TeamConnection", Connection, TEAMS_ARGS),
    f("team", "Team", Object, &["slug"]),
];
const PAGE_INFO: &[FieldDef] = &[
    f("hasNextPage", "Boolean", Scalar, &[]),
    f("hasPreviousPage", "Boolean", Scalar, &[]),
    f("startCursor", "String", Scalar, &[]),
    f("endCursor", "String", Scalar, &[]),
];
const ORG_MEMBER_CONNECTION: &[FieldDef] = &[
    f("totalCount", "Int", Scalar, &[]),
    f("pageInfo", "PageInfo", Object, &[]),
    f("edges", "OrganizationMemberEdge", List, &[]),
    f("nodes", "User", List, &[]),
];
const ORG_MEMBER_EDGE: &[FieldDef] = &[
    f("cursor", "String", Scalar, &[]),
    f("role", "OrganizationMemberRole", Scalar, &[]),
    f("node", "User", Object, &[]),
];
const USER_CONNECTION: &[FieldDef] = &[
    f("totalCount", "Int", Scalar, &[]),
    f("pageInfo", "PageInfo", Object, &[]),
    f("edges", "UserEdge", List, &[]),
    f("nodes", "User", List, &[]),
];
const USER_EDGE: &[FieldDef] = &[
    f("cursor", "String", Scalar, &[]),
    f("node", "User", Object, &[]),
];
const TEAM_CONNECTION: &[FieldDef] = &[
    f("totalCount", "Int", Scalar, &[]),
    f("pageInfo", "PageInfo", Object, &[]),
    f("edges", "TeamEdge", List, &[]),
    f("nodes", "Team", List, &[]),
];
const TEAM_EDGE: &[FieldDef] = &[
    f("cursor", "String", Scalar, &[]),
    f("node", "Team", Object, &[]),
];
const TEAM: &[FieldDef] = &[
    f("id", "ID", Scalar, &[]),
    f("databaseId", "Int", Scalar, &[]),
    f("slug", "String", Scalar, &[]),
    f("combinedSlug", "String", Scalar, &[]),
    f("name", "String", Scalar, &[]),
    f("description", "String", Scalar, &[]),
    f("privacy", "TeamPrivacy", Scalar, &[]),
    // `notificationSetting: TeamNotificationSetting!`, an enum of
    // NOTIFICATIONS_ENABLED | NOTIFICATIONS_DISABLED (GitHub's schema, `type Team`
    // and `enum TeamNotificationSetting`, tests/fixtures/github-graphql/schema.graphql).
    f(
        "notificationSetting",
        "TeamNotificationSetting",
        Scalar,
        &[],
    ),
    f("parentTeam", "Team", Object, &[]),
    f("organization", "Organization", Object, &[]),
    f("childTeams", "TeamConnection", Connection, CHILD_TEAMS_ARGS),
    f("members", "TeamMemberConnection", Connection, MEMBERS_ARGS),
    f(
        "repositories",
        "TeamRepositoryConnection",
        Connection,
        REPOS_ARGS,
    ),
];
const TEAM_MEMBER_CONNECTION: &[FieldDef] = &[
    f("totalCount", "Int", Scalar, &[]),
    f("pageInfo", "PageInfo", Object, &[]),
    f("edges", "TeamMemberEdge", List, &[]),
    f("nodes", "User", List, &[]),
];
const TEAM_MEMBER_EDGE: &[FieldDef] = &[
    f("cursor", "String", Scalar, &[]),
    f("role", "TeamMemberRole", Scalar, &[]),
    f("node", "User", Object, &[]),
];
const TEAM_REPO_CONNECTION: &[FieldDef] = &[
    f("totalCount", "Int", Scalar, &[]),
    f("pageInfo", "PageInfo", Object, &[]),
    f("edges", "TeamRepositoryEdge", List, &[]),
    f("nodes", "Repository", List, &[]),
];
const TEAM_REPO_EDGE: &[FieldDef] = &[
    f("cursor", "String", Scalar, &[]),
    f("permission", "RepositoryPermission", Scalar, &[]),
    f("node", "Repository", Object, &[]),
];
const REPOSITORY: &[FieldDef] = &[
    f("id", "ID", Scalar, &[]),
    f("databaseId", "Int", Scalar, &[]),
    f("name", "String", Scalar, &[]),
    f("nameWithOwner", "String", Scalar, &[]),
    f("isPrivate", "Boolean", Scalar, &[]),
];
const USER: &[FieldDef] = &[
    f("id", "ID", Scalar, &[]),
    f("databaseId", "Int", Scalar, &[]),
    f("login", "String", Scalar, &[]),
    f("name", "String", Scalar, &[]),
];

/// Fields of object type `ty`, `None` for an unknown type.
pub fn fields(ty: &str) -> Option<&'static [FieldDef]> {
    Some(match ty {
        "Query" => QUERY,
        "RateLimit" => RATE_LIMIT,
        "Organization" => ORGANIZATION,
        "PageInfo" => PAGE_INFO,
        "OrganizationMemberConnection" => ORG_MEMBER_CONNECTION,
        "OrganizationMemberEdge" => ORG_MEMBER_EDGE,
        "UserConnection" => USER_CONNECTION,
        "UserEdge" => USER_EDGE,
        "TeamConnection" => TEAM_CONNECTION,
        "TeamEdge" => TEAM_EDGE,
        "Team" => TEAM,
        "TeamMemberConnection" => TEAM_MEMBER_CONNECTION,
        "TeamMemberEdge" => TEAM_MEMBER_EDGE,
        "TeamRepositoryConnection" => TEAM_REPO_CONNECTION,
        "TeamRepositoryEdge" => TEAM_REPO_EDGE,
        "Repository" => REPOSITORY,
        "User" => USER,
        _ => return None,
    })
}

/// Definition of field `name` on object type `ty`.
pub fn field(ty: &str, name: &str) -> Option<&'static FieldDef> {
    fields(ty)?.iter().find(|d| d.name == name)
}
