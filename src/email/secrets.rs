//! Resolving private addresses: the only place that reads a secret, and only during `apply`.
//!
//! A person's `email: { secret: "env:VAR" }` is read from the environment, `file:PATH` from a
//! regular file (trimmed; at most 4 KiB). Every secret of the desired table is resolved before
//! the first write; if any fails, apply stops and the error names each person, the reference
//! and its kind, never a value. A resolved value must look like one email address, which also
//! keeps newlines or commas out of a Postfix map.
//!
//! The operator restricts references through the environment, never the org files
//! ([`SecretPolicy`]): `env:` variables must start with `ORGCTL_SECRET_ENV_PREFIX` (default
//! `ORGCTL_EMAIL_`), and when `ORGCTL_SECRET_DIR` is set, `file:` paths are relative to it and
//! must stay inside it once links are resolved. `check` refuses what it can tell from the
//! reference alone (rule `secret-reference`). Whatever the cause (a variable not set or empty,
//! a file missing or unreadable, a value that is not an address, a reference not allowed), a
//! failure reads the same ([`UNRESOLVED`]): a public CI log cannot tell which variables exist
//! or which files are readable.
//! Resolved values are held in [`SecretString`]s (zeroed on drop, `Debug` prints
//! `[REDACTED]`). sops- and age-encrypted files are not supported yet: decrypt them to a
//! `file:` path (e.g. with sops-nix or agenix) or export them to the environment.

use super::expand::{AliasTable, Recipient};
use crate::validate::looks_like_address;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The largest secret file read.
const MAX_FILE: u64 = 4096;
/// The environment variable holding the prefix every `env:` reference must start with.
pub const ENV_PREFIX_VAR: &str = "ORGCTL_SECRET_ENV_PREFIX";
/// The prefix of `env:` references when [`ENV_PREFIX_VAR`] is not set.
pub const DEFAULT_ENV_PREFIX: &str = "ORGCTL_EMAIL_";
/// The environment variable naming the directory `file:` references must stay inside.
pub const DIR_VAR: &str = "ORGCTL_SECRET_DIR";
/// The one reason given for any `env:` or `file:` reference that did not yield an address.
pub const UNRESOLVED: &str = "could not be resolved (not set, empty, unreadable, not a single address, or not allowed); see docs/email.md, \"Private addresses\"";

/// Which secret references the operator allows: read from the environment of the run (never
/// from the org files) by [`SecretPolicy::from_env`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPolicy {
    /// Every `env:` variable starts with this (empty: any variable).
    pub env_prefix: String,
    /// `file:` paths are relative to this directory and must resolve inside it; `None`: any
    /// path (relative to the current directory) without a `..` component.
    pub dir: Option<PathBuf>,
}

impl Default for SecretPolicy {
    fn default() -> Self {
        SecretPolicy {
            env_prefix: DEFAULT_ENV_PREFIX.to_string(),
            dir: None,
        }
    }
}

impl SecretPolicy {
    /// The policy of this process: [`ENV_PREFIX_VAR`] (set but empty: any variable) and
    /// [`DIR_VAR`].
    pub fn from_env() -> SecretPolicy {
        SecretPolicy::from_vars(&crate::email::operator_env())
    }

    /// The operator's policy from `vars`, orgctl's variables of the environment (pure; the
    /// `secret-reference` rule reads them from its context).
    pub fn from_vars(vars: &std::collections::BTreeMap<String, String>) -> SecretPolicy {
        SecretPolicy {
            env_prefix: vars
                .get(ENV_PREFIX_VAR)
                .cloned()
                .unwrap_or_else(|| DEFAULT_ENV_PREFIX.to_string()),
            dir: vars
                .get(DIR_VAR)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
        }
    }

    /// Why `reference` is not allowed, judged from its text alone (pure: `check` and apply
    /// both ask). `None` for an allowed reference, and for kinds other than `env` and `file`
    /// (refused elsewhere).
    pub fn refusal(&self, reference: &str) -> Option<String> {
        let (kind, rest) = reference.split_once(':').unwrap_or((reference, ""));
        match kind {
            "env" => {
                let mut chars = rest.chars();
                let valid = chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    Some("an `env:` reference names a variable of letters, digits and `_`".into())
                } else if !rest.starts_with(&self.env_prefix) {
                    Some(format!(
                        "`env:` references must name a variable starting with `{}` (the operator sets {ENV_PREFIX_VAR} to change it)",
                        self.env_prefix
                    ))
                } else {
                    None
                }
            }
            "file" => {
                let path = Path::new(rest);
                if rest.is_empty() || rest.chars().any(char::is_control) {
                    Some("a `file:` reference names a path without control characters".into())
                } else if path
                    .components()
                    .any(|c| c == std::path::Component::ParentDir)
                {
                    Some("a `file:` path may not contain `..`".into())
                } else if let Some(dir) = self.dir.as_ref().filter(|_| path.is_absolute()) {
                    (!path.starts_with(dir)).then(|| {
                        format!(
                            "`file:` paths must be inside {} ({DIR_VAR}); write it relative to that directory",
                            dir.display()
                        )
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The file a `file:` path names: relative to [`SecretPolicy::dir`] when set, and then
    /// required to stay inside it after resolving links. `None` when it does not.
    fn file_path(&self, rest: &str) -> Option<PathBuf> {
        let Some(dir) = &self.dir else {
            return Some(PathBuf::from(rest));
        };
        let dir = std::fs::canonicalize(dir).ok()?;
        let path = std::fs::canonicalize(dir.join(rest)).ok()?;
        path.starts_with(&dir).then_some(path)
    }
}

/// The resolved private addresses of one apply, by person and reference.
#[derive(Default)]
pub struct Resolved {
    values: BTreeMap<(String, String), SecretString>,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("count", &self.values.len())
            .finish_non_exhaustive()
    }
}

impl Resolved {
    /// The real address of a recipient: public and external addresses as they are, a secret's
    /// resolved value. `None` for a secret that was not resolved, or an unlisted address.
    pub fn address<'a>(&'a self, r: &'a Recipient) -> Option<&'a str> {
        match r {
            Recipient::Public(a) | Recipient::External(a) => Some(a),
            Recipient::Secret { person, reference } => self
                .values
                .get(&(person.clone(), reference.clone()))
                .map(|s| s.expose_secret()),
            Recipient::Unlisted { .. } => None,
        }
    }

    /// Adds a value (tests and callers with their own secret store).
    pub fn insert(&mut self, person: &str, reference: &str, value: SecretString) {
        self.values
            .insert((person.to_string(), reference.to_string()), value);
    }

    /// How many secrets are held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Why one secret could not be resolved. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretFailure {
    /// The person id.
    pub person: String,
    /// `env` or `file` (or the unsupported kind as written).
    pub kind: String,
    /// What went wrong: for `env:` and `file:` always the reference and [`UNRESOLVED`].
    pub reason: String,
}

impl fmt::Display for SecretFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "private address of `{}` ({} secret): {}",
            self.person, self.kind, self.reason
        )
    }
}

/// Every secret that failed; apply writes nothing when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SecretErrors(pub Vec<SecretFailure>);

impl fmt::Display for SecretErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} private address(es) could not be resolved, nothing was written:",
            self.0.len()
        )?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

/// Where secret values come from. [`Env`] is the real one; tests substitute their own.
pub trait SecretSource {
    /// The value of environment variable `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
    /// The contents of a file (at most 4 KiB: a secret, not a document).
    fn file(&self, path: &Path) -> std::io::Result<String>;
    /// Which references are allowed (default: [`SecretPolicy::default`]).
    fn policy(&self) -> SecretPolicy {
        SecretPolicy::default()
    }
}

/// The process environment and file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Env;

impl SecretSource for Env {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn file(&self, path: &Path) -> std::io::Result<String> {
        crate::readfile::read_regular_to_string(path, MAX_FILE)
    }

    fn policy(&self) -> SecretPolicy {
        SecretPolicy::from_env()
    }
}

/// Resolves every secret recipient of `table`, or reports every failure.
pub fn resolve(table: &AliasTable, source: &dyn SecretSource) -> Result<Resolved, SecretErrors> {
    let mut resolved = Resolved::default();
    let mut failures = Vec::new();
    let policy = source.policy();
    for r in table.values().flatten() {
        let Recipient::Secret { person, reference } = r else {
            continue;
        };
        if resolved
            .values
            .contains_key(&(person.clone(), reference.clone()))
            || failures.iter().any(|f: &SecretFailure| &f.person == person)
        {
            continue;
        }
        match resolve_one(reference, source, &policy) {
            Ok(v) => {
                resolved
                    .values
                    .insert((person.clone(), reference.clone()), v);
            }
            Err((kind, reason)) => failures.push(SecretFailure {
                person: person.clone(),
                kind,
                reason,
            }),
        }
    }
    if failures.is_empty() {
        Ok(resolved)
    } else {
        Err(SecretErrors(failures))
    }
}

fn resolve_one(
    reference: &str,
    source: &dyn SecretSource,
    policy: &SecretPolicy,
) -> Result<SecretString, (String, String)> {
    let (kind, rest) = reference.split_once(':').unwrap_or((reference, ""));
    // One wording for every way an env: or file: reference can fail.
    let unresolved = || (kind.to_string(), format!("{reference} {UNRESOLVED}"));
    let value = match kind {
        "env" | "file" if policy.refusal(reference).is_some() => return Err(unresolved()),
        "env" => source.var(rest).ok_or_else(unresolved)?,
        "file" => {
            let path = policy.file_path(rest).ok_or_else(unresolved)?;
            source.file(&path).map_err(|_| unresolved())?
        }
        "sops" | "age" => {
            return Err((
                kind.to_string(),
                "sops/age references are not supported yet; decrypt to a file: path or the environment".into(),
            ));
        }
        other => {
            return Err((
                other.to_string(),
                "unknown reference kind (use env:VAR or file:PATH)".into(),
            ));
        }
    };
    let value = SecretString::from(value.trim().to_string());
    if value.expose_secret().is_empty() || !looks_like_address(value.expose_secret()) {
        return Err(unresolved());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fake(HashMap<&'static str, &'static str>, SecretPolicy);

    fn fake(vars: HashMap<&'static str, &'static str>) -> Fake {
        Fake(vars, SecretPolicy::default())
    }

    impl SecretSource for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
        fn file(&self, path: &Path) -> std::io::Result<String> {
            Env.file(path)
        }
        fn policy(&self) -> SecretPolicy {
            self.1.clone()
        }
    }

    fn secret(person: &str, reference: &str) -> Recipient {
        Recipient::Secret {
            person: person.into(),
            reference: reference.into(),
        }
    }

    #[test]
    fn env_and_file_resolve_trimmed() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { panic!("tempdir") };
        let path = dir.path().join("carol");
        std::fs::write(&path, "  carol@private.example\n").ok();
        let table = AliasTable::from([(
            "a@x.org".into(),
            vec![
                secret("bob", "env:ORGCTL_EMAIL_BOB"),
                secret("carol", &format!("file:{}", path.display())),
            ],
        )]);
        let r = resolve(
            &table,
            &fake(HashMap::from([("ORGCTL_EMAIL_BOB", "bob@private.example")])),
        );
        let Ok(r) = r else { panic!("{r:?}") };
        assert_eq!(
            r.address(&secret("bob", "env:ORGCTL_EMAIL_BOB")),
            Some("bob@private.example")
        );
        assert_eq!(
            r.address(&table["a@x.org"][1]),
            Some("carol@private.example")
        );
        assert!(!format!("{r:?}").contains("private"));
    }

    #[test]
    fn a_fifo_or_device_secret_file_fails_without_blocking() {
        use crate::readfile::tests::{mkfifo, within};
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        mkfifo(&fifo);
        for path in [fifo.display().to_string(), "/dev/zero".to_string()] {
            let e = within(move || Env.file(Path::new(&path)).unwrap_err());
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn failures_name_person_and_kind_never_value_nor_why() {
        let d = tempfile::tempdir().unwrap();
        let secrets = d.path().join("secrets");
        std::fs::create_dir(&secrets).unwrap();
        std::fs::write(secrets.join("gina"), "gina@private.example\n").unwrap();
        std::fs::write(d.path().join("outside"), "out@private.example\n").unwrap();
        std::os::unix::fs::symlink(d.path().join("outside"), secrets.join("link")).unwrap();
        let table = AliasTable::from([(
            "a@x.org".into(),
            vec![
                secret("bob", "env:ORGCTL_EMAIL_BOB"),
                secret("dave", "env:ORGCTL_EMAIL_DAVE"),
                secret("emma", "env:ORGCTL_EMAIL_EMMA"),
                secret("fred", "env:HOME"),
                secret("gina", "file:gina"),
                secret("hugo", "file:nonexistent"),
                secret("ivan", "file:link"),
                secret("jack", "file:../outside"),
                secret(
                    "kate",
                    &format!("file:{}", d.path().join("outside").display()),
                ),
            ],
        )]);
        let source = Fake(
            HashMap::from([
                ("ORGCTL_EMAIL_DAVE", "not an address, evil@x.org\n"),
                ("ORGCTL_EMAIL_EMMA", "  "),
                ("HOME", "home@private.example"),
            ]),
            SecretPolicy {
                env_prefix: "ORGCTL_EMAIL_".into(),
                dir: Some(secrets.clone()),
            },
        );
        let Err(e) = resolve(&table, &source) else {
            panic!("must fail")
        };
        let text = e.to_string();
        let kate = format!("file:{}", d.path().join("outside").display());
        let line = |person: &str, kind: &str, reference: &str| {
            format!("\n  - private address of `{person}` ({kind} secret): {reference} {UNRESOLVED}")
        };
        let want = format!(
            "8 private address(es) could not be resolved, nothing was written:{}{}{}{}{}{}{}{}",
            line("bob", "env", "env:ORGCTL_EMAIL_BOB"),
            line("dave", "env", "env:ORGCTL_EMAIL_DAVE"),
            line("emma", "env", "env:ORGCTL_EMAIL_EMMA"),
            line("fred", "env", "env:HOME"),
            line("hugo", "file", "file:nonexistent"),
            line("ivan", "file", "file:link"),
            line("jack", "file", "file:../outside"),
            line("kate", "file", &kate),
        );
        assert_eq!(text, want);
        assert!(!text.contains("evil") && !text.contains("private.example"));
        // Inside the directory, a relative path resolves.
        let table = AliasTable::from([("a@x.org".into(), vec![secret("gina", "file:gina")])]);
        let r = resolve(&table, &source).expect("gina");
        assert_eq!(
            r.address(&secret("gina", "file:gina")),
            Some("gina@private.example")
        );
    }

    #[test]
    fn policy_refusals_from_the_reference_alone() {
        let open = SecretPolicy::default();
        assert_eq!(open.refusal("env:ORGCTL_EMAIL_A"), None);
        assert!(
            open.refusal("env:GITHUB_TOKEN")
                .is_some_and(|r| r.contains("`ORGCTL_EMAIL_`"))
        );
        assert!(open.refusal("env:ORGCTL_EMAIL_A-B").is_some());
        assert_eq!(open.refusal("file:/run/secrets/a"), None);
        assert_eq!(open.refusal("file:secrets/a"), None);
        assert!(open.refusal("file:/run/secrets/../../etc/a").is_some());
        let any = SecretPolicy {
            env_prefix: String::new(),
            dir: Some(PathBuf::from("/run/secrets")),
        };
        assert_eq!(any.refusal("env:HOME"), None);
        assert_eq!(any.refusal("file:/run/secrets/a"), None);
        assert_eq!(any.refusal("file:a"), None);
        assert!(
            any.refusal("file:/etc/a")
                .is_some_and(|r| r.contains("/run/secrets"))
        );
        assert!(any.refusal("file:/run/secretsx/a").is_some());
    }
}
