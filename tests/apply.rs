//! `orgctl apply` end to end against the fake GitHub.
//!
//! CLI tests run the real binary with `GITHUB_TOKEN`, `GITHUB_API_URL` and `GITHUB_GRAPHQL_URL`
//! pointing at a fake started in this process. Library tests drive the executor over the REST
//! writer with faults (502s, lost answers, secondary-limit storms) and simulated kills. Every
//! scenario ends with a fresh read and a plan that is empty.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::Command;
use fake_github::model::TeamPatch as FakeTeamPatch;
use fake_github::{
    Behaviour, FakeGithub, FakeState, Fault, FaultRule, FaultScope, RequestRecord, When,
};
use orgctl::apply::{self, ApplyReport, Outcome};
use orgctl::github::desired_github;
use orgctl::github::execute::{ExecContext, execute, teams_with_member};
use orgctl::github::resources::{GithubAddress, GithubResource};
use orgctl::github::retry::{BoxFuture, WaitReason};
use orgctl::github::state::{self as st, GithubState};
use orgctl::github::writer::{CreatedTeam, MembershipState, NewTeam, TeamPatch};
use orgctl::github::{
    Clock, Exchange, GithubConfig, GithubError, GithubWriter, GraphqlReader, LiveReader,
    ProgressEvent, RestWriter, Transport, WritePacing,
};
use orgctl::github::{DesiredGithub, plan_github};
use orgctl::plan::{Action, Plan, Policy};
use secrecy::SecretString;

#[path = "support/github.rs"]
mod fakes;
mod support;
use fakes::add_user;
use support::copy_dir;

const AS_OF: &str = "2026-11-25";
const ORG: &str = "nixos-example";
const BOT: &str = "nixos-infra-bot";

// ---- the org, the fake and the binary ------------------------------------------------------

fn desired() -> DesiredGithub {
    desired_in(Path::new("."))
}

/// The desired state of `dir/org`.
fn desired_in(dir: &Path) -> DesiredGithub {
    let loc = orgctl::pipeline::OrgLocation {
        dir: dir.join("org"),
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

/// An organisation with only the token's account (an owner), the accounts of everyone in the
/// files and the repositories the teams name.
fn empty_fake(d: &DesiredGithub) -> FakeState {
    let mut s = FakeState::new(ORG, BOT);
    for (u, _) in d.members.values() {
        add_user(&mut s, &u.login, u.id);
    }
    for t in d.teams.values() {
        for (u, _) in t.members.values() {
            add_user(&mut s, &u.login, u.id);
        }
        for r in t.repos.keys() {
            s.add_repo(r);
        }
    }
    s.next_id = s.next_id.max(10_000);
    s
}

/// The fake serving a recorded snapshot (plus the accounts and repositories of the files).
fn fake_from(snapshot: &GithubState, d: &DesiredGithub) -> FakeState {
    let mut s = fakes::serve_snapshot(snapshot, empty_fake(d));
    s.viewer = snapshot.viewer.clone().unwrap_or_else(|| BOT.into());
    s
}

fn drifted_fake(d: &DesiredGithub) -> FakeState {
    fake_from(&recorded(), d)
}

/// A running fake and the runtime serving it while the binary runs.
struct Env {
    gh: FakeGithub,
    _rt: tokio::runtime::Runtime,
}

fn start(state: FakeState, behaviour: Behaviour) -> Env {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let gh = rt
        .block_on(FakeGithub::start_with(state, behaviour))
        .expect("fake");
    Env { gh, _rt: rt }
}

fn is_write(r: &RequestRecord) -> bool {
    r.method != "GET" && r.route != "/graphql"
}

impl Env {
    /// The environment pointing orgctl at the fake, without pacing.
    fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_TOKEN", "test-token".into()),
            ("GITHUB_API_URL", self.gh.url()),
            ("GITHUB_GRAPHQL_URL", self.gh.graphql_url()),
            ("ORGCTL_WRITE_INTERVAL_MS", "0".into()),
            ("ORGCTL_WRITES_PER_MINUTE", "0".into()),
            ("ORGCTL_WRITES_PER_HOUR", "0".into()),
            ("NO_COLOR", "1".into()),
            ("COLUMNS", "250".into()),
        ]
    }

    /// `orgctl --as-of AS_OF` in `dir` (whose `org/` is read), pointed at the fake.
    fn orgctl(&self, dir: &Path) -> Command {
        let mut c = Command::cargo_bin("orgctl").expect("binary");
        c.current_dir(dir)
            .envs(self.vars())
            .env_remove("ORGCTL_ORG")
            .env_remove("ORGCTL_APP_ID")
            .env_remove("MAILGUN_API_KEY")
            .args(["--as-of", AS_OF]);
        c
    }

    fn writes(&self) -> Vec<RequestRecord> {
        self.gh
            .requests()
            .log
            .into_iter()
            .filter(is_write)
            .collect()
    }

    /// Runs `orgctl plan --no-email` and returns its standard output.
    fn plan_text(&self, dir: &Path) -> String {
        let out = self
            .orgctl(dir)
            .args(["plan", "--no-email"])
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `orgctl apply --auto-approve --no-email` in `dir`, requires success and returns its
    /// standard output.
    fn applied(&self, dir: &Path) -> String {
        let out = self
            .orgctl(dir)
            .args(["apply", "--auto-approve", "--no-email"])
            .output()
            .expect("run");
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
        stdout
    }

    /// Runs `orgctl plan ARGS --out PATH` in `dir`, requiring success.
    fn plan_to(&self, dir: &Path, args: &[&str], path: &Path) {
        let out = self
            .orgctl(dir)
            .arg("plan")
            .args(args)
            .arg("--out")
            .arg(path)
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    /// Runs `orgctl apply PATH` in `dir`: its exit code and standard error.
    fn apply_file(&self, dir: &Path, path: &Path) -> (Option<i32>, String) {
        let out = self
            .orgctl(dir)
            .arg("apply")
            .arg(path)
            .output()
            .expect("run");
        (out.status.code(), text(&out.stderr))
    }

    fn assert_converged(&self, dir: &Path) {
        let text = self.plan_text(dir);
        assert!(
            text.contains("No changes."),
            "second plan not empty:\n{text}"
        );
    }
}

fn here() -> &'static Path {
    Path::new(".")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A temporary directory holding a copy of the example `org/`.
fn org_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    copy_dir(Path::new("org"), &dir.path().join("org"));
    dir
}

/// A copy of the example org (every team in it can be created from scratch: `check`'s
/// `team-slug` rule guarantees the slug GitHub derives from each name is the declared one).
fn creatable_org() -> tempfile::TempDir {
    org_copy()
}

// ---- CLI: the acceptance scenarios ---------------------------------------------------------

#[test]
fn apply_from_an_empty_org_then_plan_is_empty() {
    let work = creatable_org();
    let dir = work.path();
    let d = desired_in(dir);
    let env = start(empty_fake(&d), Behaviour::default());
    let stdout = env.applied(dir);
    assert!(stdout.contains("Apply complete: "), "{stdout}");
    assert!(
        stdout.contains("+ github_team.nixpkgs-core ... ok (201, "),
        "{stdout}"
    );
    assert!(stdout.contains("invitation pending"), "{stdout}");
    env.assert_converged(dir);

    // One POST per team, parents before children, and the token's account left no team.
    let requests = env.gh.requests();
    assert_eq!(
        requests.count("POST", "/orgs/{org}/teams"),
        d.teams.len() as u64
    );
    let state = env.gh.state();
    assert_eq!(state.teams.len(), d.teams.len());
    for t in state.teams.values() {
        assert!(!t.members.contains_key(BOT), "{} kept the bot", t.slug);
        if let Some(p) = d.teams[&t.slug].parent.as_deref() {
            let parent = state.team_by_slug(p).expect("parent");
            assert_eq!(t.parent, Some(parent.id), "{}", t.slug);
        }
    }

    // A no-op apply makes zero write requests.
    env.gh.reset_requests();
    assert!(env.applied(dir).contains("No changes."));
    assert_eq!(env.writes(), Vec::new());
    // Reads: one GraphQL page and the invitations, nothing per resource.
    assert_eq!(env.gh.requests().graphql(), 1);
    assert_eq!(env.gh.requests().rest(), 1);
}

/// Issue 19's worked example: a team's notification setting is its own kind
/// (`github_team_settings.<slug>`), read in the GraphQL team pages, written with REST "Update a
/// team", and left alone when undeclared.
#[test]
fn team_notification_settings_converge_and_are_left_alone_when_undeclared() {
    let work = creatable_org();
    let dir = work.path();
    let infra = dir.join("org/teams/infra.yaml");
    let docs = dir.join("org/teams/documentation.yaml");
    let original_infra = std::fs::read_to_string(&infra).expect("infra");
    let with = |text: &str, setting: &str| {
        text.replacen(
            "github:\n",
            &format!("github:\n  notifications: {setting}\n"),
            1,
        )
    };
    std::fs::write(&infra, with(&original_infra, "disabled")).expect("write");
    let docs_text = std::fs::read_to_string(&docs).expect("docs");
    std::fs::write(&docs, with(&docs_text, "enabled")).expect("write");
    let d = desired_in(dir);
    let env = start(empty_fake(&d), Behaviour::default());

    // From nothing: the new team is created, then its setting written; a team declared with
    // GitHub's default for new teams needs no write.
    let stdout = env.applied(dir);
    assert!(
        stdout.contains("+ github_team_settings.infra will be created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ github_team_settings.infra ... ok ("),
        "{stdout}"
    );
    assert!(
        !stdout.contains("github_team_settings.docs-team"),
        "{stdout}"
    );
    let setting = |env: &Env, slug: &str| {
        env.gh
            .state()
            .team_by_slug(slug)
            .map(|t| t.notification_setting.clone())
    };
    assert_eq!(
        setting(&env, "infra").as_deref(),
        Some("notifications_disabled")
    );
    assert_eq!(
        setting(&env, "docs-team").as_deref(),
        Some("notifications_enabled")
    );
    env.assert_converged(dir);

    // Changed in the files: one PATCH of the team, shown as an update of the setting.
    std::fs::write(&infra, with(&original_infra, "enabled")).expect("write");
    let plan = env.plan_text(dir);
    assert!(
        plan.contains("~ github_team_settings.infra will be updated in place")
            && plan.contains("~ notifications: disabled → enabled"),
        "{plan}"
    );
    env.gh.reset_requests();
    env.applied(dir);
    let writes = env.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        (writes[0].method.as_str(), writes[0].path.as_str()),
        ("PATCH", "/orgs/nixos-example/teams/infra")
    );
    assert_eq!(
        setting(&env, "infra").as_deref(),
        Some("notifications_enabled")
    );
    env.assert_converged(dir);

    // Changed on GitHub by hand while the files say nothing: left alone.
    std::fs::write(&infra, &original_infra).expect("write");
    env.gh.with_state(|s| {
        if let Some(t) = s.team_by_slug_mut("infra") {
            t.notification_setting = "notifications_disabled".into();
        }
    });
    env.assert_converged(dir);
    assert_eq!(
        setting(&env, "infra").as_deref(),
        Some("notifications_disabled")
    );
}

#[test]
fn apply_from_a_drifted_org_then_plan_is_empty() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let before = env.gh.state();
    let stdout = env.applied(here());
    assert!(
        stdout.contains("Apply complete: 3 added, 4 changed, 2 destroyed."),
        "{stdout}"
    );
    assert!(
        stdout.contains("- github_org_member[\"old-contributor\"] ... ok (204, "),
        "{stdout}"
    );
    env.assert_converged(here());
    // The unmanaged team is untouched, the undeclared one kept (prune_undeclared_teams is
    // off; removing old-contributor from the organisation took them out of it, as GitHub
    // documents); the bot stays an owner.
    let after = env.gh.state();
    assert_eq!(
        before.team_by_slug("security-embargo"),
        after.team_by_slug("security-embargo")
    );
    assert!(after.team_by_slug("release-2019").is_some());
    assert_eq!(
        after.members.get(BOT),
        Some(&fake_github::OrgRole::Admin),
        "the acting account is untouched"
    );
    assert_eq!(
        env.gh
            .requests()
            .count("DELETE", "/orgs/{org}/teams/{team_slug}"),
        0
    );
}

#[test]
fn without_a_terminal_apply_needs_auto_approve() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let out = env
        .orgctl(here())
        .args(["apply", "--no-email"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("stdin is not a terminal"), "{stderr}");
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    // The plan was shown, nothing written.
    assert!(text(&out.stdout).contains("Plan: 3 to add, 4 to change, 2 to destroy."));
    assert_eq!(env.writes(), Vec::new());
}

#[test]
fn removals_over_the_limit_need_allow_removals() {
    let d = desired();
    let mut state = drifted_fake(&d);
    for i in 0..25 {
        let login = format!("stray{i:02}");
        state.add_member(&login, fake_github::OrgRole::Member);
    }
    let env = start(state, Behaviour::default());
    let apply = |extra: &[&str]| {
        env.orgctl(here())
            .args(["apply", "--auto-approve", "--no-email"])
            .args(extra)
            .output()
            .expect("run")
    };
    let out = apply(&[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the plan removes 27 resources, more than `limits.max_removals` (20)"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-removals 27"), "{stderr}");
    let out = apply(&["--allow-removals", "26"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("more than `--allow-removals 26` allows"));
    assert_eq!(env.writes(), Vec::new(), "refused before any write");
    let out = apply(&["--allow-removals", "27"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("27 destroyed"));
    env.assert_converged(here());
}

/// A saved plan of `env`'s org, edited by `edit` (fingerprints stay valid).
fn saved_plan(env: &Env, dir: &Path, edit: impl FnOnce(&mut Plan)) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let path = dir.join("plan.json");
    env.plan_to(here(), &["--no-email"], &path);
    edit_plan(&path, edit);
    path
}

/// Edits the saved plan at `path` and seals it again with a fresh digest.
fn edit_plan(path: &Path, edit: impl FnOnce(&mut Plan)) {
    let mut plan: Plan =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("plan");
    edit(&mut plan);
    std::fs::write(path, plan.to_json()).expect("write");
}

fn org_member_change(login: &str, action: Action, role: st::OrgRole) -> orgctl::plan::Change {
    let res = orgctl::plan::Resource::from(GithubResource::OrgMember {
        user_id: None,
        role,
        pending: false,
    });
    orgctl::plan::Change {
        address: GithubAddress::OrgMember {
            login: login.into(),
        }
        .into(),
        action,
        before: Some(res.clone()),
        after: (action != Action::Delete).then_some(res),
        reason: None,
        needs: Vec::new(),
    }
}

/// Issue 13: a saved plan is bound to the fingerprints it carries. Each edit of what apply
/// acts on, re-sealed with a fresh digest (as a careful attacker would) or not, is refused
/// before any write, naming what differs; the unedited plan then applies.
#[test]
fn an_edited_saved_plan_is_refused_before_any_write() {
    let d = desired();
    // The bot is a plain member here, jweber the only owner.
    let mut state = drifted_fake(&d);
    state
        .members
        .insert(BOT.into(), fake_github::OrgRole::Member);
    state
        .members
        .insert("mateus-oliveira".into(), fake_github::OrgRole::Member);
    let env = start(state, Behaviour::default());
    let tmp = tempfile::tempdir().expect("tmp");
    let member = |slug: &str, login: &str, role: st::TeamRole| orgctl::plan::Change {
        address: GithubAddress::TeamMember {
            slug: slug.into(),
            login: login.into(),
        }
        .into(),
        action: Action::Create,
        before: None,
        after: Some(
            GithubResource::TeamMember {
                user_id: None,
                role,
            }
            .into(),
        ),
        reason: Some("teams/infra.yaml".into()),
        needs: vec![GithubAddress::Team { slug: slug.into() }.into()],
    };
    type Edit = Box<dyn FnOnce(&mut Plan)>;
    let edits: Vec<(&str, Edit, &str)> = vec![
        (
            "a new team maintainer",
            Box::new(move |p| {
                p.changes
                    .push(member("infra", "mallory", st::TeamRole::Maintainer))
            }),
            "+ github_team_member.infra[\"mallory\"] (role = maintainer) is in the plan file but the files and live state do not call for it",
        ),
        (
            "a permission raised to admin",
            Box::new(|p| {
                let c = p
                    .changes
                    .iter_mut()
                    .find(|c| c.address.is("github", "team_repo"))
                    .expect("a repository change");
                c.after = Some(
                    GithubResource::TeamRepo {
                        permission: st::Permission::Admin,
                    }
                    .into(),
                );
            }),
            "(permission = admin) is in the plan file",
        ),
        (
            "a login swapped",
            Box::new(|p| {
                let c = p
                    .changes
                    .iter_mut()
                    .find(|c| c.address.is("github", "team_member"))
                    .expect("a membership change");
                c.address.index = Some("mallory".into());
            }),
            "[\"mallory\"]",
        ),
        (
            "the deletions dropped",
            Box::new(|p| {
                p.changes.retain(|c| c.action != Action::Delete);
                p.removals = 0;
            }),
            "is called for but missing from the plan file",
        ),
        (
            "a change duplicated",
            Box::new(|p| {
                let first = p.changes[0].clone();
                p.changes.push(first);
            }),
            "appears 2 times in the plan file",
        ),
        (
            "the order changed",
            Box::new(|p| p.changes.reverse()),
            "the changes are in another order",
        ),
        (
            "the removal limit raised",
            Box::new(|p| p.max_removals = 10_000),
            "`max_removals` is 10000 in the plan file",
        ),
        (
            "the acting account removed (a guard would refuse it too)",
            Box::new(|p| {
                p.changes
                    .push(org_member_change(BOT, Action::Delete, st::OrgRole::Member))
            }),
            "- github_org_member[\"nixos-infra-bot\"]",
        ),
        (
            "the only owner demoted",
            Box::new(|p| {
                p.changes.push(org_member_change(
                    "jweber",
                    Action::Update,
                    st::OrgRole::Member,
                ))
            }),
            "~ github_org_member[\"jweber\"]",
        ),
    ];
    for (what, edit, expected) in edits {
        let path = saved_plan(&env, tmp.path(), edit);
        let (code, stderr) = env.apply_file(here(), &path);
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains("was altered after `orgctl plan` wrote it; nothing was changed"),
            "{what}: {stderr}"
        );
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert_eq!(env.writes(), Vec::new(), "{what}: no write");
    }

    // Edited in place without a new digest: refused before GitHub is even read.
    let path = saved_plan(&env, tmp.path(), |_| {});
    let original = std::fs::read_to_string(&path).expect("read");
    let before = env.gh.requests().log.len();
    for (from, to) in [
        ("\"maintain\"", "\"admin\""),
        ("\"max_removals\": 20", "\"max_removals\": 500"),
        ("\"changes\": [", "\"extra\": 1, \"changes\": ["),
    ] {
        assert!(original.contains(from), "{from} in {original}");
        std::fs::write(&path, original.replacen(from, to, 1)).expect("write");
        let (code, stderr) = env.apply_file(here(), &path);
        assert_eq!(code, Some(1), "{to}: {stderr}");
        assert!(
            stderr.contains("does not match the digest") || stderr.contains("unknown field"),
            "{to}: {stderr}"
        );
    }
    assert_eq!(env.gh.requests().log.len(), before, "no request at all");

    // Reasons are display only: an edited reason is accepted, and apply shows its own.
    let edited = original.replacen(
        "\"reason\": \"",
        "\"reason\": \"EDITED BY SOMEONE ELSE; ",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(&path, edited).expect("write");
    let digest = serde_json::from_str::<Plan>(&original)
        .expect("plan")
        .digest;
    // A plan file replaced by another sound plan (here: re-targeted and re-sealed) is refused
    // when the digest handed over beside it is the reviewed one.
    let other = saved_plan(&env, &tmp.path().join("other"), |p| {
        p.targets = vec!["github_org_member".into()];
        p.changes.retain(|c| c.address.is("github", "org_member"));
        p.removals = p
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .count();
    });
    let before = env.gh.requests().log.len();
    let out = env
        .orgctl(here())
        .arg("apply")
        .arg(&other)
        .args(["--expect-digest", &digest])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not the sha256:"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(env.gh.requests().log.len(), before, "no request at all");
    let out = env
        .orgctl(here())
        .arg("apply")
        .arg(&path)
        .args(["--expect-digest", &digest])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stdout).contains("EDITED"),
        "{}",
        text(&out.stdout)
    );
    env.assert_converged(here());
}

#[test]
fn a_stale_or_foreign_saved_plan_is_refused() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let work = org_copy();
    let plan = work.path().join("plan.json");
    let out = env
        .orgctl(work.path())
        .args(["plan", "--no-email", "--out"])
        .arg(&plan)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The org files changed.
    let team = work.path().join("org/teams/marketing.yaml");
    let original = std::fs::read_to_string(&team).expect("read");
    std::fs::write(
        &team,
        original.replace("Runs the website", "Runs the web site"),
    )
    .expect("w");
    let out = env
        .orgctl(work.path())
        .arg("apply")
        .arg(&plan)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the org files changed since this plan was made"),
        "{stderr}"
    );
    assert!(
        stderr.contains("re-run `orgctl plan --out PLAN`"),
        "{stderr}"
    );
    std::fs::write(&team, &original).expect("restore");

    // GitHub changed.
    env.gh
        .with_state(|s| s.add_member("newcomer", fake_github::OrgRole::Member));
    let out = env
        .orgctl(work.path())
        .arg("apply")
        .arg(&plan)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("GitHub changed since this plan was made"),
        "{stderr}"
    );

    // Another plan format.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("read")).expect("json");
    v["format_version"] = 99.into();
    v["orgctl_version"] = "9.0.0".into();
    std::fs::write(&plan, v.to_string()).expect("write");
    let out = env
        .orgctl(work.path())
        .arg("apply")
        .arg(&plan)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("has plan format version 99, made by orgctl 9.0.0"),
        "{stderr}"
    );
    assert_eq!(
        env.writes(),
        Vec::new(),
        "nothing written by a refused plan"
    );

    // A fresh saved plan executes exactly, without asking.
    env.gh.with_state(|s| {
        s.members.remove("newcomer");
    });
    let out = env
        .orgctl(work.path())
        .args(["plan", "--no-email", "--out"])
        .arg(&plan)
        .output()
        .expect("run");
    assert!(out.status.success());
    let out = env
        .orgctl(work.path())
        .arg("apply")
        .arg(&plan)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Apply complete: 3 added, 4 changed, 2 destroyed."));
    env.assert_converged(work.path());
}

#[test]
fn target_applies_only_that_address_and_what_it_needs() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let out = env
        .orgctl(here())
        .args([
            "apply",
            "--auto-approve",
            "--no-email",
            "--target",
            "github_team_repo.steering[\"rfcs\"]",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Apply complete: 0 added, 1 changed, 0 destroyed."));
    let writes = env.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(
        writes[0].path,
        "/orgs/nixos-example/teams/steering/repos/nixos-example/rfcs"
    );
    let rest = env.plan_text(here());
    assert!(
        rest.contains("Plan: 3 to add, 3 to change, 2 to destroy."),
        "{rest}"
    );

    // From an empty org, a member of a team to be created brings the team (and its parents).
    let work = creatable_org();
    let env = start(empty_fake(&desired_in(work.path())), Behaviour::default());
    let out = env
        .orgctl(work.path())
        .args([
            "apply",
            "--auto-approve",
            "--no-email",
            "--target",
            "github_team_member.python-jupyter[\"eokafor\"]",
        ])
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("note: also applying github_team.python: the targeted changes need it"),
        "{stdout}"
    );
    let state = env.gh.state();
    let mut slugs: Vec<&str> = state.teams.values().map(|t| t.slug.as_str()).collect();
    slugs.sort();
    assert_eq!(slugs, ["nixpkgs-core", "python", "python-jupyter"]);
}

#[test]
fn a_permanent_failure_is_reported_and_the_rest_applied() {
    let d = desired();
    let mut state = empty_fake(&d);
    state.repos.remove("infra"); // PUT .../repos/nixos-example/infra → 422
    let env = start(state, Behaviour::default());
    let out = env
        .orgctl(here())
        .args(["apply", "--auto-approve", "--no-email"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Apply incomplete: "), "{stdout}");
    assert!(stdout.contains("1 failed, 0 skipped"), "{stdout}");
    // Every team was still created: one failure does not stop independent changes.
    assert_eq!(
        env.gh.requests().count("POST", "/orgs/{org}/teams") as usize,
        d.teams.len()
    );
    assert!(
        stdout.contains("  - github_team_repo.infra[\"infra\"]: GitHub answered 422 on PUT /orgs/nixos-example/teams/infra/repos/nixos-example/infra"),
        "{stdout}"
    );
    // Everything else converged: only the failed grant is left.
    let rest = env.plan_text(here());
    assert!(
        rest.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{rest}"
    );
}

#[test]
fn a_rate_limit_longer_than_the_retry_budget_stops_the_run() {
    // GitHub documents both limits as 403 (or 429) with a wait: `retry-after` for the secondary
    // one, `x-ratelimit-remaining: 0` and `x-ratelimit-reset` for the primary one (RL, SRL).
    let faults = [
        (
            "secondary",
            Fault::SecondaryRateLimit {
                status: 403,
                retry_after: Some(100_000),
            },
        ),
        (
            "primary",
            Fault::PrimaryRateLimit {
                reset_after: 100_000,
            },
        ),
    ];
    for (name, fault) in faults {
        let work = creatable_org();
        let dir = work.path();
        let d = desired_in(dir);
        let every_write = FaultRule {
            scope: FaultScope::Writes,
            when: When::Always,
            fault,
        };
        let env = start(empty_fake(&d), Behaviour::default().with_fault(every_write));
        let audit = dir.join("audit.json");
        let out = env
            .orgctl(dir)
            .args(["apply", "--auto-approve", "--no-email", "--audit"])
            .arg(&audit)
            .timeout(Duration::from_secs(120))
            .output()
            .expect("run");
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{name}: {stdout}{}",
            text(&out.stderr)
        );
        // One write was attempted; its wait did not fit the budget, so the run stopped.
        assert_eq!(env.writes().len(), 1, "{name}: {:?}", env.writes());
        let planned: usize = stdout.lines().filter(|l| l.contains(" ... ")).count();
        assert!(planned > 10, "{name}: {stdout}");
        let not_attempted = stdout
            .lines()
            .filter(|l| l.contains(" ... skipped: not attempted: GitHub rate limit, retry after "))
            .count();
        assert_eq!(not_attempted, planned - 1, "{name}: {stdout}");
        assert!(
            stdout.contains("Apply stopped by GitHub's rate limit"),
            "{name}: the summary says so: {stdout}"
        );
        assert!(
            stdout.contains(&format!("{} not attempted", planned - 1)),
            "{name}: {stdout}"
        );
        // The closing lists them in one line; the audit record says why the run stopped.
        assert!(
            stdout.contains(&format!("  - {} changes, from ", planned - 1)),
            "{name}: {stdout}"
        );
        let record: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&audit).expect("audit")).expect("json");
        assert_eq!(
            record["stopped"]["why"], "by GitHub's rate limit",
            "{name}: {record}"
        );

        // Once the limit is over, a re-run picks up cleanly and converges.
        env.gh.with_behaviour(|b| b.faults.clear());
        let out = env
            .orgctl(dir)
            .args(["apply", "--auto-approve", "--no-email"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{name}: {}", text(&out.stdout));
        env.assert_converged(dir);
        assert_eq!(
            env.gh.requests().count("POST", "/orgs/{org}/teams") as usize,
            d.teams.len() + usize::from(env.writes()[0].method == "POST"),
            "{name}: no team created twice"
        );
    }
}

#[test]
fn audit_record_has_every_write_and_no_secret() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let tmp = tempfile::tempdir().expect("tmp");
    let audit_file = tmp.path().join("audit.json");
    let secrets = [
        ("ORGCTL_EMAIL_SARA_AHMED", "sara.private@secret.example"),
        ("ORGCTL_EMAIL_DAVID_COHEN", "david.private@secret.example"),
        ("ORGCTL_EMAIL_AISHA_BELLO", "aisha.private@secret.example"),
        ("ORGCTL_EMAIL_NADIA_KARIMI", "nadia.private@secret.example"),
        (
            "ORGCTL_EMAIL_HANNAH_SCHMIDT",
            "hannah.private@secret.example",
        ),
        ("ORGCTL_EMAIL_JULIA_FISCHER", "julia.private@secret.example"),
    ];
    let mut cmd = env.orgctl(here());
    for (k, v) in secrets {
        cmd.env(k, v);
    }
    let out = cmd
        .args([
            "apply",
            "--auto-approve",
            "--no-email",
            "--format",
            "json",
            "--audit",
        ])
        .arg(&audit_file)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    let file = std::fs::read_to_string(&audit_file).expect("audit file");
    assert_eq!(stdout, file);
    let record: serde_json::Value = serde_json::from_str(&stdout).expect("json on stdout");
    assert_eq!(record["audit_format_version"], 2);
    assert_eq!(record["plan"]["parts"][0]["provider"], "github");
    assert_eq!(
        record["plan"]["parts"][0]["observed_fingerprint"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    assert_eq!(record["org"], ORG);
    assert_eq!(record["actor"], BOT);
    assert_eq!(record["complete"], true);
    assert_eq!(record["plan"]["source"], "fresh");
    assert_eq!(record["summary"]["added"], 3);
    let changes = record["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 9);
    let writes = env.writes();
    let recorded: usize = changes
        .iter()
        .map(|c| c["requests"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(recorded, writes.len(), "every write is in the record");
    let delete = changes
        .iter()
        .find(|c| c["address"] == "github_org_member[\"old-contributor\"]")
        .expect("delete");
    assert_eq!(delete["action"], "delete");
    assert_eq!(delete["outcome"], "applied");
    assert_eq!(delete["before"]["attributes"]["role"], "member");
    assert_eq!(delete["requests"][0]["method"], "DELETE");
    assert_eq!(
        delete["requests"][0]["path"],
        "/orgs/nixos-example/memberships/old-contributor"
    );
    assert_eq!(delete["requests"][0]["status"], 204);
    assert!(delete["requests"][0]["started_at"].as_str().is_some());
    assert!(delete["requests"][0]["duration_ms"].as_u64().is_some());
    // Progress went to stderr, so stdout is only the record.
    assert!(stderr.contains("Apply complete: 3 added, 4 changed, 2 destroyed."));
    for (_, secret) in secrets {
        for (name, output) in [("stdout", &stdout), ("stderr", &stderr), ("audit", &file)] {
            assert!(!output.contains(secret), "{secret} leaked into {name}");
        }
    }
}

// ---- library: faults, storms and kills -----------------------------------------------------

/// Sleeps a thousandth of each wait and records the waits asked for.
#[derive(Default)]
struct FastClock {
    waits: Mutex<Vec<Duration>>,
}

impl Clock for FastClock {
    fn now_epoch(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        self.waits.lock().expect("lock").push(duration);
        Box::pin(tokio::time::sleep(duration / 1000))
    }
}

struct Lib {
    transport: Arc<Transport>,
    clock: Arc<FastClock>,
    events: Arc<Mutex<Vec<ProgressEvent>>>,
}

async fn connect(gh: &FakeGithub) -> Lib {
    let config = GithubConfig::with_token(SecretString::from("t".to_string()))
        .with_urls(&gh.url(), &gh.graphql_url());
    let clock = Arc::new(FastClock::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let transport = Transport::connect(&config)
        .await
        .expect("connect")
        .with_clock(clock.clone())
        .with_write_pacing(WritePacing::none())
        .with_jitter_seed(7)
        .with_progress(Arc::new(move |e: &ProgressEvent| {
            sink.lock().expect("lock").push(e.clone())
        }));
    Lib {
        transport: Arc::new(transport),
        clock,
        events,
    }
}

async fn read(lib: &Lib) -> GithubState {
    GraphqlReader::new(lib.transport.clone())
        .read_org(ORG)
        .await
        .expect("read")
}

/// Reads, plans and executes the whole plan over `writer`.
async fn apply_with<W: GithubWriter>(d: &DesiredGithub, lib: &Lib, writer: &W) -> ApplyReport {
    let live = read(lib).await;
    let plan = plan_github(d, &live, &Policy::default());
    let ctx = ExecContext::from_live(&live, teams_with_member(d, BOT));
    execute(&plan.changes, &ctx, writer, &mut |_| {}).await
}

async fn apply_rest(d: &DesiredGithub, gh: &FakeGithub) -> (ApplyReport, Lib) {
    let lib = connect(gh).await;
    let writer = RestWriter::new(lib.transport.clone(), ORG).expect("writer");
    let report = apply_with(d, &lib, &writer).await;
    (report, lib)
}

/// A fresh read (without faults) plans nothing.
async fn assert_converged(d: &DesiredGithub, gh: &FakeGithub) {
    gh.with_behaviour(|b| b.faults.clear());
    let lib = connect(gh).await;
    let plan = plan_github(d, &read(&lib).await, &Policy::default());
    assert_eq!(
        plan.changes,
        Vec::new(),
        "{}",
        orgctl::render::plan::human(&plan, &orgctl::cli::registry::catalog(), false)
    );
}

fn failures(report: &ApplyReport) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Applied))
        .map(|r| format!("{}: {:?}", r.change.address, r.outcome))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_percent_502s_converge() {
    let d = desired_in(creatable_org().path());
    let gh = FakeGithub::start_with(
        empty_fake(&d),
        Behaviour::default().with_fault(FaultRule::fraction(0.10, 42, Fault::Status(502))),
    )
    .await
    .expect("fake");
    let (report, lib) = apply_rest(&d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new());
    let injected = gh.requests().with_status(502);
    assert!(injected >= 10, "{injected} 502s injected");
    assert!(lib.transport.requests().retries >= injected);
    assert_eq!(
        gh.requests().count("POST", "/orgs/{org}/teams") as usize,
        d.teams.len()
            + gh.requests()
                .log
                .iter()
                .filter(|r| r.method == "POST" && r.route == "/orgs/{org}/teams" && r.status == 502)
                .count(),
        "a POST is re-sent only after a failed one"
    );
    assert_converged(&d, &gh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_never_create_a_team_twice() {
    let d = desired_in(creatable_org().path());
    // A third of the REST requests take effect but answer 502.
    let gh = FakeGithub::start_with(
        empty_fake(&d),
        Behaviour::default()
            .with_fault(FaultRule::fraction(0.33, 5, Fault::LoseAnswer(502)).only_rest()),
    )
    .await
    .expect("fake");
    let (report, _lib) = apply_rest(&d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new());
    let posts: Vec<RequestRecord> = gh
        .requests()
        .log
        .into_iter()
        .filter(|r| r.method == "POST" && r.route == "/orgs/{org}/teams")
        .collect();
    assert_eq!(posts.len(), d.teams.len(), "one POST per team: {posts:?}");
    let found = report
        .results
        .iter()
        .filter(|r| r.notes.iter().any(|n| n.contains("earlier attempt")))
        .count();
    assert!(
        found > 0,
        "some creates were answered 502 after taking effect"
    );
    assert_converged(&d, &gh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_limit_storm_is_waited_out() {
    let d = desired();
    let storm = |when: When, status: u16, retry_after: Option<u64>| FaultRule {
        scope: FaultScope::Rest,
        when,
        fault: Fault::SecondaryRateLimit {
            status,
            retry_after,
        },
    };
    let gh = FakeGithub::start_with(
        drifted_fake(&d),
        Behaviour::default()
            // Three in a row without retry-after: 60 + 120 + 240 s of waiting.
            .with_fault(storm(When::Range(3, 5), 403, None))
            // Five in a row with retry-after: 60 s each.
            .with_fault(storm(When::Range(8, 12), 429, Some(60)))
            .with_fault(storm(When::Fraction { p: 0.15, seed: 3 }, 403, Some(1))),
    )
    .await
    .expect("fake");
    let (report, lib) = apply_rest(&d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new());
    let secondary = lib
        .events
        .lock()
        .expect("lock")
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
    assert!(secondary >= 8, "{secondary} secondary-limit waits");
    let waited: Duration = lib.clock.waits.lock().expect("lock").iter().sum();
    assert!(
        waited >= Duration::from_secs(60 + 120 + 240 + 5 * 60),
        "{waited:?}"
    );
    assert_converged(&d, &gh).await;
}

/// Kills the apply at its `kill_at`-th write: before sending it, or after it took effect but
/// before its answer is seen. The apply future is then dropped, as a killed process would be.
struct Killer<W> {
    inner: W,
    writes: AtomicUsize,
    kill_at: usize,
    after_sending: bool,
    killed: tokio::sync::Notify,
}

impl<W: GithubWriter> Killer<W> {
    async fn gate<T>(
        &self,
        f: impl Future<Output = Result<T, GithubError>>,
    ) -> Result<T, GithubError> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.kill_at {
            if self.after_sending {
                let _ = f.await;
            }
            self.killed.notify_one();
            return std::future::pending().await;
        }
        f.await
    }
}

impl<W: GithubWriter> GithubWriter for Killer<W> {
    async fn create_team(&self, team: &NewTeam) -> Result<CreatedTeam, GithubError> {
        self.gate(self.inner.create_team(team)).await
    }
    async fn update_team(&self, slug: &str, patch: &TeamPatch) -> Result<(), GithubError> {
        self.gate(self.inner.update_team(slug, patch)).await
    }
    async fn delete_team(&self, slug: &str) -> Result<(), GithubError> {
        self.gate(self.inner.delete_team(slug)).await
    }
    async fn set_team_membership(
        &self,
        slug: &str,
        login: &str,
        role: st::TeamRole,
    ) -> Result<MembershipState, GithubError> {
        self.gate(self.inner.set_team_membership(slug, login, role))
            .await
    }
    async fn remove_team_membership(&self, slug: &str, login: &str) -> Result<(), GithubError> {
        self.gate(self.inner.remove_team_membership(slug, login))
            .await
    }
    async fn set_team_repo(
        &self,
        slug: &str,
        repo: &str,
        permission: st::Permission,
    ) -> Result<(), GithubError> {
        self.gate(self.inner.set_team_repo(slug, repo, permission))
            .await
    }
    async fn remove_team_repo(&self, slug: &str, repo: &str) -> Result<(), GithubError> {
        self.gate(self.inner.remove_team_repo(slug, repo)).await
    }
    async fn set_org_membership(
        &self,
        login: &str,
        role: st::OrgRole,
    ) -> Result<MembershipState, GithubError> {
        self.gate(self.inner.set_org_membership(login, role)).await
    }
    async fn remove_org_membership(&self, login: &str) -> Result<(), GithubError> {
        self.gate(self.inner.remove_org_membership(login)).await
    }
    fn take_exchanges(&self) -> Vec<Exchange> {
        self.inner.take_exchanges()
    }
}

/// Writes by method of an uninterrupted apply of `state`.
async fn baseline(d: &DesiredGithub, state: &FakeState) -> (usize, Vec<RequestRecord>) {
    let gh = FakeGithub::start(state.clone()).await.expect("fake");
    let (report, _) = apply_rest(d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new());
    let writes: Vec<RequestRecord> = gh.requests().log.into_iter().filter(is_write).collect();
    (report.results.len(), writes)
}

fn count(writes: &[RequestRecord], method: &str) -> usize {
    writes.iter().filter(|w| w.method == method).count()
}

async fn kill_and_rerun(d: &DesiredGithub, state: &FakeState, kill_points: &[usize]) {
    let (_, base) = baseline(d, state).await;
    for &kill_at in kill_points {
        for after_sending in [false, true] {
            let gh = FakeGithub::start(state.clone()).await.expect("fake");
            let lib = connect(&gh).await;
            let killer = Killer {
                inner: RestWriter::new(lib.transport.clone(), ORG).expect("writer"),
                writes: AtomicUsize::new(0),
                kill_at,
                after_sending,
                killed: tokio::sync::Notify::new(),
            };
            tokio::select! {
                _ = apply_with(d, &lib, &killer) => panic!("kill point {kill_at} not reached"),
                _ = killer.killed.notified() => {}
            }
            let (report, _) = apply_rest(d, &gh).await;
            let what = format!("killed at write {kill_at} (after sending: {after_sending})");
            assert_eq!(failures(&report), Vec::<String>::new(), "{what}");
            let writes: Vec<RequestRecord> =
                gh.requests().log.into_iter().filter(is_write).collect();
            assert_eq!(
                count(&writes, "POST"),
                count(&base, "POST"),
                "{what}: no team created twice"
            );
            assert!(writes.iter().all(|w| w.status != 422), "{what}: {writes:?}");
            assert_eq!(
                count(&writes, "DELETE"),
                count(&base, "DELETE"),
                "{what}: no extra destructive action"
            );
            assert_eq!(count(&writes, "PATCH"), count(&base, "PATCH"), "{what}");
            assert_converged(d, &gh).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_way_and_rerun_converges_without_duplicates() {
    let d = desired();
    // The drifted org: every write is a kill point.
    let drifted = drifted_fake(&d);
    let (n, _) = baseline(&d, &drifted).await;
    let points: Vec<usize> = (1..=n).collect();
    kill_and_rerun(&d, &drifted, &points).await;
    // From empty: the first team (POST, then the bot's removal), then every 9th write.
    let d = desired_in(creatable_org().path());
    let empty = empty_fake(&d);
    let (n, _) = baseline(&d, &empty).await;
    let mut points: Vec<usize> = vec![1, 2, 3, 4];
    points.extend((5..n).step_by(9));
    kill_and_rerun(&d, &empty, &points).await;
}

// ---- the executor over a scripted writer ---------------------------------------------------

/// Records calls; fails the ones whose description is listed.
#[derive(Default)]
struct Scripted {
    fail: Vec<String>,
    calls: Mutex<Vec<String>>,
    created: Mutex<Vec<String>>,
}

impl Scripted {
    fn call(&self, what: String) -> Result<(), GithubError> {
        self.calls.lock().expect("lock").push(what.clone());
        if self.fail.contains(&what) {
            Err(GithubError::Http {
                endpoint: what,
                status: 422,
                message: "Validation Failed".into(),
            })
        } else {
            Ok(())
        }
    }
}

impl GithubWriter for Scripted {
    async fn create_team(&self, team: &NewTeam) -> Result<CreatedTeam, GithubError> {
        // Ids are 1000 + the position of creation; calls name the parent by slug.
        let parent = team
            .parent_id
            .map(|id| self.created.lock().expect("lock")[(id - 1000) as usize].clone());
        self.call(format!("create {} parent {parent:?}", team.slug))?;
        let mut created = self.created.lock().expect("lock");
        created.push(team.slug.clone());
        Ok(CreatedTeam {
            id: 1000 + created.len() as u64 - 1,
            slug: team.slug.clone(),
            already_existed: false,
        })
    }
    async fn update_team(&self, slug: &str, _: &TeamPatch) -> Result<(), GithubError> {
        self.call(format!("update {slug}"))
    }
    async fn delete_team(&self, slug: &str) -> Result<(), GithubError> {
        self.call(format!("delete {slug}"))
    }
    async fn set_team_membership(
        &self,
        slug: &str,
        login: &str,
        _: st::TeamRole,
    ) -> Result<MembershipState, GithubError> {
        self.call(format!("member {slug} {login}"))
            .map(|_| MembershipState::Active)
    }
    async fn remove_team_membership(&self, slug: &str, login: &str) -> Result<(), GithubError> {
        self.call(format!("unmember {slug} {login}"))
    }
    async fn set_team_repo(
        &self,
        slug: &str,
        repo: &str,
        _: st::Permission,
    ) -> Result<(), GithubError> {
        self.call(format!("repo {slug} {repo}"))
    }
    async fn remove_team_repo(&self, slug: &str, repo: &str) -> Result<(), GithubError> {
        self.call(format!("unrepo {slug} {repo}"))
    }
    async fn set_org_membership(
        &self,
        login: &str,
        _: st::OrgRole,
    ) -> Result<MembershipState, GithubError> {
        self.call(format!("org {login}"))
            .map(|_| MembershipState::Pending)
    }
    async fn remove_org_membership(&self, login: &str) -> Result<(), GithubError> {
        self.call(format!("unorg {login}"))
    }
    fn take_exchanges(&self) -> Vec<Exchange> {
        Vec::new()
    }
}

#[tokio::test]
async fn a_failed_team_creation_skips_what_needs_it_and_nothing_else() {
    let d = desired_in(creatable_org().path());
    let mut live = GithubState::new(ORG);
    live.viewer = Some(BOT.into());
    let plan = plan_github(&d, &live, &Policy::default());
    let writer = Scripted {
        fail: vec!["create python parent Some(\"nixpkgs-core\")".into()],
        ..Scripted::default()
    };
    let ctx = ExecContext::from_live(&live, teams_with_member(&d, BOT));
    let mut seen = 0;
    let report = execute(&plan.changes, &ctx, &writer, &mut |p| {
        if let apply::Progress::Finished { .. } = p {
            seen += 1;
        }
    })
    .await;
    assert_eq!(seen, plan.changes.len());
    let calls = writer.calls.lock().expect("lock").clone();
    // Parents first, each new team's id handed to its children; the bot leaves each new team.
    assert!(calls.contains(&"create nixpkgs-core parent None".to_string()));
    assert!(calls.contains(&"unmember nixpkgs-core nixos-infra-bot".to_string()));
    assert!(calls.contains(&"create haskell parent Some(\"nixpkgs-core\")".to_string()));
    assert!(
        !calls.iter().any(|c| c.contains("python-jupyter")),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("member python ")),
        "{calls:?}"
    );
    let skipped: Vec<&str> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Skipped { reason } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert!(!skipped.is_empty());
    assert!(
        skipped.iter().all(|r| *r == "team `python` was not created"
            || *r == "team `python-jupyter` was not created"),
        "{skipped:?}"
    );
    let s = report.summary();
    assert_eq!(s.failed, 1);
    assert_eq!(s.added + s.failed + s.skipped, plan.changes.len());
    assert!(apply::summary_line(&report).starts_with("Apply incomplete: "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_under_a_secret_team_turning_closed_applies_in_one_run() {
    // GitHub refuses a secret parent and nesting beneath a current child; the plan must open
    // the parent and move the child out before nesting anything under them.
    let d = desired_in(creatable_org().path());
    let gh = FakeGithub::start_with(empty_fake(&d), Behaviour::default())
        .await
        .expect("fake");
    let (report, _) = apply_rest(&d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new());
    assert_converged(&d, &gh).await;
    gh.with_state(|s| {
        let id = |s: &FakeState, slug: &str| s.team_by_slug(slug).expect(slug).id;
        let (core, python, jupyter, rust) = (
            id(s, "nixpkgs-core"),
            id(s, "python"),
            id(s, "python-jupyter"),
            id(s, "rust"),
        );
        // Someone turned things around by hand: the teams under nixpkgs-core left it, python
        // went beneath its own child python-jupyter, nixpkgs-core became secret, rust was
        // deleted.
        for child in s.children(core).iter().map(|t| t.id).collect::<Vec<_>>() {
            s.update_team(
                child,
                FakeTeamPatch {
                    parent: Some(None),
                    ..FakeTeamPatch::default()
                },
            )
            .expect("detach");
        }
        s.update_team(
            jupyter,
            FakeTeamPatch {
                parent: Some(None),
                ..FakeTeamPatch::default()
            },
        )
        .expect("detach jupyter");
        s.update_team(
            python,
            FakeTeamPatch {
                parent: Some(Some(jupyter)),
                ..FakeTeamPatch::default()
            },
        )
        .expect("python under jupyter");
        s.update_team(
            core,
            FakeTeamPatch {
                privacy: Some(fake_github::Privacy::Secret),
                ..FakeTeamPatch::default()
            },
        )
        .expect("secret");
        s.delete_team(rust).expect("delete rust");
    });
    let (report, _) = apply_rest(&d, &gh).await;
    assert_eq!(failures(&report), Vec::<String>::new(), "one run, no 422");
    assert_eq!(gh.requests().with_status(422), 0);
    assert_converged(&d, &gh).await;
}

// ---- email aliases after GitHub ------------------------------------------------------------

const SECRETS: [(&str, &str); 6] = [
    ("ORGCTL_EMAIL_SARA_AHMED", "sara.private@secret.example"),
    ("ORGCTL_EMAIL_DAVID_COHEN", "david.private@secret.example"),
    ("ORGCTL_EMAIL_AISHA_BELLO", "aisha.private@secret.example"),
    ("ORGCTL_EMAIL_NADIA_KARIMI", "nadia.private@secret.example"),
    (
        "ORGCTL_EMAIL_HANNAH_SCHMIDT",
        "hannah.private@secret.example",
    ),
    ("ORGCTL_EMAIL_JULIA_FISCHER", "julia.private@secret.example"),
];

#[test]
fn apply_writes_github_then_email_aliases_without_showing_a_secret() {
    let work = creatable_org();
    let dir = work.path();
    let env = start(empty_fake(&desired_in(dir)), Behaviour::default());
    let audit_file = dir.join("audit.json");
    let mut cmd = env.orgctl(dir);
    for (k, v) in SECRETS {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["apply", "--auto-approve", "--no-postmap", "--audit"])
        .arg(&audit_file)
        .output()
        .expect("run");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("+ email_alias[\"infra@nixos.example\"] ... ok"),
        "{stdout}"
    );
    // GitHub first, then email.
    let progress: Vec<&str> = stdout.lines().filter(|l| l.contains(" ... ")).collect();
    let last_github = progress.iter().rposition(|l| l.contains(" github_"));
    let first_email = progress.iter().position(|l| l.contains(" email_alias["));
    assert!(last_github < first_email, "{progress:#?}");
    // The map holds the private addresses; no output does.
    let map =
        std::fs::read_to_string(dir.join("target/example-mail/virtual")).expect("map written");
    assert!(map.contains("hannah.private@secret.example"), "{map}");
    let audit = std::fs::read_to_string(&audit_file).expect("audit");
    for (_, secret) in SECRETS {
        for (name, output) in [("stdout", &stdout), ("stderr", &stderr), ("audit", &audit)] {
            assert!(!output.contains(secret), "{secret} leaked into {name}");
        }
    }
    let record: serde_json::Value = serde_json::from_str(&audit).expect("json");
    assert!(record["changes"].as_array().expect("changes").iter().any(
        |c| c["resource"]["provider"] == "email"
            && c["resource"]["kind"] == "alias"
            && c["outcome"] == "applied"
    ));
    // Both parts converged: a full plan (GitHub and email) is empty.
    let out = env.orgctl(dir).arg("plan").output().expect("run");
    let plan = text(&out.stdout);
    assert!(
        plan.contains("No changes."),
        "{plan}\n{}",
        text(&out.stderr)
    );
}

#[test]
fn a_saved_plan_is_refused_when_the_mail_server_changed() {
    let work = creatable_org();
    let dir = work.path();
    let env = start(empty_fake(&desired_in(dir)), Behaviour::default());
    let plan = dir.join("plan.json");
    let out = env
        .orgctl(dir)
        .args(["plan", "--out"])
        .arg(&plan)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let map = dir.join("target/example-mail/virtual");
    std::fs::create_dir_all(map.parent().expect("dir")).expect("mkdir");
    std::fs::write(&map, "someone@nixos.example hand@written.example\n").expect("write");
    let out = env
        .orgctl(dir)
        .arg("apply")
        .arg(&plan)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the mail server changed since this plan was made"),
        "{stderr}"
    );
    assert_eq!(env.writes(), Vec::new(), "nothing written to GitHub either");
}

/// Review of issue 19: a saved plan targeting one email alias cannot rewrite the others (the
/// backend writes its whole table); the guard judges the selection against every planned alias,
/// not against the targeted plan alone.
#[test]
fn a_saved_plan_targeting_one_alias_is_refused_as_partial() {
    let work = creatable_org();
    let dir = work.path();
    let env = start(empty_fake(&desired_in(dir)), Behaviour::default());
    let plan = dir.join("plan.json");
    env.plan_to(
        dir,
        &["--target", "email_alias[\"infra@nixos.example\"]"],
        &plan,
    );
    let (code, stderr) = env.apply_file(dir, &plan);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("--target selects 1 of the plan's 9 email alias changes"),
        "{stderr}"
    );
    assert!(
        !dir.join("target/example-mail/virtual").exists(),
        "no alias was written"
    );
}

/// Review of issue 19: a plan's `parts` are bound like its changes. A part removed (its changes
/// kept), a part given twice, another target, or a repeated attribute name is refused before
/// anything is read or written.
#[test]
fn a_saved_plan_with_edited_parts_is_refused() {
    let work = creatable_org();
    let dir = work.path();
    let env = start(empty_fake(&desired_in(dir)), Behaviour::default());
    let tmp = tempfile::tempdir().expect("tmp");
    type Edit = Box<dyn Fn(&mut Plan)>;
    let edits: Vec<(&str, Edit, &str)> = vec![
        (
            "the GitHub part removed",
            Box::new(|p| p.parts.retain(|part| part.provider != "github")),
            "belongs to provider `github`, which has no part in the plan file",
        ),
        (
            "the email part twice",
            Box::new(|p| {
                let email = p.part("email").expect("email").clone();
                p.parts.push(email);
            }),
            "provider `email` has two parts",
        ),
        (
            "the map moved",
            Box::new(|p| {
                for part in &mut p.parts {
                    if part.provider == "email" {
                        part.target = "postfix map /etc/postfix/virtual".into();
                    }
                }
            }),
            "`parts` is",
        ),
    ];
    for (what, edit, expected) in edits {
        let path = tmp.path().join(format!("{}.json", what.replace(' ', "-")));
        env.plan_to(dir, &[], &path);
        edit_plan(&path, edit);
        let (code, stderr) = env.apply_file(dir, &path);
        assert_eq!(code, Some(1), "{what}");
        assert!(stderr.contains(expected), "{what}: {stderr}");
        assert_eq!(env.writes(), Vec::new(), "{what}: nothing written");
    }
    // A repeated attribute name: a JSON reader keeping the last one would see another role.
    let path = tmp.path().join("repeated.json");
    env.plan_to(dir, &[], &path);
    let original = std::fs::read_to_string(&path).expect("read");
    let edited = original.replacen(
        "\"role\": \"member\"",
        "\"role\": \"member\", \"role\": \"admin\"",
        1,
    );
    assert_ne!(edited, original);
    std::fs::write(&path, edited).expect("write");
    let (code, stderr) = env.apply_file(dir, &path);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("is not a valid plan file"), "{stderr}");
    assert_eq!(env.writes(), Vec::new());
}

// ---- a terminal ----------------------------------------------------------------------------

/// Runs `orgctl apply` on a pseudo-terminal (util-linux `script`), answering `answer`.
fn on_a_terminal(env: &Env, dir: &Path, answer: &str) -> Option<(bool, String)> {
    if !Path::new("/usr/bin/script").exists() {
        eprintln!("note: skipping: util-linux `script` is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("orgctl");
    let line = format!("{} --as-of {AS_OF} apply --no-email", bin.display());
    let mut script = std::process::Command::new("/usr/bin/script");
    script
        .current_dir(dir)
        .args(["-qec", &line, "/dev/null"])
        .envs(env.vars())
        .env_remove("ORGCTL_ORG")
        .env_remove("ORGCTL_APP_ID");
    let out = assert_cmd::Command::from_std(script)
        .write_stdin(format!("{answer}\n"))
        .timeout(Duration::from_secs(60))
        .output()
        .expect("script");
    Some((out.status.success(), text(&out.stdout)))
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_applies() {
    let d = desired();
    let env = start(drifted_fake(&d), Behaviour::default());
    let Some((ok, screen)) = on_a_terminal(&env, here(), "no") else {
        return;
    };
    assert!(!ok, "{screen}");
    assert!(screen.contains("Only `yes` will be accepted"), "{screen}");
    assert!(
        screen.contains("apply cancelled: nothing was changed"),
        "{screen}"
    );
    assert_eq!(env.writes(), Vec::new());
    let Some((ok, screen)) = on_a_terminal(&env, here(), "yes") else {
        return;
    };
    assert!(ok, "{screen}");
    assert!(
        screen.contains("Apply complete: 3 added, 4 changed, 2 destroyed."),
        "{screen}"
    );
    assert_eq!(env.writes().len(), 9);
}

#[test]
fn killing_the_process_and_running_again_converges() {
    let work = creatable_org();
    let dir = work.path();
    let d = desired_in(dir);
    // An uninterrupted apply, for the counts.
    let base = start(empty_fake(&d), Behaviour::default());
    base.applied(dir);
    let base_writes = base.writes();
    for kill_after in [1, 2, 40, 90] {
        let env = start(
            empty_fake(&d),
            Behaviour::default().with_latency(Duration::from_millis(15)),
        );
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("orgctl"))
            .current_dir(dir)
            .envs(env.vars())
            .env_remove("ORGCTL_ORG")
            .args(["--as-of", AS_OF, "apply", "--auto-approve", "--no-email"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while env.writes().len() < kill_after && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL while the next write is in flight or about to be sent.
        child.kill().expect("kill");
        let _ = child.wait();
        let killed_at = env.writes().len();
        assert!(killed_at < base_writes.len(), "killed before the end");
        let out = env
            .orgctl(dir)
            .args(["apply", "--auto-approve", "--no-email"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stdout));
        let writes = env.writes();
        let what = format!("killed after {killed_at} writes");
        assert_eq!(
            count(&writes, "POST"),
            count(&base_writes, "POST"),
            "{what}: no team created twice"
        );
        assert_eq!(
            count(&writes, "DELETE"),
            count(&base_writes, "DELETE"),
            "{what}: no extra destructive action"
        );
        env.assert_converged(dir);
    }
}
