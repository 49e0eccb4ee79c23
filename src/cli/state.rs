//! `orgctl state pull`: save the observed GitHub state as a JSON snapshot.

use super::{Global, print};
use crate::github::state::GithubState;
use anyhow::{Context as _, bail};
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
    },
}

/// Reads the live organisation with the GraphQL reader, using `GITHUB_TOKEN`,
/// `GITHUB_API_URL` and `GITHUB_GRAPHQL_URL` (or GitHub App credentials) from the environment.
pub fn pull_live(org: &str) -> anyhow::Result<GithubState> {
    use crate::github::{GithubConfig, GraphqlReader, LiveReader};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let config = GithubConfig::from_env(None)?;
        let reader = GraphqlReader::connect(&config).await?;
        let state = reader.read_org(org).await?;
        let n = reader.requests();
        eprintln!("read GitHub organisation `{org}` in {} requests", n.total());
        Ok::<_, anyhow::Error>(state)
    })
}

/// Runs `state`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        StateCommand::Pull { out, github_org } => {
            let org = match github_org {
                Some(o) => o,
                None => {
                    let checked = super::plan::checked_or_bail(global)?;
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
