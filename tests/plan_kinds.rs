//! One snapshot showing every kind of plan change: team create (under a parent), team update,
//! team delete (pruning on), member add / role change / removal, repository permission add /
//! change / removal, org invitation / role change / removal, team settings create / update, and
//! the notes.

use orgctl::github::state::{
    GithubState, Invitation, InvitationRole, Notifications, OrgMember, OrgRole, Permission,
    Privacy, Team, TeamMember, TeamRepo, TeamRole,
};
use orgctl::github::{desired_github, plan_github};
use orgctl::plan::Policy;

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn every_kind_of_change() {
    let dir = tempfile::tempdir().expect("tmp");
    let r = dir.path();
    write(
        r,
        "org.yaml",
        "name: Acme\ngithub:\n  org: acme\n  admins: [ada]\n  prune_undeclared_teams: true\n  unmanaged_teams: [legal]\n",
    );
    for (id, login, uid) in [
        ("ada", "ada", 1),
        ("bob", "bob", 2),
        ("cy", "cy-new", 3),
        ("dee", "dee", 4),
        ("eve", "eve", 5),
    ] {
        write(
            r,
            &format!("people/{id}.yaml"),
            &format!("name: {id}\ngithub: {login}\ngithub_id: {uid}\n"),
        );
    }
    write(
        r,
        "teams/eng.yaml",
        "name: Engineering\ndescription: Builds things\nleads: [ada]\nmembers: [ada, bob, cy]\ngithub:\n  notifications: disabled\n  repos: {api: push, web: maintain}\n",
    );
    write(
        r,
        "teams/web.yaml",
        "name: Web\nparent: eng\nleads: [dee]\nmembers: [dee, eve]\ngithub:\n  notifications: disabled\n  repos: {web: push}\n",
    );
    let mut s = GithubState::new("acme");
    s.viewer = Some("bot".into());
    s.members = vec![
        OrgMember {
            login: "ada".into(),
            id: 1,
            role: OrgRole::Member,
        },
        OrgMember {
            login: "bob".into(),
            id: 2,
            role: OrgRole::Admin,
        },
        OrgMember {
            login: "cy-old".into(),
            id: 3,
            role: OrgRole::Member,
        },
        OrgMember {
            login: "bot".into(),
            id: 9,
            role: OrgRole::Admin,
        },
        OrgMember {
            login: "zed".into(),
            id: 7,
            role: OrgRole::Member,
        },
    ];
    s.invitations = vec![Invitation {
        login: Some("dee".into()),
        email: None,
        id: 100,
        role: InvitationRole::Member,
    }];
    let team = |id, slug: &str, name: &str, members: Vec<TeamMember>, repos: Vec<TeamRepo>| Team {
        id,
        slug: slug.into(),
        name: name.into(),
        description: Some("Old words".into()),
        privacy: Privacy::Closed,
        parent: None,
        notifications: Some(Notifications::Enabled),
        members,
        repos,
    };
    s.teams = vec![
        team(
            1,
            "eng",
            "eng",
            vec![
                TeamMember {
                    login: "ada".into(),
                    id: 1,
                    role: TeamRole::Member,
                },
                TeamMember {
                    login: "zed".into(),
                    id: 7,
                    role: TeamRole::Member,
                },
            ],
            vec![
                TeamRepo {
                    name: "api".into(),
                    permission: Permission::Pull,
                },
                TeamRepo {
                    name: "legacy".into(),
                    permission: Permission::Admin,
                },
            ],
        ),
        team(2, "old-team", "old-team", vec![], vec![]),
        team(3, "legal", "legal", vec![], vec![]),
    ];
    let loc = orgctl::pipeline::OrgLocation {
        dir: r.to_path_buf(),
        rev: None,
    };
    let ctx = orgctl::validate::Context::new(jiff::civil::date(2026, 11, 25));
    let c = orgctl::pipeline::checked(&loc, &ctx, &[]).expect("load");
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    let d = desired_github(&c.org, ctx.today).expect("github");
    let p = plan_github(&d, &s, &Policy::default());
    insta::assert_snapshot!(
        "every_kind_of_change",
        orgctl::render::plan::human(&p, &orgctl::cli::registry::catalog(), false)
    );
    // Targeting one team keeps only its changes.
    let t = plan_github(
        &d,
        &s,
        &Policy {
            targets: vec!["github_team.web".into()],
        },
    );
    assert!(
        t.changes
            .iter()
            .all(|c| c.address.name.as_deref() == Some("web")),
        "{:#?}",
        t.changes
    );
    assert!(!t.changes.is_empty());
    // Targeting one org member keeps only that change (it used to keep every change without a
    // team: all org members).
    let org_members: Vec<_> = p
        .changes
        .iter()
        .filter(|c| c.address.is("github", "org_member"))
        .collect();
    assert!(org_members.len() > 1, "{org_members:#?}");
    let one = org_members[0].address.to_string();
    let t = plan_github(
        &d,
        &s,
        &Policy {
            targets: vec![one.clone()],
        },
    );
    let got: Vec<String> = t.changes.iter().map(|c| c.address.to_string()).collect();
    assert_eq!(got, vec![one]);
}
