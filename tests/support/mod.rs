//! Shared helpers of the email integration tests: a small org on disk, the binary, postmap.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The date every test judges terms against.
pub const AS_OF: &str = "2026-11-25";

/// A temporary working directory holding `org/` (and the mail files the tests create).
pub struct Work {
    /// The directory.
    pub dir: tempfile::TempDir,
    /// Variables set for every `orgctl` run (`set_env`).
    env: std::cell::RefCell<Vec<(String, String)>>,
}

impl Work {
    /// An empty work directory.
    pub fn new() -> Work {
        Work {
            dir: tempfile::tempdir().expect("tempdir"),
            env: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Sets `name=value` for every later `orgctl` run of this directory.
    pub fn set_env(&self, name: &str, value: &str) {
        self.env.borrow_mut().push((name.into(), value.into()));
    }

    /// Writes `text` to `rel` (creating directories).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Removes `rel`.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).expect("remove");
    }

    /// Reads `rel`, if it exists.
    pub fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.path().join(rel)).ok()
    }

    /// `orgctl` run in this directory on `org/`, with a clean environment for orgctl's variables.
    pub fn orgctl(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("orgctl").expect("binary");
        cmd.current_dir(self.path())
            .env_remove("ORGCTL_ORG")
            .env_remove("ORGCTL_POSTMAP")
            .env_remove("ORGCTL_POSTFIX_CONFIG_DIR")
            .env_remove("MAILGUN_API_KEY")
            .env_remove("ORGCTL_MAILGUN_API_URL")
            .env_remove("ORGCTL_MAILGUN_TIMEOUT_SECS")
            .env_remove("ORGCTL_SECRET_DIR")
            .env_remove("ORGCTL_SECRET_ENV_PREFIX")
            .env_remove("ORGCTL_POSTFIX_MAP_DIR")
            .env("NO_COLOR", "1")
            .env("COLUMNS", "250")
            .args(["--org", "org", "--as-of", AS_OF]);
        for (k, v) in self.env.borrow().iter() {
            cmd.env(k, v);
        }
        cmd
    }

    /// The standard test org with `backend` (YAML for `email.backend`, indented by 4).
    pub fn standard_org(&self, backend: &str) {
        self.write(
            "org/org.yaml",
            &format!("name: Test org\nemail:\n  domains: [example.org]\n  backend:\n{backend}"),
        );
        self.write(
            "org/people/alice.yaml",
            "name: Alice\nemail: alice@example.com\n",
        );
        self.write(
            "org/people/bob.yaml",
            "name: Bob\nemail: { secret: \"env:ORGCTL_EMAIL_BOB\" }\n",
        );
        self.write(
            "org/people/carol.yaml",
            "name: Carol\nemail: carol@example.net\n",
        );
        self.write(
            "org/people/dave.yaml",
            "name: Dave\nemail: dave@example.net\n",
        );
        self.write(
            "org/people/erin.yaml",
            "name: Erin\nemail: { secret: \"file:secrets/erin\" }\n",
        );
        self.write("secrets/erin", "  erin@private.example\n");
        self.write(
            "org/teams/infra.yaml",
            "name: Infra\nleads: [alice]\nmembers:\n  - alice\n  - bob\n  - person: dave\n    until: 2026-01-31\n\
             email:\n  - address: infra@example.org\n  - address: infra-leads@example.org\n    to: leads\n  \
             - address: infra-all@example.org\n    include_subteams: true\n",
        );
        self.write(
            "org/teams/oncall.yaml",
            "name: On-call\nparent: infra\nmembers: [carol, erin]\n",
        );
        self.write(
            "org/aliases/board.yaml",
            "address: board@example.org\nrecipients:\n  - person: carol\n",
        );
        self.write(
            "org/aliases/security.yaml",
            "address: security@example.org\nrecipients:\n  - team: infra\n    leads_only: true\n  \
             - alias: board\n  - address: reports@external.example\n",
        );
        let many: String = (0..15)
            .map(|i| format!("  - address: list{i:02}@lists.example\n"))
            .collect();
        self.write(
            "org/aliases/big.yaml",
            &format!("address: big@example.org\nrecipients:\n{many}"),
        );
    }

    /// What each alias of [`Work::standard_org`] must deliver to, with the secrets below.
    pub fn standard_expected() -> Vec<(&'static str, Vec<String>)> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        vec![
            (
                "infra@example.org",
                s(&["alice@example.com", "bob@private.example"]),
            ),
            ("infra-leads@example.org", s(&["alice@example.com"])),
            (
                "infra-all@example.org",
                s(&[
                    "alice@example.com",
                    "bob@private.example",
                    "carol@example.net",
                    "erin@private.example",
                ]),
            ),
            ("board@example.org", s(&["carol@example.net"])),
            (
                "security@example.org",
                s(&[
                    "alice@example.com",
                    "carol@example.net",
                    "reports@external.example",
                ]),
            ),
            (
                "big@example.org",
                (0..15)
                    .map(|i| format!("list{i:02}@lists.example"))
                    .collect(),
            ),
        ]
    }
}

/// The private address of bob used by the tests.
pub const BOB: &str = "bob@private.example";

/// `postmap`, or `None` (with a note) when Postfix is not installed and `CI` is unset. Panics
/// when `CI` is set: CI must install Postfix.
pub fn postmap() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend([
        PathBuf::from("/usr/sbin"),
        PathBuf::from("/usr/local/sbin"),
        PathBuf::from("/sbin"),
    ]);
    if let Some(p) = dirs
        .into_iter()
        .map(|d| d.join("postmap"))
        .find(|p| p.is_file())
    {
        return Some(p);
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("postmap not found but CI is set: install Postfix (apt-get install postfix)");
    }
    eprintln!("note: skipping: postmap not found (install Debian's postfix to run this test)");
    None
}

/// A Postfix configuration directory with an empty `main.cf` (postmap needs one).
pub fn postfix_config(work: &Work) -> PathBuf {
    let dir = work.path().join("postfix-cfg");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.cf"), "").expect("main.cf");
    dir
}

/// Runs `git args` in `root` with a fixed identity, and asserts it succeeded.
pub fn git(root: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .status()
        .expect("git");
    assert!(st.success(), "git {args:?}");
}

/// Copies the directory tree `from` to `to` (regular files and directories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("copy");
        }
    }
}
