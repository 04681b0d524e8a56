//! The patient: every model parameter, in plain serde structs with units in the field names.
//!
//! A preset file (`presets/*.ron`) is one [`Patient`]. Every leaf is a settable key
//! (`heart.lv.ees_mmhg_per_ml`); its unit and valid range live in [`crate::settings`], its
//! meaning and literature source in `docs/MODEL.md`.

use crate::cpr::Cpr;
use crate::iabp::Iabp;
use crate::lungs::Lungs;
use crate::lv_vent::LvVent;
use crate::septostomy::Septostomy;
use serde::{Deserialize, Serialize};

/// One simulated patient (and, later, the devices and drugs attached to them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Short name shown in the UI and CLI.
    pub name: String,
    /// One-line description of who this is.
    #[serde(default)]
    pub description: String,
    pub weight_kg: f64,
    pub height_cm: f64,
    /// Total blood volume (stressed + unstressed) in the circuit.
    pub blood_volume_ml: f64,
    pub rhythm: Rhythm,
    pub heart: Heart,
    pub valves: Valves,
    pub systemic: Systemic,
    pub pulmonary: Pulmonary,
    /// Mechanical circulatory support (absent from a preset = off).
    #[serde(default)]
    pub ecmo: Ecmo,
    #[serde(default)]
    pub lv_vent: LvVent,
    #[serde(default)]
    pub septostomy: Septostomy,
    #[serde(default)]
    pub impella: Impella,
    #[serde(default)]
    pub iabp: Iabp,
    /// Chest compressions (absent = none).
    #[serde(default)]
    pub cpr: Cpr,
    /// Infusions (absent = none running).
    #[serde(default)]
    pub drugs: Drugs,
    /// Lung water and gas exchange (absent = normal lungs on room air).
    #[serde(default)]
    pub lungs: Lungs,
    /// Haemoglobin and O2 consumption (absent = the defaults).
    #[serde(default)]
    pub oxygen: Oxygen,
    /// The beds' metabolism, lactate and the non-lactate base excess (absent = a resting adult).
    #[serde(default)]
    pub metabolism: Metabolism,
    /// Reflex control of the circulation (absent from a preset = the defaults: on).
    #[serde(default)]
    pub reflex: Reflex,
    /// Where the bedside monitor's threshold alarms sound (absent = the usual limits).
    #[serde(default)]
    pub alarms: AlarmLimits,
    pub numerics: Numerics,
}

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RhythmKind {
    /// Regular sinus rhythm at `rate_bpm` (the baroreflex and drugs move the rate).
    #[strum(message = "Sinus")]
    Sinus,
    /// Ventricular pacing (VVI) at `rate_bpm`: the atria beat on their own at
    /// `atrial_rate_bpm` (AV dissociation), so the atrial kick is lost and an atrium that
    /// contracts on a shut AV valve makes a cannon a-wave.
    #[strum(message = "Paced VVI")]
    Paced,
    /// AV sequential pacing (DDD) at `rate_bpm`: atria paced `heart.av_delay_ms` before the
    /// ventricles, so the atrial kick is kept.
    #[strum(message = "Paced DDD")]
    PacedAv,
    /// Atrial fibrillation: no atrial contraction, an irregularly irregular ventricular
    /// response around `rate_bpm`.
    #[strum(message = "AF")]
    Af,
    /// Monomorphic ventricular tachycardia at `rate_bpm`, the atria dissociated at
    /// `atrial_rate_bpm`. Pulseless when it ejects too little to make a pulse.
    #[strum(message = "VT")]
    Vt,
    /// Ventricular fibrillation: no organised contraction of any chamber.
    #[strum(message = "VF")]
    Vf,
    /// Asystole: no electrical or mechanical activity ("stone heart").
    #[strum(message = "Asystole")]
    Asystole,
}

/// How the atria are activated under a rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atria {
    /// Activated `heart.av_delay_ms` before each R wave (sinus, AV sequential pacing).
    Coupled,
    /// Beating on their own at `rhythm.atrial_rate_bpm` (VVI pacing, VT: AV dissociation).
    Dissociated,
    /// No organised contraction (AF, VF, asystole).
    Quiescent,
}

impl RhythmKind {
    /// Does this rhythm produce beats (R waves and ventricular contractions)?
    pub fn beats(self) -> bool {
        !matches!(self, RhythmKind::Vf | RhythmKind::Asystole)
    }

    /// Is every ventricular beat paced (a pacing spike before each R wave)?
    pub fn paced(self) -> bool {
        matches!(self, RhythmKind::Paced | RhythmKind::PacedAv)
    }

    /// How the atria beat under this rhythm.
    pub fn atria(self) -> Atria {
        match self {
            RhythmKind::Sinus | RhythmKind::PacedAv => Atria::Coupled,
            RhythmKind::Paced | RhythmKind::Vt => Atria::Dissociated,
            RhythmKind::Af | RhythmKind::Vf | RhythmKind::Asystole => Atria::Quiescent,
        }
    }

    /// Does the autonomic tone (baroreflex, drugs' chronotropy) set the ventricular rate? Not
    /// when a pacemaker or a ventricular focus sets it; in AF it acts on AV conduction.
    pub fn rate_follows_tone(self) -> bool {
        matches!(self, RhythmKind::Sinus | RhythmKind::Af)
    }

    /// Is this an arrest rhythm whatever the pressure (VF, asystole)? VT is one only when
    /// pulseless (the monitor decides).
    pub fn is_arrest(self) -> bool {
        !self.beats()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rhythm {
    pub kind: RhythmKind,
    /// Ventricular rate (the pacing rate when paced, the mean response in AF, the VT rate).
    pub rate_bpm: f64,
    /// The sinus node's own rate while the atria beat dissociated from the ventricles (VVI
    /// pacing, VT). Absent from a preset: [`DEFAULT_ATRIAL_RATE_BPM`].
    #[serde(default = "default_atrial_rate_bpm")]
    pub atrial_rate_bpm: f64,
}

/// A resting sinus rate for the dissociated atria when a preset names none.
pub const DEFAULT_ATRIAL_RATE_BPM: f64 = 75.0;

fn default_atrial_rate_bpm() -> f64 {
    DEFAULT_ATRIAL_RATE_BPM
}

/// Time-varying elastance chamber (Burkhoff & Tyberg 1993 pressure blend, double-Hill
/// activation).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chamber {
    /// End-systolic elastance: slope of the ESPVR.
    pub ees_mmhg_per_ml: f64,
    /// Volume intercept of the ESPVR and EDPVR.
    pub v0_ml: f64,
    /// EDPVR scale: P = A (exp(B (V - V0)) - 1).
    pub edpvr_a_mmhg: f64,
    /// EDPVR stiffness exponent B.
    pub edpvr_b_per_ml: f64,
    /// Double-Hill contraction time constant tau1 (at RR 1 s).
    pub contraction_ms: f64,
    /// Double-Hill relaxation time constant tau2 (at RR 1 s): about the duration of systole.
    pub relaxation_ms: f64,
    /// Hill exponent of the rise (m1).
    pub contraction_hill: f64,
    /// Hill exponent of the fall (m2): larger is a faster relaxation.
    pub relaxation_hill: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heart {
    /// Delay from atrial to ventricular activation onset (PR interval).
    pub av_delay_ms: f64,
    pub lv: Chamber,
    pub rv: Chamber,
    pub la: Chamber,
    pub ra: Chamber,
}

/// An open valve's path (resistance, blood inertance) and how much flows back as it closes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Valve {
    pub r_mmhg_s_per_ml: f64,
    pub l_mmhg_s2_per_ml: f64,
    pub closing_volume_ml: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Valves {
    pub mitral: Valve,
    pub aortic: Valve,
    pub tricuspid: Valve,
    pub pulmonary: Valve,
    /// Effective regurgitant orifice area of the aortic valve (0 = competent).
    pub aortic_regurgitation_mm2: f64,
    /// Effective regurgitant orifice area of the mitral valve (0 = competent).
    pub mitral_regurgitation_mm2: f64,
}

/// A compliant vessel compartment: P = (V - V0) / C.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vessel {
    pub c_ml_per_mmhg: f64,
    pub v0_ml: f64,
}

/// The descending thoracic aorta of an adult, for preset files written before it was its own
/// segment: docs/MODEL.md, "The balloon's segment".
pub const THORACIC_AORTA_C_ML_PER_MMHG: f64 = 0.2;
pub const THORACIC_AORTA_V0_ML: f64 = 80.0;
pub const THORACIC_TO_ABDOMINAL_R_MMHG_S_PER_ML: f64 = 0.02;
pub const THORACIC_TO_ABDOMINAL_L_MMHG_S2_PER_ML: f64 = 0.002;

impl Vessel {
    pub fn thoracic_aorta() -> Self {
        Self {
            c_ml_per_mmhg: THORACIC_AORTA_C_ML_PER_MMHG,
            v0_ml: THORACIC_AORTA_V0_ML,
        }
    }
}

impl Conduit {
    pub fn thoracic_to_abdominal() -> Self {
        Self {
            r_mmhg_s_per_ml: THORACIC_TO_ABDOMINAL_R_MMHG_S_PER_ML,
            l_mmhg_s2_per_ml: THORACIC_TO_ABDOMINAL_L_MMHG_S2_PER_ML,
        }
    }
}

/// A conduit between compartments with resistance and blood inertance (flow is a state).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conduit {
    pub r_mmhg_s_per_ml: f64,
    pub l_mmhg_s2_per_ml: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Systemic {
    /// Aortic root and ascending aorta (coronary take-off).
    pub aortic_root: Vessel,
    /// Arch and upper-body arteries (brain, arms; the right radial line reads here).
    pub arch: Vessel,
    /// Descending thoracic aorta, where an intra-aortic balloon sits (older preset files
    /// without it get [`Vessel::thoracic_aorta`]).
    #[serde(default = "Vessel::thoracic_aorta")]
    pub thoracic_aorta: Vessel,
    /// Abdominal aorta and lower-body arteries (femoral).
    pub descending: Vessel,
    /// Upper-body veins draining by the superior vena cava.
    pub upper_veins: Vessel,
    /// Lower-body and splanchnic veins draining by the inferior vena cava.
    pub lower_veins: Vessel,
    /// Ascending aorta to arch (characteristic impedance and inertance of the proximal aorta).
    pub root_to_arch: Conduit,
    /// Arch to descending thoracic aorta (isthmus).
    pub arch_to_descending: Conduit,
    /// Descending thoracic to abdominal aorta (the blood the balloon pushes toward the legs).
    #[serde(default = "Conduit::thoracic_to_abdominal")]
    pub thoracic_to_abdominal: Conduit,
    /// Upper-body arterioles and capillaries (arch -> upper veins).
    pub upper_body_r_mmhg_s_per_ml: f64,
    /// Lower-body arterioles and capillaries (descending aorta -> lower veins).
    pub lower_body_r_mmhg_s_per_ml: f64,
    /// Coronary bed (aortic root -> right atrium by the coronary sinus).
    pub coronary_r_mmhg_s_per_ml: f64,
    /// Superior vena cava (upper veins -> RA).
    pub svc_r_mmhg_s_per_ml: f64,
    /// Inferior vena cava (lower veins -> RA).
    pub ivc_r_mmhg_s_per_ml: f64,
    /// Bronchial circulation (descending thoracic aorta -> pulmonary veins).
    pub bronchial_r_mmhg_s_per_ml: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pulmonary {
    pub arteries: Vessel,
    pub capillaries: Vessel,
    pub veins: Vessel,
    /// Pulmonary arteries -> capillaries (with inertance: shapes the PA waveform).
    pub arterial: Conduit,
    /// Capillaries -> pulmonary veins.
    pub capillary_r_mmhg_s_per_ml: f64,
    /// Pulmonary veins -> left atrium.
    pub venous_r_mmhg_s_per_ml: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numerics {
    /// Fixed integration step.
    pub dt_ms: f64,
}

impl Patient {
    /// Body surface area, Mosteller (N Engl J Med 1987;317:1098).
    pub fn bsa_m2(&self) -> f64 {
        (self.height_cm * self.weight_kg / MOSTELLER_DIVISOR).sqrt()
    }
}

/// Mosteller: BSA = sqrt(height_cm * weight_kg / 3600).
const MOSTELLER_DIVISOR: f64 = 3600.0;

// The settings of the devices and treatments that their own modules act on (their defaults,
// laws and sources live there: `ecmo`, `impella`, `drugs`, `oxygen`, `reflex`). Kept here, with
// the rest of the patient as data, so the parameters import no physiology.

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EcmoMode {
    /// Fixed pump speed; flow follows the loading conditions.
    #[default]
    #[strum(message = "RPM mode")]
    Rpm,
    /// The console adjusts the speed to hold `flow_target_l_min`.
    #[strum(message = "Flow mode")]
    Flow,
}

/// VA ECMO settings (`ecmo.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ecmo {
    pub enabled: bool,
    pub mode: EcmoMode,
    pub rpm: f64,
    pub flow_target_l_min: f64,
    /// Sweep gas flow (used by the oxygenation model).
    pub sweep_l_min: f64,
    /// Fraction of O2 in the sweep gas (used by the oxygenation model).
    pub fdo2: f64,
    /// Share of the membrane's gas exchange that still works (1: a new oxygenator; clot and
    /// plasma leakage lower it).
    pub membrane_function: f64,
    pub drainage_cannula_fr: f64,
    pub return_cannula_fr: f64,
}

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
pub enum ImpellaModel {
    /// Impella CP (14 Fr pump): up to about 4.3 L/min.
    #[default]
    #[serde(rename = "cp")]
    #[strum(serialize = "cp", message = "CP")]
    Cp,
    /// Impella 5.5 (21 Fr pump): up to about 6 L/min.
    #[serde(rename = "5.5")]
    #[strum(serialize = "5.5", message = "5.5")]
    FivePointFive,
}

/// Impella settings (`impella.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Impella {
    pub enabled: bool,
    pub model: ImpellaModel,
    /// Performance level 0-9 (0 = rotor stopped).
    pub p_level: f64,
}

/// Infusion rates (`drugs.*` keys).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Drugs {
    pub dobutamine_mcg_kg_min: f64,
    pub milrinone_mcg_kg_min: f64,
    pub epinephrine_mcg_kg_min: f64,
    pub norepinephrine_mcg_kg_min: f64,
}

/// Oxygen settings (`oxygen.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Oxygen {
    pub hemoglobin_g_dl: f64,
    /// O2 consumption of the body outside the heart (the heart's own is the monitor's MVO2).
    pub vo2_ml_kg_min: f64,
}

/// Alarm limits (`alarms.*` keys): set per patient, as on a bedside monitor; the defaults and
/// their sources are `monitor::alarms`' constants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlarmLimits {
    /// MAP below which hypotension alarms.
    pub map_low_mmhg: f64,
    /// Right radial SpO2 below which upper-body desaturation alarms.
    pub upper_spo2_low_pct: f64,
    /// PCWP above which the wedge alarms.
    pub pcwp_high_mmhg: f64,
    /// Arterial pH below which acidaemia alarms.
    pub ph_low: f64,
    /// Right radial PaCO2 below which hypocapnia alarms.
    pub paco2_low_mmhg: f64,
    /// Lactate at or above which a rise alarms.
    pub lactate_high_mmol_l: f64,
    /// Post-oxygenator PO2 below which the oxygenator alarms (ECMO running).
    pub post_oxygenator_po2_low_mmhg: f64,
}

/// Metabolism settings (`metabolism.*` keys): the beds' metabolic rates, the respiratory
/// quotient, lactate and the acid-base state not due to lactate. Laws: `physiology::lactate`,
/// `physiology::carbon_dioxide`, `physiology::acid_base`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Metabolism {
    /// The upper body's O2 use (and CO2 production) as a multiple of its resting share of
    /// `oxygen.vo2_ml_kg_min` (below 1: sedation, cooling; above: fever, seizures).
    pub upper_body_rate_factor: f64,
    /// The same for the lower body (gut, liver, kidneys, legs).
    pub lower_body_rate_factor: f64,
    /// CO2 produced per O2 consumed (0.7 fat, 0.8 mixed diet, 1.0 carbohydrate).
    pub respiratory_quotient: f64,
    /// Whole-body lactate clearance with a normally perfused liver, per kg body weight.
    pub lactate_clearance_ml_kg_min: f64,
    /// Blood lactate at t = 0.
    pub initial_lactate_mmol_l: f64,
    /// Standard base excess not due to lactate (renal failure, saline, ketones; constant).
    pub base_excess_mmol_l: f64,
}

/// Baroreflex settings (`reflex.*` keys): the arterial (carotid sinus) and the cardiopulmonary
/// (low-pressure, atrial) baroreflex.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Reflex {
    /// Both baroreflexes on (off: the preset's parameters hold whatever the pressures).
    pub baroreflex: bool,
    /// The mean arterial pressure at which the preset's parameters hold (the arterial reflex's
    /// operating point).
    pub reference_map_mmhg: f64,
    /// Scales of the arterial reflex's limbs' departures from the reference, 1 being Ursino's
    /// healthy gain: heart period, arteriolar resistance, venous unstressed volume (venous
    /// tone), ventricular contractility. Heart failure blunts them (docs/MODEL.md, section 7c).
    pub heart_rate_gain: f64,
    pub resistance_gain: f64,
    pub venous_gain: f64,
    pub contractility_gain: f64,
    /// Scale of the cardiopulmonary reflex, 1 being the healthy gain (Heldt 2002; venous part
    /// fitted to phlebotomy); 0: absent; below 0: reversed, as in heart failure.
    pub cardiopulmonary_gain: f64,
    /// The mean of the right and left atrial pressures at which the preset's parameters hold
    /// (the cardiopulmonary reflex's operating point).
    pub reference_atrial_mmhg: f64,
    /// The arch pulse pressure at which the preset's parameters hold: the sinus reads a wider
    /// pulse as a higher pressure (see [`SinusPulse`]).
    pub reference_pulse_pressure_mmhg: f64,
}

/// A setting chosen from a list (`rhythm.kind`, `ecmo.mode`, `impella.model`, `iabp.trigger`):
/// the list, each value's name as presets and `--set` write it (the serde name: a test holds
/// the two spellings equal), and its label as a monitor or console shows it. The settings
/// help and the dashboard's buttons read them from here.
pub trait Choice:
    Copy + PartialEq + strum::VariantArray + strum::EnumMessage + Into<&'static str> + 'static
{
    /// The name as written in presets and `--set`.
    fn key(self) -> &'static str {
        self.into()
    }

    /// As a monitor or console labels it.
    fn label(self) -> &'static str {
        self.get_message().unwrap_or_else(|| self.key())
    }

    /// Every value, as (name, label), in the enum's order.
    fn options() -> Vec<(&'static str, &'static str)> {
        <Self as strum::VariantArray>::VARIANTS
            .iter()
            .map(|&v| (v.key(), v.label()))
            .collect()
    }
}

impl Choice for RhythmKind {}
impl Choice for EcmoMode {}
impl Choice for ImpellaModel {}
impl Choice for crate::iabp::Trigger {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chosen setting's names are the ones serde reads and writes: the settings list, the
    /// consoles' buttons and the preset files cannot disagree.
    #[test]
    fn every_choice_is_named_as_serde_names_it() {
        fn check<T: Choice + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug>() {
            assert!(!T::options().is_empty());
            for &v in <T as strum::VariantArray>::VARIANTS {
                assert_eq!(serde_json::to_value(v).unwrap(), v.key(), "{v:?}");
                let back: T = serde_json::from_value(serde_json::Value::from(v.key())).unwrap();
                assert_eq!(back, v);
                assert!(!v.label().is_empty());
            }
        }
        check::<RhythmKind>();
        check::<EcmoMode>();
        check::<ImpellaModel>();
        check::<crate::iabp::Trigger>();
        let kinds = crate::settings::spec_of("rhythm.kind").unwrap();
        assert_eq!(
            kinds.options.len(),
            <RhythmKind as strum::VariantArray>::VARIANTS.len()
        );
    }
}
