//! `run`: a patient from t = 0, its summary, and its waveforms as CSV.

use super::*;

/// What `run` is asked to do besides the patient.
pub struct RunOptions<'a> {
    pub seconds: f64,
    pub json: bool,
    pub csv: Option<(&'a std::path::Path, f64)>,
    /// `ML:MINUTES` of fluid from t = 0.
    pub fluid: Option<&'a str>,
    /// `DRUG:MCG_KG` loading doses at t = 0.
    pub boluses: &'a [String],
    /// A teaching scenario to play.
    pub scenario: Option<&'a str>,
}

/// `ML:MINUTES` into (mL, seconds).
fn parse_fluid(text: &str) -> anyhow::Result<(f64, f64)> {
    fluids::parse_order(text).ok_or_else(|| {
        usage(format!(
            "--fluid: expected ML:MINUTES, e.g. 500:10 or -300:60, got '{text}'"
        ))
    })
}

/// `DRUG:MCG_KG` into (drug, dose).
fn parse_bolus(text: &str) -> anyhow::Result<(Drug, f64)> {
    Drug::parse_bolus(text)?.ok_or_else(|| {
        usage(format!(
            "--bolus: expected DRUG:MCG_KG, e.g. milrinone:50, got '{text}'"
        ))
    })
}

/// The longest `run`: 30 simulated days (a typo of a few digits must not run for years).
pub const MAX_RUN_S: f64 = ecmo_unload::settings::MAX_SIMULATED_S;

pub fn run(preset: &str, sets: &[String], o: RunOptions) -> anyhow::Result<()> {
    let RunOptions {
        seconds,
        json,
        csv,
        fluid,
        boluses,
        scenario,
    } = o;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(usage(format!(
            "--seconds {}: expected a positive number",
            Short(seconds)
        )));
    }
    if seconds > MAX_RUN_S {
        return Err(usage(format!(
            "--seconds {}: at most {MAX_RUN_S} (30 simulated days)",
            Short(seconds)
        )));
    }
    let mut play = match scenario {
        Some(name) => {
            if csv.is_some() {
                return Err(usage("--csv is not available with --scenario yet"));
            }
            let mut sc = Scenario::load(name)?;
            sc.set.extend(sets.iter().cloned());
            Some(scenario::Run::start(sc)?)
        }
        None => None,
    };
    let mut engine = match &play {
        Some(p) => p.engine.clone(),
        None => Engine::new(patient_with_overrides(preset, sets)?)?,
    };
    if let Some(text) = fluid {
        let (ml, s) = parse_fluid(text)?;
        engine.give_fluid(ml, s)?;
    }
    for text in boluses {
        let (drug, dose) = parse_bolus(text)?;
        engine.give_bolus(drug, dose)?;
    }
    if let Some((path, _)) = csv
        && same_file(path, std::path::Path::new(preset))
    {
        return Err(usage(format!(
            "--csv {}: that is the preset file this run reads; write the waveforms elsewhere",
            path.display()
        )));
    }
    if let Some(p) = &mut play {
        p.engine = engine;
        p.advance(seconds)?;
        engine = p.engine.clone();
    } else {
        match csv {
            Some((path, every_ms)) => run_with_csv(&mut engine, seconds, path, every_ms)?,
            None => engine.run_for(seconds),
        }
    }
    let summary = engine.summary().ok_or_else(|| {
        usage(format!(
            "--seconds {}: no complete beat yet; run for at least one beat",
            Short(seconds)
        ))
    })?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut value = serde_json::to_value(&summary).expect("summary serialises");
    if let (Some(p), Some(name)) = (&play, scenario) {
        for f in p.fired().iter().filter(|f| f.failed.is_some()) {
            say(&format!(
                "warning: {}\n",
                one_line(&format!(
                    "scenario {name}: event '{}' at {:.1} s failed: {}",
                    f.name,
                    f.t_s,
                    f.failed.as_deref().unwrap_or_default()
                ))
            ));
        }
    }
    if let (Some(p), Some(map)) = (&play, value.as_object_mut()) {
        map.insert(
            "events_fired".into(),
            serde_json::to_value(p.fired()).expect("events serialise"),
        );
    }
    if json {
        let text = serde_json::to_string_pretty(&value).expect("summary serialises");
        writeln!(out, "{text}").map_err(stdout_error)?;
    } else {
        writeln!(
            out,
            "{} after {:.1} s (mean of the last {} beats)",
            engine.patient().name,
            summary.t_s,
            summary.beats
        )
        .map_err(stdout_error)?;
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                // The alarms as a monitor lists them: priority, title and reading.
                if k == "alarms" {
                    let alarms = engine.alarms();
                    writeln!(out, "  {k:<30} {:>10}", alarms.len()).map_err(stdout_error)?;
                    for a in alarms {
                        writeln!(
                            out,
                            "    {} {} ({})",
                            a.priority.marks(),
                            a.alarm.title(),
                            one_line(&a.reading)
                        )
                        .map_err(stdout_error)?;
                    }
                    continue;
                }
                let shown = match (v.as_u64(), v.as_f64(), v.as_str()) {
                    (Some(n), _, _) => n.to_string(),
                    (None, Some(x), _) => format!("{x:.2}"),
                    (_, _, Some(text)) => text.to_string(),
                    _ => v.to_string(),
                };
                writeln!(out, "  {k:<30} {shown:>10}").map_err(stdout_error)?;
            }
        }
    }
    Ok(())
}

/// Whether two paths name one existing file (through symlinks, and hard links: the same
/// device and inode).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            (a.dev(), a.ino()) == (b.dev(), b.ino())
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok(),
        _ => false,
    }
}

fn run_with_csv(
    engine: &mut Engine,
    seconds: f64,
    path: &std::path::Path,
    every_ms: f64,
) -> anyhow::Result<()> {
    if !(every_ms.is_finite() && every_ms > 0.0) {
        return Err(usage(format!(
            "--every-ms {}: expected a positive number",
            Short(every_ms)
        )));
    }
    let step_ms = ms_from_s(engine.dt_s());
    if every_ms < step_ms - 1e-9 {
        return Err(usage(format!(
            "--every-ms {}: the model steps every {step_ms} ms; sample at that or slower",
            Short(every_ms)
        )));
    }
    let io_err = |e: &dyn std::fmt::Display| io_error(path.display().to_string(), e.to_string());
    ecmo_unload::files::refuse_special(path)?;
    let mut file = std::fs::File::create(path).map_err(|e| io_err(&e))?;
    // Rows are built in memory and appended whole, about once per simulated second: a failed
    // write (a full disk) cuts the file back to its last whole row.
    let mut committed = 0u64;
    let mut commit = |w: &mut csv::Writer<Vec<u8>>| -> anyhow::Result<()> {
        let rows = std::mem::replace(w, waveform_writer())
            .into_inner()
            .map_err(|e| io_err(&e))?;
        if let Err(e) = file.write_all(&rows).and_then(|()| file.flush()) {
            let _ = file.set_len(committed);
            return Err(io_err(&e));
        }
        committed += rows.len() as u64;
        Ok(())
    };
    let mut w = waveform_writer();
    w.write_record(state_header()).map_err(|e| io_err(&e))?;
    let dt = engine.dt_s();
    let every_steps = ((every_ms * 1e-3 / dt).round() as u64).max(1);
    // Flush about once per simulated second so an interrupted run leaves a readable file.
    let flush_every = ((1.0 / dt) as u64 / every_steps).max(1);
    let n = (seconds / dt).round() as u64;
    let mut rows = 0u64;
    // An R wave between two samples is marked on the later one (the sample that holds it).
    let mut r_wave = false;
    for i in 0..n {
        engine.step();
        r_wave |= engine.r_wave();
        if i.is_multiple_of(every_steps) {
            let s = engine.snapshot();
            let r = StateRow {
                snapshot: &s,
                r_wave: std::mem::take(&mut r_wave),
            };
            w.serialize(r).map_err(|e| io_err(&e))?;
            rows += 1;
            if rows.is_multiple_of(flush_every) {
                commit(&mut w)?;
            }
        }
    }
    commit(&mut w)
}

/// A CSV writer for the waveform schema (its header is written by hand: the state's arrays
/// are columns csv's own headers cannot name).
fn waveform_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new())
}
