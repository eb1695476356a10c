//! `reestr bench api`: load on a running server's GraphQL API (issue 4's
//! targets: member lookups, statistics, admissions under 64 clients).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use reestr_benches::api::{self, Body, Load, LoadReport};
use serde_json::{Value, json};

use crate::cli::{ApiScenario, BenchApiArgs, BenchPagesArgs};

/// Member ids fetched for lookups: enough that the lookups spread over the registry.
const MEMBER_SAMPLE: usize = 20_000;

/// Prepares the scenario's ids through the API, then loads the server.
pub async fn api(args: &BenchApiArgs) -> anyhow::Result<()> {
    let client = api::client();
    let url = args.url.clone();
    let token = args.token.clone();
    let ask = |query: &str, variables: Value| {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        let body = api::request(query, variables);
        async move {
            api::graphql(&client, &url, &token, &body)
                .await
                .map_err(|e| anyhow::anyhow!(e))
        }
    };
    let body: Body = match args.scenario {
        ApiScenario::Lookup | ApiScenario::LookupPersonal => {
            let ids = member_ids(&ask).await?;
            let query = if args.scenario == ApiScenario::Lookup {
                "query($id: ID!) { member(id: $id) { id status joinedOn category \
                 organization { name } card { number status } } }"
            } else {
                "query($id: ID!) { member(id: $id) { id lastName firstName patronymic \
                 birthDate status organization { name } } }"
            };
            Arc::new(move |n| api::request(query, json!({ "id": ids[n as usize % ids.len()] })))
        }
        ApiScenario::Statistics => {
            let orgs = org_ids(&ask, "TERRITORIAL").await?;
            Arc::new(move |n| {
                api::request(
                    "query($org: ID!) { statistics(orgId: $org) { members youth \
                     byGender { key count } byAgeBand { key count } byTenureBand { key count } } }",
                    json!({ "org": orgs[n as usize % orgs.len()] }),
                )
            })
        }
        ApiScenario::UnionStatistics => {
            let root = org_ids(&ask, "CENTRAL").await?.remove(0);
            let query = "query($org: ID!) { statistics(orgId: $org) { members youth employees \
                 students workerCoverage byGender { key count } byCategory { key count } \
                 byAgeBand { key count } byTenureBand { key count } bySector { key count } \
                 breakdown { organization { id name } members youth byGender { key count } } } }";
            Arc::new(move |_| api::request(query, json!({ "org": root })))
        }
        ApiScenario::UnionMovement => {
            let root = org_ids(&ask, "CENTRAL").await?.remove(0);
            let to = chrono::Local::now().date_naive();
            let from = to - chrono::Days::new(364);
            let query = "query($org: ID!, $from: Date!, $to: Date!) { movement(orgId: $org, \
                 from: $from, to: $to) { admitted transferredIn transferredOut ended \
                 endedByReason { key count } net knownAt } }";
            Arc::new(move |_| {
                api::request(
                    query,
                    json!({ "org": root, "from": from.to_string(), "to": to.to_string() }),
                )
            })
        }
        ApiScenario::Journal => Arc::new(|_| {
            api::request(
                "{ events(first: 20) { totalCount edges { node { position stream } } } }",
                json!({}),
            )
        }),
        ApiScenario::Admit => {
            let orgs = org_ids(&ask, "PRIMARY").await?;
            let today = chrono::Local::now().date_naive();
            Arc::new(move |n| admission(&orgs, n, today))
        }
    };
    let load = Load {
        url: args.url.clone(),
        token: args.token.clone(),
        clients: args.clients,
        duration: Duration::from_secs(args.seconds),
    };
    let report = api::run(&load, body).await;
    print(&args.scenario, &load, &report);
    if report.succeeded == 0 {
        bail!(
            "no request succeeded: {}",
            report.first_failure.unwrap_or_default()
        );
    }
    Ok(())
}

/// `reestr bench pages`: each page's server time, against the targets
/// (DESIGN.md: 50 ms a page, 200 ms the whole union's dashboard).
pub async fn pages(args: &BenchPagesArgs) -> anyhow::Result<()> {
    let origin = args.url.trim_end_matches('/');
    let timings = reestr_benches::pages::run(origin, &args.token, args.repeat)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>10} {:>7}",
        "page", "status", "median ms", "max ms", "trip ms", "target"
    );
    let mut missed = 0;
    for page in &timings {
        let target = if page.name.starts_with("dashboard, whole") {
            200.0
        } else {
            50.0
        };
        let met = page.median_ms <= target;
        missed += usize::from(!met);
        println!(
            "{:<28} {:>6} {:>10.2} {:>10.2} {:>10.2} {:>4} {}",
            page.name,
            page.status,
            page.median_ms,
            page.max_ms,
            page.round_trip_ms,
            target,
            if met { "ok" } else { "MISSED" }
        );
    }
    println!(
        "{} pages, {missed} over target ({} requests each)",
        timings.len(),
        args.repeat
    );
    if let Some(page) = timings.iter().find(|p| p.status >= 400) {
        bail!("{} answered {}", page.path, page.status);
    }
    Ok(())
}

fn print(scenario: &ApiScenario, load: &Load, report: &LoadReport) {
    println!(
        "{scenario:?}: {} clients, {:.1} s: {} ok ({:.0}/s), {} failed; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        load.clients,
        report.seconds,
        report.succeeded,
        report.rate(),
        report.failed,
        report.p50_ms,
        report.p99_ms,
        report.max_ms
    );
    if let Some(failure) = &report.first_failure {
        println!("first failure: {failure}");
    }
}

/// Up to `MEMBER_SAMPLE` active member ids, a page from each of many primaries.
async fn member_ids<F, Fut>(ask: &F) -> anyhow::Result<Vec<String>>
where
    F: Fn(&str, Value) -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    let primaries = org_ids(ask, "PRIMARY").await?;
    let mut ids = Vec::new();
    for org in primaries.iter().step_by(3) {
        let data = ask(
            "query($org: ID!) { members(orgId: $org, first: 100) { edges { node { id } } } }",
            json!({ "org": org }),
        )
        .await?;
        let edges = data["members"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        ids.extend(
            edges
                .iter()
                .filter_map(|e| e["node"]["id"].as_str().map(str::to_string)),
        );
        if ids.len() >= MEMBER_SAMPLE {
            break;
        }
    }
    if ids.is_empty() {
        bail!("the registry has no members to look up");
    }
    Ok(ids)
}

/// Up to 1000 ids of organisations of `level` that are not dissolved.
async fn org_ids<F, Fut>(ask: &F, level: &str) -> anyhow::Result<Vec<String>>
where
    F: Fn(&str, Value) -> Fut,
    Fut: Future<Output = anyhow::Result<Value>>,
{
    let data = ask(
        "query($level: OrgLevel) { organizations(level: $level, first: 1000) \
         { edges { node { id dissolved } } } }",
        json!({ "level": level }),
    )
    .await
    .context("listing organisations")?;
    let ids: Vec<String> = data["organizations"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["node"]["dissolved"] == Value::Bool(false))
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_string))
        .collect();
    if ids.is_empty() {
        bail!("the registry has no {level} organisation");
    }
    Ok(ids)
}

/// The `n`-th admission: a new person into one of `orgs`, admitted today.
fn admission(orgs: &[String], n: u64, today: chrono::NaiveDate) -> Value {
    const SURNAMES: [&str; 8] = [
        "Иванова",
        "Петрова",
        "Смирнова",
        "Кузнецова",
        "Попова",
        "Васильева",
        "Соколова",
        "Михайлова",
    ];
    let birth = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(today)
        + chrono::Days::new(n % 12_000);
    api::request(
        "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { id version } }",
        json!({ "input": {
            "orgId": orgs[n as usize % orgs.len()],
            "lastName": SURNAMES[n as usize % SURNAMES.len()],
            "firstName": "Нагрузка",
            "patronymic": format!("Тестовна-{n}"),
            "gender": "FEMALE",
            "birthDate": birth.format("%Y-%m-%d").to_string(),
            "category": "WORKER",
            "profession": "TEACHER",
            "admittedOn": today.format("%Y-%m-%d").to_string(),
        }}),
    )
}
