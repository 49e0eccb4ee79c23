//! `orgctl import`: an imported org checks clean and its first plan is empty.

use assert_cmd::Command;
use orgctl::github::state::{
    GithubState, OrgMember, OrgRole, Permission, Privacy, Team, TeamMember, TeamRepo, TeamRole,
};

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

/// The real Kubernetes org (peribolos config, 284 teams, 1,266 members): imports with no errors,
/// and planning against a state with the same content is empty.
#[test]
fn import_the_kubernetes_peribolos_config() {
    let corpus = std::path::Path::new("../shared/corpora/kubernetes-org.json");
    if !corpus.exists() {
        eprintln!("skipped: {} not present", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("org");
    orgctl()
        .args(["import", "peribolos", "--config"])
        .arg(corpus)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let check = orgctl()
        .args(["check", "--format", "json", "--org"])
        .arg(&out)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).expect("json");
    assert_eq!(v["errors"], 0, "{v}");
    // Build the live state straight from the corpus, independently of the importer.
    let k: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(corpus).expect("read")).expect("json");
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
        let slug = orgctl::import::slugify(name);
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
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
            privacy: if t["privacy"] == "secret" {
                Privacy::Secret
            } else {
                Privacy::Closed
            },
            parent: t["parent"].as_str().map(orgctl::import::slugify),
            members,
            repos,
        });
    }
    let state = dir.path().join("state.json");
    std::fs::write(&state, s.to_json()).expect("write");
    let plan = plan_json(&out, &state);
    assert_eq!(
        plan["changes"].as_array().map(Vec::len),
        Some(0),
        "{}",
        &plan["changes"]
    );
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
