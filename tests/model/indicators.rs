//! Every per-beat indicator checked against a hand computation on a synthetic waveform whose
//! answers are known in closed form (a rectangular PV loop, sinusoidal pressures).

use ecmo_unload::arterial_line::{RADIAL_DAMPING, RADIAL_RESONANCE_HZ};
use ecmo_unload::circulation::{Connection, N_CONNECTIONS, N_NODES, Node};
use ecmo_unload::heart::ChamberLaw;
use ecmo_unload::monitor::{
    AV_OPENING_MIN_FORWARD_ML, Beat, BeatMeans, MVO2_BASAL_ML_O2_MIN,
    MVO2_ECC_ML_O2_PER_BEAT_PER_EES, MVO2_PER_PVA_ML_O2_PER_MMHG_ML, Monitor, Sample,
};
use ecmo_unload::oxygen::Saturations;
use ecmo_unload::patient::Chamber;
use ecmo_unload::support::Readout;
use ecmo_unload::units::watts_from_mmhg_l_min;
use std::f64::consts::PI;

const DT: f64 = 1e-3;
const STEPS_PER_BEAT: usize = 1000; // 1 s beats: 60 bpm
const EES: f64 = 2.0;
const V0: f64 = 10.0;
const BSA_M2: f64 = 2.0;

fn lv_law() -> ChamberLaw {
    ChamberLaw::new(&Chamber {
        ees_mmhg_per_ml: EES,
        v0_ml: V0,
        edpvr_a_mmhg: 0.34,
        edpvr_b_per_ml: 0.024,
        contraction_ms: 269.0,
        relaxation_ms: 452.0,
        contraction_hill: 1.32,
        relaxation_hill: 27.4,
    })
}

/// Rectangular PV loop: isovolumic contraction at 120 mL (10 -> 100 mmHg, 0-0.1 s), ejection at
/// 100 mmHg (120 -> 50 mL, 0.1-0.4 s), isovolumic relaxation at 50 mL (0.4-0.5 s), filling at
/// 10 mmHg (50 -> 120 mL, 0.5-1.0 s).
fn lv_pv(t: f64) -> (f64, f64) {
    let lerp = |a: f64, b: f64, f: f64| a + (b - a) * f;
    if t < 0.1 {
        (lerp(10.0, 100.0, t / 0.1), 120.0)
    } else if t < 0.4 {
        (100.0, lerp(120.0, 50.0, (t - 0.1) / 0.3))
    } else if t < 0.5 {
        (lerp(100.0, 10.0, (t - 0.4) / 0.1), 50.0)
    } else {
        (10.0, lerp(50.0, 120.0, (t - 0.5) / 0.5))
    }
}

fn feed(monitor: &mut Monitor, beats: usize) {
    for k in 0..beats * STEPS_PER_BEAT + 1 {
        let t = k as f64 * DT;
        let tb = (k % STEPS_PER_BEAT) as f64 * DT;
        let mut p = [0.0; N_NODES];
        let mut v = [100.0; N_NODES];
        let mut q = [0.0; N_CONNECTIONS];
        let (lv_p, lv_v) = lv_pv(tb);
        p[Node::Lv.index()] = lv_p;
        v[Node::Lv.index()] = lv_v;
        // Peaks at 0.25 s, inside ejection (0.1-0.4 s), as a systolic peak does.
        p[Node::Arch.index()] = 80.0 + 40.0 * (PI * (tb + 0.25)).sin().powi(2);
        p[Node::Descending.index()] = 95.0;
        p[Node::AorticRoot.index()] = if tb < 0.4 { 110.0 } else { 90.0 };
        p[Node::Ra.index()] = 5.0;
        p[Node::La.index()] = 12.0 + 4.0 * (2.0 * PI * tb).sin();
        p[Node::PulmonaryArteries.index()] = 20.0 + 10.0 * (2.0 * PI * tb).sin();
        // RV volume: 140 at the R wave down to 70 at 0.4 s, then back.
        v[Node::Rv.index()] = 105.0 + 35.0 * (2.0 * PI * tb * 1.25).cos().max(-1.0);
        if (0.1..0.4).contains(&tb) {
            q[Connection::Aortic.index()] = 70.0 / 0.3;
            q[Connection::Pulmonic.index()] = 70.0 / 0.3;
        }
        // Devices: ECMO drainage 60 mL/s plus vent 10 mL/s, septostomy 5 mL/s, Impella 25 mL/s;
        // the ECMO inlet collapses for the last 0.2 s of each beat, the Impella's the first 0.1 s.
        q[Connection::EcmoDrainage.index()] = 60.0;
        q[Connection::LvVent.index()] = 10.0;
        q[Connection::Septostomy.index()] = 5.0;
        q[Connection::Impella.index()] = 25.0;
        let devices = Readout {
            ecmo_rpm: 3000.0,
            ecmo_inlet_mmhg: -40.0,
            ecmo_collapsing: tb >= 0.8,
            impella_suction: tb < 0.1,
            iabp_balloon_ml: 0.0,
        };
        monitor.observe(&Sample {
            t_s: t,
            dt_s: DT,
            r_wave: k % STEPS_PER_BEAT == 0,
            beating: true,
            p_mmhg: &p,
            lv_ml: v[Node::Lv.index()],
            rv_ml: v[Node::Rv.index()],
            q_ml_s: &q,
            devices,
            // Saturations: the upper one swings around 0.9 (a mixing zone in the arch).
            oxygen: Saturations {
                upper: 0.9 + 0.05 * (2.0 * PI * tb).sin(),
                lower: 1.0,
                coronary: 0.85,
                mixed_venous: 0.6,
            },
        });
    }
}

fn close(name: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{name}: got {got}, want {want} (+-{tol})"
    );
}

#[test]
fn indicators_match_hand_computation() {
    let law = lv_law();
    let mut m = Monitor::new(law, BSA_M2);
    // Six beats: the arterial lines' start-up transient has died away (to 1e-15) by the last.
    feed(&mut m, 6);
    assert_eq!(m.beats_total(), 6);
    let b = *m.last_beat().unwrap();

    close("hr", b.hr_bpm, 60.0, 1e-9);
    // The radial line passes the arch's 1-Hz swing (80 to 120) with its resonance's gain at
    // 1 Hz, around the same mean (sin^2 averages 1/2 over a period).
    let r = 1.0 / RADIAL_RESONANCE_HZ;
    let gain = 1.0 / ((1.0 - r * r).powi(2) + (2.0 * RADIAL_DAMPING * r).powi(2)).sqrt();
    close("sbp", b.sbp_mmhg, 100.0 + 20.0 * gain, 0.02);
    close("dbp", b.dbp_mmhg, 100.0 - 20.0 * gain, 0.02);
    close("map", b.map_mmhg, 100.0, 1e-6);
    close("pulse pressure", b.pulse_pressure_mmhg, 40.0 * gain, 0.04);
    // Systolic amplification: the radial pulse is wider than the central one.
    assert!(b.pulse_pressure_mmhg > 41.0);
    close("map lower", b.map_lower_mmhg, 95.0, 1e-9);
    close("sbp lower", b.sbp_lower_mmhg, 95.0, 1e-9);
    close("dbp lower", b.dbp_lower_mmhg, 95.0, 1e-9);
    close("rvedp (R wave)", b.rvedp_mmhg, 0.0, 1e-9);
    // Impella 1.5 L/min adds to the LV's forward flow.
    close(
        "cpo total",
        b.cpo_total_w,
        watts_from_mmhg_l_min(100.0, 4.2 + 1.5),
        1e-6,
    );
    close("cvp", b.cvp_mmhg, 5.0, 1e-9);
    close("pap sys", b.pap_sys_mmhg, 30.0, 1e-9);
    close("pap dia", b.pap_dia_mmhg, 10.0, 1e-9);
    close("pap mean", b.pap_mean_mmhg, 20.0, 1e-9);
    close("pcwp", b.pcwp_mmhg, 12.0, 1e-9);
    close("lvedp", b.lvedp_mmhg, 10.0, 1e-9);
    close("lvedv", b.lvedv_ml, 120.0, 1e-9);
    close("lvesv", b.lvesv_ml, 50.0, 1e-9);
    close("sv", b.lv_sv_ml, 70.0, 1e-9);
    close("ef", b.lvef_pct, 100.0 * 70.0 / 120.0, 1e-9);
    close("lv peak", b.lv_peak_mmhg, 100.0, 1e-9);
    close("rvedv", b.rvedv_ml, 140.0, 1e-9);
    close("rvesv", b.rvesv_ml, 70.0, 1e-9);
    // 70 mL forward per 1 s beat = 4.2 L/min (rectangle rule over 300 samples of 1 ms).
    close("native co", b.native_co_l_min, 4.2, 1e-9);
    assert!(b.av_opened && b.av_forward_ml > AV_OPENING_MIN_FORWARD_ML);
    // Ejection 0.1-0.4 s: 300 samples of 1 ms with forward flow.
    close("lvet", b.lvet_ms, 300.0, 1e-6);
    // Rectangle loop area: (100 - 10) * (120 - 50).
    close("stroke work", b.stroke_work_mmhg_ml, 6300.0, 1e-6);
    // End-systolic point (50 mL, 100 mmHg): PE = 1/2 * 100 * (50 - V0) - integral of EDPVR.
    let a = 0.34;
    let bb = 0.024;
    let edpvr_int = a * (((bb * 40.0_f64).exp() - 1.0) / bb - 40.0);
    let pe = 0.5 * 100.0 * 40.0 - edpvr_int;
    close("pva", b.pva_mmhg_ml, 6300.0 + pe, 1e-6);
    let mvo2 = (MVO2_PER_PVA_ML_O2_PER_MMHG_ML * (6300.0 + pe)
        + MVO2_ECC_ML_O2_PER_BEAT_PER_EES * EES)
        * 60.0
        + MVO2_BASAL_ML_O2_MIN;
    close("mvo2", b.mvo2_ml_min, mvo2, 1e-9);
    // Diastole (valve shut after ejection, 0.4-1.0 s) root pressure 90, LV end-diastolic 10.
    close("coronary perfusion", b.coronary_perfusion_mmhg, 80.0, 1e-9);
    close("cpo", b.cpo_w, watts_from_mmhg_l_min(100.0, 4.2), 1e-6);
    close("cpo value", b.cpo_w, 100.0 * 4.2 / 451.0, 5e-3);
    // Devices: 70 mL/s through the pump = 4.2 L/min, of it 0.6 by the vent; Impella 1.5 L/min;
    // total to the systemic arteries = native 4.2 + ECMO 4.2 + Impella 1.5.
    close("ecmo flow", b.ecmo_flow_l_min, 4.2, 1e-9);
    close("vent flow", b.vent_flow_l_min, 0.6, 1e-9);
    close("septostomy flow", b.septostomy_flow_l_min, 0.3, 1e-9);
    close("impella flow", b.impella_flow_l_min, 1.5, 1e-9);
    close("impella suction", b.impella_suction_pct, 10.0, 1e-9);
    close("total flow", b.total_flow_l_min, 9.9, 1e-9);
    // Derived: CI = native CO / BSA; SVR = 80 (MAP - CVP) / total flow; PVR = 80 (mean PAP -
    // PCWP) / RV output (4.2 L/min through the pulmonic valve), 80 being 79.9934 exactly.
    close("ci", b.ci_l_min_m2, 2.1, 1e-9);
    close("svr", b.svr_dyn_s_cm5, 79.993_432_449 * 95.0 / 9.9, 1e-6);
    close("pvr", b.pvr_dyn_s_cm5, 79.993_432_449 * 8.0 / 4.2, 1e-6);
    close("rpm", b.ecmo_rpm, 3000.0, 1e-9);
    close("inlet", b.ecmo_inlet_mmhg, -40.0, 1e-9);
    close("collapse", b.ecmo_collapse_pct, 20.0, 1e-9);
    // Gaar: PCWP 12 + 0.4 (mean PAP 20 - 12).
    close(
        "pulmonary capillary",
        b.pulmonary_capillary_mmhg,
        15.2,
        1e-9,
    );
    close("sao2 upper", b.sao2_upper_pct, 90.0, 1e-9);
    close("sao2 lower", b.sao2_lower_pct, 100.0, 1e-9);
    close("sao2 coronary", b.sao2_coronary_pct, 85.0, 1e-9);
    close("svo2", b.svo2_pct, 60.0, 1e-9);
}

#[test]
fn a_beat_that_does_not_eject_is_counted_closed() {
    let mut m = Monitor::new(lv_law(), BSA_M2);
    for k in 0..2001 {
        let mut p = [0.0; N_NODES];
        p[Node::Lv.index()] = 20.0;
        p[Node::AorticRoot.index()] = 70.0;
        let v = [150.0; N_NODES];
        let q = [0.0; N_CONNECTIONS];
        m.observe(&Sample {
            t_s: k as f64 * DT,
            dt_s: DT,
            r_wave: k % STEPS_PER_BEAT == 0,
            beating: true,
            p_mmhg: &p,
            lv_ml: v[Node::Lv.index()],
            rv_ml: v[Node::Rv.index()],
            q_ml_s: &q,
            devices: Readout::default(),
            oxygen: Saturations::default(),
        });
    }
    let means = m.mean_of_last(10).unwrap();
    assert_eq!(means.beats, 2);
    assert_eq!(means.av_opening_pct, 0.0);
    close("no output", means.mean.native_co_l_min, 0.0, 1e-12);
    close("no stroke work", means.mean.stroke_work_mmhg_ml, 0.0, 1e-9);
    // Whole beat is diastole: CPP = 70 - 20.
    close("cpp", means.mean.coronary_perfusion_mmhg, 50.0, 1e-9);
}

#[test]
fn a_resistance_over_alternating_beats_is_the_ratio_of_their_means() {
    // IABP 1:2: a beat of high pressure and low flow, then one of low pressure and high flow.
    // The mean of their ratios (2133 and 1000) would be 1567.
    let beat = |map_mmhg: f64, total_flow_l_min: f64| Beat {
        beating: true,
        duration_s: 0.6,
        map_mmhg,
        cvp_mmhg: 10.0,
        total_flow_l_min,
        ..Beat::default()
    };
    let beats = [beat(90.0, 3.0), beat(60.0, 4.0)];
    let means = BeatMeans::of(beats.iter());
    let want = ecmo_unload::units::dyn_s_cm5_from_mmhg_l_min(75.0 - 10.0, 3.5);
    close("SVR over two beats", means.mean.svr_dyn_s_cm5, want, 1e-9);
}

#[test]
fn mean_of_identical_beats_is_the_beat() {
    let mut m = Monitor::new(lv_law(), BSA_M2);
    // Enough beats for the arterial lines' start-up transient to vanish.
    feed(&mut m, 8);
    let last = *m.last_beat().unwrap();
    let means = m.mean_of_last(3).unwrap();
    assert_eq!(means.beats, 3);
    assert_eq!(means.av_opening_pct, 100.0);
    let a = serde_json::to_value(last).unwrap();
    let b = serde_json::to_value(means.mean).unwrap();
    for (k, v) in a.as_object().unwrap() {
        if k == "t_start_s" {
            continue;
        }
        match (v.as_f64(), b[k].as_f64()) {
            (Some(x), Some(y)) => close(k, y, x, 1e-9 * x.abs().max(1.0)),
            _ => assert_eq!(v, &b[k], "{k}"),
        }
    }
}

#[test]
fn without_beats_the_monitor_measures_one_second_windows() {
    let mut m = Monitor::new(lv_law(), BSA_M2);
    // Fibrillating heart on a pump: LV pressure 20 +- 2, volume 200 +- 10, no ejection but a
    // trickle forward in the second window.
    for k in 0..3000 {
        let t = k as f64 * DT;
        let mut p = [0.0; N_NODES];
        let mut v = [100.0; N_NODES];
        let mut q = [0.0; N_CONNECTIONS];
        p[Node::Lv.index()] = 20.0 + 2.0 * (2.0 * PI * 5.0 * t).sin();
        v[Node::Lv.index()] = 200.0 + 10.0 * (2.0 * PI * 5.0 * t).cos();
        p[Node::Arch.index()] = 70.0;
        if (1.2..1.3).contains(&t) {
            q[Connection::Aortic.index()] = 1.0;
        }
        m.observe(&Sample {
            t_s: t,
            dt_s: DT,
            r_wave: k == 0,
            beating: false,
            p_mmhg: &p,
            lv_ml: v[Node::Lv.index()],
            rv_ml: v[Node::Rv.index()],
            q_ml_s: &q,
            devices: Readout::default(),
            oxygen: Saturations::default(),
        });
    }
    assert_eq!(m.beats_total(), 2, "two full 1-s windows");
    let w: Vec<_> = m.beats().copied().collect();
    for b in &w {
        close("hr", b.hr_bpm, 0.0, 0.0);
        close("lvedp = mean LV pressure", b.lvedp_mmhg, 20.0, 1e-9);
        close("lvedv = mean LV volume", b.lvedv_ml, 200.0, 1e-9);
        close("map", b.map_mmhg, 70.0, 1e-9);
    }
    assert!(
        !w[0].av_opened && w[1].av_opened,
        "AV opening = forward flow in the window"
    );
    close(
        "av opening",
        m.mean_of_last(10).unwrap().av_opening_pct,
        50.0,
        1e-9,
    );
}

/// A step length changed mid-beat (the `numerics.dt_ms` setting) keeps every time integral: the
/// monitor sums in steps and rescales them, so volumes and means stay those of the waveform.
#[test]
fn a_step_change_mid_beat_keeps_volumes_and_means() {
    let mut m = Monitor::new(lv_law(), BSA_M2);
    // One 1-s beat: 0.4 s at 1 ms steps, then 0.6 s at 0.25 ms steps; then the next R wave.
    // Aortic flow 100 mL/s throughout, RA pressure 60 mmHg in the first part, 90 after.
    let mut t = 0.0;
    let mut sample = |m: &mut Monitor, dt: f64, r_wave: bool, ra: f64| {
        let mut p = [0.0; N_NODES];
        p[Node::Ra.index()] = ra;
        p[Node::Lv.index()] = 100.0;
        let mut q = [0.0; N_CONNECTIONS];
        q[Connection::Aortic.index()] = 100.0;
        m.observe(&Sample {
            t_s: t,
            dt_s: dt,
            r_wave,
            beating: true,
            p_mmhg: &p,
            lv_ml: 120.0,
            rv_ml: 120.0,
            q_ml_s: &q,
            devices: Readout::default(),
            oxygen: Saturations::default(),
        });
        t += dt;
    };
    for k in 0..400 {
        sample(&mut m, 1e-3, k == 0, 60.0);
    }
    for _ in 0..2400 {
        sample(&mut m, 2.5e-4, false, 90.0);
    }
    sample(&mut m, 2.5e-4, true, 90.0);
    let b = *m.last_beat().unwrap();
    close("duration", b.duration_s, 1.0, 1e-9);
    close("forward volume", b.av_forward_ml, 100.0, 1e-9);
    close("lvet", b.lvet_ms, 1000.0, 1e-6);
    // Time-weighted: 0.4 s at 60, 0.6 s at 90 (not the step-weighted 400:2400 mean).
    close("cvp", b.cvp_mmhg, 0.4 * 60.0 + 0.6 * 90.0, 1e-9);
    close("co", b.native_co_l_min, 6.0, 1e-9);
}
