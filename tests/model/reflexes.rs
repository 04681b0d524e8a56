//! Issue 17: the reflexes are the patient's, and filling pressures move as much as patients'.
//! Monotone relations across the range a user can set (blood loss, drug doses, reflex gains)
//! and the teaching points the validation rows stand on (docs/VALIDATION.md, rows F1-F17).

use ecmo_unload::engine::Summary;
use ecmo_unload::{Engine, presets, settings};

/// Ten minutes: the reflexes' venous limbs (20 s time constant, 5 s delay) have settled.
const SETTLE_S: f64 = 600.0;

fn run(preset: &str, sets: &[&str], seconds: f64) -> Summary {
    let p = settings::apply_all(&presets::load(preset).unwrap(), sets).unwrap();
    let mut e = Engine::new(p).unwrap();
    e.run_for(seconds);
    e.summary().unwrap()
}

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

/// Non-increasing within `tol` (beat-averaging jitter), else the offending pair.
fn never_rises(what: &str, xs: &[(f64, f64)], tol: f64) {
    for w in xs.windows(2) {
        assert!(
            w[1].1 <= w[0].1 + tol,
            "{what}: {} at {} but {} at {}",
            w[0].1,
            w[0].0,
            w[1].1,
            w[1].0
        );
    }
}

#[test]
fn more_blood_lost_never_raises_filling_pressures_or_pressure() {
    for (preset, full) in [("healthy", 5000.0), ("cardiogenic-shock", 5300.0)] {
        let (mut co, mut pcwp, mut cvp, mut map) = (vec![], vec![], vec![], vec![]);
        for lost in [0.0, 250.0, 500.0, 750.0, 1000.0, 1500.0] {
            let bv = format!("blood_volume_ml={}", full - lost);
            let s = run(preset, &[&bv], SETTLE_S);
            co.push((lost, s.beat.native_co_l_min));
            pcwp.push((lost, s.beat.pcwp_mmhg));
            cvp.push((lost, s.beat.cvp_mmhg));
            map.push((lost, s.beat.map_mmhg));
        }
        never_rises(&format!("{preset} PCWP"), &pcwp, 0.1);
        never_rises(&format!("{preset} CVP"), &cvp, 0.1);
        never_rises(&format!("{preset} MAP"), &map, 0.2);
        if preset == "healthy" {
            never_rises("healthy output", &co, 0.02);
        } else {
            // The congested failing heart sits on the flat top of its Starling curve: a few
            // hundred mL off keep its output (and its reversed low-pressure reflex relaxes the
            // vessels, Ferguson 1984), larger losses cut it.
            let base = co[0].1;
            assert!(
                co.iter().all(|&(_, x)| x < 1.03 * base),
                "shock output never rises more than 3 %: {co:?}"
            );
            assert!(
                co[co.len() - 1].1 < 0.9 * base,
                "1.5 L lost cuts the output: {co:?}"
            );
        }
    }
}

#[test]
fn the_cardiopulmonary_reflex_holds_pressure_after_a_small_bleed_without_tachycardia() {
    // 500 mL from a healthy adult: output falls, rate and MAP hold (Crit Care Med 1989).
    let base = run("healthy", &[], SETTLE_S);
    let bled = run("healthy", &["blood_volume_ml=4500"], SETTLE_S);
    let no_cp = run(
        "healthy",
        &["blood_volume_ml=4500", "reflex.cardiopulmonary_gain=0"],
        SETTLE_S,
    );
    assert!(bled.beat.native_co_l_min < 0.9 * base.beat.native_co_l_min);
    assert!(
        bled.beat.svr_dyn_s_cm5 > 1.1 * base.beat.svr_dyn_s_cm5,
        "vasoconstriction"
    );
    let (dhr, dmap) = (
        bled.beat.hr_bpm - base.beat.hr_bpm,
        bled.beat.map_mmhg - base.beat.map_mmhg,
    );
    let (dhr0, dmap0) = (
        no_cp.beat.hr_bpm - base.beat.hr_bpm,
        no_cp.beat.map_mmhg - base.beat.map_mmhg,
    );
    assert!(
        dhr < 5.0 && dmap.abs() < 5.0,
        "HR {dhr:+.1}, MAP {dmap:+.1}"
    );
    assert!(
        dhr < dhr0 - 1.0 && dmap > dmap0 + 1.0,
        "the low-pressure receptors spare the rate: HR {dhr:+.1} vs {dhr0:+.1} without, \
         MAP {dmap:+.1} vs {dmap0:+.1}"
    );
}

#[test]
fn a_stronger_heart_rate_limb_answers_a_bleed_with_more_tachycardia() {
    let mut rise = vec![];
    for g in [0.0, 0.5, 1.0, 2.0] {
        let gain = format!("reflex.heart_rate_gain={g}");
        let base = run("healthy", &[&gain], SETTLE_S);
        let bled = run("healthy", &[&gain, "blood_volume_ml=4000"], SETTLE_S);
        rise.push((g, -(bled.beat.hr_bpm - base.beat.hr_bpm)));
    }
    // The rise in rate grows with the gain: its negative never rises.
    never_rises("tachycardia against heart-rate gain", &rise, 0.1);
    assert!(rise[0].1.abs() < 0.5, "no heart-rate limb, no tachycardia");
}

#[test]
fn more_inotrope_never_raises_the_wedge_pressure_of_the_failing_heart() {
    // Across the whole settable range of each drug, at steady state.
    for (key, doses, seconds) in [
        (
            "drugs.dobutamine_mcg_kg_min",
            vec![0.0, 2.5, 5.0, 10.0, 20.0, 40.0],
            SETTLE_S,
        ),
        (
            "drugs.milrinone_mcg_kg_min",
            vec![0.0, 0.25, 0.5, 0.75, 1.5],
            // Without a bolus milrinone takes hours to its plateau.
            4.0 * 3600.0,
        ),
    ] {
        let (mut pcwp, mut co) = (vec![], vec![]);
        for d in doses {
            let set = format!("{key}={d}");
            let s = run("cardiogenic-shock", &[&set], seconds);
            pcwp.push((d, s.beat.pcwp_mmhg));
            co.push((d, -s.beat.native_co_l_min));
        }
        never_rises(&format!("{key}: PCWP"), &pcwp, 0.1);
        never_rises(&format!("{key}: output (negated)"), &co, 0.02);
    }
}

#[test]
fn ecmo_flow_distends_the_congested_heart_and_unloads_the_preload_dependent_one() {
    // docs/VALIDATION.md rows F15-F17: both behaviours, depending on the patient.
    let e4 = [
        "ecmo.enabled=true",
        "ecmo.mode=flow",
        "ecmo.flow_target_l_min=1.5",
    ];
    let preload_dependent = with(
        &e4,
        &[
            "blood_volume_ml=4700",
            "heart.lv.ees_mmhg_per_ml=1",
            "reflex.resistance_gain=2",
            "reflex.venous_gain=2",
            "reflex.cardiopulmonary_gain=1",
        ],
    );
    for (patient, distends) in [(e4.to_vec(), true), (preload_dependent, false)] {
        let low = run("cardiogenic-shock", &patient, 300.0);
        let high = run(
            "cardiogenic-shock",
            &with(&patient, &["ecmo.flow_target_l_min=4"]),
            300.0,
        );
        let d = high.beat.lvedp_mmhg - low.beat.lvedp_mmhg;
        assert!(
            if distends { d > 1.0 } else { d < -1.0 },
            "LVEDP {} -> {} ({patient:?})",
            low.beat.lvedp_mmhg,
            high.beat.lvedp_mmhg
        );
    }
}

#[test]
fn the_failing_hearts_reflex_is_blunted_and_its_low_pressure_reflex_reversed() {
    let p = presets::load("cardiogenic-shock").unwrap();
    let h = presets::load("healthy").unwrap();
    assert!(p.reflex.heart_rate_gain < 0.5 * h.reflex.heart_rate_gain);
    assert!(p.reflex.resistance_gain < h.reflex.resistance_gain);
    assert!(p.reflex.cardiopulmonary_gain < 0.0 && h.reflex.cardiopulmonary_gain > 0.0);
    // The same bleed speeds the failing heart far less.
    let rise = |preset: &str, full: f64| {
        let base = run(preset, &[], SETTLE_S);
        let bv = format!("blood_volume_ml={}", full - 500.0);
        run(preset, &[&bv], SETTLE_S).beat.hr_bpm - base.beat.hr_bpm
    };
    let (healthy, shock) = (rise("healthy", 5000.0), rise("cardiogenic-shock", 5300.0));
    assert!(
        shock < healthy,
        "HR +{shock:.1} in shock, +{healthy:.1} healthy"
    );
}
