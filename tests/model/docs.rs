//! docs/MODEL.md kept true: every preset key has a parameter row whose values match both
//! presets, and every constant row equals the constant in the code.

use ecmo_unload::alarms;
use ecmo_unload::arterial_line::{
    FEMORAL_DAMPING, FEMORAL_RESONANCE_HZ, FEMORAL_TRANSIT_MS, RADIAL_DAMPING, RADIAL_RESONANCE_HZ,
    RADIAL_TRANSIT_MS,
};
use ecmo_unload::calibration;
use ecmo_unload::circulation::COLLAPSED_COMPLIANCE_FACTOR;
use ecmo_unload::cpr::{CHEST_MMHG_PER_MM, DUTY_CYCLE};
use ecmo_unload::drugs::{Drug, MAX_BOLUS_PLASMA_RATIO, PROFILES, RV_INOTROPY_SHARE};
use ecmo_unload::ecmo::{
    BRANCH_INERTANCE_MMHG_S2_PER_ML, COLLAPSE_ONSET_ML, INLET_SERVO_MMHG, RPM_MAX,
};
use ecmo_unload::engine::{SLOW_UPDATE_S, SUCTION_ALARM_MIN_PCT};
use ecmo_unload::fluids::{MAX_ORDER_ML, MAX_ORDER_S, MIN_ORDER_S};
use ecmo_unload::forecast;
use ecmo_unload::heart::{
    ACTIVATION_NEGLIGIBLE, ACTIVATION_TABLE_STEP_S, BAZETT_REFERENCE_RR_S, EDPVR_LINEAR_ABOVE_MMHG,
    GROWTH_MAX_STEP, GROWTH_RESYNC_STEPS,
};
use ecmo_unload::iabp::{
    BALLOON_BASELINE_MMHG, DEFLATION_LEAD_S, DEFLATION_S, GAS_LINE_R_MMHG_S_PER_ML, INFLATION_S,
    INTERNAL_RATE_BPM, LOW_FILL_FRACTION, PEP_PER_LVET, QS2_INTERCEPT_MS, QS2_MIN_MS,
    QS2_SLOPE_MS_PER_BPM, SHUTTLE_TIME_CONSTANTS, TRIGGER_LOSS_S,
};
use ecmo_unload::impella::CANNULA_INERTANCE_MMHG_S2_PER_ML;
use ecmo_unload::lungs::*;
use ecmo_unload::monitor::{
    AV_OPENING_MIN_FORWARD_ML, IABP_ASSISTED_MIN_ML, MVO2_BASAL_ML_O2_MIN,
    MVO2_ECC_ML_O2_PER_BEAT_PER_EES, MVO2_PER_PVA_ML_O2_PER_MMHG_ML, NO_BEAT_WINDOW_S,
    PLETH_MIN_PULSE_PRESSURE_MMHG, RESISTANCE_MIN_FLOW_L_MIN, STILL_RELAXING_MMHG_S, SUMMARY_BEATS,
};
use ecmo_unload::oxygen::*;
use ecmo_unload::patient::DEFAULT_ATRIAL_RATE_BPM;
use ecmo_unload::reflex::{
    CNS_ISCHAEMIA_FULL_MMHG, CNS_ISCHAEMIA_ONSET_MMHG, CP_RESISTANCE_PER_MMHG, CP_SATURATION_MMHG,
    CP_VENOUS_V0_PER_MMHG, PULSE_SCALE_FLOOR, REFLEX_UPDATE_S, SHAPE_UPSTROKE, SINUS_SAMPLE_S,
    URSINO_LOWER_VEINS_VU_ML, URSINO_UPPER_VEINS_VU_ML,
};
use ecmo_unload::rhythm::{
    AF_RR_CV, AF_RR_TRUNCATE_SD, ECTOPIC_ACTIVATION_EES_FACTOR, ECTOPIC_ACTIVATION_STRETCH,
    MAX_TONE_RATE_BPM,
};
use ecmo_unload::valves::{
    CLOSING_FLOOR_ML, OPENING_GRADIENT_MMHG, ORIFICE_LINEAR_BELOW_MMHG,
    ORIFICE_ML_S_PER_MM2_SQRT_MMHG,
};
use ecmo_unload::{acid_base, carbon_dioxide as co2, lactate};
use ecmo_unload::{presets, settings};
use std::collections::BTreeMap;

fn model_md() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/MODEL.md")).unwrap()
}

fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn every_parameter_is_documented_with_its_preset_values() {
    let text = model_md();
    let rows: BTreeMap<String, Vec<String>> = table_rows(&text)
        .into_iter()
        .filter(|r| r.len() == 4 && r[0] != "key")
        .map(|r| (r[0].clone(), r))
        .collect();
    let healthy = presets::load("healthy").unwrap();
    let shock = presets::load("cardiogenic-shock").unwrap();
    let shock_leaves: BTreeMap<String, serde_json::Value> =
        settings::leaves(&shock).into_iter().collect();
    let mut problems = Vec::new();
    for (key, h) in settings::leaves(&healthy) {
        let Some(h) = h.as_f64() else { continue };
        let s = shock_leaves[&key].as_f64().unwrap();
        match rows.get(&key) {
            None => problems.push(format!("{key}: no row in docs/MODEL.md")),
            Some(r) => {
                for (doc, model, preset) in [(&r[1], h, "healthy"), (&r[2], s, "cardiogenic-shock")]
                {
                    let d: f64 = doc.parse().unwrap_or(f64::NAN);
                    if (d - model).abs() > 1e-12 * model.abs().max(1.0) {
                        problems.push(format!(
                            "{key}: MODEL.md says {doc} for {preset}, the preset has {model}"
                        ));
                    }
                }
                if r[3].is_empty() {
                    problems.push(format!("{key}: no source"));
                }
            }
        }
    }
    for key in rows.keys() {
        if settings::spec_of(key).is_none() {
            problems.push(format!("MODEL.md documents '{key}', which is not a key"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_constant_row_matches_the_code() {
    let code: BTreeMap<&str, f64> = [
        (
            "ORIFICE_ML_S_PER_MM2_SQRT_MMHG",
            ORIFICE_ML_S_PER_MM2_SQRT_MMHG,
        ),
        ("ORIFICE_LINEAR_BELOW_MMHG", ORIFICE_LINEAR_BELOW_MMHG),
        ("EDPVR_LINEAR_ABOVE_MMHG", EDPVR_LINEAR_ABOVE_MMHG),
        ("COLLAPSED_COMPLIANCE_FACTOR", COLLAPSED_COMPLIANCE_FACTOR),
        ("BAZETT_REFERENCE_RR_S", BAZETT_REFERENCE_RR_S),
        ("ACTIVATION_TABLE_STEP_S", ACTIVATION_TABLE_STEP_S),
        ("ACTIVATION_NEGLIGIBLE", ACTIVATION_NEGLIGIBLE),
        ("GROWTH_MAX_STEP", GROWTH_MAX_STEP),
        ("GROWTH_RESYNC_STEPS", f64::from(GROWTH_RESYNC_STEPS)),
        ("AV_OPENING_MIN_FORWARD_ML", AV_OPENING_MIN_FORWARD_ML),
        (
            "MVO2_PER_PVA_ML_O2_PER_MMHG_ML",
            MVO2_PER_PVA_ML_O2_PER_MMHG_ML,
        ),
        (
            "MVO2_ECC_ML_O2_PER_BEAT_PER_EES",
            MVO2_ECC_ML_O2_PER_BEAT_PER_EES,
        ),
        ("MVO2_BASAL_ML_O2_MIN", MVO2_BASAL_ML_O2_MIN),
        ("SUMMARY_BEATS", SUMMARY_BEATS as f64),
        ("NO_BEAT_WINDOW_S", NO_BEAT_WINDOW_S),
        ("MAX_ORDER_ML", MAX_ORDER_ML),
        ("MIN_ORDER_S", MIN_ORDER_S),
        ("MAX_ORDER_S", MAX_ORDER_S),
        (
            "BRANCH_INERTANCE_MMHG_S2_PER_ML",
            BRANCH_INERTANCE_MMHG_S2_PER_ML,
        ),
        ("COLLAPSE_ONSET_ML", COLLAPSE_ONSET_ML),
        ("RPM_MAX", RPM_MAX),
        (
            "CANNULA_INERTANCE_MMHG_S2_PER_ML",
            CANNULA_INERTANCE_MMHG_S2_PER_ML,
        ),
        ("SUCTION_ALARM_MIN_PCT", SUCTION_ALARM_MIN_PCT),
        ("INFLATION_S", INFLATION_S),
        ("DEFLATION_S", DEFLATION_S),
        ("IABP_ASSISTED_MIN_ML", IABP_ASSISTED_MIN_ML),
        ("REFLEX_UPDATE_S", REFLEX_UPDATE_S),
        ("CP_RESISTANCE_PER_MMHG", CP_RESISTANCE_PER_MMHG),
        ("CP_VENOUS_V0_PER_MMHG", CP_VENOUS_V0_PER_MMHG),
        ("CP_SATURATION_MMHG", CP_SATURATION_MMHG),
        ("PULSE_SCALE_FLOOR", PULSE_SCALE_FLOOR),
        ("SHAPE_UPSTROKE", SHAPE_UPSTROKE),
        ("SINUS_SAMPLE_S", SINUS_SAMPLE_S),
        ("CNS_ISCHAEMIA_ONSET_MMHG", CNS_ISCHAEMIA_ONSET_MMHG),
        ("CNS_ISCHAEMIA_FULL_MMHG", CNS_ISCHAEMIA_FULL_MMHG),
        ("RV_INOTROPY_SHARE", RV_INOTROPY_SHARE),
        ("MAX_BOLUS_PLASMA_RATIO", MAX_BOLUS_PLASMA_RATIO),
        ("URSINO_LOWER_VEINS_VU_ML", URSINO_LOWER_VEINS_VU_ML),
        ("URSINO_UPPER_VEINS_VU_ML", URSINO_UPPER_VEINS_VU_ML),
        ("CLOSING_FLOOR_ML", CLOSING_FLOOR_ML),
        ("OPENING_GRADIENT_MMHG", OPENING_GRADIENT_MMHG),
        ("SHUTTLE_TIME_CONSTANTS", SHUTTLE_TIME_CONSTANTS),
        ("QS2_INTERCEPT_MS", QS2_INTERCEPT_MS),
        ("QS2_SLOPE_MS_PER_BPM", QS2_SLOPE_MS_PER_BPM),
        ("QS2_MIN_MS", QS2_MIN_MS),
        ("PEP_PER_LVET", PEP_PER_LVET),
        ("DEFLATION_LEAD_S", DEFLATION_LEAD_S),
        ("TRIGGER_LOSS_S", TRIGGER_LOSS_S),
        ("LOW_FILL_FRACTION", LOW_FILL_FRACTION),
        ("BALLOON_BASELINE_MMHG", BALLOON_BASELINE_MMHG),
        ("GAS_LINE_R_MMHG_S_PER_ML", GAS_LINE_R_MMHG_S_PER_ML),
        ("INTERNAL_RATE_BPM", INTERNAL_RATE_BPM),
        (
            "THORACIC_WALL_VISCOSITY_MMHG_S_PER_ML",
            ecmo_unload::circulation::THORACIC_WALL_VISCOSITY_MMHG_S_PER_ML,
        ),
        ("INLET_SERVO_MMHG", INLET_SERVO_MMHG),
        ("RESISTANCE_MIN_FLOW_L_MIN", RESISTANCE_MIN_FLOW_L_MIN),
        ("SLOW_UPDATE_S", SLOW_UPDATE_S),
        ("TRUNCATE_SD", ecmo_unload::cohort::TRUNCATE_SD),
        ("MAX_NAMED", ecmo_unload::advice::MAX_NAMED as f64),
        ("SIMPLEX_STEP", calibration::SIMPLEX_STEP),
        ("COST_TOLERANCE", calibration::COST_TOLERANCE),
        ("MAX_EVALUATIONS", calibration::MAX_EVALUATIONS as f64),
        ("UNIDENTIFIED_LOG_SD", calibration::UNIDENTIFIED_LOG_SD),
        ("WINDOW_BEATS", forecast::WINDOW_BEATS as f64),
        ("STEADY_WINDOWS", forecast::STEADY_WINDOWS as f64),
        ("TOLERANCE_MMHG", forecast::TOLERANCE_MMHG),
        ("TOLERANCE_L_MIN", forecast::TOLERANCE_L_MIN),
        ("MIN_SETTLE_S", forecast::MIN_SETTLE_S),
        ("MAX_SETTLE_S", forecast::MAX_SETTLE_S),
        ("DRUG_EFFECT_TOLERANCE", forecast::DRUG_EFFECT_TOLERANCE),
        ("LUNG_PROJECTION_H", forecast::LUNG_PROJECTION_H as f64),
        ("FAST_RELAXATION_S", forecast::FAST_RELAXATION_S),
        ("GAS_RELAXATION_S", forecast::GAS_RELAXATION_S),
        ("LAG_TOLERANCE", forecast::LAG_TOLERANCE),
        ("MAX_BOOST", forecast::MAX_BOOST),
        ("BOOST_GROWTH", forecast::BOOST_GROWTH),
        ("CONTROL_BEATS", forecast::CONTROL_BEATS as f64),
        ("MAX_CONTROL_S", forecast::MAX_CONTROL_S),
        ("FLOOR_LUNG_WATER_ML_KG", forecast::FLOOR_LUNG_WATER_ML_KG),
        ("FLOOR_LACTATE_MMOL_L", forecast::FLOOR_LACTATE_MMOL_L),
        ("FLOOR_TISSUE_PCO2_MMHG", forecast::FLOOR_TISSUE_PCO2_MMHG),
        ("FLOOR_BLOOD_VOLUME_ML", forecast::FLOOR_BLOOD_VOLUME_ML),
        ("FLOOR_SATURATION", forecast::FLOOR_SATURATION),
        ("ALARM_BEATS", alarms::ALARM_BEATS as f64),
        ("MAP_LOW_MMHG", alarms::MAP_LOW_MMHG),
        ("AV_CLOSED_BEATS", alarms::AV_CLOSED_BEATS as f64),
        ("PCWP_HIGH_MMHG", alarms::PCWP_HIGH_MMHG),
        ("LUNG_WATER_RISING_ML_H", alarms::LUNG_WATER_RISING_ML_H),
        ("UPPER_SPO2_LOW_PCT", alarms::UPPER_SPO2_LOW_PCT),
        (
            "PCWP_MEDIUM_ABOVE_LIMIT_MMHG",
            alarms::PCWP_MEDIUM_ABOVE_LIMIT_MMHG,
        ),
        (
            "PCWP_HIGH_ABOVE_LIMIT_MMHG",
            alarms::PCWP_HIGH_ABOVE_LIMIT_MMHG,
        ),
        ("SEVERE_ACIDAEMIA_PH", alarms::SEVERE_ACIDAEMIA_PH),
        ("SEVERE_LACTATE_MMOL_L", alarms::SEVERE_LACTATE_MMOL_L),
        ("ECMO_REVERSED_L_MIN", alarms::ECMO_REVERSED_L_MIN),
        ("ECMO_FLOW_LOW_FRACTION", alarms::ECMO_FLOW_LOW_FRACTION),
        ("ECMO_MIN_FLOW_L_MIN", alarms::ECMO_MIN_FLOW_L_MIN),
        (
            "HARM_MAP_DROP_MMHG",
            ecmo_unload::advice::HARM_MAP_DROP_MMHG,
        ),
        (
            "HARM_MAP_BELOW_MMHG",
            ecmo_unload::advice::HARM_MAP_BELOW_MMHG,
        ),
        (
            "HARM_LACTATE_RISE_MMOL_L",
            ecmo_unload::advice::HARM_LACTATE_RISE_MMOL_L,
        ),
        (
            "HARM_SAO2_DROP_PCT",
            ecmo_unload::advice::HARM_SAO2_DROP_PCT,
        ),
        ("GAAR_FRACTION", GAAR_FRACTION),
        ("NORMAL_WATER_ML_KG", NORMAL_WATER_ML_KG),
        ("OEDEMA_WATER_ML_KG", OEDEMA_WATER_ML_KG),
        ("KF_ML_H_PER_MMHG", KF_ML_H_PER_MMHG),
        ("PLASMA_ONCOTIC_MMHG", PLASMA_ONCOTIC_MMHG),
        ("REFLECTION_COEFFICIENT", REFLECTION_COEFFICIENT),
        ("INTERSTITIAL_MMHG", INTERSTITIAL_MMHG),
        ("INTERSTITIAL_MAX_MMHG", INTERSTITIAL_MAX_MMHG),
        ("INTERSTITIAL_CAPACITY_ML_KG", INTERSTITIAL_CAPACITY_ML_KG),
        ("LYMPH_ML_H", LYMPH_ML_H),
        ("LYMPH_MAX_FACTOR", LYMPH_MAX_FACTOR),
        ("INTERSTITIAL_SHARE", INTERSTITIAL_SHARE),
        ("MIN_WATER_SHARE", MIN_WATER_SHARE),
        ("NORMAL_CAPILLARY_MMHG", NORMAL_CAPILLARY_MMHG),
        ("SHUNT_PER_WATER_ML_KG", SHUNT_PER_WATER_ML_KG),
        ("OEDEMA_SHUNT_MAX", OEDEMA_SHUNT_MAX),
        ("RISK_MODERATE_PC_MMHG", RISK_MODERATE_PC_MMHG),
        ("RISK_HIGH_PC_MMHG", RISK_HIGH_PC_MMHG),
        ("RISING_ML_H", RISING_ML_H),
        ("HUFNER_ML_O2_PER_G", HUFNER_ML_O2_PER_G),
        ("BODY_VO2_ML_KG_MIN", BODY_VO2_ML_KG_MIN),
        ("UPPER_BODY_VO2_SHARE", UPPER_BODY_VO2_SHARE),
        ("RESTING_RQ", RESTING_RQ),
        ("START_LACTATE_MMOL_L", START_LACTATE_MMOL_L),
        ("OXYGENATOR_SWEEP_SCALE_L_MIN", OXYGENATOR_SWEEP_SCALE_L_MIN),
        ("MEMBRANE_O2_EFFECTIVENESS", MEMBRANE_O2_EFFECTIVENESS),
        ("FLOW_AVERAGING_S", FLOW_AVERAGING_S),
        (
            "RESTING_MINUTE_VENTILATION_L_MIN",
            co2::RESTING_MINUTE_VENTILATION_L_MIN,
        ),
        (
            "RESTING_DEAD_SPACE_FRACTION",
            co2::RESTING_DEAD_SPACE_FRACTION,
        ),
        (
            "CONTENT_SLOPE_ML_PER_ML_MMHG",
            co2::CONTENT_SLOPE_ML_PER_ML_MMHG,
        ),
        (
            "CONTENT_INTERCEPT_ML_PER_ML",
            co2::CONTENT_INTERCEPT_ML_PER_ML,
        ),
        ("ML_CO2_PER_MMOL", co2::ML_CO2_PER_MMOL),
        ("DRY_GAS_MMHG", co2::DRY_GAS_MMHG),
        ("ALVEOLAR_CONSTANT_MMHG", co2::ALVEOLAR_CONSTANT_MMHG),
        ("ALVEOLAR_GAS_ML", co2::ALVEOLAR_GAS_ML),
        (
            "TISSUE_CAPACITANCE_ML_KG_MMHG",
            co2::TISSUE_CAPACITANCE_ML_KG_MMHG,
        ),
        (
            "MEMBRANE_CO2_DIFFUSING_ML_MIN_MMHG",
            co2::MEMBRANE_CO2_DIFFUSING_ML_MIN_MMHG,
        ),
        ("START_ARTERIAL_MMHG", co2::START_ARTERIAL_MMHG),
        ("START_VENOUS_MMHG", co2::START_VENOUS_MMHG),
        ("PK", acid_base::PK),
        (
            "CO2_SOLUBILITY_MMOL_L_MMHG",
            acid_base::CO2_SOLUBILITY_MMOL_L_MMHG,
        ),
        ("NORMAL_HCO3_MMOL_L", acid_base::NORMAL_HCO3_MMOL_L),
        ("BUFFER_VALUE_MMOL_L", acid_base::BUFFER_VALUE_MMOL_L),
        ("EXTRACELLULAR_FACTOR", acid_base::EXTRACELLULAR_FACTOR),
        ("NORMAL_PH", acid_base::NORMAL_PH),
        ("PH_MIN", acid_base::PH_MIN),
        ("PH_MAX", acid_base::PH_MAX),
        (
            "O2_SOLUBILITY_ML_ML_MMHG",
            acid_base::O2_SOLUBILITY_ML_ML_MMHG,
        ),
        (
            "BASAL_PRODUCTION_UMOL_KG_MIN",
            lactate::BASAL_PRODUCTION_UMOL_KG_MIN,
        ),
        (
            "NORMAL_CLEARANCE_ML_KG_MIN",
            lactate::NORMAL_CLEARANCE_ML_KG_MIN,
        ),
        ("DISTRIBUTION_L_KG", lactate::DISTRIBUTION_L_KG),
        ("HEPATIC_SHARE", lactate::HEPATIC_SHARE),
        (
            "NORMAL_HEPATIC_FLOW_ML_KG_MIN",
            lactate::NORMAL_HEPATIC_FLOW_ML_KG_MIN,
        ),
        (
            "HEPATIC_SHARE_OF_LOWER_BODY_FLOW",
            lactate::HEPATIC_SHARE_OF_LOWER_BODY_FLOW,
        ),
        ("HEPATIC_INJURY_S", lactate::HEPATIC_INJURY_S),
        ("HEPATIC_RECOVERY_S", lactate::HEPATIC_RECOVERY_S),
        ("HEPATIC_HYPOXIA_GAIN", lactate::HEPATIC_HYPOXIA_GAIN),
        ("MAX_EXTRACTION", lactate::MAX_EXTRACTION),
        ("UNIT_HETEROGENEITY_CV", lactate::UNIT_HETEROGENEITY_CV),
        ("LACTATE_PER_O2_DEFICIT", lactate::LACTATE_PER_O2_DEFICIT),
        ("ML_O2_PER_MMOL", lactate::ML_O2_PER_MMOL),
        (
            "EPINEPHRINE_GLYCOLYSIS_EMAX",
            ecmo_unload::drugs::EPINEPHRINE_GLYCOLYSIS_EMAX,
        ),
        (
            "DEFAULT_SWEEP_L_MIN",
            ecmo_unload::ecmo::DEFAULT_SWEEP_L_MIN,
        ),
        ("ACIDAEMIA_PH", alarms::ACIDAEMIA_PH),
        ("HYPOCAPNIA_MMHG", alarms::HYPOCAPNIA_MMHG),
        (
            "POST_OXYGENATOR_PO2_LOW_MMHG",
            alarms::POST_OXYGENATOR_PO2_LOW_MMHG,
        ),
        ("LACTATE_HIGH_MMOL_L", alarms::LACTATE_HIGH_MMOL_L),
        ("LACTATE_RISING_MMOL_L_H", alarms::LACTATE_RISING_MMOL_L_H),
        ("START_ARTERIAL", START_ARTERIAL),
        ("START_VENOUS", START_VENOUS),
        ("MIXING_FRACTION", MIXING_FRACTION),
        ("AF_RR_CV", AF_RR_CV),
        (
            "ECTOPIC_ACTIVATION_EES_FACTOR",
            ECTOPIC_ACTIVATION_EES_FACTOR,
        ),
        ("ECTOPIC_ACTIVATION_STRETCH", ECTOPIC_ACTIVATION_STRETCH),
        ("MAX_TONE_RATE_BPM", MAX_TONE_RATE_BPM),
        ("AF_RR_TRUNCATE_SD", AF_RR_TRUNCATE_SD),
        ("DEFAULT_ATRIAL_RATE_BPM", DEFAULT_ATRIAL_RATE_BPM),
        ("RADIAL_TRANSIT_MS", RADIAL_TRANSIT_MS),
        ("FEMORAL_TRANSIT_MS", FEMORAL_TRANSIT_MS),
        ("RADIAL_RESONANCE_HZ", RADIAL_RESONANCE_HZ),
        ("RADIAL_DAMPING", RADIAL_DAMPING),
        ("FEMORAL_RESONANCE_HZ", FEMORAL_RESONANCE_HZ),
        ("FEMORAL_DAMPING", FEMORAL_DAMPING),
        (
            "PLETH_MIN_PULSE_PRESSURE_MMHG",
            PLETH_MIN_PULSE_PRESSURE_MMHG,
        ),
        ("PULSELESS_AV_OPENING_PCT", alarms::PULSELESS_AV_OPENING_PCT),
        ("CHEST_MMHG_PER_MM", CHEST_MMHG_PER_MM),
        ("DUTY_CYCLE", DUTY_CYCLE),
        ("STILL_RELAXING_MMHG_S", STILL_RELAXING_MMHG_S),
    ]
    .into_iter()
    .collect();
    let text = model_md();
    let mut seen = 0;
    for r in table_rows(&text) {
        let name = r[0].trim_matches('`');
        if let Some(value) = code.get(name) {
            let doc: f64 = r[1].parse().unwrap();
            assert_eq!(doc, *value, "{name}: MODEL.md says {doc}, code has {value}");
            assert!(!r[2].is_empty(), "{name}: no source");
            seen += 1;
        }
    }
    assert_eq!(seen, code.len(), "a constant has no row in MODEL.md");
}

#[test]
fn every_drug_action_is_documented_as_coded() {
    let text = model_md();
    let rows: Vec<Vec<String>> = table_rows(&text)
        .into_iter()
        .filter(|r| r.len() == 8 && r[0] != "drug")
        .collect();
    let mut count = 0;
    for (d, profile) in Drug::ALL.iter().zip(PROFILES.iter()) {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == d.name()).collect();
        assert_eq!(
            mine.len(),
            profile.actions.len(),
            "{}: one row per action",
            d.name()
        );
        for (r, a) in mine.iter().zip(profile.actions) {
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            assert_eq!(num(1), profile.half_life_s, "{} t1/2", d.name());
            assert_eq!(num(2), profile.effect_site_half_time_s, "{} ke0", d.name());
            assert_eq!(r[3], format!("{:?}", a.target), "{} action order", d.name());
            assert_eq!(
                (num(4), num(5), num(6)),
                (a.emax, a.ec50_mcg_kg_min, a.hill),
                "{} {:?}",
                d.name(),
                a.target
            );
            assert!(!r[7].is_empty(), "{} {:?}: no source", d.name(), a.target);
            count += 1;
        }
    }
    assert!(count > 0);
}
