//! Debrief: the session as one self-contained HTML report (event log, trends and PV loops as
//! PNG plots embedded in the page) with the CSVs beside it, written to a new folder.

use crate::log::EventLog;
use crate::sim::TrendPoint;
use crate::trends::Trends;
use ecmo_unload::scenario::Scenario;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Plot size in pixels.
const PLOT_W: usize = 900;
const PLOT_H: usize = 260;
const MARGIN: usize = 12;
const BACKGROUND: [u8; 4] = [20, 20, 24, 255];
const FRAME: [u8; 4] = [90, 90, 100, 255];
/// Line colours (RGBA): red, green, orange, cyan, white, yellow.
const COLOURS: [[u8; 4]; 6] = [
    [240, 70, 70, 255],
    [120, 220, 120, 255],
    [255, 160, 60, 255],
    [80, 230, 230, 255],
    [235, 235, 235, 255],
    [250, 220, 60, 255],
];
const COLOUR_NAMES: [&str; 6] = ["red", "green", "orange", "cyan", "white", "yellow"];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One plot: a title and its named series of (x, y) points.
pub struct Chart {
    pub title: String,
    pub series: Vec<(String, Vec<[f64; 2]>)>,
}

/// Draw the series into an RGBA image, each scaled to the common ranges; returns the PNG bytes
/// and the ranges (for the caption).
fn render(chart: &Chart) -> Result<(Vec<u8>, [f64; 4])> {
    let mut px = vec![0u8; PLOT_W * PLOT_H * 4];
    for p in px.chunks_mut(4) {
        p.copy_from_slice(&BACKGROUND);
    }
    let all = chart
        .series
        .iter()
        .flat_map(|(_, s)| s.iter())
        .filter(|p| p[0].is_finite() && p[1].is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for p in all {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 - x0 < 1e-9 {
        x1 = x0 + 1.0;
    }
    if y1 - y0 < 1e-9 {
        y1 = y0 + 1.0;
    }
    let to_px = |p: [f64; 2]| -> (f64, f64) {
        let w = (PLOT_W - 2 * MARGIN) as f64;
        let h = (PLOT_H - 2 * MARGIN) as f64;
        (
            MARGIN as f64 + (p[0] - x0) / (x1 - x0) * w,
            (PLOT_H - MARGIN) as f64 - (p[1] - y0) / (y1 - y0) * h,
        )
    };
    let mut put = |x: i64, y: i64, c: [u8; 4]| {
        if (0..PLOT_W as i64).contains(&x) && (0..PLOT_H as i64).contains(&y) {
            let i = (y as usize * PLOT_W + x as usize) * 4;
            px[i..i + 4].copy_from_slice(&c);
        }
    };
    for x in MARGIN..PLOT_W - MARGIN {
        put(x as i64, MARGIN as i64, FRAME);
        put(x as i64, (PLOT_H - MARGIN) as i64, FRAME);
    }
    for y in MARGIN..PLOT_H - MARGIN {
        put(MARGIN as i64, y as i64, FRAME);
        put((PLOT_W - MARGIN) as i64, y as i64, FRAME);
    }
    for (k, (_, s)) in chart.series.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        for w in s.windows(2) {
            let ((ax, ay), (bx, by)) = (to_px(w[0]), to_px(w[1]));
            let n = ((bx - ax).abs().max((by - ay).abs()).ceil() as usize).max(1);
            for i in 0..=n {
                let t = i as f64 / n as f64;
                let (x, y) = (ax + (bx - ax) * t, ay + (by - ay) * t);
                // Two pixels thick: readable when the page is scaled down.
                put(x.round() as i64, y.round() as i64, c);
                put(x.round() as i64, y.round() as i64 + 1, c);
            }
        }
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, PLOT_W as u32, PLOT_H as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()?.write_image_data(&px)?;
    }
    Ok((png_bytes, [x0, x1, y0, y1]))
}

/// Standard base64 (RFC 4648), for the data URIs that make the page self-contained.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
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
        title: "LV pressure-volume loops (mL, mmHg)".into(),
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
        let (png_bytes, [x0, x1, y0, y1]) = render(c)?;
        let legend: Vec<String> = c
            .series
            .iter()
            .enumerate()
            .map(|(k, (n, _))| format!("{} ({})", escape(n), COLOUR_NAMES[k % COLOUR_NAMES.len()]))
            .collect();
        let _ = write!(
            html,
            "<h3>{}</h3><img alt=\"{}\" src=\"data:image/png;base64,{}\"><p>{}; x {x0:.1} to {x1:.1}, y {y0:.1} to {y1:.1}</p>",
            escape(&c.title),
            escape(&c.title),
            base64(&png_bytes),
            legend.join(", ")
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
    fn base64_matches_rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }
}
