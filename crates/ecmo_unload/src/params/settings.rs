//! Settable keys: every leaf of a [`Patient`] addressed by its dotted path
//! (`heart.lv.ees_mmhg_per_ml`), with unit and valid range. The same table validates preset
//! files, `--set` overrides and live changes from the dashboard.

use crate::drugs::PROFILES;
use crate::error::Error;
use crate::iabp::Trigger;
use crate::patient::{EcmoMode, ImpellaModel, Patient, RhythmKind};
use serde_json::Value;
use strum::VariantNames;

/// Unit, range and meaning of a family of keys. `*` in a pattern matches one path segment.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub pattern: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub help: &'static str,
    /// The names a chosen setting takes (empty for numbers, switches and free text).
    pub options: &'static [&'static str],
}

impl KeySpec {
    /// The meaning as the settings list shows it: the options, then the help.
    pub fn meaning(&self) -> String {
        match (self.options.join(" | "), self.help) {
            (options, "") => options,
            (options, help) if options.is_empty() => help.to_string(),
            (options, help) => format!("{options} {help}"),
        }
    }
}

/// A setting chosen from an enum's names ([`crate::patient::Choice`]).
const fn choice(
    pattern: &'static str,
    options: &'static [&'static str],
    help: &'static str,
) -> KeySpec {
    KeySpec {
        pattern,
        unit: "",
        min: f64::NAN,
        max: f64::NAN,
        help,
        options,
    }
}

const fn spec(
    pattern: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    help: &'static str,
) -> KeySpec {
    KeySpec {
        pattern,
        unit,
        min,
        max,
        help,
        options: &[],
    }
}

/// The blood volume a patient can have (`blood_volume_ml`), which fluid orders respect too.
pub const BLOOD_VOLUME_MIN_ML: f64 = 2500.0;
pub const BLOOD_VOLUME_MAX_ML: f64 = 9000.0;

/// The longest stretch of simulated time anything asks for (`run --seconds`, the dashboard's
/// `--after-s`, a scenario's event and checkpoint times): 30 days, so a typo of a few digits
/// is refused instead of running for years.
pub const MAX_SIMULATED_S: f64 = 30.0 * 86_400.0;

/// Ranges are wide enough for any patient a clinician would build, and narrow enough that the
/// fixed-step integrator stays stable at every corner (tested: tests/model/invariants.rs).
#[rustfmt::skip]
pub const SPECS: &[KeySpec] = &[
    spec("name", "", f64::NAN, f64::NAN, "preset name"),
    spec(
        "description",
        "",
        f64::NAN,
        f64::NAN,
        "one-line description",
    ),
    spec("weight_kg", "kg", 30.0, 200.0, "body weight"),
    spec("height_cm", "cm", 120.0, 220.0, "height"),
    spec(
        "blood_volume_ml",
        "mL",
        BLOOD_VOLUME_MIN_ML,
        BLOOD_VOLUME_MAX_ML,
        "total blood volume",
    ),
    choice("rhythm.kind", <RhythmKind as VariantNames>::VARIANTS, ""),
    spec(
        "rhythm.rate_bpm",
        "bpm",
        30.0,
        250.0,
        "ventricular rate (pacing rate, mean AF response, VT rate)",
    ),
    spec(
        "rhythm.atrial_rate_bpm",
        "bpm",
        30.0,
        180.0,
        "sinus rate of atria dissociated from the ventricles (paced, vt)",
    ),
    spec(
        "heart.av_delay_ms",
        "ms",
        60.0,
        300.0,
        "atrial to ventricular activation delay",
    ),
    spec(
        "heart.lv.ees_mmhg_per_ml",
        "mmHg/mL",
        0.05,
        6.0,
        "LV end-systolic elastance (contractility)",
    ),
    spec(
        "heart.rv.ees_mmhg_per_ml",
        "mmHg/mL",
        0.02,
        3.0,
        "RV end-systolic elastance",
    ),
    spec(
        "heart.la.ees_mmhg_per_ml",
        "mmHg/mL",
        0.02,
        2.0,
        "LA end-systolic elastance",
    ),
    spec(
        "heart.ra.ees_mmhg_per_ml",
        "mmHg/mL",
        0.02,
        2.0,
        "RA end-systolic elastance",
    ),
    spec(
        "heart.*.v0_ml",
        "mL",
        0.0,
        150.0,
        "ESPVR / EDPVR volume intercept",
    ),
    spec("heart.*.edpvr_a_mmhg", "mmHg", 0.05, 5.0, "EDPVR scale A"),
    spec(
        "heart.*.edpvr_b_per_ml",
        "1/mL",
        0.005,
        0.1,
        "EDPVR stiffness B",
    ),
    spec(
        "heart.*.contraction_ms",
        "ms",
        30.0,
        500.0,
        "activation rise time constant tau1 (RR 1 s)",
    ),
    spec(
        "heart.*.relaxation_ms",
        "ms",
        60.0,
        700.0,
        "activation fall time constant tau2 (RR 1 s)",
    ),
    spec(
        "heart.*.contraction_hill",
        "",
        1.0,
        5.0,
        "Hill exponent of the rise m1",
    ),
    spec(
        "heart.*.relaxation_hill",
        "",
        5.0,
        60.0,
        "Hill exponent of the fall m2",
    ),
    spec(
        "valves.*.r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.001,
        1.0,
        "open-valve resistance (stenosis raises it)",
    ),
    spec(
        "valves.*.l_mmhg_s2_per_ml",
        "mmHg*s^2/mL",
        2e-5,
        1e-3,
        "valve blood inertance",
    ),
    spec(
        "valves.*.closing_volume_ml",
        "mL",
        0.0,
        5.0,
        "backflow while the leaflets close",
    ),
    spec(
        "valves.aortic_regurgitation_mm2",
        "mm^2",
        0.0,
        80.0,
        "aortic regurgitant orifice area (EROA)",
    ),
    spec(
        "valves.mitral_regurgitation_mm2",
        "mm^2",
        0.0,
        80.0,
        "mitral regurgitant orifice area (EROA)",
    ),
    spec(
        "systemic.aortic_root.c_ml_per_mmhg",
        "mL/mmHg",
        0.05,
        2.0,
        "compliance",
    ),
    spec(
        "systemic.aortic_root.v0_ml",
        "mL",
        0.0,
        300.0,
        "unstressed volume",
    ),
    spec(
        "systemic.arch.c_ml_per_mmhg",
        "mL/mmHg",
        0.05,
        3.0,
        "compliance",
    ),
    spec("systemic.arch.v0_ml", "mL", 0.0, 500.0, "unstressed volume"),
    spec(
        "systemic.thoracic_aorta.c_ml_per_mmhg",
        "mL/mmHg",
        0.03,
        1.0,
        "compliance of the balloon's segment",
    ),
    spec(
        "systemic.thoracic_aorta.v0_ml",
        "mL",
        0.0,
        200.0,
        "unstressed volume",
    ),
    spec(
        "systemic.descending.c_ml_per_mmhg",
        "mL/mmHg",
        0.1,
        5.0,
        "compliance",
    ),
    spec(
        "systemic.descending.v0_ml",
        "mL",
        0.0,
        1000.0,
        "unstressed volume",
    ),
    spec(
        "systemic.upper_veins.c_ml_per_mmhg",
        "mL/mmHg",
        2.0,
        100.0,
        "compliance",
    ),
    spec(
        "systemic.upper_veins.v0_ml",
        "mL",
        100.0,
        1500.0,
        "unstressed volume",
    ),
    spec(
        "systemic.lower_veins.c_ml_per_mmhg",
        "mL/mmHg",
        5.0,
        250.0,
        "compliance",
    ),
    spec(
        "systemic.lower_veins.v0_ml",
        "mL",
        300.0,
        3500.0,
        "unstressed volume",
    ),
    spec(
        "systemic.*.r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        0.5,
        "aortic segment resistance",
    ),
    spec(
        "systemic.*.l_mmhg_s2_per_ml",
        "mmHg*s^2/mL",
        1e-4,
        5e-3,
        "aortic segment inertance",
    ),
    spec(
        "systemic.upper_body_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.5,
        40.0,
        "upper-body bed resistance",
    ),
    spec(
        "systemic.lower_body_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.2,
        20.0,
        "lower-body bed resistance",
    ),
    spec(
        "systemic.coronary_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        3.0,
        300.0,
        "coronary bed resistance",
    ),
    spec(
        "systemic.svc_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        1.0,
        "SVC resistance",
    ),
    spec(
        "systemic.ivc_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        1.0,
        "IVC resistance",
    ),
    spec(
        "systemic.bronchial_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        10.0,
        1000.0,
        "bronchial circulation resistance",
    ),
    spec(
        "pulmonary.arteries.c_ml_per_mmhg",
        "mL/mmHg",
        0.5,
        15.0,
        "compliance",
    ),
    spec(
        "pulmonary.arteries.v0_ml",
        "mL",
        0.0,
        400.0,
        "unstressed volume",
    ),
    spec(
        "pulmonary.capillaries.c_ml_per_mmhg",
        "mL/mmHg",
        0.5,
        30.0,
        "compliance",
    ),
    spec(
        "pulmonary.capillaries.v0_ml",
        "mL",
        0.0,
        400.0,
        "unstressed volume",
    ),
    spec(
        "pulmonary.veins.c_ml_per_mmhg",
        "mL/mmHg",
        1.0,
        50.0,
        "compliance",
    ),
    spec(
        "pulmonary.veins.v0_ml",
        "mL",
        0.0,
        800.0,
        "unstressed volume",
    ),
    spec(
        "pulmonary.arterial.r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        2.0,
        "pulmonary arterial resistance",
    ),
    spec(
        "pulmonary.arterial.l_mmhg_s2_per_ml",
        "mmHg*s^2/mL",
        5e-5,
        5e-3,
        "pulmonary arterial inertance",
    ),
    spec(
        "pulmonary.capillary_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        2.0,
        "pulmonary capillary resistance",
    ),
    spec(
        "pulmonary.venous_r_mmhg_s_per_ml",
        "mmHg*s/mL",
        0.005,
        1.0,
        "pulmonary venous resistance",
    ),
    spec(
        "ecmo.enabled",
        "",
        f64::NAN,
        f64::NAN,
        "VA ECMO running (true | false)",
    ),
    choice(
        "ecmo.mode",
        <EcmoMode as VariantNames>::VARIANTS,
        "(console mode)",
    ),
    spec("ecmo.rpm", "rpm", 0.0, 5000.0, "pump speed (rpm mode)"),
    spec(
        "ecmo.flow_target_l_min",
        "L/min",
        0.0,
        7.0,
        "target pump flow (flow mode)",
    ),
    spec("ecmo.sweep_l_min", "L/min", 0.0, 12.0, "sweep gas flow"),
    spec("ecmo.fdo2", "", 0.21, 1.0, "O2 fraction of the sweep gas"),
    spec("ecmo.membrane_function", "", 0.05, 1.0, "share of the oxygenator membrane still exchanging gas (1: new)"),
    spec(
        "ecmo.drainage_cannula_fr",
        "Fr",
        17.0,
        29.0,
        "femoral venous drainage cannula size",
    ),
    spec(
        "ecmo.return_cannula_fr",
        "Fr",
        13.0,
        23.0,
        "femoral arterial return cannula size",
    ),
    spec(
        "lv_vent.enabled",
        "",
        f64::NAN,
        f64::NAN,
        "LV vent into the ECMO drainage line (true | false)",
    ),
    spec(
        "lv_vent.cannula_fr",
        "Fr",
        8.0,
        24.0,
        "LV vent cannula size",
    ),
    spec(
        "septostomy.diameter_mm",
        "mm",
        0.0,
        25.0,
        "atrial septal defect diameter (0 = intact)",
    ),
    spec(
        "impella.enabled",
        "",
        f64::NAN,
        f64::NAN,
        "Impella running (true | false)",
    ),
    choice(
        "impella.model",
        <ImpellaModel as VariantNames>::VARIANTS,
        "",
    ),
    spec(
        "impella.p_level",
        "",
        0.0,
        9.0,
        "performance level (0 = rotor stopped)",
    ),
    spec(
        "iabp.enabled",
        "",
        f64::NAN,
        f64::NAN,
        "IABP running (true | false)",
    ),
    spec(
        "iabp.ratio",
        "",
        1.0,
        3.0,
        "assist 1 beat in ratio (1, 2, 3)",
    ),
    spec("iabp.volume_ml", "mL", 25.0, 50.0, "balloon volume"),
    spec(
        "iabp.inflate_offset_ms",
        "ms",
        -300.0,
        300.0,
        "inflation timing vs the dicrotic notch (negative = earlier)",
    ),
    spec(
        "iabp.deflate_offset_ms",
        "ms",
        -300.0,
        300.0,
        "deflation timing vs end-diastole (negative = earlier)",
    ),
    choice("iabp.trigger", <Trigger as VariantNames>::VARIANTS, ""),
    spec(
        "iabp.internal_rate_bpm",
        "/min",
        40.0,
        120.0,
        "rate of the internal (asynchronous) trigger",
    ),
    spec(
        "cpr.enabled",
        "",
        f64::NAN,
        f64::NAN,
        "chest compressions running (true | false)",
    ),
    spec("cpr.rate_per_min", "/min", 60.0, 150.0, "compression rate"),
    spec(
        "cpr.depth_mm",
        "mm",
        10.0,
        80.0,
        "sternal compression depth",
    ),
    spec(
        "drugs.dobutamine_mcg_kg_min",
        "mcg/kg/min",
        0.0,
        PROFILES[0].max_rate_mcg_kg_min,
        "dobutamine infusion",
    ),
    spec(
        "drugs.milrinone_mcg_kg_min",
        "mcg/kg/min",
        0.0,
        PROFILES[1].max_rate_mcg_kg_min,
        "milrinone infusion",
    ),
    spec(
        "drugs.epinephrine_mcg_kg_min",
        "mcg/kg/min",
        0.0,
        PROFILES[2].max_rate_mcg_kg_min,
        "epinephrine infusion",
    ),
    spec(
        "drugs.norepinephrine_mcg_kg_min",
        "mcg/kg/min",
        0.0,
        PROFILES[3].max_rate_mcg_kg_min,
        "norepinephrine infusion",
    ),
    spec(
        "lungs.shunt_fraction",
        "",
        0.0,
        1.0,
        "share of pulmonary flow past unventilated alveoli",
    ),
    spec("lungs.fio2", "", 0.21, 1.0, "inspired O2 fraction"),
    spec(
        "lungs.plasma_oncotic_mmhg",
        "mmHg",
        10.0,
        35.0,
        "plasma colloid osmotic pressure",
    ),
    spec(
        "lungs.reflection_coefficient",
        "",
        0.1,
        1.0,
        "capillary protein reflection coefficient (low = leaky)",
    ),
    spec(
        "lungs.initial_water_ml_kg",
        "mL/kg",
        4.0,
        30.0,
        "extravascular lung water at t = 0 (EVLWI)",
    ),
    spec("lungs.minute_ventilation_l_min", "L/min", 0.0, 30.0, "minute ventilation (0: apnoea)"),
    spec("lungs.dead_space_fraction", "", 0.1, 0.9, "physiological dead space VD/VT"),
    spec("metabolism.upper_body_rate_factor", "", 0.3, 3.0, "upper-body metabolic rate (1: resting)"),
    spec("metabolism.lower_body_rate_factor", "", 0.3, 3.0, "lower-body metabolic rate (1: resting)"),
    spec("metabolism.respiratory_quotient", "", 0.7, 1.0, "CO2 produced per O2 consumed"),
    spec("metabolism.lactate_clearance_ml_kg_min", "mL/kg/min", 1.0, 40.0, "lactate clearance with a normally perfused liver"),
    spec("metabolism.initial_lactate_mmol_l", "mmol/L", 0.3, 20.0, "blood lactate at t = 0"),
    spec("metabolism.base_excess_mmol_l", "mmol/L", -25.0, 20.0, "standard base excess not due to lactate"),
    spec("oxygen.hemoglobin_g_dl", "g/dL", 4.0, 20.0, "haemoglobin"),
    spec(
        "oxygen.vo2_ml_kg_min",
        "mL/kg/min",
        1.0,
        10.0,
        "O2 consumption outside the heart",
    ),
    spec(
        "reflex.baroreflex",
        "",
        f64::NAN,
        f64::NAN,
        "arterial and cardiopulmonary baroreflexes on (true | false)",
    ),
    spec(
        "reflex.reference_map_mmhg",
        "mmHg",
        40.0,
        140.0,
        "MAP at which the preset's parameters hold",
    ),
    spec(
        "reflex.heart_rate_gain",
        "",
        0.0,
        2.0,
        "arterial reflex: heart-period limb (1: Ursino's healthy)",
    ),
    spec(
        "reflex.resistance_gain",
        "",
        0.0,
        2.0,
        "arterial reflex: arteriolar resistance limb (1: Ursino's healthy)",
    ),
    spec(
        "reflex.venous_gain",
        "",
        0.0,
        2.0,
        "arterial reflex: venous tone limb (1: Ursino's healthy)",
    ),
    spec(
        "reflex.contractility_gain",
        "",
        0.0,
        2.0,
        "arterial reflex: contractility limb (1: Ursino's healthy)",
    ),
    spec(
        "reflex.cardiopulmonary_gain",
        "",
        -1.0,
        2.0,
        "cardiopulmonary reflex on resistance and venous tone (1: healthy, 0: absent, below 0: reversed as in heart failure)",
    ),
    spec(
        "reflex.reference_atrial_mmhg",
        "mmHg",
        0.0,
        40.0,
        "mean of the RA and LA pressures at which the preset's parameters hold",
    ),
    spec(
        "reflex.reference_pulse_pressure_mmhg",
        "mmHg",
        5.0,
        100.0,
        "arch pulse pressure at which the preset's parameters hold",
    ),
    spec("numerics.dt_ms", "ms", 0.05, 0.5, "fixed integration step"),
];

fn matches(pattern: &str, key: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = key.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => continue,
            _ => return false,
        }
    }
}

/// The spec of a key: the most specific pattern (fewest wildcards) that matches.
pub fn spec_of(key: &str) -> Option<&'static KeySpec> {
    SPECS
        .iter()
        .filter(|s| matches(s.pattern, key))
        .min_by_key(|s| s.pattern.matches('*').count())
}

/// Every leaf of the patient as (dotted key, value), in declaration order.
pub fn leaves(p: &Patient) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(&to_value(p), String::new(), &mut out);
    out
}

/// Every numeric leaf of the patient, by dotted key.
pub fn numbers(p: &Patient) -> std::collections::BTreeMap<String, f64> {
    leaves(p)
        .into_iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
        .collect()
}

fn walk(v: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(child, key, out);
            }
        }
        _ => out.push((prefix, v.clone())),
    }
}

fn to_value(p: &Patient) -> Value {
    serde_json::to_value(p).expect("a Patient always serialises")
}

/// Check every numeric leaf is finite and in its range.
pub fn validate(p: &Patient) -> Result<(), Error> {
    for (key, value) in leaves(p) {
        validate_key(&key, &value)?;
    }
    Ok(())
}

/// Check one key's value against its range (a text key takes any text).
fn validate_key(key: &str, value: &Value) -> Result<(), Error> {
    let spec = spec_of(key).ok_or_else(|| Error::UnknownKey { key: key.into() })?;
    match value.as_f64() {
        Some(x) => check_range(key, x, spec),
        // NaN and infinity serialise to null: a numeric key must hold a finite number.
        // Text is shown on one line (a summary's header, the parameter list): no control
        // characters, whether set one by one or read from a preset.
        None if value
            .as_str()
            .is_some_and(|t| t.chars().any(char::is_control)) =>
        {
            Err(Error::Invalid {
                key: key.into(),
                value: value
                    .as_str()
                    .unwrap_or_default()
                    .escape_debug()
                    .to_string(),
                reason: "expected text on one line, without control characters".into(),
            })
        }
        None if spec.min.is_finite() => Err(Error::Invalid {
            key: key.into(),
            value: if value.is_null() {
                "NaN or infinity".to_string()
            } else {
                value.to_string()
            },
            reason: "expected a finite number".to_string(),
        }),
        None => Ok(()),
    }
}

fn check_range(key: &str, x: f64, spec: &KeySpec) -> Result<(), Error> {
    if !x.is_finite() || x < spec.min || x > spec.max {
        return Err(Error::OutOfRange {
            key: key.to_string(),
            value: x,
            min: spec.min,
            max: spec.max,
            unit: spec.unit,
        });
    }
    Ok(())
}

/// A copy of `p` with `key` set to `value` (parsed as the leaf's type), validated.
pub fn set(p: &Patient, key: &str, value: &str) -> Result<Patient, Error> {
    let mut root = to_value(p);
    let mut node = &mut root;
    for segment in key.split('.') {
        node = node
            .as_object_mut()
            .and_then(|m| m.get_mut(segment))
            .ok_or_else(|| Error::UnknownKey {
                key: key.to_string(),
            })?;
    }
    let wrong_type = |expected: &str| Error::WrongType {
        key: key.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    };
    let new = match node {
        // Whole-number keys (the IABP ratio) take whole numbers.
        Value::Number(n) if n.is_u64() => Value::from(
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| wrong_type("a whole number"))?,
        ),
        Value::Number(_) => {
            let x: f64 = value.trim().parse().map_err(|_| wrong_type("a number"))?;
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .ok_or_else(|| wrong_type("a finite number"))?
        }
        Value::Bool(_) => Value::Bool(
            value
                .trim()
                .parse()
                .map_err(|_| wrong_type("true or false"))?,
        ),
        Value::String(_) => Value::String(value.trim().to_string()),
        Value::Object(_) | Value::Array(_) | Value::Null => {
            return Err(Error::UnknownKey {
                key: key.to_string(),
            });
        }
    };
    // Only the key set needs checking: every patient here was validated when it was made
    // (a preset, a file, an earlier `set`), and ranges are per key.
    validate_key(key, &new)?;
    *node = new;
    let updated: Patient = serde_json::from_value(root).map_err(|e| Error::Invalid {
        key: key.to_string(),
        value: value.to_string(),
        reason: e.to_string(),
    })?;
    Ok(updated)
}

/// Apply `KEY=VALUE` assignments in order (the CLI's `--set`).
pub fn apply_all<S: AsRef<str>>(p: &Patient, assignments: &[S]) -> Result<Patient, Error> {
    let mut out = p.clone();
    for a in assignments {
        let (key, value) = parse_assignment(a.as_ref())?;
        out = set(&out, key, value)?;
    }
    Ok(out)
}

/// Parse `KEY=VALUE`.
pub fn parse_assignment(s: &str) -> Result<(&str, &str), Error> {
    s.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::BadAssignment {
            text: s.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_segment_and_specific_wins() {
        assert!(matches("heart.*.v0_ml", "heart.lv.v0_ml"));
        assert!(!matches("heart.*.v0_ml", "heart.lv.x.v0_ml"));
        let s = spec_of("pulmonary.arterial.r_mmhg_s_per_ml").unwrap();
        assert_eq!(s.pattern, "pulmonary.arterial.r_mmhg_s_per_ml");
    }
}
