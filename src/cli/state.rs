//! `orgctl state pull`: save the observed GitHub state as a JSON snapshot.

use super::common::{checked_or_bail, pull_live};
use super::select::provider_names;
use super::{Global, print};
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `state`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: StateCommand,
}

#[derive(Debug, clap::Subcommand)]
enum StateCommand {
    /// Read the live organisation and write it as a snapshot.
    Pull {
        /// Where to write the snapshot (`-` for stdout).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Organisation login (default: org.yaml's `github.org`).
        #[arg(long)]
        github_org: Option<String>,
        /// The provider whose observed state to save (only `github` has state today).
        #[arg(long, value_parser = provider_names(), default_value = "github", value_name = "PROVIDER")]
        provider: String,
    },
}

/// Runs `state`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        StateCommand::Pull {
            out,
            github_org,
            provider,
        } => {
            if provider != "github" {
                bail!(
                    "state pull --provider {provider}: only the `github` provider has observed state to save; `orgctl plan --provider {provider}` reads it live"
                );
            }
            let org = match github_org {
                Some(o) => o,
                None => {
                    let checked = checked_or_bail(global)?;
                    match &checked.org.spec.github {
                        Some(g) => g.org.clone(),
                        None => bail!("org.yaml has no `github:` block; pass --github-org NAME"),
                    }
                }
            };
            let state = pull_live(&org)?;
            let json = state.to_json();
            if out.as_os_str() == "-" {
                print(&json)?;
            } else {
                super::output::write_file(&out, json.as_bytes())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
