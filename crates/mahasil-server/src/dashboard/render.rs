//! The dashboard page in HTML: the filter form, KPI tiles, the district map, the charts
//! (each a figure whose table is the no-script fallback) and every table with its CSV link.

use maud::{Markup, PreEscaped, html};
use serde_json::json;

use super::filter::{Filter, WINDOWS};
use super::forecasts::SeriesForecast;
use super::labels::{self, L, Lang};
use super::table::{DataTable, percent};
use super::view::{Overview, day_start, day_text};
use crate::web::widgets::money;

/// Collection rates at which the map's shade steps up: below 40%, 40–55%, 55–70%, 70–85%,
/// 85% and above.
pub const MAP_STEPS: [f64; 4] = [0.40, 0.55, 0.70, 0.85];
const MAP_LEGEND: [&str; 5] = ["< 40%", "40–55%", "55–70%", "70–85%", "≥ 85%"];

/// What the filter form offers: (value, label) pairs.
pub struct Choices {
    pub districts: Vec<(String, String)>,
    pub departments: Vec<(String, String)>,
    pub heads: Vec<(String, String)>,
}

fn select(name: &str, label: L, lang: Lang, chosen: Option<&str>, options: &[(String, String)]) -> Markup {
    html! {
        label {
            (label.t(lang))
            select name=(name) {
                option value="" selected[chosen.is_none()] { (labels::ALL.t(lang)) }
                @for (value, text) in options {
                    option value=(value) selected[chosen == Some(value.as_str())] { (text) }
                }
            }
        }
    }
}

fn filter_form(f: &Filter, choices: &Choices) -> Markup {
    let lang = f.lang;
    let head = f.head.as_ref().map(ToString::to_string);
    html! {
        form.dashboard-filter method="get" action="/dashboard" {
            (select("district", labels::DISTRICT, lang, f.district.as_ref().map(|s| s.as_str()), &choices.districts))
            (select("department", labels::DEPARTMENT, lang, f.department.as_ref().map(|s| s.as_str()), &choices.departments))
            (select("head", labels::HEAD, lang, head.as_deref(), &choices.heads))
            label {
                (labels::LAST_DAYS.t(lang))
                select name="days" { @for d in WINDOWS { option value=(d) selected[d == f.days] { (d) } } }
            }
            label {
                (labels::BREAK_DOWN_BY.t(lang))
                select name="by" {
                    @for (value, l) in [("district", labels::DISTRICT), ("department", labels::DEPARTMENT), ("head", labels::HEAD)] {
                        option value=(value) selected[value == f.by.as_str()] { (l.t(lang)) }
                    }
                }
            }
            @if lang == Lang::Ur { input type="hidden" name="lang" value="ur"; }
            button type="submit" { (labels::SHOW.t(lang)) }
        }
    }
}

fn kpi(label: L, lang: Lang, value: String, sub: Option<String>) -> Markup {
    html! {
        div.kpi {
            span.kpi-label { (label.t(lang)) }
            strong.kpi-value { (value) }
            @if let Some(s) = sub { span.kpi-sub { (s) } }
        }
    }
}

fn kpis(o: &Overview, lang: Lang) -> Markup {
    let t = &o.totals;
    let in_transit = t.received_paisa() - t.deposited_paisa;
    #[expect(clippy::cast_precision_loss, reason = "a share of paisa sums, shown as a percentage")]
    let deposited_share = (t.received_paisa() > 0).then(|| t.deposited_paisa as f64 / t.received_paisa() as f64);
    html! {
        div.kpis #kpis {
            (kpi(labels::IMPOSED, lang, money(t.imposed_paisa()), Some(format!("{} {}", t.issued_n, labels::CHALLANS.t(lang)))))
            (kpi(labels::COLLECTED, lang, money(t.paid_paisa), Some(format!("{} {}", t.paid_n, labels::PAID.t(lang)))))
            (kpi(labels::COLLECTION_RATE, lang, percent(t.collection_rate()), None))
            (kpi(labels::OUTSTANDING, lang, money(t.outstanding_paisa()), None))
            (kpi(labels::WAIVED, lang, money(t.waived_paisa), Some(format!("{} {}", t.waived_n, labels::CHALLANS.t(lang)))))
            (kpi(labels::CANCELLED, lang, money(t.cancelled_paisa), Some(format!("{} {}", t.cancelled_n, labels::CHALLANS.t(lang)))))
            (kpi(labels::DEPOSITED, lang, money(t.deposited_paisa), Some(percent(deposited_share))))
            (kpi(labels::IN_TRANSIT, lang, money(in_transit), None))
        }
    }
}

/// A chart figure: the table as its fallback, the spec as JSON for `dashboard.js`.
fn chart(id: &str, kind: &str, caption: &str, spec: &serde_json::Value, fallback: Markup) -> Markup {
    let json = spec.to_string().replace('<', "\\u003c");
    html! {
        figure.chart id=(id) data-chart=(kind) {
            figcaption { (caption) }
            (fallback)
            script type="application/json" { (PreEscaped(json)) }
        }
    }
}

#[expect(clippy::cast_precision_loss, reason = "paisa shown as rupees in a chart")]
fn rupees(paisa: i64) -> f64 {
    paisa as f64 / 100.0
}

fn revenue_chart(o: &Overview, f: &Filter, series_table: &DataTable) -> Markup {
    let x: Vec<i64> = o.daily.iter().map(|(d, _)| day_start(*d)).collect();
    let series: Vec<_> = o.by_dimension.iter().map(|(k, v)| json!({ "label": k, "values": v.iter().map(|p| rupees(*p)).collect::<Vec<_>>() })).collect();
    let spec = json!({ "x": x, "xKind": "time", "xLabel": labels::DATE.t(f.lang), "unit": "PKR", "series": series });
    let caption = format!("{} — {}, {} {}", labels::REVENUE_OVER_TIME.t(f.lang), labels::COLLECTED.t(f.lang), f.days, labels::LAST_DAYS.t(f.lang));
    chart("revenue", "stacked", &caption, &spec, series_table.html(f.lang))
}

fn forecast_section(fc: Option<&SeriesForecast>, lang: Lang, note: &str) -> Markup {
    html! {
        section.card #forecast {
            h2 { (labels::FORECASTS.t(lang)) }
            @match fc.and_then(|s| s.forecast.as_ref().ok().map(|f| (s, f))) {
                None => { p.note { (note) } @if let Some(Err(e)) = fc.map(|s| &s.forecast) { p.note { (e) } } }
                Some((s, f)) => {
                    @let first = s.last_day + 1;
                    @let recent_x: Vec<i64> = (0..s.recent.len()).map(|i| day_start(s.last_day - (s.recent.len() - 1 - i) as i64)).collect();
                    @let ahead_x: Vec<i64> = f.points.iter().map(|p| day_start(first + i64::from(p.day_offset) - 1)).collect();
                    @let x: Vec<i64> = recent_x.iter().chain(ahead_x.iter()).copied().collect();
                    @let n = s.recent.len();
                    @let actual: Vec<Option<f64>> = s.recent.iter().map(|v| Some(v / 100.0)).chain(f.points.iter().map(|_| None)).collect();
                    @let pad = || std::iter::repeat_n(None::<f64>, n);
                    @let mean: Vec<Option<f64>> = pad().chain(f.points.iter().map(|p| Some(p.mean / 100.0))).collect();
                    @let lo: Vec<Option<f64>> = pad().chain(f.points.iter().map(|p| Some(p.lo80 / 100.0))).collect();
                    @let hi: Vec<Option<f64>> = pad().chain(f.points.iter().map(|p| Some(p.hi80 / 100.0))).collect();
                    @let naive: Vec<Option<f64>> = pad().chain(f.baseline.iter().map(|v| Some(v / 100.0))).collect();
                    @let spec = json!({ "x": x, "xKind": "time", "xLabel": labels::DATE.t(lang), "unit": "PKR", "series": [
                        { "label": labels::COLLECTED.t(lang), "values": actual },
                        { "label": format!("{} ({})", labels::FORECAST.t(lang), labels::INTERVAL80.t(lang)), "values": mean, "dashed": true, "band": { "lo": lo, "hi": hi } },
                        { "label": labels::BASELINE.t(lang), "values": naive, "dashed": true },
                    ]});
                    @let b = &f.backtest;
                    p #backtest {
                        (f.method.name()) ". "
                        "Backtest: " (b.origins) " forecasts of " (b.horizon) " days made from past days with only the data before them. "
                        "Mean absolute error " (money(b.mae_model.round() as i64)) " a day, against " (money(b.mae_naive.round() as i64)) " for the seasonal-naive forecast"
                        @if let (Some(m), Some(n)) = (b.mase_model, b.mase_naive) { " (MASE " (format!("{m:.2}")) " against " (format!("{n:.2}")) ")" }
                        ". The 80% interval held " (percent(Some(b.coverage80))) " of actual days, the 95% interval " (percent(Some(b.coverage95))) "."
                    }
                    (chart("forecast-chart", "line", labels::FORECASTS.t(lang), &spec, forecast_table(s, f).html(lang)))
                }
            }
        }
    }
}

/// The forecast days as a table (also the CSV `forecast`).
pub fn forecast_table(s: &SeriesForecast, f: &mahasil_insight::forecast::Forecast) -> DataTable {
    use super::table::Cell;
    let mut t =
        DataTable::new("forecast", labels::FORECASTS, vec![labels::DATE, labels::FORECAST, labels::FORECAST_LO80, labels::FORECAST_HI80, labels::BASELINE]);
    for (p, naive) in f.points.iter().zip(&f.baseline) {
        t.rows.push(vec![
            Cell::Text(day_text(s.last_day + i64::from(p.day_offset))),
            Cell::Money(p.mean.round() as i64),
            Cell::Money(p.lo80.round() as i64),
            Cell::Money(p.hi80.round() as i64),
            Cell::Money(naive.round() as i64),
        ]);
    }
    t
}

fn map_section(o: &Overview, f: &Filter) -> Markup {
    use mahasil_insight::map::{DistrictMap, Shade, attribution, legend};
    let lang = f.lang;
    let shades: Vec<Shade> = o
        .district_rates
        .iter()
        .map(|(slug, r)| {
            let rate = r.collection_rate();
            Shade {
                slug: slug.clone(),
                fill_level: rate.map(|x| u8::try_from(MAP_STEPS.iter().filter(|s| x >= **s).count()).unwrap_or(4)),
                title: format!("{slug}: {} {}", percent(rate), labels::COLLECTED.t(lang)),
                href: Some(format!("/dashboard{}", f.query(&[("district", Some(slug))]))),
            }
        })
        .collect();
    html! {
        section.card.map-panel #map {
            h2 { (labels::MAP.t(lang)) }
            @match DistrictMap::kp() {
                Ok(map) => {
                    (PreEscaped(map.render_labelled(labels::MAP.t(lang), &shades)))
                    (PreEscaped(legend(&MAP_LEGEND, labels::NO_DATA.t(lang))))
                    p.attribution { (attribution()) }
                }
                Err(e) => { p.note { "The district map cannot be drawn: " (e) } }
            }
        }
    }
}

fn table_section(t: &DataTable, f: &Filter) -> Markup {
    html! {
        section.card id={ "section-" (t.id) } {
            h2 { (t.title.t(f.lang)) " " a.csv href={ "/dashboard/export/" (t.id) ".csv" (f.query(&[("lang", None)])) } { (labels::EXPORT.t(f.lang)) } }
            (t.html(f.lang))
        }
    }
}

/// The whole page's content.
pub fn page(o: &Overview, f: &Filter, choices: &Choices, forecast: Option<&SeriesForecast>, forecast_note: &str, open_flags: Option<u64>) -> Markup {
    let lang = f.lang;
    let other_lang = if lang == Lang::En { ("ur", "اردو") } else { ("en", "English") };
    let series_table = series_table(o);
    let challans_link = {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(d) = &f.district {
            q.append_pair("district", d.as_str());
        }
        if let Some(h) = &f.head {
            q.append_pair("head", &h.to_string());
        }
        q.append_pair("status", "issued");
        format!("/challans?{}", q.finish())
    };
    html! {
        div.dashboard lang=(lang.code()) dir=(lang.dir()) {
            link rel="stylesheet" href="/assets/dashboard/vendor/uPlot.min.css";
            link rel="stylesheet" href="/assets/dashboard/dashboard.css";
            link rel="stylesheet" href="/assets/dashboard/map.css";
            script defer src="/assets/dashboard/vendor/uPlot.iife.min.js" {}
            script type="module" src="/assets/dashboard/dashboard.js" {}
            h1 { (labels::DASHBOARD.t(lang)) }
            p.dashboard-links {
                a href={ "/dashboard" (f.query(&[("lang", Some(other_lang.0))])) } lang=(other_lang.0) { (other_lang.1) }
                " · " a href=(challans_link) { (labels::OPEN_CHALLANS.t(lang)) }
                @if let Some(n) = open_flags { " · " a href="/dashboard/flags" { (labels::FLAGS.t(lang)) " (" (n) ")" } }
                " · " a href={ "/dashboard/export/kpis.csv" (f.query(&[("lang", None)])) } { "KPIs " (labels::EXPORT.t(lang)) }
            }
            (filter_form(f, choices))
            (kpis(o, lang))
            section.card #revenue-section {
                h2 { (labels::REVENUE_OVER_TIME.t(lang)) " " a.csv href={ "/dashboard/export/series.csv" (f.query(&[("lang", None)])) } { (labels::EXPORT.t(lang)) } }
                (revenue_chart(o, f, &series_table))
            }
            (forecast_section(forecast, lang, forecast_note))
            (map_section(o, f))
            @for t in &o.tables { (table_section(t, f)) }
        }
    }
}

/// The revenue chart's figures as a table: collected per day and series.
pub fn series_table(o: &Overview) -> DataTable {
    use super::table::Cell;
    let mut t = DataTable::new("series", labels::REVENUE_OVER_TIME, vec![labels::DATE]);
    t.columns.extend(o.by_dimension.iter().map(|(k, _)| super::table::Column::Key(k.clone())));
    for (i, (d, _)) in o.daily.iter().enumerate() {
        let mut row = vec![Cell::Text(day_text(*d))];
        row.extend(o.by_dimension.iter().map(|(_, v)| Cell::Money(v.get(i).copied().unwrap_or(0))));
        t.rows.push(row);
    }
    t
}

/// The KPI tiles as a table (the CSV `kpis`).
pub fn kpi_table(o: &Overview) -> DataTable {
    use super::table::Cell;
    let t = &o.totals;
    let mut table = DataTable::new(
        "kpis",
        labels::DASHBOARD,
        vec![
            labels::CHALLANS,
            labels::IMPOSED,
            labels::COLLECTED,
            labels::COLLECTION_RATE,
            labels::OUTSTANDING,
            labels::CANCELLED,
            labels::WAIVED,
            labels::DEPOSITED,
            labels::IN_TRANSIT,
        ],
    );
    table.rows.push(vec![
        Cell::Count(t.issued_n),
        Cell::Money(t.imposed_paisa()),
        Cell::Money(t.paid_paisa),
        Cell::Percent(t.collection_rate()),
        Cell::Money(t.outstanding_paisa()),
        Cell::Money(t.cancelled_paisa),
        Cell::Money(t.waived_paisa),
        Cell::Money(t.deposited_paisa),
        Cell::Money(t.received_paisa() - t.deposited_paisa),
    ]);
    table
}
