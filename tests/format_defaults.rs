//! Every default that docs/format.md documents is the code's default (issue 14.2).
//!
//! A minimal org (each optional field left out) is loaded through the real pipeline and its
//! model and desired GitHub state are compared with what the documentation says. Every line of
//! docs/format.md's file examples that mentions a default must be one this test checks, so a
//! newly documented default without a check fails here.

use orgctl::github::desired_github;
use orgctl::schema::{AliasTarget, TeamKind};
use std::path::Path;

const ORG: &str = "name: Minimal\ngithub:\n  org: minimal\n  admins: [alice]\nemail:\n  domains: [minimal.example]\n";
const TEAM: &str = "name: Infrastructure\ndescription: Runs the build farm.\nleads: [alice]\nmembers: [alice]\ngithub: {}\nemail:\n  - address: infra@minimal.example\n";
const PERSON: &str = "name: Alice\ngithub: alice-gh\ngithub_id: 1\nemail: alice@minimal.example\n";

/// The documented defaults: a fragment of the documenting line, and whether the code agrees.
fn checks(org: &orgctl::model::Org) -> Vec<(&'static str, bool)> {
    let desired = desired_github(org, jiff::civil::date(2026, 11, 25)).expect("github block");
    let team = &org.teams["infra"];
    let gh_team = &desired.teams["infra"];
    let gh = org.spec.github.as_ref().expect("github");
    let alias = &team.spec.email[0];
    vec![
        (
            "false (default): they are reported as drift only",
            !gh.prune_undeclared_teams,
        ),
        ("(default true)", gh.manage_org_members),
        (
            "more removals (default 20)",
            org.spec.limits.max_removals == 20,
        ),
        (
            "people in more teams (default 6)",
            org.spec.limits.max_teams_per_person == 6,
        ),
        ("(default team)", matches!(team.spec.kind, TeamKind::Team)),
        ("default: the team id", team.slug() == "infra"),
        ("default: the slug", gh_team.name == "infra"),
        (
            "default: the team's `description`",
            gh_team.description.as_deref() == Some("Runs the build farm."),
        ),
        (
            "closed (visible to all org members, default)",
            gh_team.privacy == orgctl::github::state::Privacy::Closed,
        ),
        (
            "default: not managed (GitHub's",
            gh_team.notifications.is_none(),
        ),
        (
            "members (default) | leads",
            matches!(alias.to, AliasTarget::Members),
        ),
        (
            "mailgun: us (default, api.mailgun.net)",
            orgctl::email::mailgun::endpoint(None, None, None)
                .ok()
                .as_deref()
                == Some("https://api.mailgun.net"),
        ),
    ]
}

#[test]
fn documented_defaults_are_the_codes() {
    let dir = tempfile::tempdir().expect("tmp");
    let org_dir = dir.path().join("org");
    for (path, text) in [
        ("org.yaml", ORG),
        ("teams/infra.yaml", TEAM),
        ("people/alice.yaml", PERSON),
    ] {
        let file = org_dir.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let loc = orgctl::pipeline::OrgLocation {
        dir: org_dir,
        rev: None,
    };
    let ctx = orgctl::validate::Context::new(jiff::civil::date(2026, 11, 25));
    let checked = orgctl::pipeline::checked(&loc, &ctx, &[]).expect("load");
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);

    let docs = std::fs::read_to_string(Path::new("docs/format.md")).expect("docs");
    let checks = checks(&checked.org);
    for (fragment, holds) in &checks {
        assert!(
            docs.contains(fragment),
            "docs/format.md no longer says `{fragment}`"
        );
        assert!(
            holds,
            "docs/format.md says `{fragment}`, the code does otherwise"
        );
    }
    // Every default documented in a file example (a `#` comment) is one of the above.
    for line in docs.lines() {
        let Some((_, comment)) = line.split_once('#') else {
            continue;
        };
        if line.trim_start().starts_with('#') && !line.starts_with(' ') {
            continue; // a Markdown heading
        }
        if comment.contains("default") {
            assert!(
                checks.iter().any(|(f, _)| line.contains(f)),
                "docs/format.md documents a default this test does not check: {line}"
            );
        }
    }
}
