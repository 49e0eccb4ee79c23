//! YAML reading with hard limits, and mapping JSON pointers back to byte spans.
//!
//! One parser (serde-saphyr) for both jobs, so spans and values always agree. Parsing goes
//! straight to a `serde_json::Value` (what the JSON Schema validator and the typed model read);
//! spans are recovered only for the few files that have a diagnostic, by a second parse into a
//! spanned tree. Pure functions over text. Plain documents take a fast path (`fast`): the same
//! parser's events turned into the same value, without serde-saphyr's general deserializer.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};
use std::fmt;

mod fast;

/// Largest file orgctl reads, in bytes. Org files are small; a larger file is a mistake or hostile.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes (scalars, mappings, sequences) in one file, aliases expanded.
pub const MAX_NODES: usize = 100_000;

/// A YAML syntax or limit error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong, without position (the position is in `offset`).
    pub message: String,
    /// Byte offset of the problem, when the parser knows it.
    pub offset: Option<usize>,
    /// How to fix it.
    pub help: &'static str,
}

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = 4 * MAX_NODES;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES as usize;
    let mut o = Options::default();
    o.budget = Some(budget);
    o.strict_booleans = true;
    o.leading_zero_numbers_as_strings = true;
    o.with_snippet = false;
    o
}

/// Parses one YAML document into a JSON value, enforcing the limits above.
pub fn parse(text: &str) -> Result<serde_json::Value, YamlError> {
    if text.trim().is_empty() {
        return Err(YamlError {
            message: "the file is empty".into(),
            offset: None,
            help: "write the entity's fields (see docs/format.md), or delete the file",
        });
    }
    // Org files are plain YAML: build their value from the parser's events, about twice as
    // fast, and anything else (or anything wrong) with serde-saphyr, which gives the same value
    // for the same text (see `fast`).
    if let Some(value) = fast::parse(text) {
        return Ok(value);
    }
    serde_saphyr::from_str_with_options::<serde_json::Value>(text, options())
        .map_err(|e| convert_error(text, &e))
}

fn convert_error(text: &str, e: &serde_saphyr::Error) -> YamlError {
    let offset = e
        .location()
        .and_then(|l| {
            l.span()
                .byte_offset()
                .map(|o| o as usize)
                .or_else(|| offset_of(text, l.line() as usize, l.column() as usize))
        })
        .filter(|o| *o <= text.len());
    let raw = e.to_string();
    // The parser appends its own position; diagnostics show ours.
    let mut message = strip_position(&raw);
    let lower = message.to_ascii_lowercase();
    if lower.starts_with("budget breached") {
        message = format!(
            "the file expands to more YAML than orgctl accepts (at most {MAX_NODES} nodes, {} aliases): it looks like an alias bomb",
            1_000
        );
    } else if lower.contains("recursion limit") {
        message = format!("the file nests deeper than {MAX_DEPTH} levels");
    }
    let lower = message.to_ascii_lowercase();
    let help = if lower.contains("duplicate") {
        "each key may appear once per mapping: merge the two entries or rename one"
    } else if lower.contains("tab") {
        "YAML indents with spaces only: replace the tab characters with spaces"
    } else if lower.contains("alias bomb") || lower.contains("anchor") {
        "this file expands to more YAML than any org file needs: remove the anchors and aliases (`&x` / `*x`)"
    } else if lower.contains("depth") || lower.contains("nests deeper") {
        "org files are at most 64 levels deep: flatten the structure"
    } else {
        "fix the YAML syntax at the marked position (indentation, a missing `:` or an unclosed quote are the usual causes)"
    };
    YamlError {
        message,
        offset,
        help,
    }
}

/// Byte offset of 1-based `line` and character `column` in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let rest = &text[line_start..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some(line_start + within)
}

fn strip_position(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let cut = first
        .find(", set DuplicateKeyPolicy")
        .or_else(|| first.find(" at line "))
        .or_else(|| first.find(", line "))
        .unwrap_or(first.len());
    first[..cut].trim_end_matches([':', ',', ' ']).to_string()
}

/// A YAML node with the byte span of every value and key, for pointer lookup.
#[derive(Debug)]
enum Node {
    Scalar,
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<KeyText>, Spanned<Node>)>),
}

/// A mapping key as text.
#[derive(Debug)]
struct KeyText(String);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Node, D2::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = a.next_key::<Spanned<KeyText>>()? {
                    let v = a.next_value::<Spanned<Node>>()?;
                    entries.push((k, v));
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Byte span (offset, length) of a parsed location, falling back to the line start.
fn span_of<T>(s: &Spanned<T>) -> Option<(usize, usize)> {
    let sp = s.referenced.span();
    let off = sp.byte_offset()? as usize;
    let len = sp.byte_len().unwrap_or(0) as usize;
    Some((off, len))
}

/// A document parsed for span lookup: parse once, look up many pointers.
pub struct SpanIndex {
    root: Option<Spanned<Node>>,
}

impl SpanIndex {
    /// Parses `text` for span lookups (an unparsable text answers `None` to every lookup).
    pub fn new(text: &str) -> SpanIndex {
        SpanIndex {
            root: serde_saphyr::from_str_with_options::<Spanned<Node>>(text, options()).ok(),
        }
    }

    /// Span of the node at JSON `pointer`, or of the deepest existing ancestor.
    pub fn value(&self, pointer: &str) -> Option<(usize, usize)> {
        let root = self.root.as_ref()?;
        let mut node = root;
        for seg in segments(pointer) {
            match &node.value {
                Node::Map(entries) => match entries.iter().find(|(k, _)| k.value.0 == seg) {
                    Some((_, v)) => node = v,
                    None => break,
                },
                Node::Seq(items) => match seg.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(v) => node = v,
                    None => break,
                },
                Node::Scalar => break,
            }
        }
        span_of(node)
    }

    /// Span of key `key` in the mapping at `pointer` (the mapping itself if the key is absent).
    pub fn key(&self, pointer: &str, key: &str) -> Option<(usize, usize)> {
        let root = self.root.as_ref()?;
        let mut node = root;
        for seg in segments(pointer) {
            match &node.value {
                Node::Map(entries) => match entries.iter().find(|(k, _)| k.value.0 == seg) {
                    Some((_, v)) => node = v,
                    None => return span_of(node),
                },
                Node::Seq(items) => match seg.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(v) => node = v,
                    None => return span_of(node),
                },
                Node::Scalar => return span_of(node),
            }
        }
        if let Node::Map(entries) = &node.value {
            if let Some((k, _)) = entries.iter().find(|(k, _)| k.value.0 == key) {
                return span_of(k);
            }
        }
        span_of(node)
    }
}

/// Unescaped segments of a JSON pointer.
fn segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_yaml() {
        let v = parse("name: x\nmembers: [a, b]\n").unwrap();
        assert_eq!(v["members"][1], "b");
    }

    #[test]
    fn strict_booleans_and_leading_zeros() {
        let v = parse("a: yes\nb: 007\nc: true\n").unwrap();
        assert_eq!(v["a"], "yes");
        assert_eq!(v["b"], "007");
        assert_eq!(v["c"], true);
    }

    #[test]
    fn duplicate_keys_are_errors_with_position() {
        let e = parse("name: a\nname: b\n").unwrap_err();
        assert!(e.message.to_lowercase().contains("duplicate"), "{e:?}");
        assert_eq!(e.offset, Some(8));
    }

    #[test]
    fn locates_values_and_keys() {
        let text = "name: x\nmembers:\n  - alice\n  - person: bob\n    role: chair\n";
        let idx = SpanIndex::new(text);
        let (o, l) = idx.value("/members/1/person").unwrap();
        assert_eq!(&text[o..o + l], "bob");
        let (o, l) = idx.key("/members/1", "role").unwrap();
        assert_eq!(&text[o..o + l], "role");
        let (o, l) = idx.value("/members/0").unwrap();
        assert_eq!(&text[o..o + l], "alice");
    }

    #[test]
    fn scanner_errors_have_positions() {
        let text = "name: Tabs\nmembers:\n\t- alice\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.offset, Some(21), "{e:?}");
        assert!(e.help.contains("spaces"));
        let deep = format!("name: x\nparent: {}1{}\n", "[".repeat(300), "]".repeat(300));
        let e = parse(&deep).unwrap_err();
        assert!(e.message.contains("nests deeper than 64"), "{e:?}");
        assert!(e.offset.is_some());
    }

    #[test]
    fn crlf_and_offsets() {
        let text = "name: x\r\nleads: [zed]\r\n";
        let idx = SpanIndex::new(text);
        let (o, l) = idx.value("/leads/0").unwrap();
        assert_eq!(&text[o..o + l], "zed");
    }
}
