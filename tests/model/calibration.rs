//! Calibration on synthetic patients: generate measurements from known parameters, add
//! measurement noise, fit from the preset, and check that the measurements are reproduced
//! within their clinical error and the parameters recovered (docs/VALIDATION.md, "Calibration").

use ecmo_unload::calibration::{self, Measurement};
use ecmo_unload::{Engine, forecast, presets, settings};

/// The hidden patient: the shock preset with a stronger LV, tighter vessels, more volume.
const TRUTH: [&str; 5] = [
    "heart.lv.ees_mmhg_per_ml=0.9",
    "systemic.upper_body_r_mmhg_s_per_ml=5.0",
    "systemic.lower_body_r_mmhg_s_per_ml=1.8",
    "blood_volume_ml=5600",
    "reflex.baroreflex=false",
];
const MEASURED: [&str; 8] = [
    "map_mmhg",
    "cvp_mmhg",
    "pcwp_mmhg",
    "native_co_l_min",
    "lvef_pct",
    "lvedv_ml",
    "hr_bpm",
    "pap_mean_mmhg",
];

fn synthetic(noise_sd: f64) -> Vec<Measurement> {
    let p = settings::apply_all(&presets::load("cardiogenic-shock").unwrap(), &TRUTH).unwrap();
    let mut e = Engine::new(p).unwrap();
    forecast::settle(&mut e);
    let s = serde_json::to_value(e.summary().unwrap()).unwrap();
    MEASURED
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let sd = calibration::default_sd(k).unwrap();
            // Deterministic "noise": alternating signs, `noise_sd` SDs.
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            Measurement {
                key: k.to_string(),
                value: s[*k].as_f64().unwrap() + sign * noise_sd * sd,
                sd: None,
            }
        })
        .collect()
}

#[test]
fn a_synthetic_patient_is_recovered_within_measurement_error() {
    let base = presets::load("cardiogenic-shock").unwrap();
    let fit = calibration::fit(&base, &synthetic(0.5)).unwrap();
    for (k, r) in &fit.measurements {
        assert!(r.residual.abs() < 1.0, "{k}: {r:?}");
    }
    let got = |k: &str| fit.parameters[k];
    assert!(
        (got("heart.lv.ees_mmhg_per_ml") / 0.9 - 1.0).abs() < 0.2,
        "{:?}",
        fit.parameters
    );
    assert!((got("blood_volume_ml") / 5600.0 - 1.0).abs() < 0.1);
    assert!((got("systemic.upper_body_r_mmhg_s_per_ml") / 5.0 - 1.0).abs() < 0.2);
    // The fitted patient, reflex on, sits where it was fitted.
    let mut e = Engine::new(fit.patient.clone()).unwrap();
    forecast::settle(&mut e);
    let map = e.summary().unwrap().beat.map_mmhg;
    assert!(
        (map - fit.measurements["map_mmhg"].model).abs() < 1.0,
        "{map}"
    );
}

#[test]
fn too_few_measurements_leave_parameters_unidentified() {
    let base = presets::load("cardiogenic-shock").unwrap();
    let one = vec![Measurement::parse("map_mmhg=80").unwrap()];
    let fit = calibration::fit(&base, &one).unwrap();
    assert!((fit.measurements["map_mmhg"].model - 80.0).abs() < 5.0);
    assert!(
        fit.unidentifiable.len() >= 4,
        "one number cannot pin six parameters: {:?}",
        fit.unidentifiable
    );
}

#[test]
fn a_bad_measurements_file_names_file_line_and_key() {
    let text =
        "[\n    (key: \"map_mmhg\", value: 62.0),\n    (key: \"lvet_ms\", value: 300.0),\n]\n";
    let e = calibration::parse_measurements(text, "m.ron")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("m.ron:3:") && e.contains("lvet_ms"), "{e}");
    let e = calibration::parse_measurements("[(key: 1)]", "m.ron")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("m.ron:1:"), "{e}");
    let ok = calibration::parse_measurements(
        "[(key: \"pcwp_mmhg\", value: 24.0, sd: Some(2.0))]",
        "m.ron",
    )
    .unwrap();
    assert_eq!(ok[0].sd(), 2.0);
}
