//! One `--format` type with per-command values, and one way to choose providers (`--provider`,
//! with `--no-email` / `--no-github` as aliases) on plan, apply and state.

use assert_cmd::Command;
use clap::Parser;
use orgctl::cli::Cli;

const AS_OF: &str = "2026-11-25";

fn orgctl() -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env("NO_COLOR", "1").env_remove("GITHUB_TOKEN");
    c
}

/// `orgctl plan ARGS` on the example org: its standard output, failing on an error.
fn plan(args: &[&str]) -> String {
    let out = orgctl()
        .args(["--as-of", AS_OF, "plan", "--format", "json"])
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

const STATE: [&str; 2] = ["--state", "examples/github-state.json"];

/// Whether the plan document has changes whose resource type (`<provider>_<kind>`) starts with
/// `prefix` (`github_`, `email_alias`).
fn has(plan: &str, prefix: &str) -> bool {
    let plan: orgctl::plan::Plan = serde_json::from_str(plan).expect("plan");
    plan.changes
        .iter()
        .any(|c| c.address.resource_type().starts_with(prefix))
}

#[test]
fn provider_email_is_no_github_and_provider_github_is_no_email() {
    let email = plan(&["--provider", "email"]);
    assert!(has(&email, "email_alias") && !has(&email, "github_"));
    assert_eq!(email, plan(&["--no-github"]));

    let github = plan(&[&STATE[..], &["--provider", "github"]].concat());
    assert!(has(&github, "github_") && !has(&github, "email_alias"));
    assert_eq!(github, plan(&[&STATE[..], &["--no-email"]].concat()));
}

#[test]
fn every_provider_is_the_default_either_way_it_is_spelled() {
    let all = plan(&STATE);
    assert!(has(&all, "github_") && has(&all, "email_alias"));
    assert_eq!(
        all,
        plan(&[&STATE[..], &["--provider", "github,email"]].concat())
    );
    assert_eq!(
        all,
        plan(&[&STATE[..], &["--provider", "email", "--provider", "github"]].concat())
    );
}

#[test]
fn a_provider_org_yaml_does_not_configure_is_refused() {
    orgctl()
        .args([
            "--org",
            "examples/minimal/org",
            "plan",
            "--provider",
            "email",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "--provider email: org.yaml has no `email.backend`",
        ));
}

#[test]
fn provider_and_its_aliases_conflict_and_unknown_providers_are_named() {
    for cmd in ["plan", "apply"] {
        let e = Cli::try_parse_from(["orgctl", cmd, "--provider", "email", "--no-github"])
            .expect_err("conflict");
        assert_eq!(e.kind(), clap::error::ErrorKind::ArgumentConflict, "{cmd}");
        let e = Cli::try_parse_from(["orgctl", cmd, "--provider", "zulip"]).expect_err("unknown");
        assert!(
            e.to_string().contains("[possible values: github, email]"),
            "{cmd}: {e}"
        );
        Cli::try_parse_from(["orgctl", cmd, "--provider", "github,email", "--target", "x"])
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }
}

#[test]
fn state_pull_refuses_a_provider_without_state() {
    orgctl()
        .args(["state", "pull", "--provider", "email"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "state pull --provider email: only the `github` provider has observed state",
        ));
    Cli::try_parse_from(["orgctl", "state", "pull", "--provider", "github"]).expect("github");
}

/// Each command's `--format` values: those parse, every other is a usage error listing them.
#[test]
fn each_command_takes_only_its_formats() {
    let all = ["human", "json", "markdown", "github", "logins", "html"];
    let commands: &[(&[&str], &[&str])] = &[
        (&["check"], &["human", "json", "github"]),
        (&["plan"], &["human", "json", "markdown"]),
        (&["apply"], &["human", "json"]),
        (&["email", "plan"], &["human", "json"]),
        (&["email", "apply"], &["human", "json"]),
        (&["diff"], &["human", "json", "markdown"]),
        (&["reviewers"], &["human", "json", "logins"]),
        (&["history"], &["human", "json"]),
        (&["owners", "."], &["human", "json"]),
        (&["budget"], &["human", "json", "markdown"]),
        (&["rules"], &["human", "json"]),
        (&["report", "--out", "site"], &["html", "markdown"]),
    ];
    for (cmd, allowed) in commands {
        for format in all {
            let mut args = vec!["orgctl"];
            args.extend_from_slice(cmd);
            args.extend(["--format", format]);
            match Cli::try_parse_from(&args) {
                Ok(_) => assert!(allowed.contains(&format), "{args:?} parsed"),
                Err(e) => {
                    assert!(!allowed.contains(&format), "{args:?}: {e}");
                    assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue, "{args:?}");
                    let listed = format!("[possible values: {}]", allowed.join(", "));
                    assert!(e.to_string().contains(&listed), "{args:?}: {e}");
                }
            }
        }
    }
}

#[test]
fn a_format_the_command_does_not_take_is_a_usage_error() {
    orgctl()
        .args(["check", "--format", "markdown"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "invalid value 'markdown' for '--format <FORMAT>'",
        ))
        .stderr(predicates::str::contains(
            "[possible values: human, json, github]",
        ));
}
