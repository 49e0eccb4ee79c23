//! Apply of 1,000 team-membership changes against the fake GitHub: exactly 1,000 writes and no
//! redundant reads (issue 4).
//!
//! `cargo bench --bench apply -- [--changes N --teams T --latency-ms L]` (defaults: 1,000
//! changes over 10 teams, 20 ms of latency per request). The organisation has `N` members and
//! `T` empty teams; the desired state puts `N / T` members in each team. The run reads the
//! organisation once (GraphQL reader), plans, executes over the REST writer with pacing off,
//! and prints writes, reads (against the physical minimum of the read) and wall times. It also
//! simulates, with the same pacing function apply uses, how long GitHub's documented pacing
//! (1 s between writes, 80 a minute, 500 an hour) would make the same writes take.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_github::{Behaviour, FakeGithub, FakeState, OrgRole};
use orgctl::apply::{self, Outcome};
use orgctl::github::execute::{ExecContext, execute};
use orgctl::github::state::{Privacy, TeamRole};
use orgctl::github::{DesiredGithub, DesiredTeam, DesiredUser, plan_github};
use orgctl::github::{GithubConfig, GraphqlReader, LiveReader, RestWriter, Transport, WritePacing};
use orgctl::plan::{Action, Policy};
use secrecy::SecretString;

const ORG: &str = "bench-org";
const BOT: &str = "bench-bot";

fn main() {
    let mut changes = 1000usize;
    let mut teams = 10usize;
    let mut latency_ms = 20u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = || {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number after the flag")
        };
        match a.as_str() {
            "--changes" => changes = num() as usize,
            "--teams" => teams = num() as usize,
            "--latency-ms" => latency_ms = num(),
            _ => {} // cargo bench passes `--bench`
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(changes, teams.max(1), latency_ms));
}

fn user(i: usize) -> String {
    format!("user{i:05}")
}

async fn run(changes: usize, teams: usize, latency_ms: u64) {
    // GitHub: N members, T empty teams. Files: the same teams, N / T members each.
    let mut state = FakeState::new(ORG, BOT);
    for i in 0..changes {
        state.add_member(&user(i), OrgRole::Member);
    }
    let mut desired_teams = BTreeMap::new();
    for t in 0..teams {
        let slug = format!("team-{t:03}");
        state.add_team(&slug, None).expect("team");
        let members = (0..changes)
            .filter(|i| i % teams == t)
            .map(|i| {
                let u = DesiredUser {
                    login: user(i),
                    id: None,
                    person: user(i),
                };
                (user(i), (u, TeamRole::Member))
            })
            .collect();
        desired_teams.insert(
            slug.clone(),
            DesiredTeam {
                id: slug.clone(),
                name: slug.clone(),
                description: None,
                privacy: Privacy::Closed,
                parent: None,
                notifications: None,
                members,
                repos: BTreeMap::new(),
            },
        );
    }
    let desired = DesiredGithub {
        org: ORG.into(),
        teams: desired_teams,
        members: BTreeMap::new(),
        manage_org_members: false,
        unmanaged_teams: BTreeSet::new(),
        prune_undeclared_teams: false,
        max_removals: 0,
    };
    let gh = FakeGithub::start_with(
        state,
        Behaviour::default().with_latency(Duration::from_millis(latency_ms)),
    )
    .await
    .expect("fake");
    let config = GithubConfig::with_token(SecretString::from("bench".to_string()))
        .with_urls(&gh.url(), &gh.graphql_url());
    let transport = Arc::new(
        Transport::connect(&config)
            .await
            .expect("connect")
            .with_write_pacing(WritePacing::none()),
    );

    let total = Instant::now();
    let live = GraphqlReader::new(transport.clone())
        .read_org(ORG)
        .await
        .expect("read");
    let read_time = total.elapsed();
    let reads_before = gh.requests().total();

    let t = Instant::now();
    let plan = plan_github(&desired, &live, &Policy::default());
    let plan_time = t.elapsed();
    assert_eq!(plan.changes.len(), changes);
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));

    let t = Instant::now();
    let writer = RestWriter::new(transport.clone(), ORG).expect("writer");
    let ctx = ExecContext::from_live(&live, BTreeSet::new());
    let report = execute(&plan.changes, &ctx, &writer, &mut |_| {}).await;
    let exec_time = t.elapsed();
    let wall = total.elapsed();
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Applied)),
        "{}",
        apply::summary_line(&report)
    );

    let log = gh.requests().log;
    let writes = log
        .iter()
        .filter(|r| r.method != "GET" && r.route != "/graphql")
        .count();
    let graphql = log.iter().filter(|r| r.route == "/graphql").count();
    let rest_reads = log.iter().filter(|r| r.method == "GET").count();
    let reads_during_execution = gh.requests().total() as usize - reads_before as usize - writes;
    // One teams page per 100 teams (the first also brings 100 members), one page per further
    // 100 members, one page of invitations.
    let members = changes + 1;
    let minimum_reads = teams.div_ceil(100) + members.div_ceil(100) - 1 + 1;

    // Re-read: the plan is empty (not counted above).
    let again = GraphqlReader::new(transport.clone())
        .read_org(ORG)
        .await
        .expect("read");
    let empty = plan_github(&desired, &again, &Policy::default());
    assert!(empty.changes.is_empty(), "the apply converged");

    let paced = simulated_paced_duration(writes, &WritePacing::default());
    println!(
        "apply of {changes} team-membership changes over {teams} teams, latency {latency_ms} ms per request"
    );
    println!(
        "  writes:        {writes} (PUT /orgs/{{org}}/teams/{{team_slug}}/memberships/{{username}})"
    );
    println!(
        "  reads:         {} ({graphql} GraphQL + {rest_reads} REST); physical minimum {minimum_reads}; during execution {reads_during_execution}",
        graphql + rest_reads
    );
    println!("  read:          {read_time:.2?}");
    println!("  plan:          {plan_time:.2?}");
    println!(
        "  execute:       {exec_time:.2?} ({:.1} ms per write)",
        exec_time.as_secs_f64() * 1000.0 / writes.max(1) as f64
    );
    println!("  wall:          {wall:.2?}");
    println!(
        "  with GitHub's pacing (1 s apart, 80/min, 500/h) the same writes take at least {}",
        human(paced)
    );
    assert_eq!(writes, changes, "exactly one write per change");
    assert_eq!(graphql + rest_reads, minimum_reads, "no redundant reads");
    assert_eq!(reads_during_execution, 0);
}

/// How long `writes` writes take under `pacing` if each answer were instant.
fn simulated_paced_duration(writes: usize, pacing: &WritePacing) -> Duration {
    let start = Instant::now();
    let mut now = start;
    let mut sent: VecDeque<Instant> = VecDeque::new();
    for _ in 0..writes {
        now += pacing.delay(&sent, now);
        sent.push_back(now);
        while sent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(3600))
        {
            sent.pop_front();
        }
    }
    now - start
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}h {:02}m {:02}s", s / 3600, (s % 3600) / 60, s % 60)
}
