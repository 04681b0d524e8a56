//! `compare`: what-if strategies from the current steady state, side by side.

use super::*;

/// Keys the `compare` table shows (the JSON has them all).
const COMPARE_KEYS: [(&str, &str); 10] = [
    ("MAP", "map_mmhg"),
    ("LVEDP", "lvedp_mmhg"),
    ("PCWP", "pcwp_mmhg"),
    ("AV open %", "av_opening_pct"),
    ("CO native", "native_co_l_min"),
    ("total flow", "total_flow_l_min"),
    ("MVO2", "mvo2_ml_min"),
    ("CPP", "coronary_perfusion_mmhg"),
    ("SpO2 upper", "sao2_upper_pct"),
    ("EVLWI 6 h", "lung_water_6h"),
];

pub fn compare(
    preset: &str,
    sets: &[String],
    strategies: &[String],
    json: bool,
) -> Result<(), CliError> {
    let strategies: Vec<Strategy> = strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let mut base = Engine::new(patient_with_overrides(preset, sets)?)?;
    // "Now": the patient settled as it is, from which every strategy starts.
    forecast::settle(&mut base);
    let results = ecmo_unload::batch::forecast_all(&base, &strategies)?;
    if json {
        let text = serde_json::to_string_pretty(&results).expect("forecasts serialise");
        outln!("{text}")?;
        return Ok(());
    }
    let now = base.summary().ok_or_else(|| {
        CliError::Usage("the starting patient has no beats to compare with".into())
    })?;
    let value = |s: &Summary, lung_6h: f64, key: &str| -> f64 {
        if key == "lung_water_6h" {
            return lung_6h;
        }
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v[key].as_f64())
            .unwrap_or(f64::NAN)
    };
    let now_lung = forecast::project_lung_water(base.lungs(), now.beat.pulmonary_capillary_mmhg);
    out!("{:<22}", "strategy")?;
    for (label, _) in COMPARE_KEYS {
        out!(" {label:>11}")?;
    }
    outln!()?;
    out!("{:<22}", "now")?;
    for (_, key) in COMPARE_KEYS {
        out!(" {:>11.1}", value(&now, now_lung[LUNG_PROJECTION_H], key))?;
    }
    outln!()?;
    for f in &results {
        out!("{:<22}", f.strategy)?;
        for (_, key) in COMPARE_KEYS {
            let x = value(
                &f.summary,
                f.lung_water_projection_ml_kg[LUNG_PROJECTION_H],
                key,
            );
            let was = value(&now, now_lung[LUNG_PROJECTION_H], key);
            let arrow = if x > was + 0.05 * was.abs().max(1.0) {
                "^"
            } else if x < was - 0.05 * was.abs().max(1.0) {
                "v"
            } else {
                " "
            };
            out!(" {x:>10.1}{arrow}")?;
        }
        outln!("{}", if f.steady { "" } else { "  (not steady)" })?;
    }
    let lines = ecmo_unload::advice::considerations(&base.alarms(), &results);
    if !lines.is_empty() {
        outln!("\nconsiderations (model output for education and research, not orders):")?;
        for (k, line) in lines.iter().enumerate() {
            outln!("  {}. {line}", k + 1)?;
        }
    }
    Ok(())
}
