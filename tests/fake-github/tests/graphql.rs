//! The fake's GraphQL endpoint, exercised over HTTP.

mod common;

use common::api;
use fake_github::{
    Behaviour, FakeGithub, FakeState, Fault, FaultRule, OrgRole, Permission, TeamRole,
};
use serde_json::{Value, json};

const TEAMS: &str = r#"
query Teams($org: String!, $after: String) {
  rateLimit { cost remaining nodeCount limit used resetAt }
  organization(login: $org) {
    teams(first: 2, after: $after, orderBy: {field: NAME, direction: ASC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId slug name description privacy
        parentTeam { slug databaseId }
        members(first: 100, membership: IMMEDIATE) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { role node { login databaseId } }
        }
        repositories(first: 100) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { permission node { name nameWithOwner } }
        }
      }
    }
  }
}"#;

fn state() -> FakeState {
    let mut s = FakeState::new("acme", "boss");
    s.add_member("alice", OrgRole::Member);
    s.add_member("bob", OrgRole::Member);
    s.add_repo("website");
    s.add_team("Alpha", None).unwrap();
    s.add_team("Beta", Some("alpha")).unwrap();
    s.add_team("Gamma", None).unwrap();
    s.set_team_member("alpha", "alice", TeamRole::Maintainer)
        .unwrap();
    s.set_team_member("beta", "bob", TeamRole::Member).unwrap();
    s.set_team_repo("alpha", "website", Permission::Push)
        .unwrap();
    s
}

#[tokio::test]
async fn teams_page_with_nested_connections() {
    let gh = FakeGithub::start(state()).await.unwrap();
    let a = api(&gh, "t");
    let p1 = a.graphql(TEAMS, json!({"org": "acme"})).await;
    assert_eq!(p1.status, 200);
    assert!(p1.json.get("errors").is_none(), "{}", p1.json);
    let teams = &p1.json["data"]["organization"]["teams"];
    assert_eq!(teams["totalCount"], 3);
    assert_eq!(teams["pageInfo"]["hasNextPage"], true);
    let alpha = &teams["nodes"][0];
    assert_eq!(alpha["slug"], "alpha");
    assert_eq!(alpha["privacy"], "VISIBLE");
    assert_eq!(alpha["members"]["edges"][0]["role"], "MAINTAINER");
    assert_eq!(
        alpha["members"]["totalCount"], 1,
        "IMMEDIATE excludes child-team members"
    );
    assert_eq!(alpha["repositories"]["edges"][0]["permission"], "WRITE");
    assert_eq!(
        alpha["repositories"]["edges"][0]["node"]["nameWithOwner"],
        "acme/website"
    );
    assert_eq!(teams["nodes"][1]["parentTeam"]["slug"], "alpha");
    let rl = &p1.json["data"]["rateLimit"];
    assert_eq!(rl["cost"], 1);
    assert_eq!(rl["nodeCount"], 2 + 2 * 100 + 2 * 100);
    assert_eq!(p1.header("x-ratelimit-resource"), Some("graphql"));
    assert_eq!(p1.header("x-ratelimit-remaining"), Some("4999"));

    let cursor = teams["pageInfo"]["endCursor"].clone();
    let p2 = a
        .graphql(TEAMS, json!({"org": "acme", "after": cursor}))
        .await;
    let teams = &p2.json["data"]["organization"]["teams"];
    assert_eq!(teams["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(teams["nodes"][0]["slug"], "gamma");
    assert_eq!(teams["pageInfo"]["hasNextPage"], false);

    let all = a
        .graphql(
            "{ organization(login: \"acme\") { team(slug: \"alpha\") { members(first: 10) { totalCount } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        all.json["data"]["organization"]["team"]["members"]["totalCount"], 2,
        "ALL is the default"
    );
}

#[tokio::test]
async fn limit_errors_come_back_with_status_200() {
    let gh = FakeGithub::start(state()).await.unwrap();
    let a = api(&gh, "t");
    let missing = a
        .graphql(
            "{ organization(login: \"acme\") { teams { totalCount } } }",
            Value::Null,
        )
        .await;
    assert_eq!(missing.status, 200);
    assert_eq!(
        missing.json["errors"][0]["type"],
        "MISSING_PAGINATION_BOUNDARIES"
    );
    assert_eq!(
        missing.json["errors"][0]["path"],
        json!(["organization", "teams"])
    );
    let too_many = a
        .graphql(
            "{ organization(login: \"acme\") { membersWithRole(last: 500) { totalCount } } }",
            Value::Null,
        )
        .await;
    assert_eq!(too_many.json["errors"][0]["type"], "EXCESSIVE_PAGINATION");
    let unknown = a
        .graphql(
            "query($o: String!) { organization(login: $o) { login } }",
            json!({"o": "nope"}),
        )
        .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.json["data"]["organization"], Value::Null);
    assert_eq!(unknown.json["errors"][0]["type"], "NOT_FOUND");
    let bad = a.graphql("{ viewer { login email } }", Value::Null).await;
    assert_eq!(bad.status, 200);
    assert!(
        bad.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("'email'")
    );
    let syntax = a.graphql("{ viewer { login ", Value::Null).await;
    assert_eq!(syntax.status, 200);
    assert!(
        syntax.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Parse error")
    );
    let bad_cursor = a
        .graphql(
            "{ organization(login: \"acme\") { teams(first: 1, after: \"xyz\") { totalCount } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        bad_cursor.json["errors"][0]["type"],
        "INVALID_CURSOR_ARGUMENTS"
    );
}

#[tokio::test]
async fn faults_and_tokens_apply_to_graphql() {
    let behaviour = Behaviour::default()
        .with_token("good", "boss")
        .with_fault(FaultRule::nth(1, Fault::Status(502)).only_graphql())
        .with_fault(FaultRule::nth(2, Fault::PrimaryRateLimit { reset_after: 5 }).only_graphql());
    let gh = FakeGithub::start_with(state(), behaviour).await.unwrap();
    let a = api(&gh, "good");
    let q = "{ viewer { login databaseId } }";
    assert_eq!(a.graphql(q, Value::Null).await.status, 502);
    let limited = a.graphql(q, Value::Null).await;
    assert_eq!(limited.status, 200);
    assert_eq!(limited.json["errors"][0]["type"], "RATE_LIMITED");
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    let ok = a.graphql(q, Value::Null).await;
    assert_eq!(ok.json["data"]["viewer"]["login"], "boss");
    assert_eq!(api(&gh, "bad").graphql(q, Value::Null).await.status, 401);

    gh.with_behaviour(|b| b.tokens[0].scopes = Some(vec!["repo".into()]));
    let scoped = a
        .graphql(
            "{ organization(login: \"acme\") { teams(first: 1) { totalCount } } }",
            Value::Null,
        )
        .await;
    assert_eq!(scoped.json["errors"][0]["type"], "INSUFFICIENT_SCOPES");
    assert_eq!(gh.requests().graphql(), 5);
}

/// `Team.notificationSetting: TeamNotificationSetting!` (GitHub's GraphQL schema,
/// `tests/fixtures/github-graphql/schema.graphql`, `type Team` and
/// `enum TeamNotificationSetting`) follows the REST `notification_setting`.
#[tokio::test]
async fn team_notification_setting_follows_a_rest_patch() {
    let gh = FakeGithub::start(state()).await.unwrap();
    let a = api(&gh, "t");
    let q = "{ organization(login: \"acme\") { teams(first: 10) { nodes { slug notificationSetting } } team(slug: \"beta\") { notificationSetting } } }";
    let settings = |v: &Value| -> Vec<(String, String)> {
        v["data"]["organization"]["teams"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["slug"].as_str().unwrap().to_string(),
                    t["notificationSetting"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };

    let before = a.graphql(q, Value::Null).await;
    assert!(before.json.get("errors").is_none(), "{}", before.json);
    assert!(
        settings(&before.json)
            .iter()
            .all(|(_, s)| s == "NOTIFICATIONS_ENABLED"),
        "{}",
        before.json
    );

    let patched = a
        .call(
            "PATCH",
            "/orgs/acme/teams/beta",
            Some(json!({"notification_setting": "notifications_disabled"})),
        )
        .await;
    assert_eq!(patched.status, 201);
    assert_eq!(
        patched.json["notification_setting"],
        "notifications_disabled"
    );

    let after = a.graphql(q, Value::Null).await;
    assert!(after.json.get("errors").is_none(), "{}", after.json);
    assert_eq!(
        settings(&after.json),
        vec![
            ("alpha".to_string(), "NOTIFICATIONS_ENABLED".to_string()),
            ("beta".to_string(), "NOTIFICATIONS_DISABLED".to_string()),
            ("gamma".to_string(), "NOTIFICATIONS_ENABLED".to_string()),
        ]
    );
    assert_eq!(
        after.json["data"]["organization"]["team"]["notificationSetting"],
        "NOTIFICATIONS_DISABLED"
    );

    // `Organization.teams(notificationSetting:)`: "If non-null, filters teams
    // according to notification setting" (same schema).
    let filtered = a
        .graphql(
            "query($n: TeamNotificationSetting) { organization(login: \"acme\") { teams(first: 10, notificationSetting: $n) { totalCount nodes { slug } } } }",
            json!({"n": "NOTIFICATIONS_DISABLED"}),
        )
        .await;
    assert!(filtered.json.get("errors").is_none(), "{}", filtered.json);
    let teams = &filtered.json["data"]["organization"]["teams"];
    assert_eq!(teams["totalCount"], 1);
    assert_eq!(teams["nodes"][0]["slug"], "beta");

    // It is an enum: selections on it are rejected like on any scalar.
    let sub = a
        .graphql(
            "{ organization(login: \"acme\") { team(slug: \"beta\") { notificationSetting { value } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(sub.status, 200);
    assert_eq!(
        sub.json["errors"][0]["extensions"]["code"], "selectionMismatch",
        "{}",
        sub.json
    );
    assert!(sub.json.get("data").is_none());
}
