//! `cohort`: a virtual cohort to CSV, optionally one shard of it, streamed to disk as patients
//! finish (memory flat in N), resumed from what is on disk, and `cohort merge` of shards.

mod merge;
mod progress;
mod shard;
mod table;

pub use merge::merge;
use progress::Progress;
use shard::*;
use table::*;

use super::*;
use ecmo_unload::forecast::Options;
use serde::{Deserialize, Serialize};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// The largest cohort one command runs (`--n`): a billion patients, sharded over a cluster.
pub const MAX_COHORT_N: u64 = 1_000_000_000;

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

    /// What makes `other` another cohort, if anything: the patient the preset and settings
    /// resolved to counts, not how they were spelt (`./my.ron`, the order of `--set`s). With
    /// `part`, another shard of the same cohort counts too.
    fn difference(&self, other: &Manifest, part: bool) -> Option<&'static str> {
        if self.version != other.version {
            Some("the program version")
        } else if self.patient != other.patient {
            Some("the patient (preset, preset file's contents or settings)")
        } else if (self.n, self.seed) != (other.n, other.seed) {
            Some("n or seed")
        } else if self.strategies != other.strategies {
            Some("the strategies")
        } else if self.horizon_h != other.horizon_h {
            Some("the horizon")
        } else if part
            && (self.shard, self.first, self.end) != (other.shard, other.first, other.end)
        {
            Some("the shard")
        } else {
            None
        }
    }
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
            if let Some(what) = found.difference(&manifest, true) {
                return Err(io_error(
                    manifest_path.display(),
                    format!(
                        "holds another cohort ({what} differs): use another --out, or delete \
                         the folder"
                    ),
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
