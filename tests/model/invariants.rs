//! Invariants that hold always: blood volume conserved, volumes non-negative, everything finite,
//! valves behave as valves, runs are bit-for-bit reproducible.

use ecmo_unload::Connection;
use ecmo_unload::circulation::{N_NODES, Node};
use ecmo_unload::settings::{self, SPECS};
use ecmo_unload::{Engine, Patient, presets};

fn engine(preset: &str) -> Engine {
    Engine::new(presets::load(preset).unwrap()).unwrap()
}

#[test]
fn blood_volume_is_conserved_over_an_hour() {
    for preset in ["healthy", "cardiogenic-shock"] {
        let mut e = engine(preset);
        assert!((e.blood_volume_ml() - e.patient().blood_volume_ml).abs() < 1e-6);
        // Blood and lung water exchange (filtration, lymph); together they are conserved.
        let start = e.body_fluid_ml();
        e.run_for(3600.0);
        let drift = e.body_fluid_ml() - start;
        assert!(drift.abs() < 0.01, "{preset}: drift {drift} mL over 3600 s");
        assert!(e.volume_drift_ml().abs() < 0.01);
    }
}

#[test]
fn two_runs_are_bit_for_bit_identical() {
    let run = || {
        let mut e = engine("cardiogenic-shock");
        e.run_for(20.0);
        e.set("heart.lv.ees_mmhg_per_ml", "0.8").unwrap();
        e.run_for(5.0);
        (
            e.volumes_ml().map(f64::to_bits),
            serde_json::to_string(&e.summary().unwrap()).unwrap(),
        )
    };
    assert_eq!(run(), run());
}

#[test]
fn valves_open_without_chatter_one_side_at_a_time_and_close_on_their_closing_volume() {
    const VALVES: [Connection; 4] = [
        Connection::Mitral,
        Connection::Aortic,
        Connection::Tricuspid,
        Connection::Pulmonic,
    ];
    for preset in ["healthy", "cardiogenic-shock"] {
        let mut e = engine(preset);
        e.run_for(20.0);
        let closing_ml = e.patient().valves.aortic.closing_volume_ml;
        let dt = e.dt_s();
        let mut prev = e.snapshot();
        let mut openings = [0u32; 4];
        let mut last_change_s = [f64::NEG_INFINITY; 4];
        let mut backflow_ml = [0.0f64; 4];
        let mut beats = 0;
        for _ in 0..40_000 {
            if e.step().is_some() {
                beats += 1;
            }
            let s = e.snapshot();
            let (mitral, aortic) = (
                s.q_ml_s[Connection::Mitral.index()],
                s.q_ml_s[Connection::Aortic.index()],
            );
            assert!(
                !(mitral != 0.0 && aortic != 0.0),
                "{preset}: mitral and aortic open together at {}",
                s.t_s
            );
            for (k, valve) in VALVES.iter().enumerate() {
                let (from, to) = valve.ends();
                let dp = s.p_mmhg[from.index()] - s.p_mmhg[to.index()];
                let (q, q_prev) = (s.q_ml_s[valve.index()], prev.q_ml_s[valve.index()]);
                if (q != 0.0) != (q_prev != 0.0) {
                    // No chatter: every open or shut spell lasts at least 10 ms.
                    let spell = s.t_s - last_change_s[k];
                    assert!(
                        spell >= 0.010,
                        "{preset}: {valve:?} changed state after {spell} s at {}",
                        s.t_s
                    );
                    last_change_s[k] = s.t_s;
                }
                if q != 0.0 && q_prev == 0.0 {
                    openings[k] += 1;
                    backflow_ml[k] = 0.0;
                }
                // Forward flow against the gradient only runs down (inertia), never speeds up.
                if q > 0.0 && dp < 0.0 {
                    assert!(
                        q < q_prev,
                        "{preset}: {valve:?} accelerates against its gradient"
                    );
                }
                if q < 0.0 {
                    backflow_ml[k] -= q * dt;
                    assert!(
                        backflow_ml[k] <= closing_ml + 1e-9,
                        "{preset}: {valve:?} leaks {} mL",
                        backflow_ml[k]
                    );
                }
            }
            prev = s;
        }
        // Semilunar valves open once a beat; the AV valves once, or twice or three times when
        // early (E), mid-diastolic (L) and atrial (A) filling separate.
        for (k, valve) in VALVES.iter().enumerate() {
            let per_beat = f64::from(openings[k]) / f64::from(beats);
            let max = if matches!(valve, Connection::Aortic | Connection::Pulmonic) {
                1.0
            } else {
                3.0
            };
            assert!(
                per_beat > 0.95 && per_beat < max + 0.05,
                "{preset}: {valve:?} opened {} times in {beats} beats",
                openings[k]
            );
        }
    }
}

/// Every numeric key at its minimum and maximum, one at a time, on both presets: the run stays
/// finite, volumes stay non-negative, blood volume is conserved.
#[test]
fn every_key_at_both_extremes_stays_finite_and_conserved() {
    let all_devices = [
        "ecmo.enabled=true",
        "lv_vent.enabled=true",
        "septostomy.diameter_mm=5",
        "impella.enabled=true",
        "iabp.enabled=true",
    ];
    for (preset, devices) in [
        ("healthy", &[][..]),
        ("cardiogenic-shock", &[][..]),
        ("cardiogenic-shock", &all_devices[..]),
    ] {
        let base = settings::apply_all(&presets::load(preset).unwrap(), devices).unwrap();
        for (key, value) in settings::leaves(&base) {
            if value.as_f64().is_none() {
                continue;
            }
            let spec = settings::spec_of(&key).unwrap();
            for x in [spec.min, spec.max] {
                let p = settings::set(&base, &key, &x.to_string()).unwrap();
                check_run(p, &format!("{preset} {devices:?} {key}={x}"), 8.0);
            }
        }
    }
}

/// All keys at random corners together: harsher than one at a time.
#[test]
fn random_corners_of_the_parameter_space_stay_finite() {
    let base = settings::apply_all(
        &presets::load("cardiogenic-shock").unwrap(),
        &[
            "ecmo.enabled=true",
            "lv_vent.enabled=true",
            "impella.enabled=true",
            "iabp.enabled=true",
        ],
    )
    .unwrap();
    // (key, min, max, whole numbers only)
    let numeric: Vec<(String, f64, f64, bool)> = settings::leaves(&base)
        .into_iter()
        .filter(|(_, v)| v.is_number())
        .map(|(k, v)| {
            let s = settings::spec_of(&k).unwrap();
            (k, s.min, s.max, v.is_u64())
        })
        .collect();
    // A small deterministic LCG: the corners are reproducible.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for case in 0..24 {
        let mut p = base.clone();
        for (k, lo, hi, whole) in &numeric {
            let x = if next() < 0.5 {
                lo + (hi - lo) * next()
            } else if next() < 0.5 {
                *lo
            } else {
                *hi
            };
            let x = if *whole { x.round() } else { x };
            p = settings::set(&p, k, &x.to_string()).unwrap();
        }
        check_run(p, &format!("corner case {case}"), 6.0);
    }
}

fn check_run(p: Patient, what: &str, seconds: f64) {
    let mut e = Engine::new(p).unwrap_or_else(|err| panic!("{what}: {err}"));
    let start = e.body_fluid_ml();
    let steps = (seconds / e.dt_s()) as usize;
    for i in 0..steps {
        e.step();
        if i % 50 == 0 {
            let s = e.snapshot();
            for n in 0..N_NODES {
                assert!(
                    s.v_ml[n] >= 0.0,
                    "{what}: {:?} volume {} at {}",
                    Node::ALL[n],
                    s.v_ml[n],
                    s.t_s
                );
                assert!(
                    s.p_mmhg[n].is_finite(),
                    "{what}: {:?} pressure not finite",
                    Node::ALL[n]
                );
            }
            assert!(
                s.q_ml_s.iter().all(|q| q.is_finite()),
                "{what}: flow not finite"
            );
        }
    }
    let drift = e.body_fluid_ml() - start;
    assert!(drift.abs() < 1e-6, "{what}: volume drift {drift}");
    // CO2 conserved; gases, lactate and the CO2 stores finite and never negative.
    let o = e.oxygen();
    let made = o.co2_stores().produced_ml;
    let residual = o.co2_residual_ml();
    assert!(
        residual.abs() <= 1e-6 * made.max(1.0),
        "{what}: CO2 residual {residual} mL of {made} made"
    );
    if let Some(bad) = e.blood_gases().unphysical() {
        panic!("{what}: {bad}");
    }
    let stores = o.co2_stores();
    assert!(
        stores.alveolar_mmhg >= 0.0
            && stores
                .tissue_mmhg
                .iter()
                .all(|p| p.is_finite() && *p >= 0.0),
        "{what}: CO2 stores {stores:?}"
    );
    assert!(e.lactate().mmol_l >= 0.0 && e.lactate().mmol_l.is_finite());
    if let Some(summary) = e.summary() {
        let v = serde_json::to_value(summary).unwrap();
        for (k, x) in v.as_object().unwrap() {
            // Only console readings and resistances may be undefined (documented as null).
            let nullable = ecmo_unload::Summary::may_be_null(k);
            if x.is_null() {
                assert!(nullable, "{what}: summary {k} is null (NaN or infinite)");
            } else if let Some(x) = x.as_f64() {
                assert!(x.is_finite(), "{what}: summary {k} = {x}");
            }
        }
    }
}

#[test]
fn every_leaf_has_a_spec_and_every_spec_is_used() {
    let p = presets::load("healthy").unwrap();
    let leaves = settings::leaves(&p);
    for (k, _) in &leaves {
        assert!(settings::spec_of(k).is_some(), "no range for {k}");
    }
    for s in SPECS {
        assert!(
            leaves
                .iter()
                .any(|(k, _)| settings::spec_of(k).map(|x| x.pattern) == Some(s.pattern)),
            "spec {} matches no key",
            s.pattern
        );
    }
}

#[test]
fn live_setting_changes_keep_the_state_and_take_effect() {
    let mut e = engine("healthy");
    // The set rate, not the baroreflex's answer to it.
    e.set("reflex.baroreflex", "false").unwrap();
    e.run_for(20.0);
    let before = e.summary().unwrap();
    let v = e.blood_volume_ml();
    let body = e.body_fluid_ml();
    e.set("rhythm.rate_bpm", "100").unwrap();
    assert_eq!(
        e.blood_volume_ml(),
        v,
        "a parameter change must not move blood"
    );
    e.run_for(20.0);
    let after = e.summary().unwrap();
    assert!(
        (after.beat.hr_bpm - 100.0).abs() < 0.5,
        "{}",
        after.beat.hr_bpm
    );
    assert!((before.beat.hr_bpm - 72.0).abs() < 0.5);
    // A changed total volume is infused, and accounted for.
    e.set(
        "blood_volume_ml",
        &(e.patient().blood_volume_ml + 500.0).to_string(),
    )
    .unwrap();
    e.run_for(10.0);
    assert!((e.body_fluid_ml() - body - 500.0).abs() < 1e-6);
    assert!(e.volume_drift_ml().abs() < 1e-6);
}
