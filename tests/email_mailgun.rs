//! End to end: `orgctl email plan/apply` against the local fake of Mailgun's Routes API.

mod support;

use fake_mailgun::FakeMailgun;
use support::{BOB, Work};

const KEY: &str = "key-test-0123456789";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn run(mut cmd: assert_cmd::Command) -> Run {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("utf-8"),
        stderr: String::from_utf8(out.stderr).expect("utf-8"),
    }
}

async fn setup() -> (Work, FakeMailgun) {
    let fake = FakeMailgun::start(KEY).await.expect("fake");
    let work = Work::new();
    work.standard_org("    kind: mailgun\n    domain: example.org\n");
    // The endpoint comes from the operator's environment, never from the org files.
    work.set_env("ORGCTL_MAILGUN_API_URL", &fake.url);
    (work, fake)
}

fn cmd(work: &Work, args: &[&str]) -> assert_cmd::Command {
    let mut c = work.orgctl();
    c.env("MAILGUN_API_KEY", KEY)
        .env("ORGCTL_EMAIL_BOB", BOB)
        .arg("email")
        .args(args);
    c
}

/// Recipients forwarded to for `alias` by orgctl's routes, sorted.
fn delivered(fake: &FakeMailgun, alias: &str) -> Vec<String> {
    let expr = format!("match_recipient(\"^{}$\")", alias.replace('.', "\\."));
    let mut out: Vec<String> = fake
        .routes()
        .iter()
        .filter(|r| r.expression == expr)
        .flat_map(|r| r.actions.clone())
        .map(|a| {
            a.trim_start_matches("forward(\"")
                .trim_end_matches("\")")
                .to_string()
        })
        .collect();
    out.sort();
    out
}

fn writes(fake: &FakeMailgun) -> Vec<(String, String)> {
    fake.requests()
        .into_iter()
        .filter(|(m, _)| m != "GET")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_from_empty_then_converged() {
    let (work, fake) = setup().await;
    let catch_all = fake.insert(
        100,
        "hand-made catch-all",
        "catch_all()",
        &["forward(\"ops@example.net\")"],
    );
    let r = run(cmd(&work, &["plan"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("  + email_alias[\"infra@example.org\"]\n      + alice@example.com\n      + bob <redacted>\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Plan: 6 to add, 0 to change, 0 to destroy.")
    );

    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Apply complete: 6 added, 0 changed, 0 destroyed."),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("private.example"));
    for (alias, mut want) in Work::standard_expected() {
        want.sort();
        assert_eq!(delivered(&fake, alias), want, "{alias}");
    }
    // Descriptions carry the marker and digests, never a private address.
    for route in fake.routes().iter().filter(|r| r.id != catch_all) {
        assert!(
            route.description.starts_with("orgctl:v1 alias="),
            "{}",
            route.description
        );
        assert!(!route.description.contains("private.example"));
    }
    assert_eq!(
        fake.routes().iter().filter(|r| r.id == catch_all).count(),
        1
    );

    fake.clear_requests();
    let r = run(cmd(&work, &["plan", "--detailed-exitcode"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert!(r.stdout.contains("No changes."));
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        writes(&fake),
        Vec::<(String, String)>::new(),
        "a no-op apply makes no writes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists_are_split_into_routes_under_the_documented_limit() {
    let (work, fake) = setup().await;
    let many: String = (0..200)
        .map(|i| format!("  - address: member{i:03}@lists.example\n"))
        .collect();
    work.write(
        "org/aliases/big.yaml",
        &format!("address: big@example.org\nrecipients:\n{many}"),
    );
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let parts: Vec<_> = fake
        .routes()
        .into_iter()
        .filter(|r| r.description.contains("alias=big@example.org"))
        .collect();
    assert!(parts.len() >= 2, "{}", parts.len());
    for p in &parts {
        assert!(p.actions.iter().map(String::len).sum::<usize>() <= fake_mailgun::MAX_FIELD);
    }
    assert_eq!(delivered(&fake, "big@example.org").len(), 200);

    // Shrinking the list deletes the parts no longer needed.
    work.write(
        "org/aliases/big.yaml",
        "address: big@example.org\nrecipients: [{address: one@lists.example}]\n",
    );
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(delivered(&fake, "big@example.org"), ["one@lists.example"]);
    let r = run(cmd(&work, &["plan"])).await;
    assert!(r.stdout.contains("No changes."), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_deletes_touch_only_marked_routes() {
    let (work, fake) = setup().await;
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let other = fake.insert(
        5,
        "hand-made",
        "match_recipient(\"^sales@example\\.org$\")",
        &["forward(\"s@example.net\")"],
    );
    work.remove("org/aliases/board.yaml");
    work.write(
        "org/aliases/security.yaml",
        "address: security@example.org\nrecipients:\n  - team: infra\n    leads_only: true\n  - address: reports@external.example\n",
    );
    let r = run(cmd(&work, &["plan"])).await;
    assert!(
        r.stdout
            .contains("  - email_alias[\"board@example.org\"]\n      - carol@example.net\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  ~ email_alias[\"security@example.org\"]\n      - carol@example.net\n"),
        "{}",
        r.stdout
    );
    fake.clear_requests();
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Apply complete: 0 added, 1 changed, 1 destroyed."),
        "{}",
        r.stdout
    );
    let methods: Vec<String> = writes(&fake).into_iter().map(|(m, _)| m).collect();
    assert_eq!(methods, ["DELETE", "PUT"]);
    assert!(delivered(&fake, "board@example.org").is_empty());
    assert!(
        fake.routes().iter().any(|r| r.id == other),
        "unmarked route must stay"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_edited_route_is_drift_and_conflicting_route_is_refused() {
    let (work, fake) = setup().await;
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let infra = fake
        .routes()
        .into_iter()
        .find(|r| r.description.contains("alias=infra@example.org "))
        .expect("infra route");
    fake.edit(&infra.id, |r| {
        r.actions.push("forward(\"eve@home.example\")".into())
    });
    let r = run(cmd(&work, &["plan", "--detailed-exitcode"])).await;
    assert_eq!(r.code, Some(2));
    assert!(
        r.stdout.contains(&format!(
            "email_alias[\"infra@example.org\"]: route {} edited by hand since the last apply",
            infra.id
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("eve@home.example"), "{}", r.stdout);
    let before = fake.routes();
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("--allow-drift"), "{}", r.stderr);
    assert_eq!(fake.routes(), before, "nothing written");
    let r = run(cmd(&work, &["apply", "--auto-approve", "--allow-drift"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        delivered(&fake, "infra@example.org"),
        ["alice@example.com", BOB]
    );

    let hand = fake.insert(
        1,
        "legacy",
        "match_recipient('board@example.org')",
        &["forward(\"x@example.net\")"],
    );
    let r = run(cmd(&work, &["plan"])).await;
    assert!(
        r.stdout.contains(&format!(
            "also defined outside orgctl's control (Mailgun route {hand} without orgctl's marker)"
        )),
        "{}",
        r.stdout
    );
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("refusing to apply"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_errors_are_retried_and_bad_keys_explained() {
    let (work, fake) = setup().await;
    fake.fail_next(2, 503);
    let r = run(cmd(&work, &["plan"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 503"), "{}", r.stderr);
    let mut c = work.orgctl();
    c.env("MAILGUN_API_KEY", "wrong").args(["email", "plan"]);
    let r = run(c).await;
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("GET /v3/routes: HTTP 401: Invalid private key; check MAILGUN_API_KEY"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wrong"), "{}", r.stderr);
    let mut c = work.orgctl();
    c.args(["email", "plan"]);
    let r = run(c).await;
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("needs an API key"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unresolvable_secret_writes_nothing() {
    let (work, fake) = setup().await;
    let mut c = work.orgctl();
    c.env("MAILGUN_API_KEY", KEY)
        .args(["email", "apply", "--auto-approve"]);
    let r = run(c).await;
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("private address of `bob` (env secret)"),
        "{}",
        r.stderr
    );
    assert!(writes(&fake).is_empty());
    assert!(fake.routes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_is_reported_others_continue_and_rerun_converges() {
    let (work, fake) = setup().await;
    fake.fail_next_method("POST", 500);
    let r = run(cmd(&work, &["apply", "--auto-approve", "--format", "json"])).await;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let failed: Vec<&serde_json::Value> = report["applied"]
        .as_array()
        .expect("applied")
        .iter()
        .filter(|a| a.get("error").is_some())
        .collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("POST /v3/routes: HTTP 500")
    );
    assert_eq!(report["failed"], true);
    let summary = report["summary"].as_str().unwrap_or_default();
    assert!(
        summary.starts_with("Apply incomplete: 5 added, 0 changed, 0 destroyed; 1 failed."),
        "{summary}"
    );
    // Re-running converges to the desired state and then has nothing left to do.
    let r = run(cmd(&work, &["apply", "--auto-approve"])).await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Apply complete: 1 added, 0 changed, 0 destroyed."),
        "{}",
        r.stdout
    );
    for (alias, mut want) in Work::standard_expected() {
        want.sort();
        assert_eq!(delivered(&fake, alias), want, "{alias}");
    }
    let r = run(cmd(&work, &["plan"])).await;
    assert!(r.stdout.contains("No changes."), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_url_in_the_files_never_receives_the_key() {
    let fake = FakeMailgun::start(KEY).await.expect("fake");
    let work = Work::new();
    work.standard_org(&format!(
        "    kind: mailgun\n    domain: example.org\n    api_url: {}\n",
        fake.url
    ));
    for args in [
        &["check"][..],
        &["email", "plan"],
        &["email", "apply", "--auto-approve"],
    ] {
        let mut c = work.orgctl();
        c.env("MAILGUN_API_KEY", KEY)
            .env("ORGCTL_EMAIL_BOB", BOB)
            .args(args);
        let r = run(c).await;
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stdout);
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(text.contains("email-backend"), "{args:?}: {text}");
        assert!(
            text.contains("is not one of Mailgun's API hosts"),
            "{args:?}: {text}"
        );
        assert!(text.contains("org/org.yaml:7:14"), "{args:?}: {text}");
        assert!(text.contains("region: eu"), "{args:?}: {text}");
    }
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

/// Reads one request's head (the requests here have no body), as a server does before it
/// answers: answering first makes the client fail on its write instead of on the answer.
/// `false` when the connection ended.
fn read_request(stream: &mut std::net::TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match std::io::Read::read(stream, &mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => return false,
        }
    }
    true
}

/// A hostile Mailgun on 127.0.0.1: every request on every connection gets `answer`, until
/// `answer` returns `false` (a write failed). Returns its address.
fn hostile_mailgun(
    answer: impl Fn(&mut std::net::TcpStream) -> bool + Send + Sync + 'static,
) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let answer = std::sync::Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let answer = answer.clone();
            std::thread::spawn(move || while read_request(&mut stream) && answer(&mut stream) {});
        }
    });
    addr
}

/// `orgctl email plan` of the standard org against the Mailgun at `addr`, with `env` set, under
/// the harness's own bound (a regression fails instead of hanging the suite).
async fn plan_against(addr: std::net::SocketAddr, env: &[(&str, &str)]) -> Run {
    let work = Work::new();
    work.standard_org("    kind: mailgun\n    domain: example.org\n");
    work.set_env("ORGCTL_MAILGUN_API_URL", &format!("http://{addr}"));
    for (k, v) in env {
        work.set_env(k, v);
    }
    let mut c = work.orgctl();
    c.env("MAILGUN_API_KEY", KEY)
        .args(["email", "plan"])
        .timeout(std::time::Duration::from_secs(60));
    run(c).await
}

/// A server that answers one byte every 100 ms, forever: the request deadline ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_server_cannot_hold_plan() {
    use std::io::Write;
    let addr = hostile_mailgun(|stream| {
        for b in b"HTTP/1.1 200 OK\r\nX-Slow: "
            .iter()
            .chain(std::iter::repeat(&b'a'))
        {
            if stream.write_all(&[*b]).is_err() {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    });
    let started = std::time::Instant::now();
    let r = plan_against(addr, &[("ORGCTL_MAILGUN_TIMEOUT_SECS", "0.5")]).await;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("no complete response within 0.5s"),
        "{}",
        r.stderr
    );
    // Four attempts of 0.5 s and the backoff between them.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

/// A server that pages forever (`total_count` far above what it ever delivers): orgctl stops
/// after `MAX_ROUTES` routes with a clear error instead of reading without end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_paging_forever_is_refused() {
    use std::io::Write;
    let page: String = {
        let items: Vec<String> = (0..1000)
            .map(|i| format!(r#"{{"id":"r{i}","priority":0,"description":"x","expression":"match_recipient(\"x{i}@example.org\")","actions":["stop()"]}}"#))
            .collect();
        format!(
            r#"{{"total_count":100000000,"items":[{}]}}"#,
            items.join(",")
        )
    };
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    let addr = hostile_mailgun(move |stream| {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            page.len()
        );
        stream.write_all(head.as_bytes()).is_ok() && stream.write_all(page.as_bytes()).is_ok()
    });
    let r = plan_against(addr, &[]).await;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the server lists more than 100000 routes"),
        "{}",
        r.stderr
    );
    assert_eq!(
        served.load(std::sync::atomic::Ordering::Relaxed),
        100,
        "stops after 100 pages"
    );
}

/// An answer larger than `MAX_BODY` (64 MiB) is refused, not read into memory whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_answer_is_refused() {
    use std::io::Write;
    let addr = hostile_mailgun(|stream| {
        let size: usize = 80 << 20;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n"
        );
        if stream.write_all(head.as_bytes()).is_err() {
            return false;
        }
        let chunk = vec![b' '; 1 << 20];
        (0..80).all(|_| stream.write_all(&chunk).is_ok())
    });
    let r = plan_against(addr, &[]).await;
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("the answer is larger than 64 MiB"),
        "{}",
        r.stderr
    );
}

/// Every Mailgun write of `orgctl apply` is in its audit record, with the change it was made
/// for: method, path, status and timing, never a request body (recipients stay out).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_record_has_every_mailgun_write() {
    let (work, fake) = setup().await;
    let audit = work.path().join("audit.json");
    let mut c = work.orgctl();
    c.env("MAILGUN_API_KEY", KEY)
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["apply", "--provider", "email", "--auto-approve", "--audit"])
        .arg(&audit);
    let r = run(c).await;
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("... ok (200, "), "{}", r.stdout);
    let text = std::fs::read_to_string(&audit).expect("audit");
    assert!(!text.contains("private.example"), "{text}");
    let record: serde_json::Value = serde_json::from_str(&text).expect("json");
    let recorded: Vec<(String, String)> = record["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .flat_map(|c| c["requests"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            assert!(e["started_at"].is_string(), "{e}");
            assert_eq!(e["status"], 200, "{e}");
            (
                e["method"].as_str().unwrap_or_default().to_string(),
                e["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(recorded, writes(&fake), "every write, in order");
    assert!(!recorded.is_empty());
}
