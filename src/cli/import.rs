//! `orgctl import`: write an `org/` tree from a live org's snapshot or a peribolos config.

use super::print;
use anyhow::{Context as _, bail};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    source: Source,
}

#[derive(Debug, clap::Subcommand)]
enum Source {
    /// From a GitHub organisation state snapshot (`orgctl state pull`).
    Github {
        /// The snapshot file.
        #[arg(long)]
        state: PathBuf,
        /// Directory to write the org into (must be empty or absent).
        #[arg(long)]
        out: PathBuf,
    },
    /// From a Kubernetes peribolos config (YAML with `orgs:`, or its flattened JSON form).
    Peribolos {
        /// The config file.
        #[arg(long)]
        config: PathBuf,
        /// Which org under `orgs:` (when there are several).
        #[arg(long)]
        github_org: Option<String>,
        /// Directory to write the org into (must be empty or absent).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs `import`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (files, out) = match args.source {
        Source::Github { state, out } => (
            crate::github::import::from_state(&crate::github::provider::read_snapshot(&state)?)?,
            out,
        ),
        Source::Peribolos {
            config,
            github_org,
            out,
        } => {
            let text =
                crate::readfile::read_regular_to_string(&config, crate::readfile::MAX_DOCUMENT)
                    .with_context(|| format!("reading {}", config.display()))?;
            let value: serde_json::Value = crate::yaml::parse(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", config.display(), e.message))?;
            (
                crate::github::import::from_peribolos(&value, github_org.as_deref())?,
                out,
            )
        }
    };
    if out.exists() && std::fs::read_dir(&out)?.next().is_some() {
        bail!(
            "{} is not empty: import writes a fresh org directory",
            out.display()
        );
    }
    let dir = super::output::OutDir::create(&out)?;
    let mut written = std::collections::BTreeSet::new();
    for (rel, text) in &files {
        // `import` never writes a path twice: that would lose the first file.
        if !written.insert(rel.as_str()) {
            bail!("internal error: import would write `{rel}` twice; please report this");
        }
        dir.write(rel, text.as_bytes())?;
    }
    print(&format!(
        "wrote {} files to {}; next: `orgctl check --org {}` and `orgctl plan --org {}`\n",
        written.len(),
        out.display(),
        out.display(),
        out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
