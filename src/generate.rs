//! Synthetic orgs for benchmarks: a valid, realistic org of any size, deterministic from a seed.
//!
//! [`generate`] is pure: it returns `(path relative to the org root, YAML text)` pairs and never
//! touches the file system (`orgctl generate` writes them). The same [`Spec`] always gives the
//! same files, byte for byte. The org passes `orgctl check` with no errors and no warnings as
//! long as it is checked before 2027-06-30 (the earliest generated term end and allocation
//! expiry; later, `expired-term` and `allocation-expired` warnings appear, as they should).
//!
//! What it contains, modelled on the example org: people with GitHub logins and ids, public or
//! secret email addresses and chat handles (a few inactive); a forest of teams at most four levels
//! deep with leads among the members, members with roles and terms, alumni, GitHub blocks with
//! repository permissions (a few secret teams), team email aliases and `owns:` path globs;
//! cross-team aliases whose recipients are teams, people, external addresses and earlier aliases
//! (so never a loop); budgets whose allocations and expenses stay within their limits.

use std::collections::HashSet;
use std::fmt::Write as _;

/// The size and seed of a synthetic org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Number of people.
    pub people: usize,
    /// Number of teams.
    pub teams: usize,
    /// Number of cross-team aliases.
    pub aliases: usize,
    /// Number of budgets.
    pub budgets: usize,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for Spec {
    /// The size of the performance target in issue 7: ~12,550 files.
    fn default() -> Spec {
        Spec {
            people: 10_000,
            teams: 2_000,
            aliases: 500,
            budgets: 50,
            seed: 1,
        }
    }
}

/// The email domains of generated orgs (alias addresses use them).
pub const DOMAINS: [&str; 2] = ["example.org", "lists.example.org"];

#[rustfmt::skip]
const FIRST: &[&str] = &[
    "Aisha", "Alejandro", "Amara", "Amélie", "Ana", "Anders", "Andrea", "Arjun", "Astrid", "Ben",
    "Bilal", "Camila", "Carlos", "Chen", "Chioma", "Clara", "Daniel", "David", "Diego", "Dmitri",
    "Elena", "Elif", "Emeka", "Emma", "Eva", "Farah", "Fatima", "Felix", "Freya", "Gabriel",
    "Grace", "Hana", "Hannah", "Hiroshi", "Ibrahim", "Ingrid", "Isabel", "Ivan", "Jakub", "Javier",
    "Ji-woo", "Jonas", "José", "Julia", "Kai", "Kenji", "Kofi", "Kwame", "Lars", "Laura", "Leila",
    "Leon", "Li", "Lucas", "Luisa", "Maja", "Malik", "Maria", "Mateus", "Maya", "Mehmet", "Mei",
    "Mikko", "Mohammed", "Nadia", "Naomi", "Nikolai", "Noah", "Nour", "Olga", "Omar", "Oskar",
    "Pablo", "Priya", "Rafael", "Ravi", "Rosa", "Sam", "Santiago", "Sara", "Sofia", "Soren", "Sun",
    "Tariq", "Thomas", "Tomás", "Uma", "Valentina", "Viktor", "Wei", "Yara", "Yusuf", "Zainab",
    "Zoe",
];

#[rustfmt::skip]
const LAST: &[&str] = &[
    "Abe", "Adeyemi", "Ahmed", "Alvarez", "Andersson", "Bakker", "Bello", "Bianchi", "Brown",
    "Castro", "Chen", "Cohen", "Costa", "Dubois", "Eriksson", "Fernández", "Fischer", "Garcia",
    "Gomez", "Haddad", "Hansen", "Horvath", "Hussain", "Ivanova", "Jansen", "Jensen", "Kim",
    "Kovac", "Kowalski", "Kumar", "Laurent", "Lee", "Lopez", "Martin", "Mehta", "Mendez", "Mensah",
    "Meyer", "Moreau", "Müller", "Nakamura", "Nguyen", "Nielsen", "Nilsen", "Novak", "Nowak",
    "Okafor", "Oliveira", "O'Brien", "Park", "Patel", "Pereira", "Petrova", "Popescu", "Quispe",
    "Rahman", "Rossi", "Santos", "Sato", "Schmidt", "Schneider", "Silva", "Singh", "Smith",
    "Suzuki", "Tanaka", "Taylor", "Teo", "Novaković", "Virtanen", "Wagner", "Wang", "Weber", "Wu",
    "Yamamoto", "Yilmaz", "Zhang", "Zimmermann",
];

#[rustfmt::skip]
const AREAS: &[&str] = &[
    "infra", "security", "docs", "release", "ci", "build", "web", "design", "community", "events",
    "moderation", "marketing", "finance", "legal", "packaging", "compiler", "runtime", "tooling",
    "testing", "i18n", "accessibility", "outreach", "mentoring", "research", "devops", "cloud",
    "mobile", "desktop", "kernel", "network", "storage", "database", "api", "sdk", "cli", "editor",
    "lsp", "formatter", "linter", "perf", "crypto", "auth", "mail", "chat", "forum", "wiki",
    "blog", "hardware", "embedded", "graphics",
];

#[rustfmt::skip]
const FOCUS: &[&str] = &[
    "core", "maintainers", "reviewers", "triage", "ops", "council", "qa", "releases", "bots",
    "mirrors", "sponsors", "audit", "policy", "onboarding", "tests", "backports", "stable",
    "nightly", "arm", "darwin", "windows", "linux", "bsd", "python", "rust", "haskell", "go",
    "java", "node", "ruby", "ocaml", "julia", "lua", "zig", "wasm", "gpu", "observability",
    "packaging", "governance", "outreach",
];

#[rustfmt::skip]
const ROLES: &[&str] = &[
    "chair", "vice-chair", "secretary", "treasurer", "release manager", "on-call coordinator",
    "liaison to the board", "mentor", "editor", "community manager",
];

#[rustfmt::skip]
const ALIAS_WORDS: &[&str] = &[
    "security", "board", "press", "contact", "conduct", "sponsors", "finance", "legal", "hiring",
    "events", "abuse", "privacy", "media", "partners", "donations", "grants", "trademark",
    "announce", "council", "help",
];

#[rustfmt::skip]
const SOURCES: &[&str] = &[
    "Sponsorship by Example Hosting GmbH", "Individual donations via Open Collective", "Grant from
    the Sovereign Tech Fund", "Corporate membership fees", "Conference ticket sales", "Donations
    through GitHub Sponsors",
];

const CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF"];

#[rustfmt::skip]
const PURPOSES: &[&str] = &[
    "hosting", "travel", "audit", "contractors", "hardware", "events", "stipends", "design",
    "translation", "swag", "legal", "accounting",
];

#[rustfmt::skip]
const PATH_GLOBS: &[&str] = &[
    "*.nix", "*.md", "/docs/", "/.github/", "/ci/", "/scripts/", "Cargo.toml", "/src/", "/tests/",
    "*.py", "/modules/", "/lib/", "/pkgs/top-level/", "/maintainers/", "**/default.nix",
];

/// Everything decided about one person before their file is written.
struct Person {
    id: String,
    name: String,
    github: Option<(String, u64)>,
    inactive: bool,
}

/// Everything decided about one team before its file is written.
struct Team {
    id: String,
    area: &'static str,
    focus: &'static str,
    parent: Option<usize>,
    depth: usize,
    archived: bool,
    synced: bool,
    children: usize,
    members: Vec<usize>,
}

/// The files of a synthetic org: `(path relative to the org root, YAML text)`, sorted by path.
pub fn generate(spec: &Spec) -> Vec<(String, String)> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let people = make_people(&mut rng, spec.people);
    let mut teams = make_teams(&mut rng, spec.teams);
    assign_members(&mut rng, &people, &mut teams);
    let repos = make_repos(&mut rng, spec.teams);

    let mut files = Vec::with_capacity(1 + spec.people + spec.teams + spec.aliases + spec.budgets);
    files.push(("org.yaml".to_string(), org_yaml(spec, &people)));
    for p in &people {
        files.push((format!("people/{}.yaml", p.id), person_yaml(&mut rng, p)));
    }
    let active: Vec<usize> = (0..people.len()).filter(|i| !people[*i].inactive).collect();
    let live: Vec<usize> = (0..teams.len()).filter(|i| !teams[*i].archived).collect();
    let mut addresses: HashSet<String> = HashSet::new();
    for i in 0..teams.len() {
        let text = team_yaml(
            &mut rng,
            &teams,
            i,
            &people,
            &active,
            &repos,
            &mut addresses,
        );
        files.push((format!("teams/{}.yaml", teams[i].id), text));
    }
    let mut alias_ids: Vec<String> = Vec::new();
    let mut alias_taken: HashSet<String> = HashSet::new();
    for _ in 0..spec.aliases {
        let pools = Pools {
            teams: &teams,
            live: &live,
            people: &people,
            active: &active,
        };
        let (id, text) = alias_yaml(
            &mut rng,
            &pools,
            &alias_ids,
            &mut alias_taken,
            &mut addresses,
        );
        files.push((format!("aliases/{id}.yaml"), text));
        alias_ids.push(id);
    }
    let mut budget_ids: HashSet<String> = HashSet::new();
    for _ in 0..spec.budgets {
        let (id, text) = budget_yaml(&mut rng, &teams, &live, &mut budget_ids);
        files.push((format!("budgets/{id}.yaml"), text));
    }
    files.sort();
    files
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

/// True with probability `percent`/100.
fn chance(rng: &mut fastrand::Rng, percent: u32) -> bool {
    rng.u32(..100) < percent
}

/// A lowercase ASCII id from display text (`Amélie O'Brien` → `amelie-o-brien`).
fn to_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ï' => 'i',
            'ó' | 'ö' | 'ô' => 'o',
            'ú' | 'ü' => 'u',
            'ć' | 'č' => 'c',
            'ñ' => 'n',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => '-',
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `base` if not yet in `taken`, else the first free `base-2`, `base-3`...; marks it taken.
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| taken.insert(s.clone()))
        .unwrap_or(base)
}

/// A YAML double-quoted scalar (JSON escapes are valid YAML escapes).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn date(y: u32, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// A random valid date in `years` (days 1-28, so every month works).
fn random_date(rng: &mut fastrand::Rng, years: std::ops::RangeInclusive<u32>) -> String {
    date(rng.u32(years), rng.u32(1..=12), rng.u32(1..=28))
}

/// Money in cents as YAML: usually a quoted decimal, sometimes a bare whole number.
fn money(rng: &mut fastrand::Rng, cents: u64) -> String {
    if cents % 100 == 0 && chance(rng, 30) {
        format!("{}", cents / 100)
    } else {
        format!("\"{}.{:02}\"", cents / 100, cents % 100)
    }
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn make_people(rng: &mut fastrand::Rng, n: usize) -> Vec<Person> {
    let mut ids = HashSet::new();
    let mut logins = HashSet::new();
    let mut github_ids = HashSet::new();
    (0..n)
        .map(|i| {
            let first = *pick(rng, FIRST);
            let last = *pick(rng, LAST);
            let id = unique(to_id(&format!("{first} {last}")), &mut ids);
            // The first two people are the org admins: active, with GitHub.
            let inactive = i >= 2 && chance(rng, 3);
            let github = if i < 2 || chance(rng, 95) {
                let (f, l) = (to_id(first).replace('-', ""), to_id(last).replace('-', ""));
                let base = match rng.u32(..6) {
                    0 => format!("{f}{l}"),
                    1 => format!("{f}-{l}"),
                    2 => format!("{}{}", title(&f), title(&l)),
                    3 => format!("{f}{}", rng.u32(1..10_000)),
                    4 => format!("{}{l}", &f[..1]),
                    _ => format!("{l}-{f}"),
                };
                let mut login = base.clone();
                while !logins.insert(login.to_ascii_lowercase()) {
                    login = format!("{base}{}", rng.u32(1..1000));
                }
                login.truncate(39);
                let mut gid = rng.u64(1_000..200_000_000);
                while !github_ids.insert(gid) {
                    gid = rng.u64(1_000..200_000_000);
                }
                Some((login, gid))
            } else {
                None
            };
            Person {
                id,
                name: format!("{first} {last}"),
                github,
                inactive,
            }
        })
        .collect()
}

fn make_teams(rng: &mut fastrand::Rng, n: usize) -> Vec<Team> {
    let mut ids = HashSet::new();
    let mut teams: Vec<Team> = Vec::with_capacity(n);
    // Teams that may still take children (depth < 3, so the forest is at most 4 levels deep).
    let mut open: Vec<usize> = Vec::new();
    for i in 0..n {
        let area = *pick(rng, AREAS);
        let focus = *pick(rng, FOCUS);
        let id = unique(format!("{area}-{focus}"), &mut ids);
        let parent = if open.is_empty() || chance(rng, 25) {
            None
        } else {
            Some(*pick(rng, &open))
        };
        let depth = parent.map_or(0, |p| teams[p].depth + 1);
        if let Some(p) = parent {
            teams[p].children += 1;
        }
        let archived = i > 0 && chance(rng, 3);
        if depth < 3 && !archived {
            open.push(i);
        }
        teams.push(Team {
            id,
            area,
            focus,
            parent,
            depth,
            archived,
            synced: !archived && chance(rng, 85),
            children: 0,
            members: Vec::new(),
        });
    }
    teams
}

/// Puts every active person in at least one team (people without GitHub only in unsynced
/// teams), then fills teams up to a realistic size.
fn assign_members(rng: &mut fastrand::Rng, people: &[Person], teams: &mut [Team]) {
    let live: Vec<usize> = (0..teams.len()).filter(|i| !teams[*i].archived).collect();
    let unsynced: Vec<usize> = live.iter().copied().filter(|i| !teams[*i].synced).collect();
    if live.is_empty() {
        return;
    }
    let mut active: Vec<usize> = (0..people.len()).filter(|i| !people[*i].inactive).collect();
    rng.shuffle(&mut active);
    for &p in &active {
        let pool = if people[p].github.is_some() || unsynced.is_empty() {
            &live
        } else {
            &unsynced
        };
        let t = *pick(rng, pool);
        if !teams[t].members.contains(&p) {
            teams[t].members.push(p);
        }
    }
    for &t in &live {
        let target = if chance(rng, 2) {
            rng.usize(25..60)
        } else {
            rng.usize(3..14)
        };
        let mut attempts = 0;
        while teams[t].members.len() < target && attempts < 4 * target {
            attempts += 1;
            let p = *pick(rng, &active);
            let allowed = people[p].github.is_some() || !teams[t].synced;
            if allowed && !teams[t].members.contains(&p) {
                teams[t].members.push(p);
            }
        }
        rng.shuffle(&mut teams[t].members);
    }
}

fn make_repos(rng: &mut fastrand::Rng, teams: usize) -> Vec<String> {
    let n = (teams / 3).max(20);
    let mut taken = HashSet::new();
    (0..n)
        .map(|_| {
            let area = *pick(rng, AREAS);
            let focus = *pick(rng, FOCUS);
            let base = match rng.u32(..5) {
                0 => area.to_string(),
                1 => format!("{area}.{focus}"),
                2 => format!("{area}_{focus}"),
                _ => format!("{area}-{focus}"),
            };
            unique(base, &mut taken)
        })
        .collect()
}

fn org_yaml(spec: &Spec, people: &[Person]) -> String {
    let admins: Vec<&str> = people.iter().take(2).map(|p| p.id.as_str()).collect();
    format!(
        "# A synthetic org made by `orgctl generate` (seed {seed}): {p} people, {t} teams,\n\
         # {a} aliases, {b} budgets. Every name, address and amount is made up.\n\
         name: Synthetic Foundation\n\
         description: >-\n  A generated organisation for benchmarks and tests of orgctl.\n\
         github:\n  org: synthetic-foundation\n  admins: [{admins}]\n  unmanaged_teams: [security-embargo]\n  prune_undeclared_teams: false\n  manage_org_members: true\n\
         email:\n  domains: [{domains}]\n  backend:\n    kind: postfix\n    path: /etc/postfix/virtual\n\
         limits:\n  max_removals: 20\n  max_teams_per_person: 6\n",
        seed = spec.seed,
        p = spec.people,
        t = spec.teams,
        a = spec.aliases,
        b = spec.budgets,
        admins = admins.join(", "),
        domains = DOMAINS.join(", "),
    )
}

fn person_yaml(rng: &mut fastrand::Rng, p: &Person) -> String {
    let mut s = String::with_capacity(256);
    let _ = writeln!(s, "name: {}", p.name);
    if let Some((login, gid)) = &p.github {
        let _ = writeln!(s, "github: {login}");
        let _ = writeln!(s, "github_id: {gid}");
    }
    // Active people all have an address (team aliases expand to them); most inactive ones too.
    if !p.inactive || chance(rng, 50) {
        match rng.u32(..10) {
            0..=5 => {
                let _ = writeln!(
                    s,
                    "email: {}@{}",
                    p.id.replace('-', "."),
                    pick(
                        rng,
                        &["example.net", "mail.example.com", "users.example.org"]
                    )
                );
            }
            6..=8 => {
                let var = p.id.to_ascii_uppercase().replace('-', "_");
                let _ = writeln!(s, "email: {{ secret: \"env:ORGCTL_EMAIL_{var}\" }}");
            }
            _ => {
                let _ = writeln!(
                    s,
                    "email: {{ secret: \"file:/run/secrets/email/{}\" }}",
                    p.id
                );
            }
        }
    }
    let handle = p
        .github
        .as_ref()
        .map_or_else(|| p.id.clone(), |(l, _)| l.to_ascii_lowercase());
    let matrix = chance(rng, 60);
    let discourse = chance(rng, 30);
    let zulip = chance(rng, 10);
    if matrix || discourse || zulip {
        s.push_str("chat:\n");
        if matrix {
            let _ = writeln!(s, "  matrix: \"@{handle}:matrix.org\"");
        }
        if discourse {
            let _ = writeln!(s, "  discourse: {handle}");
        }
        if zulip {
            let _ = writeln!(s, "  zulip: {}", quoted(&p.name));
        }
    }
    if p.inactive {
        s.push_str("inactive: true\n");
    }
    s
}

fn team_yaml(
    rng: &mut fastrand::Rng,
    teams: &[Team],
    i: usize,
    people: &[Person],
    active: &[usize],
    repos: &[String],
    addresses: &mut HashSet<String>,
) -> String {
    let t = &teams[i];
    let mut s = String::with_capacity(1024);
    let _ = writeln!(s, "name: {} {}", title(t.area), title(t.focus));
    let _ = writeln!(
        s,
        "description: {}",
        quoted(&format!(
            "Looks after {} for the {} area: reviews, releases and support.",
            t.focus, t.area
        ))
    );
    let kind = match rng.u32(..100) {
        0..=69 => None,
        70..=79 => Some("working-group"),
        80..=87 => Some("sig"),
        88..=94 => Some("project"),
        95..=98 => Some("committee"),
        _ => Some("board"),
    };
    if let Some(k) = kind {
        let _ = writeln!(s, "kind: {k}");
    }
    if let Some(p) = t.parent {
        let _ = writeln!(s, "parent: {}", teams[p].id);
    }
    let members = &t.members;
    if t.archived {
        s.push_str("archived: true\n");
    } else {
        let n_leads = match rng.u32(..100) {
            0..=4 => 0,
            5..=74 => 1,
            _ => 2,
        }
        .min(members.len());
        if n_leads > 0 {
            let leads: Vec<&str> = members[..n_leads]
                .iter()
                .map(|m| people[*m].id.as_str())
                .collect();
            let _ = writeln!(s, "leads: [{}]", leads.join(", "));
        }
        if !members.is_empty() {
            s.push_str("members:\n");
            for (k, m) in members.iter().enumerate() {
                let id = &people[*m].id;
                if chance(rng, 15) || (k < n_leads && chance(rng, 30)) {
                    let _ = writeln!(s, "  - person: {id}");
                    if chance(rng, 60) {
                        let _ =
                            writeln!(s, "    role: {}", quoted(ROLES[rng.usize(..ROLES.len())]));
                    }
                    if chance(rng, 70) {
                        // Terms started in the past: every listed member is current.
                        let _ = writeln!(s, "    since: {}", random_date(rng, 2018..=2025));
                    }
                    if chance(rng, 50) {
                        // Terms end after 2027-06-30, so a freshly generated org has no expired terms.
                        let _ = writeln!(
                            s,
                            "    until: {}",
                            date(rng.u32(2027..=2031), rng.u32(7..=12), rng.u32(1..=28))
                        );
                    }
                } else {
                    let _ = writeln!(s, "  - {id}");
                }
            }
        }
    }
    // Alumni: former members who are not current members.
    let n_alumni = if t.archived {
        rng.usize(2..8)
    } else {
        rng.usize(..4)
    };
    let mut alumni: Vec<&str> = Vec::new();
    for _ in 0..n_alumni {
        let p = rng.usize(..people.len());
        let id = people[p].id.as_str();
        if !members.contains(&p) && !alumni.contains(&id) {
            alumni.push(id);
        }
    }
    if !alumni.is_empty() {
        let _ = writeln!(s, "alumni: [{}]", alumni.join(", "));
    }
    let mut own_repos: Vec<&str> = Vec::new();
    // Repositories the team can write to: the only ones it may own (GitHub ignores owners
    // without write access, and `check` rejects them).
    let mut writable: Vec<&str> = Vec::new();
    if t.synced {
        s.push_str("github:\n");
        let slug = if chance(rng, 10) {
            let slug = format!("{}-gh", t.id);
            let _ = writeln!(s, "  slug: {slug}");
            slug
        } else {
            t.id.clone()
        };
        if chance(rng, 10) {
            // A display name GitHub turns into exactly this slug (`check`'s team-slug rule).
            let name: Vec<String> = slug.split('-').map(title).collect();
            let _ = writeln!(s, "  name: {}", name.join(" "));
        }
        // Secret teams cannot be nested: only childless roots are secret.
        let secret = t.parent.is_none() && t.children == 0 && chance(rng, 15);
        let _ = writeln!(s, "  privacy: {}", if secret { "secret" } else { "closed" });
        let n = rng.usize(..5);
        for _ in 0..n {
            let r = pick(rng, repos).as_str();
            if !own_repos.contains(&r) {
                own_repos.push(r);
            }
        }
        if !own_repos.is_empty() {
            s.push_str("  repos:\n");
            let mut sorted = own_repos.clone();
            sorted.sort_unstable();
            for r in sorted {
                let perm = match rng.u32(..100) {
                    0..=24 => "pull",
                    25..=34 => "triage",
                    35..=79 => "push",
                    80..=94 => "maintain",
                    _ => "admin",
                };
                if !secret && matches!(perm, "push" | "maintain" | "admin") {
                    writable.push(r);
                }
                let _ = writeln!(s, "    {r}: {perm}");
            }
        }
    }
    if !t.archived && chance(rng, 35) {
        let address = format!("{}@{}", t.id, DOMAINS[0]);
        if addresses.insert(address.clone()) {
            s.push_str("email:\n");
            let _ = writeln!(s, "  - address: {address}");
            let _ = writeln!(
                s,
                "    to: {}",
                if chance(rng, 15) { "leads" } else { "members" }
            );
            if t.children > 0 && chance(rng, 20) {
                s.push_str("    include_subteams: true\n");
            }
            let n_extra = rng.usize(..3);
            if n_extra > 0 {
                s.push_str("    extra:\n");
                for _ in 0..n_extra {
                    if chance(rng, 60) {
                        let _ = writeln!(s, "      - person: {}", people[*pick(rng, active)].id);
                    } else {
                        let _ = writeln!(s, "      - address: {}-oncall@pager.example.com", t.id);
                    }
                }
            }
        }
    }
    if !t.archived && !writable.is_empty() && chance(rng, 50) {
        s.push_str("owns:\n");
        let n = rng.usize(1..4);
        let mut used: Vec<&str> = Vec::new();
        for _ in 0..n {
            let r = *pick(rng, &writable);
            if used.contains(&r) {
                continue;
            }
            used.push(r);
            let _ = writeln!(s, "  - repo: {r}");
            if chance(rng, 60) {
                s.push_str("    paths:\n");
                for _ in 0..rng.usize(1..5) {
                    let glob = match rng.u32(..3) {
                        0 => format!("/{}/{}/", t.area, t.focus),
                        1 => format!("/src/{}/**/*.rs", t.focus),
                        _ => pick(rng, PATH_GLOBS).to_string(),
                    };
                    let _ = writeln!(s, "      - {}", quoted(&glob));
                }
            }
        }
    }
    s
}

/// The entities alias recipients are drawn from.
struct Pools<'a> {
    teams: &'a [Team],
    live: &'a [usize],
    people: &'a [Person],
    active: &'a [usize],
}

fn alias_yaml(
    rng: &mut fastrand::Rng,
    pools: &Pools<'_>,
    earlier: &[String],
    taken: &mut HashSet<String>,
    addresses: &mut HashSet<String>,
) -> (String, String) {
    let Pools {
        teams,
        live,
        people,
        active,
    } = *pools;
    let word = *pick(rng, ALIAS_WORDS);
    let base = if taken.contains(word) {
        format!("{word}-{}", pick(rng, AREAS))
    } else {
        word.to_string()
    };
    let mut id = unique(base, taken);
    let domain = DOMAINS[rng.usize(..DOMAINS.len())];
    while !addresses.insert(format!("{id}@{domain}")) {
        id = unique(format!("{id}-list"), taken);
    }
    let mut s = String::with_capacity(512);
    let _ = writeln!(s, "address: {id}@{domain}");
    let _ = writeln!(
        s,
        "description: {}",
        quoted(&format!(
            "Mail about {} for the whole organisation; answered within a week.",
            word
        ))
    );
    s.push_str("recipients:\n");
    let n = rng.usize(1..6);
    let mut written: HashSet<String> = HashSet::new();
    for k in 0..n {
        let roll = rng.u32(..100);
        let line = if roll < 45 && !live.is_empty() {
            let t = &teams[*pick(rng, live)];
            let mut l = format!("  - team: {}\n", t.id);
            if chance(rng, 20) {
                l.push_str("    leads_only: true\n");
            }
            if t.children > 0 && chance(rng, 15) {
                l.push_str("    include_subteams: true\n");
            }
            l
        } else if roll < 55 && !earlier.is_empty() {
            // Only earlier aliases: the include graph is acyclic.
            format!("  - alias: {}\n", pick(rng, earlier))
        } else if roll < 75 {
            format!("  - address: {id}-{k}@partners.example.com\n")
        } else {
            format!("  - person: {}\n", people[*pick(rng, active)].id)
        };
        let key = line.lines().next().unwrap_or_default().to_string();
        if written.insert(key) {
            s.push_str(&line);
        }
    }
    (id, s)
}

fn budget_yaml(
    rng: &mut fastrand::Rng,
    teams: &[Team],
    live: &[usize],
    taken: &mut HashSet<String>,
) -> (String, String) {
    let area = *pick(rng, AREAS);
    let year = rng.u32(2025..=2026);
    let id = unique(format!("{area}-fund-{year}"), taken);
    let currency = *pick(rng, CURRENCIES);
    let total: u64 = rng.u64(10..=500) * 1_000 * 100;
    let start_month = if chance(rng, 50) { 1 } else { 4 };
    let (end_y, end_m, end_d) = if start_month == 1 {
        (year, 12, 31)
    } else {
        (year + 1, 3, 31)
    };
    let mut s = String::with_capacity(2048);
    let _ = writeln!(s, "name: {} fund {year}", title(area));
    let _ = writeln!(s, "source: {}", quoted(SOURCES[rng.usize(..SOURCES.len())]));
    let _ = writeln!(s, "currency: {currency}");
    let _ = writeln!(s, "total: {}", money(rng, total));
    s.push_str("period:\n");
    let _ = writeln!(s, "  start: {}", date(year, start_month, 1));
    let _ = writeln!(s, "  end: {}", date(end_y, end_m, end_d));
    // Approvers: a committee-like team would be typical; any live team is valid.
    let approvers = live
        .first()
        .map_or("board", |_| teams[*pick(rng, live)].id.as_str());
    let _ = writeln!(s, "approvers: {approvers}");
    let n_alloc = rng.usize(1..9);
    // Allocate 50-100% of the fund, split into n parts of whole cents.
    let budget = total / 100 * rng.u64(50..=100);
    let mut remaining = budget;
    let mut allocations: Vec<(String, u64)> = Vec::new();
    let mut alloc_ids = HashSet::new();
    for k in 0..n_alloc {
        let amount = if k + 1 == n_alloc {
            remaining
        } else {
            remaining / 100 * rng.u64(10..=60)
        };
        remaining -= amount;
        if amount == 0 || live.is_empty() {
            continue;
        }
        if allocations.is_empty() {
            s.push_str("allocations:\n");
        }
        let aid = unique(pick(rng, PURPOSES).to_string(), &mut alloc_ids);
        let team = &teams[*pick(rng, live)].id;
        let _ = writeln!(s, "  - id: {aid}");
        let _ = writeln!(s, "    team: {team}");
        let _ = writeln!(s, "    amount: {}", money(rng, amount));
        let _ = writeln!(
            s,
            "    purpose: {}",
            quoted(&format!("{} for {team}", title(&aid.replace('-', " "))))
        );
        if chance(rng, 50) {
            let _ = writeln!(
                s,
                "    expires: {}",
                date(rng.u32(2027..=2031), rng.u32(7..=12), 28)
            );
        }
        if chance(rng, 10) {
            let _ = writeln!(s, "    currency: {currency}");
        }
        allocations.push((aid, amount));
    }
    let mut expenses = String::new();
    let mut n = 0;
    for (aid, amount) in &allocations {
        // Spend at most 90% of each allocation.
        let mut left = amount / 10 * 9;
        for _ in 0..rng.usize(..7) {
            let cost = left / 100 * rng.u64(5..=40);
            if cost == 0 {
                break;
            }
            left -= cost;
            n += 1;
            let month = rng.u32(1..=12);
            let y = if start_month == 4 && month < 4 {
                year + 1
            } else {
                year
            };
            let _ = writeln!(expenses, "  - allocation: {aid}");
            let _ = writeln!(expenses, "    date: {}", date(y, month, rng.u32(1..=28)));
            let _ = writeln!(expenses, "    amount: {}", money(rng, cost));
            let _ = writeln!(
                expenses,
                "    description: {}",
                quoted(&format!("Invoice {n} for {aid}"))
            );
            if chance(rng, 60) {
                let _ = writeln!(expenses, "    reference: INV-{y}-{:04}", rng.u32(1..10_000));
            }
            if chance(rng, 10) {
                let _ = writeln!(expenses, "    currency: {currency}");
            }
        }
    }
    if !expenses.is_empty() {
        s.push_str("expenses:\n");
        s.push_str(&expenses);
    }
    (id, s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Content, assemble};
    use crate::pipeline::check_loaded;
    use crate::validate::Context;

    fn small(seed: u64) -> Spec {
        Spec {
            people: 200,
            teams: 40,
            aliases: 10,
            budgets: 3,
            seed,
        }
    }

    fn check(files: Vec<(String, String)>) -> crate::pipeline::Checked {
        let files = files
            .into_iter()
            .map(|(p, t)| (p, Content::Bytes(t.into_bytes())))
            .collect();
        let loaded = assemble("gen/".into(), "gen/", files, Vec::new());
        let ctx = Context::new(jiff::civil::date(2026, 11, 25));
        check_loaded(loaded, &ctx, &[])
    }

    #[test]
    fn small_org_checks_clean() {
        for seed in [1, 2, 3, 42] {
            let files = generate(&small(seed));
            assert_eq!(files.len(), 1 + 200 + 40 + 10 + 3);
            let checked = check(files);
            assert!(
                checked.diagnostics.is_empty(),
                "seed {seed}: {:#?}",
                &checked.diagnostics[..checked.diagnostics.len().min(5)]
            );
            assert_eq!(checked.org.people.len(), 200);
            assert_eq!(checked.org.teams.len(), 40);
            assert_eq!(checked.org.aliases.len(), 10);
            assert_eq!(checked.org.budgets.len(), 3);
        }
    }

    #[test]
    fn medium_org_checks_clean_and_is_realistic() {
        let spec = Spec {
            people: 2_000,
            teams: 400,
            aliases: 100,
            budgets: 10,
            seed: 7,
        };
        let checked = check(generate(&spec));
        assert!(
            checked.diagnostics.is_empty(),
            "{:#?}",
            &checked.diagnostics[..checked.diagnostics.len().min(5)]
        );
        let org = &checked.org;
        let depth = |id: &str| org.ancestors(id).len();
        assert!(org.teams.keys().all(|t| depth(t) <= 3));
        assert!(
            org.teams.keys().any(|t| depth(t) == 3),
            "some teams are four levels deep"
        );
        assert!(org.teams.values().any(|t| t.spec.archived));
        assert!(org.teams.values().any(|t| !t.spec.alumni.is_empty()));
        assert!(org.teams.values().any(|t| !t.spec.email.is_empty()));
        assert!(org.teams.values().any(|t| !t.spec.owns.is_empty()));
        assert!(org.people.values().any(|p| p.spec.inactive));
        assert!(
            org.people
                .values()
                .any(|p| matches!(p.spec.email, Some(crate::schema::RawEmail::Secret(_))))
        );
        assert!(org.aliases.values().any(|a| {
            a.spec
                .recipients
                .iter()
                .any(|r| matches!(r, crate::schema::RawRecipient::Alias(_)))
        }));
        assert!(
            org.budgets
                .values()
                .all(|b| !b.spec.expenses.is_empty() || b.spec.allocations.len() <= 1)
        );
    }

    #[test]
    fn deterministic_from_the_seed() {
        assert_eq!(generate(&small(5)), generate(&small(5)));
        assert_ne!(generate(&small(5)), generate(&small(6)));
    }

    #[test]
    fn ids() {
        assert_eq!(to_id("Amélie O'Brien"), "amelie-o-brien");
        assert_eq!(to_id("Ji-woo Park"), "ji-woo-park");
        assert_eq!(to_id("Tomás Novaković"), "tomas-novakovic");
    }
}
