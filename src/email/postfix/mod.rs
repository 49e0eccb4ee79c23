//! Postfix backend: a virtual alias map (`virtual(5)`), compiled with `postmap`.
//!
//! orgctl owns one marked block of the file and leaves every other line untouched:
//!
//! ```text
//! # hand-written entries above and below are kept as they are
//! # BEGIN orgctl managed block: generated from the org repository; edits here are drift
//! # orgctl-block v1 sha256=<SHA-256 of every line after this one, up to END>
//! # orgctl-alias infra@nixos.org sha256=<16 hex: the entry's lines> secret=alice:env:ALICE:<16 hex>
//! infra@nixos.org bob@example.com, alice@private.example
//! # END orgctl managed block
//! ```
//!
//! The file is created with the block if missing; a file without a block gets the block
//! appended. An entry with more than one recipient that would exceed 100 columns is written with
//! one recipient per continuation line. `# orgctl-alias` lines carry the entry hash and one
//! `secret=<person>:<reference>:<digest>` per private recipient (see the `email` module doc);
//! they are written only by orgctl. Drift: the block hash or an entry hash no longer matches, an
//! entry without its marker, a marker without its entry. An alias defined both outside the
//! block and in the org is a conflict (Postfix would use the first and warn), reported by plan
//! and refused by apply.
//!
//! Apply writes the new file atomically: a copy of the old one is kept as
//! `<path>.orgctl-backup`, the new contents go to a temporary file in the same directory which
//! is synced and renamed over the map, then the directory is synced (the backup is written the
//! same way). Both hold resolved private addresses, so they are created 0600 and then get the
//! map's mode and owner (see `match_owner_and_mode`); a new map stays 0600. Then it runs
//! `postmap [-c DIR] <path>`, a relative path prefixed with `./` so it is never an option
//! (the `email-backend` rule of `check` also refuses paths starting with `-` or holding `:`). Apply checks that `postmap` exists before writing. A no-op apply
//! writes nothing, but still runs `postmap` when the compiled map is missing or older than the
//! map (a previous apply stopped in between), so re-running apply always converges.
//!
//! The map's format (the managed block: render, parse, drift) is in `map`, where the map may be
//! in `policy`, the atomic write with its backup in `replace`, running `postmap` in `postmap`;
//! this file reads the map and applies a plan.

mod map;
mod policy;
mod postmap;
mod replace;

pub use map::{BEGIN, END};
pub use policy::{MapPolicy, map_path_problem};

use super::bookkeeping::{self, PRIVATE_ADDRESS_CHANGED};
use super::plan::{EmailPlan, Observed};
use super::{ApplyOptions, ApplyReport, EmailError, MailBackend, Resolved, resolve_table};
use map::{MapFile, entry_hash, parse, render_block, splice};
use std::path::PathBuf;

/// A Postfix virtual alias map.
#[derive(Debug, Clone)]
pub struct Postfix {
    /// The map file (`/etc/postfix/virtual`).
    pub path: PathBuf,
    /// The `postmap` program.
    pub postmap: PathBuf,
    /// `postmap -c DIR`.
    pub config_dir: Option<PathBuf>,
    /// Whether apply runs `postmap`.
    pub run_postmap: bool,
}

impl Postfix {
    fn load(&self) -> Result<MapFile, EmailError> {
        match crate::readfile::read_regular(&self.path, crate::readfile::MAX_DOCUMENT) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| EmailError::Malformed {
                    path: self.path.clone(),
                    line: 1,
                    message: "the map is not UTF-8".into(),
                })?;
                parse(&self.path, text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(MapFile {
                observed: Observed {
                    fingerprint: "absent".into(),
                    ..Observed::default()
                },
                ..MapFile::default()
            }),
            Err(source) => Err(EmailError::Io {
                action: "reading",
                path: self.path.clone(),
                source,
            }),
        }
    }
}

impl MailBackend for Postfix {
    fn describe(&self) -> String {
        format!("postfix map {}", self.path.display())
    }

    async fn read(&self) -> Result<Observed, EmailError> {
        Ok(self.load()?.observed)
    }

    async fn apply(
        &self,
        plan: &EmailPlan,
        secrets: &Resolved,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EmailError> {
        let file = self.load()?;
        bookkeeping::refuse_unsafe(plan, &file.observed, options)?;
        let resolved = resolve_table(&plan.desired, secrets)?;
        let block = render_block(&resolved);
        let new_text = splice(&file.text, file.block, &block);
        let mut report = ApplyReport::default();
        if new_text == file.text && file.exists {
            if self.run_postmap && self.compiled_is_stale() {
                self.check_postmap()?;
                self.run_postmap()?;
                report.note(format!(
                    "ran postmap {} (the compiled map was out of date)",
                    self.path.display()
                ));
            }
            return Ok(report);
        }
        if self.run_postmap {
            self.check_postmap()?;
        }
        let planned = bookkeeping::planned(plan);
        for c in &plan.changes {
            report.record(&c.address, c.action, None, None);
        }
        for a in &resolved {
            let was = file.entries.get(a.address);
            if !planned.contains_key(a.address) && was.is_some_and(|e| e.hash != entry_hash(a)) {
                report.record(
                    a.address,
                    super::Action::Update,
                    Some(PRIVATE_ADDRESS_CHANGED.into()),
                    None,
                );
            }
        }
        let backup = self.write_atomically(file.exists.then_some(file.text.as_str()), &new_text)?;
        report.note(format!("wrote {}", self.path.display()));
        if let Some(b) = backup {
            report.note(format!("kept the previous map as {}", b.display()));
        }
        if self.run_postmap {
            self.run_postmap()?;
            report.note(format!("ran postmap {}", self.path.display()));
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::super::expand::{AliasTable, Recipient};
    use super::map::{BEGIN_LINE, BLOCK_TAG};
    use super::*;
    use secrecy::SecretString;
    use std::path::Path;

    fn table() -> AliasTable {
        AliasTable::from([
            (
                "infra@nixos.example".into(),
                vec![
                    Recipient::Public("bob@example.com".into()),
                    Recipient::Secret {
                        person: "alice".into(),
                        reference: "env:ALICE".into(),
                    },
                ],
            ),
            (
                "big@nixos.example".into(),
                (0..12)
                    .map(|i| Recipient::External(format!("member{i:02}@lists.example.org")))
                    .collect(),
            ),
        ])
    }

    fn secrets() -> Resolved {
        let mut r = Resolved::default();
        r.insert(
            "alice",
            "env:ALICE",
            SecretString::from("alice@private.example".to_string()),
        );
        r
    }

    fn rendered(t: &AliasTable) -> String {
        let s = secrets();
        let resolved = resolve_table(t, &s).unwrap_or_else(|e| panic!("{e}"));
        render_block(&resolved)
    }

    fn parse_text(text: &str) -> MapFile {
        parse(Path::new("virtual"), text.to_string()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn round_trip_attributes_secrets_without_drift() {
        let text = format!(
            "# mine\nroot@nixos.example admin@example.com\n\n{}",
            rendered(&table())
        );
        let f = parse_text(&text);
        assert!(f.observed.drift.is_empty(), "{:?}", f.observed.drift);
        assert_eq!(
            f.observed.table["infra@nixos.example"],
            table()["infra@nixos.example"]
        );
        assert_eq!(
            f.observed
                .unmanaged
                .get("root@nixos.example")
                .map(String::as_str),
            Some("line 2 of virtual")
        );
        assert!(super::super::diff(&table(), &f.observed.table).is_empty());
    }

    #[test]
    fn layout() {
        let block = rendered(&table());
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines[0], BEGIN_LINE);
        assert!(lines[1].starts_with(BLOCK_TAG));
        assert!(lines[2].starts_with("# orgctl-alias big@nixos.example sha256="));
        assert_eq!(lines[3], "big@nixos.example");
        assert_eq!(lines[4], "    member00@lists.example.org,");
        assert_eq!(lines[15], "    member11@lists.example.org");
        assert!(lines[16].starts_with("# orgctl-alias infra@nixos.example sha256="));
        assert!(lines[16].contains(" secret=alice:env:ALICE:"));
        assert_eq!(
            lines[17],
            "infra@nixos.example bob@example.com, alice@private.example"
        );
        assert_eq!(lines[18], END);
    }

    #[test]
    fn hand_edits_are_drift() {
        let block = rendered(&table());
        let edited = block.replace(
            "bob@example.com, ",
            "bob@example.com, mallory@evil.example, ",
        );
        let f = parse_text(&edited);
        let msgs: Vec<String> = f.observed.drift.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "email_alias[\"infra@nixos.example\"]: entry edited by hand since the last apply (line 18)"
            ]
        );
        let added = block.replace(END, &format!("new@nixos.example x@example.com\n{END}"));
        let f = parse_text(&added);
        assert_eq!(f.observed.drift[0].message, "entry added by hand (line 19)");
        let comment = block.replace(END, &format!("# a note\n{END}"));
        let f = parse_text(&comment);
        assert_eq!(
            f.observed.drift[0].message,
            "orgctl's block (line 1) was edited by hand since the last apply"
        );
    }

    #[test]
    fn malformed_blocks_are_errors() {
        let e = parse(Path::new("v"), format!("{BEGIN}\nx y\n"))
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("v:1: orgctl's block has no `# END orgctl managed block` line")
        );
        let two = format!("{}{}", rendered(&table()), rendered(&table()));
        assert!(parse(Path::new("v"), two).is_err());
    }

    #[test]
    fn splice_keeps_everything_outside() {
        let text = "a@x.org b@y.org\n";
        let once = splice(text, None, &rendered(&table()));
        assert!(once.starts_with("a@x.org b@y.org\n\n# BEGIN"));
        let f = parse_text(&once);
        let again = splice(&once, f.block, &rendered(&AliasTable::new()));
        assert!(again.starts_with("a@x.org b@y.org\n\n# BEGIN"));
        assert!(!again.contains("infra@"));
        assert!(parse_text(&again).observed.drift.is_empty());
    }

    #[tokio::test]
    async fn apply_refuses_a_plan_made_on_older_state() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("tempdir")
        };
        let backend = Postfix {
            path: dir.path().join("virtual"),
            postmap: PathBuf::from("postmap"),
            config_dir: None,
            run_postmap: false,
        };
        let observed = backend.read().await.unwrap_or_else(|e| panic!("{e}"));
        let plan = EmailPlan::new("t".into(), table(), observed, &Default::default());
        std::fs::write(&backend.path, "late@nixos.example someone@example.com\n").ok();
        let r = backend
            .apply(&plan, &secrets(), ApplyOptions::default())
            .await;
        assert!(matches!(r, Err(EmailError::Stale)), "{r:?}");
        let text = std::fs::read_to_string(&backend.path).ok();
        assert_eq!(
            text.as_deref(),
            Some("late@nixos.example someone@example.com\n")
        );
    }

    use proptest::prelude::*;

    fn recipient() -> impl Strategy<Value = Recipient> {
        prop_oneof![
            (0..8u8).prop_map(|i| Recipient::Public(format!("p{i}@example.com"))),
            (0..8u8).prop_map(|i| Recipient::External(format!("x{i}@lists.example"))),
            (0..5u8).prop_map(|i| Recipient::Secret {
                person: format!("s{i}"),
                reference: format!("file:/run/secrets/s {i}"),
            }),
        ]
    }

    proptest::proptest! {
        /// What apply writes, plan reads back as exactly the desired table, without drift.
        #[test]
        fn written_map_reads_back_as_desired(
            table in proptest::collection::btree_map(
                (0..6u8).prop_map(|i| format!("a{i}@nixos.example")),
                proptest::collection::vec(recipient(), 1..30),
                0..6,
            ),
            prefix in "(# c\n|k@x.org v@y.org\n){0,3}",
        ) {
            use proptest::prelude::*;
            let table: AliasTable = table
                .into_iter()
                .map(|(a, rs)| (a, crate::email::expand::normalize(rs)))
                .collect();
            let mut secrets = Resolved::default();
            for i in 0..5 {
                let v = format!("s{i}@private.example");
                secrets.insert(&format!("s{i}"), &format!("file:/run/secrets/s {i}"), SecretString::from(v));
            }
            let resolved = resolve_table(&table, &secrets).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let text = splice(&prefix, None, &render_block(&resolved));
            let f = parse_text(&text);
            prop_assert!(f.observed.drift.is_empty(), "{:?}", f.observed.drift);
            prop_assert!(crate::email::diff(&table, &f.observed.table).is_empty());
            let again = splice(&text, f.block, &render_block(&resolved));
            prop_assert_eq!(again, text);
        }
    }
}
