//! The analysts' page: an organisation's figures on a date (and, for those
//! who read the journal, as the log knew them at a position), the six
//! breakdowns as charts (ECharts, drawn by `site.js` from the JSON in each
//! chart's `data-chart`), the child organisations as a sortable table, and
//! the movement over a period. Figures only: no person appears here.

use app::Error;
use app::views::Report;
use app::{Action, Viewer};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::visit::Visit;
use crate::{Web, fail, layout, words};

/// `?asOf=…&knownAt=…&from=…&to=…&sort=…`
#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    #[serde(rename = "asOf")]
    as_of: Option<String>,
    #[serde(rename = "knownAt")]
    known_at: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
}

/// `GET /stats`: the figures of the holder's own subtree.
pub async fn start(visit: Visit) -> Response {
    match &visit.viewer {
        Viewer::Holder(holder) => {
            Redirect::to(&format!("/stats/org/{}", holder.org_id)).into_response()
        }
        _ => Redirect::to("/signin").into_response(),
    }
}

fn date(text: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>, Error> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => app::input::date(text)
            .map(Some)
            .map_err(|_| Error::invalid(field, "not a date")),
    }
}

/// `GET /stats/org/{id}`.
pub async fn page(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(query): Query<StatsQuery>,
) -> Response {
    match draw(&visit, &web, &id, &query).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

async fn draw(visit: &Visit, web: &Web, id: &str, query: &StatsQuery) -> Result<Markup, Error> {
    let viewer = &visit.viewer;
    let as_of = date(query.as_of.as_deref(), "asOf")?;
    let known_at = match query
        .known_at
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .map_err(|_| Error::invalid("knownAt", "not a position"))?,
        ),
    };
    let today = app::today();
    let from = date(query.from.as_deref(), "from")?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = date(query.to.as_deref(), "to")?.unwrap_or(today);
    // The figures and the movement are two scans of the subtree, each on a
    // blocking thread: side by side, the page waits for the longer one only.
    let (report, movement) = tokio::join!(
        web.app.statistics(viewer, id, as_of, known_at),
        web.app.movement(viewer, id, from, to)
    );
    let (report, movement) = (report?, movement?);
    let org = web.app.organization(viewer, report.org)?;
    let mut children: Vec<(String, &Report)> = report
        .breakdown
        .iter()
        .map(|child| {
            let name = web
                .app
                .organization(viewer, child.org)
                .map(|o| o.name)
                .unwrap_or_default();
            (name, child)
        })
        .collect();
    match query.sort.as_deref() {
        Some("members") => children.sort_by_key(|c| std::cmp::Reverse(c.1.members)),
        Some("youth") => children.sort_by_key(|c| std::cmp::Reverse(c.1.youth)),
        Some("coverage") => children.sort_by(|a, b| {
            b.1.worker_coverage
                .partial_cmp(&a.1.worker_coverage)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        _ => children.sort_by(|a, b| a.0.cmp(&b.0)),
    }
    let auditor = viewer.may(Action::ReadEvents).is_ok();
    let path = web.app.path(org.org_id);
    let sort_link = |key: &str| {
        let mut pairs = vec![
            ("sort", key.to_string()),
            ("asOf", report.as_of.to_string()),
        ];
        if let Some(k) = known_at {
            pairs.push(("knownAt", k.to_string()));
        }
        format!(
            "/stats/org/{}?{}#children",
            org.org_id,
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let body = html! {
        nav.crumbs aria-label="Где вы" {
            @for (i, step) in path.iter().enumerate() {
                @if i > 0 { " › " }
                a href={ "/stats/org/" (step.org_id) } { (step.name) }
            }
        }
        h1 { "Статистика: " (org.name) }
        form.panel method="get" action={ "/stats/org/" (org.org_id) } {
            div.row {
                div { label for="asOf" { "На дату" }
                    input #asOf type="date" name="asOf" value=(report.as_of); }
                @if auditor {
                    div { label for="knownAt" { "По данным на позицию журнала" }
                        input #knownAt type="number" min="0" name="knownAt"
                            value=[known_at.map(|k| k.to_string())] placeholder=(report.known_at); }
                }
                div { label for="from" { "Движение с" }
                    input #from type="date" name="from" value=(from); }
                div { label for="to" { "по" }
                    input #to type="date" name="to" value=(to); }
            }
            div.actions { button type="submit" { "Показать" } }
        }
        div.row #figures {
            (figure("Членов профсоюза", &report.members.to_string(), "stat-members"))
            (figure("Молодёжь до 35 лет", &report.youth.to_string(), "stat-youth"))
            (figure("Охват работников", &percent(report.worker_coverage), "stat-worker-coverage"))
            (figure("Охват обучающихся", &percent(report.student_coverage), "stat-student-coverage"))
        }
        p.muted { "Работников по паспортам: " (report.employees) ", обучающихся: " (report.students)
            ". Данные журнала по позицию " (report.known_at) "." }
        (crate::stats_file::form(&org.org_id.to_string(), &report.as_of.to_string(), known_at, !report.breakdown.is_empty()))
        div.row {
            (chart("Пол", pie(&report.by_gender), "chart-gender"))
            (chart("Категории", pie(&report.by_category), "chart-category"))
        }
        div.row {
            (chart("Профессии", bars(&report.by_profession), "chart-profession"))
            (chart("Возраст", bars(&report.by_age_band), "chart-age"))
        }
        div.row {
            (chart("Профсоюзный стаж", bars(&report.by_tenure_band), "chart-tenure"))
            (chart("Типы организаций", bars(&report.by_sector), "chart-sector"))
        }
        h2 { "Движение с " (words::date(movement.from)) " по " (words::date(movement.to)) }
        (chart("", bars(&[
            ("принято", movement.admitted),
            ("переведено к нам", movement.transferred_in),
            ("переведено от нас", movement.transferred_out),
            ("выбыло", movement.ended),
        ]), "chart-movement"))
        p #net { "Изменение численности: " strong { (format!("{:+}", movement.net)) } }
        @if !children.is_empty() {
            h2 #children { "По организациям в составе" }
            table.wide #breakdown {
                thead { tr {
                    th { a href=(sort_link("name")) { "Организация" } }
                    th.num { a href=(sort_link("members")) { "Членов" } }
                    th.num { a href=(sort_link("youth")) { "Молодёжь" } }
                    th.num { a href=(sort_link("coverage")) { "Охват работников" } }
                } }
                tbody { @for (name, child) in &children {
                    tr { td { a href={ "/stats/org/" (child.org) } { (name) } }
                        td.num { (child.members) } td.num { (child.youth) }
                        td.num { (percent(child.worker_coverage)) } }
                } }
            }
        }
    };
    Ok(layout::page_with_charts(visit, web, "Статистика", body))
}

fn percent(share: Option<f64>) -> String {
    match share {
        Some(share) => format!("{:.1} %", share * 100.0).replace('.', ","),
        None => "—".into(),
    }
}

fn figure(label: &str, value: &str, id: &str) -> Markup {
    html! { div.panel { div.muted { (label) } div.status id=(id) { (value) } } }
}

fn chart(title: &str, option: Value, id: &str) -> Markup {
    html! {
        div.panel {
            @if !title.is_empty() { h2 { (title) } }
            div.chart id=(id) data-chart=(option.to_string()) role="img" aria-label=(title) {}
        }
    }
}

fn labelled<'a>(buckets: &'a [(&'a str, u64)]) -> impl Iterator<Item = (&'a str, u64)> {
    buckets
        .iter()
        .map(|(key, count)| (words::bucket(key), *count))
}

fn pie(buckets: &[(&str, u64)]) -> Value {
    // Empty slices would only crowd the labels of the others.
    let data: Vec<Value> = labelled(buckets)
        .filter(|(_, value)| *value > 0)
        .map(|(name, value)| json!({ "name": name, "value": value }))
        .collect();
    json!({
        "textStyle": { "fontFamily": "PT Sans" },
        "tooltip": { "trigger": "item" },
        "series": [{ "type": "pie", "radius": ["35%", "65%"], "data": data,
                     "label": { "formatter": "{b}: {c}" } }],
    })
}

fn bars(buckets: &[(&str, u64)]) -> Value {
    let (names, values): (Vec<&str>, Vec<u64>) = labelled(buckets).unzip();
    json!({
        "textStyle": { "fontFamily": "PT Sans" },
        "tooltip": { "trigger": "axis" },
        "grid": { "left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": true },
        "xAxis": { "type": "value" },
        "yAxis": { "type": "category", "data": names, "inverse": true },
        "series": [{ "type": "bar", "data": values, "itemStyle": { "color": "#1f5fa8" },
                     "label": { "show": true, "position": "right" } }],
    })
}
