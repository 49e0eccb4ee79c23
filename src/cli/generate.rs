//! `orgctl generate` (hidden): write a synthetic org for benchmarks (see `crate::generate`).

use super::{Global, print};
use crate::generate::{Spec, generate};
use anyhow::bail;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `generate`. The defaults are the size of issue 7's performance target.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of people.
    #[arg(long, default_value_t = Spec::default().people)]
    people: usize,
    /// Number of teams (at least 1).
    #[arg(long, default_value_t = Spec::default().teams)]
    teams: usize,
    /// Number of cross-team aliases.
    #[arg(long, default_value_t = Spec::default().aliases)]
    aliases: usize,
    /// Number of budgets.
    #[arg(long, default_value_t = Spec::default().budgets)]
    budgets: usize,
    /// Seed: the same seed and sizes always give the same files.
    #[arg(long, default_value_t = Spec::default().seed)]
    seed: u64,
    /// Directory to write the org into; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Runs `generate`.
pub fn run(_: &Global, args: Args) -> anyhow::Result<ExitCode> {
    if args.teams == 0 || args.people < 2 {
        bail!("a generated org needs at least 2 people and 1 team");
    }
    if std::fs::read_dir(&args.out).is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "`{}` is not empty: generate writes into a new or empty directory",
            args.out.display()
        );
    }
    let spec = Spec {
        people: args.people,
        teams: args.teams,
        aliases: args.aliases,
        budgets: args.budgets,
        seed: args.seed,
    };
    let files = generate(&spec);
    let out = super::output::OutDir::create(&args.out)?;
    for (rel, text) in &files {
        out.write(rel, text.as_bytes())?;
    }
    print(&format!(
        "wrote {} files to {}\n",
        files.len(),
        args.out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
