//! End to end: `owners`, `codeowners`, `budget` and `report` on the example org, as of a fixed
//! date, with insta snapshots of their output; determinism, redaction and exit codes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-11-25";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn orgctl() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_orgctl"));
    c.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("ORGCTL_ORG");
    c
}

/// Runs `orgctl --as-of AS_OF args...` on the example org; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = orgctl()
        .args(["--org", "org", "--as-of", AS_OF])
        .args(args)
        .output()
        .expect("orgctl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "orgctl {args:?} failed: {err}");
    out
}

/// People of the example org whose address is a secret reference.
fn secret_people() -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(root().join("org/people")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        if text.contains("secret:") {
            let name = text
                .lines()
                .find_map(|l| l.strip_prefix("name: "))
                .unwrap()
                .to_string();
            v.push(name);
        }
    }
    v.sort();
    assert!(
        !v.is_empty(),
        "the example org has people with private addresses"
    );
    v
}

fn assert_no_secret_reference(text: &str, what: &str) {
    for needle in ["env:ORGCTL", "env:", "file:/", "{ secret", "secret:"] {
        assert!(!text.contains(needle), "{what} contains `{needle}`");
    }
}

#[test]
fn owners_human() {
    let out = ok(&[
        "owners",
        "nixpkgs",
        "pkgs/top-level/python-packages.nix",
        "/doc/languages-frameworks/rust.section.md",
        "./pkgs/development/python-modules/jupyterlab/default.nix",
        "README.md",
        "src/unowned.c",
    ]);
    insta::assert_snapshot!("owners_human", out);
}

#[test]
fn owners_json() {
    let out = ok(&[
        "owners",
        "nixpkgs",
        "pkgs/stdenv/generic/setup.sh",
        "lib/strings.nix",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["paths"][0]["owners"][0]["id"], "nixpkgs-core");
    insta::assert_snapshot!("owners_json", out);
}

#[test]
fn owners_lists_rules_and_rejects_unknown_repositories() {
    insta::assert_snapshot!("owners_rules", ok(&["owners", "nixpkgs"]));
    let (code, _, err) = run(&["owners", "no-such-repo", "x"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no team owns anything in repository `no-such-repo`"),
        "{err}"
    );
    assert!(err.contains("nixpkgs"), "{err}");
}

#[test]
fn owners_respects_terms() {
    // Before the SBOM working group's terms start, nobody from it is a member; the steering
    // committee's members whose term ended on 2027-01-31 are gone on 2027-02-01.
    let out = orgctl()
        .args([
            "--org",
            "org",
            "--as-of",
            "2027-02-01",
            "owners",
            "rfcs",
            "README.md",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Jonas Weber"), "{text}");
    for gone in [
        "Ingrid Jansen",
        "Priya Raman",
        "Kenji Tanaka",
        "Marco Rossi",
    ] {
        assert!(
            !text.contains(gone),
            "{gone} is still shown after their term: {text}"
        );
    }
}

#[test]
fn owners_coverage_of_a_tree_with_a_ratchet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for f in [
        "pkgs/stdenv/a.nix",
        "pkgs/stdenv/b.nix",
        "lib/x.nix",
        "pkgs/misc/a/b.nix",
        "pkgs/misc/a/c.nix",
        "pkgs/misc/d.nix",
        "nixos/tests/t.nix",
        "README.md",
        ".git/HEAD",
    ] {
        let p = d.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "x").unwrap();
    }
    let tree = d.to_str().unwrap();
    let (code, out, _) = run(&["owners", "nixpkgs", "--tree", tree, "--min-coverage", "50"]);
    assert_eq!(code, 0, "4 of 8 files is exactly the minimum: {out}");
    let (code, out, err) = run(&["owners", "nixpkgs", "--tree", tree, "--min-coverage", "60"]);
    assert_eq!(code, 1);
    assert!(out.contains("4 of 8 files have an owner (50.0%)"), "{out}");
    assert!(out.contains("      3 files  pkgs/misc/"), "{out}");
    assert!(out.contains("      1 files  nixos/"), "{out}");
    assert!(err.contains("below the minimum of 60%"), "{err}");
    let (code, out, _) = run(&[
        "owners",
        "nixpkgs",
        "--tree",
        tree,
        "--min-coverage",
        "40",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["coverage"]["files"], 8);
    assert_eq!(v["coverage"]["unowned_dirs"][0]["path"], "pkgs/misc/");
}

#[test]
fn owners_coverage_at_a_git_revision() {
    // This repository at HEAD, judged by the example org's `nix.dev` rules (the whole repository).
    let here = root();
    let (code, out, err) = run(&[
        "owners",
        "nix.dev",
        "--tree",
        here.to_str().unwrap(),
        "--tree-rev",
        "HEAD",
        "--min-coverage",
        "100",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(100.0%)"), "{out}");
    let (code, _, err) = run(&[
        "owners",
        "nix.dev",
        "--tree",
        here.to_str().unwrap(),
        "--tree-rev",
        "no-such-rev",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown revision"), "{err}");
}

#[test]
fn codeowners_output_and_check() {
    let out = ok(&["codeowners", "--repo", "nixpkgs"]);
    insta::assert_snapshot!("codeowners_nixpkgs", out);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("CODEOWNERS");
    let f = file.to_str().unwrap();
    // Missing file: stale, with a diff of every line.
    let (code, diff, err) = run(&["codeowners", "--repo", "nixpkgs", "--check", f]);
    assert_eq!(code, 1);
    assert!(
        diff.contains("+/lib/ @nixos-example/nixpkgs-core"),
        "{diff}"
    );
    assert!(err.contains("is stale"), "{err}");
    // Written: fresh.
    ok(&["codeowners", "--repo", "nixpkgs", "--out", f]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), out);
    let (code, _, err) = run(&["codeowners", "--repo", "nixpkgs", "--check", f]);
    assert_eq!(code, 0, "{err}");
    // Edited by hand: stale again, and the diff shows the edit.
    std::fs::write(
        &file,
        out.replace("/lib/ @nixos-example/nixpkgs-core\n", ""),
    )
    .unwrap();
    let (code, diff, _) = run(&["codeowners", "--repo", "nixpkgs", "--check", f]);
    assert_eq!(code, 1);
    assert!(
        diff.lines()
            .any(|l| l == "+/lib/ @nixos-example/nixpkgs-core"),
        "{diff}"
    );
}

#[test]
fn codeowners_and_owners_agree_through_the_binary() {
    let text = ok(&["codeowners", "--repo", "nixpkgs"]);
    let lines = orgctl::codeowners::parse(&text);
    let paths = [
        "pkgs/top-level/python-packages.nix",
        "pkgs/top-level/all-packages.nix",
        "pkgs/development/python-modules/jupyter-core/default.nix",
        "pkgs/development/python-modules/numpy/default.nix",
        "doc/manual.md",
        "doc/languages-frameworks/rust.section.md",
        "nixos/README.md",
        "nixos/modules/x.nix",
    ];
    let mut args = vec!["owners", "nixpkgs", "--format", "json"];
    args.extend(paths);
    let v: serde_json::Value = serde_json::from_str(&ok(&args)).unwrap();
    for (i, p) in paths.iter().enumerate() {
        let from_owners: Vec<String> = v["paths"][i]["owners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["github"].as_str().unwrap().to_string())
            .collect();
        let from_file = orgctl::codeowners::owners_of(&lines, p)
            .map(|l| l.owners.clone())
            .unwrap_or_default();
        assert_eq!(from_owners, from_file, "{p}");
    }
}

#[test]
fn budget_outputs() {
    insta::assert_snapshot!("budget_human", ok(&["budget"]));
    insta::assert_snapshot!("budget_markdown", ok(&["budget", "--format", "markdown"]));
    let json = ok(&["budget", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["funds"][0]["total"], "60000.00");
    insta::assert_snapshot!("budget_json", json);
    let (code, _, err) = run(&["budget", "--fund", "nope"]);
    assert_eq!(code, 1);
    assert!(err.contains("no fund `nope`"), "{err}");
}

fn read_tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn report(format: &str, dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["report", "--out", dir.to_str().unwrap(), "--format", format];
    args.extend(extra);
    ok(&args);
    read_tree(dir)
}

#[test]
fn markdown_report_snapshot_and_redaction() {
    let dir = tempfile::tempdir().unwrap();
    let files = report("markdown", &dir.path().join("r"), &[]);
    let mut all = String::new();
    for (path, text) in &files {
        if path == ".orgctl-report" {
            continue;
        }
        all.push_str(&format!("===== {path}\n{text}"));
    }
    insta::assert_snapshot!("report_markdown", all);
    check_redaction(&files);
}

#[test]
fn html_report_is_byte_identical_and_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let a = report("html", &dir.path().join("a"), &[]);
    let b = report("html", &dir.path().join("b"), &[]);
    assert_eq!(a, b, "two runs give the same bytes");
    assert!(a.len() > 50);
    check_redaction(&a);
    for (path, text) in &a {
        assert!(
            !text.to_lowercase().contains("<script"),
            "{path} has a script"
        );
        assert!(!text.contains("https://"), "{path} links to the network");
    }
    // Without --as-of, no date of the run appears anywhere.
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .current_dir(root())
        .args(["--org", "org", "report", "--out"])
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    for (path, text) in read_tree(&dir.path().join("c")) {
        assert!(!text.contains(&today), "{path} contains today's date");
        if let Some(i) = text.find("as of 2") {
            panic!(
                "{path} mentions an as-of date: {:?}",
                &text[i.saturating_sub(80)..(i + 40).min(text.len())]
            );
        }
    }
}

/// Every person with a private address appears as `name <redacted>` (escaped in HTML) and no
/// secret reference appears in any file.
fn check_redaction(files: &[(String, String)]) {
    for (path, text) in files {
        assert_no_secret_reference(text, path);
    }
    for name in secret_people() {
        let id_page = files
            .iter()
            .find(|(p, t)| {
                p.starts_with("people/")
                    && (t.contains(&format!("# {name}\n")) || t.contains(&format!("<h1>{name}")))
            })
            .unwrap_or_else(|| panic!("no page for {name}"));
        let page = &id_page.1;
        assert!(
            page.contains("&lt;redacted&gt;") || page.contains("<redacted>"),
            "{} shows no <redacted>",
            id_page.0
        );
    }
}

#[test]
fn command_outputs_never_show_secret_references() {
    let mut all = String::new();
    all.push_str(&ok(&["budget", "--format", "json"]));
    for repo in [
        "nixpkgs",
        "rfcs",
        "nix",
        "infra",
        "nix.dev",
        "nixos-homepage",
    ] {
        all.push_str(&ok(&["owners", repo, "README.md", "x", "--format", "json"]));
        all.push_str(&ok(&["owners", repo, "README.md", "x"]));
    }
    assert_no_secret_reference(&all, "owners/budget output");
    // Aisha Bello (private address) is on the steering committee, which owns rfcs' README.md.
    let out = ok(&["owners", "rfcs", "README.md"]);
    assert!(out.contains("Aisha Bello @aishabello <redacted>"), "{out}");
}

#[test]
fn report_refuses_to_overwrite_a_foreign_directory_and_removes_stale_pages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("precious.txt"), "x").unwrap();
    let (code, _, err) = run(&["report", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("was not written by `orgctl report`"), "{err}");
    let out = dir.path().join("site");
    ok(&["report", "--out", out.to_str().unwrap()]);
    // A page listed in the manifest (written by an earlier run) and no longer generated is
    // removed; a file orgctl did not write stays.
    std::fs::write(out.join("teams/gone.html"), "old").unwrap();
    std::fs::write(out.join("teams/mine.html"), "mine").unwrap();
    let manifest = out.join(".orgctl-report-manifest");
    let listed = std::fs::read_to_string(&manifest).unwrap() + "teams/gone.html\n";
    std::fs::write(&manifest, listed).unwrap();
    ok(&["report", "--out", out.to_str().unwrap()]);
    assert!(!out.join("teams/gone.html").exists());
    assert!(out.join("teams/mine.html").exists());
    assert!(out.join("teams/infra.html").exists());
}

#[test]
fn templates_can_be_replaced_and_typos_fail() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    std::fs::create_dir(&t).unwrap();
    std::fs::write(t.join("person.md"), "# {{ page.person.name }}\n").unwrap();
    let out = dir.path().join("out");
    ok(&[
        "report",
        "--format",
        "markdown",
        "--templates",
        t.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(out.join("people/eva-horvath.md")).unwrap(),
        "# Éva Horváth\n"
    );
    std::fs::write(t.join("person.md"), "# {{ page.persn.name }}\n").unwrap();
    let (code, _, err) = run(&[
        "report",
        "--format",
        "markdown",
        "--templates",
        t.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("template error") && err.contains("undefined"),
        "{err}"
    );
    std::fs::write(t.join("persn.md"), "x").unwrap();
    let (code, _, err) = run(&[
        "report",
        "--format",
        "markdown",
        "--templates",
        t.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("is not a template name"), "{err}");
}

/// Issue 14.6: a team name too long for its box in the hierarchy is cut there, and the whole
/// name is the box's SVG `<title>` (the tooltip), escaped.
#[test]
fn a_long_team_name_is_cut_in_the_tree_and_whole_in_its_tooltip() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let copy = |from: &Path, to: &Path| {
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .expect("cp");
        assert!(status.success());
    };
    copy(&root().join("org"), &org);
    let team = org.join("teams/sbom-wg.yaml");
    let text = std::fs::read_to_string(&team).unwrap();
    let long = "Exploit Mitigations & Software Bill of Materials Project";
    std::fs::write(
        &team,
        text.replace("name: SBOM working group", &format!("name: {long}")),
    )
    .unwrap();
    let out = dir.path().join("site");
    let status = orgctl()
        .args(["--as-of", AS_OF, "--org"])
        .arg(&org)
        .args(["report", "--format", "html", "--out"])
        .arg(&out)
        .output()
        .expect("run");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    let escaped = long.replace('&', "&amp;");
    assert!(
        index.contains(&format!("<title>{escaped}</title>")),
        "no tooltip with the whole name"
    );
    assert!(
        index.contains("class=\"name\">Exploit Mitigations &amp; Sof…</text>"),
        "the box shows a cut name"
    );
}
