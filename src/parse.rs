//! Parsing entity files: YAML → JSON value → JSON-Schema check → typed `schema::Raw*`.
//!
//! Pure and parallel per file. Schema errors become diagnostics pointing at the offending value
//! (or key, for unknown fields) by JSON pointer, with a help line saying how to fix it. A file
//! with schema errors yields no document; its id is still known so references to it are not
//! reported as dangling. Stage: parse.

mod choice;

use crate::diagnostic::{Diagnostic, escape_pointer_segment};
use crate::load::Entry;
use crate::par::par_map;
use crate::schema::{FileKind, RawAlias, RawBudget, RawOrg, RawPerson, RawTeam};
use crate::source::{FileId, SourceSet};
use crate::yaml;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A parsed entity file.
#[derive(Debug, Clone)]
pub enum Document {
    /// `org.yaml`.
    Org(RawOrg),
    /// A person.
    Person(RawPerson),
    /// A team.
    Team(RawTeam),
    /// An alias.
    Alias(RawAlias),
    /// A budget.
    Budget(Box<RawBudget>),
}

/// One entity file after parsing.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Where it came from.
    pub entry: Entry,
    /// The document, or `None` when the file has YAML or schema errors.
    pub document: Option<Document>,
}

/// The JSON-Schema validators of every file kind, built once and shared by all files.
pub struct Validators {
    validators: Vec<(FileKind, Validator, Value)>,
}

impl Validators {
    /// Builds the validators from the schemas generated from the Rust types.
    pub fn new() -> Validators {
        let validators = FileKind::ALL
            .into_iter()
            .map(|kind| {
                let schema = kind.schema().to_value();
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap_or_else(|e| {
                        panic!("generated schema for {} is invalid: {e}", kind.name())
                    });
                (kind, validator, schema)
            })
            .collect();
        Validators { validators }
    }

    fn get(&self, kind: FileKind) -> (&Validator, &Value) {
        let (_, v, s) = self
            .validators
            .iter()
            .find(|(k, _, _)| *k == kind)
            .unwrap_or_else(|| unreachable!("a validator is built for every kind"));
        (v, s)
    }

    /// Schema diagnostics for `value`, a document of `kind` in `file`.
    pub fn check(&self, kind: FileKind, file: FileId, value: &Value) -> Vec<Diagnostic> {
        let (validator, schema) = self.get(kind);
        validator
            .iter_errors(value)
            .flat_map(|e| schema_diagnostics(&e, schema, file))
            .collect()
    }
}

impl Default for Validators {
    fn default() -> Self {
        Validators::new()
    }
}

/// Time spent in each step of parsing, summed over files (so over all threads: with two threads
/// the sum can be twice the stage's wall time). For `check --timings` and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParseTimings {
    /// YAML text → JSON value (serde-saphyr), including the size and nesting limits.
    pub yaml: Duration,
    /// JSON-Schema validation of the value (and building diagnostics for invalid files).
    pub schema: Duration,
    /// JSON value → typed `Raw*` document (serde).
    pub decode: Duration,
}

impl std::ops::AddAssign for ParseTimings {
    fn add_assign(&mut self, o: ParseTimings) {
        self.yaml += o.yaml;
        self.schema += o.schema;
        self.decode += o.decode;
    }
}

/// Parses every entry in parallel. Diagnostics come back in entry order.
pub fn parse_all(
    sources: &SourceSet,
    entries: &[Entry],
    validators: &Validators,
) -> (Vec<Parsed>, Vec<Diagnostic>) {
    let (parsed, diagnostics, _) = parse_all_timed(sources, entries, validators);
    (parsed, diagnostics)
}

/// [`parse_all`], also returning where the time went.
pub fn parse_all_timed(
    sources: &SourceSet,
    entries: &[Entry],
    validators: &Validators,
) -> (Vec<Parsed>, Vec<Diagnostic>, ParseTimings) {
    let results = par_map(entries, |entry| {
        let mut t = ParseTimings::default();
        let (p, d) = parse_one_timed(sources, entry, validators, &mut t);
        (p, d, t)
    });
    let mut parsed = Vec::with_capacity(results.len());
    let mut diagnostics = Vec::new();
    let mut timings = ParseTimings::default();
    for (p, mut d, t) in results {
        parsed.push(p);
        diagnostics.append(&mut d);
        timings += t;
    }
    (parsed, diagnostics, timings)
}

/// Parses one entity file.
pub fn parse_one(
    sources: &SourceSet,
    entry: &Entry,
    validators: &Validators,
) -> (Parsed, Vec<Diagnostic>) {
    parse_one_timed(sources, entry, validators, &mut ParseTimings::default())
}

/// [`parse_one`], adding the time of each step to `timings`.
fn parse_one_timed(
    sources: &SourceSet,
    entry: &Entry,
    validators: &Validators,
    timings: &mut ParseTimings,
) -> (Parsed, Vec<Diagnostic>) {
    let text = &sources.get(entry.file).text;
    let fail = |d: Vec<Diagnostic>| {
        (
            Parsed {
                entry: entry.clone(),
                document: None,
            },
            d,
        )
    };
    let t0 = Instant::now();
    let value = yaml::parse(text);
    let t1 = Instant::now();
    timings.yaml += t1 - t0;
    let value = match value {
        Ok(v) => v,
        Err(e) => {
            let mut d = Diagnostic::error("yaml", e.message).help(e.help);
            d = match e.offset {
                Some(o) => d.at_span(entry.file, o, 0),
                None => d.in_file(entry.file),
            };
            return fail(vec![d]);
        }
    };
    let errors = validators.check(entry.kind, entry.file, &value);
    let t2 = Instant::now();
    timings.schema += t2 - t1;
    if !errors.is_empty() {
        return fail(errors);
    }
    let document = match entry.kind {
        FileKind::Org => serde_json::from_value(value).map(Document::Org),
        FileKind::Person => serde_json::from_value(value).map(Document::Person),
        FileKind::Team => serde_json::from_value(value).map(Document::Team),
        FileKind::Alias => serde_json::from_value(value).map(Document::Alias),
        FileKind::Budget => serde_json::from_value(value).map(|b| Document::Budget(Box::new(b))),
    };
    timings.decode += t2.elapsed();
    match document {
        Ok(document) => (
            Parsed {
                entry: entry.clone(),
                document: Some(document),
            },
            Vec::new(),
        ),
        // The schema accepted it, so this is a value the types reject (a date like 2026-02-30).
        Err(e) => fail(vec![
            Diagnostic::error("schema", format!("invalid value: {e}"))
                .in_file(entry.file)
                .help("see docs/format.md for the expected form"),
        ]),
    }
}

/// Turns one JSON-Schema error into diagnostics (one per unexpected key).
fn schema_diagnostics(e: &ValidationError<'_>, schema: &Value, file: FileId) -> Vec<Diagnostic> {
    let pointer = e.instance_path().as_str().to_string();
    let schema_path = e.schema_path().as_str();
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, schema_path);
            unexpected
                .iter()
                .map(|key| {
                    let help = match closest(key, &allowed) {
                        Some(s) => {
                            format!("did you mean `{s}`? allowed here: {}", allowed.join(", "))
                        }
                        None if allowed.is_empty() => "remove it".to_string(),
                        None => format!("remove it; allowed here: {}", allowed.join(", ")),
                    };
                    Diagnostic::error("schema", format!("unknown field `{key}`"))
                        .at_key(file, pointer.clone(), key.clone())
                        .label("not a field of this entity")
                        .help(help)
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?").to_string();
            vec![
                Diagnostic::error("schema", format!("missing required field `{name}`"))
                    .at(file, pointer)
                    .label(format!("`{name}` is missing here"))
                    .help(format!("add `{name}:` (see docs/format.md)")),
            ]
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            if let Some(d) = choice_diagnostics(e, context, schema, file, &pointer) {
                return d;
            }
            // Report the branch that came closest: fewest errors.
            let best = context
                .iter()
                .filter(|c| !c.is_empty())
                .min_by_key(|c| c.len());
            if let (Some(best), true) = (best, is_mapping_choice(e)) {
                return best
                    .iter()
                    .flat_map(|sub| schema_diagnostics(sub, schema, file))
                    .collect();
            }
            vec![generic(e, file, pointer, schema_path)]
        }
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => {
            let node = schema_path
                .rsplit_once('/')
                .and_then(|(parent, _)| choice::node_at(schema, parent));
            match (
                e.instance().as_str(),
                node.and_then(|n| choice::closed_set(schema, n)),
            ) {
                (Some(given), Some(set)) => vec![closed_value(file, pointer, given, &set)],
                _ => vec![generic(e, file, pointer, schema_path)],
            }
        }
        _ => vec![generic(e, file, pointer, schema_path)],
    }
}

/// Diagnostics for a value or mapping that fits none of a closed choice: a string outside a
/// closed set of values, a tagged mapping (a backend's `kind`) with an unknown tag, or a
/// mapping with none of the forms' keys (`person:`, `team:`, …). A tagged or keyed mapping
/// whose tag or key is known gets its own branch's errors. `None` for other choices.
fn choice_diagnostics(
    e: &ValidationError<'_>,
    context: &[Vec<ValidationError<'_>>],
    schema: &Value,
    file: FileId,
    pointer: &str,
) -> Option<Vec<Diagnostic>> {
    let node = choice::node_at(schema, e.schema_path().as_str().rsplit_once('/')?.0)?;
    let branch = |i: usize| -> Option<Vec<Diagnostic>> {
        let errors = context.get(i)?;
        Some(
            errors
                .iter()
                .flat_map(|sub| schema_diagnostics(sub, schema, file))
                .collect(),
        )
    };
    if let Some(given) = e.instance().as_str() {
        let set = choice::closed_set(schema, node)?;
        return Some(vec![closed_value(file, pointer.to_string(), given, &set)]);
    }
    let object = e.instance().as_object()?;
    if let Some((tag, set, per_branch)) = choice::tag_of(schema, node) {
        let at = format!("{pointer}/{}", escape_pointer_segment(&tag));
        return match object.get(&tag) {
            Some(Value::String(given)) => match per_branch.iter().position(|v| v.contains(given)) {
                Some(i) => branch(i),
                None => Some(vec![closed_value(file, at, given, &set)]),
            },
            Some(other) => Some(vec![closed_value(file, at, &short_json(other), &set)]),
            None => Some(vec![
                Diagnostic::error("schema", format!("missing required field `{tag}`"))
                    .at(file, pointer.to_string())
                    .label(format!("`{tag}` is missing here"))
                    .help(format!("add `{tag}:`; {}", set.help(""))),
            ]),
        };
    }
    let (forms, keys) = choice::forms_of(schema, node)?;
    if let Some(i) = keys.iter().position(|k| object.contains_key(k)) {
        return branch(i);
    }
    let Some(key) = object.keys().next() else {
        return Some(vec![
            Diagnostic::error("schema", "an empty mapping is not allowed here")
                .at(file, pointer.to_string())
                .help(format!(
                    "write one of the forms: {}",
                    forms.values.join(", ")
                )),
        ]);
    };
    let list = forms.values.join(", ");
    let label = match &forms.what {
        Some(what) => format!("{what}: one of {list}"),
        None => format!("one of {list}"),
    };
    Some(vec![
        Diagnostic::error("schema", format!("`{key}` is not one of the allowed forms"))
            .at_key(file, pointer.to_string(), key.clone())
            .label(label)
            .help(match forms.closest(key) {
                Some(v) => format!("did you mean `{v}:`? the forms are: {list}"),
                None => format!("the forms are: {list}"),
            }),
    ])
}

/// The diagnostic for `given` outside a closed set: the field, what it is, every allowed value
/// and the closest.
fn closed_value(file: FileId, pointer: String, given: &str, set: &choice::ClosedSet) -> Diagnostic {
    let field = field_name(&pointer);
    let shown = short_json(&Value::String(given.to_string()));
    let d = Diagnostic::error(
        "schema",
        format!("{shown} is not an allowed value of `{field}`"),
    )
    .at(file, pointer)
    .help(set.help(given));
    match &set.what {
        Some(what) => d.label(format!("`{field}`: {what}")),
        None => d,
    }
}

/// The field a JSON pointer ends at, skipping list indexes (`/email/0/to` → `to`).
fn field_name(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err())
        .map_or_else(
            || "value".to_string(),
            |s| s.replace("~1", "/").replace("~0", "~"),
        )
}

/// Whether an anyOf failed on a mapping (a recipient or member written as a mapping), where the
/// closest branch's errors are more useful than "matches none".
fn is_mapping_choice(e: &ValidationError<'_>) -> bool {
    e.instance().is_object()
}

fn generic(
    e: &ValidationError<'_>,
    file: FileId,
    pointer: String,
    schema_path: &str,
) -> Diagnostic {
    let instance = e.instance();
    let shown = short_json(instance);
    let (message, help) = match e.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let help = if instance.is_number() || instance.is_boolean() {
                format!(
                    "write it as text in quotes (\"{}\") if it is meant as {expected}",
                    shown.trim_matches('"')
                )
            } else {
                format!("this field takes {expected}; see docs/format.md")
            };
            (format!("{shown} is not of type {expected}"), help)
        }
        ValidationErrorKind::Pattern { pattern } => {
            let help = if pattern.contains("a-z0-9") {
                "ids are lowercase letters, digits and hyphens, like `jane-doe`: the stem of the referenced file".to_string()
            } else if schema_path.contains("Money") || pattern.contains("[0-9]{1,12}") {
                "write money as a quoted decimal with at most two decimals, like \"1250.50\""
                    .to_string()
            } else if pattern.contains("A-Z]{3}") {
                "currencies are ISO 4217 codes in capitals, like EUR or USD".to_string()
            } else if pattern.contains("env:") {
                "a secret reference is `env:VARIABLE` or `file:PATH`".to_string()
            } else {
                format!("the value must match `{pattern}`")
            };
            (format!("{shown} is not in the expected form"), help)
        }
        ValidationErrorKind::Enum { options } => (
            format!("{shown} is not one of the allowed values"),
            format!("use one of: {}", enum_options(options)),
        ),
        ValidationErrorKind::Format { format } => (
            format!("{shown} is not a valid {format}"),
            if format == "date" {
                "write dates as YYYY-MM-DD, like 2026-01-31".to_string()
            } else {
                format!("write a valid {format}")
            },
        ),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            if instance.is_f64() {
                (
                    format!("{shown} is a binary float"),
                    format!("quote amounts of money so they stay exact: \"{shown}\""),
                )
            } else if schema_path.contains("Recipient")
                || pointer.contains("recipients")
                || pointer.contains("extra")
            {
                (
                    format!("{shown} is not a recipient"),
                    "a recipient is one of `person: ID`, `team: ID` (with `leads_only`, `include_subteams`), `alias: ID` or `address: ADDRESS`".to_string(),
                )
            } else {
                (format!("{shown} is not valid here"), e.to_string())
            }
        }
        ValidationErrorKind::MinItems { limit } => (
            format!("at least {limit} item(s) are required"),
            "add an entry".to_string(),
        ),
        _ => (e.to_string(), "see docs/format.md".to_string()),
    };
    Diagnostic::error("schema", message)
        .at(file, pointer)
        .help(help)
}

fn enum_options(options: &Value) -> String {
    match options.as_array() {
        Some(a) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        None => options.to_string(),
    }
}

fn short_json(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The property names allowed by the object schema that rejected an unknown key.
fn allowed_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    let object_path = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    let mut node = schema;
    for seg in object_path.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = match node
            .get(seg.as_str())
            .or_else(|| seg.parse::<usize>().ok().and_then(|i| node.get(i)))
        {
            Some(n) => n,
            None => return Vec::new(),
        };
    }
    // Follow a local $ref if the object schema is one.
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#') {
            if let Some(n) = schema.pointer(target) {
                node = n;
            }
        }
    }
    let mut keys: Vec<String> = node
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The allowed key closest to `key` by edit distance, if close enough to be a typo.
fn closest<'a>(key: &str, allowed: &'a [String]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (edit_distance(key, a), a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.as_str())
}

/// Levenshtein distance (transpositions count as one edit).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A JSON pointer from segments.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut p = String::new();
    for s in segments {
        p.push('/');
        p.push_str(&escape_pointer_segment(s.as_ref()));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn run(kind: FileKind, text: &str) -> (Option<Document>, Vec<Diagnostic>) {
        let mut sources = SourceSet::default();
        let file = sources.add(SourceFile {
            rel: "x.yaml".into(),
            display: "x.yaml".into(),
            text: Arc::from(text),
        });
        let entry = Entry {
            file,
            kind,
            id: "x".into(),
        };
        let (p, d) = parse_one(&sources, &entry, &Validators::new());
        (p.document, d)
    }

    #[test]
    fn typo_gets_a_suggestion_at_the_key() {
        let (doc, d) = run(FileKind::Team, "name: X\nmemebrs: [a]\n");
        assert!(doc.is_none());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "unknown field `memebrs`");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `members`?")
        );
        assert_eq!(
            d[0].at,
            crate::diagnostic::At::Key(String::new(), "memebrs".into())
        );
    }

    #[test]
    fn nested_typo_points_into_the_block() {
        let (_, d) = run(FileKind::Team, "name: X\ngithub:\n  slgu: x\n");
        assert_eq!(
            d[0].at,
            crate::diagnostic::At::Key("/github".into(), "slgu".into())
        );
        assert!(d[0].help.as_deref().unwrap().contains("`slug`"));
    }

    #[test]
    fn number_where_string_belongs() {
        let (_, d) = run(FileKind::Person, "name: 12345\n");
        assert_eq!(d[0].at, crate::diagnostic::At::Value("/name".into()));
        assert!(d[0].message.contains("not of type string"), "{:?}", d[0]);
    }

    #[test]
    fn float_money_is_rejected() {
        let (_, d) = run(
            FileKind::Budget,
            "name: F\ncurrency: EUR\ntotal: 12.5\napprovers: board\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].help.as_deref().unwrap().contains("\"12.5\""),
            "{:?}",
            d[0]
        );
    }

    #[test]
    fn recipient_mapping_reports_the_closest_branch() {
        let (_, d) = run(
            FileKind::Alias,
            "address: a@x.org\nrecipients:\n  - team: infra\n    leads: true\n",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "unknown field `leads`");
        assert!(d[0].help.as_deref().unwrap().contains("leads_only"));
    }

    #[test]
    fn bad_date_and_enum() {
        let (_, d) = run(
            FileKind::Team,
            "name: X\nmembers:\n  - person: a\n    since: 2026-13-01\ngithub:\n  privacy: hidden\n",
        );
        assert_eq!(d.len(), 2, "{d:?}");
    }

    /// Issue 14.3: every closed set of values, whatever shape schemars gives it, says what the
    /// field is, every allowed value and the closest one.
    #[test]
    fn closed_sets_name_the_field_and_the_values() {
        let cases = [
            ("team kind", FileKind::Team, "name: X\nkind: archived\n"),
            (
                "team kind typo",
                FileKind::Team,
                "name: X\nkind: comittee\n",
            ),
            (
                "privacy",
                FileKind::Team,
                "name: X\ngithub:\n  privacy: Secret\n",
            ),
            (
                "permission",
                FileKind::Team,
                "name: X\ngithub:\n  repos:\n    nixpkgs: write\n",
            ),
            (
                "optional notifications",
                FileKind::Team,
                "name: X\ngithub:\n  notifications: disable\n",
            ),
            (
                "alias to",
                FileKind::Team,
                "name: X\nemail:\n  - address: x@example.org\n    to: lead\n",
            ),
            (
                "backend kind",
                FileKind::Org,
                "name: X\nemail:\n  domains: [example.org]\n  backend:\n    kind: sendmail\n    path: /etc/aliases\n",
            ),
            (
                "backend field under a known kind",
                FileKind::Org,
                "name: X\nemail:\n  domains: [example.org]\n  backend:\n    kind: postfix\n    paht: /etc/aliases\n",
            ),
            (
                "recipient form",
                FileKind::Alias,
                "address: a@example.org\nrecipients:\n  - persn: alice\n",
            ),
        ];
        let mut out = String::new();
        for (what, kind, text) in cases {
            let (_, d) = run(kind, text);
            out.push_str(&format!("## {what}\n"));
            for d in d {
                out.push_str(&format!(
                    "{} at {:?}\n  label: {}\n  help: {}\n",
                    d.message,
                    d.at,
                    d.label.as_deref().unwrap_or("-"),
                    d.help.as_deref().unwrap_or("-")
                ));
            }
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn valid_team_parses() {
        let (doc, d) = run(
            FileKind::Team,
            "name: X\nleads: [a]\nmembers:\n  - a\n  - person: b\n    until: 2027-01-01\ngithub:\n  repos: {nixpkgs: push}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(matches!(doc, Some(Document::Team(_))));
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("memebrs", "members"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
