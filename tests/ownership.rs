//! Properties of ownership: `orgctl owners` (the ordered rules) and the generated CODEOWNERS
//! file, read back the way GitHub reads it, agree on every path; and the pattern matcher agrees
//! with an independent, character-level reference implementation of the documented semantics.

use orgctl::codeowners::{generate, owners_of, parse};
use orgctl::load::load_dir;
use orgctl::model::{self, Org};
use orgctl::ownership::{Pattern, RepoOwnership, repositories};
use orgctl::parse::{Validators, parse_all};
use proptest::prelude::*;
use std::path::Path;

fn load(dir: &Path) -> Org {
    let loaded = load_dir(dir).expect("org loads");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let (parsed, d) = parse_all(&loaded.sources, &loaded.entries, &Validators::new());
    assert!(d.is_empty(), "{d:?}");
    model::build(parsed).0
}

fn example() -> Org {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("org"))
}

/// Path segments that hit, nearly hit and miss the example org's patterns.
const SEGMENTS: &[&str] = &[
    "pkgs",
    "development",
    "python-modules",
    "jupyter",
    "jupyterlab",
    "jupyter.nix",
    "top-level",
    "python-packages.nix",
    "all-packages.nix",
    "doc",
    "docs",
    "lib",
    "stdenv",
    "README.md",
    "x.md",
    "md",
    "languages-frameworks",
    "rust.section.md",
    "compilers",
    "rust",
    "ghc",
    "build-support",
    "haskell-modules",
    "nixos",
    "modules",
    "services",
    "continuous-integration",
    "hydra",
    "maintainers",
    "scripts",
    "interpreters",
    "python",
    "applications",
    "editors",
    "default.nix",
    "blog",
    "src",
    "pages",
    "community",
    "0000-template.md",
    "a",
    "b",
];

fn paths() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SEGMENTS), 1..8).prop_map(|v| v.join("/"))
}

/// The GitHub team handles `owners` reports for `path` (the deciding rule's teams).
fn owners_handles(
    org: &Org,
    own: &RepoOwnership<'_>,
    gh_org: &str,
    path: &str,
) -> Option<Vec<String>> {
    let _ = org;
    own.owner(path).map(|r| {
        r.claims
            .iter()
            .map(|c| format!("@{gh_org}/{}", c.team.slug()))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn owners_and_generated_codeowners_agree_on_the_example_org(path in paths()) {
        let org = example_cached();
        let gh = org.spec.github.as_ref().map(|g| g.org.clone()).unwrap_or_default();
        for repo in repositories(org) {
            let own = RepoOwnership::build(org, repo);
            let lines = parse(&generate(&own, &gh).unwrap());
            let from_file = owners_of(&lines, &path).map(|l| l.owners.clone());
            prop_assert_eq!(owners_handles(org, &own, &gh, &path), from_file, "repo {} path {}", repo, path);
        }
    }
}

fn example_cached() -> &'static Org {
    static ORG: std::sync::OnceLock<Org> = std::sync::OnceLock::new();
    ORG.get_or_init(example)
}

/// Pattern pieces for random rule sets and the reference comparison.
const PATTERNS: &[&str] = &[
    "*",
    "*.md",
    "*.nix",
    "a/",
    "/a/",
    "/a",
    "a/b",
    "/a/b/",
    "a/*",
    "/a/*",
    "/a/*.md",
    "**/b",
    "**/b/",
    "/a/**",
    "/a/**/b",
    "/a/**/x.md",
    "b",
    "b/",
    "?.md",
    "/?/",
    "x*",
    "/a/b*/",
    "**",
    "/b/a/",
    "a/b/**",
    "*/b",
    "/*/b/",
    "x.md",
    "/x.md",
    "**/*.md",
    "a?",
];

const PATH_SEGMENTS: &[&str] = &[
    "a", "b", "x.md", "y.nix", "ab", "ba", "c", "x", "xa", "q.md",
];

fn small_paths() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PATH_SEGMENTS), 1..6).prop_map(|v| v.join("/"))
}

/// Writes a throw-away org with teams claiming the given patterns in repository `r`.
fn org_with(claims: &[Vec<&str>]) -> (tempfile::TempDir, Org) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("teams")).unwrap();
    std::fs::write(
        root.join("org.yaml"),
        "name: T\ngithub:\n  org: acme\n  admins: []\n",
    )
    .unwrap();
    for (i, pats) in claims.iter().enumerate() {
        let mut t = format!(
            "name: T{i}\ngithub:\n  slug: s{i}\n  repos: {{r: push}}\nowns:\n  - repo: r\n"
        );
        if !pats.is_empty() {
            t.push_str("    paths:\n");
            for p in pats {
                t.push_str(&format!("      - \"{p}\"\n"));
            }
        }
        std::fs::write(root.join(format!("teams/t{i}.yaml")), t).unwrap();
    }
    let org = load(root);
    (dir, org)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn owners_and_codeowners_agree_on_random_rule_sets(
        claims in prop::collection::vec(prop::collection::vec(prop::sample::select(PATTERNS), 0..4), 1..5),
        probes in prop::collection::vec(small_paths(), 40),
    ) {
        let (_dir, org) = org_with(&claims);
        let own = RepoOwnership::build(&org, "r");
        let lines = parse(&generate(&own, "acme").unwrap());
        for path in &probes {
            let from_file = owners_of(&lines, path).map(|l| l.owners.clone());
            prop_assert_eq!(owners_handles(&org, &own, "acme", path), from_file, "path {}", path);
        }
    }

    #[test]
    fn matcher_agrees_with_the_reference(pattern in prop::sample::select(PATTERNS), path in small_paths()) {
        let p = Pattern::parse(pattern).unwrap();
        prop_assert_eq!(p.matches(&path), reference(pattern, &path), "pattern {} path {}", pattern, path);
    }
}

/// An independent reading of the documented rules, working on characters of the whole path
/// rather than on segments: a pattern matches a file when it matches the file's full path, or
/// (unless it ends in a lone `/*`) one of the file's directories, all of them for a trailing `/`.
fn reference(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.to_string();
    let mut dir_only = false;
    if pat.ends_with('/') {
        pat.pop();
        dir_only = true;
    }
    if let Some(p) = pat.strip_suffix("/**") {
        pat = p.to_string();
        dir_only = true;
    }
    if pat == "**" || pat == "/**" || pat.is_empty() {
        return true;
    }
    let anchored = pat.contains('/');
    let mut body = pat.trim_start_matches('/').to_string();
    if !anchored {
        body = format!("**/{body}");
    }
    let children_only = !dir_only && (body == "*" || body.ends_with("/*"));
    let chars: Vec<char> = body.chars().collect();
    let mut candidates: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
    if !dir_only {
        candidates.push(path);
    }
    if children_only {
        candidates = vec![path];
    }
    candidates
        .into_iter()
        .any(|c| glob(&chars, &c.chars().collect::<Vec<_>>()))
}

/// Recursive glob over characters: `**/` = any run of whole directories, `*` = any run without
/// `/`, `?` = one character but `/`.
fn glob(p: &[char], s: &[char]) -> bool {
    if p.len() >= 3 && p[0] == '*' && p[1] == '*' && p[2] == '/' {
        // Zero directories, or one directory and try again.
        if glob(&p[3..], s) {
            return true;
        }
        return match s.iter().position(|c| *c == '/') {
            Some(i) => glob(p, &s[i + 1..]),
            None => false,
        };
    }
    match p.first() {
        None => s.is_empty(),
        Some('*') => {
            let rest = p
                .iter()
                .position(|c| *c != '*')
                .map_or(&p[p.len()..], |i| &p[i..]);
            (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| glob(rest, &s[i..]))
        }
        Some('?') => !s.is_empty() && s[0] != '/' && glob(&p[1..], &s[1..]),
        Some(c) => !s.is_empty() && s[0] == *c && glob(&p[1..], &s[1..]),
    }
}

#[test]
fn reference_reads_githubs_examples_like_the_matcher() {
    for (pattern, path, expected) in [
        ("docs/*", "docs/getting-started.md", true),
        ("docs/*", "docs/build-app/troubleshooting.md", false),
        ("apps/", "deep/apps/x", true),
        ("/build/logs/", "build/logs/a/b", true),
        ("**/logs", "deeply/nested/logs/x", true),
        ("/apps/github", "apps/github/x", true),
    ] {
        assert_eq!(reference(pattern, path), expected, "{pattern} {path}");
        assert_eq!(
            Pattern::parse(pattern).unwrap().matches(path),
            expected,
            "{pattern} {path}"
        );
    }
}
