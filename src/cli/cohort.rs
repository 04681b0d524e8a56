//! `cohort`: a virtual cohort to CSV, optionally one shard of it, streamed to disk as patients
//! finish (memory flat in N), resumed from what is on disk, and `cohort merge` of shards.

use super::*;
use ecmo_unload::forecast::Options;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::io::{IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};

/// `I/N` into a patient range of `total`.
fn shard_range(shard: Option<(u64, u64)>, total: u64) -> anyhow::Result<std::ops::Range<u64>> {
    let Some((i, n)) = shard else {
        return Ok(0..total);
    };
    if n > total {
        return Err(usage(format!(
            "--shard '{i}/{n}': {n} shards of {total} patients leave some empty; use at most \
             {total}"
        )));
    }
    // In 128 bits: i * total overflows 64 bits near the top of --n's range.
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n)) as u64;
    Ok(at(i)..at(i + 1))
}

fn parse_shard(text: &str) -> anyhow::Result<(u64, u64)> {
    let bad = || usage(format!("--shard '{text}': expected I/N with 0 <= I < N"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The batch systems' array index variables, read when `--shard` is absent: Slurm job arrays
/// (the index from `SLURM_ARRAY_TASK_MIN`, the count from `SLURM_ARRAY_TASK_COUNT` unless
/// `--shards` says) and Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`; the count from
/// `--shards`).
pub const SLURM_INDEX: &str = "SLURM_ARRAY_TASK_ID";
pub const SLURM_MIN: &str = "SLURM_ARRAY_TASK_MIN";
pub const SLURM_COUNT: &str = "SLURM_ARRAY_TASK_COUNT";
pub const KUBERNETES_INDEX: &str = "JOB_COMPLETION_INDEX";

/// The shard to run: `--shard I/N`, else the batch environment's index, else the whole cohort.
fn which_shard(
    shard: Option<&str>,
    shards: Option<u64>,
    env: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<(u64, u64)>> {
    if let Some(text) = shard {
        return parse_shard(text).map(Some);
    }
    let number = |name: &str| -> anyhow::Result<Option<u64>> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| usage(format!("{name}='{v}': expected a whole number")))
            })
            .transpose()
    };
    let (index, count, from) = if let Some(id) = number(SLURM_INDEX)? {
        let min = number(SLURM_MIN)?.unwrap_or(0);
        let count = match (shards, number(SLURM_COUNT)?) {
            (Some(n), Some(c)) if n != c => {
                return Err(usage(format!(
                    "--shards {n} and {SLURM_COUNT}={c} disagree: the array would not cover \
                     the cohort"
                )));
            }
            (Some(n), _) | (None, Some(n)) => n,
            (None, None) => {
                return Err(usage(format!(
                    "{SLURM_INDEX} is set but not {SLURM_COUNT}: pass --shards N"
                )));
            }
        };
        let index = id
            .checked_sub(min)
            .ok_or_else(|| usage(format!("{SLURM_INDEX}={id} is below {SLURM_MIN}={min}")))?;
        (index, count, format!("{SLURM_INDEX}={id} (from {min})"))
    } else if let Some(index) = number(KUBERNETES_INDEX)? {
        let count = shards.ok_or_else(|| {
            usage(format!(
                "{KUBERNETES_INDEX} is set: pass --shards N (the Job's completions)"
            ))
        })?;
        (index, count, format!("{KUBERNETES_INDEX}={index}"))
    } else if let Some(n) = shards {
        return Err(usage(format!(
            "--shards {n}: needs --shard I/N or a batch index ({SLURM_INDEX}, {KUBERNETES_INDEX})"
        )));
    } else {
        return Ok(None);
    };
    if count == 0 || index >= count {
        return Err(usage(format!(
            "{from} makes shard {index} of {count}: expected 0 <= index < count"
        )));
    }
    Ok(Some((index, count)))
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
    pub out: &'a Path,
    pub shard: Option<&'a str>,
    pub shards: Option<u64>,
    pub horizon_h: usize,
    pub parquet: bool,
}

/// What a cohort's output folder holds it to: the cohort (to resume or merge only the same one)
/// and the shard's part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Manifest {
    /// The program that ran it (a model change changes the numbers).
    version: String,
    preset: String,
    sets: Vec<String>,
    /// The base patient itself: a preset file edited between two runs is another cohort.
    patient: serde_json::Value,
    n: u64,
    seed: u64,
    strategies: Vec<String>,
    horizon_h: usize,
    /// Shard index and count (none: the whole cohort).
    shard: Option<(u64, u64)>,
    first: u64,
    end: u64,
}

impl Manifest {
    /// "shard 3 of 16" (numbered from 0, as the files are), or "the whole cohort".
    fn part(&self) -> String {
        match self.shard {
            Some((i, n)) => format!("shard {i} of {n}"),
            None => "the whole cohort".into(),
        }
    }

    fn same_cohort(&self, other: &Manifest) -> bool {
        Manifest {
            shard: None,
            first: 0,
            end: 0,
            ..self.clone()
        } == Manifest {
            shard: None,
            first: 0,
            end: 0,
            ..other.clone()
        }
    }
}

/// The three files of a cohort or one of its shards: `patients.csv`, `summary.csv` and
/// `cohort.json`, or `patients.shard-I-of-N.csv` ... for shard I of N.
fn file_names(shard: Option<(u64, u64)>) -> [String; 3] {
    let tag = match shard {
        None => String::new(),
        Some((i, n)) => {
            let width = n.to_string().len();
            format!(".shard-{i:0width$}-of-{n}")
        }
    };
    [
        format!("patients{tag}.csv"),
        format!("summary{tag}.csv"),
        format!("cohort{tag}.json"),
    ]
}

/// The patients table's columns.
fn header() -> Vec<String> {
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
fn horizon_columns() -> Vec<String> {
    let zero = ecmo_unload::forecast::HourPoint {
        hour: 0.0,
        map_mmhg: 0.0,
        lvedp_mmhg: 0.0,
        pcwp_mmhg: 0.0,
        cvp_mmhg: 0.0,
        native_co_l_min: 0.0,
        total_flow_l_min: 0.0,
        av_opening_pct: 0.0,
        mvo2_ml_min: 0.0,
        sao2_upper_pct: 0.0,
        blood_volume_ml: 0.0,
        lung_water_ml_kg: 0.0,
        lactate_mmol_l: 0.0,
        ph: 0.0,
        paco2_mmhg: 0.0,
    };
    zero.values()
        .iter()
        .map(|(name, _)| format!("at_horizon_{name}"))
        .collect()
}

/// The endpoints summarised: the compared ones, and where each strategy stands at the horizon.
fn summary_endpoints() -> Vec<String> {
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
fn rows(
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
fn complete_patients(path: &Path, first: u64, strategies: usize) -> anyhow::Result<(u64, u64)> {
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
fn ends_a_line(file: &mut std::fs::File, end: u64) -> bool {
    use std::io::Read;
    let mut last = [0u8];
    end > 0
        && file.seek(std::io::SeekFrom::Start(end - 1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] == b'\n'
}

pub fn cohort(preset: &str, sets: &[String], o: CohortOptions) -> anyhow::Result<()> {
    check_parquet(o.parquet)?;
    let base = patient_with_overrides(preset, sets)?;
    // A strategy that cannot apply to the cohort's base patient is refused now, not as a
    // failed row for every patient hours later; two of one name would pool in the summary.
    let strategies = super::checked_strategies(o.strategies, &base)?;
    let shard = which_shard(o.shard, o.shards, |k| std::env::var(k).ok())?;
    let range = shard_range(shard, o.n)?;
    let io = |path: &Path| {
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
    let [patients_name, summary_name, manifest_name] = file_names(shard);
    let (patients_path, summary_path, manifest_path) = (
        o.out.join(&patients_name),
        o.out.join(&summary_name),
        o.out.join(&manifest_name),
    );
    // Tables that could not be written are refused before the cohort runs, not after.
    for path in [&patients_path, &summary_path, &manifest_path] {
        ecmo_unload::files::check_target(path)?;
    }
    let manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        preset: preset.to_string(),
        sets: sets.to_vec(),
        patient: serde_json::to_value(&base).expect("a patient serialises"),
        n: o.n,
        seed: o.seed,
        strategies: o.strategies.to_vec(),
        horizon_h: o.horizon_h,
        shard,
        first: range.start,
        end: range.end,
    };
    // The same cohort's earlier run in this folder resumes; another cohort's is refused.
    let resume = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => {
            let found: Manifest = serde_json::from_str(&text).map_err(|e| {
                io_error(
                    manifest_path.display(),
                    format!("not a cohort manifest: {e}"),
                )
            })?;
            if found != manifest {
                return Err(io_error(
                    manifest_path.display(),
                    "holds another cohort (its program version, preset or preset file's \
                     contents, settings, n, seed, strategies, horizon or shard differ): use \
                     another --out, or delete the folder",
                ));
            }
            patients_path.exists()
        }
        Err(_) if patients_path.exists() => {
            return Err(io_error(
                patients_path.display(),
                format!(
                    "a patients table without its {manifest_name} (another program's or an \
                     older run): use another --out, or delete it"
                ),
            ));
        }
        Err(_) => false,
    };
    ecmo_unload::files::write_bytes(
        &manifest_path,
        (serde_json::to_string_pretty(&manifest).expect("a manifest serialises") + "\n").as_bytes(),
    )?;
    let (done, good_len) = if resume {
        complete_patients(&patients_path, range.start, strategies.len())?
    } else {
        (0, 0)
    };
    let columns = header();
    let mut file = if resume {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&patients_path)
            .map_err(io(&patients_path))?;
        // A torn or partial patient at the end goes; it runs again.
        f.set_len(good_len).map_err(io(&patients_path))?;
        f.seek(std::io::SeekFrom::End(0))
            .map_err(io(&patients_path))?;
        f
    } else {
        let mut f = std::fs::File::create(&patients_path).map_err(io(&patients_path))?;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&columns)
            .map_err(|e| io_error(patients_path.display(), e))?;
        f.write_all(&w.into_inner().expect("an in-memory writer"))
            .map_err(io(&patients_path))?;
        f
    };
    let total = range.end - range.start;
    let mut progress = Progress::new(total, done);
    let options = Options {
        hours: o.horizon_h,
        ..Default::default()
    };
    let chunk = (ecmo_unload::batch::threads() as u64 * PATIENTS_PER_THREAD).max(1);
    let mut next = range.start + done;
    while next < range.end {
        let to = (next + chunk).min(range.end);
        let results =
            ecmo_unload::batch::cohort_each(&base, o.seed, next..to, &strategies, &options, || {});
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut failed = 0;
        for (index, r) in (next..to).zip(&results) {
            failed += usize::from(r.is_err());
            for row in rows(&base, o.seed, index, r, o.horizon_h, columns.len()) {
                w.write_record(&row)
                    .map_err(|e| io_error(patients_path.display(), e))?;
            }
        }
        // Whole patients at a time, flushed: a killed run loses at most this chunk.
        file.write_all(&w.into_inner().expect("an in-memory writer"))
            .and_then(|_| file.flush())
            .map_err(io(&patients_path))?;
        progress.advance(to - next, failed);
        next = to;
    }
    file.sync_all().map_err(io(&patients_path))?;
    progress.finish();
    summarise(&patients_path, &strategies, &summary_path)?;
    if o.parquet {
        parquet_beside(&patients_path)?;
    }
    Ok(())
}

/// `--parquet` needs a build with the feature: refused before the cohort runs.
fn check_parquet(asked: bool) -> anyhow::Result<()> {
    if asked && !cfg!(feature = "parquet") {
        return Err(usage(
            "--parquet: this build has no Parquet writer; build with `cargo build --release \
             --features parquet`",
        ));
    }
    Ok(())
}

/// The patients table as Parquet, beside it (`patients.parquet`, `patients.shard-...parquet`).
fn parquet_beside(csv_path: &Path) -> anyhow::Result<()> {
    #[cfg(feature = "parquet")]
    return super::parquet_table::write_parquet(csv_path, &csv_path.with_extension("parquet"));
    #[cfg(not(feature = "parquet"))]
    {
        let _ = csv_path;
        check_parquet(true)
    }
}

/// Patients run together, per thread, between two writes to disk.
const PATIENTS_PER_THREAD: u64 = 4;

/// summary.csv from a patients table: medians and IQR of each
/// endpoint per strategy, over the patients that did not fail. Printed once saved.
fn summarise(table: &Path, strategies: &[Strategy], out: &Path) -> anyhow::Result<()> {
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

/// `cohort merge DIR... --out DIR`: the shards found in the folders, checked to be one cohort
/// covering every patient once, become the unsharded run's patients.csv, summary.csv and
/// cohort.json (the same bytes).
pub fn merge(dirs: &[PathBuf], out: &Path, parquet: bool) -> anyhow::Result<()> {
    check_parquet(parquet)?;
    // Only shards' manifests: a merged cohort.json beside them (a merge into a shard folder) is
    // not a shard.
    let mut shards: Vec<(Manifest, PathBuf)> = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir.display(), e))?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("cohort.shard-") && n.ends_with(".json"))
            .collect();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(path.display(), e))?;
            let m: Manifest = serde_json::from_str(&text)
                .map_err(|e| io_error(path.display(), format!("not a cohort manifest: {e}")))?;
            let [patients, _, _] = file_names(m.shard);
            shards.push((m, dir.join(patients)));
        }
    }
    let Some((first, _)) = shards.first() else {
        return Err(usage(
            "cohort merge: no cohort shards (cohort.shard-*.json) in the folders",
        ));
    };
    let first = first.clone();
    for (m, path) in &shards {
        if !m.same_cohort(&first) {
            return Err(usage(format!(
                "cohort merge: {} ({}) is of another cohort than {} (program version, preset, \
                 settings, n, seed, strategies or horizon differ)",
                m.part(),
                path.display(),
                first.part()
            )));
        }
        let (count, first_count) = (m.shard.map(|s| s.1), first.shard.map(|s| s.1));
        if count != first_count {
            return Err(usage(format!(
                "cohort merge: two shard layouts ({} and {} shards): merge the shards of one run",
                count.unwrap_or(1),
                first_count.unwrap_or(1)
            )));
        }
    }
    shards.sort_by_key(|(m, _)| m.first);
    for pair in shards.windows(2) {
        if pair[0].0.shard == pair[1].0.shard {
            return Err(usage(format!(
                "cohort merge: {} found twice ({} and {})",
                pair[0].0.part(),
                pair[0].1.display(),
                pair[1].1.display()
            )));
        }
    }
    let mut expected = 0;
    for (m, path) in &shards {
        if m.first != expected {
            return Err(usage(format!(
                "cohort merge: patients {expected}..{} are missing (no shard holds them)",
                m.first
            )));
        }
        let (done, _) = complete_patients(path, m.first, m.strategies.len())?;
        if done != m.end - m.first {
            return Err(io_error(
                path.display(),
                format!(
                    "holds {done} of its {} patients: finish the shard (run it again: it resumes)",
                    m.end - m.first
                ),
            ));
        }
        expected = m.end;
    }
    if expected != first.n {
        return Err(usage(format!(
            "cohort merge: patients {expected}..{} are missing (no shard holds them)",
            first.n
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| io_error(out.display(), e))?;
    let [patients_name, summary_name, manifest_name] = file_names(None);
    let patients_path = out.join(patients_name);
    for path in [
        &patients_path,
        &out.join(&summary_name),
        &out.join(&manifest_name),
    ] {
        ecmo_unload::files::check_target(path)?;
    }
    let whole = Manifest {
        shard: None,
        first: 0,
        end: first.n,
        ..first.clone()
    };
    // A folder holding another cohort is refused, as `cohort` refuses it; this cohort's earlier
    // merge is replaced.
    match std::fs::read_to_string(out.join(&manifest_name)) {
        Ok(text) => {
            let same = serde_json::from_str::<Manifest>(&text).is_ok_and(|m| m == whole);
            if !same {
                return Err(io_error(
                    out.join(&manifest_name).display(),
                    "holds another cohort: merge into another --out, or delete the folder",
                ));
            }
        }
        Err(_) if patients_path.exists() => {
            return Err(io_error(
                patients_path.display(),
                format!(
                    "a patients table without its {manifest_name}: merge into another --out, or \
                     delete it"
                ),
            ));
        }
        Err(_) => {}
    }
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(&patients_path).map_err(|e| io_error(patients_path.display(), e))?,
    );
    for (k, (_, path)) in shards.iter().enumerate() {
        // Streamed: the header once (every shard's first line is the same header).
        use std::io::BufRead;
        let file = std::fs::File::open(path).map_err(|e| io_error(path.display(), e))?;
        let mut r = std::io::BufReader::new(file);
        let mut header_line = Vec::new();
        r.read_until(b'\n', &mut header_line)
            .map_err(|e| io_error(path.display(), e))?;
        if k == 0 {
            w.write_all(&header_line)
                .map_err(|e| io_error(patients_path.display(), e))?;
        }
        std::io::copy(&mut r, &mut w).map_err(|e| io_error(patients_path.display(), e))?;
    }
    w.flush()
        .map_err(|e| io_error(patients_path.display(), e))?;
    ecmo_unload::files::write_bytes(
        &out.join(manifest_name),
        (serde_json::to_string_pretty(&whole).expect("a manifest serialises") + "\n").as_bytes(),
    )?;
    let strategies: Vec<Strategy> = first
        .strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    summarise(&patients_path, &strategies, &out.join(summary_name))?;
    if parquet {
        parquet_beside(&patients_path)?;
    }
    Ok(())
}

/// Progress on stderr: a bar in a terminal; in a log (not a terminal), a plain line at most
/// every [`PROGRESS_LINE_S`] and at the end (no carriage returns).
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    failed: usize,
    started: std::time::Instant,
    resumed: u64,
    last_line: Option<std::time::Instant>,
}

/// Seconds between two progress lines in a log.
const PROGRESS_LINE_S: u64 = 30;
/// The cohort's progress bar: patients done of the shard's, and the time left.
const PROGRESS_TEMPLATE: &str = "cohort [{bar:30}] {pos}/{len} patients, {eta} left";

impl Progress {
    fn new(total: u64, done: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = ProgressBar::new(total).with_style(
                ProgressStyle::with_template(PROGRESS_TEMPLATE)
                    .expect("the progress template is valid")
                    .progress_chars("#>-"),
            );
            b.set_position(done);
            b
        });
        if done > 0 {
            say(&format!(
                "cohort: resuming after {done} of {total} patients on disk\n"
            ));
        }
        Progress {
            bar,
            total,
            done,
            failed: 0,
            started: std::time::Instant::now(),
            resumed: done,
            last_line: None,
        }
    }

    fn advance(&mut self, patients: u64, failed: usize) {
        self.done += patients;
        self.failed += failed;
        if let Some(b) = &self.bar {
            b.set_position(self.done);
            return;
        }
        let due = self
            .last_line
            .is_none_or(|t| t.elapsed().as_secs() >= PROGRESS_LINE_S);
        if due && self.done < self.total {
            self.line();
        }
    }

    fn line(&mut self) {
        self.last_line = Some(std::time::Instant::now());
        let run = self.done - self.resumed;
        let elapsed = self.started.elapsed().as_secs_f64();
        let left_s = if run > 0 {
            elapsed / run as f64 * (self.total - self.done) as f64
        } else {
            f64::NAN
        };
        say(&format!(
            "cohort: {}/{} patients ({:.0} %), {} failed, {}\n",
            self.done,
            self.total,
            100.0 * self.done as f64 / self.total.max(1) as f64,
            self.failed,
            if self.done >= self.total {
                "done".to_string()
            } else if left_s.is_finite() {
                format!("{left_s:.0} s left")
            } else {
                "time left not known yet".into()
            }
        ));
    }

    fn finish(&mut self) {
        match &self.bar {
            Some(b) => {
                b.finish();
                // The finished bar stays; what follows starts on a line of its own.
                say("\n");
                if self.failed > 0 {
                    say(&format!(
                        "cohort: {} patients failed (rows with their error)\n",
                        self.failed
                    ));
                }
            }
            None => self.line(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_index_names_the_shard() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(which_shard(None, None, env(&[])).unwrap(), None);
        assert_eq!(
            which_shard(Some("1/4"), None, env(&[(SLURM_INDEX, "3")])).unwrap(),
            Some((1, 4))
        );
        // Slurm arrays may start at 1: the index counts from the array's first task.
        let slurm = env(&[(SLURM_INDEX, "4"), (SLURM_MIN, "1"), (SLURM_COUNT, "8")]);
        assert_eq!(which_shard(None, None, slurm).unwrap(), Some((3, 8)));
        let k8s = env(&[(KUBERNETES_INDEX, "2")]);
        assert_eq!(which_shard(None, Some(5), k8s).unwrap(), Some((2, 5)));
        assert!(which_shard(None, None, env(&[(KUBERNETES_INDEX, "2")])).is_err());
        assert!(which_shard(None, Some(3), env(&[(KUBERNETES_INDEX, "3")])).is_err());
        assert!(which_shard(None, Some(3), env(&[])).is_err());
        // An index past the count names the variable it came from, not --shard.
        let past = env(&[(SLURM_INDEX, "3"), (SLURM_COUNT, "2")]);
        let e = which_shard(None, None, past).unwrap_err().to_string();
        assert!(e.contains(SLURM_INDEX) && e.contains("shard 3 of 2"), "{e}");
        let disagree = env(&[(SLURM_INDEX, "0"), (SLURM_COUNT, "2")]);
        assert!(which_shard(None, Some(3), disagree).is_err());
        assert!(which_shard(None, None, env(&[(SLURM_INDEX, "x"), (SLURM_COUNT, "2")])).is_err());
        assert_eq!(file_names(Some((3, 16)))[0], "patients.shard-03-of-16.csv");
        assert_eq!(file_names(None)[1], "summary.csv");
    }
}
