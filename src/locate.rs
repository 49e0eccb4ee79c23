//! Turning diagnostic positions (JSON pointers, byte spans) into line/column ranges.
//!
//! Pure. Each file with a pointer-based diagnostic is re-parsed once into a span index; files
//! without diagnostics are never touched again.

use crate::diagnostic::{At, Diagnostic};
use crate::source::{FileId, SourceSet, line_col};
use crate::yaml::SpanIndex;
use std::collections::BTreeMap;

/// A resolved position in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Byte offset.
    pub offset: usize,
    /// Byte length (0 = a point).
    pub len: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end.
    pub end_column: usize,
}

/// A diagnostic with its positions resolved.
#[derive(Debug, Clone)]
pub struct Located {
    /// The diagnostic.
    pub diagnostic: Diagnostic,
    /// Where its main label goes (`None`: the whole file, or no file).
    pub position: Option<Position>,
    /// Positions of its related places, in order.
    pub related: Vec<Option<Position>>,
}

/// Resolves every diagnostic and sorts them by file, position, then rule.
pub fn locate(diagnostics: Vec<Diagnostic>, sources: &SourceSet) -> Vec<Located> {
    let mut indexes: BTreeMap<FileId, SpanIndex> = BTreeMap::new();
    let mut out: Vec<Located> = diagnostics
        .into_iter()
        .map(|d| {
            let position = d
                .file
                .and_then(|f| resolve(f, &d.at, sources, &mut indexes));
            let related = d
                .related
                .iter()
                .map(|r| resolve(r.file, &r.at, sources, &mut indexes))
                .collect();
            Located {
                diagnostic: d,
                position,
                related,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |l: &Located| {
            (
                l.diagnostic.file.map(|f| sources.get(f).display.clone()),
                l.position.map(|p| (p.line, p.column)),
                l.diagnostic.rule.clone(),
                l.diagnostic.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    out
}

fn resolve(
    file: FileId,
    at: &At,
    sources: &SourceSet,
    indexes: &mut BTreeMap<FileId, SpanIndex>,
) -> Option<Position> {
    let text = &sources.get(file).text;
    let (offset, len) = match at {
        At::File => return None,
        At::Span { offset, len } => (*offset, *len),
        At::Value(p) => indexes
            .entry(file)
            .or_insert_with(|| SpanIndex::new(text))
            .value(p)?,
        At::Key(p, k) => indexes
            .entry(file)
            .or_insert_with(|| SpanIndex::new(text))
            .key(p, k)?,
    };
    let offset = offset.min(text.len());
    let len = len.min(text.len() - offset);
    let (line, column) = line_col(text, offset);
    let (end_line, end_column) = line_col(text, offset + len);
    Some(Position {
        offset,
        len,
        line,
        column,
        end_line,
        end_column,
    })
}
