//! `orgctl plan` and `orgctl state pull` against a live (fake) GitHub: the
//! fake is loaded with the example snapshot (`examples/github-state.json`) and
//! the binary reaches it through `GITHUB_TOKEN`, `GITHUB_API_URL` and
//! `GITHUB_GRAPHQL_URL`, as in GitHub Actions. Live and snapshot planning
//! must agree, and pulling the live state must give back the snapshot.

use assert_cmd::Command;
use fake_github::{Behaviour, FakeGithub, FakeState, Fault, FaultRule};
use orgctl::github::state::GithubState;

#[path = "support/github.rs"]
mod fakes;

const SNAPSHOT: &str = "examples/github-state.json";
const AS_OF: &str = "2026-11-25";

fn snapshot() -> GithubState {
    GithubState::from_json(&std::fs::read_to_string(SNAPSHOT).expect("read the snapshot"))
        .expect("parse the snapshot")
}

/// The fake organisation a snapshot describes: the same accounts (with their
/// ids), members, invitations (with their ids), teams (with their ids) and
/// the repositories the teams are granted.
fn fake_from(s: &GithubState) -> FakeState {
    let viewer = s.viewer.clone().expect("the snapshot names its viewer");
    let mut f = FakeState::new(&s.org, &viewer);
    f.users.clear();
    fakes::serve_snapshot(s, f)
}

fn orgctl() -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env("NO_COLOR", "1")
        .env_remove("ORGCTL_ORG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("GITHUB_GRAPHQL_URL")
        .env_remove("ORGCTL_APP_ID")
        .env_remove("ORGCTL_APP_PRIVATE_KEY")
        .env_remove("ORGCTL_APP_INSTALLATION_ID")
        .env_remove("ORGCTL_GITHUB_TIMEOUT")
        .env_remove("ORGCTL_GITHUB_READ_DEADLINE");
    c
}

fn live(gh: &FakeGithub) -> Command {
    let mut c = orgctl();
    c.env("GITHUB_TOKEN", "live-test-token")
        .env("GITHUB_API_URL", gh.url())
        .env("GITHUB_GRAPHQL_URL", gh.graphql_url());
    c
}

/// Runs `command` off the async runtime (the fake keeps serving meanwhile).
async fn run(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("run orgctl"))
        .await
        .expect("join")
}

#[test]
fn the_fake_holds_exactly_the_snapshot() {
    let s = snapshot();
    let f = fake_from(&s);
    assert_eq!(f.members.len(), s.members.len());
    assert_eq!(f.teams.len(), s.teams.len());
    assert_eq!(f.invitations.len(), s.invitations.len());
    assert!(f.users.values().all(|u| u.id != 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_plan_equals_snapshot_plan() {
    let gh = FakeGithub::start(fake_from(&snapshot()))
        .await
        .expect("start the fake");

    let mut offline = orgctl();
    offline.args(["plan", "--as-of", AS_OF, "--state", SNAPSHOT]);
    let offline = run(offline).await;
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );

    let mut online = live(&gh);
    online.args(["plan", "--as-of", AS_OF]);
    let online = run(online).await;
    let stderr = String::from_utf8_lossy(&online.stderr);
    assert!(online.status.success(), "{stderr}");
    assert!(gh.requests().total() > 0, "the plan read the fake");
    assert!(
        stderr.contains("read GitHub organisation `nixos-example`"),
        "{stderr}"
    );
    let (offline, online) = (
        String::from_utf8_lossy(&offline.stdout),
        String::from_utf8_lossy(&online.stdout),
    );
    assert!(offline.contains("Plan: "), "{offline}");
    assert_eq!(online, offline, "live and snapshot planning agree");

    // The saved plans agree too, fingerprints included.
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (
        dir.path().join("live.json"),
        dir.path().join("offline.json"),
    );
    let mut online = live(&gh);
    online.args(["plan", "--as-of", AS_OF, "--format", "json", "--out"]);
    online.arg(&a);
    let mut offline = orgctl();
    offline.args([
        "plan", "--as-of", AS_OF, "--state", SNAPSHOT, "--format", "json", "--out",
    ]);
    offline.arg(&b);
    assert!(run(online).await.status.success());
    assert!(run(offline).await.status.success());
    assert_eq!(
        std::fs::read_to_string(&a).expect("live plan"),
        std::fs::read_to_string(&b).expect("offline plan")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_pull_gives_back_the_snapshot() {
    let expected = snapshot();
    let gh = FakeGithub::start(fake_from(&expected))
        .await
        .expect("start the fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("state.json");
    let mut pull = live(&gh);
    pull.args(["state", "pull", "--as-of", AS_OF, "--out"]);
    pull.arg(&out);
    let pulled = run(pull).await;
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("the snapshot was written");
    let mut pulled = GithubState::from_json(&text).expect("a valid snapshot");
    pulled.normalize();
    let mut expected = expected;
    expected.normalize();
    assert_eq!(pulled, expected);
    assert_eq!(
        text,
        expected.to_json(),
        "byte for byte after normalisation"
    );
    // Small org: one GraphQL page and one invitation page.
    let seen = gh.requests();
    assert_eq!((seen.graphql(), seen.rest()), (1, 1));
}

// ---- hostile servers and malformed settings ------------------------------------------------

/// A server that answers every request with a valid HTTP response, sending its first `at_once`
/// bytes at once and then one byte every `every`, forever (a body that never ends). With
/// `at_once = 0` even the status line trickles. Returns the server's base URL.
async fn trickle_server(at_once: usize, every: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut request).await;
                let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{\"data\": ";
                let split = at_once.min(head.len());
                if socket.write_all(&head[..split]).await.is_err() {
                    return;
                }
                let mut rest = head[split..].iter().copied().chain(std::iter::repeat(b' '));
                loop {
                    tokio::time::sleep(every).await;
                    let byte = [rest.next().unwrap_or(b' ')];
                    if socket.write_all(&byte).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

/// `orgctl` pointed at `url` with a 2 s request timeout and a 6 s deadline for reading the org.
fn hostile(url: &str) -> Command {
    let mut c = orgctl();
    c.env("GITHUB_TOKEN", "live-test-token")
        .env("GITHUB_API_URL", url)
        .env("GITHUB_GRAPHQL_URL", format!("{url}graphql"))
        .env("ORGCTL_GITHUB_TIMEOUT", "2")
        .env("ORGCTL_GITHUB_READ_DEADLINE", "6")
        .timeout(std::time::Duration::from_secs(45));
    c
}

/// The run ended by itself (exit 1, not killed at the bound) with an error naming the endpoint
/// and the settings that bound it.
fn assert_abandoned(out: &std::process::Output, started: std::time::Instant) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "not stopped by itself: {stderr}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    // Both first requests (the GraphQL page, the REST invitations) run at once: either may be
    // the one the error names.
    assert!(
        stderr.contains("gave up on POST /graphql (")
            || stderr.contains("gave up on GET /orgs/nixos-example/invitations"),
        "{stderr}"
    );
    assert!(stderr.contains("ORGCTL_GITHUB_READ_DEADLINE"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_trickles_its_headers_is_abandoned() {
    let url = trickle_server(0, std::time::Duration::from_millis(300)).await;
    let mut plan = hostile(&url);
    plan.args(["plan", "--as-of", AS_OF, "--no-email"]);
    let started = std::time::Instant::now();
    let out = run(plan).await;
    assert_abandoned(&out, started);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ORGCTL_GITHUB_TIMEOUT"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_trickles_its_body_is_abandoned() {
    let url = trickle_server(usize::MAX, std::time::Duration::from_millis(300)).await;
    let mut pull = hostile(&url);
    pull.args(["state", "pull", "--github-org", "nixos-example"]);
    let started = std::time::Instant::now();
    let out = run(pull).await;
    assert_abandoned(&out, started);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ORGCTL_GITHUB_TIMEOUT"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_beyond_the_read_deadline_stops_at_once() {
    // GitHub asks for five minutes (within the retry budget) but the read may take six seconds.
    let gh = FakeGithub::start_with(
        fake_from(&snapshot()),
        Behaviour::default().with_fault(
            FaultRule::fraction(
                1.0,
                1,
                Fault::SecondaryRateLimit {
                    status: 403,
                    retry_after: Some(300),
                },
            )
            .only_graphql(),
        ),
    )
    .await
    .expect("start the fake");
    let mut plan = hostile(&gh.url());
    plan.args(["plan", "--as-of", AS_OF, "--no-email"]);
    let started = std::time::Instant::now();
    let out = run(plan).await;
    assert_abandoned(&out, started);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("300 s"),
        "says how long GitHub asked: {stderr}"
    );
    assert_eq!(gh.requests().graphql(), 1, "no second attempt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_credentials_are_named_never_shown_and_never_panic() {
    let gh = FakeGithub::start(fake_from(&snapshot()))
        .await
        .expect("start the fake");
    let secret = "ghp_SECRETpart";
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (
            vec![("GITHUB_TOKEN", format!("{secret}\nX-Evil: 1"))],
            "GITHUB_TOKEN",
        ),
        (
            vec![("GITHUB_TOKEN", format!("{secret}\u{7f}"))],
            "GITHUB_TOKEN",
        ),
        (
            vec![("GITHUB_TOKEN", format!("{secret} two"))],
            "GITHUB_TOKEN",
        ),
        (
            vec![
                ("ORGCTL_APP_ID", format!("12{secret}")),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    include_str!("fixtures/test-app-key.pem").to_string(),
                ),
                ("ORGCTL_APP_INSTALLATION_ID", "34".into()),
            ],
            "ORGCTL_APP_ID",
        ),
        (
            vec![
                ("ORGCTL_APP_ID", "12".into()),
                (
                    "ORGCTL_APP_PRIVATE_KEY",
                    include_str!("fixtures/test-app-key.pem").to_string(),
                ),
                ("ORGCTL_APP_INSTALLATION_ID", format!("3\r4{secret}")),
            ],
            "ORGCTL_APP_INSTALLATION_ID",
        ),
        (
            vec![
                ("GITHUB_TOKEN", "fine".into()),
                ("ORGCTL_GITHUB_TIMEOUT", secret.to_string()),
            ],
            "ORGCTL_GITHUB_TIMEOUT",
        ),
        (
            vec![
                ("GITHUB_TOKEN", "fine".into()),
                ("ORGCTL_GITHUB_READ_DEADLINE", "99999999999999999999".into()),
            ],
            "ORGCTL_GITHUB_READ_DEADLINE",
        ),
    ];
    for (vars, named) in cases {
        let mut plan = orgctl();
        plan.env("GITHUB_API_URL", gh.url())
            .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
            .args(["plan", "--as-of", AS_OF, "--no-email"]);
        for (k, v) in &vars {
            plan.env(k, v);
        }
        let out = run(plan).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{named}: {stderr}");
        assert!(!stderr.contains("panicked"), "{named}: {stderr}");
        assert!(stderr.contains(named), "{named}: {stderr}");
        assert!(stderr.contains("malformed"), "{named}: {stderr}");
        assert!(
            !stderr.contains("SECRET"),
            "{named} printed its value: {stderr}"
        );
    }
    assert_eq!(gh.requests().total(), 0, "nothing was sent");
}
