//! `Diagnostic`: one problem found in the org, structured until it is rendered.
//!
//! Diagnostics point into files by [`FileId`] and, inside a file, by a byte span or by a JSON
//! pointer (RFC 6901) into the document. Pointers are turned into spans only when rendering
//! (`crate::locate`), so loading and checking never keep a span tree in memory.

use crate::source::FileId;
use serde::Serialize;
use std::borrow::Cow;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `check` (exit 1) and blocks plan and apply.
    Error,
    /// Reported; fails only with `--deny-warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where in a file a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum At {
    /// The whole file (no position).
    File,
    /// A byte range of the file's text.
    Span {
        /// Byte offset.
        offset: usize,
        /// Length in bytes.
        len: usize,
    },
    /// A node of the document, by JSON pointer (`/members/3`).
    Value(String),
    /// A key of the mapping at the pointer (`/github` + `slgu`).
    Key(String, String),
}

/// A secondary place shown with a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// File.
    pub file: FileId,
    /// Where in it.
    pub at: At,
    /// What this place is.
    pub label: String,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it (`lead-not-member`), or `yaml`, `schema`, `load`.
    pub rule: Cow<'static, str>,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The file, when there is one.
    pub file: Option<FileId>,
    /// Where in the file.
    pub at: At,
    /// Text under the underlined value.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places worth showing.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A new diagnostic of `rule` with `severity`, pointing at nothing yet.
    pub fn new(
        rule: impl Into<Cow<'static, str>>,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.into(),
            severity,
            message: message.into(),
            file: None,
            at: At::File,
            label: None,
            help: None,
            related: Vec::new(),
        }
    }

    /// An error of `rule`.
    pub fn error(rule: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Diagnostic::new(rule, Severity::Error, message)
    }

    /// A warning of `rule`.
    pub fn warning(rule: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Diagnostic::new(rule, Severity::Warning, message)
    }

    /// Points at the value at JSON `pointer` in `file`.
    pub fn at(mut self, file: FileId, pointer: impl Into<String>) -> Self {
        self.file = Some(file);
        self.at = At::Value(pointer.into());
        self
    }

    /// Points at the key `key` of the mapping at `pointer` in `file`.
    pub fn at_key(
        mut self,
        file: FileId,
        pointer: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        self.file = Some(file);
        self.at = At::Key(pointer.into(), key.into());
        self
    }

    /// Points at a byte range of `file`.
    pub fn at_span(mut self, file: FileId, offset: usize, len: usize) -> Self {
        self.file = Some(file);
        self.at = At::Span { offset, len };
        self
    }

    /// Points at `file` as a whole.
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = Some(file);
        self.at = At::File;
        self
    }

    /// Sets the label under the value.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related place.
    pub fn related(mut self, file: FileId, at: At, label: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            at,
            label: label.into(),
        });
        self
    }
}

/// Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_pointer_segment(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}
