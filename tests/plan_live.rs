//! `orgctl plan` and `orgctl state pull` against a live (fake) GitHub: the
//! fake is loaded with the example snapshot (`examples/github-state.json`) and
//! the binary reaches it through `GITHUB_TOKEN`, `GITHUB_API_URL` and
//! `GITHUB_GRAPHQL_URL`, as in GitHub Actions. Live and snapshot planning
//! must agree, and pulling the live state must give back the snapshot.

use std::collections::BTreeMap;

use assert_cmd::Command;
use fake_github::model::{Invitation, Repo, Team, User, key};
use fake_github::{FakeGithub, FakeState, InvitationRole, OrgRole, Permission, Privacy, TeamRole};
use orgctl::github::state::{self, GithubState};

const SNAPSHOT: &str = "examples/github-state.json";
const AS_OF: &str = "2026-11-25";

fn snapshot() -> GithubState {
    GithubState::from_json(&std::fs::read_to_string(SNAPSHOT).expect("read the snapshot"))
        .expect("parse the snapshot")
}

fn permission(p: state::Permission) -> Permission {
    match p {
        state::Permission::Pull => Permission::Pull,
        state::Permission::Triage => Permission::Triage,
        state::Permission::Push => Permission::Push,
        state::Permission::Maintain => Permission::Maintain,
        state::Permission::Admin => Permission::Admin,
    }
}

/// The fake organisation a snapshot describes: the same accounts (with their
/// ids), members, invitations (with their ids), teams (with their ids) and
/// the repositories the teams are granted.
fn fake_from(s: &GithubState) -> FakeState {
    let viewer = s.viewer.clone().expect("the snapshot names its viewer");
    let mut f = FakeState::new(&s.org, &viewer);
    f.users.clear();
    f.members.clear();
    let mut next_id = 1 + s.members.iter().map(|m| m.id).max().unwrap_or(0);
    for m in &s.members {
        f.users.insert(
            key(&m.login),
            User {
                login: m.login.clone(),
                id: m.id,
            },
        );
        let role = match m.role {
            state::OrgRole::Admin => OrgRole::Admin,
            state::OrgRole::Member => OrgRole::Member,
        };
        f.members.insert(key(&m.login), role);
    }
    for i in &s.invitations {
        if let Some(login) = &i.login {
            f.users.entry(key(login)).or_insert_with(|| {
                next_id += 1;
                User {
                    login: login.clone(),
                    id: next_id,
                }
            });
        }
        f.invitations.push(Invitation {
            id: i.id,
            login: i.login.as_deref().map(key),
            email: i.email.clone(),
            role: match i.role {
                state::InvitationRole::Admin => InvitationRole::Admin,
                state::InvitationRole::BillingManager => InvitationRole::BillingManager,
                _ => InvitationRole::DirectMember,
            },
            teams: BTreeMap::new(),
        });
    }
    for t in &s.teams {
        for r in &t.repos {
            f.repos.entry(key(&r.name)).or_insert_with(|| {
                next_id += 1;
                Repo {
                    id: next_id,
                    name: r.name.clone(),
                    private: false,
                }
            });
        }
    }
    let ids: BTreeMap<&str, u64> = s.teams.iter().map(|t| (t.slug.as_str(), t.id)).collect();
    for t in &s.teams {
        f.teams.insert(
            t.id,
            Team {
                id: t.id,
                node_id: format!("T_kwDOAA{:06}", t.id),
                name: t.name.clone(),
                slug: t.slug.clone(),
                description: t.description.clone(),
                privacy: match t.privacy {
                    state::Privacy::Closed => Privacy::Closed,
                    state::Privacy::Secret => Privacy::Secret,
                },
                notification_setting: "notifications_enabled".into(),
                permission: "pull".into(),
                parent: t.parent.as_deref().map(|p| ids[p]),
                members: t
                    .members
                    .iter()
                    .map(|m| {
                        let role = match m.role {
                            state::TeamRole::Maintainer => TeamRole::Maintainer,
                            state::TeamRole::Member => TeamRole::Member,
                        };
                        (key(&m.login), role)
                    })
                    .collect(),
                repos: t
                    .repos
                    .iter()
                    .map(|r| (key(&r.name), permission(r.permission)))
                    .collect(),
            },
        );
    }
    f.next_id = next_id + 1;
    f
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
        .env_remove("ORGCTL_APP_INSTALLATION_ID");
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
