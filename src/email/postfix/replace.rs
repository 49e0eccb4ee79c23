//! Writing the map: a backup of the old map and the new map, each replaced atomically through
//! a 0600 temporary file that gets the map's mode and owner.

use super::super::EmailError;
use super::Postfix;
use std::io::Write;
use std::path::{Path, PathBuf};

impl Postfix {
    pub(super) fn write_atomically(
        &self,
        old: Option<&str>,
        new: &str,
    ) -> Result<Option<PathBuf>, EmailError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|source| EmailError::Io {
            action: "creating",
            path: dir.clone(),
            source,
        })?;
        // The map's mode and owner, which the backup and the new map keep.
        let like = std::fs::metadata(&self.path).ok();
        let mut backup = None;
        if let Some(old) = old {
            let b = append_ext(&self.path, "orgctl-backup");
            replace_file(&dir, &b, old.as_bytes(), like.as_ref())?;
            backup = Some(b);
        }
        replace_file(&dir, &self.path, new.as_bytes(), like.as_ref())?;
        Ok(backup)
    }
}

/// Atomically replaces `target` (in `dir`) with `contents`: a temporary file is created in
/// `dir` with mode 0600 (`O_EXCL`, so never through a link), given the mode and owner of
/// `like` ([`match_owner_and_mode`]), written, synced and renamed over `target`; then `dir`
/// is synced. Without `like` (a new map) the file stays 0600. The temporary file is removed on
/// failure.
fn replace_file(
    dir: &Path,
    target: &Path,
    contents: &[u8],
    like: Option<&std::fs::Metadata>,
) -> Result<(), EmailError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| EmailError::Io {
            action,
            path,
            source,
        }
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.orgctl-tmp-{}", std::process::id()));
    // A leftover of a crashed run with the same process id.
    let _ = std::fs::remove_file(&tmp);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io("creating", &tmp))?;
        if let Some(like) = like {
            match_owner_and_mode(&f, like).map_err(io("setting the owner and mode of", &tmp))?;
        }
        f.write_all(contents).map_err(io("writing", &tmp))?;
        f.sync_all().map_err(io("syncing", &tmp))?;
        std::fs::rename(&tmp, target).map_err(io("renaming the new file over", target))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Gives `file` (just created by orgctl) the owner, group and permission bits of `like` (the
/// map), so that nobody can read it who could not read the map. Running as root, or as the
/// map's owner, that is exact. Otherwise orgctl may not give a file away: it stays orgctl's
/// (who could read the map anyway), keeps the map's group if orgctl may set it, and else loses
/// its group permission bits (the group is orgctl's, not the map's). Special bits (setuid,
/// setgid, sticky) are never copied.
fn match_owner_and_mode(file: &std::fs::File, like: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    let mut mode = like.mode() & 0o777;
    let mine = file.metadata()?;
    if (mine.uid(), mine.gid()) != (like.uid(), like.gid())
        && fchown(file, Some(like.uid()), Some(like.gid())).is_err()
        && mine.gid() != like.gid()
        && fchown(file, None, Some(like.gid())).is_err()
    {
        mode &= !0o070;
    }
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

pub(super) fn append_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}
