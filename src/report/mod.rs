//! Reports: a static site (HTML) or a Markdown tree about the whole organisation, rendered from
//! minijinja templates embedded in the binary.
//!
//! [`data::build`] computes every page's data from the model (one module per page under
//! `data/`); [`render`] turns it into files (relative path → text) without touching the disk, so
//! the output is a pure function of the org, the date and the templates: the same input gives
//! byte-identical files. Templates are strict (an undefined name is an error, so a typo fails
//! loudly), HTML is autoescaped and Markdown is escaped by a custom formatter, so names and
//! descriptions cannot inject markup. A template of the same name in `--templates DIR` replaces
//! the embedded one. Stage: report.

pub mod data;
pub mod layout;

use crate::par::par_map;
use data::Site;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use std::collections::BTreeMap;

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A static HTML site.
    Html,
    /// A Markdown tree that renders on GitHub.
    Markdown,
}

impl Format {
    /// The file extension of pages.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Markdown => "md",
        }
    }
}

/// `(name, source)` of each named template file under `templates/<dir>/`, embedded.
macro_rules! embed {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("templates/", $dir, "/", $name)))),*]
    };
}

/// The embedded HTML templates, by name.
pub const HTML_TEMPLATES: &[(&str, &str)] = embed!("html":
    "base.html", "macros.html", "index.html", "team.html", "person.html", "ownership.html",
    "health.html", "fund.html",
);

/// The embedded stylesheet of the HTML site (written as `style.css`; replaceable too).
pub const STYLE_CSS: &str = include_str!("templates/html/style.css");

/// The embedded Markdown templates, by name.
pub const MARKDOWN_TEMPLATES: &[(&str, &str)] = embed!("md":
    "macros.md", "index.md", "team.md", "person.md", "ownership.md", "health.md", "fund.md",
);

/// The embedded templates of `format`, by name.
fn embedded(format: Format) -> &'static [(&'static str, &'static str)] {
    match format {
        Format::Html => HTML_TEMPLATES,
        Format::Markdown => MARKDOWN_TEMPLATES,
    }
}

/// The names of the templates of `format` (what `--templates DIR` may replace).
pub fn template_names(format: Format) -> Vec<&'static str> {
    let mut names: Vec<&str> = embedded(format).iter().map(|(n, _)| *n).collect();
    if format == Format::Html {
        names.push("style.css");
    }
    names
}

/// A report cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A template does not compile or fails while rendering (strict undefined names included).
    #[error("template error: {0:#}")]
    Template(#[from] minijinja::Error),
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Contents.
    pub contents: String,
}

const MARKDOWN: &str = "markdown";

/// Escapes text for Markdown output ([`crate::render::text::markdown`]).
fn markdown_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), AutoEscape::Custom(n) if n == MARKDOWN) {
        let text = if value.is_safe() {
            value.to_string()
        } else {
            crate::render::text::markdown(&value.to_string())
        };
        return out.write_str(&text).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// `{{ amount|money }}`: a decimal string with thousands separators (`30,000.00`).
fn money(v: Value) -> String {
    let s = v.to_string();
    match s.parse::<rust_decimal::Decimal>() {
        Ok(d) => crate::budget::Amount(d).to_string(),
        Err(_) => s,
    }
}

/// `{{ x|mdcode }}`: a Markdown code span no content can break out of
/// ([`crate::render::text::markdown_code`]).
fn mdcode(v: Value) -> Value {
    Value::from_safe_string(crate::render::text::markdown_code(&v.to_string()))
}

/// `{{ x|round1 }}`: a number with one decimal, for SVG coordinates.
fn round1(v: Value) -> String {
    let f = f64::try_from(v).unwrap_or(0.0);
    format!("{f:.1}")
}

/// The template environment of `format`, with `overrides` (name → source) replacing embedded
/// templates.
pub fn environment(
    format: Format,
    overrides: &BTreeMap<String, String>,
) -> Result<Environment<'static>, ReportError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else if name.ends_with(".md") {
            AutoEscape::Custom(MARKDOWN.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(markdown_formatter);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    env.add_filter("money", money);
    env.add_filter("round1", round1);
    env.add_filter("mdcode", mdcode);
    for (name, source) in embedded(format) {
        let source = overrides
            .get(*name)
            .cloned()
            .unwrap_or_else(|| source.to_string());
        env.add_template_owned(name.to_string(), source)?;
    }
    Ok(env)
}

/// What one page shows; turned into template values inside the worker threads.
enum PageData<'a> {
    Index,
    Ownership,
    Health,
    Team(&'a data::TeamPage),
    Person(&'a data::PersonPage),
    Fund(&'a data::FundPage),
}

struct Job<'a> {
    path: String,
    template: String,
    root: &'static str,
    data: PageData<'a>,
}

impl Job<'_> {
    fn context(&self, site: &Site) -> Value {
        match self.data {
            PageData::Index => context! {
                page => Serde(&site.index),
                funds => Serde(&site.funds),
                repos => Serde(&site.repos),
                health => Serde(&site.health),
            },
            PageData::Ownership => context! { repos => Serde(&site.repos) },
            PageData::Health => context! { page => Serde(&site.health) },
            PageData::Team(t) => context! { page => Serde(t) },
            PageData::Person(p) => context! { page => Serde(p) },
            PageData::Fund(f) => context! { page => Serde(f) },
        }
    }
}

/// Renders the whole report: every page of `site` in `format`.
pub fn render(
    site: &Site,
    format: Format,
    overrides: &BTreeMap<String, String>,
) -> Result<Vec<OutFile>, ReportError> {
    let env = environment(format, overrides)?;
    let ext = format.ext();
    let org = Value::from(Serde(&site.org));
    let index_path = match format {
        Format::Html => "index.html".to_string(),
        Format::Markdown => "README.md".to_string(),
    };
    let page = |path: String, template: &str, root: &'static str, data| Job {
        path,
        template: format!("{template}.{ext}"),
        root,
        data,
    };
    // A page in a folder, one per team, person or fund.
    let nested = |folder: &str, template: &str, id: &str, data| {
        page(format!("{folder}/{id}.{ext}"), template, "../", data)
    };
    let mut jobs = vec![
        page(index_path, "index", "", PageData::Index),
        page(
            format!("ownership.{ext}"),
            "ownership",
            "",
            PageData::Ownership,
        ),
        page(format!("health.{ext}"), "health", "", PageData::Health),
    ];
    jobs.extend(
        site.teams
            .iter()
            .map(|t| nested("teams", "team", &t.team.id, PageData::Team(t))),
    );
    jobs.extend(
        site.people
            .iter()
            .map(|p| nested("people", "person", &p.person.id, PageData::Person(p))),
    );
    jobs.extend(
        site.funds
            .iter()
            .map(|f| nested("budgets", "fund", &f.fund.id, PageData::Fund(f))),
    );
    let rendered = par_map(&jobs, |j| -> Result<OutFile, minijinja::Error> {
        let tmpl = env.get_template(&j.template)?;
        // `root` is a literal of the generator ("" or "../"), not data: no escaping needed.
        let root = Value::from_safe_string(j.root.to_string());
        let ctx = context! { org => org.clone(), root => root, ext => ext, ..j.context(site) };
        Ok(OutFile {
            path: j.path.clone(),
            contents: tmpl.render(ctx)?,
        })
    });
    let mut files = Vec::with_capacity(rendered.len() + 1);
    for r in rendered {
        files.push(r?);
    }
    if format == Format::Html {
        files.push(OutFile {
            path: "style.css".into(),
            contents: overrides
                .get("style.css")
                .cloned()
                .unwrap_or_else(|| STYLE_CSS.to_string()),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_templates_compile() {
        for f in [Format::Html, Format::Markdown] {
            let env = environment(f, &BTreeMap::new()).expect("embedded templates compile");
            for name in template_names(f).into_iter().filter(|n| *n != "style.css") {
                env.get_template(name).expect(name);
            }
        }
    }

    #[test]
    fn undefined_names_are_errors_and_markup_is_escaped() {
        let mut o = BTreeMap::new();
        o.insert("team.html".to_string(), "{{ page.team.nmae }}".to_string());
        let env = environment(Format::Html, &o).unwrap();
        let t = env.get_template("team.html").unwrap();
        assert!(
            t.render(context! { page => context! { team => context! { name => "x" } } })
                .is_err()
        );
        let env = environment(Format::Html, &BTreeMap::new()).unwrap();
        let html = env
            .render_str("{{ x }}", context! { x => "<script>" })
            .unwrap();
        // render_str has no name, so no autoescape; check through a named template instead.
        assert_eq!(html, "<script>");
        let mut o = BTreeMap::new();
        o.insert("person.html".to_string(), "{{ x }}".to_string());
        o.insert("person.md".to_string(), "{{ x }}".to_string());
        let h = environment(Format::Html, &o).unwrap();
        let out = h
            .get_template("person.html")
            .unwrap()
            .render(context! { x => "</script><a href=\"javascript:x\">" })
            .unwrap();
        assert_eq!(
            out,
            "&lt;&#x2f;script&gt;&lt;a href=&quot;javascript:x&quot;&gt;"
        );
        let m = environment(Format::Markdown, &o).unwrap();
        let out = m
            .get_template("person.md")
            .unwrap()
            .render(context! { x => "[x](javascript:y) <b>" })
            .unwrap();
        assert_eq!(out, "\\[x\\]\\(javascript:y\\) &lt;b&gt;");
        assert_eq!(mdcode(Value::from("a`b|c")).to_string(), "``a`b\\|c``");
        assert_eq!(mdcode(Value::from("/docs/")).to_string(), "`/docs/`");
    }
}
