//! `orgctl plan`: what apply would change, provider by provider, without changing anything.

use super::common::{checked_or_bail, email_options};
use super::format::{Format, Formats};
use super::registry::{Settings, catalog, providers};
use super::select::{Selection, nothing_selected};
use super::{Global, print};
use crate::email::ApplyOptions;
use crate::github::provider::Source;
use crate::interface::Provider;
use crate::plan::{Plan, Policy};
use crate::render::plan::{human, markdown};
use anyhow::{Context as _, bail};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Plan against a saved state snapshot (`orgctl state pull`) instead of live GitHub.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Save the plan for `orgctl apply plan.json`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 0 with no changes, 2 with changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Providers and addresses.
    #[command(flatten)]
    pub selection: Selection,
}

/// The `--format` values of `plan`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Terraform-style text"),
    (
        Format::Json,
        "The versioned plan document (schemas/plan.schema.json)",
    ),
    (Format::Markdown, "A pull-request comment"),
]);

/// Computes the plan: each selected provider's part, in registry order (GitHub, then email).
pub fn make_plan(global: &Global, args: &Args) -> anyhow::Result<Plan> {
    let checked = checked_or_bail(global)?;
    let org = &checked.org;
    let selection = &args.selection;
    selection.check_configured(org)?;
    let today = global.context().today;
    let policy = Policy {
        targets: selection.target.clone(),
    };
    let settings = Settings {
        github_source: match &args.state {
            Some(path) => Source::Snapshot(path.clone()),
            None => Source::Live,
        },
        github_pacing: None,
        github_progress: None,
        email: email_options(true),
        email_apply: ApplyOptions::default(),
    };
    let mut chosen: Vec<Box<dyn Provider>> = providers(settings)
        .into_iter()
        .filter(|p| {
            let d = p.describe();
            selection.wants_name(d.name) && (d.configured)(org)
        })
        .collect();
    if chosen.is_empty() {
        bail!("nothing to plan: {}", nothing_selected(org));
    }
    let account = chosen.iter().find_map(|p| p.account(org));
    let mut plan = Plan::new(
        account.as_deref().unwrap_or(&org.spec.name),
        org.spec.limits.max_removals,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    for p in &mut chosen {
        let part = runtime.block_on(p.plan(org, today))?;
        plan.add_part(part, &policy);
    }
    Ok(plan)
}

/// Runs `plan`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let plan = make_plan(global, &args)?;
    if let Some(out) = &args.out {
        super::output::write_file(out, plan.to_json().as_bytes())?;
    }
    let text = match args.format {
        Format::Human => human(
            &plan,
            &catalog(),
            global.color(std::io::stdout().is_terminal()),
        ),
        Format::Json => plan.to_json(),
        Format::Markdown => markdown(&plan, &catalog()),
        other => return Err(super::format::unsupported("plan", other)),
    };
    print(&text)?;
    if let Some(out) = &args.out {
        if args.format == Format::Human {
            eprintln!(
                "Saved the plan to {} ({}): run `orgctl apply {}` to execute exactly these changes.",
                out.display(),
                plan.content_digest(),
                out.display()
            );
        }
    }
    Ok(if args.detailed_exitcode && !plan.changes.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
