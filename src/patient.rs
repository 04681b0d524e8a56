//! The patient: every model parameter, in plain serde structs with units in the field names.
//!
//! A preset file (`presets/*.ron`) is one [`Patient`]. Every leaf is a settable key
//! (`heart.lv.ees_mmhg_per_ml`); its unit and valid range live in [`crate::settings`], its
//! meaning and literature source in `docs/MODEL.md`.

use crate::drugs::Drugs;
use crate::ecmo::Ecmo;
use crate::iabp::Iabp;
use crate::impella::Impella;
use crate::lungs::Lungs;
use crate::lv_vent::LvVent;
use crate::oxygen::Oxygen;
use crate::reflex::Reflex;
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
    /// Infusions (absent = none running).
    #[serde(default)]
    pub drugs: Drugs,
    /// Lung water and gas exchange (absent = normal lungs on room air).
    #[serde(default)]
    pub lungs: Lungs,
    /// Haemoglobin and O2 consumption (absent = the defaults).
    #[serde(default)]
    pub oxygen: Oxygen,
    /// Reflex control of the circulation (absent from a preset = the defaults: on).
    #[serde(default)]
    pub reflex: Reflex,
    pub numerics: Numerics,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RhythmKind {
    /// Regular sinus rhythm at `rate_bpm`.
    Sinus,
    /// Ventricular pacing at `rate_bpm` (mechanically the same regular activation; the ECG differs).
    Paced,
    /// Ventricular fibrillation: no organised contraction of any chamber.
    Vf,
    /// Asystole: no electrical or mechanical activity ("stone heart").
    Asystole,
}

impl RhythmKind {
    /// Does this rhythm produce beats (R waves and contractions)?
    pub fn beats(self) -> bool {
        matches!(self, RhythmKind::Sinus | RhythmKind::Paced)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rhythm {
    pub kind: RhythmKind,
    pub rate_bpm: f64,
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
    /// Descending aorta and lower-body arteries (femoral).
    pub descending: Vessel,
    /// Upper-body veins draining by the superior vena cava.
    pub upper_veins: Vessel,
    /// Lower-body and splanchnic veins draining by the inferior vena cava.
    pub lower_veins: Vessel,
    /// Ascending aorta to arch (characteristic impedance and inertance of the proximal aorta).
    pub root_to_arch: Conduit,
    /// Arch to descending aorta (isthmus).
    pub arch_to_descending: Conduit,
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
