//! `reestr bench reports`: the report builder and the statistical report
//! through the application layer (`App::report`, `App::statistical_report`,
//! `App::file`), as the operator, on the log of --data-dir: the whole union by
//! two dimensions and one territorial subtree (issue 13, DESIGN.md §6: the
//! builder ≤ 500 ms for the whole union, ≤ 20 ms for a territorial subtree).
//! The read models are folded first (not timed); each query runs --repeat
//! times and the median and slowest are printed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::organizations::OrganizationsQuery;
use app::reports::statistical::StatisticalQuery;
use app::reports::{ReportDimension, ReportFilter, ReportQuery};
use app::{App, Viewer};
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{Gender, MemberCategory};
use eventlog::Backend;

use crate::cli::BenchReportsArgs;

/// Folds the read models of `log`, then times the reports.
pub async fn reports(log: Arc<dyn Backend>, args: &BenchReportsArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let app = App::open(log).await?;
    println!("read models folded in {:.1?}", started.elapsed());
    let viewer = Viewer::Operator("bench".into());
    let first_of = |level| -> anyhow::Result<String> {
        let query = OrganizationsQuery {
            parent_id: None,
            level: Some(level),
            search: None,
            first: 1,
            after: None,
        };
        let page = app.organizations(&viewer, query)?;
        let (_, org) = page
            .items
            .first()
            .ok_or_else(|| anyhow::anyhow!("the log holds no {level:?} organisation"))?;
        Ok(org.org_id.to_string())
    };
    let central = first_of(OrgLevel::Central)?;
    let territorial = first_of(OrgLevel::Territorial)?;
    let builder = |org: &str, rows, columns, filter| ReportQuery {
        org_id: org.to_string(),
        as_of: Some(args.as_of),
        dates: None,
        known_at: None,
        filter,
        rows,
        columns: Some(columns),
        age_edges: None,
        tenure_edges: None,
    };
    let working_women = ReportFilter {
        genders: Some(vec![Gender::Female]),
        categories: Some(vec![MemberCategory::Worker]),
        ..ReportFilter::default()
    };
    use ReportDimension::{AgeBand, Child, Gender as ByGender, Sector, TenureBand};
    let tables = [
        (
            "report, whole union, child x age band",
            builder(&central, Child, AgeBand, ReportFilter::default()),
        ),
        (
            "report, whole union, sector x tenure band, working women",
            builder(&central, Sector, TenureBand, working_women),
        ),
        (
            "report, one territorial, child x gender",
            builder(&territorial, Child, ByGender, ReportFilter::default()),
        ),
    ];
    for (label, query) in &tables {
        let (times, total) = timed(args.repeat, || async {
            let report = app.report(&viewer, query).await?;
            Ok(report.tables[0].total())
        })
        .await?;
        print(label, &times, &format!("{total} members"));
    }
    for (label, org) in [
        ("statistical report, whole union", &central),
        ("statistical report, one territorial", &territorial),
    ] {
        let query = StatisticalQuery {
            org_id: org.clone(),
            as_of: Some(args.as_of),
            from: None,
            known_at: None,
        };
        let (times, rows) = timed(args.repeat, || async {
            let report = app.statistical_report(&viewer, &query).await?;
            Ok(report.rows.len() as u64)
        })
        .await?;
        print(label, &times, &format!("{rows} rows"));
    }
    let input = serde_json::to_vec(&serde_json::json!({
        "orgId": central, "asOf": args.as_of, "rows": "CHILD", "columns": "AGE_BAND" }))?;
    let (times, bytes) = timed(args.repeat, || async {
        let kind = app::reports::files::ReportKind::Builder;
        let file = app
            .file(&viewer, kind, &input, documents::Format::Xlsx)
            .await?;
        Ok(file.bytes.len() as u64)
    })
    .await?;
    print(
        "report file, whole union, child x age band, XLSX",
        &times,
        &format!("{bytes} bytes"),
    );
    app.shutdown().await?;
    Ok(())
}

/// Runs `run` `repeat` times: the sorted times and the last answer's figure.
async fn timed<F, Fut>(repeat: usize, run: F) -> anyhow::Result<(Vec<Duration>, u64)>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<u64, app::Error>>,
{
    let mut times = Vec::with_capacity(repeat.max(1));
    let mut figure = 0;
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        figure = run().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times, figure))
}

fn print(label: &str, times: &[Duration], what: &str) {
    println!(
        "{label}: median {:.3} ms, slowest {:.3} ms ({what})",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}
