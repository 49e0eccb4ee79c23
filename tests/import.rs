//! `orgctl import`: an imported org checks clean and its first plan is empty.

use assert_cmd::Command;
use orgctl::github::state::{
    GithubState, Notifications, OrgMember, OrgRole, Permission, Privacy, Team, TeamMember,
    TeamRepo, TeamRole,
};

#[path = "support/github.rs"]
mod fakes;

fn orgctl() -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env("NO_COLOR", "1");
    c
}

fn plan_json(org: &std::path::Path, state: &std::path::Path) -> serde_json::Value {
    let out = orgctl()
        .args(["plan", "--as-of", "2026-11-25", "--format", "json", "--org"])
        .arg(org)
        .arg("--state")
        .arg(state)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn import_from_a_snapshot_then_plan_is_empty() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("org");
    orgctl()
        .args([
            "import",
            "github",
            "--state",
            "examples/github-state.json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // Clean but for the invited account, whose numeric id GitHub's invitation does not carry.
    let check = orgctl()
        .args(["check", "--format", "json", "--org"])
        .arg(&out)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    let plan = plan_json(&out, std::path::Path::new("examples/github-state.json"));
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(0), "{plan}");
    // A second import into a non-empty directory is refused.
    orgctl()
        .args([
            "import",
            "github",
            "--state",
            "examples/github-state.json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(1);
}

/// The Kubernetes organisation's peribolos configuration (vendored: tests/fixtures/README.md).
const KUBERNETES: &str = "tests/fixtures/corpora/kubernetes-org.json";

/// The live state the Kubernetes config describes, built straight from the corpus,
/// independently of the importer: every text exactly as written (two descriptions end with a
/// line break), an empty description as none.
fn kubernetes_state() -> GithubState {
    let k: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(KUBERNETES).expect("read")).expect("json");
    let mut s = GithubState::new("kubernetes");
    let strs = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut id = 0u64;
    for (list, role) in [
        (&k["admins"], OrgRole::Admin),
        (&k["members"], OrgRole::Member),
    ] {
        for login in strs(list) {
            id += 1;
            if s.member(&login).is_none() {
                s.members.push(OrgMember { login, id, role });
            }
        }
    }
    let id_of = |s: &GithubState, l: &str| s.member(l).map(|m| m.id).unwrap_or(0);
    for (name, t) in k["teams"].as_object().expect("teams") {
        let slug = orgctl::github::import::slugify(name);
        let mut members: Vec<TeamMember> = strs(&t["maintainers"])
            .into_iter()
            .map(|l| TeamMember {
                id: id_of(&s, &l),
                login: l,
                role: TeamRole::Maintainer,
            })
            .collect();
        for l in strs(&t["members"]) {
            if !members.iter().any(|m| m.login == l) {
                members.push(TeamMember {
                    id: id_of(&s, &l),
                    login: l,
                    role: TeamRole::Member,
                });
            }
        }
        let repos = t["repos"]
            .as_object()
            .map(|r| {
                r.iter()
                    .map(|(n, p)| TeamRepo {
                        name: n.clone(),
                        permission: match p.as_str().unwrap_or("") {
                            "admin" => Permission::Admin,
                            "maintain" => Permission::Maintain,
                            "write" => Permission::Push,
                            "triage" => Permission::Triage,
                            _ => Permission::Pull,
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        s.teams.push(Team {
            id: s.teams.len() as u64 + 1,
            slug: slug.clone(),
            name: name.clone(),
            description: t["description"]
                .as_str()
                .filter(|d| !d.is_empty())
                .map(String::from),
            privacy: if t["privacy"] == "secret" {
                Privacy::Secret
            } else {
                Privacy::Closed
            },
            parent: t["parent"].as_str().map(orgctl::github::import::slugify),
            notifications: None,
            members,
            repos,
        });
    }
    s
}

/// `orgctl check --format json` of `org`: (errors, warnings).
fn check_counts(org: &std::path::Path) -> (u64, u64, serde_json::Value) {
    let check = orgctl()
        .args(["check", "--format", "json", "--org"])
        .arg(org)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    (
        v["errors"].as_u64().unwrap_or(u64::MAX),
        v["warnings"].as_u64().unwrap_or(u64::MAX),
        v,
    )
}

/// The real Kubernetes org (peribolos config, 284 teams, 1,266 members): imports with no errors,
/// and planning against a state with the same content is empty.
#[test]
fn import_the_kubernetes_peribolos_config() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("org");
    orgctl()
        .args(["import", "peribolos", "--config", KUBERNETES, "--out"])
        .arg(&out)
        .assert()
        .success();
    let (errors, _, v) = check_counts(&out);
    assert_eq!(errors, 0, "{v}");
    let state = dir.path().join("state.json");
    let s = kubernetes_state();
    assert!(
        s.teams
            .iter()
            .any(|t| t.description.as_deref().is_some_and(|d| d != d.trim())),
        "the corpus keeps its trailing spaces"
    );
    std::fs::write(&state, s.to_json()).expect("write");
    let plan = plan_json(&out, &state);
    assert_eq!(
        plan["changes"].as_array().map(Vec::len),
        Some(0),
        "{}",
        &plan["changes"]
    );
}

/// Issue 14.1, adoption is a fixed point: the Kubernetes organisation served by the fake
/// GitHub, `state pull` → `import github` → `plan` (live, against the fake) is `No changes.`
#[test]
fn adopting_the_kubernetes_org_through_the_fake_plans_no_change() {
    let snapshot = kubernetes_state();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fake = fakes::serve_snapshot(
        &snapshot,
        fake_github::FakeState::new("kubernetes", "cblecker"),
    );
    let gh = rt
        .block_on(fake_github::FakeGithub::start_with(
            fake,
            fake_github::Behaviour::default(),
        ))
        .expect("fake");
    let env = |c: &mut Command| {
        c.env("GITHUB_TOKEN", "test-token")
            .env("GITHUB_API_URL", gh.url())
            .env("GITHUB_GRAPHQL_URL", gh.graphql_url())
            .env_remove("ORGCTL_APP_ID")
            .env_remove("ORGCTL_ORG");
    };
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state.json");
    let mut pull = orgctl();
    env(&mut pull);
    pull.args(["state", "pull", "--github-org", "kubernetes", "--out"])
        .arg(&state)
        .assert()
        .success();
    let out = dir.path().join("org");
    orgctl()
        .args(["import", "github", "--state"])
        .arg(&state)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (errors, _, v) = check_counts(&out);
    assert_eq!(errors, 0, "{v}");
    let mut plan = orgctl();
    env(&mut plan);
    let plan = plan
        .args(["--as-of", "2026-11-25", "--org"])
        .arg(&out)
        .args(["plan", "--no-email"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&plan.stdout);
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    assert!(stdout.contains("No changes."), "{stdout}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Issue 14.1: for random organisations (odd whitespace, unicode, case, empty strings in
    /// names and descriptions; logins in any case; either notification setting), import → plan
    /// is empty.
    #[test]
    fn import_then_plan_is_empty_for_any_state(
        teams in proptest::collection::vec(
            (
                "[ a-zA-Z0-9éß日本_.-]{1,20}",
                proptest::option::of("( |\t|\n|  |[a-zA-Zé日本🙂.,:;!?'\\\"-]){0,30}"),
                proptest::bool::ANY,
                proptest::collection::vec((0usize..6, proptest::bool::ANY), 0..4),
                proptest::option::of(proptest::bool::ANY),
            ),
            1..5,
        ),
        logins in proptest::collection::vec("[a-zA-Z][a-zA-Z0-9]{0,5}(-[a-zA-Z0-9]{1,3})?", 6),
    ) {
        let mut s = GithubState::new("acme");
        let mut seen_logins = std::collections::BTreeSet::new();
        for (i, login) in logins.iter().enumerate() {
            if seen_logins.insert(login.to_lowercase()) {
                s.members.push(OrgMember {
                    login: login.clone(),
                    id: i as u64 + 1,
                    role: if i == 0 { OrgRole::Admin } else { OrgRole::Member },
                });
            }
        }
        let mut seen_slugs = std::collections::BTreeSet::new();
        for (i, (name, description, secret, members, notified)) in teams.iter().enumerate() {
            // A name GitHub would accept, with a slug of its own (GitHub refuses a second team
            // whose name gives the same slug).
            let base = orgctl::github::import::slugify(name);
            if base.is_empty() || !seen_slugs.insert(base.clone()) {
                continue;
            }
            let mut team_members: Vec<TeamMember> = Vec::new();
            for (m, maintainer) in members {
                let Some(member) = s.members.get(*m % s.members.len().max(1)) else {
                    continue;
                };
                if team_members.iter().any(|t| t.id == member.id) {
                    continue;
                }
                team_members.push(TeamMember {
                    login: member.login.clone(),
                    id: member.id,
                    role: if *maintainer { TeamRole::Maintainer } else { TeamRole::Member },
                });
            }
            s.teams.push(Team {
                id: 100 + i as u64,
                slug: base,
                name: name.clone(),
                description: description.clone().filter(|d| !d.is_empty()),
                privacy: if *secret { Privacy::Secret } else { Privacy::Closed },
                parent: None,
                // Read from GitHub (either value), or absent (an older snapshot).
                notifications: notified.map(|on| {
                    if on { Notifications::Enabled } else { Notifications::Disabled }
                }),
                members: team_members,
                repos: vec![],
            });
        }
        s.normalize();
        let dir = tempfile::tempdir().expect("tmp");
        // Names that would share a file are refused by the importer (tested on their own).
        let files = orgctl::github::import::from_state(&s);
        proptest::prop_assume!(files.is_ok());
        for (path, text) in files.expect("checked") {
            let file = dir.path().join(&path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, text).expect("write");
        }
        let loc = orgctl::pipeline::OrgLocation {
            dir: dir.path().to_path_buf(),
            rev: None,
        };
        let ctx = orgctl::validate::Context::new(jiff::civil::date(2026, 11, 25));
        let checked = orgctl::pipeline::checked(&loc, &ctx, &[]).expect("load");
        let unreadable: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.rule == "schema" || d.rule == "yaml")
            .collect();
        proptest::prop_assert!(unreadable.is_empty(), "{:#?}", unreadable);
        let desired = orgctl::github::desired_github(&checked.org, ctx.today).expect("github");
        let plan = orgctl::github::plan_github(&desired, &s, &orgctl::plan::Policy::default());
        proptest::prop_assert!(plan.changes.is_empty(), "{:#?}", plan.changes);
    }
}

/// Two teams with one file name: the import fails naming both and writes nothing; a clean
/// import's summary counts exactly the files on disk.
#[test]
fn import_refuses_teams_sharing_a_file_and_counts_what_it_wrote() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = GithubState::new("o");
    for (slug, name) in [("team_a", "Team A"), ("team-a", "team-a")] {
        s.teams.push(Team {
            id: s.teams.len() as u64 + 1,
            slug: slug.into(),
            name: name.into(),
            description: None,
            privacy: Privacy::Closed,
            parent: None,
            notifications: None,
            members: Vec::new(),
            repos: Vec::new(),
        });
    }
    let state = dir.path().join("state.json");
    std::fs::write(&state, s.to_json()).expect("write");
    let out = dir.path().join("org");
    let o = orgctl()
        .args(["import", "github", "--state"])
        .arg(&state)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(r#"team "Team A" (slug "team_a")"#)
            && err.contains(r#"team "team-a" (slug "team-a")"#)
            && err.contains("would both be written to teams/team-a.yaml"),
        "{err}"
    );
    assert!(!out.join("teams").exists(), "nothing is written");

    let out = dir.path().join("clean");
    let o = orgctl()
        .args([
            "import",
            "github",
            "--state",
            "examples/github-state.json",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run");
    assert!(o.status.success());
    let said = String::from_utf8_lossy(&o.stdout);
    let on_disk: usize = ["", "people", "teams"]
        .iter()
        .map(|d| {
            std::fs::read_dir(out.join(d))
                .expect("dir")
                .filter(|e| e.as_ref().expect("entry").path().is_file())
                .count()
        })
        .sum();
    assert!(
        said.starts_with(&format!("wrote {on_disk} files to ")),
        "{said}"
    );
}
