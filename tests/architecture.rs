//! The dependency rule of ARCHITECTURE.md, checked on the source (issue 19): the core never
//! depends on a provider, and no two top-level modules import each other.
//!
//! The module graph is read from `src/` as text: an edge `a → b` for every `crate::b` path in a
//! file of module `a` outside comments and `#[cfg(test)]` modules. The core's remaining
//! dependencies on providers and the remaining import circles are listed below, as the
//! redesign of issue 19 found them; the test fails when a new one appears, and also when a
//! listed one is gone, so the lists only shrink and always say what is left to do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules that talk to one service each: only the CLI and other providers may use them.
const PROVIDERS: &[&str] = &["email", "github"];

/// The shell: composes the core and the providers.
const SHELL: &[&str] = &["cli", "main"];

/// Core → provider dependencies not yet moved behind the provider interface: none since the
/// generic addresses and resources of plan format 3 (there were 8 when issue 19 began).
const CORE_ON_PROVIDERS: &[(&str, &str)] = &[];

/// Import circles (strongly connected groups of top-level modules) not yet broken: none (the
/// last, `apply`–`github`–`plan`, ran through `plan`'s GitHub roles).
const CIRCLES: &[&[&str]] = &[];

/// The top-level module of a file under `src/` (`plan/diff.rs` → `plan`).
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without comments, without its `#[cfg(test)] mod tests { … }` (the rest
/// of the file from there) and without a `#[cfg(test)] mod helper;` declaration. A
/// `#[cfg(test)]` on any other item hides nothing.
fn code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line == "#[cfg(test)]" {
            let next = lines.get(i + 1).map_or("", |l| l.trim());
            let is_mod = next.starts_with("mod ") || next.contains(" mod ");
            if is_mod && next.ends_with(';') {
                i += 2;
                continue;
            }
            if is_mod {
                break;
            }
        }
        if !line.starts_with("//") {
            out.push(without_comment(lines[i]));
        }
        i += 1;
    }
    out.join("\n")
}

/// `line` without a trailing `// comment` (a `//` outside a string literal).
fn without_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != '\\' => in_string = !in_string,
            '/' if !in_string && prev == '/' => return &line[..i - 1],
            _ => {}
        }
        prev = c;
    }
    line
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Whether `path` is a module its parent declares under `#[cfg(test)]` (test helpers).
fn test_only(path: &Path) -> bool {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return false;
    };
    let declaration = format!("mod {};", stem.to_string_lossy());
    let parent = std::fs::read_to_string(dir.join("mod.rs"))
        .or_else(|_| std::fs::read_to_string(dir.with_extension("rs")))
        .unwrap_or_default();
    let lines: Vec<&str> = parent.lines().map(str::trim).collect();
    lines
        .windows(2)
        .any(|w| w[0] == "#[cfg(test)]" && w[1].ends_with(&declaration))
}

/// Edges between top-level modules.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new("src");
    let mut all = Vec::new();
    files(src, &mut all);
    all.retain(|p| !test_only(p));
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in all {
        let rel = path.strip_prefix(src).expect("under src");
        let from = module_of(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        let code = code(&text);
        let entry = edges.entry(from.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let to: String = code[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !to.is_empty() && to != from {
                entry.insert(to);
            }
        }
    }
    edges
}

/// Strongly connected groups of more than one module (Tarjan), each sorted.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: BTreeSet<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        let next: Vec<&'a str> = s
            .edges
            .get(v)
            .map(|n| n.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for w in next {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.out.insert(group);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: BTreeSet::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_core_depends_on_no_provider_but_the_listed_ones() {
    let edges = graph();
    let mut found = BTreeSet::new();
    for (from, tos) in &edges {
        if PROVIDERS.contains(&from.as_str()) || SHELL.contains(&from.as_str()) {
            continue;
        }
        for to in tos {
            if PROVIDERS.contains(&to.as_str()) {
                found.insert((from.clone(), to.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = CORE_ON_PROVIDERS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = found.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&found).collect();
    assert!(
        new.is_empty(),
        "core modules now depend on providers: {new:?}. The core must not: put the provider's part behind the provider interface (docs/providers.md)"
    );
    assert!(
        gone.is_empty(),
        "{gone:?} no longer depend on a provider: remove them from CORE_ON_PROVIDERS"
    );
}

#[test]
fn no_new_import_circle() {
    let found = circles(&graph());
    let listed: BTreeSet<Vec<String>> = CIRCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        found, listed,
        "the import circles changed: break new ones; update CIRCLES when one is gone"
    );
}

/// The module path of a file under `src/` (`email/mailgun/wire.rs` → `email::mailgun::wire`,
/// `github/mod.rs` → `github`, `lib.rs` → ``).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The module a path in `from` names (`crate::plan::Change`, `super::wire::Route`,
/// `super::super::digest`): the longest prefix that is a module; `None` for an outside crate.
fn target(from: &[String], path: &str, modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut segs = path.split("::").peekable();
    let mut base: Vec<String> = match segs.peek().copied() {
        Some("crate") => {
            segs.next();
            Vec::new()
        }
        Some("super") => {
            let mut b = from.to_vec();
            while segs.peek() == Some(&"super") {
                segs.next();
                b.pop();
            }
            b
        }
        Some("self") => {
            segs.next();
            from.to_vec()
        }
        _ => return None,
    };
    let mut best = None;
    for seg in segs {
        base.push(seg.to_string());
        if modules.contains(&base) {
            best = Some(base.clone());
        } else {
            break;
        }
    }
    best
}

/// Every path starting with `crate::`, `super::` or `self::` in `code`, with grouped imports
/// expanded (`super::{wire::Route, digest}` → `super::wire::Route`, `super::digest`).
fn paths_in(code: &str) -> Vec<String> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    for root in ["crate::", "super::", "self::"] {
        for (i, _) in code.match_indices(root) {
            if code[..i].ends_with(|c: char| ident(c) || c == ':') {
                continue;
            }
            expand(&code[i..], ident, &mut out);
        }
    }
    out
}

/// The path (or group of paths) at the start of `text`, pushed to `out`.
fn expand(text: &str, ident: impl Fn(char) -> bool + Copy, out: &mut Vec<String>) {
    let end = text
        .find(|c: char| !(ident(c) || c == ':'))
        .unwrap_or(text.len());
    let head = &text[..end];
    match (head.strip_suffix("::"), text[end..].starts_with('{')) {
        (Some(prefix), true) => {
            let mut depth = 0;
            let mut item_start = end + 1;
            for (k, c) in text[end..].char_indices() {
                let k = end + k;
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let item = text[item_start..k].trim();
                        if item == "self" {
                            out.push(prefix.to_string());
                        } else if !item.is_empty() {
                            let mut inner = Vec::new();
                            expand(item, ident, &mut inner);
                            out.extend(inner.into_iter().map(|p| format!("{prefix}::{p}")));
                        }
                        item_start = k + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        }
        _ => out.push(head.trim_end_matches(':').to_string()),
    }
}

/// Edges between modules (files), each to the module a `crate::`/`super::`/`self::` path
/// names; a module's uses of its own ancestors (the `mod.rs` re-exports it sits under) are
/// not edges.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new("src");
    let mut all = Vec::new();
    files(src, &mut all);
    all.retain(|p| !test_only(p));
    let modules: BTreeSet<Vec<String>> = all
        .iter()
        .map(|p| module_path(p.strip_prefix(src).expect("under src")))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &all {
        let from = module_path(path.strip_prefix(src).expect("under src"));
        let code = code(&std::fs::read_to_string(path).expect("read"));
        let entry = edges.entry(from.join("::")).or_default();
        for p in paths_in(&code) {
            if let Some(to) = target(&from, &p, &modules) {
                if to != from && !from.starts_with(&to) {
                    entry.insert(to.join("::"));
                }
            }
        }
    }
    edges
}

/// Issue 19: "no import circle anywhere", between files as well as between top-level modules.
#[test]
fn no_import_circle_between_any_two_modules() {
    let found = circles(&module_graph());
    assert!(
        found.is_empty(),
        "modules that import each other: {found:?}. Move what both need into one of them (or a third)"
    );
}

#[test]
fn the_reader_finds_edges_and_circles() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        circles(&edges),
        BTreeSet::from([vec!["a".to_string(), "b".into(), "c".into()]])
    );
    assert_eq!(
        code("use crate::x; // crate::y\n// crate::z\n#[cfg(test)]\nmod tests { crate::w }"),
        "use crate::x; "
    );
    // A test-only helper module's declaration or a test-only item hides nothing else.
    assert_eq!(
        code(
            "#[cfg(test)]\npub(crate) mod testing;\nuse crate::a;\n#[cfg(test)]\nfn f() {}\nuse crate::b; // \"x\"\nlet u = \"http://x\";"
        ),
        "use crate::a;\n#[cfg(test)]\nfn f() {}\nuse crate::b; \nlet u = \"http://x\";"
    );
    assert_eq!(module_of(Path::new("plan/diff.rs")), "plan");
    let modules: BTreeSet<Vec<String>> = [
        vec!["email"],
        vec!["email", "mailgun"],
        vec!["email", "mailgun", "wire"],
        vec!["email", "digest"],
        vec!["plan"],
    ]
    .into_iter()
    .map(|m| m.into_iter().map(String::from).collect())
    .collect();
    let routes: Vec<String> = ["email", "mailgun", "routes"].map(String::from).to_vec();
    let named = |p: &str| target(&routes, p, &modules).map(|m| m.join("::"));
    assert_eq!(
        named("super::wire::Route").as_deref(),
        Some("email::mailgun::wire")
    );
    assert_eq!(
        named("super::super::digest").as_deref(),
        Some("email::digest")
    );
    assert_eq!(named("crate::plan::Change").as_deref(), Some("plan"));
    assert_eq!(named("std::fmt"), None);
    assert_eq!(
        paths_in(&code(
            "use super::{\n    routes, // payload\n    wire::{self, Route},\n};"
        )),
        ["super::routes", "super::wire", "super::wire::Route"]
    );
    assert_eq!(
        paths_in(
            "use super::{wire::{Route, Spec}, digest};\nlet x = crate::plan::fingerprint(&y);"
        ),
        [
            "crate::plan::fingerprint",
            "super::wire::Route",
            "super::wire::Spec",
            "super::digest"
        ]
    );
    assert_eq!(
        module_path(Path::new("github/mod.rs")),
        vec!["github".to_string()]
    );
    assert!(test_only(Path::new("src/validate/testing.rs")));
    assert!(!test_only(Path::new("src/validate/rules/mod.rs")));
}
