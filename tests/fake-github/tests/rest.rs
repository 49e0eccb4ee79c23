//! The fake's REST behaviour, exercised over HTTP.

mod common;

use common::api;
use fake_github::{
    Behaviour, FakeGithub, FakeState, Fault, FaultRule, OrgRole, Permission, TeamRole,
};
use serde_json::json;

fn org_with_teams(n: usize) -> FakeState {
    let mut s = FakeState::new("acme", "boss");
    for i in 0..n {
        s.add_team(&format!("Team {i:03}"), None).unwrap();
    }
    s
}

#[tokio::test]
async fn team_listing_pages_with_link_headers() {
    let gh = FakeGithub::start(org_with_teams(65)).await.unwrap();
    let a = api(&gh, "t");
    let p1 = a.get("/orgs/acme/teams").await;
    assert_eq!(p1.status, 200);
    assert_eq!(p1.json.as_array().unwrap().len(), 30);
    let base = gh.url();
    let link = p1.header("link").unwrap();
    assert_eq!(
        link,
        format!(
            "<{base}orgs/acme/teams?page=2>; rel=\"next\", <{base}orgs/acme/teams?page=3>; rel=\"last\""
        )
    );
    let p3 = a.get("/orgs/acme/teams?per_page=30&page=3").await;
    assert_eq!(p3.json.as_array().unwrap().len(), 5);
    let link = p3.header("link").unwrap();
    assert!(link.contains("page=2>; rel=\"prev\"") && link.contains("page=1>; rel=\"first\""));
    assert!(!link.contains("rel=\"next\""));
    let all = a.get("/orgs/acme/teams?per_page=500").await;
    assert_eq!(all.json.as_array().unwrap().len(), 65);
    assert!(all.header("link").is_none());
    assert_eq!(all.json[0]["slug"], "team-000");
    assert_eq!(all.json[0]["privacy"], "closed");
}

#[tokio::test]
async fn rate_limit_headers_count_down() {
    let gh = FakeGithub::start(org_with_teams(1)).await.unwrap();
    let a = api(&gh, "t");
    let r1 = a.get("/orgs/acme/teams").await;
    let r2 = a.get("/orgs/acme/members").await;
    assert_eq!(r1.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(r1.header("x-ratelimit-remaining"), Some("4999"));
    assert_eq!(r2.header("x-ratelimit-remaining"), Some("4998"));
    assert_eq!(r2.header("x-ratelimit-resource"), Some("core"));
    assert!(
        r2.header("x-ratelimit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1_700_000_000
    );
    let rl = a.get("/rate_limit").await;
    assert_eq!(rl.json["resources"]["core"]["remaining"], 4998);
    assert_eq!(gh.requests().count("GET", "/orgs/{org}/teams"), 1);
    assert_eq!(gh.requests().total(), 3);
}

#[tokio::test]
async fn team_lifecycle_follows_the_documented_rules() {
    let mut s = FakeState::new("acme", "boss");
    s.add_member("alice", OrgRole::Member);
    let gh = FakeGithub::start(s).await.unwrap();
    let a = api(&gh, "t");

    let created = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "My TEam Näme", "description": "d"})),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json["slug"], "my-team-name");
    assert_eq!(created.json["privacy"], "secret");
    let team = gh.state().team_by_slug("my-team-name").unwrap().clone();
    assert_eq!(
        team.members.get("boss"),
        Some(&TeamRole::Maintainer),
        "creator becomes maintainer"
    );

    let dup = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "my team name"})),
        )
        .await;
    assert_eq!(dup.status, 422);
    assert_eq!(dup.json["message"], "Validation Failed");
    assert_eq!(
        dup.json["errors"][0]["message"],
        "Name must be unique for this org"
    );

    let missing = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"description": "x"})),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.json["errors"][0]["code"], "missing_field");

    let secret_parent = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "Child", "parent_team_id": team.id})),
        )
        .await;
    assert_eq!(
        secret_parent.status, 422,
        "a secret team cannot be a parent"
    );

    let patched = a
        .call(
            "PATCH",
            "/orgs/acme/teams/my-team-name",
            Some(json!({"privacy": "closed"})),
        )
        .await;
    assert_eq!(patched.status, 201);
    let unchanged = a
        .call(
            "PATCH",
            "/orgs/acme/teams/my-team-name",
            Some(json!({"privacy": "closed"})),
        )
        .await;
    assert_eq!(unchanged.status, 200);

    let child = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "Child", "parent_team_id": team.id})),
        )
        .await;
    assert_eq!(child.status, 201);
    assert_eq!(
        child.json["privacy"], "closed",
        "child teams default to closed"
    );
    assert_eq!(child.json["parent"]["slug"], "my-team-name");
    let secret_child = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "Hidden", "parent_team_id": team.id, "privacy": "secret"})),
        )
        .await;
    assert_eq!(secret_child.status, 422);
    let make_parent_secret = a
        .call(
            "PATCH",
            "/orgs/acme/teams/my-team-name",
            Some(json!({"privacy": "secret"})),
        )
        .await;
    assert_eq!(make_parent_secret.status, 422);
    let cycle = a
        .call(
            "PATCH",
            "/orgs/acme/teams/my-team-name",
            Some(json!({"parent_team_id": child.json["id"]})),
        )
        .await;
    assert_eq!(cycle.status, 422);

    let children = a.get("/orgs/acme/teams/my-team-name/teams").await;
    assert_eq!(children.json.as_array().unwrap().len(), 1);

    let unparent = a
        .call(
            "PATCH",
            "/orgs/acme/teams/child",
            Some(json!({"parent_team_id": null})),
        )
        .await;
    assert_eq!(unparent.status, 201);
    assert_eq!(unparent.json["parent"], serde_json::Value::Null);
    let reparent = a
        .call(
            "PATCH",
            "/orgs/acme/teams/child",
            Some(json!({"parent_team_slug": "my-team-name"})),
        )
        .await;
    assert_eq!(reparent.json["parent"]["slug"], "my-team-name");

    let renamed = a
        .call(
            "PATCH",
            "/orgs/acme/teams/child",
            Some(json!({"name": "Kid"})),
        )
        .await;
    assert_eq!(renamed.json["slug"], "kid", "renaming changes the slug");

    let bad_json =
        a.oc._post("/orgs/acme/teams", Some(&"not an object"))
            .await
            .unwrap();
    assert_eq!(bad_json.status().as_u16(), 400);

    let deleted = a
        .call("DELETE", "/orgs/acme/teams/my-team-name", None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        a.get("/orgs/acme/teams/kid").await.status,
        404,
        "delete cascades to children"
    );
    assert_eq!(a.get("/orgs/other/teams").await.status, 404);
    assert_eq!(
        a.get("/orgs/acme/teams/").await.status,
        404,
        "trailing slash"
    );
}

#[tokio::test]
async fn memberships_invitations_and_repos() {
    let mut s = FakeState::new("acme", "boss");
    s.add_member("alice", OrgRole::Member);
    s.add_user("newbie");
    s.add_repo("website");
    s.add_team("Web", None).unwrap();
    let gh = FakeGithub::start(s).await.unwrap();
    let a = api(&gh, "t");

    let put = a
        .call(
            "PUT",
            "/orgs/acme/teams/web/memberships/alice",
            Some(json!({"role": "maintainer"})),
        )
        .await;
    assert_eq!(
        (put.status, put.json["state"].as_str()),
        (200, Some("active"))
    );
    let pending = a
        .call(
            "PUT",
            "/orgs/acme/teams/web/memberships/newbie",
            Some(json!({})),
        )
        .await;
    assert_eq!(pending.json["state"], "pending");
    let inv = a.get("/orgs/acme/invitations").await;
    assert_eq!(inv.json[0]["login"], "newbie");
    assert_eq!(inv.json[0]["role"], "direct_member");
    assert_eq!(inv.json[0]["team_count"], 1);
    assert_eq!(
        a.get("/orgs/acme/teams/web/invitations").await.json[0]["login"],
        "newbie"
    );
    let m = a.get("/orgs/acme/teams/web/memberships/newbie").await;
    assert_eq!(m.json["state"], "pending");
    let members = a.get("/orgs/acme/teams/web/members?role=maintainer").await;
    assert_eq!(members.json.as_array().unwrap().len(), 1);
    assert_eq!(members.json[0]["login"], "alice");
    assert!(gh.with_state(|s| s.accept_invitation("newbie")));
    assert_eq!(
        a.get("/orgs/acme/teams/web/memberships/newbie").await.json["state"],
        "active"
    );
    assert_eq!(
        a.get("/orgs/acme/teams/web/memberships/boss").await.status,
        404
    );
    assert_eq!(
        a.get("/orgs/acme/teams/web/memberships/nobody-at-all")
            .await
            .status,
        404
    );

    let org_m = a
        .call(
            "PUT",
            "/orgs/acme/memberships/alice",
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(
        (org_m.json["state"].as_str(), org_m.json["role"].as_str()),
        (Some("active"), Some("admin"))
    );
    let admins = a.get("/orgs/acme/members?role=admin").await;
    assert_eq!(admins.json.as_array().unwrap().len(), 2);
    assert_eq!(
        a.get("/orgs/acme/teams/web/memberships/alice").await.json["role"],
        "maintainer",
        "owners read back as maintainers"
    );
    assert_eq!(
        a.call("DELETE", "/orgs/acme/members/alice", None)
            .await
            .status,
        204
    );
    assert!(
        !gh.state()
            .team_by_slug("web")
            .unwrap()
            .members
            .contains_key("alice"),
        "removed from teams"
    );
    assert_eq!(
        a.call("DELETE", "/orgs/acme/memberships/alice", None)
            .await
            .status,
        404
    );

    let not_ours = a
        .call(
            "PUT",
            "/orgs/acme/teams/web/repos/other/website",
            Some(json!({"permission": "push"})),
        )
        .await;
    assert_eq!(not_ours.status, 422);
    assert_eq!(not_ours.json["message"], "Validation Failed");
    let missing = a
        .call(
            "PUT",
            "/orgs/acme/teams/web/repos/acme/nope",
            Some(json!({"permission": "push"})),
        )
        .await;
    assert_eq!(missing.status, 422);
    let ok = a
        .call(
            "PUT",
            "/orgs/acme/teams/web/repos/acme/website",
            Some(json!({"permission": "maintain"})),
        )
        .await;
    assert_eq!(ok.status, 204);
    assert_eq!(
        a.get("/orgs/acme/teams/web/repos/acme/website")
            .await
            .status,
        204
    );
    let repos = a.get("/orgs/acme/teams/web/repos").await;
    assert_eq!(repos.json[0]["role_name"], "maintain");
    assert_eq!(repos.json[0]["permissions"]["push"], true);
    assert_eq!(repos.json[0]["permissions"]["admin"], false);
    assert_eq!(
        gh.state().team_by_slug("web").unwrap().repos.get("website"),
        Some(&Permission::Maintain)
    );
    assert_eq!(
        a.call("DELETE", "/orgs/acme/teams/web/repos/acme/website", None)
            .await
            .status,
        204
    );
    assert_eq!(
        a.get("/orgs/acme/teams/web/repos/acme/website")
            .await
            .status,
        404
    );

    assert_eq!(a.get("/users/newbie").await.json["login"], "newbie");
    assert_eq!(a.get("/user").await.json["login"], "boss");
    assert_eq!(a.get("/users/ghost-user").await.status, 404);
}

#[tokio::test]
async fn typed_octocrab_calls_deserialize() {
    let mut s = FakeState::new("acme", "boss");
    s.add_team("Core", None).unwrap();
    s.add_member("alice", OrgRole::Member);
    let gh = FakeGithub::start(s).await.unwrap();
    let a = api(&gh, "t");
    let teams =
        a.oc.teams("acme")
            .list()
            .per_page(100)
            .send()
            .await
            .unwrap();
    assert_eq!(teams.items.len(), 1);
    let team = a.oc.teams("acme").get("core").await.unwrap();
    assert_eq!(team.slug, "core");
    let members = a.oc.orgs("acme").list_members().send().await.unwrap();
    assert_eq!(members.items.len(), 2);
}

#[tokio::test]
async fn tokens_are_checked() {
    let gh = FakeGithub::start_with(
        org_with_teams(1),
        Behaviour::default().with_token("good", "boss"),
    )
    .await
    .unwrap();
    let bad = api(&gh, "bad").get("/orgs/acme/teams").await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json["message"], "Bad credentials");
    assert_eq!(api(&gh, "good").get("/orgs/acme/teams").await.status, 200);
    gh.with_behaviour(|b| b.tokens[0].scopes = Some(vec!["repo".into()]));
    let scoped = api(&gh, "good").get("/orgs/acme/teams").await;
    assert_eq!(scoped.status, 403);
    assert_eq!(
        scoped.header("x-accepted-oauth-scopes"),
        Some("read:org, write:org, admin:org")
    );
}

#[tokio::test]
async fn faults_are_injected_deterministically() {
    let behaviour = Behaviour::default()
        .with_fault(FaultRule::nth(2, Fault::Status(502)))
        .with_fault(FaultRule::nth(
            3,
            Fault::SecondaryRateLimit {
                status: 403,
                retry_after: Some(7),
            },
        ))
        .with_fault(FaultRule::nth(
            4,
            Fault::PrimaryRateLimit { reset_after: 30 },
        ));
    let gh = FakeGithub::start_with(org_with_teams(1), behaviour)
        .await
        .unwrap();
    let a = api(&gh, "t");
    assert_eq!(a.get("/orgs/acme/teams").await.status, 200);
    assert_eq!(a.get("/orgs/acme/teams").await.status, 502);
    let secondary = a.get("/orgs/acme/teams").await;
    assert_eq!(secondary.status, 403);
    assert_eq!(secondary.header("retry-after"), Some("7"));
    assert!(
        secondary.json["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    let primary = a.get("/orgs/acme/teams").await;
    assert_eq!(primary.status, 403);
    assert_eq!(primary.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        primary.json["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded")
    );
    assert_eq!(a.get("/orgs/acme/teams").await.status, 200);
    let stats = gh.requests();
    assert_eq!(stats.with_status(502), 1);
    assert_eq!(stats.total(), 5);

    // A fraction of requests, chosen from a seed, reproducibly.
    let run = |seed| async move {
        let gh = FakeGithub::start_with(
            org_with_teams(1),
            Behaviour::default().with_fault(FaultRule::fraction(0.3, seed, Fault::Status(502))),
        )
        .await
        .unwrap();
        let a = api(&gh, "t");
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(a.get("/orgs/acme/teams").await.status);
        }
        statuses
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    let failures = first.iter().filter(|s| **s == 502).count();
    assert!((4..=20).contains(&failures), "{failures}");
}

#[tokio::test]
async fn primary_limit_exhaustion_is_modelled() {
    let behaviour = Behaviour {
        core_limit: 2,
        ..Behaviour::default()
    };
    let gh = FakeGithub::start_with(org_with_teams(1), behaviour)
        .await
        .unwrap();
    let a = api(&gh, "t");
    assert_eq!(a.get("/orgs/acme/teams").await.status, 200);
    let last = a.get("/orgs/acme/teams").await;
    assert_eq!(last.header("x-ratelimit-remaining"), Some("0"));
    let refused = a.get("/orgs/acme/teams").await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
}

#[tokio::test]
async fn unknown_api_versions_are_rejected() {
    let gh = FakeGithub::start(org_with_teams(1)).await.unwrap();
    let oc = octocrab::Octocrab::builder()
        .base_uri(gh.url())
        .unwrap()
        .personal_token("t".to_string())
        .add_header(
            "x-github-api-version".parse().unwrap(),
            "1999-01-01".to_string(),
        )
        .build()
        .unwrap();
    let res = oc._get("/orgs/acme/teams").await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
}

#[tokio::test]
async fn generated_orgs_are_served() {
    let shape = fake_github::OrgShape {
        teams: 250,
        ..fake_github::OrgShape::default()
    };
    let gh = FakeGithub::start(FakeState::generate("big", "boss", shape))
        .await
        .unwrap();
    let a = api(&gh, "t");
    let last = a.get("/orgs/big/teams?per_page=100&page=3").await;
    assert_eq!(last.json.as_array().unwrap().len(), 50);
    assert_eq!(
        a.get("/orgs/big/teams/team-00004").await.json["parent"]["slug"],
        "team-00003"
    );
}

/// `notification_setting` on `POST /orgs/{org}/teams` (OAS `teams/create`:
/// `notifications_enabled` | `notifications_disabled`, "Default:
/// `notifications_enabled`") and `PATCH /orgs/{org}/teams/{team_slug}` (OAS
/// `teams/update-in-org`: same enum, absent leaves it intact); any other value
/// is a 422 `validation_failed` and changes nothing.
#[tokio::test]
async fn team_notification_setting_is_validated_and_served() {
    let gh = FakeGithub::start(FakeState::new("acme", "boss"))
        .await
        .unwrap();
    let a = api(&gh, "t");

    let default = a
        .call("POST", "/orgs/acme/teams", Some(json!({"name": "Web"})))
        .await;
    assert_eq!(default.status, 201);
    assert_eq!(
        default.json["notification_setting"],
        "notifications_enabled"
    );
    let quiet = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "Quiet", "notification_setting": "notifications_disabled"})),
        )
        .await;
    assert_eq!(quiet.status, 201);
    assert_eq!(quiet.json["notification_setting"], "notifications_disabled");

    let bad_create = a
        .call(
            "POST",
            "/orgs/acme/teams",
            Some(json!({"name": "Loud", "notification_setting": "enabled"})),
        )
        .await;
    assert_eq!(bad_create.status, 422);
    assert_eq!(bad_create.json["message"], "Validation Failed");
    assert_eq!(
        bad_create.json["errors"][0]["field"],
        "notification_setting"
    );
    assert_eq!(bad_create.json["errors"][0]["code"], "invalid");
    assert!(gh.state().team_by_slug("loud").is_none(), "nothing created");

    let before = gh.state();
    for body in [
        json!({"notification_setting": "NOTIFICATIONS_DISABLED"}),
        json!({"notification_setting": ""}),
        json!({"name": "Web Renamed", "notification_setting": "off"}),
    ] {
        let bad = a
            .call("PATCH", "/orgs/acme/teams/web", Some(body.clone()))
            .await;
        assert_eq!(bad.status, 422, "{body}");
        assert_eq!(bad.json["message"], "Validation Failed", "{body}");
        assert_eq!(bad.json["errors"][0]["resource"], "Team");
        assert_eq!(bad.json["errors"][0]["field"], "notification_setting");
        assert_eq!(bad.json["errors"][0]["code"], "invalid");
    }
    assert_eq!(gh.state(), before, "a rejected PATCH changes nothing");
    let wrong_type = a
        .call(
            "PATCH",
            "/orgs/acme/teams/web",
            Some(json!({"notification_setting": true})),
        )
        .await;
    assert_eq!(wrong_type.status, 422);
    assert_eq!(gh.state(), before);

    let disabled = a
        .call(
            "PATCH",
            "/orgs/acme/teams/web",
            Some(json!({"notification_setting": "notifications_disabled"})),
        )
        .await;
    assert_eq!(disabled.status, 201);
    assert_eq!(
        disabled.json["notification_setting"],
        "notifications_disabled"
    );
    let same = a
        .call(
            "PATCH",
            "/orgs/acme/teams/web",
            Some(json!({"notification_setting": "notifications_disabled"})),
        )
        .await;
    assert_eq!(same.status, 200, "already so: 200");
    let absent = a
        .call(
            "PATCH",
            "/orgs/acme/teams/web",
            Some(json!({"description": "d"})),
        )
        .await;
    assert_eq!(absent.status, 201);
    assert_eq!(
        absent.json["notification_setting"], "notifications_disabled",
        "left intact when not given"
    );

    let one = a.get("/orgs/acme/teams/web").await;
    assert_eq!(one.json["notification_setting"], "notifications_disabled");
    let list = a.get("/orgs/acme/teams").await;
    let by_slug = |slug: &str| {
        list.json
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == slug)
            .unwrap()["notification_setting"]
            .clone()
    };
    assert_eq!(by_slug("web"), "notifications_disabled");
    assert_eq!(by_slug("quiet"), "notifications_disabled");
    let enable = a
        .call(
            "PATCH",
            "/orgs/acme/teams/quiet",
            Some(json!({"notification_setting": "notifications_enabled"})),
        )
        .await;
    assert_eq!(enable.status, 201);
    assert_eq!(
        a.get("/orgs/acme/teams/quiet").await.json["notification_setting"],
        "notifications_enabled"
    );
}
