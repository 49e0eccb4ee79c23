//! `--format`: one type for every command. Each command declares the values it accepts with a
//! [`Formats`] list, so its `--help` lists only those (with what each means for that command) and
//! any other value is a usage error naming the allowed ones.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use std::ffi::OsStr;

/// An output format. Which ones a command takes is its [`Formats`] list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text for people on a terminal.
    Human,
    /// A versioned JSON document.
    Json,
    /// GitHub-flavoured Markdown (pull-request comments, job summaries, report trees).
    Markdown,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitHub logins, one per line.
    Logins,
    /// A static HTML site.
    Html,
}

impl Format {
    /// The value on the command line (`--format NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Github => "github",
            Format::Logins => "logins",
            Format::Html => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The formats one command accepts, each with what it means there: the value parser of that
/// command's `--format` (`#[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]`).
#[derive(Debug, Clone, Copy)]
pub struct Formats(&'static [(Format, &'static str)]);

impl Formats {
    /// The accepted formats and the help of each, in the order help lists them.
    pub const fn new(accepted: &'static [(Format, &'static str)]) -> Formats {
        Formats(accepted)
    }

    fn values(&self) -> impl Iterator<Item = PossibleValue> + '_ {
        self.0
            .iter()
            .map(|(f, help)| PossibleValue::new(f.name()).help(*help))
    }
}

impl TypedValueParser for Formats {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Format, clap::Error> {
        // clap's own parser: its error names the value, the allowed ones and the closest.
        let name = PossibleValuesParser::new(self.values()).parse_ref(cmd, arg, value)?;
        self.0
            .iter()
            .map(|(f, _)| *f)
            .find(|f| f.name() == name)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values()))
    }
}

/// The error for a format a command's parser let through but its code does not produce (a
/// [`Formats`] list and a `match` out of step; never reached from the command line).
pub fn unsupported(command: &str, format: Format) -> anyhow::Error {
    anyhow::anyhow!("`orgctl {command}` has no --format {format}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    const TWO: Formats = Formats::new(&[(Format::Human, "text"), (Format::Json, "a document")]);

    #[derive(Debug, Parser)]
    struct Cmd {
        #[arg(long, value_parser = TWO, default_value_t = Format::Human)]
        format: Format,
    }

    #[test]
    fn names_are_unique() {
        let all = [
            Format::Human,
            Format::Json,
            Format::Markdown,
            Format::Github,
            Format::Logins,
            Format::Html,
        ];
        let names: std::collections::BTreeSet<_> = all.iter().map(|f| f.to_string()).collect();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn only_the_declared_values_parse() {
        assert_eq!(
            Cmd::try_parse_from(["x"]).expect("default").format,
            Format::Human
        );
        assert_eq!(
            Cmd::try_parse_from(["x", "--format", "json"])
                .expect("json")
                .format,
            Format::Json
        );
        let e = Cmd::try_parse_from(["x", "--format", "markdown"]).expect_err("markdown");
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        let text = e.to_string();
        assert!(
            text.contains("'markdown'") && text.contains("[possible values: human, json]"),
            "{text}"
        );
    }
}
