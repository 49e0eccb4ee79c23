//! Output an attacker shapes (issue 13): terminal escape sequences in names, descriptions, budget
//! sources and commit authors never reach the terminal raw; Markdown never pings anyone; output
//! directories are written without following symlinks and only orgctl's own files are removed.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

mod support;
use support::{copy_dir, git};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn orgctl(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("orgctl").expect("binary");
    c.env_remove("ORGCTL_ORG")
        .env_remove("NO_COLOR")
        .current_dir(dir)
        .args(["--as-of", "2026-11-25"]);
    c
}

/// Runs and returns (exit code, stdout + stderr).
fn run(c: &mut Command) -> (Option<i32>, String) {
    let out = c.output().expect("run");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join("org").join(rel);
    let text = fs::read_to_string(&p).expect("read");
    assert!(text.contains(from), "{rel} has no {from:?}");
    fs::write(p, text.replacen(from, to, 1)).expect("write");
}

/// Escape sequences (as YAML double-quoted escapes): a screen clear, an OSC 8 hyperlink, SGR,
/// a carriage return, a bidi override, an 8-bit CSI.
const HOSTILE: &str = r"\e[2J\e]8;;https://evil.example\aclick\e]8;;\a \e[31m\r\u202E\u009B2J @alice @nixos/security <script>";

/// The example org in git: a base commit, then a commit by an author whose name holds an escape
/// sequence that adds escape sequences to a team's name and description, a budget's source and
/// purpose, and removes a member; the work tree changes the description once more.
fn hostile_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    copy_dir(&root().join("org"), &d.join("org"));
    git(d, &["init", "-q"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "base"]);
    edit(
        d,
        "teams/infra.yaml",
        "name: Infrastructure\n",
        &format!("name: \"Infra {HOSTILE}\"\n"),
    );
    edit(
        d,
        "teams/infra.yaml",
        "description: Runs",
        &format!("description: \"{HOSTILE}\"\nx-old: Runs"),
    );
    let text = fs::read_to_string(d.join("org/teams/infra.yaml")).expect("read");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("x-old:") && *l != "  - sam-taylor")
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(d.join("org/teams/infra.yaml"), text).expect("write");
    edit(
        d,
        "budgets/infra-2026.yaml",
        "source: ",
        &format!("source: \"{HOSTILE}\"\nx: "),
    );
    let text = fs::read_to_string(d.join("org/budgets/infra-2026.yaml")).expect("read");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("x: "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(d.join("org/budgets/infra-2026.yaml"), text).expect("write");
    edit(
        d,
        "budgets/infra-2026.yaml",
        "purpose: Build farm and binary cache hosting",
        &format!("purpose: \"Build {HOSTILE}\""),
    );
    let st = std::process::Command::new("git")
        .args(["commit", "-qam", "hostile"])
        .current_dir(d)
        .env("GIT_AUTHOR_NAME", "Ev\x1b[2Jil\u{202e}")
        .env("GIT_AUTHOR_EMAIL", "e@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .expect("git");
    assert!(st.success());
    edit(
        d,
        "teams/infra.yaml",
        "description: \"",
        "description: \"again \\e[2J ",
    );
    dir
}

/// Characters that act on a terminal (other than newline and tab) or reorder text.
fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| {
            (c.is_control() && *c != '\n' && *c != '\t') || ('\u{202a}'..='\u{202e}').contains(c)
        })
        .collect()
}

fn state() -> String {
    root()
        .join("examples/github-state.json")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn human_output_never_carries_escape_sequences() {
    let repo = hostile_repo();
    let d = repo.path();
    let state = state();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["budget"],
        vec!["plan", "--state", &state],
        vec!["owners", "infra", "README.md"],
        vec!["diff", "--base", "HEAD~1"],
        vec!["history"],
        vec!["reviewers", "--base", "HEAD~1"],
    ];
    for args in commands {
        let (_, out) = run(orgctl(d).args(["--color", "never"]).args(&args));
        assert!(
            raw_controls(&out).is_empty(),
            "`orgctl {}` printed {:?}:\n{out}",
            args.join(" "),
            raw_controls(&out)
        );
        // `check` passes and `reviewers` names only ids and logins (restricted by the schema).
        assert!(
            out.contains("\\u{1b}") || matches!(args[0], "check" | "reviewers"),
            "`orgctl {}` does not show the escape visibly:\n{out}",
            args.join(" ")
        );
    }
}

#[test]
fn colours_are_the_only_escape_sequences() {
    let repo = hostile_repo();
    let (_, out) =
        run(orgctl(repo.path()).args(["--color", "always", "plan", "--state", &state()]));
    assert!(out.contains("\x1b[33m~\x1b[0m"), "{out}");
    assert!(!out.contains("\x1b[2J") && !out.contains("\x1b]8"), "{out}");
    let without_colours = out
        .replace("\x1b[32m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[31m", "")
        .replace("\x1b[0m", "");
    assert!(raw_controls(&without_colours).is_empty(), "{out}");
}

#[test]
fn check_shows_diagnostics_and_snippets_escaped() {
    let repo = hostile_repo();
    let d = repo.path();
    // Raw control bytes in a file are a YAML error whose snippet shows the line.
    fs::write(
        d.join("org/teams/bad.yaml"),
        "name: \"Bad\"\n# \x1b]8;;https://evil.example\x07x\x1b]8;;\x07\nbogus: \x1b[2J\n",
    )
    .expect("write");
    let (code, out) = run(orgctl(d).args(["--color", "never", "check"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(raw_controls(&out).is_empty(), "{out}");
    assert!(out.contains("bogus: \\u{1b}[2J"), "{out}");
    // The marker still points at the offending character.
    assert!(out.contains("bad.yaml:2:3"), "{out}");
}

/// Every Markdown renderer, given the same hostile text, neutralises mentions, HTML and escapes.
#[test]
fn every_markdown_output_is_neutralised() {
    let repo = hostile_repo();
    let d = repo.path();
    let state = state();
    let site = d.join("site");
    let mut outputs = Vec::new();
    for args in [
        vec!["budget", "--format", "markdown"],
        vec!["plan", "--format", "markdown", "--state", &state],
        vec!["diff", "--base", "HEAD~1", "--format", "markdown"],
    ] {
        let (code, out) = run(orgctl(d).args(&args));
        assert_eq!(code, Some(0), "{out}");
        outputs.push((args.join(" "), out));
    }
    let (code, out) = run(orgctl(d)
        .args(["report", "--format", "markdown", "--out"])
        .arg(&site));
    assert_eq!(code, Some(0), "{out}");
    for page in ["teams/infra.md", "budgets/infra-2026.md"] {
        let text = fs::read_to_string(site.join(page)).expect(page);
        outputs.push((page.to_string(), text));
    }
    for (what, out) in outputs {
        assert!(
            out.contains("\\u\\{1b\\}") || out.contains("\\u{1b}"),
            "{what} does not show the escape visibly:\n{out}"
        );
        // Mentions do not fire inside fenced code (the plan's diff blocks); everywhere else
        // they must be broken.
        let mut fenced = false;
        let prose: String = out
            .lines()
            .filter(|l| {
                if l.starts_with("```") {
                    fenced = !fenced;
                    return false;
                }
                !fenced
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !prose.contains("@alice") && !prose.contains("@nixos/security"),
            "{what} leaves a mention live:\n{out}"
        );
        assert!(!out.contains("<script"), "{what}:\n{out}");
        assert!(raw_controls(&out).is_empty(), "{what}:\n{out}");
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(unix)]
fn report(dir: &Path, out: &Path) -> (Option<i32>, String) {
    run(orgctl(dir).args(["report", "--out"]).arg(out))
}

#[cfg(unix)]
#[test]
fn report_replaces_a_symlinked_page_instead_of_writing_through_it() {
    let repo = hostile_repo();
    let d = repo.path();
    let site = d.join("site");
    assert_eq!(report(d, &site).0, Some(0));
    let victim = d.join("victim.txt");
    fs::write(&victim, "precious").expect("write");
    fs::remove_file(site.join("teams/infra.html")).expect("rm");
    symlink(&victim, &site.join("teams/infra.html"));
    let (code, out) = report(d, &site);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
    let meta = fs::symlink_metadata(site.join("teams/infra.html")).expect("stat");
    assert!(meta.is_file(), "the page is a regular file again");
}

#[cfg(unix)]
#[test]
fn report_refuses_a_symlinked_directory_and_never_deletes_through_it() {
    let repo = hostile_repo();
    let d = repo.path();
    let site = d.join("site");
    assert_eq!(report(d, &site).0, Some(0));
    let elsewhere = d.join("elsewhere");
    fs::create_dir(&elsewhere).expect("mkdir");
    fs::write(elsewhere.join("keep.html"), "keep").expect("write");
    fs::write(elsewhere.join("zoe-martin.html"), "keep").expect("write");
    fs::remove_dir_all(site.join("people")).expect("rm");
    symlink(&elsewhere, &site.join("people"));
    // Even a manifest naming the files behind the link does not get them removed.
    let manifest = site.join(".orgctl-report-manifest");
    let mut m = fs::read_to_string(&manifest).expect("manifest");
    m.push_str("people/keep.html\n../elsewhere/keep.html\n");
    fs::write(&manifest, m).expect("write");
    let (code, out) = report(d, &site);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("is a symbolic link"), "{out}");
    assert_eq!(
        fs::read_to_string(elsewhere.join("keep.html")).expect("kept"),
        "keep"
    );
    assert_eq!(
        fs::read_to_string(elsewhere.join("zoe-martin.html")).expect("kept"),
        "keep"
    );
}

#[test]
fn report_removes_only_the_pages_it_wrote() {
    let repo = hostile_repo();
    let d = repo.path();
    let site = d.join("site");
    assert_eq!(report_any(d, &site).0, Some(0));
    // A page the user put there stays; a page orgctl wrote and no longer generates goes.
    fs::write(site.join("teams/mine.html"), "mine").expect("write");
    fs::remove_file(d.join("org/teams/haskell.yaml")).expect("rm");
    let (code, out) = report_any(d, &site);
    assert_eq!(code, Some(0), "{out}");
    assert!(site.join("teams/mine.html").exists());
    assert!(!site.join("teams/haskell.html").exists());
    let manifest = fs::read_to_string(site.join(".orgctl-report-manifest")).expect("manifest");
    assert!(manifest.contains("\nteams/infra.html\n"), "{manifest}");
    assert!(!manifest.contains("haskell"), "{manifest}");
}

fn report_any(dir: &Path, out: &Path) -> (Option<i32>, String) {
    run(orgctl(dir).args(["report", "--out"]).arg(out))
}

#[cfg(unix)]
#[test]
fn codeowners_out_replaces_a_symlink() {
    let dir = tempfile::tempdir().expect("tmp");
    let victim = dir.path().join("victim");
    fs::write(&victim, "precious").expect("write");
    let link = dir.path().join("CODEOWNERS");
    symlink(&victim, &link);
    let (code, out) = run(orgctl(&root())
        .args(["codeowners", "--repo", "nixpkgs", "--out"])
        .arg(&link));
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
    assert!(fs::read_to_string(&link).expect("read").contains("@"));
}

#[test]
fn budget_markdown_neutralises_mentions() {
    let repo = hostile_repo();
    let (code, out) = run(orgctl(repo.path()).args(["budget", "--format", "markdown"]));
    assert_eq!(code, Some(0), "{out}");
    let source = out
        .lines()
        .find(|l| l.starts_with("Source: "))
        .expect("a source line");
    assert!(
        source.contains("@\u{200b}alice @\u{200b}nixos/security &lt;script&gt;"),
        "{source}"
    );
    assert!(!out.contains("@alice") && !out.contains("@nixos/"), "{out}");
}
