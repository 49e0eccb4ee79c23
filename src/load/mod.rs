//! Reading an org: from a directory, or from a git revision without a checkout.
//!
//! Both sources produce the same [`Loaded`]: every file's text in a [`SourceSet`], the list of
//! entity files with their kind and id, and diagnostics for files that cannot be read (too large,
//! invalid UTF-8, a symlink leaving the org, a stray file). This is the imperative shell; the
//! classification of paths is pure and shared. Stage: load.

mod dir;
mod git;
pub mod history;
mod partial;
mod tree;

pub use dir::load_dir;
pub use git::load_git;
pub use partial::Partial;
pub use tree::{TreeError, list_git_tree, list_worktree};

use crate::diagnostic::Diagnostic;
use crate::schema::{FileKind, is_valid_id};
use crate::source::{FileId, SourceFile, SourceSet};
use crate::yaml::MAX_FILE_BYTES;
use std::sync::Arc;

/// One entity file found in the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file.
    pub file: FileId,
    /// What it holds.
    pub kind: FileKind,
    /// The entity id (the file stem; `org` for `org.yaml`).
    pub id: String,
}

/// An org as read: texts, entity files and read problems.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every file read (entity files and the stray ones that got a diagnostic).
    pub sources: SourceSet,
    /// The entity files, sorted by kind then id.
    pub entries: Vec<Entry>,
    /// Problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
    /// A short description of where the org came from (`org/`, `main:org/`).
    pub origin: String,
}

/// A fatal problem: there is no org to read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory does not exist or cannot be listed.
    #[error("cannot read the org directory `{path}`: {reason}")]
    Dir {
        /// The directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// The git repository, revision or path cannot be resolved.
    #[error("cannot read `{path}` at git revision `{rev}`: {reason}")]
    Git {
        /// The revision asked for.
        rev: String,
        /// The org path inside the repository.
        path: String,
        /// Why.
        reason: String,
    },
}

/// What a path inside the org directory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathKind {
    /// An entity file.
    Entity(FileKind, String),
    /// A file orgctl ignores silently (READMEs, dotfiles).
    Ignored,
    /// A file that does not belong here; the string says what to do.
    Stray(String),
}

/// Classifies a path relative to the org root (`/`-separated). Pure.
pub fn classify(rel: &str) -> PathKind {
    let parts: Vec<&str> = rel.split('/').collect();
    let name = parts.last().copied().unwrap_or("");
    if name.starts_with('.') || name.eq_ignore_ascii_case("README.md") {
        return PathKind::Ignored;
    }
    match parts.as_slice() {
        ["org.yaml"] => PathKind::Entity(FileKind::Org, "org".into()),
        ["org.yml"] => PathKind::Stray("rename it to `org.yaml`".into()),
        [_] => PathKind::Stray(
            "only `org.yaml` and the directories people/, teams/, aliases/ and budgets/ belong at the top of the org".into(),
        ),
        [dir, file] => {
            let Some(kind) = FileKind::from_dir(dir) else {
                return PathKind::Stray(format!(
                    "`{dir}/` is not an org directory: use people/, teams/, aliases/ or budgets/"
                ));
            };
            match file.strip_suffix(".yaml") {
                Some(stem) if is_valid_id(stem) => PathKind::Entity(kind, stem.to_string()),
                Some(stem) => PathKind::Stray(format!(
                    "`{stem}` is not a valid id: file names are lowercase letters, digits and hyphens (try `{}.yaml`)",
                    suggest_id(stem)
                )),
                None => match file.strip_suffix(".yml") {
                    Some(stem) => PathKind::Stray(format!("rename it to `{stem}.yaml`")),
                    None => PathKind::Stray(format!(
                        "only `.yaml` files belong in {dir}/: move or delete this file"
                    )),
                },
            }
        }
        _ => PathKind::Stray("nested directories are not read: move the file up one level".into()),
    }
}

fn suggest_id(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '-' => c,
            _ => '-',
        })
        .collect();
    s.trim_matches('-').to_string()
}

/// The content of one file as a source gave it.
#[derive(Clone)]
pub(crate) enum Content {
    /// The bytes.
    Bytes(Vec<u8>),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// It could not be read; the string says why.
    Unreadable(String),
}

/// Builds a [`Loaded`] from classified files and their contents. Pure.
pub(crate) fn assemble(
    origin: String,
    display_prefix: &str,
    files: Vec<(String, Content)>,
    mut diagnostics: Vec<Diagnostic>,
) -> Loaded {
    let mut sources = SourceSet::default();
    let mut entries = Vec::new();
    for (rel, content) in files {
        let display = format!("{display_prefix}{rel}");
        let kind = classify(&rel);
        if kind == PathKind::Ignored {
            continue;
        }
        let (text, problem) = match content {
            Content::Bytes(bytes) => decode(bytes),
            Content::TooLarge(size) => (
                String::new(),
                Some(
                    Diagnostic::error(
                        "load",
                        format!(
                            "the file is {size} bytes; org files are at most {MAX_FILE_BYTES} bytes"
                        ),
                    )
                    .help("split it, or remove it if it does not belong to the org"),
                ),
            ),
            Content::Unreadable(why) => (
                String::new(),
                Some(Diagnostic::error(
                    "load",
                    format!("cannot read the file: {why}"),
                )),
            ),
        };
        let file = sources.add(SourceFile {
            rel: rel.clone(),
            display,
            text: Arc::from(text),
        });
        if let Some(d) = problem {
            diagnostics.push(relocate(d, file));
            continue;
        }
        match kind {
            PathKind::Entity(kind, id) => entries.push(Entry { file, kind, id }),
            PathKind::Stray(help) => diagnostics.push(
                Diagnostic::warning(
                    "load",
                    "this file is not part of the org format and is ignored",
                )
                .in_file(file)
                .help(help),
            ),
            PathKind::Ignored => {}
        }
    }
    // (kind, id) is unique (one file per id and kind), so an unstable sort gives the same order.
    entries.sort_unstable_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    Loaded {
        sources,
        entries,
        diagnostics,
        origin,
    }
}

/// Points a diagnostic made before the file had an id at that file, keeping a span if any.
fn relocate(mut d: Diagnostic, file: FileId) -> Diagnostic {
    d.file = Some(file);
    d
}

/// Decodes UTF-8, dropping a byte-order mark; invalid UTF-8 gives a diagnostic at the bad byte.
fn decode(mut bytes: Vec<u8>) -> (String, Option<Diagnostic>) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = String::from_utf8_lossy(&bytes[..at]).into_owned();
            let d = Diagnostic::error(
                "load",
                format!("the file is not valid UTF-8 (bad byte at offset {at})"),
            )
            .help("save the file as UTF-8; org files are text")
            .label("invalid UTF-8 starts here");
            let len = valid.len();
            let mut d = d;
            d.at = crate::diagnostic::At::Span {
                offset: len,
                len: 0,
            };
            (valid, Some(d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(
            classify("org.yaml"),
            PathKind::Entity(FileKind::Org, "org".into())
        );
        assert_eq!(
            classify("teams/infra.yaml"),
            PathKind::Entity(FileKind::Team, "infra".into())
        );
        assert!(
            matches!(classify("teams/infra.yml"), PathKind::Stray(h) if h.contains("infra.yaml"))
        );
        assert!(
            matches!(classify("teams/Infra_Team.yaml"), PathKind::Stray(h) if h.contains("infra-team.yaml"))
        );
        assert!(matches!(classify("teams/notes.txt"), PathKind::Stray(_)));
        assert!(matches!(classify("teams/a/b.yaml"), PathKind::Stray(_)));
        assert_eq!(classify("teams/README.md"), PathKind::Ignored);
        assert_eq!(classify("people/.gitkeep"), PathKind::Ignored);
    }

    #[test]
    fn decodes_bom_and_rejects_bad_utf8() {
        let (t, d) = decode(b"\xEF\xBB\xBFname: x\n".to_vec());
        assert_eq!(t, "name: x\n");
        assert!(d.is_none());
        let (t, d) = decode(b"name: \xFF\n".to_vec());
        assert_eq!(t, "name: ");
        assert!(d.unwrap().message.contains("offset 6"));
    }
}
