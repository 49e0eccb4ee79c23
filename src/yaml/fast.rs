//! A fast path for the plain YAML that org files are made of.
//!
//! serde-saphyr costs about 15 µs for a 150-byte person file; at 10,000 people that was half of
//! `orgctl check`. Less than half of it is reading the YAML: the rest is its general-purpose
//! deserializer (event buffering, budgets, merge keys, tags, error context). [`parse`] takes the
//! same events from the same scanner (granit-parser, serde-saphyr's own parser) and builds the
//! `serde_json::Value` directly, for documents that use only what org files use: mappings,
//! sequences and scalars, in block or flow style, with comments. It returns `None` for
//! everything else: anchors, aliases, tags, directives, more than one document, duplicate keys,
//! keys that are not plain text, plain scalars whose type is not obvious (`1.5`, `0x10`, `-1`,
//! `.inf`), files over 64 KiB, deep nesting, and any syntax error. The caller then parses
//! the text with serde-saphyr, so every error message, every limit and every unusual construct
//! keeps the full parser's behaviour. No YAML syntax is read here: only events are typed.
//!
//! The contract: when [`parse`] returns a value, serde-saphyr (with orgctl's options) returns
//! the same value for the same text. The tests check it on every file of the example orgs, on
//! generated orgs, on a list of tricky documents and on random documents (property tests).
//! Plain scalars are typed as serde-saphyr types them for untyped targets with
//! `strict_booleans` and `leading_zero_numbers_as_strings`: empty, `~`, `null`, `Null` and `NULL`
//! are null; `true`, `True`, `TRUE` and the `false` forms are booleans; decimal digits are an
//! integer, or text with a leading zero; a date (`2026-01-31`) and anything starting with a
//! letter, `/` or `_` is text. Every other plain scalar sends the file to serde-saphyr.
//! Quoted and block scalars are text, as the parser unescaped and folded them.

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;

/// Larger files go to serde-saphyr (org files are a few hundred bytes).
const MAX_BYTES: usize = 64 * 1024;
/// Deeper nesting goes to serde-saphyr (well inside `yaml::MAX_DEPTH`).
const MAX_DEPTH: usize = 32;

/// The value of `text`, or `None` when the text needs the full parser.
pub(super) fn parse(text: &str) -> Option<Value> {
    if text.len() > MAX_BYTES {
        return None;
    }
    let mut events = Events {
        parser: Parser::new_from_str(text),
    };
    if !matches!(events.next()?, Event::StreamStart) {
        return None;
    }
    match events.next()? {
        // `%YAML` directives go to the full parser.
        Event::DocumentStart(_, None) => {}
        _ => return None,
    }
    let root = match events.next()? {
        start @ (Event::MappingStart(..) | Event::SequenceStart(..)) => events.node(start, 0)?,
        _ => return None,
    };
    let rest = [events.next()?, events.next()?];
    (matches!(rest, [Event::DocumentEnd, Event::StreamEnd]) && events.next().is_none())
        .then_some(root)
}

/// The parser's events; a syntax error ends the fast path.
struct Events<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
}

impl<'a> Events<'a> {
    /// The next event; `None` at the end, on a syntax error, and on a comment event (the
    /// default options emit none).
    fn next(&mut self) -> Option<Event<'a>> {
        let (event, _span) = self.parser.next_event()?.ok()?;
        Some(event)
    }

    /// The node that starts with `start`, nested `depth` collections deep.
    fn node(&mut self, start: Event<'a>, depth: usize) -> Option<Value> {
        if depth >= MAX_DEPTH {
            return None;
        }
        match start {
            Event::Scalar(text, style, 0, None) => scalar(text, style),
            Event::SequenceStart(_, 0, None) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => return Some(Value::Array(items)),
                        event => items.push(self.node(event, depth + 1)?),
                    }
                }
            }
            Event::MappingStart(_, 0, None) => {
                let mut map = Map::new();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => return Some(Value::Object(map)),
                        Event::Scalar(key, ScalarStyle::Plain, 0, None) if is_text(&key) => key,
                        _ => return None,
                    };
                    let start = self.next()?;
                    let value = self.node(start, depth + 1)?;
                    // A duplicate key is an error: the full parser reports it.
                    if map.insert(key.into_owned(), value).is_some() {
                        return None;
                    }
                }
            }
            // Anchors, aliases, tags, stray ends.
            _ => None,
        }
    }
}

/// The value of a scalar with no tag, or `None` when its type needs the full parser.
fn scalar(text: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.into_owned()));
    }
    Some(match text.as_ref() {
        // The parser reports an empty value as `~`.
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_text(t) || is_date(t) => Value::String(text.into_owned()),
        t if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
            if t.len() > 1 && t.starts_with('0') {
                Value::String(text.into_owned())
            } else {
                Value::Number(Number::from(t.parse::<u64>().ok()?))
            }
        }
        _ => return None,
    })
}

/// A plain scalar that is text whatever its spelling, null and booleans aside (checked first).
fn is_text(t: &str) -> bool {
    let Some(first) = t.chars().next() else {
        return false;
    };
    !matches!(
        t,
        "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    ) && (first.is_alphabetic() || first == '/' || first == '_')
}

/// `YYYY-MM-DD`, which YAML 1.2's core schema leaves as text.
fn is_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
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
            // Forms the scanner unescapes or folds: their text is taken as the parser gives it.
            "a: |\n  text\n  more\n",
            "a: >-\n  folded\n  text\n",
            "a: |+\n  kept\n\n",
            "a: multi\n  line\n",
            "a: \"multi\n  line\"\n",
            "a: \"esc\\n\\t\\u00e9\"\n",
            "a: 'it''s'\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "- - x\n",
            "[a, b]\n",
            "a: [x, [y]]\n",
            "a: [x, ]\n",
            "a: {b}\n",
            "a: ~\n",
            "a:\n",
            "a: x\u{0085}y\n",
            "a: x # comment\n# more\n",
            "é: Ünïcode\n_k: /p/\n",
            "a:\tb\n",
            "\ta: 1\n",
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
            "a: !local x\n",
            "a: 1\na: 2\n",
            "\"quoted key\": 1\n",
            "1: x\n",
            "true: x\n",
            "<<: {a: 1}\n",
            "? [complex]\n: key\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "a: 1.5\n",
            "a: -1\n",
            "a: +1\n",
            "a: 0x10\n",
            "a: 1_000\n",
            "a: .inf\n",
            "a: 1e3\n",
            "a: 12:30\n",
            "a: 2026-1-1\n",
            "a: 99999999999999999999\n",
            "a: b: c\n",
            "a: [x\n",
            "a: {b: 1, b: 2}\n",
            "a: \"x\"y\n",
            "a: @x\n",
            "a: `x`\n",
            "a: -x\n",
            "a:\n    b: 1\n  c: 2\n",
            "a:\n  - x\n  b: y\n",
            "plain scalar document\n",
            "a: 1\n b: 2\n",
            "a: ~x\n",
            &format!("{}1{}", "[".repeat(40), "]".repeat(40)),
        ];
        let taken: Vec<_> = refused.iter().filter(|t| parse(t).is_some()).collect();
        assert!(taken.is_empty(), "expected the full parser for {taken:?}");
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
        let values = prop::sample::select(
            [
                COMMON_VALUES,
                TRICKY_VALUES,
                &["x  y", "7", ".5", "\"q\" # c"],
            ]
            .concat(),
        );
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

    /// Values the fast path reads, so that the agreement is tested often.
    const COMMON_VALUES: &[&str] = &[
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
    ];

    /// Values at the edges of the fast path: other types, other syntax, errors.
    const TRICKY_VALUES: &[&str] = &[
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
    ];

    fn values() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            3 => prop::sample::select(COMMON_VALUES),
            1 => prop::sample::select(TRICKY_VALUES),
        ]
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
