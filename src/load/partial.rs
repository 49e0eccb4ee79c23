//! Reading part of an org: the files one question needs, for commands that must answer in
//! milliseconds on a 12,000-file org (`orgctl owners` reads `org.yaml`, the team files that
//! mention the repository and the people it shows). Same limits as [`super::load_dir`]: files
//! over the size limit are refused and symbolic links must stay inside the org. Stage: load.

use super::{Content, LoadError, Loaded, assemble};
use crate::par::par_map;
use crate::yaml::MAX_FILE_BYTES;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files read so far: relative path and content.
#[derive(Default)]
pub struct Partial {
    root: PathBuf,
    canonical: PathBuf,
    files: Vec<(String, Content)>,
}

impl Partial {
    /// Starts reading the org at `root`.
    pub fn new(root: &Path) -> Result<Partial, LoadError> {
        let canonical = fs::canonicalize(root).map_err(|e| LoadError::Dir {
            path: root.display().to_string(),
            reason: e.to_string(),
        })?;
        if !canonical.is_dir() {
            return Err(LoadError::Dir {
                path: root.display().to_string(),
                reason: "not a directory".into(),
            });
        }
        Ok(Partial {
            root: root.to_path_buf(),
            canonical,
            files: Vec::new(),
        })
    }

    /// Reads `rel`; `None` when it does not exist. `is_link` is the file type from the
    /// directory listing when known (saves a `stat` per file on large directories).
    fn read(&self, rel: &str, is_link: Option<bool>) -> Option<Content> {
        let path = self.root.join(rel);
        let is_link = match is_link {
            Some(l) => l,
            None => fs::symlink_metadata(&path).ok()?.file_type().is_symlink(),
        };
        if is_link {
            match fs::canonicalize(&path) {
                Ok(t) if t.starts_with(&self.canonical) => {}
                _ => {
                    return Some(Content::Unreadable(
                        "a symbolic link leaving the org directory".into(),
                    ));
                }
            }
        }
        Some(read_small(&path))
    }

    /// Reads the files `rels` (relative, `/`-separated) that exist; missing ones are skipped.
    pub fn add_files(&mut self, rels: &[String]) {
        let contents = par_map(rels, |r| self.read(r, None));
        for (rel, c) in rels.iter().zip(contents) {
            if let Some(c) = c {
                if !self.files.iter().any(|(r, _)| r == rel) {
                    self.files.push((rel.clone(), c));
                }
            }
        }
    }

    /// Reads the `*.yaml` files of directory `dir` whose bytes contain `needle` (files that
    /// cannot be read are kept, so their problem is reported).
    pub fn add_matching(&mut self, dir: &str, needle: &str) -> Result<(), LoadError> {
        let d = self.root.join(dir);
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(LoadError::Dir {
                    path: d.display().to_string(),
                    reason: e.to_string(),
                });
            }
        };
        let mut listed: Vec<(String, bool)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let is_link = e.file_type().ok()?.is_symlink();
                (name.ends_with(".yaml") && !name.starts_with('.'))
                    .then(|| (format!("{dir}/{name}"), is_link))
            })
            .collect();
        listed.sort();
        let needle = needle.as_bytes();
        // Filter inside the workers so the bytes of files without the needle are freed at once.
        let kept = par_map(&listed, |(r, l)| {
            self.read(r, Some(*l)).filter(|c| match c {
                Content::Bytes(b) => contains(b, needle),
                _ => true,
            })
        });
        for ((rel, _), c) in listed.into_iter().zip(kept) {
            if let Some(c) = c {
                self.files.push((rel, c));
            }
        }
        Ok(())
    }

    /// The files read so far as a [`Loaded`], like [`super::load_dir`] would give for them;
    /// file ids follow the order the files were added in.
    pub fn loaded(&self) -> Loaded {
        let s = self.root.display().to_string();
        let prefix = if s.is_empty() || s == "." {
            String::new()
        } else if s.ends_with('/') {
            s
        } else {
            format!("{s}/")
        };
        // Insertion order: files added later get later ids, so the ids of an earlier
        // `loaded()` stay valid (callers parse only what is new).
        let files: Vec<(String, Content)> = self
            .files
            .iter()
            .map(|(r, c)| (r.clone(), c.clone()))
            .collect();
        assemble(prefix.clone(), &prefix, files, Vec::new())
    }
}

/// Whether `needle` occurs in `hay` (first-byte scan, then compare).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    let mut i = 0;
    while let Some(p) = hay[i..].iter().position(|&b| b == first) {
        let start = i + p;
        if hay[start..].starts_with(needle) {
            return true;
        }
        i = start + 1;
    }
    false
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`] with as few system calls as possible:
/// one `fstat` (refusing FIFOs and devices without blocking), one read for a small file plus
/// the one that sees its end.
fn read_small(path: &Path) -> Content {
    let file = match crate::readfile::open_regular(path) {
        Ok((f, _)) => f,
        Err(e) => return Content::Unreadable(e.to_string()),
    };
    let mut bytes = Vec::with_capacity(4096);
    match file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        Ok(n) if n as u64 > MAX_FILE_BYTES => Content::TooLarge(n as u64),
        Ok(_) => Content::Bytes(bytes),
        Err(e) => Content::Unreadable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_matching_team_files_and_named_people() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::create_dir_all(r.join("teams")).unwrap();
        fs::create_dir_all(r.join("people")).unwrap();
        fs::write(r.join("org.yaml"), "name: O\n").unwrap();
        fs::write(r.join("teams/a.yaml"), "name: A\nowns:\n  - repo: wanted\n").unwrap();
        fs::write(r.join("teams/b.yaml"), "name: B\n").unwrap();
        fs::write(r.join("people/p.yaml"), "name: P\n").unwrap();
        let mut p = Partial::new(r).unwrap();
        p.add_files(&[
            "org.yaml".into(),
            "people/p.yaml".into(),
            "people/missing.yaml".into(),
        ]);
        p.add_matching("teams", "wanted").unwrap();
        let l = p.loaded();
        let rels: Vec<&str> = l
            .entries
            .iter()
            .map(|e| l.sources.get(e.file).rel.as_str())
            .collect();
        assert_eq!(rels, ["org.yaml", "people/p.yaml", "teams/a.yaml"]);
        assert_eq!(l.sources.get(0).rel, "org.yaml");
        assert_eq!(
            l.sources.get(2).rel,
            "teams/a.yaml",
            "ids in the order files were added"
        );
        assert!(l.diagnostics.is_empty());
        assert!(
            contains(b"a repo: x", b"repo: x")
                && !contains(b"repo: y", b"repo: x")
                && contains(b"", b"")
        );
    }
}
