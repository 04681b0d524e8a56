//! `cohort merge`: shards into the whole cohort.

use super::*;
use std::io::Write;

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
        if let Some(what) = m.difference(&first, false) {
            return Err(usage(format!(
                "cohort merge: {} ({}) is of another cohort than {} ({what} differs)",
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
    if out.exists() && !out.is_dir() {
        return Err(io_error(
            out.display(),
            "not a folder: --out names the folder the merged tables go in",
        ));
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
            let same = serde_json::from_str::<Manifest>(&text)
                .is_ok_and(|m| m.difference(&whole, true).is_none());
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
