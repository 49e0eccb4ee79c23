//! The Postfix map's format: orgctl's managed block, rendered from the resolved aliases
//! ([`render_block`], [`splice`] into the rest of the file) and parsed back ([`parse`]) into the
//! observed aliases, unmanaged entries elsewhere in the file and drift. Pure.

use super::super::digest;
use super::super::marker::{SecretMark, attribute, parse_secret, push_secrets};
use super::super::plan::{Drift, Observed};
use super::super::{EmailError, ResolvedAlias};
use std::collections::BTreeMap;
use std::path::Path;

/// First line of orgctl's block.
pub const BEGIN: &str = "# BEGIN orgctl managed block";
/// Last line of orgctl's block.
pub const END: &str = "# END orgctl managed block";
pub(super) const BEGIN_LINE: &str =
    "# BEGIN orgctl managed block: generated from the org repository; edits here are drift";
pub(super) const BLOCK_TAG: &str = "# orgctl-block v1 sha256=";
const ALIAS_TAG: &str = "# orgctl-alias ";
const WRAP_AT: usize = 100;

/// One entry of orgctl's block as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The hash of its lines, as they are now.
    pub(super) hash: String,
}

/// The file as read.
#[derive(Debug, Default)]
pub(super) struct MapFile {
    /// Whole contents (empty when missing).
    pub(super) text: String,
    /// Whether the file exists.
    pub(super) exists: bool,
    /// Line range (0-based, inclusive BEGIN, inclusive END) of the block.
    pub(super) block: Option<(usize, usize)>,
    pub(super) observed: Observed,
    /// Entries of the block by address.
    pub(super) entries: BTreeMap<String, Entry>,
}

/// The lines of one entry as orgctl writes them (without the marker line).
fn entry_lines(a: &ResolvedAlias<'_>) -> Vec<String> {
    let reals: Vec<&str> = a.recipients.iter().map(|(_, real)| *real).collect();
    let one = format!("{} {}", a.address, reals.join(", "));
    if reals.len() < 2 || one.len() <= WRAP_AT {
        return vec![one];
    }
    let mut lines = vec![a.address.to_string()];
    let n = reals.len();
    for (i, r) in reals.iter().enumerate() {
        lines.push(format!("    {r}{}", if i + 1 < n { "," } else { "" }));
    }
    lines
}

pub(super) fn hash_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(l.as_ref());
        text.push('\n');
    }
    digest::short(&text)
}

pub(super) fn entry_hash(a: &ResolvedAlias<'_>) -> String {
    hash_lines(&entry_lines(a))
}

/// The block for `aliases`, BEGIN to END, each line ending in `\n`.
pub(super) fn render_block(aliases: &[ResolvedAlias<'_>]) -> String {
    let mut body: Vec<String> = Vec::new();
    for a in aliases {
        let lines = entry_lines(a);
        let mut marker = format!("{ALIAS_TAG}{} sha256={}", a.address, hash_lines(&lines));
        push_secrets(&mut marker, a.address, &a.recipients);
        body.push(marker);
        body.extend(lines);
    }
    let body_text: String = body.iter().map(|l| format!("{l}\n")).collect();
    format!(
        "{BEGIN_LINE}\n{BLOCK_TAG}{}\n{body_text}{END}\n",
        digest::sha256_hex(&body_text)
    )
}

/// `text` with lines `block` (inclusive range) replaced by `new_block`, or `new_block` appended.
pub(super) fn splice(text: &str, block: Option<(usize, usize)>, new_block: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match block {
        Some((b, e)) => {
            let mut out = String::new();
            for l in &lines[..b] {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(new_block);
            for l in &lines[e + 1..] {
                out.push_str(l);
                out.push('\n');
            }
            out
        }
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(new_block);
            out
        }
    }
}

/// A marker line: address, entry hash, secrets (person, reference, digest).
struct Marker {
    address: String,
    hash: String,
    secrets: Vec<SecretMark>,
    line: usize,
}

fn parse_marker(rest: &str, line: usize) -> Option<Marker> {
    let mut words = rest.split_whitespace();
    let address = words.next()?.to_lowercase();
    let hash = words.next()?.strip_prefix("sha256=")?.to_string();
    let secrets = words.map(parse_secret).collect::<Option<Vec<_>>>()?;
    Some(Marker {
        address,
        hash,
        secrets,
        line,
    })
}

/// A logical line of a map: key, values and the physical lines (0-based first line).
struct Logical<'a> {
    first: usize,
    lines: Vec<&'a str>,
}

impl Logical<'_> {
    fn key_and_values(&self) -> (String, Vec<String>) {
        let joined = self.lines.join(" ");
        let mut it = joined
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty());
        let key = it.next().unwrap_or_default().to_lowercase();
        (key, it.map(str::to_string).collect())
    }
}

/// Groups `lines` into logical lines (postfix rules: a line starting with whitespace continues
/// the previous one; blank lines and lines whose first non-blank is `#` are skipped) and
/// comment lines, in order.
enum Item<'a> {
    Comment(usize, &'a str),
    Entry(Logical<'a>),
}

fn items<'a>(lines: &[&'a str], offset: usize) -> Vec<Item<'a>> {
    let mut out: Vec<Item<'a>> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('#') {
            out.push(Item::Comment(offset + i, l));
            continue;
        }
        if l.starts_with(char::is_whitespace) {
            if let Some(Item::Entry(e)) =
                out.iter_mut().rev().find(|it| matches!(it, Item::Entry(_)))
            {
                e.lines.push(l);
                continue;
            }
        }
        out.push(Item::Entry(Logical {
            first: offset + i,
            lines: vec![l],
        }));
    }
    out
}

pub(super) fn parse(path: &Path, text: String) -> Result<MapFile, EmailError> {
    let malformed = |line: usize, message: &str| EmailError::Malformed {
        path: path.to_path_buf(),
        line: line + 1,
        message: message.to_string(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let begins: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with(BEGIN))
        .collect();
    let ends: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with(END))
        .collect();
    let block = match (begins.as_slice(), ends.as_slice()) {
        ([], []) => None,
        ([b], [e]) if b < e => Some((*b, *e)),
        ([b], []) => {
            return Err(malformed(
                *b,
                "orgctl's block has no `# END orgctl managed block` line",
            ));
        }
        ([], [e]) => {
            return Err(malformed(
                *e,
                "`# END orgctl managed block` without its BEGIN line",
            ));
        }
        ([_], [e]) => {
            return Err(malformed(
                *e,
                "`# END orgctl managed block` before its BEGIN line",
            ));
        }
        (bs, es) => {
            let at = if bs.len() > 1 { bs[1] } else { es[1] };
            return Err(malformed(at, "more than one orgctl block; keep one"));
        }
    };
    let mut unmanaged = BTreeMap::new();
    let (before, after) = match block {
        Some((b, e)) => ((0, b), (e + 1, lines.len())),
        None => ((0, lines.len()), (lines.len(), lines.len())),
    };
    for (s, e) in [before, after] {
        for it in items(&lines[s..e], s) {
            if let Item::Entry(l) = it {
                unmanaged
                    .entry(l.key_and_values().0)
                    .or_insert_with(|| format!("line {} of {}", l.first + 1, path.display()));
            }
        }
    }
    let mut observed = Observed {
        fingerprint: digest::sha256_hex(&text),
        unmanaged,
        ..Observed::default()
    };
    let mut entries = BTreeMap::new();
    if let Some((b, e)) = block {
        read_block(&lines, b, e, &mut observed, &mut entries);
    }
    Ok(MapFile {
        exists: true,
        block,
        observed,
        entries,
        text,
    })
}

fn read_block(
    lines: &[&str],
    b: usize,
    e: usize,
    observed: &mut Observed,
    entries: &mut BTreeMap<String, Entry>,
) {
    let drift = |observed: &mut Observed, address: Option<&str>, message: String| {
        observed.drift.push(Drift {
            address: address.map(str::to_string),
            message,
        })
    };
    // A marker whose entry is gone.
    let removed = |observed: &mut Observed, p: &Marker| {
        drift(
            observed,
            Some(&p.address),
            format!("entry removed by hand (marker at line {})", p.line + 1),
        )
    };
    let header = lines.get(b + 1).and_then(|l| l.strip_prefix(BLOCK_TAG));
    let body_start = if header.is_some() { b + 2 } else { b + 1 };
    let body: String = lines[body_start..e]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let block_ok = header.is_some_and(|h| h.trim() == digest::sha256_hex(&body));
    let mut markers: BTreeMap<String, Marker> = BTreeMap::new();
    let mut pending: Option<Marker> = None;
    let mut entry_drift = false;
    for it in items(&lines[body_start..e], body_start) {
        match it {
            Item::Comment(i, l) => {
                if let Some(m) = l.strip_prefix(ALIAS_TAG).and_then(|r| parse_marker(r, i)) {
                    if let Some(p) = pending.take() {
                        removed(observed, &p);
                        entry_drift = true;
                    }
                    pending = Some(m);
                }
            }
            Item::Entry(l) => {
                let (key, values) = l.key_and_values();
                let hash = hash_lines(&l.lines);
                let marker = pending.take().filter(|m| m.address == key);
                match &marker {
                    None => {
                        drift(
                            observed,
                            Some(&key),
                            format!("entry added by hand (line {})", l.first + 1),
                        );
                        entry_drift = true;
                    }
                    Some(m) if m.hash != hash => {
                        drift(
                            observed,
                            Some(&key),
                            format!(
                                "entry edited by hand since the last apply (line {})",
                                l.first + 1
                            ),
                        );
                        entry_drift = true;
                    }
                    Some(_) => {}
                }
                let recipients = values
                    .into_iter()
                    .map(|v| {
                        let secrets = marker.as_ref().map_or(&[][..], |m| &m.secrets);
                        attribute(&key, &v, secrets)
                    })
                    .collect::<Vec<_>>();
                entries.insert(key.clone(), Entry { hash });
                if let Some(m) = marker {
                    markers.insert(key.clone(), m);
                }
                observed.table.entry(key).or_default().extend(recipients);
            }
        }
    }
    if let Some(p) = pending.take() {
        removed(observed, &p);
        entry_drift = true;
    }
    if !block_ok && !entry_drift {
        drift(
            observed,
            None,
            format!(
                "orgctl's block (line {}) was edited by hand since the last apply",
                b + 1
            ),
        );
    }
    for rs in observed.table.values_mut() {
        *rs = super::super::expand::normalize(std::mem::take(rs));
    }
}
