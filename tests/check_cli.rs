//! End-to-end tests of `orgctl check`: formats, exit codes, `--skip`, `--rev`, and hostile input.
//! Each bad-input case must produce a clear diagnostic naming the file, never a panic or hang,
//! and the rest of the org must still be checked.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

mod support;
use std::time::{Duration, Instant};

fn orgctl() -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env_remove("ORGCTL_ORG")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120");
    c
}

/// A small valid org in a temp dir.
fn small_org() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        ("org.yaml", "name: Test\nemail:\n  domains: [example.org]\n"),
        (
            "people/alice.yaml",
            "name: Alice\nemail: alice@example.com\n",
        ),
        ("people/bob.yaml", "name: Bob\nemail: bob@example.com\n"),
        (
            "teams/core.yaml",
            "name: Core\nleads: [alice]\nmembers: [alice, bob]\nemail:\n  - address: core@example.org\n",
        ),
    ];
    for (p, t) in files {
        write(dir.path(), p, t.as_bytes());
    }
    dir
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, bytes).expect("write");
}

fn check_json(dir: &Path) -> (serde_json::Value, i32) {
    let out = orgctl()
        .args([
            "check",
            "--as-of",
            "2026-11-25",
            "--format",
            "json",
            "--org",
        ])
        .arg(dir)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json: {e}\n{}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().expect("exit code"))
}

fn rules_for(v: &serde_json::Value, file_suffix: &str) -> Vec<(String, String, Option<u64>)> {
    v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(file_suffix)))
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn example_org_is_clean() {
    orgctl()
        .args(["check", "--as-of", "2026-11-25"])
        .assert()
        .success()
        .stdout(predicates::str::contains("no problems found"));
}

#[test]
fn broken_example_reports_every_planted_problem_at_its_line() {
    let (v, code) = check_json(Path::new("examples/broken/org"));
    assert_eq!(code, 1);
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["rule"].as_str().expect("rule"))
        .collect();
    for expected in [
        "alias-recipient-address",
        "dangling-reference",
        "expense-over-allocation",
        "expired-term",
        "lead-not-member",
        "member-and-alumnus",
        "parent-cycle",
        "schema",
        "yaml",
    ] {
        assert!(rules.contains(&expected), "missing {expected} in {rules:?}");
    }
    let typo = rules_for(&v, "teams/design.yaml");
    assert_eq!(
        typo,
        [("schema".into(), "unknown field `memebrs`".into(), Some(3))]
    );
}

#[test]
fn human_output_underlines_and_helps() {
    let out = orgctl()
        .args([
            "check",
            "--as-of",
            "2026-11-25",
            "--org",
            "examples/broken/org",
        ])
        .output()
        .expect("run");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("examples/broken/org/teams/design.yaml:3:1: unknown field `memebrs`"),
        "{s}"
    );
    assert!(s.contains("help: did you mean `members`?"), "{s}");
    assert!(!s.contains('\u{1b}'), "NO_COLOR must disable colour");
    assert!(s.trim_end().ends_with("8 errors, 1 warning"), "{s}");
}

#[test]
fn github_format_annotates() {
    let out = orgctl()
        .args([
            "check",
            "--as-of",
            "2026-11-25",
            "--format",
            "github",
            "--org",
            "examples/broken/org",
        ])
        .output()
        .expect("run");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.lines()
            .any(|l| l
                .starts_with("::error file=examples/broken/org/teams/design.yaml,line=3,col=1,")),
        "{s}"
    );
    assert!(s.lines().any(|l| l.starts_with("::warning ")), "{s}");
}

#[test]
fn skip_and_deny_warnings() {
    let dir = small_org();
    write(dir.path(), "people/carol.yaml", b"name: Carol\n");
    let base = || {
        let mut c = orgctl();
        c.args(["check", "--as-of", "2026-11-25", "--org"])
            .arg(dir.path());
        c
    };
    base().assert().success();
    base().arg("--deny-warnings").assert().code(1);
    base()
        .args(["--deny-warnings", "--skip", "orphan-person"])
        .assert()
        .success();
    base()
        .args(["--skip", "orphan-persn"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("did you mean `orphan-person`"));
}

#[test]
fn rules_lists_every_rule() {
    let out = orgctl()
        .args(["rules", "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v.as_array().expect("array").len(),
        orgctl::cli::registry::rules().len()
    );
    // The providers' rules are listed with the core's.
    assert!(
        v.as_array()
            .expect("array")
            .iter()
            .any(|r| r["name"] == "email-backend")
    );
}

#[test]
fn committed_schemas_are_fresh() {
    orgctl()
        .args(["schema", "--check", "--out", "schemas"])
        .assert()
        .success();
}

#[test]
fn missing_org_dir_is_a_clear_error() {
    orgctl()
        .args(["check", "--org", "does/not/exist"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "cannot read the org directory `does/not/exist`",
        ));
}

/// Every hostile file gets its own diagnostic while the good files are still checked.
#[test]
fn hostile_input_is_reported_not_fatal() {
    let dir = small_org();
    let root = dir.path();
    // A dangling reference in a good file proves the rest of the org is still checked.
    write(
        root,
        "teams/extra.yaml",
        b"name: Extra\nmembers: [alice, ghost]\n",
    );
    write(
        root,
        "teams/tabs.yaml",
        b"name: Tabs\nmembers:\n\t- alice\n",
    );
    write(
        root,
        "teams/bom.yaml",
        b"\xEF\xBB\xBFname: Bom\nmembers: [alice]\n",
    );
    write(
        root,
        "teams/crlf.yaml",
        b"name: Crlf\r\nmembers: [alice, nobody]\r\n",
    );
    write(
        root,
        "teams/badutf.yaml",
        b"name: Bad \xFF\xFE\nmembers: [alice]\n",
    );
    write(root, "teams/dupkey.yaml", b"name: A\nname: B\n");
    write(
        root,
        "teams/malformed.yaml",
        b"name: [unclosed\nmembers: {\n",
    );
    write(root, "teams/empty.yaml", b"");
    write(
        root,
        "teams/number.yaml",
        b"name: 12345\nmembers: [alice]\n",
    );
    write(root, "teams/notes.txt", b"not yaml");
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        laughs.push_str(&format!("{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    laughs.push_str("name: *j\n");
    write(root, "teams/laughs.yaml", laughs.as_bytes());
    let deep = format!(
        "name: x\nparent: {}1{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(root, "teams/deep.yaml", deep.as_bytes());
    let big = vec![b'#'; 200 * 1024 * 1024];
    write(root, "teams/huge.yaml", &big);
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("tempdir");
        write(outside.path(), "evil.yaml", b"name: Evil\n");
        std::os::unix::fs::symlink(
            outside.path().join("evil.yaml"),
            root.join("teams/evil.yaml"),
        )
        .expect("symlink");
        let start = Instant::now();
        let (v, code) = check_json(root);
        assert!(start.elapsed() < Duration::from_secs(30), "bounded time");
        assert_eq!(code, 1);
        let one = |suffix: &str, rule: &str, needle: &str| {
            let found = rules_for(&v, suffix);
            assert!(
                found
                    .iter()
                    .any(|(r, m, _)| r == rule && m.to_lowercase().contains(needle)),
                "{suffix}: expected {rule} containing {needle:?}, got {found:?}"
            );
        };
        one("teams/extra.yaml", "dangling-reference", "ghost");
        one("teams/tabs.yaml", "yaml", "");
        one("teams/crlf.yaml", "dangling-reference", "nobody");
        one("teams/badutf.yaml", "load", "utf-8");
        one("teams/dupkey.yaml", "yaml", "duplicate");
        one("teams/malformed.yaml", "yaml", "");
        one("teams/empty.yaml", "yaml", "empty");
        one("teams/number.yaml", "schema", "not of type string");
        one("teams/notes.txt", "load", "not part of the org");
        one("teams/laughs.yaml", "yaml", "");
        one("teams/deep.yaml", "yaml", "");
        one("teams/huge.yaml", "load", "at most");
        let evil: Vec<_> = v["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .filter(|d| {
                d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("outside the org directory"))
            })
            .collect();
        assert_eq!(evil.len(), 1, "symlink leaving the org: {v}");
        // The BOM file parsed fine: no diagnostic at all for it.
        assert!(rules_for(&v, "teams/bom.yaml").is_empty());
        // Line numbers survive CRLF.
        assert_eq!(rules_for(&v, "teams/crlf.yaml")[0].2, Some(2));
    }
}

#[test]
fn reads_the_org_at_a_git_revision() {
    let dir = small_org();
    let root = dir.path();
    let git = |args: &[&str]| support::git(root, args);
    // Put the org under org/ in a repository, commit, then break the work tree.
    fs::create_dir_all(root.join("org")).expect("mkdir");
    for sub in ["org.yaml", "people", "teams"] {
        fs::rename(root.join(sub), root.join("org").join(sub)).expect("move");
    }
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "good"]);
    write(
        root,
        "org/teams/core.yaml",
        b"name: Core\nleads: [zed]\nmembers: [alice]\n",
    );
    git(&["commit", "-qam", "bad"]);
    let run = |rev: &str| {
        orgctl()
            .current_dir(root)
            .args(["check", "--as-of", "2026-11-25", "--rev", rev])
            .output()
            .expect("run")
    };
    let good = run("HEAD~1");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    let bad = run("HEAD");
    assert_eq!(bad.status.code(), Some(1));
    let s = String::from_utf8_lossy(&bad.stdout);
    assert!(
        s.contains("HEAD:org/teams/core.yaml:2:9: unknown person `zed`"),
        "{s}"
    );
    let missing = run("no-such-branch");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("unknown revision"));
}

/// A FIFO among the org files: `check` reports it and ends (the harness's timeout turns a
/// regression that blocks into a failure).
#[test]
fn a_fifo_org_file_does_not_block_check() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(d.path().join("org/people")).expect("mkdir");
    std::fs::write(d.path().join("org/org.yaml"), "name: O\n").expect("write");
    let status = std::process::Command::new("mkfifo")
        .arg(d.path().join("org/people/alice.yaml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let out = assert_cmd::Command::cargo_bin("orgctl")
        .expect("binary")
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .args(["--org", "org", "check"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .expect("run");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("org/people/alice.yaml: cannot read the file: not a regular file (a FIFO)"),
        "{text}"
    );
}
