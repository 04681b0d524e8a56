//! Issue 4's patient over minutes and hours: drug time courses and their costs, lung water and
//! its risk grade, oxygen and the mixing zone, and time scales. The published sizes are rows of
//! docs/VALIDATION.md (P1-P17); here the shapes and directions.

use crate::patients;

use ecmo_unload::Summary;
use ecmo_unload::drugs::Drug;
use ecmo_unload::lungs::EdemaRisk;
use ecmo_unload::oxygen::MixingZone;
use patients::{engine, settled as after};

const ECMO_4: [&str; 3] = [
    "ecmo.enabled=true",
    "ecmo.mode=flow",
    "ecmo.flow_target_l_min=4",
];

#[test]
fn dobutamine_acts_within_minutes_and_wears_off_within_minutes() {
    let mut e = engine("cardiogenic-shock", &[]);
    e.run_for(60.0);
    let base = e.summary().unwrap();
    e.set("drugs.dobutamine_mcg_kg_min", "10").unwrap();
    e.run_for(120.0);
    let two_min = e.summary().unwrap();
    e.run_for(600.0);
    let twelve_min = e.summary().unwrap();
    assert!(
        two_min.dobutamine_effect > 0.1
            && two_min.dobutamine_effect < 0.9 * twelve_min.dobutamine_effect
    );
    assert!(two_min.beat.native_co_l_min > base.beat.native_co_l_min);
    assert!(twelve_min.beat.native_co_l_min > 1.3 * base.beat.native_co_l_min);
    e.set("drugs.dobutamine_mcg_kg_min", "0").unwrap();
    e.run_for(900.0);
    let off = e.summary().unwrap();
    assert!(off.dobutamine_effect < 0.02, "{}", off.dobutamine_effect);
    assert!(
        (off.beat.native_co_l_min - base.beat.native_co_l_min).abs()
            < 0.1 * base.beat.native_co_l_min
    );
}

#[test]
fn milrinone_is_slow_without_a_bolus_and_prompt_with_one() {
    let sets = ["drugs.milrinone_mcg_kg_min=0.5"];
    let plain = after("cardiogenic-shock", &sets, 900.0);
    let mut e = engine("cardiogenic-shock", &sets);
    e.give_bolus(Drug::Milrinone, 50.0).unwrap();
    e.run_for(900.0);
    let loaded = e.summary().unwrap();
    assert!(loaded.milrinone_effect > 2.0 * plain.milrinone_effect);
    assert!(loaded.beat.ci_l_min_m2 > plain.beat.ci_l_min_m2);
    assert!(e.give_bolus(Drug::Milrinone, -1.0).is_err());
}

#[test]
fn inotrope_flow_saturates_while_its_o2_cost_keeps_rising() {
    let at = |dose: &str| {
        let set = format!("drugs.dobutamine_mcg_kg_min={dose}");
        after("cardiogenic-shock", &[set.as_str()], 900.0)
    };
    let (d0, d10, d40) = (at("0"), at("10"), at("40"));
    let co = |s: &Summary| s.beat.native_co_l_min;
    let mvo2 = |s: &Summary| s.beat.mvo2_ml_min;
    // Per mcg/kg/min, the first 10 buy several times the flow of the next 30 ("toxic doses").
    let per_dose_low = (co(&d10) - co(&d0)) / 10.0;
    let per_dose_high = (co(&d40) - co(&d10)) / 30.0;
    assert!(per_dose_high > 0.0 && per_dose_low > 3.0 * per_dose_high);
    assert!(mvo2(&d40) > mvo2(&d10) && mvo2(&d10) > mvo2(&d0));
    assert!(
        d40.beat.hr_bpm > d10.beat.hr_bpm,
        "tachycardia at high doses"
    );
}

#[test]
fn epinephrine_speeds_the_heart_where_norepinephrine_squeezes_the_vessels() {
    // OptimaCC (Levy, JACC 2018): at doses giving a similar MAP, epinephrine raises HR more.
    let epi = after(
        "cardiogenic-shock",
        &["drugs.epinephrine_mcg_kg_min=0.1"],
        900.0,
    );
    let ne = after(
        "cardiogenic-shock",
        &["drugs.norepinephrine_mcg_kg_min=0.2"],
        900.0,
    );
    assert!(
        epi.beat.hr_bpm > ne.beat.hr_bpm + 5.0,
        "{} vs {}",
        epi.beat.hr_bpm,
        ne.beat.hr_bpm
    );
    let svr = |s: &Summary| s.beat.svr_dyn_s_cm5;
    assert!(svr(&ne) > svr(&epi));
    assert!(epi.epinephrine_effect > 0.3 && ne.norepinephrine_effect > 0.3);
    assert_eq!(epi.norepinephrine_effect, 0.0);
}

#[test]
fn high_left_atrial_pressure_floods_the_lung_and_the_risk_grade_follows() {
    let mut e = engine("cardiogenic-shock", &ECMO_4);
    e.run_for(300.0);
    let early = e.summary().unwrap();
    assert!(early.beat.pcwp_mmhg > 25.0);
    assert!(
        early.edema_risk >= EdemaRisk::High,
        "{:?}",
        early.edema_risk
    );
    assert!(early.lung_filtration_ml_h > early.lymph_flow_ml_h);
    e.run_for(2.0 * 3600.0);
    let late = e.summary().unwrap();
    assert!(late.lung_water_ml_kg >= 10.0, "{}", late.lung_water_ml_kg);
    assert_eq!(late.edema_risk, EdemaRisk::Severe);
    assert!(
        late.edema_reason.contains("oedema"),
        "{}",
        late.edema_reason
    );
    // Flooded alveoli shunt: the native lungs' blood desaturates.
    assert!(late.beat.sao2_coronary_pct < early.beat.sao2_coronary_pct - 3.0);
    // The water left the blood and nothing was lost.
    assert!(late.blood_volume_ml < early.blood_volume_ml);
    assert!(e.volume_drift_ml().abs() < 0.01);
}

#[test]
fn unloading_dries_a_wet_lung() {
    let mut e = engine("cardiogenic-shock", &["lungs.initial_water_ml_kg=9"]);
    e.set("heart.lv.ees_mmhg_per_ml", "2.0").unwrap();
    e.run_for(3.0 * 3600.0);
    let s = e.summary().unwrap();
    assert!(s.beat.pulmonary_capillary_mmhg < 18.0);
    assert!(s.lung_water_ml_kg < 8.5, "{}", s.lung_water_ml_kg);
    assert_eq!(s.edema_risk, EdemaRisk::Low, "{}", s.edema_reason);
}

#[test]
fn north_south_syndrome_appears_with_bad_lungs_and_a_recovering_heart() {
    let mut sets = ECMO_4.to_vec();
    sets.push("lungs.shunt_fraction=0.6");
    let stunned = after("cardiogenic-shock", &sets, 600.0);
    sets.push("heart.lv.ees_mmhg_per_ml=2.0");
    let recovering = after("cardiogenic-shock", &sets, 600.0);
    let gap = |s: &Summary| s.beat.sao2_lower_pct - s.beat.sao2_upper_pct;
    assert!(
        gap(&recovering) > 8.0,
        "upper {} lower {}",
        recovering.beat.sao2_upper_pct,
        recovering.beat.sao2_lower_pct
    );
    assert!(recovering.beat.native_co_l_min > stunned.beat.native_co_l_min);
    // More native output pushes the mixing zone away from the heart: the upper body and the
    // coronaries get more of the lungs' dark blood.
    assert!(recovering.beat.sao2_upper_pct < stunned.beat.sao2_upper_pct);
    assert!(recovering.beat.sao2_coronary_pct < 90.0);
    assert_eq!(recovering.mixing_zone, Some(MixingZone::Descending));
}

#[test]
fn a_stone_heart_on_ecmo_gets_oxygenator_blood_in_its_aortic_root() {
    let mut sets = ECMO_4.to_vec();
    sets.extend(["rhythm.kind=vf", "lungs.shunt_fraction=0.6"]);
    let s = after("cardiogenic-shock", &sets, 300.0);
    assert_eq!(s.mixing_zone, Some(MixingZone::AorticRoot));
    assert!(s.beat.sao2_coronary_pct > 95.0 && s.beat.sao2_upper_pct > 95.0);
    let no_ecmo = after("cardiogenic-shock", &[], 120.0);
    assert_eq!(no_ecmo.mixing_zone, None);
}

#[test]
fn the_oxygenator_needs_sweep_gas() {
    let mut sets = ECMO_4.to_vec();
    let on = after("cardiogenic-shock", &sets, 300.0);
    sets.push("ecmo.sweep_l_min=0");
    let off = after("cardiogenic-shock", &sets, 300.0);
    assert!(
        off.beat.sao2_lower_pct < on.beat.sao2_lower_pct - 20.0,
        "{} vs {}",
        off.beat.sao2_lower_pct,
        on.beat.sao2_lower_pct
    );
    assert!(off.beat.svo2_pct < on.beat.svo2_pct);
}

#[test]
fn the_shock_patient_extracts_more_oxygen() {
    let healthy = after("healthy", &[], 300.0);
    let shock = after("cardiogenic-shock", &[], 300.0);
    assert!(shock.beat.svo2_pct < healthy.beat.svo2_pct - 10.0);
    // More haemoglobin carries more O2 at the same flow.
    let anaemic = after("cardiogenic-shock", &["oxygen.hemoglobin_g_dl=7"], 300.0);
    assert!(anaemic.beat.svo2_pct < shock.beat.svo2_pct - 5.0);
}

/// Found by tests/properties.rs: a weight change re-derives the normal lung; the water in it
/// must stay what it was (it once moved to the new dry floor and created 150 mL).
#[test]
fn a_weight_change_keeps_the_lung_water_and_the_volume_balance() {
    let mut e = engine("healthy", &["weight_kg=30"]);
    e.run_for(5.0);
    let water = e.lungs().water_ml();
    e.set("weight_kg", "120").unwrap();
    assert!((e.lungs().water_ml() - water).abs() < 1e-9);
    e.run_for(30.0);
    assert!(e.volume_drift_ml().abs() < 1e-6, "{}", e.volume_drift_ml());
}

/// Found by tests/properties.rs: an empty capillary bed with a lung below its dry floor once
/// divided zero by zero (the lymph limiter) and turned every volume into NaN.
#[test]
fn an_empty_lung_bed_below_its_dry_floor_stays_finite() {
    let mut e = engine(
        "healthy",
        &[
            "blood_volume_ml=2500",
            "systemic.upper_veins.v0_ml=1500",
            "systemic.lower_veins.v0_ml=2150",
            "weight_kg=30",
        ],
    );
    e.run_for(2.0);
    e.set("weight_kg", "120").unwrap();
    e.run_for(5.0);
    assert!(e.volumes_ml().iter().all(|v| v.is_finite() && *v >= 0.0));
    assert!(e.volume_drift_ml().abs() < 1e-6);
}

#[test]
fn the_mixing_zone_is_written_in_snake_case_and_read_in_either_case() {
    let z: MixingZone = serde_json::from_str("\"aortic-root\"").unwrap();
    assert_eq!(z, MixingZone::AorticRoot);
    let z: MixingZone = serde_json::from_str("\"aortic_root\"").unwrap();
    assert_eq!(serde_json::to_string(&z).unwrap(), "\"aortic_root\"");
}
