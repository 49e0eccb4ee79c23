//! Bad input for `orgctl email`: every case stops with a clear message and writes nothing.

mod support;

use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use support::{BOB, Work};

const BACKEND: &str = "    kind: postfix\n    path: mail/virtual\n";

fn apply(work: &Work) -> assert_cmd::Command {
    let mut c = work.orgctl();
    c.env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"]);
    c
}

#[test]
fn alias_outside_the_domains_is_refused_by_plan() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write(
        "org/aliases/x.yaml",
        "address: x@elsewhere.example\nrecipients: [{person: alice}]\n",
    );
    work.orgctl()
        .args(["email", "plan"])
        .assert()
        .code(1)
        .stderr(contains("alias-domain"))
        .stderr(contains("fix them before planning"));
    apply(&work).assert().code(1);
    assert_eq!(work.read("mail/virtual"), None);
}

#[test]
fn recipient_without_an_address_is_refused() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write("org/people/frank.yaml", "name: Frank\n");
    work.write(
        "org/teams/oncall.yaml",
        "name: On-call\nparent: infra\nmembers: [carol, erin, frank]\n",
    );
    work.orgctl()
        .args(["email", "plan"])
        .assert()
        .code(1)
        .stderr(contains(
            "`frank` receives mail for `infra-all@example.org` but has no email address",
        ));
    assert_eq!(work.read("mail/virtual"), None);
}

/// Issue 14.4: `email: none` is a member who receives no alias mail: check passes, expansion
/// leaves them out, the report says so; a member with no `email` at all is still an error.
#[test]
fn a_member_with_email_none_receives_nothing_and_check_passes() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write("org/people/frank.yaml", "name: Frank\nemail: none\n");
    work.write(
        "org/teams/oncall.yaml",
        "name: On-call\nparent: infra\nmembers: [carol, erin, frank]\n",
    );
    work.orgctl().arg("check").assert().success();
    let out = work.orgctl().args(["email", "plan"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("infra-all@example.org"), "{text}");
    assert!(!text.to_lowercase().contains("frank"), "{text}");
    let site = work.path().join("site");
    work.orgctl()
        .args(["report", "--format", "markdown", "--out"])
        .arg(&site)
        .assert()
        .success();
    let person = std::fs::read_to_string(site.join("people/frank.md")).expect("page");
    assert!(person.contains("receives no alias mail"), "{person}");
    let team = std::fs::read_to_string(site.join("teams/infra.md")).expect("page");
    assert!(
        team.contains("Receive no alias mail (`email: none`): [Frank]"),
        "{team}"
    );
    // Without any `email`, the same member is still a gap.
    work.write("org/people/frank.yaml", "name: Frank\n");
    work.orgctl().arg("check").assert().code(1).stdout(contains(
        "`frank` receives mail for `infra-all@example.org` but has no email address",
    ));
}

#[test]
fn unresolvable_secret_stops_apply_before_any_write_and_names_the_person() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write("mail/virtual", "postmaster@example.org root@example.net\n");
    work.remove("secrets/erin");
    work.orgctl()
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .code(1)
        .stderr(contains("private address of `bob` (env secret): env:ORGCTL_EMAIL_BOB could not be resolved (not set, empty, unreadable, not a single address, or not allowed)"))
        .stderr(contains("private address of `erin` (file secret): file:secrets/erin could not be resolved (not set, empty, unreadable, not a single address, or not allowed)"))
        .stderr(contains("nothing was written"));
    assert_eq!(
        work.read("mail/virtual").as_deref(),
        Some("postmaster@example.org root@example.net\n")
    );
    assert_eq!(work.read("mail/virtual.orgctl-backup"), None);

    // A value that is not an address is refused without being printed.
    work.write(
        "secrets/erin",
        "erin@private.example\nmallory@evil.example\n",
    );
    apply(&work)
        .assert()
        .code(1)
        .stderr(contains(
            "`erin` (file secret): file:secrets/erin could not be resolved",
        ))
        .stderr(contains("mallory").not());
}

#[test]
fn plan_never_prints_private_addresses() {
    let work = Work::new();
    work.standard_org(BACKEND);
    apply(&work)
        .assert()
        .success()
        .stdout(contains("private.example").not());
    for format in ["human", "json"] {
        work.orgctl()
            .env("ORGCTL_EMAIL_BOB", BOB)
            .args(["email", "plan", "--format", format])
            .assert()
            .success()
            .stdout(contains("private.example").not());
    }
    // Remove bob from infra: the removal shows him redacted.
    work.write(
        "org/teams/infra.yaml",
        "name: Infra\nleads: [alice]\nmembers: [alice]\nemail:\n  - address: infra@example.org\n",
    );
    work.orgctl()
        .args(["email", "plan", "--format", "json"])
        .assert()
        .success()
        .stdout(contains("\"bob <redacted>\""))
        .stdout(contains("private.example").not());
}

#[test]
fn hand_edited_map_is_drift_and_not_overwritten() {
    let work = Work::new();
    work.standard_org(BACKEND);
    apply(&work).assert().success();
    let text = work.read("mail/virtual").expect("map");
    let edited = text.replace(
        "infra-leads@example.org alice@example.com",
        "infra-leads@example.org alice@example.com, eve@home.example",
    );
    assert_ne!(edited, text);
    work.write("mail/virtual", &edited);
    work.orgctl()
        .args(["email", "plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(contains("Drift: edited by hand since the last apply"))
        .stdout(contains("! email_alias[\"infra-leads@example.org\"]: entry edited by hand since the last apply (line"))
        .stdout(contains("      - <unlisted address "))
        .stdout(contains("eve@home.example").not());
    apply(&work)
        .assert()
        .code(1)
        .stderr(contains(
            "refusing to overwrite changes made by hand since the last apply",
        ))
        .stderr(contains("--allow-drift"));
    assert_eq!(work.read("mail/virtual").as_deref(), Some(edited.as_str()));
    apply(&work)
        .arg("--allow-drift")
        .assert()
        .success()
        .stdout(contains("Apply complete: 0 added, 1 changed, 0 destroyed."));
    assert_eq!(work.read("mail/virtual").as_deref(), Some(text.as_str()));
}

#[test]
fn alias_also_defined_outside_the_block_is_a_conflict() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write(
        "mail/virtual",
        "# mine\nboard@example.org someone@example.net\n",
    );
    work.orgctl()
        .args(["email", "plan"])
        .assert()
        .success()
        .stdout(contains("Conflicts (apply refuses until they are resolved):"))
        .stdout(contains("email_alias[\"board@example.org\"]: also defined outside orgctl's control (line 2 of mail/virtual)"));
    apply(&work)
        .assert()
        .code(1)
        .stderr(contains("refusing to apply"));
    assert_eq!(
        work.read("mail/virtual").as_deref(),
        Some("# mine\nboard@example.org someone@example.net\n")
    );
}

#[test]
fn broken_block_is_an_error_not_a_guess() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write(
        "mail/virtual",
        "# BEGIN orgctl managed block\nx@example.org y@example.net\n",
    );
    work.orgctl()
        .args(["email", "plan"])
        .assert()
        .code(1)
        .stderr(contains(
            "mail/virtual:1: orgctl's block has no `# END orgctl managed block` line",
        ));
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.orgctl()
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--no-postmap"])
        .write_stdin("yes\n")
        .assert()
        .code(1)
        .stderr(contains("pass --auto-approve"));
    assert_eq!(work.read("mail/virtual"), None);
}

#[test]
fn no_backend_configured() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write(
        "org/org.yaml",
        "name: Test org\nemail:\n  domains: [example.org]\n",
    );
    work.orgctl()
        .args(["email", "plan"])
        .assert()
        .code(1)
        .stderr(contains("org.yaml has no `email.backend`"));
}

/// The operator restricts secret references from the environment: `check` refuses what the
/// reference shows, apply resolves only inside the allowed directory, and a refused or missing
/// secret reads the same.
#[test]
fn secret_references_follow_the_operators_policy() {
    let work = Work::new();
    work.standard_org(BACKEND);
    work.write(
        "org/people/mallory.yaml",
        "name: Mallory\nemail: { secret: \"env:GITHUB_TOKEN\" }\n",
    );
    work.orgctl()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("secret-reference"))
        .stdout(contains(
            "secret reference `env:GITHUB_TOKEN` is not allowed: `env:` references must name a variable starting with `ORGCTL_EMAIL_`",
        ));
    work.remove("org/people/mallory.yaml");
    // With a secret directory, `file:` paths are relative to it and may not leave it.
    let secrets = work.path().join("secrets");
    work.write(
        "org/people/erin.yaml",
        "name: Erin\nemail: { secret: \"file:/etc/hostname\" }\n",
    );
    work.orgctl()
        .env("ORGCTL_SECRET_DIR", &secrets)
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains(
            "secret reference `file:/etc/hostname` is not allowed",
        ));
    work.write(
        "org/people/erin.yaml",
        "name: Erin\nemail: { secret: \"file:erin\" }\n",
    );
    std::os::unix::fs::symlink("/etc/hostname", secrets.join("escape")).expect("symlink");
    work.write(
        "org/people/bob.yaml",
        "name: Bob\nemail: { secret: \"file:escape\" }\n",
    );
    work.orgctl()
        .env("ORGCTL_SECRET_DIR", &secrets)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .code(1)
        .stderr(contains(
            "private address of `bob` (file secret): file:escape could not be resolved (not set, empty, unreadable, not a single address, or not allowed)",
        ))
        .stderr(contains("1 private address(es) could not be resolved"));
    work.write(
        "org/people/bob.yaml",
        "name: Bob\nemail: { secret: \"env:ORGCTL_EMAIL_BOB\" }\n",
    );
    work.orgctl()
        .env("ORGCTL_SECRET_DIR", &secrets)
        .env("ORGCTL_EMAIL_BOB", BOB)
        .args(["email", "apply", "--auto-approve", "--no-postmap"])
        .assert()
        .success();
    assert!(
        work.read("mail/virtual")
            .expect("map")
            .contains("erin@private.example")
    );
}
