//! The HTML report in a real browser: every page of the example org's site is opened in headless
//! Chromium (Debian's `chromium`), must load without console errors and keep its structure;
//! every internal link and anchor must resolve (checked by parsing the HTML here); screenshots
//! of the index and a team page are written to `target/`.
//!
//! Without `/usr/bin/chromium` the browser part is skipped with a note, unless `CI` is set, in
//! which case a missing browser fails the test (CI installs it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate(out: &Path) {
    let _ = std::fs::remove_dir_all(out);
    let status = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .current_dir(manifest())
        .args(["--org", "org", "--as-of", "2026-11-25", "report", "--out"])
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

fn pages(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html" || x == "css") {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

/// Decodes the entities minijinja's HTML escaping produces.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Values of `attr="..."` in `html`.
fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Resolves `href` (relative, `/`-separated) against the page at `from`.
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    let out = manifest().join("target/report-links");
    generate(&out);
    let site = pages(&out);
    assert!(site.len() > 50, "{} pages", site.len());
    let mut checked = 0;
    for (page, html) in &site {
        if !page.ends_with(".html") {
            continue;
        }
        for raw in attr_values(html, "href")
            .into_iter()
            .chain(attr_values(html, "src"))
        {
            let href = unescape(raw);
            assert!(
                !href.contains("://")
                    && !href.starts_with("//")
                    && !href.to_lowercase().starts_with("javascript:"),
                "{page}: external or script link {href}"
            );
            let (file, frag) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                resolve(page, file)
            };
            let text = site
                .get(&target)
                .unwrap_or_else(|| panic!("{page}: link {href} → {target} does not exist"));
            if !frag.is_empty() {
                assert!(
                    text.contains(&format!("id=\"{frag}\"")),
                    "{page}: anchor #{frag} missing in {target}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

fn chromium() -> Option<&'static str> {
    if Path::new(CHROMIUM).exists() {
        return Some(CHROMIUM);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{CHROMIUM} is missing, and CI is set: install Debian's `chromium` (.ci/run does)");
    }
    eprintln!(
        "note: {CHROMIUM} is not installed; skipping the headless browser test (set CI=1 to make this a failure)"
    );
    None
}

fn browser(bin: &str, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--log-level=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

fn url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn pages_load_in_headless_chromium_without_console_errors() {
    let Some(bin) = chromium() else { return };
    let out = manifest().join("target/report-site");
    generate(&out);
    let profile = tempfile::tempdir().unwrap();
    let site = pages(&out);
    let mut opened = 0;
    for (page, source) in &site {
        if !page.ends_with(".html") {
            continue;
        }
        let result = browser(bin, profile.path())
            .arg("--dump-dom")
            .arg(url(&out.join(page)))
            .output()
            .unwrap();
        assert!(result.status.success(), "{page}: chromium failed");
        let dom = String::from_utf8_lossy(&result.stdout);
        let log = String::from_utf8_lossy(&result.stderr);
        let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
        assert!(console.is_empty(), "{page}: console messages: {console:#?}");
        assert!(
            !log.contains("ERR_FILE_NOT_FOUND"),
            "{page}: a resource failed to load:\n{log}"
        );
        // The parsed document keeps the structure the generator wrote.
        assert!(
            dom.contains("<main>") && dom.contains("</footer>"),
            "{page}: {dom}"
        );
        assert!(!dom.contains("<script"), "{page}");
        for tag in ["<table", "<svg", "<h2", "<a "] {
            assert_eq!(
                dom.matches(tag).count(),
                source.matches(tag).count(),
                "{page}: {tag} count changed in the DOM"
            );
        }
        opened += 1;
    }
    assert!(opened > 50);
    // Screenshots (the README shows the index).
    let target = manifest().join("target");
    for (page, png, height) in [
        ("index.html", "report-index.png", 2000),
        ("teams/steering.html", "report-team.png", 1600),
    ] {
        let shot = target.join(png);
        let _ = std::fs::remove_file(&shot);
        let status = browser(bin, profile.path())
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("--window-size=1280,{height}"))
            .arg("--hide-scrollbars")
            .arg(url(&out.join(page)))
            .output()
            .unwrap();
        assert!(status.status.success());
        let bytes = std::fs::read(&shot).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
            "{png} looks empty"
        );
    }
}
