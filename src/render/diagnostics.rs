//! Diagnostics as miette reports (human), a stable JSON document, or GitHub Actions annotations.

use super::text::{SafeSource, terminal_safe};
use crate::diagnostic::Severity;
use crate::locate::{Located, Position};
use crate::source::SourceSet;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;
use std::fmt;

/// How to draw human output.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    /// ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

/// One report, as miette wants it.
struct Report {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// A position's span in the escaped source.
fn span(src: &SafeSource, p: &Position) -> SourceSpan {
    let start = src.offset(p.offset);
    let end = src.offset(p.offset + p.len);
    SourceSpan::new(start.into(), end - start)
}

/// A file's text as miette shows it: [`terminal_safe`], named by its escaped display path.
fn named(display: &str, src: &SafeSource) -> NamedSource<String> {
    NamedSource::new(terminal_safe(display), src.text.clone())
}

/// Text for the terminal, owned.
fn safe(s: &str) -> String {
    terminal_safe(s).into_owned()
}

fn file_header(l: &Located, sources: &SourceSet) -> String {
    match (l.diagnostic.file, l.position) {
        (Some(f), Some(p)) => format!("{}:{}:{}: ", sources.get(f).display, p.line, p.column),
        (Some(f), None) => format!("{}: ", sources.get(f).display),
        _ => String::new(),
    }
}

/// Renders diagnostics the way a person reads them, followed by a one-line summary. Messages,
/// labels, help and the source snippets are [`terminal_safe`]: a file cannot send escape
/// sequences to the terminal through a diagnostic.
pub fn human(located: &[Located], sources: &SourceSet, style: HumanStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for l in located {
        let d = &l.diagnostic;
        let mut report = Report {
            message: safe(&format!("{}{}", file_header(l, sources), d.message)),
            code: d.rule.to_string(),
            severity: d.severity,
            help: d.help.as_deref().map(safe),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        let mut own_source = None;
        if let (Some(f), Some(p)) = (d.file, l.position) {
            let file = sources.get(f);
            let src = SafeSource::new(&file.text);
            report.source = Some(named(&file.display, &src));
            report.labels.push(LabeledSpan::new_primary_with_span(
                d.label.as_deref().map(safe),
                span(&src, &p),
            ));
            own_source = Some(src);
        }
        for (r, p) in d.related.iter().zip(&l.related) {
            let Some(p) = p else { continue };
            match &own_source {
                Some(src) if Some(r.file) == d.file => {
                    report.labels.push(LabeledSpan::new_with_span(
                        Some(safe(&r.label)),
                        span(src, p),
                    ));
                }
                _ => {
                    let file = sources.get(r.file);
                    let src = SafeSource::new(&file.text);
                    report.related.push(Report {
                        message: safe(&format!(
                            "{}:{}:{}: {}",
                            file.display, p.line, p.column, r.label
                        )),
                        code: d.rule.to_string(),
                        severity: Severity::Warning,
                        help: None,
                        source: Some(named(&file.display, &src)),
                        labels: vec![LabeledSpan::new_with_span(
                            Some(safe(&r.label)),
                            span(&src, p),
                        )],
                        related: Vec::new(),
                    });
                }
            }
        }
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    let (errors, warnings) = counts(located);
    out.push_str(&summary(errors, warnings));
    out.push('\n');
    out
}

/// `N errors, M warnings` (or `no problems found`).
pub fn summary(errors: usize, warnings: usize) -> String {
    if errors == 0 && warnings == 0 {
        return "no problems found".into();
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Numbers of errors and warnings.
pub fn counts(located: &[Located]) -> (usize, usize) {
    let errors = located
        .iter()
        .filter(|l| l.diagnostic.severity == Severity::Error)
        .count();
    (errors, located.len() - errors)
}

/// The JSON document of `check --format json` (version 1, documented in docs/format.md).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Format version.
    pub version: u32,
    /// Number of errors.
    pub errors: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// The diagnostics, sorted.
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// One diagnostic in JSON.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Rule name (or `yaml`, `schema`, `load`).
    pub rule: &'a str,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What is wrong.
    pub message: &'a str,
    /// File as displayed, or null.
    pub file: Option<&'a str>,
    /// 1-based line, or null.
    pub line: Option<usize>,
    /// 1-based column, or null.
    pub column: Option<usize>,
    /// 1-based end line, or null.
    pub end_line: Option<usize>,
    /// 1-based end column, or null.
    pub end_column: Option<usize>,
    /// How to fix it, or null.
    pub help: Option<&'a str>,
}

/// Renders the JSON document.
pub fn json(located: &[Located], sources: &SourceSet) -> String {
    let (errors, warnings) = counts(located);
    let report = JsonReport {
        version: 1,
        errors,
        warnings,
        diagnostics: located
            .iter()
            .map(|l| JsonDiagnostic {
                rule: &l.diagnostic.rule,
                severity: l.diagnostic.severity,
                message: &l.diagnostic.message,
                file: l.diagnostic.file.map(|f| sources.get(f).display.as_str()),
                line: l.position.map(|p| p.line),
                column: l.position.map(|p| p.column),
                end_line: l.position.map(|p| p.end_line),
                end_column: l.position.map(|p| p.end_column),
                help: l.diagnostic.help.as_deref(),
            })
            .collect(),
    };
    let mut s =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// Renders GitHub Actions workflow commands, one per diagnostic.
pub fn github(located: &[Located], sources: &SourceSet) -> String {
    let mut out = String::new();
    for l in located {
        let d = &l.diagnostic;
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(f) = d.file {
            props.push(format!("file={}", escape_property(&sources.get(f).display)));
        }
        if let Some(p) = l.position {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            if p.end_line == p.line {
                props.push(format!("endColumn={}", p.end_column));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("orgctl {}", d.rule))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% off\nnow"), "50%25 off%0Anow");
        assert_eq!(
            escape_property("main:org/a,b.yaml"),
            "main%3Aorg/a%2Cb.yaml"
        );
    }
}
