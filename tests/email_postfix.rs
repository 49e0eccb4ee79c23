//! End to end: `orgctl email plan/apply` on a Postfix map, checked with the real `postmap -q`.

mod support;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use support::{BOB, Work, postfix_config, postmap};

const BACKEND: &str = "    kind: postfix\n    path: mail/virtual\n";

fn lookup(
    postmap: &std::path::Path,
    cfg: &std::path::Path,
    map: &std::path::Path,
    key: &str,
) -> Option<Vec<String>> {
    let out = std::process::Command::new(postmap)
        .arg("-c")
        .arg(cfg)
        .arg("-q")
        .arg(key)
        .arg(format!("hash:{}", map.display()))
        .output()
        .expect("postmap -q");
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut v: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    Some(v)
}

#[test]
fn apply_then_every_alias_resolves_with_postmap() {
    let Some(postmap) = postmap() else { return };
    let work = Work::new();
    work.standard_org(BACKEND);
    let cfg = postfix_config(&work);
    work.write(
        "mail/virtual",
        "# hand-written, kept\npostmaster@example.org root@example.net\n",
    );
    let apply = |w: &Work| {
        let mut c = w.orgctl();
        c.env("ORGCTL_EMAIL_BOB", BOB)
            .args(["email", "apply", "--auto-approve", "--postmap"])
            .arg(&postmap)
            .arg("--postfix-config-dir")
            .arg(&cfg);
        c
    };
    let out = apply(&work).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).expect("utf-8");
    assert!(out.contains("  + email_alias[\"infra@example.org\"]\n      + alice@example.com\n      + bob <redacted>\n"), "{out}");
    assert!(
        out.contains("Apply complete: 6 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    assert!(
        !out.contains("private.example"),
        "a private address leaked: {out}"
    );

    let map = work.path().join("mail/virtual");
    for (alias, mut want) in Work::standard_expected() {
        want.sort();
        assert_eq!(lookup(&postmap, &cfg, &map, alias), Some(want), "{alias}");
    }
    assert_eq!(
        lookup(&postmap, &cfg, &map, "postmaster@example.org"),
        Some(vec!["root@example.net".into()])
    );
    assert_eq!(lookup(&postmap, &cfg, &map, "dave@example.org"), None);
    assert!(
        work.read("mail/virtual")
            .expect("map")
            .starts_with("# hand-written, kept\npostmaster@example.org")
    );

    // Converged: plan is empty; a second apply writes nothing.
    work.orgctl()
        .args(["email", "plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(contains("No changes."));
    let before = std::fs::metadata(&map)
        .and_then(|m| m.modified())
        .expect("mtime");
    apply(&work)
        .assert()
        .success()
        .stdout(contains("Apply complete: 0 added, 0 changed, 0 destroyed."));
    assert_eq!(
        std::fs::metadata(&map)
            .and_then(|m| m.modified())
            .expect("mtime"),
        before
    );

    // A member leaves, an alias goes away: update and delete, backup kept.
    work.remove("org/aliases/board.yaml");
    work.write(
        "org/aliases/security.yaml",
        "address: security@example.org\nrecipients:\n  - team: infra\n    leads_only: true\n  - address: reports@external.example\n",
    );
    work.orgctl()
        .args(["email", "plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(contains(
            "  - email_alias[\"board@example.org\"]\n      - carol@example.net\n",
        ))
        .stdout(contains(
            "  ~ email_alias[\"security@example.org\"]\n      - carol@example.net\n",
        ))
        .stdout(contains("Plan: 0 to add, 1 to change, 1 to destroy."));
    apply(&work)
        .assert()
        .success()
        .stdout(contains("Apply complete: 0 added, 1 changed, 1 destroyed."));
    assert_eq!(lookup(&postmap, &cfg, &map, "board@example.org"), None);
    assert_eq!(
        lookup(&postmap, &cfg, &map, "security@example.org"),
        Some(vec![
            "alice@example.com".into(),
            "reports@external.example".into()
        ])
    );
    assert!(
        work.read("mail/virtual.orgctl-backup")
            .expect("backup")
            .contains("board@example.org")
    );

    // A private address changes value: plan cannot see it, apply rewrites it.
    let mut c = apply(&work);
    c.env("ORGCTL_EMAIL_BOB", "bob@new-private.example");
    c.assert()
        .success()
        .stdout(contains(
            "email_alias[\"infra@example.org\"]: updated (private address changed)",
        ))
        .stdout(contains("new-private").not());
    let infra = lookup(&postmap, &cfg, &map, "infra@example.org").expect("infra");
    assert_eq!(infra, ["alice@example.com", "bob@new-private.example"]);
}

/// Review of issue 13: a pull request pointing the map at another file (a shell profile, a
/// served page) must not make apply write alias blocks and private addresses into it.
#[test]
fn the_map_is_written_only_where_the_operator_allows() {
    let work = Work::new();
    let victim = work.path().join("home/.bashrc");
    work.write("home/.bashrc", "export PATH=/usr/bin\n");
    let backend = format!("    kind: postfix\n    path: {}\n", victim.display());
    work.standard_org(&backend);
    // Without the operator's directory, an absolute map path is refused before any write.
    work.orgctl()
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .code(1)
        .stderr(contains("ORGCTL_POSTFIX_MAP_DIR"));
    // With it, a path outside is refused too, by check at its line and by apply.
    let allowed = work.path().join("etc/postfix");
    std::fs::create_dir_all(&allowed).expect("mkdir");
    work.orgctl()
        .env("ORGCTL_POSTFIX_MAP_DIR", &allowed)
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("org.yaml"))
        .stdout(contains("ORGCTL_POSTFIX_MAP_DIR"));
    work.orgctl()
        .env("ORGCTL_POSTFIX_MAP_DIR", &allowed)
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .code(1);
    assert_eq!(
        work.read("home/.bashrc").as_deref(),
        Some("export PATH=/usr/bin\n"),
        "the file outside is untouched"
    );
    assert!(!work.path().join("home/.bashrc.orgctl-backup").exists());
    // Inside the operator's directory it works.
    let map = allowed.join("virtual");
    work.standard_org(&format!("    kind: postfix\n    path: {}\n", map.display()));
    work.orgctl()
        .env("ORGCTL_POSTFIX_MAP_DIR", &allowed)
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .success();
    assert!(map.exists());
}

/// Review of issue 13: `apply --audit FILE` replaces a symbolic link at FILE (a PR can commit
/// one into the checkout the apply job runs in) instead of writing through it.
#[test]
fn the_audit_record_never_writes_through_a_symlink() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write("home/precious.txt", "precious\n");
    std::os::unix::fs::symlink(
        work.path().join("home/precious.txt"),
        work.path().join("audit.json"),
    )
    .expect("link");
    work.orgctl()
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args([
            "apply",
            "--no-github",
            "--no-postmap",
            "--auto-approve",
            "--audit",
            "audit.json",
        ])
        .assert()
        .success();
    assert_eq!(
        work.read("home/precious.txt").as_deref(),
        Some("precious\n")
    );
    let audit = work.path().join("audit.json");
    assert!(
        !audit
            .symlink_metadata()
            .expect("audit")
            .file_type()
            .is_symlink()
    );
    assert!(
        work.read("audit.json")
            .expect("audit")
            .contains("audit_format_version")
    );
}

#[test]
fn missing_postmap_is_a_clear_error_before_any_write() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.orgctl()
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args([
            "email",
            "apply",
            "--auto-approve",
            "--postmap",
            "/nonexistent/postmap",
        ])
        .assert()
        .code(1)
        .stderr(contains("`/nonexistent/postmap` not found"))
        .stderr(contains("nothing was written"));
    assert_eq!(work.read("mail/virtual"), None);
}

/// The backup and the new map hold resolved private addresses: they keep the map's mode (and,
/// running as root, its owner), also over an old world-readable backup.
#[test]
fn backup_and_new_map_keep_the_maps_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write("mail/virtual", "postmaster@example.org root@example.net\n");
    work.write("mail/virtual.orgctl-backup", "an old backup\n");
    let map = work.path().join("mail/virtual");
    let backup = work.path().join("mail/virtual.orgctl-backup");
    let chmod = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    chmod(&backup, 0o644);
    let root = std::fs::metadata(&map).expect("map").uid() == 0;
    if root {
        std::os::unix::fs::chown(&map, Some(65534), Some(65534)).expect("chown");
    }
    for (mode, change) in [(0o600, false), (0o640, true)] {
        chmod(&map, mode);
        if change {
            work.remove("org/aliases/board.yaml");
            work.write(
                "org/aliases/security.yaml",
                "address: security@example.org\nrecipients:\n  - address: reports@external.example\n",
            );
        }
        work.orgctl()
            .env("ORGCTL_EMAIL_BOB", BOB)
            .args(["email", "apply", "--auto-approve", "--no-postmap"])
            .assert()
            .success();
        for p in [&map, &backup] {
            let m = std::fs::metadata(p).expect("metadata");
            assert_eq!(m.mode() & 0o777, mode, "{} {:o}", p.display(), m.mode());
            if root {
                assert_eq!((m.uid(), m.gid()), (65534, 65534), "{}", p.display());
            }
        }
        assert!(work.read("mail/virtual").expect("map").contains(BOB));
    }
    let left: Vec<_> = std::fs::read_dir(work.path().join("mail"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

/// A new map is created 0600: it holds resolved private addresses.
#[test]
fn a_new_map_is_private() {
    use std::os::unix::fs::MetadataExt;
    let work = Work::new();
    work.standard_org(BACKEND);
    work.orgctl()
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .success();
    let m = std::fs::metadata(work.path().join("mail/virtual")).expect("map");
    assert_eq!(m.mode() & 0o777, 0o600, "{:o}", m.mode());
}
