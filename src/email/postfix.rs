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

use super::digest;
use super::expand::Recipient;
use super::plan::{Action, Drift, EmailPlan, Observed};
use super::{
    Applied, ApplyOptions, ApplyReport, EmailError, MailBackend, Resolved, ResolvedAlias,
    resolve_table,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// First line of orgctl's block.
pub const BEGIN: &str = "# BEGIN orgctl managed block";
/// Last line of orgctl's block.
pub const END: &str = "# END orgctl managed block";
const BEGIN_LINE: &str =
    "# BEGIN orgctl managed block: generated from the org repository; edits here are drift";
const BLOCK_TAG: &str = "# orgctl-block v1 sha256=";
const ALIAS_TAG: &str = "# orgctl-alias ";
const WRAP_AT: usize = 100;

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

/// One entry of orgctl's block as read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// The hash of its lines, as they are now.
    hash: String,
}

/// The file as read.
#[derive(Debug, Default)]
struct MapFile {
    /// Whole contents (empty when missing).
    text: String,
    /// Whether the file exists.
    exists: bool,
    /// Line range (0-based, inclusive BEGIN, inclusive END) of the block.
    block: Option<(usize, usize)>,
    observed: Observed,
    /// Entries of the block by address.
    entries: BTreeMap<String, Entry>,
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

    fn postmap_command(&self) -> Command {
        let mut cmd = Command::new(&self.postmap);
        if let Some(dir) = &self.config_dir {
            cmd.arg("-c").arg(dir);
        }
        cmd
    }

    fn check_postmap(&self) -> Result<(), EmailError> {
        if find_program(&self.postmap).is_none() {
            return Err(EmailError::Postmap(format!(
                "`{}` not found: install Postfix (Debian: apt-get install postfix), pass --postmap PATH, \
                 or --no-postmap to compile the map yourself; nothing was written",
                self.postmap.display()
            )));
        }
        Ok(())
    }

    fn run_postmap(&self) -> Result<(), EmailError> {
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
    fn compiled_is_stale(&self) -> bool {
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

    fn write_atomically(
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
        if file.observed.fingerprint != plan.observed_fingerprint {
            return Err(EmailError::Stale);
        }
        let conflicts = super::plan::conflicts(&plan.desired, &file.observed.unmanaged);
        if !conflicts.is_empty() {
            return Err(EmailError::Conflict(conflicts));
        }
        if !file.observed.drift.is_empty() && !options.allow_drift {
            return Err(EmailError::Drift(file.observed.drift.clone()));
        }
        let resolved = resolve_table(&plan.desired, secrets)?;
        let block = render_block(&resolved);
        let new_text = splice(&file.text, file.block, &block);
        let mut report = ApplyReport::default();
        if new_text == file.text && file.exists {
            if self.run_postmap && self.compiled_is_stale() {
                self.check_postmap()?;
                self.run_postmap()?;
                report.notes.push(format!(
                    "ran postmap {} (the compiled map was out of date)",
                    self.path.display()
                ));
            }
            return Ok(report);
        }
        if self.run_postmap {
            self.check_postmap()?;
        }
        let planned: BTreeMap<&str, Action> = plan
            .changes
            .iter()
            .map(|c| (c.address.as_str(), c.action))
            .collect();
        for c in &plan.changes {
            report.applied.push(Applied {
                resource: c.resource(),
                action: c.action,
                note: None,
                error: None,
            });
        }
        for a in &resolved {
            let was = file.entries.get(a.address);
            if !planned.contains_key(a.address) && was.is_some_and(|e| e.hash != entry_hash(a)) {
                report.applied.push(Applied {
                    resource: super::resource(a.address),
                    action: Action::Update,
                    note: Some("private address changed".into()),
                    error: None,
                });
            }
        }
        let backup = self.write_atomically(file.exists.then_some(file.text.as_str()), &new_text)?;
        report.notes.push(format!("wrote {}", self.path.display()));
        if let Some(b) = backup {
            report
                .notes
                .push(format!("kept the previous map as {}", b.display()));
        }
        if self.run_postmap {
            self.run_postmap()?;
            report
                .notes
                .push(format!("ran postmap {}", self.path.display()));
        }
        Ok(report)
    }
}

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
        MapPolicy {
            dir: std::env::var_os(Self::DIR_VAR)
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

/// The map path as given to `postmap`: a relative path gets a `./` prefix, so no file name can
/// ever be read as an option (`postmap` has no portable `--`).
fn postmap_arg(path: &Path) -> PathBuf {
    if path.is_absolute() || path.starts_with(".") || path.starts_with("..") {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    }
}

fn append_ext(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
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

/// The lines of one entry as orgctl writes them (without the marker line).
fn entry_lines(a: &ResolvedAlias<'_>) -> Vec<String> {
    let reals: Vec<&str> = a.recipients.iter().map(|(_, real)| *real).collect();
    let one = format!("{} {}", a.address, reals.join(", "));
    if reals.len() < 2 || one.len() <= WRAP_AT {
        return vec![one];
    }
    let mut lines = vec![a.address.to_string()];
    let n = reals.len();
    for (i, r) in reals.iter().enumerate() {
        lines.push(format!("    {r}{}", if i + 1 < n { "," } else { "" }));
    }
    lines
}

fn hash_lines<S: AsRef<str>>(lines: &[S]) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(l.as_ref());
        text.push('\n');
    }
    digest::short(&text)
}

fn entry_hash(a: &ResolvedAlias<'_>) -> String {
    hash_lines(&entry_lines(a))
}

/// The block for `aliases`, BEGIN to END, each line ending in `\n`.
fn render_block(aliases: &[ResolvedAlias<'_>]) -> String {
    let mut body: Vec<String> = Vec::new();
    for a in aliases {
        let lines = entry_lines(a);
        let mut marker = format!("{ALIAS_TAG}{} sha256={}", a.address, hash_lines(&lines));
        for (r, real) in &a.recipients {
            if let Recipient::Secret { person, reference } = r {
                marker.push_str(&format!(
                    " secret={person}:{}:{}",
                    digest::escape(reference),
                    digest::secret(a.address, person, real)
                ));
            }
        }
        body.push(marker);
        body.extend(lines);
    }
    let body_text: String = body.iter().map(|l| format!("{l}\n")).collect();
    format!(
        "{BEGIN_LINE}\n{BLOCK_TAG}{}\n{body_text}{END}\n",
        digest::sha256_hex(&body_text)
    )
}

/// `text` with lines `block` (inclusive range) replaced by `new_block`, or `new_block` appended.
fn splice(text: &str, block: Option<(usize, usize)>, new_block: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match block {
        Some((b, e)) => {
            let mut out = String::new();
            for l in &lines[..b] {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(new_block);
            for l in &lines[e + 1..] {
                out.push_str(l);
                out.push('\n');
            }
            out
        }
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(new_block);
            out
        }
    }
}

/// A marker line: address, entry hash, secrets (person, reference, digest).
struct Marker {
    address: String,
    hash: String,
    secrets: Vec<(String, String, String)>,
    line: usize,
}

fn parse_marker(rest: &str, line: usize) -> Option<Marker> {
    let mut words = rest.split_whitespace();
    let address = words.next()?.to_lowercase();
    let hash = words.next()?.strip_prefix("sha256=")?.to_string();
    let mut secrets = Vec::new();
    for w in words {
        let s = w.strip_prefix("secret=")?;
        let (person, rest) = s.split_once(':')?;
        let (reference, digest) = rest.rsplit_once(':')?;
        secrets.push((
            person.to_string(),
            digest::unescape(reference)?,
            digest.to_string(),
        ));
    }
    Some(Marker {
        address,
        hash,
        secrets,
        line,
    })
}

/// A logical line of a map: key, values and the physical lines (0-based first line).
struct Logical<'a> {
    first: usize,
    lines: Vec<&'a str>,
}

impl Logical<'_> {
    fn key_and_values(&self) -> (String, Vec<String>) {
        let joined = self.lines.join(" ");
        let mut it = joined
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty());
        let key = it.next().unwrap_or_default().to_lowercase();
        (key, it.map(str::to_string).collect())
    }
}

/// Groups `lines` into logical lines (postfix rules: a line starting with whitespace continues
/// the previous one; blank lines and lines whose first non-blank is `#` are skipped) and
/// comment lines, in order.
enum Item<'a> {
    Comment(usize, &'a str),
    Entry(Logical<'a>),
}

fn items<'a>(lines: &[&'a str], offset: usize) -> Vec<Item<'a>> {
    let mut out: Vec<Item<'a>> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('#') {
            out.push(Item::Comment(offset + i, l));
            continue;
        }
        if l.starts_with(char::is_whitespace) {
            if let Some(Item::Entry(e)) =
                out.iter_mut().rev().find(|it| matches!(it, Item::Entry(_)))
            {
                e.lines.push(l);
                continue;
            }
        }
        out.push(Item::Entry(Logical {
            first: offset + i,
            lines: vec![l],
        }));
    }
    out
}

fn parse(path: &Path, text: String) -> Result<MapFile, EmailError> {
    let malformed = |line: usize, message: &str| EmailError::Malformed {
        path: path.to_path_buf(),
        line: line + 1,
        message: message.to_string(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let begins: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with(BEGIN))
        .collect();
    let ends: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with(END))
        .collect();
    let block = match (begins.as_slice(), ends.as_slice()) {
        ([], []) => None,
        ([b], [e]) if b < e => Some((*b, *e)),
        ([b], []) => {
            return Err(malformed(
                *b,
                "orgctl's block has no `# END orgctl managed block` line",
            ));
        }
        ([], [e]) => {
            return Err(malformed(
                *e,
                "`# END orgctl managed block` without its BEGIN line",
            ));
        }
        ([_], [e]) => {
            return Err(malformed(
                *e,
                "`# END orgctl managed block` before its BEGIN line",
            ));
        }
        (bs, es) => {
            let at = if bs.len() > 1 { bs[1] } else { es[1] };
            return Err(malformed(at, "more than one orgctl block; keep one"));
        }
    };
    let mut unmanaged = BTreeMap::new();
    let (before, after) = match block {
        Some((b, e)) => ((0, b), (e + 1, lines.len())),
        None => ((0, lines.len()), (lines.len(), lines.len())),
    };
    for (s, e) in [before, after] {
        for it in items(&lines[s..e], s) {
            if let Item::Entry(l) = it {
                unmanaged
                    .entry(l.key_and_values().0)
                    .or_insert_with(|| format!("line {} of {}", l.first + 1, path.display()));
            }
        }
    }
    let mut observed = Observed {
        fingerprint: digest::sha256_hex(&text),
        unmanaged,
        ..Observed::default()
    };
    let mut entries = BTreeMap::new();
    if let Some((b, e)) = block {
        read_block(&lines, b, e, &mut observed, &mut entries);
    }
    Ok(MapFile {
        exists: true,
        block,
        observed,
        entries,
        text,
    })
}

fn read_block(
    lines: &[&str],
    b: usize,
    e: usize,
    observed: &mut Observed,
    entries: &mut BTreeMap<String, Entry>,
) {
    let drift = |observed: &mut Observed, address: Option<&str>, message: String| {
        observed.drift.push(Drift {
            address: address.map(str::to_string),
            message,
        })
    };
    let header = lines.get(b + 1).and_then(|l| l.strip_prefix(BLOCK_TAG));
    let body_start = if header.is_some() { b + 2 } else { b + 1 };
    let body: String = lines[body_start..e]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let block_ok = header.is_some_and(|h| h.trim() == digest::sha256_hex(&body));
    let mut markers: BTreeMap<String, Marker> = BTreeMap::new();
    let mut pending: Option<Marker> = None;
    let mut entry_drift = false;
    for it in items(&lines[body_start..e], body_start) {
        match it {
            Item::Comment(i, l) => {
                if let Some(m) = l.strip_prefix(ALIAS_TAG).and_then(|r| parse_marker(r, i)) {
                    if let Some(p) = pending.take() {
                        drift(
                            observed,
                            Some(&p.address),
                            format!("entry removed by hand (marker at line {})", p.line + 1),
                        );
                        entry_drift = true;
                    }
                    pending = Some(m);
                }
            }
            Item::Entry(l) => {
                let (key, values) = l.key_and_values();
                let hash = hash_lines(&l.lines);
                let marker = pending.take().filter(|m| m.address == key);
                match &marker {
                    None => {
                        drift(
                            observed,
                            Some(&key),
                            format!("entry added by hand (line {})", l.first + 1),
                        );
                        entry_drift = true;
                    }
                    Some(m) if m.hash != hash => {
                        drift(
                            observed,
                            Some(&key),
                            format!(
                                "entry edited by hand since the last apply (line {})",
                                l.first + 1
                            ),
                        );
                        entry_drift = true;
                    }
                    Some(_) => {}
                }
                let recipients = values
                    .into_iter()
                    .map(|v| attribute(&key, &v, marker.as_ref()))
                    .collect::<Vec<_>>();
                entries.insert(key.clone(), Entry { hash });
                if let Some(m) = marker {
                    markers.insert(key.clone(), m);
                }
                observed.table.entry(key).or_default().extend(recipients);
            }
        }
    }
    if let Some(p) = pending.take() {
        drift(
            observed,
            Some(&p.address),
            format!("entry removed by hand (marker at line {})", p.line + 1),
        );
        entry_drift = true;
    }
    if !block_ok && !entry_drift {
        drift(
            observed,
            None,
            format!(
                "orgctl's block (line {}) was edited by hand since the last apply",
                b + 1
            ),
        );
    }
    for rs in observed.table.values_mut() {
        *rs = super::expand::normalize(std::mem::take(rs));
    }
}

/// An observed address: a secret's when a marker digest matches, else public.
fn attribute(alias: &str, address: &str, marker: Option<&Marker>) -> Recipient {
    if let Some(m) = marker {
        for (person, reference, d) in &m.secrets {
            if *d == digest::secret(alias, person, address) {
                return Recipient::Secret {
                    person: person.clone(),
                    reference: reference.clone(),
                };
            }
        }
    }
    Recipient::Public(address.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::expand::AliasTable;
    use super::*;
    use secrecy::SecretString;

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
