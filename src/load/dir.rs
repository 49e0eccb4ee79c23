//! Loading an org from a directory on disk.

use super::{Content, LoadError, Loaded, assemble};
use crate::diagnostic::Diagnostic;
use crate::par::par_map;
use crate::yaml::MAX_FILE_BYTES;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Reads every file under `root` (two levels deep). Symlinks are followed only inside `root`.
pub fn load_dir(root: &Path) -> Result<Loaded, LoadError> {
    let err = |reason: String| LoadError::Dir {
        path: root.display().to_string(),
        reason,
    };
    let canonical_root = fs::canonicalize(root).map_err(|e| err(e.to_string()))?;
    if !canonical_root.is_dir() {
        return Err(err("not a directory".into()));
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut escaped: Vec<(String, String)> = Vec::new();
    walk(&canonical_root, root, "", 0, &mut found, &mut escaped).map_err(|e| err(e.to_string()))?;
    found.sort_unstable(); // paths are unique
    let prefix = display_prefix(root);
    for (rel, target) in escaped {
        diagnostics.push(
            Diagnostic::error(
                "load",
                format!(
                    "`{prefix}{rel}` is a symbolic link to `{target}`, outside the org directory"
                ),
            )
            .help(
                "org files must live inside the org directory: copy the file in or remove the link",
            ),
        );
    }
    let contents = par_map(&found, |(_, path)| read_limited(path));
    let files = found
        .into_iter()
        .map(|(rel, _)| rel)
        .zip(contents)
        .collect();
    Ok(assemble(prefix.clone(), &prefix, files, diagnostics))
}

fn display_prefix(root: &Path) -> String {
    let s = root.display().to_string();
    if s.is_empty() || s == "." {
        String::new()
    } else if s.ends_with('/') {
        s
    } else {
        format!("{s}/")
    }
}

/// Recursively lists files (depth 0 = root, 1 = kind directories, 2 = reported as nested).
fn walk(
    canonical_root: &Path,
    dir: &Path,
    rel_prefix: &str,
    depth: usize,
    found: &mut Vec<(String, PathBuf)>,
    escaped: &mut Vec<(String, String)>,
) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{rel_prefix}{name}");
        let path = entry.path();
        let mut file_type = entry.file_type()?;
        if file_type.is_symlink() {
            match fs::canonicalize(&path) {
                Ok(target) if target.starts_with(canonical_root) => {
                    file_type = fs::metadata(&target)?.file_type();
                }
                Ok(target) => {
                    escaped.push((rel, target.display().to_string()));
                    continue;
                }
                Err(e) => {
                    escaped.push((rel, format!("nothing ({e})")));
                    continue;
                }
            }
        }
        if file_type.is_dir() {
            if depth < 2 {
                walk(
                    canonical_root,
                    &path,
                    &format!("{rel}/"),
                    depth + 1,
                    found,
                    escaped,
                )?;
            } else {
                found.push((format!("{rel}/"), path));
            }
        } else {
            found.push((rel, path));
        }
    }
    Ok(())
}

/// Reads a file, refusing ones over the size limit without reading them, and anything but a
/// regular file (a FIFO or a device would block or never end) without waiting
/// ([`crate::readfile::open_regular`]).
fn read_limited(path: &Path) -> Content {
    let (file, meta) = match crate::readfile::open_regular(path) {
        Ok(opened) => opened,
        Err(e) => return Content::Unreadable(e.to_string()),
    };
    if meta.len() > MAX_FILE_BYTES {
        return Content::TooLarge(meta.len());
    }
    let (size, regular) = (meta.len(), meta.is_file());
    // A file that grows while being read (a pipe, /dev/zero via a link) is still bounded.
    let mut file = file.take(MAX_FILE_BYTES + 1);
    let mut bytes = Vec::new();
    if regular && size > 0 {
        // One read asking for a byte more than the size: when it returns exactly the size, the
        // end of the file is reached and the confirming read `read_to_end` would make is
        // skipped (a syscall per file). Any other answer (the file changed size) reads on below.
        bytes.resize(size as usize + 1, 0);
        let n = file.read(&mut bytes).unwrap_or(0);
        bytes.truncate(n);
        if n as u64 == size {
            return Content::Bytes(bytes);
        }
    } else {
        // Room for the whole file and one byte more: no small probing reads.
        bytes.reserve(size as usize + 1);
    }
    match file.read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > MAX_FILE_BYTES => Content::TooLarge(bytes.len() as u64),
        Ok(_) => Content::Bytes(bytes),
        Err(e) => Content::Unreadable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use crate::readfile::tests::{mkfifo, within};

    /// A FIFO among the org files is refused at once (it used to block `check` forever).
    #[test]
    fn a_fifo_org_file_is_refused_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("org.yaml"), "name: O\n").unwrap();
        std::fs::create_dir(d.path().join("people")).unwrap();
        mkfifo(&d.path().join("people/alice.yaml"));
        let root = d.path().to_path_buf();
        let loaded = within(move || super::load_dir(&root).map(|l| l.diagnostics));
        let messages: Vec<String> = loaded.unwrap().iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            messages,
            ["cannot read the file: not a regular file (a FIFO)"]
        );
    }
}
