//! JSON bodies of REST responses (`simple-user`, `team`, `team-full`,
//! `minimal-repository`, `organization-invitation`, memberships), with the
//! fields GitHub's OpenAPI description marks as required so typed clients such
//! as octocrab can deserialize them.

use serde_json::{Value, json};

use crate::model::{
    FakeState, Invitation, MembershipState, OrgRole, Permission, Repo, Team, TeamRole, User,
};

/// Fixed timestamp used for every `created_at` / `updated_at`.
pub const TIMESTAMP: &str = "2024-01-01T00:00:00Z";

/// `simple-user`.
pub fn simple_user(base: &str, user: &User) -> Value {
    let l = &user.login;
    json!({
        "login": l,
        "id": user.id,
        "node_id": format!("U_kgDOAA{:06}", user.id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", user.id),
        "gravatar_id": "",
        "url": format!("{base}/users/{l}"),
        "html_url": format!("https://github.com/{l}"),
        "followers_url": format!("{base}/users/{l}/followers"),
        "following_url": format!("{base}/users/{l}/following{{/other_user}}"),
        "gists_url": format!("{base}/users/{l}/gists{{/gist_id}}"),
        "starred_url": format!("{base}/users/{l}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{base}/users/{l}/subscriptions"),
        "organizations_url": format!("{base}/users/{l}/orgs"),
        "repos_url": format!("{base}/users/{l}/repos"),
        "events_url": format!("{base}/users/{l}/events{{/privacy}}"),
        "received_events_url": format!("{base}/users/{l}/received_events"),
        "type": "User",
        "site_admin": false,
        "user_view_type": "public",
    })
}

/// `public-user` (`GET /users/{username}`, `GET /user`).
pub fn public_user(base: &str, user: &User) -> Value {
    let mut v = simple_user(base, user);
    if let Some(obj) = v.as_object_mut() {
        for (k, val) in [
            ("name", Value::Null),
            ("company", Value::Null),
            ("blog", json!("")),
            ("location", Value::Null),
            ("email", Value::Null),
            ("hireable", Value::Null),
            ("bio", Value::Null),
            ("twitter_username", Value::Null),
            ("public_repos", json!(0)),
            ("public_gists", json!(0)),
            ("followers", json!(0)),
            ("following", json!(0)),
            ("created_at", json!(TIMESTAMP)),
            ("updated_at", json!(TIMESTAMP)),
        ] {
            obj.insert(k.to_string(), val);
        }
    }
    v
}

/// `organization-simple` plus the fields of `organization-full` that
/// octocrab requires.
pub fn organization(base: &str, state: &FakeState) -> Value {
    let o = &state.org;
    json!({
        "login": o,
        "id": state.org_id,
        "node_id": format!("O_kgDOAA{:06}", state.org_id),
        "url": format!("{base}/orgs/{o}"),
        "repos_url": format!("{base}/orgs/{o}/repos"),
        "events_url": format!("{base}/orgs/{o}/events"),
        "hooks_url": format!("{base}/orgs/{o}/hooks"),
        "issues_url": format!("{base}/orgs/{o}/issues"),
        "members_url": format!("{base}/orgs/{o}/members{{/member}}"),
        "public_members_url": format!("{base}/orgs/{o}/public_members{{/member}}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", state.org_id),
        "description": Value::Null,
        "html_url": format!("https://github.com/{o}"),
        "type": "Organization",
    })
}

/// `team-simple` (used for `parent`).
pub fn team_simple(base: &str, state: &FakeState, team: &Team) -> Value {
    let team_url = format!("{base}/organizations/{}/team/{}", state.org_id, team.id);
    json!({
        "id": team.id,
        "node_id": team.node_id,
        "url": team_url,
        "members_url": format!("{team_url}/members{{/member}}"),
        "name": team.name,
        "description": team.description,
        "permission": team.permission,
        "privacy": team.privacy.rest(),
        "notification_setting": team.notification_setting,
        "html_url": format!("https://github.com/orgs/{}/teams/{}", state.org, team.slug),
        "repositories_url": format!("{team_url}/repos"),
        "slug": team.slug,
        "type": "organization",
    })
}

/// `team` (listings) or, with `full`, `team-full`.
pub fn team(base: &str, state: &FakeState, team: &Team, full: bool) -> Value {
    let mut v = team_simple(base, state, team);
    let parent = team
        .parent
        .and_then(|p| state.teams.get(&p))
        .map(|p| team_simple(base, state, p))
        .unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("parent".into(), parent);
        obj.insert("organization_id".into(), json!(state.org_id));
        if full {
            obj.insert("members_count".into(), json!(team.members.len()));
            obj.insert("repos_count".into(), json!(team.repos.len()));
            obj.insert("created_at".into(), json!(TIMESTAMP));
            obj.insert("updated_at".into(), json!(TIMESTAMP));
            obj.insert("organization".into(), organization(base, state));
        }
    }
    v
}

/// `minimal-repository` with `permissions` and `role_name` as in team listings.
pub fn team_repo(base: &str, state: &FakeState, repo: &Repo, permission: Permission) -> Value {
    let full = format!("{}/{}", state.org, repo.name);
    let owner = json!({
        "login": state.org,
        "id": state.org_id,
        "node_id": format!("O_kgDOAA{:06}", state.org_id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", state.org_id),
        "gravatar_id": "",
        "url": format!("{base}/users/{}", state.org),
        "html_url": format!("https://github.com/{}", state.org),
        "followers_url": format!("{base}/users/{}/followers", state.org),
        "following_url": format!("{base}/users/{}/following{{/other_user}}", state.org),
        "gists_url": format!("{base}/users/{}/gists{{/gist_id}}", state.org),
        "starred_url": format!("{base}/users/{}/starred{{/owner}}{{/repo}}", state.org),
        "subscriptions_url": format!("{base}/users/{}/subscriptions", state.org),
        "organizations_url": format!("{base}/users/{}/orgs", state.org),
        "repos_url": format!("{base}/users/{}/repos", state.org),
        "events_url": format!("{base}/users/{}/events{{/privacy}}", state.org),
        "received_events_url": format!("{base}/users/{}/received_events", state.org),
        "type": "Organization",
        "site_admin": false,
    });
    json!({
        "id": repo.id,
        "node_id": format!("R_kgDOAA{:06}", repo.id),
        "name": repo.name,
        "full_name": full,
        "owner": owner,
        "private": repo.private,
        "html_url": format!("https://github.com/{full}"),
        "description": Value::Null,
        "fork": false,
        "url": format!("{base}/repos/{full}"),
        "visibility": if repo.private { "private" } else { "public" },
        "permissions": {
            "admin": permission >= Permission::Admin,
            "maintain": permission >= Permission::Maintain,
            "push": permission >= Permission::Push,
            "triage": permission >= Permission::Triage,
            "pull": true,
        },
        "role_name": permission.role_name(),
    })
}

/// `team-membership`.
pub fn team_membership(
    base: &str,
    state: &FakeState,
    team: &Team,
    user: &User,
    role: TeamRole,
    st: MembershipState,
) -> Value {
    json!({
        "url": format!("{base}/organizations/{}/team/{}/memberships/{}", state.org_id, team.id, user.login),
        "role": role.rest(),
        "state": st.rest(),
    })
}

/// `org-membership`.
pub fn org_membership(
    base: &str,
    state: &FakeState,
    user: &User,
    role: OrgRole,
    st: MembershipState,
) -> Value {
    json!({
        "url": format!("{base}/orgs/{}/memberships/{}", state.org, user.login),
        "state": st.rest(),
        "role": role.rest(),
        "organization_url": format!("{base}/orgs/{}", state.org),
        "organization": organization(base, state),
        "user": simple_user(base, user),
    })
}

/// `organization-invitation`.
pub fn invitation(base: &str, state: &FakeState, inv: &Invitation) -> Value {
    let login = inv
        .login
        .as_ref()
        .and_then(|l| state.users.get(l))
        .map(|u| Value::String(u.login.clone()))
        .unwrap_or(Value::Null);
    let inviter = state
        .user(&state.viewer)
        .map(|u| simple_user(base, u))
        .unwrap_or(Value::Null);
    json!({
        "id": inv.id,
        "node_id": format!("OI_kwDOAA{:06}", inv.id),
        "login": login,
        "email": inv.email,
        "role": inv.role.rest(),
        "created_at": TIMESTAMP,
        "failed_at": Value::Null,
        "failed_reason": Value::Null,
        "inviter": inviter,
        "team_count": inv.teams.len(),
        "invitation_teams_url": format!("{base}/organizations/{}/invitations/{}/teams", state.org_id, inv.id),
        "invitation_source": "member",
    })
}
