//! Debrief: the session as one self-contained HTML report (event log, trends and PV loops as
//! SVG plots with axes, ticks and legends, inline in the page) with the CSVs beside it, written
//! to a new folder.

use crate::record::log::EventLog;
use crate::sim::TrendPoint;
use crate::tabs::trends::Trends;
use ecmo_unload::scenario::Scenario;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Plot size in pixels.
const PLOT_W: u32 = 900;
const PLOT_H: u32 = 300;
const MARGIN_PX: u32 = 12;
/// Room for the tick labels and the axis names.
const X_LABEL_AREA_PX: u32 = 56;
const Y_LABEL_AREA_PX: u32 = 76;
/// plotters draws text at about 0.65 of this size.
const LABEL_FONT_PX: u32 = 18;
const LINE_WIDTH_PX: u32 = 2;
const LEGEND_LINE_PX: i32 = 18;
const BACKGROUND: RGBColor = RGBColor(20, 20, 24);
const FRAME: RGBColor = RGBColor(90, 90, 100);
const GRID: RGBColor = RGBColor(45, 45, 52);
const TEXT: RGBColor = RGBColor(210, 210, 215);
/// Line colours, in series order: red, green, orange, cyan, white, yellow.
const COLOURS: [RGBColor; 6] = [
    RGBColor(240, 70, 70),
    RGBColor(120, 220, 120),
    RGBColor(255, 160, 60),
    RGBColor(80, 230, 230),
    RGBColor(235, 235, 235),
    RGBColor(250, 220, 60),
];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One plot: a title, its axes' names, and its named series of (x, y) points.
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<(String, Vec<[f64; 2]>)>,
}

/// The finite range of the chart's points on each axis, never empty.
fn ranges(chart: &Chart) -> [std::ops::Range<f64>; 2] {
    let finite = || {
        chart
            .series
            .iter()
            .flat_map(|(_, s)| s.iter())
            .filter(|p| p[0].is_finite() && p[1].is_finite())
    };
    let span = |k: usize| {
        let (lo, hi) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[k]), hi.max(p[k]))
        });
        if !lo.is_finite() {
            0.0..1.0
        } else if hi - lo < 1e-9 {
            lo - 0.5..hi + 0.5
        } else {
            lo..hi
        }
    };
    [span(0), span(1)]
}

/// The chart as an SVG document (a string to put in the page as it is).
fn render(chart: &Chart) -> Result<String> {
    let [xs, ys] = ranges(chart);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (PLOT_W, PLOT_H)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let font = ("sans-serif", LABEL_FONT_PX).into_font().color(&TEXT);
        let mut c = ChartBuilder::on(&root)
            .margin(MARGIN_PX)
            .x_label_area_size(X_LABEL_AREA_PX)
            .y_label_area_size(Y_LABEL_AREA_PX)
            .build_cartesian_2d(xs, ys)?;
        c.configure_mesh()
            .axis_style(FRAME)
            .bold_line_style(GRID)
            .light_line_style(BACKGROUND)
            .label_style(font.clone())
            .axis_desc_style(font.clone())
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .draw()?;
        for (k, (name, points)) in chart.series.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let style = colour.stroke_width(LINE_WIDTH_PX);
            // A gap (a non-finite value) breaks the line instead of joining across it.
            let runs = points
                .split(|p| !(p[0].is_finite() && p[1].is_finite()))
                .filter(|run| !run.is_empty());
            let mut labelled = false;
            for run in runs {
                let drawn =
                    c.draw_series(LineSeries::new(run.iter().map(|p| (p[0], p[1])), style))?;
                if !labelled {
                    drawn.label(name.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + LEGEND_LINE_PX, y)], style)
                    });
                    labelled = true;
                }
            }
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(BACKGROUND.mix(0.85))
            .border_style(FRAME)
            .label_font(font)
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The trend charts of a session.
fn trend_charts(trends: &Trends) -> Vec<Chart> {
    type Pick = fn(&TrendPoint) -> f64;
    let chart = |title: &str, lines: &[(&str, Pick)]| Chart {
        title: title.into(),
        x_label: "minutes".into(),
        y_label: title.into(),
        series: lines
            .iter()
            .map(|(n, f)| (n.to_string(), trends.series(f)))
            .collect(),
    };
    vec![
        chart(
            "MAP and heart rate",
            &[("MAP mmHg", |p| p.map_mmhg), ("HR bpm", |p| p.hr_bpm)],
        ),
        chart(
            "LVEDP and PCWP (mmHg)",
            &[("LVEDP", |p| p.lvedp_mmhg), ("PCWP", |p| p.pcwp_mmhg)],
        ),
        chart(
            "Lung water (EVLWI, mL/kg)",
            &[("EVLWI", |p| p.lung_water_ml_kg)],
        ),
        chart(
            "Flows (L/min)",
            &[
                ("native CO", |p| p.native_co_l_min),
                ("ECMO", |p| p.ecmo_flow_l_min),
                ("total", |p| p.total_flow_l_min),
            ],
        ),
        chart(
            "SaO2 upper and lower (%)",
            &[
                ("upper", |p| p.sao2_upper_pct),
                ("lower", |p| p.sao2_lower_pct),
            ],
        ),
    ]
}

/// Write the debrief into a new folder `dir`: report.html, events.csv, trends.csv.
pub fn write(
    dir: &Path,
    log: &EventLog,
    trends: &Trends,
    loops: Vec<(String, Vec<[f64; 2]>)>,
    scenario: Option<&Scenario>,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    // Each file is built whole and saved atomically (`files::write_bytes`).
    let mut events = csv::Writer::from_writer(Vec::new());
    events.write_record(["wall_clock", "sim_s", "source", "event"])?;
    for e in log.entries() {
        events.write_record([
            e.wall.to_rfc3339(),
            e.sim_s.to_string(),
            e.source.to_string(),
            e.text.clone(),
        ])?;
    }
    ecmo_unload::files::write_bytes(&dir.join("events.csv"), &events.into_inner()?)?;
    let mut tcsv = csv::Writer::from_writer(Vec::new());
    tcsv.write_record([
        "t_s",
        "hr_bpm",
        "map_mmhg",
        "lvedp_mmhg",
        "pcwp_mmhg",
        "lung_water_ml_kg",
        "native_co_l_min",
        "ecmo_flow_l_min",
        "total_flow_l_min",
        "sao2_upper_pct",
        "sao2_lower_pct",
        "av_opening_pct",
    ])?;
    for p in trends.points() {
        let row = [
            p.t_s,
            p.hr_bpm,
            p.map_mmhg,
            p.lvedp_mmhg,
            p.pcwp_mmhg,
            p.lung_water_ml_kg,
            p.native_co_l_min,
            p.ecmo_flow_l_min,
            p.total_flow_l_min,
            p.sao2_upper_pct,
            p.sao2_lower_pct,
            p.av_opening_pct,
        ];
        tcsv.write_record(row.iter().map(|x| x.to_string()))?;
    }
    ecmo_unload::files::write_bytes(&dir.join("trends.csv"), &tcsv.into_inner()?)?;
    let mut charts = trend_charts(trends);
    charts.push(Chart {
        title: "LV pressure-volume loops".into(),
        x_label: "LV volume (mL)".into(),
        y_label: "LV pressure (mmHg)".into(),
        series: loops,
    });
    let mut html = String::new();
    let title = scenario.map_or("ecmo-unload session".to_string(), |s| s.title.clone());
    let _ = write!(
        html,
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Debrief: {t}</title>\
         <style>body{{font-family:sans-serif;background:#111;color:#ddd;max-width:960px;margin:auto}}\
         table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #333;padding:2px 8px;text-align:left}}\
         .note{{color:#fc6}}</style></head><body><h1>Debrief: {t}</h1>\
         <p class=\"note\">ecmo-unload: a simulation for education and research, not a medical device.</p>\
         <p>Written {w}. Beside this page: <a href=\"events.csv\">events.csv</a>, \
         <a href=\"trends.csv\">trends.csv</a>.</p>",
        t = escape(&title),
        w = chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
    );
    if let Some(s) = scenario {
        html.push_str("<h2>Learning objectives</h2><ul>");
        for o in &s.objectives {
            let _ = write!(html, "<li>{}</li>", escape(o));
        }
        html.push_str("</ul>");
    }
    html.push_str("<h2>Trends and loops</h2>");
    for c in &charts {
        let _ = write!(
            html,
            "<h3>{}</h3><figure role=\"img\" aria-label=\"{}\">{}</figure>",
            escape(&c.title),
            escape(&c.title),
            render(c)?
        );
    }
    html.push_str("<h2>Event log</h2><table><tr><th>wall clock</th><th>sim time</th><th>source</th><th>event</th></tr>");
    for e in log.entries() {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{:.1} s</td><td>{}</td><td>{}</td></tr>",
            e.wall.format("%H:%M:%S"),
            e.sim_s,
            escape(e.source),
            escape(&e.text)
        );
    }
    html.push_str("</table></body></html>\n");
    let report = dir.join("report.html");
    ecmo_unload::files::write_bytes(&report, html.as_bytes())?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_axes_ticks_and_a_legend_and_breaks_at_gaps() {
        let chart = Chart {
            title: "MAP".into(),
            x_label: "minutes".into(),
            y_label: "MAP (mmHg)".into(),
            series: vec![
                (
                    "MAP".into(),
                    vec![
                        [0.0, 60.0],
                        [1.0, 65.0],
                        [2.0, f64::NAN],
                        [3.0, 70.0],
                        [4.0, 72.0],
                    ],
                ),
                ("target".into(), vec![[0.0, 65.0], [4.0, 65.0]]),
            ],
        };
        let svg = render(&chart).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        let texts: Vec<&str> = svg
            .split("</text>")
            .filter_map(|s| s.rsplit('>').next())
            .map(str::trim)
            .collect();
        for text in ["minutes", "MAP (mmHg)", "MAP", "target", "70.0", "4.0"] {
            assert!(texts.contains(&text), "{text} missing in {texts:?}");
        }
        assert!(!svg.contains("NaN"), "a gap is not drawn");
        // Two runs of the MAP line and the target: three polylines, plus the legend's marks.
        assert!(svg.matches("<polyline").count() >= 3);
    }

    #[test]
    fn an_empty_or_flat_chart_still_has_a_range() {
        let flat = Chart {
            title: "flat".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![("a".into(), vec![[1.0, 5.0]])],
        };
        let [xs, ys] = ranges(&flat);
        assert!(xs.end > xs.start && ys.end > ys.start);
        let empty = Chart {
            series: vec![],
            ..flat
        };
        assert!(render(&empty).is_ok());
    }
}
