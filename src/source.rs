//! The source files of one org, kept in memory for diagnostics: a `FileId` is an index here.
//!
//! Pure data. The loader (`crate::load`) fills it; diagnostics point into it by `FileId`.

use std::sync::Arc;

/// Index of a file in a [`SourceSet`].
pub type FileId = usize;

/// One file of the org, as read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the org root, with `/` separators (`teams/infra.yaml`).
    pub rel: String,
    /// Path as shown to the user (`org/teams/infra.yaml`, or `main:org/teams/infra.yaml`).
    pub display: String,
    /// The text, after UTF-8 decoding and with a leading byte-order mark removed. Empty when the
    /// file could not be read or decoded (a diagnostic says why).
    pub text: Arc<str>,
}

/// Every file of an org, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    /// The file with id `id`.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// All files, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// The largest char boundary not above `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "a: 1\nbé: 2\r\nc: 3";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 5), (2, 1));
        assert_eq!(line_col(t, 8), (2, 3));
        assert_eq!(line_col(t, t.len()), (3, 5));
    }
}
