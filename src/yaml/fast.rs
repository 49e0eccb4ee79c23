//! A fast path for the plain YAML that org files are made of.
//!
//! serde-saphyr costs about 15 µs for a 150-byte person file, most of it per node rather than
//! per byte; at 10,000 people that was half of `orgctl check`. Org files use a small part of
//! YAML: block mappings and sequences, plain and simply quoted scalars, one-line flow
//! collections, comments. [`parse`] reads exactly that part, about ten times faster, and returns
//! `None` for everything else: anchors, aliases, tags, block scalars (`|`, `>`), multi-line or
//! escaped scalars, directives and document markers, tabs and control characters, duplicate keys,
//! keys that are not simple names, scalars whose type is not obvious (`1.5`, `0x10`, `-1`,
//! `.inf`), files over 64 KiB, and anything malformed. The caller then parses the text with
//! serde-saphyr, so every error message, every limit and every unusual construct keeps the
//! full parser's behaviour.
//!
//! The contract: when [`parse`] returns a value, serde-saphyr (with orgctl's options) returns
//! the same value for the same text. The tests check it on every file of the example orgs, on
//! generated orgs, on a list of tricky documents and on random documents (a property test).
//! Scalar typing follows serde-saphyr's rules for untyped targets with `strict_booleans` and
//! `leading_zero_numbers_as_strings`: `null`/`Null`/`NULL` and empty are null, `true`/`True`/
//! `TRUE` and the `false` forms are booleans, decimal digits are integers unless they have a
//! leading zero (then text), anything starting with a letter or `/` is text, a date
//! (`2026-01-31`) is text; every other plain scalar starting with a digit goes to serde-saphyr.

use serde_json::{Map, Number, Value};

/// Larger files go to serde-saphyr (org files are a few hundred bytes).
const MAX_BYTES: usize = 64 * 1024;
/// Deeper nesting goes to serde-saphyr (well inside `yaml::MAX_DEPTH`).
const MAX_DEPTH: usize = 32;

/// The value of `text`, or `None` when the text needs the full parser.
pub(super) fn parse(text: &str) -> Option<Value> {
    if text.len() > MAX_BYTES {
        return None;
    }
    let lines = lines(text)?;
    let first = lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let mut p = Parser { lines, pos: 0 };
    let value = p.block_node(0, 0)?;
    (p.pos == p.lines.len()).then_some(value)
}

/// A line with content: not blank, not only a comment.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// Leading spaces.
    indent: usize,
    /// The rest of the line, without a trailing `\r`.
    text: &'a str,
}

/// The content lines of `text`, or `None` if it has characters or lines left to the full parser.
fn lines(text: &str) -> Option<Vec<Line<'_>>> {
    let mut has_cr = false;
    for b in text.bytes() {
        if b < 0x20 || b == 0x7f {
            match b {
                b'\n' => {}
                b'\r' => has_cr = true,
                _ => return None,
            }
        }
    }
    if !text.is_ascii()
        && text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
    {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 16);
    for raw in text.split('\n') {
        let line = if has_cr {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.contains('\r') {
                return None;
            }
            line
        } else {
            raw
        };
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0
            && (content.starts_with("---")
                || content.starts_with("...")
                || content.starts_with('%'))
        {
            return None;
        }
        out.push(Line {
            indent,
            text: content,
        });
    }
    Some(out)
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    /// The block collection starting at the current line, whose indentation is `indent`.
    fn block_node(&mut self, indent: usize, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.lines.get(self.pos)?;
        if seq_entry(line.text).is_some() {
            self.sequence(indent, depth)
        } else if split_key(line.text).is_some() {
            self.mapping(indent, depth)
        } else {
            None
        }
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Option<Value> {
        let mut map = Map::new();
        while let Some(line) = self.lines.get(self.pos).copied() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let (key, rest) = split_key(line.text)?;
            self.pos += 1;
            let value = self.value_after(indent, rest, depth, true)?;
            if map.insert(key.to_owned(), value).is_some() {
                return None; // a duplicate key: serde-saphyr reports it
            }
        }
        Some(Value::Object(map))
    }

    fn sequence(&mut self, indent: usize, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.pos).copied() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            // A line at this indentation that is not an entry ends the sequence: under a mapping
            // key at the same indentation it is the next key; anywhere else the caller rejects it.
            let Some(rest) = seq_entry(line.text) else {
                break;
            };
            if seq_entry(rest).is_some() {
                return None; // `- - x`
            }
            if split_key(rest).is_some() {
                // `- key: value`: a mapping whose keys are in the column of this first key.
                if depth + 1 > MAX_DEPTH {
                    return None;
                }
                let column = indent + (line.text.len() - rest.len());
                self.lines[self.pos] = Line {
                    indent: column,
                    text: rest,
                };
                items.push(self.mapping(column, depth + 1)?);
            } else {
                self.pos += 1;
                items.push(self.value_after(indent, rest, depth, false)?);
            }
        }
        Some(Value::Array(items))
    }

    /// The value after `key:` or `-` (`rest`, the remainder of that line) of an entry of the
    /// collection at `indent`.
    fn value_after(
        &mut self,
        indent: usize,
        rest: &'a str,
        depth: usize,
        in_mapping: bool,
    ) -> Option<Value> {
        if rest.is_empty() || rest.starts_with('#') {
            return match self.lines.get(self.pos).copied() {
                Some(next) if next.indent > indent => self.block_node(next.indent, depth + 1),
                // `key:` followed by `- item` at the key's indentation (an indentless sequence).
                Some(next)
                    if in_mapping && next.indent == indent && seq_entry(next.text).is_some() =>
                {
                    if depth + 1 > MAX_DEPTH {
                        return None;
                    }
                    self.sequence(indent, depth + 1)
                }
                _ => Some(Value::Null),
            };
        }
        let value = inline_value(rest, depth + 1)?;
        // A more indented line after an inline value continues a multi-line scalar (or is an
        // error): both are left to serde-saphyr.
        if self
            .lines
            .get(self.pos)
            .is_some_and(|next| next.indent > indent)
        {
            return None;
        }
        Some(value)
    }
}

/// The text after `- ` if `text` is a sequence entry.
fn seq_entry(text: &str) -> Option<&str> {
    if text == "-" {
        Some("")
    } else {
        text.strip_prefix("- ").map(|r| r.trim_start_matches(' '))
    }
}

/// `(key, rest of the line)` if `text` starts with a simple key and `:`.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    if !b.first()?.is_ascii_alphabetic() && b[0] != b'_' {
        return None;
    }
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')))?;
    if b[end] != b':' {
        return None;
    }
    let after = &text[end + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let key = &text[..end];
    if is_special_word(key) {
        return None;
    }
    Some((key, after.trim_start_matches(' ')))
}

/// Words that are not plain text when written unquoted.
fn is_special_word(s: &str) -> bool {
    matches!(
        s,
        "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    )
}

/// A value written on the rest of a line (not empty, not a comment).
fn inline_value(s: &str, depth: usize) -> Option<Value> {
    match s.as_bytes()[0] {
        b'"' | b'\'' => {
            let (value, after) = quoted(s)?;
            only_comment(after)?;
            Some(Value::String(value.to_owned()))
        }
        b'[' => {
            let (parts, after) = flow_parts(s, b']')?;
            only_comment(after)?;
            if depth > MAX_DEPTH {
                return None;
            }
            if parts.len() == 1 && parts[0].trim_matches(' ').is_empty() {
                return Some(Value::Array(Vec::new()));
            }
            parts
                .into_iter()
                .map(flow_scalar)
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
        b'{' => {
            let (parts, after) = flow_parts(s, b'}')?;
            only_comment(after)?;
            if depth > MAX_DEPTH {
                return None;
            }
            let mut map = Map::new();
            if parts.len() == 1 && parts[0].trim_matches(' ').is_empty() {
                return Some(Value::Object(map));
            }
            for part in parts {
                let (key, value) = part.trim_matches(' ').split_once(": ")?;
                if !is_simple_key(key) {
                    return None;
                }
                if map.insert(key.to_owned(), flow_scalar(value)?).is_some() {
                    return None;
                }
            }
            Some(Value::Object(map))
        }
        _ => {
            // A comment starts at ` #`; trailing spaces are not part of the scalar. Refused:
            // `: ` or a final `:` (a mapping where a scalar belongs), brackets, quotes and
            // backslashes (legal in plain scalars, but rare in org files: not worth the risk).
            let b = s.as_bytes();
            let mut end = b.len();
            for (i, c) in b.iter().enumerate() {
                match c {
                    b'#' if i > 0 && b[i - 1] == b' ' => {
                        end = i;
                        break;
                    }
                    b':' if b.get(i + 1).is_none_or(|n| *n == b' ') => return None,
                    b'[' | b']' | b'{' | b'}' | b'"' | b'\\' => return None,
                    _ => {}
                }
            }
            plain_scalar(s[..end].trim_end_matches(' '))
        }
    }
}

fn is_simple_key(key: &str) -> bool {
    let b = key.as_bytes();
    b.first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        && !is_special_word(key)
}

/// A one-line quoted scalar without escapes: `(content, text after the closing quote)`.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.as_bytes()[0];
    let end = 1 + s[1..].find(q as char)?;
    let content = &s[1..end];
    if q == b'"' && content.contains('\\') {
        return None;
    }
    let after = &s[end + 1..];
    if q == b'\'' && after.starts_with('\'') {
        return None; // `''` is an escaped quote
    }
    Some((content, after))
}

/// `Some(())` if `after` (what follows a value on its line) is empty or a comment.
fn only_comment(after: &str) -> Option<()> {
    let trimmed = after.trim_start_matches(' ');
    (trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())).then_some(())
}

/// Splits a one-line flow collection (`s` starts with its opening bracket) at its top-level
/// commas: `(items, text after the closing bracket)`. Nested collections are refused.
fn flow_parts(s: &str, close: u8) -> Option<(Vec<&str>, &str)> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (1, 1);
    while i < b.len() {
        match b[i] {
            b'"' | b'\'' => {
                let (_, after) = quoted(&s[i..])?;
                i = s.len() - after.len();
                continue;
            }
            c if c == close => {
                parts.push(&s[start..i]);
                return Some((parts, &s[i + 1..]));
            }
            b'[' | b']' | b'{' | b'}' => return None,
            b',' => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// One item of a flow collection: a quoted scalar, or a plain one of letters, digits, spaces
/// and `._/+-`.
fn flow_scalar(item: &str) -> Option<Value> {
    let item = item.trim_matches(' ');
    match item.as_bytes().first()? {
        b'"' | b'\'' => {
            let (value, after) = quoted(item)?;
            after.is_empty().then(|| Value::String(value.to_owned()))
        }
        _ => {
            if !item
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '/' | '+' | '-'))
            {
                return None;
            }
            plain_scalar(item)
        }
    }
}

/// The typed value of a plain scalar (no leading or trailing spaces), or `None` when its type is
/// not obvious.
fn plain_scalar(s: &str) -> Option<Value> {
    let first = s.chars().next()?;
    if first.is_ascii_digit() {
        let b = s.as_bytes();
        if b.iter().all(u8::is_ascii_digit) {
            if b.len() > 1 && b[0] == b'0' {
                return Some(Value::String(s.to_owned())); // leading zero: text
            }
            if b.len() > 19 {
                return None;
            }
            return s
                .parse::<u64>()
                .ok()
                .map(|n| Value::Number(Number::from(n)));
        }
        let date = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        return date.then(|| Value::String(s.to_owned()));
    }
    if !(first.is_ascii_alphabetic()
        || first == '/'
        || (!first.is_ascii() && first.is_alphabetic()))
    {
        return None;
    }
    Some(match s {
        "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => Value::String(s.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::parse;
    use proptest::prelude::*;

    /// What serde-saphyr makes of `text` with orgctl's options.
    fn full(text: &str) -> Result<serde_json::Value, String> {
        serde_saphyr::from_str_with_options::<serde_json::Value>(text, super::super::options())
            .map_err(|e| e.to_string())
    }

    /// The contract: the fast path answers nothing, or what the full parser answers.
    fn agrees(text: &str) -> bool {
        match parse(text) {
            None => false,
            Some(fast) => {
                assert_eq!(Ok(&fast), full(text).as_ref(), "text: {text:?}");
                true
            }
        }
    }

    #[test]
    fn typical_files_take_the_fast_path() {
        let files = [
            "name: Alice Example\ngithub: alice-gh\ngithub_id: 1234567\nemail: alice@example.org\nchat:\n  matrix: \"@alice:matrix.org\"\n  discourse: alice\ninactive: false\n",
            "name: Amélie O'Brien\nemail: { secret: \"env:ORGCTL_EMAIL_AMELIE\" }\n",
            "# yaml-language-server: $schema=../../schemas/team.schema.json\nname: Infra\nleads: [alice, bob]\nmembers:\n  - alice\n  - person: carol\n    role: secretary # elected\n    since: 2025-01-01\n    until: 2026-12-31\nalumni: []\ngithub:\n  privacy: closed\n  repos:\n    nix.dev: push\n    infra_tools: maintain\nemail:\n  - address: infra@example.org\n    to: members\n    include_subteams: false\n    extra:\n      - person: eve\n      - address: oncall@pager.example\nowns:\n  - repo: nixpkgs\n    paths:\n      - /nixos/modules/services/web-servers/\n      - \"*.nix\"\n  - repo: infra\n",
            "members:\n- a\n- b\nleads: [a]\n",
            "name: F\ntotal: \"60000.00\"\nperiod:\n  start: 2026-01-01\n  end: 2026-12-31\nallocations:\n  - id: hosting\n    amount: 24000\n",
            "name: X\r\nleads: [zed]\r\n",
            "a: 007\nb: 0\nc: 9223372036854775807\ne:\nf: TRUE\ng: Null\nh: 'single # quoted'\ni: \"double, quoted\"\nj: x#y\nk: C# and F#\n",
            "-\n  a: 1\n- b: [1, x y, \"q\"]\n  c: {}\n-\n- \"\"\n",
        ];
        for text in files {
            assert!(agrees(text), "expected the fast path for {text:?}");
        }
    }

    #[test]
    fn unusual_yaml_goes_to_the_full_parser() {
        let refused = [
            "",
            "# only a comment\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >-\n  folded\n",
            "a: multi\n  line\n",
            "a: \"multi\n  line\"\n",
            "a: \"esc\\n\"\n",
            "a: 'it''s'\n",
            "a: 1\na: 2\n",
            "\"quoted key\": 1\n",
            "1: x\n",
            "true: x\n",
            "<<: {a: 1}\n",
            "? complex\n: key\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "a:\tb\n",
            "\ta: 1\n",
            "a: 1.5\n",
            "a: -1\n",
            "a: 0x10\n",
            "a: .inf\n",
            "a: 1e3\n",
            "a: 12:30\n",
            "a: 2026-1-1\n",
            "a: 99999999999999999999\n",
            "a: b: c\n",
            "a: b:\n",
            "a: [x, [y]]\n",
            "a: [x, ]\n",
            "a: [x\n",
            "a: {b}\n",
            "a: {b: 1, b: 2}\n",
            "a: [x]y\n",
            "a: \"x\"y\n",
            "a: @x\n",
            "a: `x`\n",
            "a: -x\n",
            "a:\n    b: 1\n  c: 2\n",
            "a:\n  - x\n  b: y\n",
            "  a: 1\n",
            "plain scalar document\n",
            "[a, b]\n",
            "a: 1\n b: 2\n",
            "- - x\n",
            "a: ~x\n",
            "a: x\u{0085}y\n",
            "a: \u{feff}x\n",
        ];
        for text in refused {
            assert!(
                parse(text).is_none(),
                "expected the full parser for {text:?}"
            );
        }
    }

    #[test]
    fn every_example_and_generated_file_agrees() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        let mut stack = vec![root.join("org"), root.join("examples")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        texts.push(text);
                    }
                }
            }
        }
        let handwritten = texts.len();
        let fast = texts.iter().filter(|t| agrees(t)).count();
        eprintln!("{fast} of {handwritten} example files take the fast path");
        assert!(
            handwritten > 50 && fast * 10 >= handwritten * 8,
            "{fast} of {handwritten}"
        );
        let spec = crate::generate::Spec {
            people: 300,
            teams: 60,
            aliases: 20,
            budgets: 5,
            seed: 9,
        };
        for (path, text) in crate::generate::generate(&spec) {
            // org.yaml has a folded description (`>-`): the full parser's.
            assert!(
                agrees(&text) || path == "org.yaml",
                "generated {path} should take the fast path"
            );
        }
    }

    /// Pieces of YAML lines, chosen to hit the edges of the fast path.
    fn fragment() -> impl Strategy<Value = String> {
        let keys = prop::sample::select(vec![
            "a", "b", "name", "x.y", "k-1", "_k", "true", "null", "1", "a b", "<<", "\"q\"", "a:b",
        ]);
        let values = prop::sample::select(vec![
            "",
            "x",
            "x y",
            "x  y",
            "Null",
            "NULL",
            "null",
            "~",
            "true",
            "True",
            "yes",
            "no",
            "on",
            "0",
            "00",
            "007",
            "7",
            "-7",
            "+7",
            "1.5",
            ".5",
            "1e3",
            "0x1F",
            "0o7",
            "1_000",
            "2026-01-31",
            "2026-1-31",
            "12:30",
            "inf",
            "nan",
            ".inf",
            ".NaN",
            "-.inf",
            "/p/a/th/",
            "*.nix",
            "a#b",
            "a #b",
            "# c",
            "a: b",
            "a:b",
            "a:",
            "\"q\"",
            "\"q\" # c",
            "\"a\\nb\"",
            "'s'",
            "'it''s'",
            "'x' y",
            "[]",
            "[a, b]",
            "[a,b]",
            "[ a , 1 ]",
            "[a, [b]]",
            "[a,]",
            "[\"x, y\"]",
            "{}",
            "{a: 1}",
            "{a: \"x:y\"}",
            "{a: 1, a: 2}",
            "{a}",
            "&x a",
            "*x",
            "!!str 1",
            "|",
            ">-",
            "- x",
            "-",
            "@x",
            "é",
            "Ünïcode",
            "x\ty",
            "99999999999999999999",
            "18446744073709551616",
            "O'Brien",
            "env:X",
            "a, b",
            "a [b]",
        ]);
        let indent = prop::sample::select(vec!["", "", " ", "  ", "   ", "    ", "      "]);
        let shape = 0..6usize;
        (indent, shape, keys, values).prop_map(|(indent, shape, key, value)| match shape {
            0 | 1 => format!("{indent}{key}: {value}"),
            2 => format!("{indent}{key}:"),
            3 => format!("{indent}- {value}"),
            4 => format!("{indent}- {key}: {value}"),
            _ => format!("{indent}{value}"),
        })
    }

    /// A random tree of mappings, sequences and scalars from `values()`.
    #[derive(Debug, Clone)]
    enum Node {
        Scalar(&'static str),
        Map(Vec<(&'static str, Node)>),
        Seq(Vec<Node>),
    }

    fn keys() -> impl Strategy<Value = &'static str> {
        let common = prop::sample::select(vec![
            "a", "b", "c", "d", "name", "x.y", "k-1", "_k", "members", "id", "e", "f", "g",
        ]);
        let tricky = prop::sample::select(vec![
            "true", "null", "1", "a b", "<<", "\"q\"", "a:b", "é", "Null", "a",
        ]);
        prop_oneof![6 => common, 1 => tricky]
    }

    fn values() -> impl Strategy<Value = &'static str> {
        // Mostly values the fast path reads, so that the agreement is tested often.
        let common = prop::sample::select(vec![
            "",
            "x",
            "x y",
            "42",
            "0",
            "007",
            "2026-01-31",
            "/p/a/th/",
            "true",
            "False",
            "null",
            "Null",
            "'s'",
            "\"q\"",
            "\"q, r\" # c",
            "[a, b]",
            "[]",
            "{a: 1}",
            "{ s: \"env:X\" }",
            "é",
            "O'Brien",
            "env:X",
            "a#b",
            "x # c",
            "C# and F#",
            "https://example.org",
        ]);
        let tricky = prop::sample::select(vec![
            "~",
            "yes",
            "no",
            "on",
            "00",
            "-7",
            "+7",
            "1.5",
            ".5",
            "1e3",
            "0x1F",
            "0o7",
            "1_000",
            "2026-1-31",
            "12:30",
            "inf",
            "nan",
            ".inf",
            ".NaN",
            "-.inf",
            "*.nix",
            "a #b",
            "# c",
            "a: b",
            "a:b",
            "a:",
            "\"a\\nb\"",
            "'it''s'",
            "'x' y",
            "[a,b]",
            "[ a , 1 ]",
            "[a, [b]]",
            "[a,]",
            "[\"x, y\"]",
            "{}",
            "{a: \"x:y\"}",
            "{a: 1, a: 2}",
            "{a}",
            "&x a",
            "*x",
            "!!str 1",
            "|",
            ">-",
            "- x",
            "-",
            "@x",
            "Ünïcode",
            "x\ty",
            "99999999999999999999",
            "18446744073709551616",
            "a, b",
            "a [b]",
        ]);
        prop_oneof![3 => common, 1 => tricky]
    }

    fn tree() -> impl Strategy<Value = Node> {
        values()
            .prop_map(Node::Scalar)
            .prop_recursive(4, 40, 5, |inner| {
                prop_oneof![
                    prop::collection::vec((keys(), inner.clone()), 1..5).prop_map(Node::Map),
                    prop::collection::vec(inner, 1..5).prop_map(Node::Seq),
                ]
            })
    }

    fn step(style: &mut impl Iterator<Item = u8>) -> usize {
        1 + (style.next().unwrap_or(1) % 4) as usize
    }

    /// Renders `node` as block YAML at `indent`, with `style` bits choosing among the forms.
    fn render(
        node: &Node,
        indent: usize,
        style: &mut impl Iterator<Item = u8>,
        out: &mut Vec<String>,
    ) {
        let pad = " ".repeat(indent);
        match node {
            Node::Scalar(v) => out.push(format!("{pad}{v}")),
            Node::Map(entries) => {
                for (k, v) in entries {
                    match v {
                        Node::Scalar(s) => out.push(format!("{pad}{k}: {s}")),
                        Node::Seq(items)
                            if items.iter().all(|i| matches!(i, Node::Scalar(_)))
                                && step(style) == 1 =>
                        {
                            let items: Vec<&str> = items
                                .iter()
                                .map(|i| match i {
                                    Node::Scalar(s) => *s,
                                    _ => "",
                                })
                                .collect();
                            out.push(format!("{pad}{k}: [{}]", items.join(", ")));
                        }
                        Node::Seq(_) if step(style) == 2 => {
                            out.push(format!("{pad}{k}:"));
                            render(v, indent, style, out); // indentless
                        }
                        _ => {
                            out.push(format!("{pad}{k}:"));
                            let s = step(style);
                            render(v, indent + s, style, out);
                        }
                    }
                }
            }
            Node::Seq(items) => {
                for item in items {
                    match item {
                        Node::Scalar(s) => out.push(format!("{pad}- {s}")),
                        Node::Map(_) if step(style) != 4 => {
                            // Compact: `- key: value` with the other keys in the key's column.
                            let mut sub = Vec::new();
                            render(item, indent + 2, style, &mut sub);
                            if let Some(first) = sub.first_mut() {
                                *first = format!("{pad}- {}", first.trim_start_matches(' '));
                            }
                            out.extend(sub);
                        }
                        _ => {
                            out.push(format!("{pad}-"));
                            let s = step(style);
                            render(item, indent + s, style, out);
                        }
                    }
                }
            }
        }
    }

    /// A rendered tree, sometimes with one line damaged (indentation shifted, a character
    /// inserted, a line repeated or removed).
    fn document() -> impl Strategy<Value = String> {
        (
            tree(),
            prop::collection::vec(any::<u8>(), 64),
            any::<bool>(),
            0..8u8,
            any::<usize>(),
            prop::sample::select(vec![' ', ':', '#', '-', '"', '\'', '[', '\t', 'x', '&']),
        )
            .prop_map(|(tree, style, crlf, damage, at, ch)| {
                let mut lines = Vec::new();
                let root = match tree {
                    Node::Scalar(_) => Node::Map(vec![("a", tree)]),
                    t => t,
                };
                render(&root, 0, &mut style.into_iter().cycle(), &mut lines);
                let i = at % lines.len();
                match damage {
                    0 => lines[i].insert(0, ' '),
                    1 => {
                        let l = &mut lines[i];
                        let cut = (at / 7) % (l.len() + 1);
                        if l.is_char_boundary(cut) {
                            l.insert(cut, ch);
                        }
                    }
                    2 => {
                        let l = lines[i].clone();
                        lines.insert(i, l);
                    }
                    3 if lines.len() > 1 => {
                        lines.remove(i);
                    }
                    _ => {}
                }
                lines.join(if crlf { "\r\n" } else { "\n" }) + "\n"
            })
    }

    proptest! {
        // FAST_YAML_CASES=1000000 for a longer run.
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("FAST_YAML_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000)
        ))]
        #[test]
        fn random_documents_agree(text in document()) {
            if let Some(fast) = parse(&text) {
                let full = full(&text);
                prop_assert_eq!(Ok(&fast), full.as_ref(), "text: {:?}", text);
            }
        }

        #[test]
        fn random_lines_agree(lines in prop::collection::vec(fragment(), 1..10), crlf in any::<bool>()) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" }) + "\n";
            if let Some(fast) = parse(&text) {
                let full = full(&text);
                prop_assert_eq!(Ok(&fast), full.as_ref(), "text: {:?}", text);
            }
        }
    }

    #[test]
    fn random_documents_often_take_the_fast_path() {
        // The property test above is only as good as the share of documents it accepts.
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = document();
        let (mut accepted, n) = (0, 2000);
        for _ in 0..n {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            if parse(&text).is_some() {
                accepted += 1;
            }
        }
        eprintln!("{accepted} of {n} random documents take the fast path");
        assert!(accepted * 5 > n, "{accepted} of {n}");
    }
}
