//! Resolving private addresses: the only place that reads a secret, and only during `apply`.
//!
//! A person's `email: { secret: "env:VAR" }` is read from the environment, `file:PATH` from a
//! file (trimmed; at most 4 KiB; a relative path is relative to the current directory). Every
//! secret of the desired table is resolved before the first write; if any fails, apply stops
//! and the error names each person and the reference kind, never a value. A resolved value must
//! look like one email address, which also keeps newlines or commas out of a Postfix map.
//! Resolved values are held in [`SecretString`]s (zeroed on drop, `Debug` prints
//! `[REDACTED]`). sops- and age-encrypted files are not supported yet: decrypt them to a
//! `file:` path (e.g. with sops-nix or agenix) or export them to the environment.

use super::expand::{AliasTable, Recipient};
use crate::validate::looks_like_address;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// The largest secret file read.
const MAX_FILE: u64 = 4096;

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
    /// What went wrong, e.g. "environment variable ORGCTL_EMAIL_ALICE is not set".
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
}

/// Resolves every secret recipient of `table`, or reports every failure.
pub fn resolve(table: &AliasTable, source: &dyn SecretSource) -> Result<Resolved, SecretErrors> {
    let mut resolved = Resolved::default();
    let mut failures = Vec::new();
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
        match resolve_one(reference, source) {
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
) -> Result<SecretString, (String, String)> {
    let (kind, rest) = reference.split_once(':').unwrap_or((reference, ""));
    let value = match kind {
        "env" => source.var(rest).ok_or_else(|| {
            (
                kind.to_string(),
                format!("environment variable {rest} is not set"),
            )
        })?,
        "file" => source.file(Path::new(rest)).map_err(|e| {
            (
                kind.to_string(),
                format!("cannot read {rest}: {}", io_reason(&e)),
            )
        })?,
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
    if value.expose_secret().is_empty() {
        return Err((kind.to_string(), format!("{rest} is empty")));
    }
    if !looks_like_address(value.expose_secret()) {
        return Err((
            kind.to_string(),
            format!("the value of {rest} is not a single email address"),
        ));
    }
    Ok(value)
}

/// The kind of an I/O error without its OS message (which may quote paths, never values, but
/// stays short).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not UTF-8".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fake(HashMap<&'static str, &'static str>);

    impl SecretSource for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|s| s.to_string())
        }
        fn file(&self, path: &Path) -> std::io::Result<String> {
            Env.file(path)
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
                secret("bob", "env:BOB"),
                secret("carol", &format!("file:{}", path.display())),
            ],
        )]);
        let r = resolve(
            &table,
            &Fake(HashMap::from([("BOB", "bob@private.example")])),
        );
        let Ok(r) = r else { panic!("{r:?}") };
        assert_eq!(
            r.address(&secret("bob", "env:BOB")),
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
    fn failures_name_person_and_kind_never_value() {
        let table = AliasTable::from([(
            "a@x.org".into(),
            vec![
                secret("bob", "env:BOB"),
                secret("dave", "env:DAVE"),
                secret("erin", "file:/nonexistent/erin"),
            ],
        )]);
        let fake = Fake(HashMap::from([("DAVE", "not an address, evil@x.org\n")]));
        let Err(e) = resolve(&table, &fake) else {
            panic!("must fail")
        };
        let text = e.to_string();
        assert_eq!(
            text,
            "3 private address(es) could not be resolved, nothing was written:\n  \
             - private address of `bob` (env secret): environment variable BOB is not set\n  \
             - private address of `dave` (env secret): the value of DAVE is not a single email address\n  \
             - private address of `erin` (file secret): cannot read /nonexistent/erin: no such file"
        );
        assert!(!text.contains("evil"));
    }
}
