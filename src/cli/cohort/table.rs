//! The patients table: its columns, a patient's rows, how far a table on disk got (resume),
//! and the summary read back from it.

use super::*;
use std::io::Seek;

/// One CSV cell of a JSON value (numbers in their shortest exact form: byte-stable).
pub(super) fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// The patients table's columns.
pub(super) fn header() -> Vec<String> {
    let mut h: Vec<String> = vec!["patient".into(), "strategy".into()];
    h.extend(
        ecmo_unload::cohort::SAMPLED
            .iter()
            .map(|(k, _)| k.to_string()),
    );
    h.extend(
        [
            "settle_s",
            "steady",
            "lung_water_6h_ml_kg",
            ecmo_unload::comparison::LACTATE_PROJECTED_KEY,
            ecmo_unload::comparison::PH_PROJECTED_KEY,
        ]
        .map(String::from),
    );
    h.extend(ecmo_unload::engine::summary_keys().iter().cloned());
    h.push("horizon_h".into());
    h.extend(horizon_columns());
    h.push("error".into());
    h
}

/// The hourly point at the horizon, one column per value (`at_horizon_map_mmhg`, ...).
pub(super) fn horizon_columns() -> Vec<String> {
    ecmo_unload::forecast::HourPoint::NAMES
        .iter()
        .map(|name| format!("at_horizon_{name}"))
        .collect()
}

/// The endpoints summarised: the compared ones, and where each strategy stands at the horizon.
pub(super) fn summary_endpoints() -> Vec<String> {
    let mut e: Vec<String> = ecmo_unload::cohort::ENDPOINTS
        .iter()
        .map(|s| s.to_string())
        .collect();
    e.extend(
        [
            "map_mmhg",
            "pcwp_mmhg",
            "lung_water_ml_kg",
            "lactate_mmol_l",
            "ph",
        ]
        .map(|k| format!("at_horizon_{k}")),
    );
    e
}

/// The rows of one patient: one per strategy, or one naming its error.
pub(super) fn rows(
    base: &Patient,
    seed: u64,
    index: u64,
    result: &Result<ecmo_unload::cohort::Outcome, String>,
    horizon_h: usize,
    width: usize,
) -> Vec<Vec<String>> {
    let keys = ecmo_unload::engine::summary_keys();
    match result {
        Ok(oc) => oc
            .forecasts
            .iter()
            .map(|f| {
                let summary = serde_json::to_value(&f.summary).unwrap_or_default();
                let mut row = vec![oc.index.to_string(), f.strategy.clone()];
                row.extend(oc.values.iter().map(|v| v.to_string()));
                row.push(f.settle_s.to_string());
                row.push(f.steady.to_string());
                let horizon = ecmo_unload::comparison::AtHorizon::of_forecast(f);
                for v in [horizon.lung_water_ml_kg, horizon.lactate_mmol_l, horizon.ph] {
                    row.push(if v.is_finite() {
                        v.to_string()
                    } else {
                        String::new()
                    });
                }
                row.extend(keys.iter().map(|k| cell(&summary[k])));
                row.push(horizon_h.to_string());
                match f.hourly.get(horizon_h) {
                    Some(p) => row.extend(p.values().iter().map(|(_, v)| v.to_string())),
                    None => row.extend(horizon_columns().iter().map(|_| String::new())),
                }
                row.push(String::new());
                row
            })
            .collect(),
        Err(message) => {
            let mut row = vec![index.to_string(), String::new()];
            match ecmo_unload::cohort::sample(base, seed, index) {
                Ok((values, _)) => row.extend(values.iter().map(|v| v.to_string())),
                Err(_) => row.extend(ecmo_unload::cohort::SAMPLED.iter().map(|_| String::new())),
            }
            row.resize(width - 1, String::new());
            row.push(message.replace(['\n', '\r'], " "));
            vec![row]
        }
    }
}

/// How far a patients table got: the patients complete in it (consecutive from `first`), the
/// byte length holding exactly them, and whether it is the table this cohort writes.
pub(super) fn complete_patients(
    path: &Path,
    first: u64,
    strategies: usize,
) -> anyhow::Result<(u64, u64)> {
    let shown = path.display().to_string();
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| io_error(&shown, e))?;
    let found = r.headers().map_err(|e| io_error(&shown, e))?.clone();
    if found.iter().collect::<Vec<_>>() != header() {
        return Err(io_error(
            &shown,
            "not this version's cohort table (its columns differ): use another --out",
        ));
    }
    let mut bytes = std::fs::File::open(path).map_err(|e| io_error(&shown, e))?;
    let mut done = 0u64;
    let mut good_len = r.position().byte();
    let mut current: Option<(u64, usize)> = None;
    let mut record = csv::StringRecord::new();
    let width = found.len();
    // A torn last line (a killed run) ends the reading: everything before it stands.
    while let Ok(true) = r.read_record(&mut record) {
        let end = r.position().byte();
        let Some(index) = record.get(0).and_then(|v| v.parse::<u64>().ok()) else {
            break;
        };
        if record.len() != width {
            break;
        }
        let failed = !record.get(width - 1).unwrap_or("").is_empty();
        let rows = match current {
            Some((i, k)) if i == index => k + 1,
            _ if index == first + done => 1,
            _ => break,
        };
        current = Some((index, rows));
        // A line cut just before its newline parses whole: it is not whole until the newline.
        if (failed || rows == strategies) && ends_a_line(&mut bytes, end) {
            done += 1;
            good_len = end;
        }
    }
    Ok((done, good_len))
}

/// Is the byte before `end` a newline?
pub(super) fn ends_a_line(file: &mut std::fs::File, end: u64) -> bool {
    use std::io::Read;
    let mut last = [0u8];
    end > 0
        && file.seek(std::io::SeekFrom::Start(end - 1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] == b'\n'
}

/// summary.csv from a patients table: medians and IQR of each
/// endpoint per strategy, over the patients that did not fail. Printed once saved.
pub(super) fn summarise(table: &Path, strategies: &[Strategy], out: &Path) -> anyhow::Result<()> {
    let endpoints = summary_endpoints();
    let mut values: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); endpoints.len()]; strategies.len()];
    {
        let shown = table.display().to_string();
        let mut r = csv::Reader::from_path(table).map_err(|e| io_error(&shown, e))?;
        let head = r.headers().map_err(|e| io_error(&shown, e))?.clone();
        let column: Vec<Option<usize>> = endpoints
            .iter()
            .map(|k| head.iter().position(|h| h == k))
            .collect();
        let strategy_col = 1;
        for (line, record) in r.records().enumerate() {
            let record = record.map_err(|e| io_error(format!("{shown}:{}", line + 2), e))?;
            let Some(j) = strategies
                .iter()
                .position(|s| Some(s.name.as_str()) == record.get(strategy_col))
            else {
                continue;
            };
            for (k, c) in column.iter().enumerate() {
                let x = c
                    .and_then(|c| record.get(c))
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(f64::NAN);
                if x.is_finite() {
                    values[j][k].push(x);
                }
            }
        }
    }
    let mut s = csv::Writer::from_writer(Vec::new());
    let serr = |e: csv::Error| io_error(out.display().to_string(), e.to_string());
    s.write_record(["strategy", "endpoint", "n", "median", "q1", "q3"])
        .map_err(serr)?;
    let mut printed = vec![format!(
        "{:<24} {:<26} {:>10} {:>21}",
        "strategy", "endpoint", "median", "IQR"
    )];
    for (j, st) in strategies.iter().enumerate() {
        for (k, key) in endpoints.iter().enumerate() {
            let xs = &values[j][k];
            let (q1, med, q3) = ecmo_unload::cohort::quartiles(xs);
            s.write_record([
                st.name.clone(),
                key.to_string(),
                xs.len().to_string(),
                format!("{med:.4}"),
                format!("{q1:.4}"),
                format!("{q3:.4}"),
            ])
            .map_err(serr)?;
            printed.push(format!(
                "{:<24} {key:<26} {med:>10.2} {:>10.2} - {:<8.2}",
                st.name, q1, q3
            ));
        }
    }
    let table = s
        .into_inner()
        .map_err(|e| io_error(out.display().to_string(), e.to_string()))?;
    ecmo_unload::files::write_bytes(out, &table)?;
    for line in printed {
        outln!("{line}")?;
    }
    Ok(())
}
