//! Running `postmap`: finding the program, the command line (a relative map path gets `./` so
//! it is never an option), and whether the compiled map is older than the map.

use super::super::EmailError;
use super::Postfix;
use super::replace::append_ext;
use std::path::{Path, PathBuf};
use std::process::Command;

impl Postfix {
    fn postmap_command(&self) -> Command {
        let mut cmd = Command::new(&self.postmap);
        if let Some(dir) = &self.config_dir {
            cmd.arg("-c").arg(dir);
        }
        cmd
    }

    pub(super) fn check_postmap(&self) -> Result<(), EmailError> {
        if find_program(&self.postmap).is_none() {
            return Err(EmailError::Postmap(format!(
                "`{}` not found: install Postfix (Debian: apt-get install postfix), pass --postmap PATH, \
                 or --no-postmap to compile the map yourself; nothing was written",
                self.postmap.display()
            )));
        }
        Ok(())
    }

    pub(super) fn run_postmap(&self) -> Result<(), EmailError> {
        let out = self
            .postmap_command()
            .arg(postmap_arg(&self.path))
            .output()
            .map_err(|e| EmailError::Postmap(format!("running {}: {e}", self.postmap.display())))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first: Vec<&str> = stderr.lines().take(5).collect();
            return Err(EmailError::Postmap(format!(
                "`{} {}` failed ({}): {}; the map file was written, re-run apply once fixed",
                self.postmap.display(),
                self.path.display(),
                out.status,
                first.join(" / ")
            )));
        }
        Ok(())
    }

    /// Whether the compiled map (`.db` or `.lmdb`) is missing or older than the map.
    pub(super) fn compiled_is_stale(&self) -> bool {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let Some(map) = modified(&self.path) else {
            return false;
        };
        let compiled = ["db", "lmdb", "cdb"]
            .iter()
            .filter_map(|ext| modified(&append_ext(&self.path, ext)))
            .max();
        compiled.is_none_or(|c| c < map)
    }
}

/// The map path as given to `postmap`: a relative path gets a `./` prefix, so no file name can
/// ever be read as an option (`postmap` has no portable `--`).
fn postmap_arg(path: &Path) -> PathBuf {
    if path.is_absolute() || path.starts_with(".") || path.starts_with("..") {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    }
}

/// Finds a program: a path with a separator as is, otherwise on `PATH`.
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postmap_never_sees_a_path_as_an_option() {
        for (path, arg) in [
            ("-v", "./-v"),
            ("mail/virtual", "./mail/virtual"),
            ("./virtual", "./virtual"),
            ("../virtual", "../virtual"),
            ("/etc/postfix/virtual", "/etc/postfix/virtual"),
        ] {
            assert_eq!(postmap_arg(Path::new(path)), PathBuf::from(arg), "{path}");
        }
    }
}
