//! Property tests (proptest): random patients (every numeric key anywhere in its declared range),
//! random control sequences (any key switched to any value at random times, devices on and off,
//! rhythm changes, drugs up to their maximum, fluid orders), and the engine must never panic,
//! never produce NaN or infinity, never drive a volume negative, conserve blood plus lung water
//! and CO2 to rounding, and keep every blood gas, lactate and CO2 store non-negative.
//!
//! CI runs the default number of cases; the release-mode run of 10 000 cases (docs/PERFORMANCE.md):
//!   PROPTEST_CASES=10000 cargo test --release --test properties

use ecmo_unload::circulation::N_NODES;
use ecmo_unload::patient::Patient;
use ecmo_unload::{Engine, presets, settings};
use proptest::prelude::*;

/// Simulated seconds per case and between control changes.
const CASE_S: f64 = 4.0;
const CHANGES: usize = 4;

/// Every numeric leaf with its range and whether it takes whole numbers.
fn numeric_keys(p: &Patient) -> Vec<(String, f64, f64, bool)> {
    settings::leaves(p)
        .into_iter()
        .filter(|(_, v)| v.is_number())
        .map(|(k, v)| {
            let s = settings::spec_of(&k).unwrap();
            (k, s.min, s.max, v.is_u64())
        })
        .collect()
}

/// Switches and choices a control sequence may flip (key, values).
const CHOICES: [(&str, &[&str]); 9] = [
    ("ecmo.enabled", &["true", "false"]),
    ("ecmo.mode", &["rpm", "flow"]),
    ("lv_vent.enabled", &["true", "false"]),
    ("impella.enabled", &["true", "false"]),
    ("impella.model", &["cp", "5.5"]),
    ("iabp.enabled", &["true", "false"]),
    (
        "rhythm.kind",
        &["sinus", "paced", "paced_av", "af", "vt", "vf", "asystole"],
    ),
    ("cpr.enabled", &["true", "false"]),
    ("reflex.baroreflex", &["true", "false"]),
];

fn value_in(lo: f64, hi: f64, whole: bool, u: f64) -> String {
    // A third of draws at the edges: the corners are where fixed steps fail.
    let x = if u < 0.15 {
        lo
    } else if u > 0.85 {
        hi
    } else {
        lo + (hi - lo) * (u - 0.15) / 0.7
    };
    if whole {
        x.round().to_string()
    } else {
        x.to_string()
    }
}

#[derive(Clone, Debug)]
enum Control {
    Number(usize, f64),
    Choice(usize, usize),
    Fluid(f64, f64),
}

fn control() -> impl Strategy<Value = Control> {
    prop_oneof![
        (any::<usize>(), 0.0..1.0f64).prop_map(|(k, u)| Control::Number(k, u)),
        (any::<usize>(), any::<usize>()).prop_map(|(k, v)| Control::Choice(k, v)),
        (-2000.0..2000.0f64, 1.0..30.0f64).prop_map(|(ml, min)| Control::Fluid(ml, min)),
    ]
}

fn check(e: &Engine, what: &str) -> Result<(), TestCaseError> {
    let s = e.snapshot();
    for n in 0..N_NODES {
        prop_assert!(
            s.v_ml[n] >= 0.0 && s.v_ml[n].is_finite(),
            "{what}: volume {}",
            s.v_ml[n]
        );
        prop_assert!(s.p_mmhg[n].is_finite(), "{what}: pressure");
    }
    prop_assert!(s.q_ml_s.iter().all(|q| q.is_finite()), "{what}: flow");
    prop_assert!(
        e.volume_drift_ml().abs() < 1e-6,
        "{what}: drift {}",
        e.volume_drift_ml()
    );
    // The blood gases: CO2 conserved, every partial pressure, lactate and store non-negative.
    let o = e.oxygen();
    let made = o.co2_stores().produced_ml;
    prop_assert!(
        o.co2_residual_ml().abs() <= 1e-6 * made.max(1.0),
        "{what}: CO2 residual {} of {made}",
        o.co2_residual_ml()
    );
    let bad = e.blood_gases().unphysical();
    prop_assert!(bad.is_none(), "{what}: {bad:?}");
    let stores = o.co2_stores();
    prop_assert!(stores.alveolar_mmhg >= 0.0 && stores.tissue_mmhg.iter().all(|p| *p >= 0.0));
    prop_assert!(e.lactate().mmol_l >= 0.0 && e.lactate().hepatic_function >= 0.0);
    if let Some(summary) = e.summary() {
        let v = serde_json::to_value(summary).unwrap();
        for (k, x) in v.as_object().unwrap() {
            if let Some(x) = x.as_f64() {
                prop_assert!(x.is_finite(), "{what}: {k} = {x}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_patients_under_random_controls_stay_physical(
        preset in prop_oneof![Just("healthy"), Just("cardiogenic-shock")],
        draws in proptest::collection::vec(0.0..1.0f64, 120),
        controls in proptest::collection::vec(control(), CHANGES),
    ) {
        let base = presets::load(preset).unwrap();
        let keys = numeric_keys(&base);
        // A random patient: each key drawn within its range (a few keys per case stay preset).
        let mut p = base.clone();
        for ((k, lo, hi, whole), u) in keys.iter().zip(draws.iter().cycle()) {
            if let Ok(q) = settings::set(&p, k, &value_in(*lo, *hi, *whole, *u)) {
                p = q;
            }
        }
        let mut e = Engine::new(p).unwrap();
        for c in &controls {
            e.run_for(CASE_S / CHANGES as f64);
            check(&e, "before a change")?;
            match c {
                Control::Number(k, u) => {
                    let (key, lo, hi, whole) = &keys[k % keys.len()];
                    e.set(key, &value_in(*lo, *hi, *whole, *u)).unwrap();
                }
                Control::Choice(k, v) => {
                    let (key, values) = CHOICES[k % CHOICES.len()];
                    e.set(key, values[v % values.len()]).unwrap();
                }
                Control::Fluid(ml, min) => {
                    // Orders beyond the limits are refused cleanly, never half-applied.
                    let _ = e.give_fluid(*ml, min * 60.0);
                }
            }
        }
        e.run_for(CASE_S / CHANGES as f64);
        check(&e, "at the end")?;
    }
}
