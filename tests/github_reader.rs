//! orgctl's GitHub readers against the local fake GitHub.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_github::{
    Behaviour, FakeGithub, FakeState, Fault, FaultRule, FaultScope, Installation, InvitationRole,
    OrgRole, Permission, TeamRole, TokenGrant, When,
};
use orgctl::github::retry::{BoxFuture, WaitReason};
use orgctl::github::state::{self, GithubState};
use orgctl::github::{
    Clock, Credentials, GithubConfig, GithubError, GraphqlReader, LiveReader, ProgressEvent,
    ReadOptions, RestReader, RetryPolicy, StaticReader, Transport,
};
use secrecy::SecretString;

/// Sleeps a thousandth of what it is asked and records the requests.
#[derive(Default)]
struct RecordingClock {
    waits: Mutex<Vec<Duration>>,
}

impl Clock for RecordingClock {
    fn now_epoch(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(tokio::time::sleep(duration / 1000))
    }
}

fn config(gh: &FakeGithub, token: &str) -> GithubConfig {
    GithubConfig::with_token(SecretString::from(token.to_string()))
        .with_urls(&gh.url(), &gh.graphql_url())
}

struct Harness {
    transport: Arc<Transport>,
    clock: Arc<RecordingClock>,
    events: Arc<Mutex<Vec<ProgressEvent>>>,
}

async fn harness(config: GithubConfig) -> Harness {
    let clock = Arc::new(RecordingClock::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let transport = Transport::connect(&config)
        .await
        .unwrap()
        .with_clock(clock.clone())
        .with_progress(Arc::new(move |e: &ProgressEvent| {
            sink.lock().unwrap().push(e.clone())
        }))
        .with_jitter_seed(7);
    Harness {
        transport: Arc::new(transport),
        clock,
        events,
    }
}

fn small_org() -> FakeState {
    let mut s = FakeState::new("acme", "boss");
    s.add_member("alice", OrgRole::Admin);
    s.add_member("bob", OrgRole::Member);
    s.add_member("Carol", OrgRole::Member);
    s.add_repo("website");
    s.add_repo("api");
    s.add_team("Engineering", None).unwrap();
    s.add_team("Web Team", Some("engineering")).unwrap();
    s.create_team(
        fake_github::model::NewTeam {
            name: "Security".into(),
            description: Some("Incident response".into()),
            ..Default::default()
        },
        None,
    )
    .unwrap();
    s.set_team_member("engineering", "alice", TeamRole::Maintainer)
        .unwrap();
    s.set_team_member("web-team", "bob", TeamRole::Member)
        .unwrap();
    s.set_team_member("web-team", "carol", TeamRole::Maintainer)
        .unwrap();
    s.set_team_member("security", "alice", TeamRole::Member)
        .unwrap();
    s.set_team_repo("engineering", "api", Permission::Maintain)
        .unwrap();
    s.set_team_repo("web-team", "website", Permission::Push)
        .unwrap();
    s.set_team_repo("security", "api", Permission::Triage)
        .unwrap();
    s.invite("dave", InvitationRole::DirectMember);
    s.invite("erin", InvitationRole::Admin);
    s
}

/// An organisation where every connection needs several pages: 150 teams,
/// 261 members, a team with 250 members, a team with 150 repositories and
/// 130 pending invitations.
fn big_org() -> FakeState {
    let mut s = FakeState::new("acme", "boss");
    for i in 0..260 {
        let role = if i % 50 == 0 {
            OrgRole::Admin
        } else {
            OrgRole::Member
        };
        s.add_member(&format!("user{i:03}"), role);
    }
    for i in 0..150 {
        s.add_repo(&format!("repo{i:03}"));
    }
    s.add_team("Big", None).unwrap();
    for i in 0..250 {
        let role = if i < 3 {
            TeamRole::Maintainer
        } else {
            TeamRole::Member
        };
        s.set_team_member("big", &format!("user{i:03}"), role)
            .unwrap();
    }
    s.add_team("Repos", None).unwrap();
    for i in 0..150 {
        s.set_team_repo("repos", &format!("repo{i:03}"), Permission::Push)
            .unwrap();
    }
    for i in 0..148 {
        let parent = if i % 10 == 5 { Some("big") } else { None };
        let slug = format!("team-{i:03}");
        s.add_team(&format!("Team {i:03}"), parent).unwrap();
        s.set_team_member(&slug, &format!("user{:03}", i + 1), TeamRole::Member)
            .unwrap();
        s.set_team_repo(&slug, &format!("repo{i:03}"), Permission::Pull)
            .unwrap();
    }
    for i in 0..130 {
        s.invite(&format!("invitee{i:03}"), InvitationRole::DirectMember);
    }
    s
}

/// The fewest requests that can read `state` with `page` teams per GraphQL
/// page: the team pages (the first also carries 100 members and the viewer),
/// the further member pages, one request per further page of each nested
/// connection, and the invitation pages (REST).
fn minimum_requests(state: &FakeState, page: usize) -> (u64, u64) {
    let pages = |n: usize, size: usize| n.div_ceil(size).max(1) as u64;
    let team_pages = pages(state.teams.len(), page);
    let member_pages = pages(state.members.len(), 100) - 1;
    let nested: u64 = state
        .teams
        .values()
        .map(|t| pages(t.members.len(), 100) - 1 + pages(t.repos.len(), 100) - 1)
        .sum();
    let invitation_pages = pages(state.invitations.len(), 100);
    (team_pages + member_pages + nested, invitation_pages)
}

#[tokio::test]
async fn reads_a_small_org_in_two_requests() {
    let gh = FakeGithub::start(small_org()).await.unwrap();
    let h = harness(config(&gh, "t")).await;
    let reader = GraphqlReader::new(h.transport.clone());
    let s = reader.read_org("acme").await.unwrap();

    assert_eq!(s.version, 1);
    assert_eq!(s.viewer.as_deref(), Some("boss"));
    let logins: Vec<_> = s
        .members
        .iter()
        .map(|m| (m.login.as_str(), m.role))
        .collect();
    assert_eq!(
        logins,
        vec![
            ("alice", state::OrgRole::Admin),
            ("bob", state::OrgRole::Member),
            ("boss", state::OrgRole::Admin),
            ("Carol", state::OrgRole::Member),
        ]
    );
    assert_eq!(s.invitations.len(), 2);
    assert_eq!(s.invitations[0].login.as_deref(), Some("dave"));
    assert_eq!(s.invitations[0].role, state::InvitationRole::Member);
    assert_eq!(s.invitations[1].role, state::InvitationRole::Admin);
    let slugs: Vec<_> = s.teams.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, vec!["engineering", "security", "web-team"]);
    let web = s.team("web-team").unwrap();
    assert_eq!(web.parent.as_deref(), Some("engineering"));
    assert_eq!(web.privacy, state::Privacy::Closed);
    assert_eq!(web.members.len(), 2);
    assert_eq!(web.members[1].login, "Carol");
    assert_eq!(web.members[1].role, state::TeamRole::Maintainer);
    assert_eq!(web.repos[0].permission, state::Permission::Push);
    let eng = s.team("engineering").unwrap();
    assert_eq!(eng.members.len(), 1, "immediate members only");
    assert_eq!(eng.repos[0].permission, state::Permission::Maintain);
    let sec = s.team("security").unwrap();
    assert_eq!(sec.privacy, state::Privacy::Secret);
    assert_eq!(sec.description.as_deref(), Some("Incident response"));
    assert_eq!(sec.repos[0].permission, state::Permission::Triage);

    let count = reader.requests();
    assert_eq!((count.graphql, count.rest, count.retries), (1, 1, 0));
    assert_eq!(gh.requests().total(), 2);
    let limits = h.transport.rate_limits();
    let resources: Vec<_> = limits
        .iter()
        .map(|l| (l.resource.as_str(), l.remaining))
        .collect();
    // 100 teams × (100 members + 100 repositories) + 2 → 202 requests → cost 2.
    assert_eq!(resources, vec![("core", 4999), ("graphql", 4998)]);
    assert!(
        h.events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, ProgressEvent::RateLimit(info) if info.resource == "graphql"))
    );
}

#[tokio::test]
async fn snapshot_format_is_stable() {
    let gh = FakeGithub::start(small_org()).await.unwrap();
    let h = harness(config(&gh, "t")).await;
    let s = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap();
    let json = s.to_json();
    assert_eq!(GithubState::from_json(&json).unwrap(), s);
    insta::assert_snapshot!("small_org_state", json);
}

#[tokio::test]
async fn pages_every_connection_with_the_fewest_requests() {
    let org = big_org();
    let gh = FakeGithub::start(org.clone()).await.unwrap();
    let h = harness(config(&gh, "t")).await;
    let reader = GraphqlReader::new(h.transport.clone());
    let s = reader.read_org("acme").await.unwrap();

    assert_eq!(s.teams.len(), 150);
    assert_eq!(s.members.len(), 261);
    assert_eq!(
        s.members
            .iter()
            .filter(|m| m.role == state::OrgRole::Admin)
            .count(),
        7
    );
    assert_eq!(s.invitations.len(), 130);
    let big = s.team("big").unwrap();
    assert_eq!(big.members.len(), 250);
    assert_eq!(
        big.members
            .iter()
            .filter(|m| m.role == state::TeamRole::Maintainer)
            .count(),
        3
    );
    assert_eq!(s.team("repos").unwrap().repos.len(), 150);
    assert_eq!(s.team("team-005").unwrap().parent.as_deref(), Some("big"));

    let (graphql, rest) = minimum_requests(&org, 100);
    assert_eq!(
        (graphql, rest),
        (7, 2),
        "2 team pages + 2 member pages + 2 + 1 nested; 2 invitation pages"
    );
    let count = reader.requests();
    assert_eq!((count.graphql, count.rest), (graphql, rest));
    let seen = gh.requests();
    assert_eq!((seen.graphql(), seen.rest()), (graphql, rest));
    assert_eq!(seen.count("GET", "/orgs/{org}/invitations"), 2);

    // Smaller team pages: more outer pages, same nested follow-ups.
    let gh2 = FakeGithub::start(org.clone()).await.unwrap();
    let h2 = harness(config(&gh2, "t")).await;
    let reader = GraphqlReader::new(h2.transport.clone()).with_options(ReadOptions {
        team_page_size: 40,
        concurrency: 8,
    });
    let s2 = reader.read_org("acme").await.unwrap();
    assert_eq!(s2, s);
    assert_eq!(reader.requests().graphql, minimum_requests(&org, 40).0);
    assert_eq!(minimum_requests(&org, 40).0, 4 + 2 + 3);
}

/// The member list is read from both ends at once. Members who join while
/// it is read can open a gap between the two halves; `totalCount` shows it
/// and the reader catches up from where the forward half stopped.
#[tokio::test]
async fn members_joining_during_the_read_are_caught_up() {
    let mut org = FakeState::new("acme", "boss");
    for i in 0..260 {
        org.add_member(&format!("user{i:03}"), OrgRole::Member);
    }
    // Hold both halves (GraphQL requests 2 and 3) until the newcomers are in.
    let hold = FaultRule {
        scope: FaultScope::Graphql,
        when: When::Range(2, 3),
        fault: Fault::Delay(Duration::from_secs(1)),
    };
    let gh = FakeGithub::start_with(org, Behaviour::default().with_fault(hold))
        .await
        .unwrap();
    let reader = GraphqlReader::connect(&config(&gh, "t")).await.unwrap();
    let read = tokio::spawn(async move {
        let state = reader.read_org("acme").await;
        (state, reader.requests())
    });
    while gh.requests().graphql() < 1 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // 50 newcomers sort between user150 and user151: the forward half reads
    // positions 100-199, the backward half 211-310 of 311.
    gh.with_state(|s| {
        for i in 0..50 {
            s.add_member(&format!("user150x{i:02}"), OrgRole::Member);
        }
    });
    let (state, count) = read.await.unwrap();
    let state = state.unwrap();
    assert_eq!(state.members.len(), 311);
    assert!(state.member("user150x49").is_some());
    assert!(state.member("user200").is_some());
    assert_eq!(
        count.graphql, 5,
        "first page, one page from each end, two catch-up pages"
    );
}

#[tokio::test]
async fn rest_reader_produces_the_same_state() {
    let mut org = big_org();
    org.set_team_member("team-005", "user255", TeamRole::Maintainer)
        .unwrap();
    let gh = FakeGithub::start(org).await.unwrap();
    let h = harness(config(&gh, "t")).await;
    let graphql = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap();
    let rest_reader = RestReader::new(Arc::new(
        Transport::connect(&config(&gh, "t")).await.unwrap(),
    ));
    let rest = rest_reader.read_org("acme").await.unwrap();
    assert_eq!(rest, graphql);
    assert_eq!(rest.to_json(), graphql.to_json());
    let big = rest.team("big").unwrap();
    assert!(
        !big.members.iter().any(|m| m.login == "user255"),
        "child-team members are not immediate members"
    );
    // viewer + 2 admin + 3 member pages + 2 invitation pages + 2 team pages
    // + per team (maintainers, members, repos) with 2 extra member pages for
    // `big` and 1 extra repo page for `repos`.
    let count = rest_reader.requests();
    assert_eq!(count.rest, 1 + 1 + 3 + 2 + 2 + 150 * 3 + 2 + 1);
    assert_eq!(count.graphql, 0);

    let small = FakeGithub::start(small_org()).await.unwrap();
    let a = GraphqlReader::connect(&config(&small, "t"))
        .await
        .unwrap()
        .read_org("acme")
        .await
        .unwrap();
    let b = RestReader::connect(&config(&small, "t"))
        .await
        .unwrap()
        .read_org("acme")
        .await
        .unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn retries_after_injected_bad_gateways() {
    let behaviour = Behaviour::default()
        .with_fault(FaultRule::nth(1, Fault::Status(502)).only_graphql())
        .with_fault(FaultRule::nth(3, Fault::Status(504)).only_graphql())
        .with_fault(FaultRule::nth(1, Fault::Status(503)).only_rest());
    let org = big_org();
    let gh = FakeGithub::start_with(org.clone(), behaviour)
        .await
        .unwrap();
    let h = harness(config(&gh, "t")).await;
    let reader = GraphqlReader::new(h.transport.clone());
    let s = reader.read_org("acme").await.unwrap();
    assert_eq!(s.teams.len(), 150);
    assert_eq!(s.team("big").unwrap().members.len(), 250);
    let (graphql, rest) = minimum_requests(&org, 100);
    let count = reader.requests();
    assert_eq!(
        (count.graphql, count.rest, count.retries),
        (graphql + 2, rest + 1, 3)
    );
    let waits = h.clock.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 3);
    assert!(
        waits.iter().all(|w| *w <= Duration::from_secs(1)),
        "first backoff ≤ 1 s: {waits:?}"
    );
    let events = h.events.lock().unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        ProgressEvent::Waiting {
            reason: WaitReason::ServerError(502),
            ..
        }
    )));
}

#[tokio::test]
async fn survives_a_fraction_of_failures() {
    let behaviour =
        Behaviour::default().with_fault(FaultRule::fraction(0.2, 42, Fault::Status(502)));
    let gh = FakeGithub::start_with(big_org(), behaviour).await.unwrap();
    let mut cfg = config(&gh, "t");
    cfg.retry = RetryPolicy {
        max_attempts: 10,
        ..RetryPolicy::default()
    };
    let h = harness(cfg).await;
    let clean = FakeGithub::start(big_org()).await.unwrap();
    let expected = GraphqlReader::connect(&config(&clean, "t"))
        .await
        .unwrap()
        .read_org("acme")
        .await
        .unwrap();
    let reader = GraphqlReader::new(h.transport.clone());
    assert_eq!(reader.read_org("acme").await.unwrap(), expected);
    assert!(reader.requests().retries > 0);
}

#[tokio::test]
async fn secondary_rate_limits_are_waited_out() {
    let behaviour = Behaviour::default()
        .with_fault(
            FaultRule::nth(
                1,
                Fault::SecondaryRateLimit {
                    status: 403,
                    retry_after: Some(90),
                },
            )
            .only_graphql(),
        )
        .with_fault(
            FaultRule::nth(
                1,
                Fault::SecondaryRateLimit {
                    status: 429,
                    retry_after: None,
                },
            )
            .only_rest(),
        );
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let h = harness(config(&gh, "t")).await;
    let started = std::time::Instant::now();
    let s = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap();
    assert_eq!(s.teams.len(), 3);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waits are scaled"
    );
    let mut waits = h.clock.waits.lock().unwrap().clone();
    waits.sort();
    assert_eq!(
        waits,
        vec![Duration::from_secs(60), Duration::from_secs(90)],
        "retry-after, else ≥ 60 s"
    );
    let events = h.events.lock().unwrap();
    let secondary = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ProgressEvent::Waiting {
                    reason: WaitReason::SecondaryRateLimit,
                    ..
                }
            )
        })
        .count();
    assert_eq!(secondary, 2);
}

#[tokio::test]
async fn primary_rate_limits_wait_for_the_reset() {
    let behaviour = Behaviour::default()
        .with_fault(FaultRule::nth(1, Fault::PrimaryRateLimit { reset_after: 30 }).only_graphql());
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let h = harness(config(&gh, "t")).await;
    GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap();
    let waits = h.clock.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] >= Duration::from_secs(29) && waits[0] <= Duration::from_secs(32),
        "{waits:?}"
    );

    // A wait beyond the budget is an error that says when the limit resets.
    let behaviour = Behaviour::default().with_fault(FaultRule::nth(
        1,
        Fault::PrimaryRateLimit { reset_after: 3600 },
    ));
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let mut cfg = config(&gh, "t");
    cfg.retry.max_total_wait = Duration::from_secs(600);
    let h = harness(cfg).await;
    let err = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap_err();
    assert!(matches!(err, GithubError::RateLimited { .. }), "{err}");
    assert!(
        err.to_string().contains("rate limit exhausted until"),
        "{err}"
    );
}

#[tokio::test]
async fn timeouts_are_retried() {
    let behaviour = Behaviour::default()
        .with_fault(FaultRule::nth(1, Fault::Delay(Duration::from_secs(3))).only_graphql());
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let mut cfg = config(&gh, "t");
    cfg.read_timeout = Duration::from_millis(300);
    let h = harness(cfg).await;
    let s = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap();
    assert_eq!(s.teams.len(), 3);
    let events = h.events.lock().unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        ProgressEvent::Waiting {
            reason: WaitReason::Transport(_),
            ..
        }
    )));
}

#[tokio::test]
async fn bad_tokens_are_reported_as_such() {
    let gh = FakeGithub::start_with(small_org(), Behaviour::default().with_token("good", "boss"))
        .await
        .unwrap();
    for reader_kind in ["graphql", "rest"] {
        let h = harness(config(&gh, "bad")).await;
        let err = match reader_kind {
            "graphql" => {
                GraphqlReader::new(h.transport.clone())
                    .read_org("acme")
                    .await
            }
            _ => RestReader::new(h.transport.clone()).read_org("acme").await,
        }
        .unwrap_err();
        assert!(matches!(err, GithubError::BadCredentials { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("401 Bad credentials") && text.contains("GITHUB_TOKEN"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn missing_scopes_are_explained() {
    let behaviour = Behaviour {
        tokens: vec![TokenGrant {
            token: "narrow".into(),
            login: "boss".into(),
            scopes: Some(vec!["repo".into()]),
        }],
        ..Behaviour::default()
    };
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let h = harness(config(&gh, "narrow")).await;
    let err = GraphqlReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap_err();
    assert!(matches!(err, GithubError::OrgAccessDenied { .. }), "{err}");
    assert!(err.to_string().contains("read:org"), "{err}");
    let err = RestReader::new(h.transport.clone())
        .read_org("acme")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read:org"), "{err}");
}

#[tokio::test]
async fn unknown_orgs_are_reported_as_such() {
    let gh = FakeGithub::start(small_org()).await.unwrap();
    let h = harness(config(&gh, "t")).await;
    for _ in 0..5 {
        let err = GraphqlReader::new(h.transport.clone())
            .read_org("acme-typo")
            .await
            .unwrap_err();
        assert!(matches!(err, GithubError::OrgNotFound { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("acme-typo") && text.contains("check the organisation name"),
            "{text}"
        );
    }
    let err = RestReader::new(h.transport.clone())
        .read_org("acme-typo")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("organisation name is wrong"),
        "{err}"
    );
}

/// A fake that issues installation token `token` for app installation 4242 and accepts only
/// that token and one other (so an expired installation token is refused), and the App
/// configuration to reach it.
async fn app_fake(token: &str) -> (FakeGithub, GithubConfig) {
    let behaviour = Behaviour {
        tokens: vec![TokenGrant {
            token: "some-other-token".into(),
            login: "boss".into(),
            scopes: None,
        }],
        installation: Some(Installation {
            id: 4242,
            token: token.into(),
            bot_login: "orgctl[bot]".into(),
        }),
        ..Behaviour::default()
    };
    let gh = FakeGithub::start_with(small_org(), behaviour)
        .await
        .unwrap();
    let mut cfg = config(&gh, "unused");
    cfg.credentials = Credentials::App {
        app_id: 99,
        private_key_pem: SecretString::from(include_str!("fixtures/test-app-key.pem")),
        installation_id: 4242,
    };
    (gh, cfg)
}

#[tokio::test]
async fn github_app_installations_authenticate() {
    let (gh, mut cfg) = app_fake("ghs_installation").await;
    let reader = GraphqlReader::connect(&cfg).await.unwrap();
    let s = reader.read_org("acme").await.unwrap();
    assert_eq!(s.viewer, None, "installations have no viewer");
    assert_eq!(s.teams.len(), 3);
    assert_eq!(
        gh.requests()
            .count("POST", "/app/installations/{installation_id}/access_tokens"),
        1
    );
    assert_eq!(reader.requests().rest, 2, "token + invitations");

    cfg.credentials = Credentials::App {
        app_id: 99,
        private_key_pem: SecretString::from(include_str!("fixtures/test-app-key.pem")),
        installation_id: 1,
    };
    let err = GraphqlReader::connect(&cfg).await.err().unwrap();
    assert!(err.to_string().contains("installation token"), "{err}");
}

#[tokio::test]
async fn a_malformed_installation_token_is_refused_not_a_panic() {
    // A hostile or broken server hands out a token that cannot be an HTTP header value.
    for token in ["ghs_SECRET\r\nX-Evil: 1", "ghs_SECRET\u{0}", ""] {
        let (_gh, cfg) = app_fake(token).await;
        let err = GraphqlReader::connect(&cfg).await.err().unwrap();
        let text = err.to_string();
        assert!(text.contains("installation token"), "{text}");
        assert!(text.contains("malformed"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}

/// A clock that jumps forward when told (the token's age), and sleeps a thousandth.
#[derive(Default)]
struct SteppedClock {
    ahead: std::sync::atomic::AtomicU64,
}

impl SteppedClock {
    fn advance(&self, by: Duration) {
        self.ahead
            .fetch_add(by.as_secs(), std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clock for SteppedClock {
    fn now_epoch(&self) -> u64 {
        RecordingClock::default().now_epoch()
            + self.ahead.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration / 1000))
    }
}

#[tokio::test]
async fn github_app_token_is_renewed_before_it_expires() {
    let (gh, cfg) = app_fake("ghs_first").await;
    let clock = Arc::new(SteppedClock::default());
    let transport = Arc::new(
        Transport::connect(&cfg)
            .await
            .unwrap()
            .with_clock(clock.clone()),
    );
    let reader = GraphqlReader::new(transport.clone());
    let exchanges = |gh: &FakeGithub| {
        gh.requests()
            .count("POST", "/app/installations/{installation_id}/access_tokens")
    };
    reader.read_org("acme").await.unwrap();
    assert_eq!(exchanges(&gh), 1);

    // The first token stops working (the fake now hands out and accepts only a new one).
    gh.with_behaviour(|b| b.installation.as_mut().unwrap().token = "ghs_second".into());
    // Ten minutes on, orgctl still uses it: the fake's refusal shows which token was sent.
    clock.advance(Duration::from_secs(10 * 60));
    let err = reader.read_org("acme").await.unwrap_err();
    assert!(matches!(err, GithubError::BadCredentials { .. }), "{err}");
    assert_eq!(exchanges(&gh), 1);

    // Fifty minutes after it was issued, orgctl gets a new token before the next request.
    clock.advance(Duration::from_secs(40 * 60));
    let s = reader.read_org("acme").await.unwrap();
    assert_eq!(s.teams.len(), 3);
    assert_eq!(exchanges(&gh), 2, "one renewal, not one per request");

    // Writes renew it too, and keep working across the renewal.
    gh.with_behaviour(|b| b.installation.as_mut().unwrap().token = "ghs_third".into());
    clock.advance(Duration::from_secs(51 * 60));
    let log = Mutex::new(Vec::new());
    let put = transport
        .write_idempotent(
            orgctl::github::WriteMethod::Put,
            "/orgs/acme/teams/security/memberships/bob",
            Some(&serde_json::json!({"role": "member"})),
            &log,
        )
        .await
        .unwrap();
    assert!(put.is_success(), "{put:?}");
    assert_eq!(exchanges(&gh), 3);
    assert_eq!(
        transport.requests().rest,
        3 + 3 + 1,
        "three token requests, the invitations of each of the three reads, one write"
    );
}

#[tokio::test]
async fn static_reader_stands_in_for_github() {
    let mut s = GithubState::new("acme");
    s.viewer = Some("boss".into());
    let reader = StaticReader(s.clone());
    assert_eq!(reader.read_org("ACME").await.unwrap(), s);
    assert!(matches!(
        reader.read_org("other").await,
        Err(GithubError::OrgNotFound { .. })
    ));
}
