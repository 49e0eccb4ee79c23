//! The one way commands write files at paths a user named (`report --out`, `codeowners --out`,
//! `import --out`, `plan --out`, `state pull --out`, `schema --out`, `generate --out`).
//!
//! Nothing under an output directory is followed if it is a symbolic link: a file is written to a
//! new temporary file in its directory and renamed over the target, which replaces a symlink
//! instead of writing through it; a subdirectory that is a symlink is refused (never written
//! into, never created through); and only regular files that orgctl listed in its manifest are
//! ever deleted. The output directory itself, and the directories above a single output file,
//! are the user's choice and are used as they are.

use anyhow::{Context as _, bail};
use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of one process.
static TEMP: AtomicU64 = AtomicU64::new(0);

/// Writes `contents` to `path` atomically: a new temporary file beside it (created exclusively,
/// so not through a symlink), then a rename over `path`. A symlink at `path` is replaced, never
/// followed; a regular file there keeps its mode; a reader never sees half a file.
pub fn write_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let ctx = || format!("cannot write `{}`", path.display());
    let name = path
        .file_name()
        .with_context(|| format!("`{}` names no file", path.display()))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        bail!("`{}` is a directory: name a file", path.display());
    }
    let tmp = dir.join(format!(
        ".{}.orgctl-tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        TEMP.fetch_add(1, Ordering::Relaxed)
    ));
    // A file replaced keeps its mode (a 0600 plan or snapshot stays private).
    let keep_mode = fs::symlink_metadata(path)
        .ok()
        .filter(fs::Metadata::is_file)
        .map(|m| m.permissions());
    let result = (|| -> std::io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        if let Some(mode) = keep_mode.clone() {
            f.set_permissions(mode)?;
        }
        f.write_all(contents)?;
        f.flush()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(ctx)
}

/// A relative output path (`teams/infra.html`) split into its parts; absolute paths, `..`, `.`
/// and empty parts are refused, so a path can only name something inside the directory.
fn parts(rel: &str) -> anyhow::Result<Vec<&str>> {
    let parts: Vec<&str> = rel.split('/').collect();
    let plain = parts.iter().all(|p| {
        let mut c = Path::new(p).components();
        matches!((c.next(), c.next()), (Some(Component::Normal(_)), None)) && !p.contains('\\')
    });
    if rel.is_empty() || !plain {
        bail!("`{rel}` is not a plain relative path inside the output directory");
    }
    Ok(parts)
}

/// An output directory that orgctl owns files in, written without following symlinks below it.
#[derive(Debug)]
pub struct OutDir {
    root: PathBuf,
}

impl OutDir {
    /// Creates the directory (and its parents) if missing.
    pub fn create(root: &Path) -> anyhow::Result<OutDir> {
        fs::create_dir_all(root).with_context(|| format!("cannot create `{}`", root.display()))?;
        Ok(OutDir {
            root: root.to_path_buf(),
        })
    }

    /// The directory.
    #[cfg(test)]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory that holds `rel`, each part below the root created if missing; a part that
    /// exists as anything but a real directory (a symlink, a file) is refused.
    fn parent_of(&self, rel: &str) -> anyhow::Result<PathBuf> {
        let parts = parts(rel)?;
        let mut dir = self.root.clone();
        for p in &parts[..parts.len() - 1] {
            dir.push(p);
            match fs::symlink_metadata(&dir) {
                Ok(m) if m.is_dir() => {}
                Ok(m) if m.file_type().is_symlink() => bail!(
                    "`{}` is a symbolic link: orgctl does not write through links in an output directory; remove it or choose another directory",
                    dir.display()
                ),
                Ok(_) => bail!(
                    "`{}` is in the way: a directory is needed there; remove it or choose another directory",
                    dir.display()
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // `create_dir` does not follow a symlink planted meanwhile: it fails. Another
                    // writer thread creating the same directory is fine.
                    if let Err(e) = fs::create_dir(&dir) {
                        let made = e.kind() == std::io::ErrorKind::AlreadyExists
                            && fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir());
                        if !made {
                            return Err(anyhow::Error::new(e)
                                .context(format!("cannot create `{}`", dir.display())));
                        }
                    }
                }
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot read `{}`", dir.display()))
                    );
                }
            }
        }
        Ok(dir)
    }

    /// Creates the directories that will hold `rel` (see [`OutDir::write`]).
    pub fn write_dir_of(&self, rel: &str) -> anyhow::Result<()> {
        self.parent_of(rel).map(drop)
    }

    /// Writes `rel` unless it already is a regular file with exactly these contents; returns
    /// whether it wrote. A symlink at `rel` is replaced, not followed.
    pub fn write(&self, rel: &str, contents: &[u8]) -> anyhow::Result<bool> {
        let dir = self.parent_of(rel)?;
        let path = dir.join(parts(rel)?.last().copied().unwrap_or_default());
        let same = fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64)
            && fs::read(&path).is_ok_and(|old| old == contents);
        if same {
            return Ok(false);
        }
        write_file(&path, contents)?;
        Ok(true)
    }

    /// Removes `rel` only if it is a regular file reached through real directories (no symlink
    /// on the way); anything else is left alone. Returns whether it removed a file.
    pub fn remove(&self, rel: &str) -> anyhow::Result<bool> {
        let Ok(parts) = parts(rel) else {
            return Ok(false);
        };
        let mut path = self.root.clone();
        for (i, p) in parts.iter().enumerate() {
            path.push(p);
            let Ok(m) = fs::symlink_metadata(&path) else {
                return Ok(false);
            };
            let last = i + 1 == parts.len();
            if (last && !m.is_file()) || (!last && !m.is_dir()) {
                return Ok(false);
            }
        }
        fs::remove_file(&path).with_context(|| format!("cannot remove `{}`", path.display()))?;
        Ok(true)
    }

    /// Whether `rel` is a regular file (not a symlink) directly in the directory.
    pub fn has_file(&self, rel: &str) -> bool {
        fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
    }

    /// The paths listed in the manifest `name` (one relative path per line), if it is a regular
    /// file; lines that are not plain relative paths are ignored.
    pub fn read_manifest(&self, name: &str) -> BTreeSet<String> {
        if !self.has_file(name) {
            return BTreeSet::new();
        }
        // Bounded and regular files only: a planted FIFO or a huge file cannot hold a report.
        let text = crate::readfile::read_regular_to_string(&self.root.join(name), 16 << 20)
            .unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#') && parts(l).is_ok())
            .map(str::to_string)
            .collect()
    }

    /// Writes the manifest `name`: a comment line, then the paths, sorted.
    pub fn write_manifest(
        &self,
        name: &str,
        comment: &str,
        paths: &BTreeSet<String>,
    ) -> anyhow::Result<()> {
        let mut text = format!("# {comment}\n");
        for p in paths {
            text.push_str(p);
            text.push('\n');
        }
        self.write(name, text.as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    /// A private file rewritten stays private.
    #[test]
    fn a_rewritten_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        super::write_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    use super::{OutDir, parts, write_file};
    use std::fs;

    #[test]
    fn only_plain_relative_paths() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a/.",
            "a\\b",
        ] {
            assert!(parts(bad).is_err(), "{bad}");
        }
        assert_eq!(parts("teams/a.html").unwrap(), ["teams", "a.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_replaced_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let out = OutDir::create(&d.path().join("out")).unwrap();
        fs::create_dir(out.root().join("teams")).unwrap();
        std::os::unix::fs::symlink(&victim, out.root().join("teams/infra.html")).unwrap();
        assert!(out.write("teams/infra.html", b"page").unwrap());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(
            fs::read_to_string(out.root().join("teams/infra.html")).unwrap(),
            "page"
        );
        // The same through the single-file writer.
        let link = d.path().join("CODEOWNERS");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        write_file(&link, b"x").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(
            !fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_is_refused_and_never_emptied() {
        let d = tempfile::tempdir().unwrap();
        let elsewhere = d.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("keep.html"), "keep").unwrap();
        let out = OutDir::create(&d.path().join("out")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.root().join("teams")).unwrap();
        let e = out.write("teams/a.html", b"x").unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert!(!out.remove("teams/keep.html").unwrap());
        assert!(elsewhere.join("keep.html").exists());
        assert!(!elsewhere.join("a.html").exists());
    }
}
