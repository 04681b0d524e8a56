//! `fit`: calibrate the patient to bedside measurements.

use super::*;

pub struct FitOptions<'a> {
    pub measured: &'a [String],
    pub file: Option<&'a std::path::Path>,
    pub json: bool,
    pub out: Option<&'a std::path::Path>,
}

pub fn fit(preset: &str, sets: &[String], o: FitOptions) -> anyhow::Result<()> {
    let mut ms: Vec<Measurement> = o
        .measured
        .iter()
        .map(|m| Measurement::parse(m))
        .collect::<Result<_, _>>()?;
    // Measurements from the file follow those of `--measured`: (file name, text).
    let mut from_file = None;
    if let Some(path) = o.file {
        let shown = path.display().to_string();
        let bytes = ecmo_unload::files::read_settings_file(path)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            io_error(
                &shown,
                format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })?;
        ms.extend(calibration::parse_measurements(&text, &shown)?);
        from_file = Some((shown, text));
    }
    // A measurements file that holds none is named with the error.
    if let (true, Some((file, _))) = (ms.is_empty(), &from_file) {
        return Err(ecmo_unload::Error::in_file(
            file,
            (1, 1),
            ecmo_unload::Error::Invalid {
                key: "measurements".into(),
                value: String::new(),
                reason: "the file lists none: give at least one measurement".into(),
            },
        )
        .into());
    }
    let base = patient_with_overrides(preset, sets)?;
    // A measurement at fault in the file is named by its line there.
    calibration::check_measurements(&base, &ms).map_err(|r| {
        match (&from_file, r.index.checked_sub(o.measured.len())) {
            (Some((file, text)), Some(i)) => {
                ecmo_unload::Error::in_file(file, calibration::locate_measurement(text, i), r.error)
            }
            _ => r.error,
        }
    })?;
    let result = calibration::fit(&base, &ms)?;
    if let Some(path) = o.out {
        let mut p = result.patient.clone();
        p.name = path
            .file_stem()
            .map_or("fitted".into(), |s| s.to_string_lossy().into_owned());
        presets::save(&p, path)?;
    }
    if o.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&result).expect("a fit serialises")
        )?;
        return Ok(());
    }
    outln!("fitted parameters ({} evaluations):", result.evaluations)?;
    for (k, v) in &result.parameters {
        let flag = if result.unidentifiable.contains(k) {
            "  (not identifiable from these measurements)"
        } else {
            ""
        };
        outln!("  {k:<40} {v:>10.4}{flag}")?;
    }
    outln!("measurements:")?;
    for (k, r) in &result.measurements {
        outln!(
            "  {k:<24} measured {:>8.2} +- {:<6.2} model {:>8.2}  residual {:>+6.2} SD",
            r.measured,
            r.sd,
            r.model,
            r.residual
        )?;
    }
    Ok(())
}
