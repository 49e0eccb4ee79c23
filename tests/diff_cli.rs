//! End-to-end tests of `orgctl diff`: the example org in a git repository, changed the way a
//! pull request changes it, compared with the base revision in every format.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

mod support;
use support::{copy_dir, git};

fn orgctl(root: &Path) -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env_remove("ORGCTL_ORG")
        .env("NO_COLOR", "1")
        .current_dir(root)
        .args(["--as-of", "2026-11-25"]);
    c
}

/// The example org committed in a new repository.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("org"),
        &dir.path().join("org"),
    );
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "base"]);
    dir
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let p = root.join("org").join(rel);
    let text = fs::read_to_string(&p).expect("read");
    let new = f(text.clone());
    assert_ne!(new, text, "the edit of {rel} changed nothing");
    fs::write(p, new).expect("write");
}

/// A pull request's worth of changes: someone leaves infra, a permission goes up, a person
/// joins security, a team is deleted.
fn change(root: &Path) {
    edit(root, "teams/infra.yaml", |t| {
        t.replace("  - sam-taylor\n", "")
            .replace("    nixpkgs: push\n", "    nixpkgs: maintain\n")
    });
    fs::write(
        root.join("org/people/new-person.yaml"),
        "name: New Person\ngithub: new-person-gh\ngithub_id: 99000001\nemail: new@example.com\n",
    )
    .expect("write");
    edit(root, "teams/security.yaml", |t| {
        t.replacen("members:\n", "members:\n  - new-person\n", 1)
    });
    fs::remove_file(root.join("org/teams/sbom-wg.yaml")).expect("rm");
}

fn stdout(c: &mut Command) -> (Option<i32>, String, String) {
    let out = c.output().expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn work_tree_against_head_in_the_orgs_terms() {
    let dir = repo();
    let root = dir.path();
    let (code, out, err) = stdout(orgctl(root).args(["diff"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("No changes."), "{out}");
    let (code, _, _) = stdout(orgctl(root).args(["diff", "--exit-code"]));
    assert_eq!(code, Some(0));

    change(root);
    let (code, out, err) = stdout(orgctl(root).args(["diff"]));
    assert_eq!(code, Some(0), "{err}");
    for line in [
        "# People",
        "  + new-person (New Person)  [people/new-person.yaml]",
        "# Teams",
        "  ~ infra (Infrastructure)  [teams/infra.yaml]",
        "      github.repos.nixpkgs: push → maintain",
        "      members: - sam-taylor",
        "      members: + new-person",
        "  - sbom-wg (SBOM working group)  [teams/sbom-wg.yaml]",
        "  ~ github_team_repo.infra[\"nixpkgs\"] (permission: push → maintain)",
        "  - github_team_member.infra[\"samtaylor\"]",
        "  ~ infra@nixos.example: - sam-taylor",
        "Files: 1 added, 2 changed, 1 removed.",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    // The new security member is added on GitHub (invited to the org first, if managed), and
    // the deleted team is reported as left on GitHub, not deleted.
    assert!(
        out.contains("github_team_member.security[\"new-person-gh\"]"),
        "{out}"
    );
    assert!(
        out.contains("! github_team.sbom-wg: team `sbom-wg`"),
        "{out}"
    );
    let (code, _, _) = stdout(orgctl(root).args(["diff", "--exit-code"]));
    assert_eq!(code, Some(1));
}

#[test]
fn json_and_markdown_carry_the_same_diff() {
    let dir = repo();
    let root = dir.path();
    change(root);
    let (code, out, err) = stdout(orgctl(root).args(["diff", "--format", "json"]));
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 2);
    assert_eq!(v["as_of"], "2026-11-25");
    let entities = v["entities"].as_array().expect("entities");
    let find = |id: &str| {
        entities
            .iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {out}"))
    };
    assert_eq!(find("new-person")["change"], "added");
    assert_eq!(find("new-person")["kind"], "person");
    assert_eq!(find("sbom-wg")["change"], "removed");
    let infra = find("infra");
    assert_eq!(infra["change"], "changed");
    assert!(
        infra["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["path"] == "github.repos.nixpkgs"
                && f["before"] == "push"
                && f["after"] == "maintain"),
        "{infra}"
    );
    // GitHub changes are plan changes: the same addresses and resources `orgctl plan` uses.
    let github = v["github"].as_array().expect("github");
    assert!(github.iter().any(|c| c["address"]["provider"] == "github"
        && c["address"]["kind"] == "team_repo"
        && c["action"] == "update"));
    assert!(
        v["email"]
            .as_array()
            .expect("email")
            .iter()
            .any(|a| a["address"] == "infra@nixos.example" && a["removed"][0] == "sam-taylor")
    );

    let (code, md, _) = stdout(orgctl(root).args(["diff", "--format", "markdown"]));
    assert_eq!(code, Some(0));
    assert!(md.starts_with("### orgctl diff: "), "{md}");
    assert!(md.contains("➖ **sbom-wg"), "{md}");
    // No mention pings anyone: every `@` that GitHub could read as a mention (not inside an
    // address like `infra@nixos.example`) is followed by a zero-width space.
    let chars: Vec<char> = md.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '@' && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            assert_eq!(chars.get(i + 1), Some(&'\u{200b}'), "{md}");
        }
    }
    assert!(md.contains("infra@nixos.example"), "{md}");
}

#[test]
fn two_revisions_and_a_broken_side() {
    let dir = repo();
    let root = dir.path();
    change(root);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "change"]);
    // Committed: the work tree equals HEAD, and HEAD~1 → HEAD is the change.
    let (_, out, _) = stdout(orgctl(root).args(["diff"]));
    assert!(out.contains("No changes."), "{out}");
    let (code, out, err) = stdout(orgctl(root).args(["diff", "--base", "HEAD~1", "--rev", "HEAD"]));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("orgctl diff: HEAD~1:org/"), "{out}");
    assert!(out.contains("  + new-person (New Person)"), "{out}");

    // A file that does not parse would look like a removal: refused, naming it.
    fs::write(root.join("org/teams/infra.yaml"), "name: [unclosed\n").expect("write");
    let (code, _, err) = stdout(orgctl(root).args(["diff"]));
    assert_eq!(code, Some(1));
    assert!(
        err.contains("has files that do not parse: team `infra`"),
        "{err}"
    );
    let (code, _, err) = stdout(orgctl(root).args(["diff", "--base", "no-such-rev"]));
    assert_eq!(code, Some(1));
    assert!(err.contains("no-such-rev"), "{err}");
}

#[test]
fn reviewers_come_from_the_base_and_exclude_the_author() {
    let dir = repo();
    let root = dir.path();
    change(root);
    let (code, out, err) = stdout(orgctl(root).args(["reviewers"]));
    assert_eq!(code, Some(0), "{err}");
    for line in [
        "  teams/infra.yaml: changes team `infra`: one of its leads",
        "      any of: hannah-schmidt (hschmidt), mateus-oliveira (mateus-oliveira)",
        "  people/new-person.yaml: adds person `new-person` (a new org member when org membership is managed): an org admin",
        "  teams/security.yaml: changes team `security`: one of its leads",
        "  teams/sbom-wg.yaml: removes team `sbom-wg`: one of its leads",
        "Suggested reviewers: ",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    let (_, logins, _) = stdout(orgctl(root).args(["reviewers", "--format", "logins"]));
    let logins: Vec<&str> = logins.lines().collect();
    assert!(logins.contains(&"tnowak"), "{logins:?}");
    assert!(logins.len() <= 4, "a small set: {logins:?}");

    // sbom-wg's only lead wrote the change: that approval cannot be met.
    let (code, out, _) = stdout(orgctl(root).args(["reviewers", "--author", "tnowak"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("only the author could give"), "{out}");
    let (_, json, _) =
        stdout(orgctl(root).args(["reviewers", "--author", "tnowak", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["unmet"][0]["file"], "teams/sbom-wg.yaml");
    assert!(
        !v["suggested"]
            .as_array()
            .expect("suggested")
            .iter()
            .any(|a| a["github"] == "tnowak")
    );
}

#[test]
fn history_reads_membership_changes_from_git() {
    let dir = repo();
    let root = dir.path();
    change(root);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "rotate infra, add new-person"]);
    edit(root, "teams/infra.yaml", |t| {
        t.replace(
            "leads: [mateus-oliveira, hannah-schmidt]",
            "leads: [hannah-schmidt]",
        )
    });
    git(root, &["commit", "-qam", "mateus steps down as lead"]);

    let (code, out, err) = stdout(orgctl(root).args(["history", "--team", "infra"]));
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    // Newest first: the lead change, then the rotation, then the initial commit.
    assert!(
        lines[0].contains("mateus-oliveira") && lines[0].ends_with("stopped leading"),
        "{out}"
    );
    assert!(
        lines[1].contains("sam-taylor") && lines[1].ends_with("left"),
        "{out}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.ends_with("became a lead") || l.ends_with("joined")),
        "{out}"
    );
    assert!(out.contains("team created"), "{out}");
    assert!(!out.contains("security"), "{out}");

    let (_, out, _) =
        stdout(orgctl(root).args(["history", "--person", "new-person", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let events = v["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{out}");
    assert_eq!(events[0]["team"], "security");
    assert_eq!(events[0]["event"], "joined");
    assert_eq!(events[0]["author"], "t");

    // Only as far back as asked.
    let (_, out, _) = stdout(orgctl(root).args(["history", "--max-commits", "1"]));
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// Issue 14.4: a person turning to `email: none` shows in the diff as the field change and as
/// the aliases they stop receiving.
#[test]
fn email_none_shows_as_lost_alias_mail() {
    let dir = repo();
    let root = dir.path();
    edit(root, "people/emeka-okafor.yaml", |t| {
        t.replace("email: emeka@example.org", "email: none")
    });
    let (code, out, err) = stdout(orgctl(root).args(["diff"]));
    assert_eq!(code, Some(0), "{err}");
    for line in [
        "      email: emeka@example.org → none",
        "  ~ moderation@nixos.example: - emeka-okafor",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
}
