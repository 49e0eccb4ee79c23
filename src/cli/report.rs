//! `orgctl report`: write the organisation's static HTML site or Markdown tree.

use super::Global;
use super::format::{Format as OutputFormat, Formats};
use super::output::OutDir;
use super::reporting::{Ready, load};
use crate::diagnostic::Severity;
use crate::locate::locate;
use crate::report::data::{self, Finding};
use crate::report::{Format, OutFile, render, template_names};
use anyhow::Context as _;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The files `orgctl report` wrote in its output directory, one relative path per line: its
/// presence marks the directory as orgctl's, and stale-page cleanup removes only files it lists.
const MANIFEST: &str = ".orgctl-report-manifest";

/// The marker of earlier versions (no list): the directory is accepted, nothing is removed.
const LEGACY_MARKER: &str = ".orgctl-report";

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// A static HTML site, or a Markdown tree that renders on GitHub.
    #[arg(long, value_parser = FORMATS, default_value_t = OutputFormat::Html)]
    format: OutputFormat,
    /// A directory of templates replacing the embedded ones of the same name (`team.html`,
    /// `style.css`, `team.md`...).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Skip a rule by name, as with `check`.
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
    /// Print where the time went to stderr.
    #[arg(long, hide = true)]
    timings: bool,
}

/// The `--format` values of `report`.
const FORMATS: Formats = Formats::new(&[
    (
        OutputFormat::Html,
        "Static HTML: no JavaScript, no network, relative links",
    ),
    (
        OutputFormat::Markdown,
        "GitHub-flavoured Markdown with Mermaid diagrams",
    ),
]);

/// Runs `report`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let Ready { checked, ctx } = match load(global, &args.skip, "report")? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let format = match args.format {
        OutputFormat::Html => Format::Html,
        OutputFormat::Markdown => Format::Markdown,
        other => return Err(super::format::unsupported("report", other)),
    };
    let overrides = match &args.templates {
        Some(dir) => read_templates(dir, format)?,
        None => BTreeMap::new(),
    };
    let findings = locate(checked.diagnostics.clone(), &checked.sources)
        .into_iter()
        .map(|l| {
            let file = l
                .diagnostic
                .file
                .map(|f| checked.sources.get(f).display.clone());
            let location = match (file, l.position) {
                (Some(f), Some(p)) => format!("{f}:{}:{}", p.line, p.column),
                (Some(f), None) => f,
                (None, _) => String::new(),
            };
            Finding {
                rule: l.diagnostic.rule.to_string(),
                severity: match l.diagnostic.severity {
                    Severity::Error => "error".into(),
                    Severity::Warning => "warning".into(),
                },
                message: l.diagnostic.message,
                location,
            }
        })
        .collect();
    let t = Instant::now();
    let site = data::build(&checked.org, ctx.today, global.as_of, findings);
    let build = t.elapsed();
    let t = Instant::now();
    let files = render(&site, format, &overrides)?;
    let rendered = t.elapsed();
    let t = Instant::now();
    let (written, unchanged) = write(&args.out, &files)?;
    let wrote = t.elapsed();
    if args.timings {
        let c = checked.timings;
        eprintln!(
            "read: {:?}  parse+schema: {:?}  model: {:?}  rules: {:?}  report data: {build:?}  render: {rendered:?}  write: {wrote:?}",
            c.read, c.parse, c.model, c.rules
        );
    }
    eprintln!(
        "wrote {written} files to {} ({unchanged} already up to date)",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads the replacement templates in `dir`; a file that names no template is an error (a typo
/// would otherwise be silently ignored).
fn read_templates(dir: &Path, format: Format) -> anyhow::Result<BTreeMap<String, String>> {
    let names = template_names(format);
    let mut out = BTreeMap::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the templates directory `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relevant = match format {
            Format::Html => name.ends_with(".html") || name.ends_with(".css"),
            Format::Markdown => name.ends_with(".md"),
        };
        if !relevant || !entry.file_type()?.is_file() {
            continue;
        }
        if !names.contains(&name.as_str()) {
            anyhow::bail!(
                "`{}` is not a template name; the {} templates are: {}",
                entry.path().display(),
                format.ext(),
                names.join(", ")
            );
        }
        let text =
            crate::readfile::read_regular_to_string(&entry.path(), crate::readfile::MAX_DOCUMENT)
                .with_context(|| format!("cannot read `{}`", entry.path().display()))?;
        out.insert(name, text);
    }
    Ok(out)
}

/// Writes the files under `out` and returns (written, unchanged): a file whose content is already
/// right is not rewritten (fast re-runs, untouched timestamps). Files go through
/// [`OutDir`]: nothing under `out` is followed if it is a symlink. Pages of an earlier report that
/// are no longer generated are removed only if the earlier run listed them in its manifest and
/// they are regular files; a directory holding anything else is refused.
fn write(out: &Path, files: &[OutFile]) -> anyhow::Result<(usize, usize)> {
    if out.exists() {
        let non_empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read `{}`", out.display()))?
            .next()
            .is_some();
        let dir = OutDir::create(out)?;
        if non_empty && !dir.has_file(MANIFEST) && !dir.has_file(LEGACY_MARKER) {
            anyhow::bail!(
                "`{}` is not empty and was not written by `orgctl report` (no `{MANIFEST}`); choose an empty or new directory",
                out.display()
            );
        }
    }
    let dir = OutDir::create(out)?;
    let generated: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    for stale in dir.read_manifest(MANIFEST).difference(&generated) {
        dir.remove(stale)?;
    }
    // Directories first, serially; then the files.
    let mut seen = BTreeSet::new();
    for f in files {
        if let Some((d, _)) = f.path.rsplit_once('/') {
            if seen.insert(d) {
                dir.write_dir_of(&f.path)?;
            }
        }
    }
    // Creating files waits on the file system more than on the CPU: more threads than cores.
    let threads = 8;
    let chunk = files.len().div_ceil(threads).max(1);
    let dir = &dir;
    let results: Vec<anyhow::Result<(usize, usize)>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let (mut written, mut unchanged) = (0, 0);
                    for f in part {
                        if dir.write(&f.path, f.contents.as_bytes())? {
                            written += 1;
                        } else {
                            unchanged += 1;
                        }
                    }
                    Ok((written, unchanged))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a writer thread panicked")))
            })
            .collect()
    });
    let (mut written, mut unchanged) = (0, 0);
    for r in results {
        let (w, u) = r?;
        written += w;
        unchanged += u;
    }
    dir.write_manifest(
        MANIFEST,
        "written by orgctl report: the files it wrote here; only these are removed when no longer generated",
        &generated,
    )?;
    Ok((written, unchanged))
}
