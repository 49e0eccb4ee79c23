//! CODEOWNERS path patterns: parsing, matching and specificity, following GitHub's documented
//! semantics.
//!
//! GitHub's "About code owners" page says a CODEOWNERS pattern follows most gitignore rules, with
//! three exceptions that do *not* work: escaping a leading `#` with `\`, negation with `!`, and
//! character ranges with `[ ]`. A file using them is not loaded at all, so [`Pattern::parse`]
//! rejects them (and anything else that cannot be written on one CODEOWNERS line). What works:
//!
//! - a pattern with a `/` at the start or in the middle is anchored at the repository root;
//!   otherwise it matches at any depth (`apps/`, `*.js`);
//! - a trailing `/` matches a directory, that is every file below it (`/build/logs/`);
//! - a pattern without a trailing `/` matches a file of that name *or* everything below a
//!   directory of that name (`/apps/github`, `**/logs`);
//! - `*` matches anything but `/`, `?` one character but `/`; `**` as a whole segment matches
//!   zero or more directories (`**/logs`), and a trailing `/**` everything inside;
//! - a last segment that is exactly `*` matches only the files directly in that directory:
//!   `docs/*` matches `docs/getting-started.md`, not `docs/build-app/troubleshooting.md`;
//! - matching is case-sensitive, and the last matching line of the file wins.
//!
//! Paths are repository-relative file paths with `/` separators and no leading `/`. Pure.

use std::fmt;

/// A parsed, matchable CODEOWNERS pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    segs: Vec<Seg>,
    /// Matches only below a directory (trailing `/` or `/**`).
    dir_only: bool,
    /// The last segment is a lone `*`: direct children only (GitHub's `docs/*`).
    children_only: bool,
    /// Written with a `/` at the start or in the middle.
    anchored: bool,
    /// Matches every file (`**`, `/**`).
    everything: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// `**`: zero or more whole segments.
    AnyDirs,
    /// One segment: literal characters, `*` and `?`.
    Glob(Vec<Tok>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Char(char),
    Star,
    Question,
}

/// Why a string is not a pattern GitHub accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern is empty.
    Empty,
    /// It contains whitespace, which separates the pattern from the owners on a line.
    Whitespace,
    /// It contains `#`, which starts a comment.
    Comment,
    /// It contains `\`: escapes (such as `\#`) do not work in CODEOWNERS.
    Escape,
    /// It contains `!`: negation does not work in CODEOWNERS.
    Negation,
    /// It contains `[` or `]`: character ranges do not work in CODEOWNERS.
    CharClass,
    /// It is only `/`.
    Root,
    /// It has an empty segment (`a//b`).
    EmptySegment,
}

impl PatternError {
    /// A sentence saying why, for diagnostics.
    pub fn reason(self) -> &'static str {
        match self {
            PatternError::Empty => "the pattern is empty",
            PatternError::Whitespace => {
                "it contains whitespace, which separates a pattern from its owners in CODEOWNERS"
            }
            PatternError::Comment => {
                "`#` starts a comment in CODEOWNERS, so the line would not be a rule"
            }
            PatternError::Escape => {
                "escapes with `\\` (such as `\\#`) do not work in CODEOWNERS; GitHub ignores the whole file"
            }
            PatternError::Negation => {
                "negation with `!` does not work in CODEOWNERS; GitHub ignores the whole file"
            }
            PatternError::CharClass => {
                "character ranges with `[ ]` do not work in CODEOWNERS; GitHub ignores the whole file"
            }
            PatternError::Root => "`/` alone matches nothing",
            PatternError::EmptySegment => "it has an empty segment (`//`)",
        }
    }

    /// How to fix it, for diagnostics.
    pub fn help(self) -> &'static str {
        match self {
            PatternError::Empty | PatternError::Root => {
                "omit `paths:` to own the whole repository, or write a path such as `/docs/`"
            }
            PatternError::Whitespace | PatternError::Comment | PatternError::Escape => {
                "rename the path or own its directory instead; use `*` or `?` for the character"
            }
            PatternError::Negation => {
                "list what the team owns instead of what it does not; a more specific path owned by another team wins, because the last match wins"
            }
            PatternError::CharClass => "write one pattern per alternative, or use `?` or `*`",
            PatternError::EmptySegment => "remove the doubled `/`",
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

impl std::error::Error for PatternError {}

/// How specific a pattern is; larger sorts later in CODEOWNERS (so it wins).
///
/// Compared field by field: deeper patterns beat shallower ones, anchored beat floating ones, a
/// named file beats a directory or a wildcard, more literal characters beat fewer, and fewer
/// wildcards beat more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Specificity {
    /// Segments other than `**`.
    pub depth: usize,
    /// Written with a leading or inner `/`.
    pub anchored: bool,
    /// The last segment names one file literally.
    pub names_file: bool,
    /// Literal characters.
    pub literal: usize,
    /// Negated number of wildcards (fewer is more specific).
    pub wildcards: std::cmp::Reverse<usize>,
}

impl Pattern {
    /// Parses `text` as a CODEOWNERS pattern, rejecting what GitHub does not support.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        for c in text.chars() {
            let e = match c {
                c if c.is_whitespace() => PatternError::Whitespace,
                '#' => PatternError::Comment,
                '\\' => PatternError::Escape,
                '!' => PatternError::Negation,
                '[' | ']' => PatternError::CharClass,
                _ => continue,
            };
            return Err(e);
        }
        let mut s = text;
        let mut dir_only = false;
        if let Some(rest) = s.strip_suffix('/') {
            s = rest;
            dir_only = true;
        }
        let anchored = s.contains('/');
        let s = s.strip_prefix('/').unwrap_or(s);
        if s.is_empty() {
            return Err(PatternError::Root);
        }
        let mut segs = Vec::new();
        if !anchored {
            segs.push(Seg::AnyDirs);
        }
        for part in s.split('/') {
            if part.is_empty() {
                return Err(PatternError::EmptySegment);
            }
            if part == "**" {
                if segs.last() != Some(&Seg::AnyDirs) {
                    segs.push(Seg::AnyDirs);
                }
                continue;
            }
            let mut toks = Vec::new();
            for c in part.chars() {
                let t = match c {
                    '*' => Tok::Star,
                    '?' => Tok::Question,
                    c => Tok::Char(c),
                };
                if !(t == Tok::Star && toks.last() == Some(&Tok::Star)) {
                    toks.push(t);
                }
            }
            segs.push(Seg::Glob(toks));
        }
        // A trailing `/**` matches everything inside: the same as a trailing `/`.
        if segs.len() > 1 && segs.last() == Some(&Seg::AnyDirs) {
            segs.pop();
            dir_only = true;
        }
        let everything = segs.iter().all(|s| *s == Seg::AnyDirs);
        let children_only =
            !dir_only && matches!(segs.last(), Some(Seg::Glob(t)) if t.as_slice() == [Tok::Star]);
        Ok(Pattern {
            text: text.to_string(),
            segs,
            dir_only,
            children_only,
            anchored,
            everything,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The pattern that owns a whole repository: `*`.
    pub fn everything() -> Pattern {
        // `*` always parses; build it directly so no error path is needed.
        Pattern {
            text: "*".into(),
            segs: vec![Seg::AnyDirs, Seg::Glob(vec![Tok::Star])],
            dir_only: false,
            children_only: true,
            anchored: false,
            everything: false,
        }
    }

    /// Whether the pattern matches the file at `path` (repository-relative, `/`-separated; a
    /// leading `/` is ignored).
    pub fn matches(&self, path: &str) -> bool {
        let path = path.strip_prefix('/').unwrap_or(path);
        if path.is_empty() {
            return false;
        }
        if self.everything {
            return true;
        }
        let parts: Vec<&str> = path.split('/').collect();
        self.matches_parts(&parts)
    }

    /// [`Pattern::matches`] on a path already split at `/`.
    pub fn matches_parts(&self, parts: &[&str]) -> bool {
        if parts.is_empty() {
            return false;
        }
        if self.everything {
            return true;
        }
        let n = parts.len();
        if self.children_only {
            return match_segs(&self.segs, parts);
        }
        // The pattern names the file itself, or a directory containing it.
        let last = if self.dir_only { n - 1 } else { n };
        (1..=last).any(|k| match_segs(&self.segs, &parts[..k]))
    }

    /// How specific the pattern is (see [`Specificity`]).
    pub fn specificity(&self) -> Specificity {
        let globs = || {
            self.segs.iter().filter_map(|s| match s {
                Seg::Glob(t) => Some(t),
                Seg::AnyDirs => None,
            })
        };
        let depth = globs().count();
        let literal = globs()
            .flatten()
            .filter(|t| matches!(t, Tok::Char(_)))
            .count();
        let wildcards = self.segs.len() - depth
            + globs()
                .flatten()
                .filter(|t| !matches!(t, Tok::Char(_)))
                .count();
        let names_file = !self.dir_only
            && matches!(self.segs.last(), Some(Seg::Glob(t)) if t.iter().all(|t| matches!(t, Tok::Char(_))));
        Specificity {
            depth,
            anchored: self.anchored,
            names_file,
            literal,
            wildcards: std::cmp::Reverse(wildcards),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether `segs` matches all of `parts`: `**` is a wildcard over whole segments. The classic
/// iterative wildcard algorithm with one backtrack point, linear in practice.
fn match_segs(segs: &[Seg], parts: &[&str]) -> bool {
    let (mut s, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while p < parts.len() {
        match segs.get(s) {
            Some(Seg::AnyDirs) => {
                backtrack = Some((s, p));
                s += 1;
            }
            Some(Seg::Glob(t)) if match_glob(t, parts[p]) => {
                s += 1;
                p += 1;
            }
            _ => match backtrack {
                Some((bs, bp)) => {
                    backtrack = Some((bs, bp + 1));
                    s = bs + 1;
                    p = bp + 1;
                }
                None => return false,
            },
        }
    }
    segs[s..].iter().all(|x| *x == Seg::AnyDirs)
}

/// Whether one segment's tokens match `name` (no `/` in it). Same algorithm over characters.
fn match_glob(toks: &[Tok], name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    let (mut t, mut c) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while c < chars.len() {
        match toks.get(t) {
            Some(Tok::Star) => {
                backtrack = Some((t, c));
                t += 1;
            }
            Some(Tok::Question) => {
                t += 1;
                c += 1;
            }
            Some(Tok::Char(x)) if *x == chars[c] => {
                t += 1;
                c += 1;
            }
            _ => match backtrack {
                Some((bt, bc)) => {
                    backtrack = Some((bt, bc + 1));
                    t = bt + 1;
                    c = bc + 1;
                }
                None => return false,
            },
        }
    }
    toks[t..].iter().all(|x| *x == Tok::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(path)
    }

    // Every example of GitHub's "Example of a CODEOWNERS file".

    #[test]
    fn github_catch_all() {
        // `*  @global-owner1 @global-owner2`: everything.
        for p in ["README.md", "a/b/c.txt", ".github/CODEOWNERS"] {
            assert!(m("*", p), "{p}");
        }
    }

    #[test]
    fn github_extension_anywhere() {
        // `*.js @js-owner`, `*.go`, `*.txt`: by extension at any depth.
        assert!(m("*.js", "app.js"));
        assert!(m("*.js", "src/deep/app.js"));
        assert!(!m("*.js", "app.jsx"));
        assert!(!m("*.js", "app.js.map"));
        assert!(m("*.txt", "docs/notes.txt"));
    }

    #[test]
    fn github_anchored_directory() {
        // `/build/logs/ @doctocat`: the build/logs directory at the root and its subdirectories.
        assert!(m("/build/logs/", "build/logs/a.log"));
        assert!(m("/build/logs/", "build/logs/2026/b.log"));
        assert!(!m("/build/logs/", "src/build/logs/a.log"));
        assert!(!m("/build/logs/", "build/logs"));
        assert!(!m("/build/logs/", "build/logsx/a"));
    }

    #[test]
    fn github_docs_star_is_one_level() {
        // `docs/*`: `docs/getting-started.md` but not `docs/build-app/troubleshooting.md`.
        assert!(m("docs/*", "docs/getting-started.md"));
        assert!(!m("docs/*", "docs/build-app/troubleshooting.md"));
        // A middle slash anchors it at the root.
        assert!(!m("docs/*", "src/docs/getting-started.md"));
    }

    #[test]
    fn github_directory_anywhere() {
        // `apps/ @octocat`: any file in an apps directory anywhere.
        assert!(m("apps/", "apps/web/index.js"));
        assert!(m("apps/", "src/apps/x"));
        assert!(!m("apps/", "apps"));
        assert!(!m("apps/", "myapps/x"));
    }

    #[test]
    fn github_root_directory() {
        // `/docs/ @doctocat`: any file in /docs at the root and its subdirectories.
        assert!(m("/docs/", "docs/a.md"));
        assert!(m("/docs/", "docs/a/b/c.md"));
        assert!(!m("/docs/", "src/docs/a.md"));
    }

    #[test]
    fn github_double_star_logs() {
        // `**/logs @octocat`: /build/logs, /scripts/logs and /deeply/nested/logs.
        for p in [
            "build/logs/x",
            "scripts/logs/y",
            "deeply/nested/logs/z",
            "logs/a",
        ] {
            assert!(m("**/logs", p), "{p}");
        }
        assert!(!m("**/logs", "build/logsx/a"));
    }

    #[test]
    fn github_no_trailing_slash_matches_directory_contents() {
        // `/apps/github` (with empty owners) covers the `/apps/github` subdirectory.
        assert!(m("/apps/github", "apps/github/x.rb"));
        assert!(m("/apps/github", "apps/github"));
        assert!(!m("/apps/github", "apps/githubber/x"));
        assert!(m("/apps/", "apps/github/x.rb"));
    }

    #[test]
    fn gitignore_rules_that_carry_over() {
        assert!(m("/a/**/b", "a/b"));
        assert!(m("/a/**/b", "a/x/y/b"));
        assert!(m("/a/**", "a/x/y"));
        assert!(!m("/a/**", "a"));
        assert!(m("**", "anything/at/all"));
        assert!(m("?.md", "x/a.md"));
        assert!(!m("?.md", "ab.md"));
        assert!(m(
            "/pkgs/development/python-modules/jupyter*/",
            "pkgs/development/python-modules/jupyterlab/default.nix"
        ));
        assert!(!m(
            "/pkgs/development/python-modules/jupyter*/",
            "pkgs/development/python-modules/jupyter.nix"
        ));
        assert!(m("/a/*.md", "a/b.md"));
        assert!(!m("/a/*.md", "a/b/c.md"));
        assert!(m("a/b", "a/b/c"));
        assert!(!m("a/b", "x/a/b"));
        // Case-sensitive, like GitHub.
        assert!(!m("/Docs/", "docs/a"));
        assert!(m("/a", "/a"));
    }

    #[test]
    fn unsupported_syntax_is_rejected() {
        assert_eq!(Pattern::parse("!/docs/"), Err(PatternError::Negation));
        assert_eq!(Pattern::parse("/src/[ab]/"), Err(PatternError::CharClass));
        assert_eq!(Pattern::parse("x]"), Err(PatternError::CharClass));
        assert_eq!(Pattern::parse("\\#file"), Err(PatternError::Escape));
        assert_eq!(Pattern::parse("#file"), Err(PatternError::Comment));
        assert_eq!(Pattern::parse("a b"), Err(PatternError::Whitespace));
        assert_eq!(Pattern::parse(""), Err(PatternError::Empty));
        assert_eq!(Pattern::parse("/"), Err(PatternError::Root));
        assert_eq!(Pattern::parse("a//b"), Err(PatternError::EmptySegment));
    }

    #[test]
    fn specificity_orders_deeper_and_named_files_later() {
        let s = |p: &str| Pattern::parse(p).unwrap().specificity();
        assert!(s("*") < s("*.md"));
        assert!(s("*.md") < s("/doc/"));
        assert!(s("*.md") < s("/CODE_OF_CONDUCT.md"));
        assert!(s("/pkgs/top-level/") < s("/pkgs/top-level/python-packages.nix"));
        assert!(
            s("/pkgs/development/python-modules/")
                < s("/pkgs/development/python-modules/jupyter*/")
        );
        assert_eq!(Pattern::everything(), Pattern::parse("*").unwrap());
    }
}
