//! Single-threaded cost of each `check` stage on a generated org held in memory (no file I/O).
//!
//! `cargo bench --bench stages -- [--people N --teams M --aliases A --budgets B --seed S --runs R]`
//! (defaults: issue 7's 1x org, 5 runs). Prints the minimum and median of each stage over the
//! runs. Complements `benches/check.sh`, which times the real binary end to end.

use orgctl::generate::{Spec, generate};
use orgctl::load::{Entry, PathKind, classify};
use orgctl::parse::{Validators, parse_one};
use orgctl::source::{SourceFile, SourceSet};
use orgctl::validate::Context;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let mut spec = Spec::default();
    let mut runs = 5;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = || {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number after the flag")
        };
        match a.as_str() {
            "--people" => spec.people = num() as usize,
            "--teams" => spec.teams = num() as usize,
            "--aliases" => spec.aliases = num() as usize,
            "--budgets" => spec.budgets = num() as usize,
            "--seed" => spec.seed = num(),
            "--runs" => runs = num() as usize,
            _ => {} // cargo bench passes `--bench`
        }
    }
    let files = generate(&spec);
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut sources = SourceSet::default();
    let mut entries = Vec::new();
    for (rel, text) in files {
        if let PathKind::Entity(kind, id) = classify(&rel) {
            let file = sources.add(SourceFile {
                rel: rel.clone(),
                display: rel,
                text: Arc::from(text),
            });
            entries.push(Entry { file, kind, id });
        }
    }
    println!(
        "{} files, {} bytes, {runs} runs, one thread",
        entries.len(),
        bytes
    );
    let ctx = Context::new(jiff::civil::date(2026, 11, 25));
    let mut stages: Vec<(&str, Vec<Duration>)> = [
        "validators",
        "yaml",
        "schema",
        "decode",
        "parse total",
        "model",
        "rules",
    ]
    .into_iter()
    .map(|s| (s, Vec::new()))
    .collect();
    let mut last_by_kind = BTreeMap::new();
    let mut per_rule: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for _ in 0..runs {
        let t = Instant::now();
        let validators = Validators::new();
        stages[0].1.push(t.elapsed());
        // The steps of parse_one, separately.
        let (mut y, mut s, mut d) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let mut by_kind: BTreeMap<&str, (usize, usize, Duration)> = BTreeMap::new();
        for e in &entries {
            let text = &sources.get(e.file).text;
            let t0 = Instant::now();
            let value = orgctl::yaml::parse(text).expect("generated files parse");
            let t1 = Instant::now();
            let errors = validators.check(e.kind, e.file, &value);
            let t2 = Instant::now();
            assert!(errors.is_empty());
            let ok = match e.kind {
                orgctl::schema::FileKind::Person => {
                    serde_json::from_value::<orgctl::schema::RawPerson>(value).is_ok()
                }
                orgctl::schema::FileKind::Team => {
                    serde_json::from_value::<orgctl::schema::RawTeam>(value).is_ok()
                }
                orgctl::schema::FileKind::Alias => {
                    serde_json::from_value::<orgctl::schema::RawAlias>(value).is_ok()
                }
                orgctl::schema::FileKind::Budget => {
                    serde_json::from_value::<orgctl::schema::RawBudget>(value).is_ok()
                }
                orgctl::schema::FileKind::Org => {
                    serde_json::from_value::<orgctl::schema::RawOrg>(value).is_ok()
                }
            };
            d += t2.elapsed();
            assert!(ok);
            y += t1 - t0;
            let k = by_kind.entry(e.kind.name()).or_default();
            k.0 += 1;
            k.1 += text.len();
            k.2 += t1 - t0;
            s += t2 - t1;
        }
        stages[1].1.push(y);
        last_by_kind = by_kind;
        stages[2].1.push(s);
        stages[3].1.push(d);
        let t = Instant::now();
        let parsed: Vec<_> = entries
            .iter()
            .map(|e| parse_one(&sources, e, &validators).0)
            .collect();
        stages[4].1.push(t.elapsed());
        let t = Instant::now();
        let (org, _) = orgctl::model::build(parsed);
        stages[5].1.push(t.elapsed());
        let t = Instant::now();
        let found = orgctl::validate::run(&org, &ctx, &[]);
        stages[6].1.push(t.elapsed());
        assert!(found.is_empty(), "{found:?}");
        for rule in orgctl::validate::RULES {
            let mut out = Vec::new();
            let t = Instant::now();
            (rule.check)(&org, &ctx, &mut out);
            per_rule.entry(rule.name).or_default().push(t.elapsed());
        }
    }
    println!(
        "{:<12} {:>10} {:>10} {:>12}",
        "stage", "min", "median", "per file"
    );
    for (name, mut v) in stages {
        v.sort();
        let min = v[0];
        let median = v[v.len() / 2];
        let per_file = median / entries.len() as u32;
        println!(
            "{name:<12} {:>10.1?} {:>10.1?} {:>12.2?}",
            min, median, per_file
        );
    }
    println!("\nYAML parse by kind (last run): files, mean bytes, mean time per file");
    for (kind, (n, bytes, t)) in last_by_kind {
        println!(
            "{kind:<8} {n:>6} {:>8} B {:>10.2?}",
            bytes / n,
            t / n as u32
        );
    }
    println!("\nRules, median, slowest first");
    let mut rules: Vec<(Duration, &str)> = per_rule
        .into_iter()
        .map(|(name, mut v)| {
            v.sort();
            (v[v.len() / 2], name)
        })
        .collect();
    rules.sort_by(|a, b| b.cmp(a));
    for (t, name) in rules {
        println!("{name:<26} {t:>10.2?}");
    }
}
