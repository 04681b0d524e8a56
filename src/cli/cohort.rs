//! `cohort`: a virtual cohort to CSV, optionally one shard of it.

use super::*;
use indicatif::{ProgressBar, ProgressStyle};

/// `I/N` into a patient range of `total`.
fn shard_range(text: Option<&str>, total: u64) -> anyhow::Result<std::ops::Range<u64>> {
    let Some(text) = text else {
        return Ok(0..total);
    };
    let bad = || usage(format!("--shard '{text}': expected I/N with 0 <= I < N"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    if n > total {
        return Err(usage(format!(
            "--shard '{text}': {n} shards of {total} patients leave some empty; use at most {total}"
        )));
    }
    // In 128 bits: i * total overflows 64 bits near the top of --n's range.
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n)) as u64;
    Ok(at(i)..at(i + 1))
}

/// The largest cohort one command runs (`--n`): a billion patients, sharded over a cluster.
pub const MAX_COHORT_N: u64 = 1_000_000_000;

/// One CSV cell of a JSON value (numbers in their shortest exact form: byte-stable).
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

pub struct CohortOptions<'a> {
    pub n: u64,
    pub seed: u64,
    pub strategies: &'a [String],
    pub out: &'a std::path::Path,
    pub shard: Option<&'a str>,
}

pub fn cohort(preset: &str, sets: &[String], o: CohortOptions) -> anyhow::Result<()> {
    let strategies: Vec<Strategy> = o
        .strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let base = patient_with_overrides(preset, sets)?;
    let range = shard_range(o.shard, o.n)?;
    let io = |path: &std::path::Path| {
        let shown = path.display().to_string();
        move |e: std::io::Error| io_error(shown.clone(), e.to_string())
    };
    if o.out.exists() && !o.out.is_dir() {
        return Err(io_error(
            o.out.display().to_string(),
            "not a folder: --out names the folder the tables go in",
        ));
    }
    std::fs::create_dir_all(o.out).map_err(io(o.out))?;
    // Tables that could not be written are refused before the cohort runs, not after.
    for table in COHORT_TABLES {
        ecmo_unload::files::check_target(&o.out.join(table))?;
    }
    let total = range.end - range.start;
    // On stderr, and drawn only when stderr is a terminal: scripts and logs see no bar.
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(PROGRESS_TEMPLATE)
            .expect("the progress template is valid")
            .progress_chars("#>-"),
    );
    let outcomes =
        ecmo_unload::batch::cohort(&base, o.seed, range.clone(), &strategies, || bar.inc(1))?;
    bar.finish();
    if !bar.is_hidden() {
        // The finished bar stays; what follows starts on a line of its own.
        say("\n");
    }
    // patients.csv: one row per patient and strategy.
    // Each table is built whole and saved atomically (`files::write_bytes`).
    let path = o.out.join(COHORT_TABLES[0]);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["patient".into(), "strategy".into()];
    header.extend(
        ecmo_unload::cohort::SAMPLED
            .iter()
            .map(|(k, _)| k.to_string()),
    );
    header.extend(
        [
            "settle_s",
            "steady",
            "lung_water_6h_ml_kg",
            ecmo_unload::comparison::LACTATE_PROJECTED_KEY,
            ecmo_unload::comparison::PH_PROJECTED_KEY,
        ]
        .map(String::from),
    );
    let summary_keys: Vec<String> = outcomes
        .first()
        .and_then(|o| o.forecasts.first())
        .and_then(|f| serde_json::to_value(&f.summary).ok())
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    header.extend(summary_keys.iter().cloned());
    let csv_err = |e: csv::Error| io_error(path.display().to_string(), e.to_string());
    w.write_record(&header).map_err(csv_err)?;
    for oc in &outcomes {
        for f in &oc.forecasts {
            let summary = serde_json::to_value(&f.summary).unwrap_or_default();
            let mut row = vec![oc.index.to_string(), f.strategy.clone()];
            row.extend(oc.values.iter().map(|v| v.to_string()));
            row.push(f.settle_s.to_string());
            row.push(f.steady.to_string());
            let horizon = ecmo_unload::comparison::AtHorizon::of_forecast(f);
            row.push(horizon.lung_water_ml_kg.to_string());
            row.push(horizon.lactate_mmol_l.to_string());
            row.push(horizon.ph.to_string());
            row.extend(summary_keys.iter().map(|k| cell(&summary[k])));
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    let table = w
        .into_inner()
        .map_err(|e| io_error(path.display().to_string(), e.to_string()))?;
    ecmo_unload::files::write_bytes(&path, &table)?;
    // summary.csv: medians and IQR of each endpoint per strategy.
    let spath = o.out.join(COHORT_TABLES[1]);
    let mut s = csv::Writer::from_writer(Vec::new());
    let serr = |e: csv::Error| io_error(spath.display().to_string(), e.to_string());
    s.write_record(["strategy", "endpoint", "n", "median", "q1", "q3"])
        .map_err(serr)?;
    // Printed once both tables are saved: a failed save prints no summary.
    let mut printed = vec![format!(
        "{:<24} {:<26} {:>10} {:>21}",
        "strategy", "endpoint", "median", "IQR"
    )];
    for (j, st) in strategies.iter().enumerate() {
        for key in ecmo_unload::cohort::ENDPOINTS {
            let xs: Vec<f64> = outcomes
                .iter()
                .map(|oc| ecmo_unload::cohort::endpoint(&oc.forecasts[j], key))
                .collect();
            let (q1, med, q3) = ecmo_unload::cohort::quartiles(&xs);
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
        .map_err(|e| io_error(spath.display().to_string(), e.to_string()))?;
    ecmo_unload::files::write_bytes(&spath, &table)?;
    for line in printed {
        outln!("{line}")?;
    }
    Ok(())
}

/// The tables a cohort writes in its `--out` folder.
const COHORT_TABLES: [&str; 2] = ["patients.csv", "summary.csv"];

/// Progress bar: updates and width.
/// The cohort's progress bar: patients done of the shard's, and the time left.
const PROGRESS_TEMPLATE: &str = "cohort [{bar:30}] {pos}/{len} patients, {eta} left";
