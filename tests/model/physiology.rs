//! Physiological behaviour of the engine beyond the summary ranges of docs/VALIDATION.md.

use ecmo_unload::{Connection, Engine, Node, presets};

fn settled(preset: &str) -> Engine {
    let mut e = Engine::new(presets::load(preset).unwrap()).unwrap();
    e.run_for(60.0);
    e
}

/// Mean flow of each path over `seconds`.
fn mean_flows(e: &mut Engine, seconds: f64) -> impl Fn(Connection) -> f64 {
    let steps = (seconds / e.dt_s()) as usize;
    let mut sum = [0.0; Connection::COUNT];
    for _ in 0..steps {
        e.step();
        for p in Connection::ALL {
            sum[p.index()] += e.flow_ml_s(*p);
        }
    }
    move |p: Connection| sum[p.index()] / steps as f64
}

#[test]
fn cardiac_output_splits_as_in_the_body() {
    let mut e = settled("healthy");
    let q = mean_flows(&mut e, 20.0);
    let co = q(Connection::Aortic);
    let share = |p: Connection| 100.0 * q(p) / co;
    // Williams & Leggett 1989 / ICRP 89: heart wall ~4 %, bronchial (lung tissue) ~2.5 %.
    assert!(
        (3.0..=6.0).contains(&share(Connection::Coronary)),
        "coronary {:.2} %",
        share(Connection::Coronary)
    );
    assert!(
        (1.0..=2.5).contains(&share(Connection::Bronchial)),
        "bronchial {:.2} %",
        share(Connection::Bronchial)
    );
    assert!(
        (20.0..=35.0).contains(&share(Connection::UpperBody)),
        "upper body {:.2} %",
        share(Connection::UpperBody)
    );
    // Steady state: what leaves the LV comes back through the RV (bronchial flow bypasses it).
    let rv = q(Connection::Pulmonic);
    assert!(
        (rv - (co - q(Connection::Bronchial))).abs() < 0.01 * co,
        "RV {rv} vs LV {co}"
    );
}

#[test]
fn aortic_pressure_shows_a_dicrotic_notch() {
    let mut e = settled("healthy");
    let mut closed_at = None;
    let mut prev_q = 0.0;
    let mut root = Vec::new();
    for _ in 0..4000 {
        e.step();
        let q = e.flow_ml_s(Connection::Aortic);
        if prev_q != 0.0 && q == 0.0 && closed_at.is_none() {
            closed_at = Some(e.t_s());
        }
        if closed_at.is_some() && root.len() < 300 {
            root.push(e.pressure_mmhg(Node::AorticRoot));
        }
        prev_q = q;
    }
    // After valve closure the root pressure dips and rebounds (the incisura) within 150 ms.
    let rises = root.windows(2).take(300).any(|w| w[1] > w[0] + 1e-3);
    assert!(
        closed_at.is_some() && rises,
        "no rebound after aortic valve closure"
    );
}

#[test]
fn atria_contract_before_the_ventricles() {
    let mut e = settled("healthy");
    // Over one beat: LA pressure peaks (a wave) before LV pressure peaks.
    let mut la_peak = (0.0, f64::MIN);
    let mut lv_peak = (0.0, f64::MIN);
    let mut beats = 0;
    while beats < 2 {
        if e.step().is_some() {
            beats += 1;
            if beats == 1 {
                la_peak = (0.0, f64::MIN);
                lv_peak = (0.0, f64::MIN);
            }
        }
        let t = e.t_s();
        let la = e.pressure_mmhg(Node::La);
        let lv = e.pressure_mmhg(Node::Lv);
        if la > la_peak.1 && e.flow_ml_s(Connection::Mitral) > 0.0 {
            la_peak = (t, la);
        }
        if lv > lv_peak.1 {
            lv_peak = (t, lv);
        }
    }
    let b = e.monitor().last_beat().unwrap();
    let beat_end = b.t_start_s + b.duration_s;
    // The a wave comes in late diastole: after the LV peak of this beat, before the next R wave.
    assert!(
        la_peak.0 > lv_peak.0 && la_peak.0 < beat_end,
        "a wave at {la_peak:?}, LV peak at {lv_peak:?}"
    );
}

#[test]
fn shock_is_worse_than_health_in_the_expected_directions() {
    let h = settled("healthy").summary().unwrap();
    let s = settled("cardiogenic-shock").summary().unwrap();
    assert!(s.beat.native_co_l_min < h.beat.native_co_l_min);
    assert!(s.beat.lvedv_ml > h.beat.lvedv_ml, "the failing LV dilates");
    assert!(
        s.beat.pcwp_mmhg > h.beat.pcwp_mmhg + 10.0,
        "the lungs congest"
    );
    assert!(s.beat.coronary_perfusion_mmhg < h.beat.coronary_perfusion_mmhg);
    assert!(s.beat.cpo_w < h.beat.cpo_w);
    assert!(
        s.beat.pulse_pressure_mmhg < h.beat.pulse_pressure_mmhg,
        "narrow pulse pressure of low stroke volume"
    );
}

#[test]
fn mvo2_rises_with_contractility_and_load() {
    let base = settled("healthy").summary().unwrap();
    let mut e = settled("healthy");
    e.set("heart.lv.ees_mmhg_per_ml", "3.5").unwrap();
    e.run_for(30.0);
    let strong = e.summary().unwrap();
    assert!(
        strong.beat.mvo2_ml_min > base.beat.mvo2_ml_min,
        "{} vs {}",
        strong.beat.mvo2_ml_min,
        base.beat.mvo2_ml_min
    );
    assert!(strong.beat.pva_mmhg_ml > 0.0 && base.beat.pva_mmhg_ml > base.beat.stroke_work_mmhg_ml);
}

#[test]
fn the_model_reaches_a_periodic_steady_state() {
    let mut e = settled("cardiogenic-shock");
    let a = e.summary().unwrap();
    e.run_for(30.0);
    let b = e.summary().unwrap();
    for (x, y, what) in [
        (a.beat.map_mmhg, b.beat.map_mmhg, "map"),
        (a.beat.pcwp_mmhg, b.beat.pcwp_mmhg, "pcwp"),
        (a.beat.lvedv_ml, b.beat.lvedv_ml, "lvedv"),
    ] {
        assert!(
            (x - y).abs() < 0.01 * x.abs().max(1.0),
            "{what} still moving: {x} -> {y}"
        );
    }
}

#[test]
fn the_baroreflex_defends_pressure_after_a_haemorrhage() {
    let bleed = |reflex: &str| {
        let mut e = settled("healthy");
        e.set("reflex.baroreflex", reflex).unwrap();
        e.run_for(10.0);
        let before = e.summary().unwrap();
        e.set("blood_volume_ml", "4300").unwrap(); // -700 mL, a class II haemorrhage
        e.run_for(90.0);
        (before, e.summary().unwrap())
    };
    let (b_on, a_on) = bleed("true");
    let (b_off, a_off) = bleed("false");
    assert!(
        a_on.beat.hr_bpm > b_on.beat.hr_bpm + 5.0,
        "tachycardia: {} -> {}",
        b_on.beat.hr_bpm,
        a_on.beat.hr_bpm
    );
    assert!(
        (a_off.beat.hr_bpm - b_off.beat.hr_bpm).abs() < 0.5,
        "no reflex, no rate change"
    );
    let fall_on = b_on.beat.map_mmhg - a_on.beat.map_mmhg;
    let fall_off = b_off.beat.map_mmhg - a_off.beat.map_mmhg;
    assert!(
        fall_on < 0.6 * fall_off,
        "MAP falls {fall_on} with the reflex, {fall_off} without"
    );
    assert!(
        a_on.beat.svr_dyn_s_cm5 > b_on.beat.svr_dyn_s_cm5,
        "vasoconstriction"
    );
}

#[test]
fn a_fluid_bolus_fills_the_heart_and_removal_empties_it() {
    let mut e = settled("healthy");
    let before = e.summary().unwrap();
    e.give_fluid(1000.0, 300.0).unwrap(); // 1 L over 5 min
    e.run_for(400.0);
    let loaded = e.summary().unwrap();
    assert!((loaded.fluid_given_ml - 1000.0).abs() < 1e-6);
    // In the body: the blood, and what filtered into the lungs meanwhile.
    let gained = (loaded.blood_volume_ml + loaded.lung_water_ml)
        - (before.blood_volume_ml + before.lung_water_ml);
    assert!((gained - 1000.0).abs() < 1e-6, "{gained}");
    assert!(e.volume_drift_ml().abs() < 1e-6, "fluid is accounted for");
    assert!(
        loaded.beat.cvp_mmhg > before.beat.cvp_mmhg
            && loaded.beat.pcwp_mmhg > before.beat.pcwp_mmhg
    );
    assert!(loaded.beat.lvedv_ml > before.beat.lvedv_ml, "preload rises");
    e.give_fluid(-1500.0, 300.0).unwrap();
    e.run_for(400.0);
    let dry = e.summary().unwrap();
    assert!((dry.fluid_given_ml + 500.0).abs() < 1e-6);
    assert!(dry.beat.pcwp_mmhg < before.beat.pcwp_mmhg && dry.beat.lvedv_ml < before.beat.lvedv_ml);
    assert!(e.give_fluid(100.0, -1.0).is_err());
}
