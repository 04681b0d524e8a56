//! A weaker heart never pumps more (issue 15). Over random patients (size of the heart's load,
//! its stiffness, rate, volume, reflex on or off, on VA ECMO or not) and for every chamber,
//! lowering that chamber's contractility (Ees) from anywhere in its range down to the slider's
//! floor never raises the native output, never lowers the filling pressure behind it, and on
//! ECMO never raises the LV's forward stroke volume.
//!
//! CI runs 32 cases; `PROPTEST_CASES=200 cargo test --test contractility` runs more (passes, 33 s).

use ecmo_unload::{Engine, presets, settings};
use proptest::prelude::*;

/// Settling time: the baroreflex's slowest effector (venous tone) has a 30-s time constant.
const SETTLE_S: f64 = 150.0;
/// Rounding-level slack between two steady states: beat phase and the 10-beat window.
const CO_SLACK_L_MIN: f64 = 0.03;
const PRESSURE_SLACK_MMHG: f64 = 0.3;
const VOLUME_SLACK_ML: f64 = 0.5;

/// Each chamber's Ees key and the filling pressure behind it (summary key).
const CHAMBERS: [(&str, &str); 4] = [
    ("heart.lv.ees_mmhg_per_ml", "pcwp_mmhg"),
    ("heart.rv.ees_mmhg_per_ml", "cvp_mmhg"),
    ("heart.la.ees_mmhg_per_ml", "pcwp_mmhg"),
    ("heart.ra.ees_mmhg_per_ml", "cvp_mmhg"),
];

fn steady(sets: &[String]) -> serde_json::Value {
    let p = presets::load("cardiogenic-shock").unwrap();
    let p = settings::apply_all(&p, sets).unwrap();
    let mut e = Engine::new(p).unwrap();
    e.run_for(SETTLE_S);
    serde_json::to_value(e.summary().unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_weaker_chamber_never_pumps_more_nor_fills_lower(
        chamber in 0..CHAMBERS.len(),
        top in 0.3..1.0f64,
        rate_bpm in 60.0..130.0f64,
        volume_ml in 4500.0..6500.0f64,
        lower_body_r in 0.6..1.6f64,
        edpvr_b in 0.02..0.04f64,
        reflex in any::<bool>(),
        ecmo in any::<bool>(),
    ) {
        let (key, filling) = CHAMBERS[chamber];
        let spec = settings::spec_of(key).unwrap();
        let base = presets::load("cardiogenic-shock").unwrap();
        let preset_ees = settings::numbers(&base)[key];
        // From `top` of the way to the slider's maximum (at most twice the preset) down to the
        // floor, in three steps.
        let high = spec.min + top * ((2.0 * preset_ees).min(spec.max) - spec.min);
        let levels = [high, spec.min + 0.4 * (high - spec.min), spec.min];
        let mut sets = vec![
            format!("rhythm.rate_bpm={rate_bpm}"),
            format!("blood_volume_ml={volume_ml}"),
            format!("systemic.lower_body_r_mmhg_s_per_ml={lower_body_r}"),
            format!("heart.lv.edpvr_b_per_ml={edpvr_b}"),
            format!("reflex.baroreflex={reflex}"),
        ];
        if ecmo {
            sets.extend(["ecmo.enabled=true", "ecmo.mode=flow", "ecmo.flow_target_l_min=3.5"]
                .map(String::from));
        }
        let runs: Vec<serde_json::Value> = levels
            .iter()
            .map(|ees| {
                let mut s = sets.clone();
                s.push(format!("{key}={ees}"));
                steady(&s)
            })
            .collect();
        let x = |i: usize, k: &str| runs[i][k].as_f64().unwrap();
        for i in 1..levels.len() {
            let what = format!("{key} {:.3} -> {:.3} ({sets:?})", levels[i - 1], levels[i]);
            prop_assert!(
                x(i, "native_co_l_min") <= x(i - 1, "native_co_l_min") + CO_SLACK_L_MIN,
                "{what}: native CO {} -> {}", x(i - 1, "native_co_l_min"), x(i, "native_co_l_min")
            );
            prop_assert!(
                x(i, filling) >= x(i - 1, filling) - PRESSURE_SLACK_MMHG,
                "{what}: {filling} {} -> {}", x(i - 1, filling), x(i, filling)
            );
            if ecmo {
                prop_assert!(
                    x(i, "av_forward_ml") <= x(i - 1, "av_forward_ml") + VOLUME_SLACK_ML,
                    "{what}: AV forward {} -> {}", x(i - 1, "av_forward_ml"), x(i, "av_forward_ml")
                );
            }
        }
    }
}

/// The issue's reproduction: the shock patient at Ees 0.7, 0.3 and 0.05 (no device), and on
/// VA ECMO 4.5 L/min at 0.4 and 0.05: each weaker LV pumps less and fills higher, and the
/// weakest LV on ECMO does not open its aortic valve more.
#[test]
fn the_issue_reproduction_no_longer_inverts() {
    let run = |sets: &[&str]| {
        let s: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        steady(&s)
    };
    let at = |ees: f64| run(&[&format!("heart.lv.ees_mmhg_per_ml={ees}")]);
    let (a, b, c) = (at(0.7), at(0.3), at(0.05));
    let co = |v: &serde_json::Value| v["native_co_l_min"].as_f64().unwrap();
    let pcwp = |v: &serde_json::Value| v["pcwp_mmhg"].as_f64().unwrap();
    assert!(
        co(&a) > co(&b) && co(&b) > co(&c),
        "{} {} {}",
        co(&a),
        co(&b),
        co(&c)
    );
    assert!(pcwp(&c) > pcwp(&b) && pcwp(&b) > pcwp(&a));
    let ecmo = |ees: f64| {
        run(&[
            &format!("heart.lv.ees_mmhg_per_ml={ees}"),
            "ecmo.enabled=true",
            "ecmo.mode=flow",
            "ecmo.flow_target_l_min=4.5",
        ])
    };
    let (strong, weak) = (ecmo(0.4), ecmo(0.05));
    let fwd = |v: &serde_json::Value| v["av_forward_ml"].as_f64().unwrap();
    assert!(
        fwd(&weak) <= fwd(&strong),
        "{} {}",
        fwd(&strong),
        fwd(&weak)
    );
    // Neither LV opens its valve at 4.5 L/min: both fill on the same EDPVR, so their wedge
    // pressures agree to the integration's noise (hundredths of a mmHg), never lower by more.
    assert!(
        pcwp(&weak) >= pcwp(&strong) - PCWP_NOISE_MMHG,
        "{} {}",
        pcwp(&strong),
        pcwp(&weak)
    );
}

/// Step-timing noise in a beat-averaged wedge pressure.
const PCWP_NOISE_MMHG: f64 = 0.05;
