//! A hostile org (tests/fixtures/hostile): markup, `</script>`, `javascript:` and template syntax
//! in names and descriptions, CODEOWNERS paths with `[` and `!`, expenses over an allocation.
//! Invalid parts get clear diagnostics; everything else is escaped in every output.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/org")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env("NO_COLOR", "1")
        .arg("--org")
        .arg(fixture())
        .args(["--as-of", "2026-11-25"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const SKIP: [&str; 4] = [
    "--skip",
    "codeowners-pattern",
    "--skip",
    "expense-over-allocation",
];

#[test]
fn check_explains_each_problem_at_its_line() {
    let (code, out, _) = run(&["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(String, String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, "expense-over-allocation");
    assert!(found[0].1.contains("reach 70.50 EUR, over its 50.00 EUR"));
    assert_eq!(
        (found[1].0.as_str(), found[1].2),
        ("codeowners-pattern", 19)
    );
    assert!(found[1].1.contains("`/src/[ab]/`") && found[1].1.contains("character ranges"));
    assert_eq!(
        (found[2].0.as_str(), found[2].2),
        ("codeowners-pattern", 20)
    );
    assert!(found[2].1.contains("`!/secret/`") && found[2].1.contains("negation"));
}

#[test]
fn reports_stop_with_the_diagnostics() {
    for cmd in [
        vec!["report", "--out", "/nonexistent/never-written"],
        vec!["budget"],
    ] {
        let (code, out, err) = run(&cmd);
        assert_eq!(code, 1, "{cmd:?}");
        assert!(out.is_empty(), "{cmd:?} printed {out}");
        assert!(
            err.contains("codeowners-pattern") && err.contains("expense-over-allocation"),
            "{err}"
        );
        assert!(
            err.contains("stops because the org has 3 error(s)"),
            "{err}"
        );
    }
    // codeowners reads only the teams of the repository and runs the CODEOWNERS rules on them.
    let (code, out, err) = run(&["codeowners", "--repo", "app"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("codeowners-pattern") && err.contains("`!/secret/`"),
        "{err}"
    );
    assert!(
        err.contains("stops because the files it reads have 2 error(s)"),
        "{err}"
    );
}

#[test]
fn owners_answers_without_the_invalid_patterns_and_says_so() {
    let (code, out, err) = run(&["owners", "app", "src/a/x", "README.md"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("2 pattern(s) of `app` are not valid in CODEOWNERS and are left out"),
        "{err}"
    );
    assert!(out.contains("src/a/x\n  no owner"), "{out}");
    assert!(out.contains("`*.md` owned by evil"), "{out}");
}

#[test]
fn codeowners_refuses_invalid_patterns_even_when_skipped() {
    let (code, out, err) = run(&[
        "codeowners",
        "--repo",
        "app",
        "--skip",
        "codeowners-pattern",
        "--skip",
        "expense-over-allocation",
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("2 pattern(s) of `app` are not valid in CODEOWNERS"),
        "{err}"
    );
}

#[test]
fn budget_shows_the_over_commitment() {
    let mut args = vec!["budget"];
    args.extend(SKIP);
    let (code, out, _) = run(&args);
    assert_eq!(code, 0);
    assert!(
        out.contains("over-commitment: `tools` is overspent by 20.50 EUR"),
        "{out}"
    );
    assert!(out.contains("-20.50"), "{out}");
    let mut args = vec!["budget", "--format", "markdown"];
    args.extend(SKIP);
    let (_, md, _) = run(&args);
    assert!(!md.contains("<script") && !md.contains("</td>"), "{md}");
    assert!(md.contains("**Over-committed:**"), "{md}");
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn html_report_escapes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let mut args = vec!["report", "--out", out.to_str().unwrap()];
    args.extend(SKIP);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let all = files(&out);
    assert!(all.iter().any(|(p, _)| p == "teams/evil.html"));
    for (path, text) in &all {
        let lower = text.to_lowercase();
        assert!(!lower.contains("<script"), "{path}: unescaped <script");
        assert!(!lower.contains("</script"), "{path}: unescaped </script");
        assert!(!lower.contains("<img"), "{path}: unescaped <img");
        assert!(
            !lower.contains("javascript:") || !lower.contains("href=\"javascript"),
            "{path}"
        );
        assert!(
            !lower.contains("<img src=x onerror"),
            "{path}: a live attribute"
        );
        assert!(!lower.contains("<!-- x"), "{path}: a comment was injected");
        assert!(
            !text.contains("env:ORGCTL_EMAIL_MALLORY") && !text.contains("file:/run/secrets"),
            "{path}"
        );
        if path.ends_with(".html") {
            // Structure survives: one document, tables closed as opened.
            assert_eq!(text.matches("<html").count(), 1, "{path}");
            assert!(text.trim_end().ends_with("</html>"), "{path}");
            assert_eq!(
                text.matches("<table").count(),
                text.matches("</table>").count(),
                "{path}"
            );
            assert_eq!(
                text.matches("<tr").count(),
                text.matches("</tr>").count(),
                "{path}"
            );
        }
    }
    let team = &all.iter().find(|(p, _)| p == "teams/evil.html").unwrap().1;
    assert!(
        team.contains("&lt;&#x2f;script&gt;&lt;script&gt;alert(&quot;team&quot;)"),
        "{team}"
    );
    assert!(
        team.contains("{{ 7*7 }}"),
        "template syntax in data is shown, not run"
    );
    assert!(team.contains("&lt;i&gt;treasurer&lt;&#x2f;i&gt;"));
    assert!(team.contains("<span class=\"redacted\">&lt;redacted&gt;</span>"));
    let mallory = &all
        .iter()
        .find(|(p, _)| p == "people/mallory.html")
        .unwrap()
        .1;
    assert!(
        mallory.contains("javascript:alert(&#x27;chat&#x27;)</dd>"),
        "chat handles are text, not links"
    );
}

#[test]
fn markdown_report_escapes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("md");
    let mut args = vec![
        "report",
        "--format",
        "markdown",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(SKIP);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    for (path, text) in files(&out) {
        let lower = text.to_lowercase();
        for bad in [
            "<script",
            "</script",
            "<img",
            "<a href",
            "<i>",
            "<u>",
            "</td>",
            "<!--",
            "](javascript",
        ] {
            assert!(!lower.contains(bad), "{path}: `{bad}` got through:\n{text}");
        }
    }
    let eve = std::fs::read_to_string(out.join("people/eve.md")).unwrap();
    assert!(eve.starts_with("# \\[Eve\\]\\(javascript:alert\\(1\\)\\) &#124; \\*bold\\* &#96;code&#96; &lt;u&gt;u&lt;/u&gt;\n"), "{eve}");
    let child = std::fs::read_to_string(out.join("teams/child.md")).unwrap();
    assert!(child.contains("``/docs/`tick`/``"), "{child}");
    let index = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        index.contains("[\"Child #quot;quoted#quot; #96; backtick\"]"),
        "mermaid labels are sanitised: {index}"
    );
}
