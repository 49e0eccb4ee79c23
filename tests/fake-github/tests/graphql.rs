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
