//! Plan tests: snapshots of each kind of change on the example org, safety rules, and the
//! convergence property `plan(desired, simulate(plan, actual))` is empty.

use assert_cmd::Command;
use orgctl::github::desired_github;
use orgctl::github::simulate::simulate;
use orgctl::github::state::{GithubState, OrgMember, OrgRole, Permission, TeamRole};
use orgctl::github::{DesiredGithub, plan_github};
use orgctl::plan::{Action, Policy};
use proptest::prelude::*;

fn desired() -> DesiredGithub {
    let loc = orgctl::pipeline::OrgLocation {
        dir: "org".into(),
        rev: None,
    };
    let ctx = orgctl::validate::Context::new(jiff::civil::date(2026, 11, 25));
    let c = orgctl::pipeline::checked(&loc, &ctx, &[]).expect("load");
    assert!(!c.has_errors());
    desired_github(&c.org, ctx.today).expect("github block")
}

fn recorded() -> GithubState {
    GithubState::from_json(&std::fs::read_to_string("examples/github-state.json").expect("read"))
        .expect("parse")
}

fn orgctl() -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env("NO_COLOR", "1").env_remove("GITHUB_TOKEN");
    c
}

#[test]
fn no_op_plan_is_empty() {
    let d = desired();
    let empty = GithubState::new(&d.org);
    let full = simulate(&plan_github(&d, &empty, &Policy::default()), &empty, true);
    let p = plan_github(&d, &full, &Policy::default());
    assert!(p.changes.is_empty(), "{:#?}", p.changes);
    assert_eq!(
        orgctl::render::plan::summary_line(&p, &orgctl::cli::registry::catalog()),
        "No changes. GitHub matches the org files."
    );
}

#[test]
fn from_empty_org_creates_parents_first() {
    let d = desired();
    let p = plan_github(&d, &GithubState::new(&d.org), &Policy::default());
    let teams: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.address.is("github", "team"))
        .map(|c| c.address.to_string())
        .collect();
    let pos = |s: &str| teams.iter().position(|t| t == s).expect(s);
    assert!(pos("github_team.nixpkgs-core") < pos("github_team.python"));
    assert!(pos("github_team.python") < pos("github_team.python-jupyter"));
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
}

#[test]
fn example_plan_snapshot() {
    let out = orgctl()
        .args([
            "plan",
            "--as-of",
            "2026-11-25",
            "--state",
            "examples/github-state.json",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    insta::assert_snapshot!("example_plan_human", String::from_utf8_lossy(&out.stdout));
    let out = orgctl()
        .args([
            "plan",
            "--as-of",
            "2026-11-25",
            "--state",
            "examples/github-state.json",
            "--format",
            "markdown",
        ])
        .output()
        .expect("run");
    insta::assert_snapshot!(
        "example_plan_markdown",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn detailed_exitcode_and_saved_plan() {
    let dir = tempfile::tempdir().expect("tmp");
    let plan_path = dir.path().join("plan.json");
    orgctl()
        .args([
            "plan",
            "--as-of",
            "2026-11-25",
            "--state",
            "examples/github-state.json",
            "--detailed-exitcode",
            "--out",
        ])
        .arg(&plan_path)
        .assert()
        .code(2);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_path).expect("read")).expect("json");
    assert_eq!(plan["format_version"], 3);
    let digest = plan["digest"].as_str().expect("digest");
    assert_eq!(digest.strip_prefix("sha256:").map(str::len), Some(64));
    // One part per provider, in plan order, each with its fingerprints.
    let parts = plan["parts"].as_array().expect("parts");
    let providers: Vec<&str> = parts
        .iter()
        .filter_map(|p| p["provider"].as_str())
        .collect();
    assert_eq!(providers, ["github", "email"]);
    for p in parts {
        assert_eq!(p["desired_fingerprint"].as_str().map(str::len), Some(64));
    }
    assert_eq!(
        parts[0]["observed_fingerprint"].as_str().map(str::len),
        Some(64)
    );
    // The example's Postfix map does not exist yet.
    assert_eq!(parts[1]["observed_fingerprint"], "absent");
    assert_eq!(parts[0]["target"], "GitHub organisation nixos-example");
    // Addresses and resources are generic: provider, kind, name, index; attributes.
    let member = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["address"]["kind"] == "team_member")
        .expect("a team member change");
    assert_eq!(member["address"]["provider"], "github");
    assert!(member["address"]["name"].is_string());
    assert!(member["address"]["index"].is_string());
    assert!(member["after"]["attributes"]["role"].is_string());
    assert_eq!(member["needs"][0]["kind"], "team");
}

#[test]
fn renamed_login_is_a_note_not_a_removal() {
    let d = desired();
    let empty = GithubState::new(&d.org);
    let mut s = simulate(&plan_github(&d, &empty, &Policy::default()), &empty, true);
    let victim = s
        .teams
        .iter()
        .find(|t| !t.members.is_empty())
        .expect("team")
        .members[0]
        .clone();
    let renamed = format!("{}-renamed", victim.login);
    for m in &mut s.members {
        if m.id == victim.id {
            m.login = renamed.clone();
        }
    }
    for t in &mut s.teams {
        for m in &mut t.members {
            if m.id == victim.id {
                m.login = renamed.clone();
            }
        }
    }
    let p = plan_github(&d, &s, &Policy::default());
    assert!(p.changes.is_empty(), "{:#?}", p.changes);
    assert!(p.notes.iter().any(|n| n.message.contains("was renamed")));
}

#[test]
fn owners_and_the_token_account_are_never_removed() {
    let d = desired();
    let mut s = GithubState::new(&d.org);
    s.viewer = Some("the-bot".into());
    s.members.push(OrgMember {
        login: "the-bot".into(),
        id: 1,
        role: OrgRole::Admin,
    });
    s.members.push(OrgMember {
        login: "legacy-owner".into(),
        id: 2,
        role: OrgRole::Admin,
    });
    s.members.push(OrgMember {
        login: "drive-by".into(),
        id: 3,
        role: OrgRole::Member,
    });
    let p = plan_github(&d, &s, &Policy::default());
    let deleted: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(deleted, ["github_org_member[\"drive-by\"]"]);
    assert_eq!(p.notes.len(), 2);
}

#[test]
fn too_many_removals_need_an_override() {
    let d = desired();
    let mut s = GithubState::new(&d.org);
    for i in 0..25 {
        s.members.push(OrgMember {
            login: format!("stranger{i}"),
            id: 10_000 + i,
            role: OrgRole::Member,
        });
    }
    let p = plan_github(&d, &s, &Policy::default());
    assert_eq!(p.removals, 25);
    assert!(p.needs_override());
    assert!(
        orgctl::render::plan::human(&p, &orgctl::cli::registry::catalog(), false)
            .contains("--allow-removals 25")
    );
}

#[test]
fn unmanaged_teams_are_invisible() {
    let p = plan_github(&desired(), &recorded(), &Policy::default());
    assert!(
        !p.changes
            .iter()
            .any(|c| c.address.to_string().contains("security-embargo"))
    );
    assert!(
        !p.notes
            .iter()
            .any(|n| n.address.to_string().contains("security-embargo"))
    );
}

#[test]
fn plan_for_a_mismatched_org_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = recorded();
    s.org = "someone-else".into();
    let path = dir.path().join("s.json");
    std::fs::write(&path, s.to_json()).expect("write");
    orgctl()
        .args(["plan", "--as-of", "2026-11-25", "--state"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "is of organisation `someone-else`",
        ));
}

fn arb_role() -> impl Strategy<Value = TeamRole> {
    prop_oneof![Just(TeamRole::Member), Just(TeamRole::Maintainer)]
}

fn arb_perm() -> impl Strategy<Value = Permission> {
    prop_oneof![
        Just(Permission::Pull),
        Just(Permission::Triage),
        Just(Permission::Push),
        Just(Permission::Maintain),
        Just(Permission::Admin)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Whatever GitHub looks like, applying the plan converges: the next plan is empty.
    #[test]
    fn plan_converges(
        drop_teams in proptest::collection::vec(any::<bool>(), 12),
        drop_members in proptest::collection::vec(any::<bool>(), 60),
        roles in proptest::collection::vec(arb_role(), 60),
        perms in proptest::collection::vec(arb_perm(), 40),
        strangers in 0usize..5,
        accept in any::<bool>(),
    ) {
        let d = desired();
        let empty = GithubState::new(&d.org);
        let mut s = simulate(&plan_github(&d, &empty, &Policy::default()), &empty, true);
        // Perturb: drop teams, drop or re-role members, change permissions, add strangers.
        let mut i = 0;
        s.teams.retain(|_| { i += 1; !drop_teams.get(i - 1).copied().unwrap_or(false) });
        let mut k = 0;
        for t in &mut s.teams {
            t.members.retain(|_| { k += 1; !drop_members.get(k - 1).copied().unwrap_or(false) });
            for m in &mut t.members {
                k += 1;
                m.role = roles[k % roles.len()];
            }
            for (j, r) in t.repos.iter_mut().enumerate() {
                r.permission = perms[(j + k) % perms.len()];
            }
        }
        for n in 0..strangers {
            s.members.push(OrgMember { login: format!("stranger{n}"), id: 50_000 + n as u64, role: OrgRole::Member });
            if let Some(t) = s.teams.first_mut() {
                t.members.push(orgctl::github::state::TeamMember { login: format!("stranger{n}"), id: 50_000 + n as u64, role: TeamRole::Member });
            }
        }
        let p = plan_github(&d, &s, &Policy::default());
        let after = simulate(&p, &s, accept);
        let again = plan_github(&d, &after, &Policy::default());
        prop_assert!(again.changes.is_empty(), "not converged: {:#?}", again.changes);
    }
}

/// Private addresses never reach any plan output, even when the secrets are set in the
/// environment (plan never resolves them).
#[test]
fn plan_never_prints_private_addresses() {
    for format in ["human", "json", "markdown"] {
        let out = orgctl()
            .args([
                "plan",
                "--as-of",
                "2026-11-25",
                "--state",
                "examples/github-state.json",
                "--format",
                format,
            ])
            .env(
                "ORGCTL_EMAIL_HANNAH_SCHMIDT",
                "hannah.private@secret.example",
            )
            .env("ORGCTL_EMAIL_DAVID_COHEN", "david.private@secret.example")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("secret.example"), "{format}: {text}");
        assert!(
            !text.contains("env:ORGCTL_EMAIL"),
            "{format} leaks a secret reference: {text}"
        );
        // Markdown neutralises `<` inside its code blocks.
        assert!(
            text.contains("hannah-schmidt <redacted>")
                || text.contains("hannah-schmidt ‹redacted>"),
            "{format}: {text}"
        );
    }
}

#[test]
fn email_only_and_github_only_plans() {
    let out = orgctl()
        .args(["plan", "--as-of", "2026-11-25", "--no-github"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("email_alias[\"infra@nixos.example\"]") && !text.contains("github_"),
        "{text}"
    );
    let out = orgctl()
        .args([
            "plan",
            "--as-of",
            "2026-11-25",
            "--no-email",
            "--state",
            "examples/github-state.json",
        ])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("email_alias"));
}

/// The saved plan and the state snapshot follow their committed JSON Schemas.
#[test]
fn plan_and_state_documents_follow_their_schemas() {
    let load = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).expect(p)).expect(p)
    };
    let out = orgctl()
        .args([
            "plan",
            "--as-of",
            "2026-11-25",
            "--state",
            "examples/github-state.json",
            "--format",
            "json",
        ])
        .output()
        .expect("run");
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (schema, doc) in [
        ("schemas/plan.schema.json", plan),
        (
            "schemas/state.schema.json",
            load("examples/github-state.json"),
        ),
    ] {
        let validator = jsonschema::validator_for(&load(schema)).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path().as_str()))
            .collect();
        assert!(errors.is_empty(), "{schema}: {errors:?}");
    }
}
