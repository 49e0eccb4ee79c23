//! The routes orgctl writes (pure): one alias as one or more routes (an exact
//! `match_recipient` expression, `forward` actions split under [`MAX_ACTION_BYTES`], a marker
//! description), and the account's routes read back into observed aliases, drift and
//! unmanaged routes.

use super::super::ResolvedAlias;
use super::super::digest;
use super::super::expand::Recipient;
use super::super::marker::{SecretMark, attribute, parse_secret, push_secrets};
use super::super::plan::{Drift, Observed};
use super::wire::{PRIORITY, Route, Spec};
use std::collections::BTreeMap;

/// Longest total length of one route's actions.
pub const MAX_ACTION_BYTES: usize = 4000;
const MARKER: &str = "orgctl:v1";

/// A parsed marker description.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker {
    alias: String,
    part: usize,
    parts: usize,
    hash: String,
    secrets: Vec<SecretMark>,
}

pub(super) fn same(r: &Route, s: &Spec) -> bool {
    r.priority == PRIORITY
        && r.description == s.description
        && r.expression == s.expression
        && r.actions == s.actions
}

/// `match_recipient("^infra@nixos\.org$")`: the exact address, regex-escaped.
fn expression(address: &str) -> String {
    let mut pat = String::from("^");
    for c in address.chars() {
        if "\\.^$*+?()[]{}|\"".contains(c) {
            pat.push('\\');
        }
        pat.push(c);
    }
    pat.push('$');
    format!("match_recipient(\"{pat}\")")
}

/// The literal address an expression matches, if it is of the form orgctl writes (anchors
/// optional, `.` escaped or not); `None` for patterns such as `.*@domain`.
fn expression_address(expr: &str) -> Option<String> {
    let inner = quoted_argument(expr, "match_recipient")?;
    let inner = inner.strip_prefix('^').unwrap_or(inner);
    let inner = inner.strip_suffix('$').unwrap_or(inner);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            // An unescaped `.` matches itself too (Mailgun's own examples leave it unescaped).
            '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => return None,
            c => out.push(c),
        }
    }
    Some(out.to_lowercase())
}

/// The quoted argument of `name("...")` or `name('...')`, without its quotes.
fn quoted_argument<'a>(call: &'a str, name: &str) -> Option<&'a str> {
    let inner = call
        .trim()
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .trim();
    inner
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
}

pub(super) fn forward(address: &str) -> String {
    format!("forward(\"{address}\")")
}

/// Destinations of a `forward("a, b")` action.
fn forwarded(action: &str) -> Option<Vec<String>> {
    let inner = quoted_argument(action, "forward")?;
    Some(
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

fn route_hash(expression: &str, actions: &[String]) -> String {
    let mut text = format!("{expression}\n");
    for a in actions {
        text.push_str(a);
        text.push('\n');
    }
    digest::short(&text)
}

/// The routes of one alias: actions split so each route stays under [`MAX_ACTION_BYTES`].
pub(super) fn specs(a: &ResolvedAlias<'_>) -> Vec<Spec> {
    let mut chunks: Vec<Vec<(&Recipient, &str)>> = vec![Vec::new()];
    let mut len = 0;
    for &(r, real) in &a.recipients {
        let n = forward(real).len();
        if len + n > MAX_ACTION_BYTES && chunks.last().is_some_and(|c| !c.is_empty()) {
            chunks.push(Vec::new());
            len = 0;
        }
        len += n;
        if let Some(c) = chunks.last_mut() {
            c.push((r, real));
        }
    }
    let expression = expression(a.address);
    let parts = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let actions: Vec<String> = chunk.iter().map(|(_, real)| forward(real)).collect();
            let mut description = format!(
                "{MARKER} alias={} part={}/{parts} sha256={}",
                a.address,
                i + 1,
                route_hash(&expression, &actions)
            );
            push_secrets(&mut description, a.address, &chunk);
            Spec {
                description,
                expression: expression.clone(),
                actions,
            }
        })
        .collect()
}

fn parse_marker(description: &str) -> Option<Marker> {
    let mut words = description.split_whitespace();
    if words.next()? != MARKER {
        return None;
    }
    let alias = words.next()?.strip_prefix("alias=")?.to_lowercase();
    let (part, parts) = words.next()?.strip_prefix("part=")?.split_once('/')?;
    let hash = words.next()?.strip_prefix("sha256=")?.to_string();
    let secrets = words.map(parse_secret).collect::<Option<Vec<_>>>()?;
    Some(Marker {
        alias,
        part: part.parse().ok()?,
        parts: parts.parse().ok()?,
        hash,
        secrets,
    })
}

/// What the routes say (pure): managed aliases with drift and fingerprint, plus orgctl's routes
/// by alias in part order.
pub(super) fn observe(routes: Vec<Route>) -> (Observed, BTreeMap<String, Vec<Route>>) {
    let mut observed = Observed::default();
    let mut managed: BTreeMap<String, Vec<(Marker, Route)>> = BTreeMap::new();
    for r in routes {
        if r.description.starts_with(MARKER) {
            match parse_marker(&r.description) {
                Some(m) => managed.entry(m.alias.clone()).or_default().push((m, r)),
                None => observed.drift.push(Drift {
                    address: None,
                    message: format!(
                        "route {} carries orgctl's marker but its description was edited by hand",
                        r.id
                    ),
                }),
            }
        } else if let Some(a) = expression_address(&r.expression) {
            observed
                .unmanaged
                .entry(a)
                .or_insert_with(|| format!("Mailgun route {} without orgctl's marker", r.id));
        }
    }
    let mut fingerprint = String::new();
    let mut by_alias = BTreeMap::new();
    for (alias, mut parts) in managed {
        parts.sort_by(|(a, ra), (b, rb)| (a.part, &ra.id).cmp(&(b.part, &rb.id)));
        let expected = parts.first().map_or(0, |(m, _)| m.parts);
        let numbers: Vec<usize> = parts.iter().map(|(m, _)| m.part).collect();
        let complete: Vec<usize> = (1..=expected).collect();
        let mut deduped = numbers.clone();
        deduped.dedup();
        if deduped != complete || parts.iter().any(|(m, _)| m.parts != expected) {
            observed.drift.push(Drift {
                address: Some(alias.clone()),
                message: format!("route parts {numbers:?} of {expected} found: some were deleted or added by hand"),
            });
        }
        let mut recipients = Vec::new();
        for (m, r) in &parts {
            let want_expr = expression(&alias);
            if r.expression != want_expr || route_hash(&r.expression, &r.actions) != m.hash {
                observed.drift.push(Drift {
                    address: Some(alias.clone()),
                    message: format!("route {} edited by hand since the last apply", r.id),
                });
            }
            for a in &r.actions {
                for dest in forwarded(a).unwrap_or_default() {
                    recipients.push(attribute(&alias, &dest, &m.secrets));
                }
            }
            fingerprint.push_str(&format!(
                "{}\0{}\0{}\0{}\0{}\n",
                r.id,
                r.priority,
                r.description,
                r.expression,
                r.actions.join("\0")
            ));
        }
        observed
            .table
            .insert(alias.clone(), super::super::expand::normalize(recipients));
        by_alias.insert(alias, parts.into_iter().map(|(_, r)| r).collect());
    }
    observed.fingerprint = digest::sha256_hex(&fingerprint);
    (observed, by_alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias<'a>(address: &'a str, rs: &'a [(Recipient, String)]) -> ResolvedAlias<'a> {
        ResolvedAlias {
            address,
            recipients: rs.iter().map(|(r, s)| (r, s.as_str())).collect(),
        }
    }

    fn route(id: &str, s: &Spec) -> Route {
        Route {
            id: id.into(),
            priority: PRIORITY,
            description: s.description.clone(),
            expression: s.expression.clone(),
            actions: s.actions.clone(),
        }
    }

    #[test]
    fn expression_escapes_and_round_trips() {
        let e = expression("a.b+c@nixos.example");
        assert_eq!(e, r#"match_recipient("^a\.b\+c@nixos\.example$")"#);
        assert_eq!(
            expression_address(&e).as_deref(),
            Some("a.b+c@nixos.example")
        );
        assert_eq!(
            expression_address(r#"match_recipient(".*@nixos.example")"#),
            None
        );
        assert_eq!(
            expression_address("match_recipient('Press@nixos\\.example')").as_deref(),
            Some("press@nixos.example")
        );
    }

    #[test]
    fn long_lists_split_and_read_back_without_drift() {
        let rs: Vec<(Recipient, String)> = (0..300)
            .map(|i| {
                (
                    Recipient::External(format!("member{i:03}@lists.example.org")),
                    format!("member{i:03}@lists.example.org"),
                )
            })
            .chain([(
                Recipient::Secret {
                    person: "alice".into(),
                    reference: "env:ALICE".into(),
                },
                "alice@private.example".to_string(),
            )])
            .collect();
        let a = alias("big@nixos.example", &rs);
        let specs = specs(&a);
        assert!(specs.len() >= 3, "{}", specs.len());
        for s in &specs {
            assert!(s.actions.iter().map(String::len).sum::<usize>() <= MAX_ACTION_BYTES);
        }
        assert!(specs[0].description.starts_with(&format!(
            "orgctl:v1 alias=big@nixos.example part=1/{} sha256=",
            specs.len()
        )));
        let routes: Vec<Route> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| route(&format!("r{i}"), s))
            .collect();
        let (observed, by_alias) = observe(routes);
        assert!(observed.drift.is_empty(), "{:?}", observed.drift);
        assert_eq!(by_alias["big@nixos.example"].len(), specs.len());
        let got = &observed.table["big@nixos.example"];
        assert_eq!(got.len(), 301);
        assert_eq!(got[300].to_string(), "alice <redacted>");
    }

    #[test]
    fn edited_and_unmanaged_routes() {
        let rs = vec![(
            Recipient::Public("bob@example.com".into()),
            "bob@example.com".to_string(),
        )];
        let s = specs(&alias("infra@nixos.example", &rs));
        let mut edited = route("a", &s[0]);
        edited.actions.push(forward("mallory@evil.example"));
        let other = Route {
            id: "b".into(),
            priority: 5,
            description: "hand-made".into(),
            expression: "match_recipient(\"press@nixos.example\")".into(),
            actions: vec![forward("x@example.com")],
        };
        let (observed, _) = observe(vec![edited, other]);
        let d: Vec<String> = observed.drift.iter().map(ToString::to_string).collect();
        assert_eq!(
            d,
            ["email_alias[\"infra@nixos.example\"]: route a edited by hand since the last apply"]
        );
        assert_eq!(
            observed.unmanaged.keys().collect::<Vec<_>>(),
            ["press@nixos.example"]
        );
    }
}
