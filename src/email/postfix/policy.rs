//! Where the org files may put the map ([`MapPolicy`], from the operator's environment) and
//! which map paths `postmap` would misread ([`map_path_problem`]).

use std::path::{Path, PathBuf};

/// Where the org files may put the Postfix map, decided by the operator's environment, never
/// by the files: a pull request must not make apply write alias blocks (and private addresses)
/// into any file the mail server's account can write.
///
/// With [`MapPolicy::DIR_VAR`] set, the map must resolve inside that directory; without it,
/// the map path must be relative and resolve inside the current directory. Either way no `..`
/// component, no symbolic link as the map itself, and no link in its directories leading
/// outside the allowed directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapPolicy {
    /// The directory the map must be in (`ORGCTL_POSTFIX_MAP_DIR`); `None`: the current one.
    pub dir: Option<PathBuf>,
}

impl MapPolicy {
    /// The environment variable naming the directory the map must be in.
    pub const DIR_VAR: &'static str = "ORGCTL_POSTFIX_MAP_DIR";

    /// The operator's policy, from the environment.
    pub fn from_env() -> MapPolicy {
        MapPolicy::from_vars(&crate::email::operator_env())
    }

    /// The operator's policy from `vars`, orgctl's variables of the environment (pure; the
    /// `email-backend` rule reads them from its context).
    pub fn from_vars(vars: &std::collections::BTreeMap<String, String>) -> MapPolicy {
        MapPolicy {
            dir: vars
                .get(Self::DIR_VAR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }

    /// What the map path's text alone shows to be refused (for `check`, which may run
    /// without the operator's environment: an absolute path is judged only when the directory
    /// is known). Pure.
    pub fn refusal(&self, path: &str) -> Option<String> {
        let p = Path::new(path);
        if p.components().any(|c| c == std::path::Component::ParentDir) {
            return Some("contains `..`".into());
        }
        match &self.dir {
            Some(dir) if p.is_absolute() && !p.starts_with(dir) => Some(format!(
                "is outside {} ({}), where the operator allows the map",
                dir.display(),
                Self::DIR_VAR
            )),
            _ => None,
        }
    }

    /// The map path apply and plan use, checked on disk: inside the allowed directory after
    /// resolving links in its directories, and not itself a symbolic link.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, String> {
        if let Some(why) = self.refusal(path) {
            return Err(why);
        }
        let given = Path::new(path);
        let (base, shown) = match &self.dir {
            Some(dir) => (
                dir.clone(),
                format!("{} ({})", dir.display(), Self::DIR_VAR),
            ),
            None if given.is_absolute() => {
                return Err(format!(
                    "is absolute, and the operator allows no directory for the map: set {} to the map's directory (for example /etc/postfix) in apply's environment",
                    Self::DIR_VAR
                ));
            }
            None => (PathBuf::from("."), "the current directory".to_string()),
        };
        let base = std::fs::canonicalize(&base)
            .map_err(|e| format!("cannot be checked: {shown} cannot be opened ({e})"))?;
        let full = if given.is_absolute() {
            given.to_path_buf()
        } else {
            base.join(given)
        };
        if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err("is a symbolic link: name the map file itself".into());
        }
        // The nearest existing directory above the map, links resolved, must be inside.
        let mut dir = full.parent().map(Path::to_path_buf).unwrap_or_default();
        let real = loop {
            match std::fs::canonicalize(&dir) {
                Ok(real) => break real,
                Err(_) => match dir.parent() {
                    Some(up) => dir = up.to_path_buf(),
                    None => return Err(format!("is not inside {shown}")),
                },
            }
        };
        if !real.starts_with(&base) {
            return Err(format!("leads outside {shown} through a symbolic link"));
        }
        // The path as the operator and the files wrote it (checked above), for messages.
        Ok(match &self.dir {
            Some(dir) if !given.is_absolute() => dir.join(given),
            _ => given.to_path_buf(),
        })
    }
}

/// What is wrong with `path` as a map path given to `postmap`, if anything. Pure; used by the
/// `email-backend` rule of `check` and again before any write. A path must not be empty, start
/// with `-` (an option), contain `:` (postmap reads `type:name`) or a control character.
pub fn map_path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("is empty")
    } else if path.starts_with('-') {
        Some("starts with `-`: postmap would read it as an option")
    } else if path.contains(':') {
        Some("contains `:`: postmap would read it as `type:name`")
    } else if path.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review of issue 13: the org files choose the map path, so apply must not write where the
    /// operator did not allow it.
    #[test]
    fn the_map_stays_where_the_operator_allows_it() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        std::fs::create_dir_all(root.join("etc/postfix")).expect("mkdir");
        std::fs::create_dir_all(root.join("home")).expect("mkdir");
        std::os::unix::fs::symlink(root.join("home"), root.join("etc/postfix/escape"))
            .expect("link");
        std::os::unix::fs::symlink(root.join("home/.bashrc"), root.join("etc/postfix/linked"))
            .expect("link");
        let allowed = MapPolicy {
            dir: Some(root.join("etc/postfix")),
        };
        let inside = root.join("etc/postfix/virtual");
        assert_eq!(
            allowed.resolve(inside.to_str().expect("utf-8")),
            Ok(inside.clone())
        );
        let victim = root.join("home/.bashrc");
        for (path, why) in [
            (victim.to_str().expect("utf-8").to_string(), "is outside"),
            (
                root.join("etc/postfix/escape/.bashrc")
                    .to_str()
                    .expect("utf-8")
                    .to_string(),
                "through a symbolic link",
            ),
            (
                root.join("etc/postfix/linked")
                    .to_str()
                    .expect("utf-8")
                    .to_string(),
                "is a symbolic link",
            ),
            ("../home/.bashrc".to_string(), "contains `..`"),
        ] {
            let err = allowed.resolve(&path).expect_err(&path);
            assert!(err.contains(why), "{path}: {err}");
        }
        // Without the operator's directory, only relative paths under the current directory.
        let none = MapPolicy::default();
        let err = none.resolve("/etc/postfix/virtual").expect_err("absolute");
        assert!(err.contains(MapPolicy::DIR_VAR), "{err}");
        assert_eq!(
            none.refusal("/etc/postfix/virtual"),
            None,
            "check cannot tell"
        );
        assert!(none.resolve("mail/virtual").is_ok());
        assert!(none.refusal("mail/../../x").is_some());
    }
}
