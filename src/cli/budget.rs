//! `orgctl budget`: allocated, spent and remaining money per fund, team and purpose.

use super::format::{Format, Formats};
use super::reporting::{Ready, load};
use super::{Global, print};
use crate::budget::{self, FundReport};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `budget`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
    /// Only this fund (budget id).
    #[arg(long, value_name = "ID")]
    fund: Option<String>,
    /// Skip a rule by name, as with `check` (for example to see an over-committed fund).
    #[arg(long, value_name = "RULE")]
    skip: Vec<String>,
}

/// The `--format` values of `budget`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Tables for people"),
    (
        Format::Json,
        "A stable JSON document (version 1); amounts are decimal strings",
    ),
    (Format::Markdown, "GitHub-flavoured Markdown"),
]);

#[derive(Serialize)]
struct JsonOut<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<jiff::civil::Date>,
    expiring_by: jiff::civil::Date,
    funds: &'a [FundReport],
}

/// Runs `budget`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let Ready { checked, ctx } = match load(global, &args.skip, "budget")? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let mut funds = budget::report(&checked.org, ctx.today);
    if let Some(id) = &args.fund {
        funds.retain(|f| &f.id == id);
        if funds.is_empty() {
            let ids: Vec<&str> = checked.org.budgets.keys().map(String::as_str).collect();
            anyhow::bail!("no fund `{id}`; funds: {}", ids.join(", "));
        }
    }
    let text = match args.format {
        Format::Human => budget::human(&funds, ctx.today),
        Format::Markdown => budget::markdown(&funds, ctx.today),
        Format::Json => {
            let out = JsonOut {
                version: 1,
                as_of: global.as_of,
                expiring_by: budget::soon_limit(ctx.today),
                funds: &funds,
            };
            format!("{}\n", serde_json::to_string_pretty(&out)?)
        }
        other => return Err(super::format::unsupported("budget", other)),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
