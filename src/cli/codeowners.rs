//! `orgctl codeowners`: a repository's CODEOWNERS file, generated from the teams' `owns:`.

use super::reporting::{Quick, Ready, load};
use super::{Global, print};
use crate::codeowners::generate;
use crate::ownership::{RepoOwnership, repositories};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `codeowners`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository, by name as in `owns:` (`nixpkgs`).
    #[arg(long, value_name = "NAME")]
    repo: String,
    /// Write the file here instead of printing it.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    out: Option<PathBuf>,
    /// Compare with this committed file: exit 1 and print a diff when it is stale.
    #[arg(long, value_name = "FILE")]
    check: Option<PathBuf>,
    /// Skip a rule by name, as with `check`.
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
}

/// Runs `codeowners`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let (_, org) = if global.rev.is_none() {
        // Only what CODEOWNERS depends on: `org.yaml` and the teams mentioning the repository,
        // schema-checked, with the two rules about CODEOWNERS (GitHub would drop the file or
        // ignore an owner) run on them.
        let ctx = global.context();
        ctx.check_skip(&args.skip)?;
        let mut quick = Quick::for_repo(&global.org, &args.repo)?;
        quick.run_rules(
            &ctx,
            &["codeowners-pattern", "codeowners-write-access"],
            &args.skip,
        );
        match quick.finish(global, "codeowners") {
            Ok(x) => x,
            Err(code) => return Ok(code),
        }
    } else {
        match load(global, &args.skip, "codeowners")? {
            Ok(Ready { checked, .. }) => (checked.sources, checked.org),
            Err(code) => return Ok(code),
        }
    };
    let org = &org;
    let Some(gh) = &org.spec.github else {
        anyhow::bail!(
            "org.yaml has no `github:` block: CODEOWNERS names teams as `@<github-org>/<slug>`"
        );
    };
    if !repositories(org).contains(args.repo.as_str()) {
        return super::reporting::no_owner_in(global, &args.skip, "codeowners", &args.repo);
    }
    let own = RepoOwnership::build(org, &args.repo);
    let text = generate(&own, &gh.org)?;
    if let Some(path) = &args.check {
        let committed =
            match crate::readfile::read_regular_to_string(path, crate::readfile::MAX_DOCUMENT) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot read `{}`", path.display()))
                    );
                }
            };
        if committed.as_deref() == Some(text.as_str()) {
            eprintln!("{} is up to date", path.display());
            return Ok(ExitCode::SUCCESS);
        }
        let old = committed.unwrap_or_default();
        let shown = path.display().to_string();
        let diff = similar::TextDiff::from_lines(&old, &text)
            .unified_diff()
            .context_radius(3)
            .header(&shown, &format!("{shown} (generated)"))
            .to_string();
        print(&crate::render::text::terminal_safe(&diff))?;
        eprintln!(
            "error: {shown} is stale; regenerate it with `orgctl codeowners --repo {} --out {shown}`",
            args.repo
        );
        return Ok(ExitCode::from(1));
    }
    match &args.out {
        Some(path) => {
            super::output::write_file(path, text.as_bytes())?;
            eprintln!("wrote {} ({} rules)", path.display(), own.rules.len());
        }
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
