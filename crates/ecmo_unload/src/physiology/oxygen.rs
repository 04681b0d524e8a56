//! Oxygen carried with the blood: saturation in every compartment, loaded in the native lungs
//! and in the ECMO oxygenator, consumed by the body and the heart, moved by the flows the
//! circuit computes. A second tracer marks blood that came out of the ECMO return cannula, so
//! the mixing zone (where the retrograde ECMO stream meets the native LV output) follows from
//! the flows in the aortic segments: nothing is set by hand.
//!
//! Transport is upwind mass balance over the flow volumes of a short interval: for node i,
//!   V' S'_i = V S_i + sum_in (moved_j S_carried_j) - sum_out (moved_j S_i) - VO2_i dt / CaO2max,
//! with V' the volume after the path flows. Content at full saturation CaO2max = 1.34 Hb
//! (dissolved O2 neglected). Equations and sources: docs/MODEL.md section 7g.

use crate::circulation::{Connection, N_CONNECTIONS, N_NODES, Node};
use crate::lungs::LungWater;
/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::Oxygen;
use crate::units::{at_least, within};
use serde::Serialize;

impl Default for Oxygen {
    fn default() -> Self {
        Self {
            hemoglobin_g_dl: 13.0,
            vo2_ml_kg_min: BODY_VO2_ML_KG_MIN,
        }
    }
}

/// Seconds per minute (consumption is quoted per minute).
const S_PER_MIN: f64 = 60.0;
/// Hufner's factor as used clinically: mL O2 bound per g haemoglobin.
pub const HUFNER_ML_O2_PER_G: f64 = 1.34;
/// Resting whole-body VO2 3.5 mL/kg/min (1 MET) less the heart's 7 % (OpenStax organ table).
pub const BODY_VO2_ML_KG_MIN: f64 = 3.25;
/// Share of the body's VO2 drawn from the upper-body bed (brain 19 %, arms, upper trunk);
/// the rest (liver, gut, kidneys, legs) from the lower body.
pub const UPPER_BODY_VO2_SHARE: f64 = 0.35;
/// Alveolar gas: barometric less water vapour pressure at 37 C, and PaCO2 / RQ.
pub const INSPIRED_DRY_MMHG: f64 = 760.0 - 47.0;
pub const ALVEOLAR_CO2_TERM_MMHG: f64 = 40.0 / 0.8;
/// Oxygenator O2 transfer rises with sweep gas flow: 1 - exp(-sweep / scale). Above about
/// 1 L/min sweep the membrane saturates the blood fully (sweep then sets CO2 removal).
pub const OXYGENATOR_SWEEP_SCALE_L_MIN: f64 = 0.25;
/// Starting saturations: arterial and mixed venous of a resting adult.
pub const START_ARTERIAL: f64 = 0.97;
pub const START_VENOUS: f64 = 0.72;
/// ECMO-derived blood fraction at which a segment counts as reached by the ECMO stream.
pub const MIXING_FRACTION: f64 = 0.5;

/// Severinghaus (J Appl Physiol 1979;46:599): saturation from PO2.
pub fn saturation_from_po2(po2_mmhg: f64) -> f64 {
    let p = po2_mmhg.max(0.0);
    if p == 0.0 {
        return 0.0;
    }
    1.0 / (23_400.0 / (p * p * p + 150.0 * p) + 1.0)
}

/// End-capillary saturation of ventilated alveoli breathing `fio2` (alveolar gas equation).
pub fn alveolar_saturation(fio2: f64) -> f64 {
    saturation_from_po2(fio2 * INSPIRED_DRY_MMHG - ALVEOLAR_CO2_TERM_MMHG)
}

/// Where the ECMO stream meets the native output. Serialised in snake_case like every enum;
/// the kebab-case spelling it once had (`aortic-root`) is still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MixingZone {
    #[serde(alias = "aortic-root")]
    AorticRoot,
    Arch,
    Descending,
}

impl MixingZone {
    /// As a clinician names the place.
    pub fn label(self) -> &'static str {
        match self {
            MixingZone::AorticRoot => "aortic root",
            MixingZone::Arch => "arch",
            MixingZone::Descending => "descending aorta",
        }
    }
}

/// The running saturations.
#[derive(Clone, Debug)]
pub struct OxygenTransport {
    /// Saturation 0-1 per node.
    sat: [f64; N_NODES],
    /// Fraction of the blood that came from the ECMO return since it last left a capillary bed.
    ecmo: [f64; N_NODES],
    /// Volume moved by each path since the last update (signed, mL).
    moved_ml: [f64; N_CONNECTIONS],
    /// Node volumes at the last update.
    last_v_ml: [f64; N_NODES],
    capacity_ml_o2_per_ml: f64,
    body_vo2_ml_s: f64,
    /// Native lungs: end-capillary saturation and their own shunt.
    alveolar: f64,
    shunt: f64,
    /// Oxygenator: outflow target saturation and transfer fraction.
    oxygenator_target: f64,
    oxygenator_transfer: f64,
}

/// Inputs of one update besides the flows.
pub struct Conditions<'a> {
    pub v_ml: &'a [f64; N_NODES],
    pub lungs: &'a LungWater,
    pub mvo2_ml_min: f64,
}

impl OxygenTransport {
    pub fn new(p: &crate::patient::Patient, v_ml: &[f64; N_NODES]) -> Self {
        use Node::*;
        let mut sat = [START_VENOUS; N_NODES];
        for n in [PulmonaryVeins, La, Lv, AorticRoot, Arch, Descending] {
            sat[n.index()] = START_ARTERIAL;
        }
        let mut t = OxygenTransport {
            sat,
            ecmo: [0.0; N_NODES],
            moved_ml: [0.0; N_CONNECTIONS],
            last_v_ml: *v_ml,
            capacity_ml_o2_per_ml: 0.0,
            body_vo2_ml_s: 0.0,
            alveolar: 1.0,
            shunt: 0.0,
            oxygenator_target: 1.0,
            oxygenator_transfer: 0.0,
        };
        t.configure(p);
        t
    }

    pub fn configure(&mut self, p: &crate::patient::Patient) {
        self.capacity_ml_o2_per_ml = HUFNER_ML_O2_PER_G * p.oxygen.hemoglobin_g_dl / 100.0;
        self.body_vo2_ml_s = p.oxygen.vo2_ml_kg_min * p.weight_kg / S_PER_MIN;
        self.alveolar = alveolar_saturation(p.lungs.fio2);
        self.shunt = p.lungs.shunt_fraction;
        self.oxygenator_target = alveolar_saturation(p.ecmo.fdo2);
        self.oxygenator_transfer = 1.0 - (-p.ecmo.sweep_l_min / OXYGENATOR_SWEEP_SCALE_L_MIN).exp();
    }

    /// Collect one step's flows (cheap; the transport runs at [`OxygenTransport::update`]).
    #[inline]
    pub fn carry(&mut self, q_ml_s: &[f64; N_CONNECTIONS], dt_s: f64) {
        for (m, q) in self.moved_ml.iter_mut().zip(q_ml_s) {
            *m += q * dt_s;
        }
    }

    /// Move the collected volumes' oxygen and tracer, then consume for `dt_s`.
    pub fn update(&mut self, c: &Conditions, dt_s: f64) {
        let shunt = 1.0 - (1.0 - self.shunt) * (1.0 - c.lungs.oedema_shunt());
        let mut o2 = [0.0; N_NODES];
        let mut tracer = [0.0; N_NODES];
        let mut v = [0.0; N_NODES];
        for i in 0..N_NODES {
            let v0 = at_least(self.last_v_ml[i], 0.0);
            o2[i] = self.sat[i] * v0;
            tracer[i] = self.ecmo[i] * v0;
            v[i] = v0;
        }
        for path in Connection::ALL {
            let j = path.index();
            let m = self.moved_ml[j];
            if m == 0.0 {
                continue;
            }
            let (from, to) = path.ends();
            let (src, dst) = if m > 0.0 { (from, to) } else { (to, from) };
            let (s, d) = (src.index(), dst.index());
            let vol = m.abs();
            let (mut s_c, mut f_c) = (self.sat[s], self.ecmo[s]);
            if m > 0.0 {
                match path {
                    Connection::PulmonaryCapillary => {
                        s_c = shunt * s_c + (1.0 - shunt) * self.alveolar;
                        f_c = 0.0;
                    }
                    Connection::EcmoDrainage | Connection::LvVent => {
                        s_c = self.oxygenator_outlet(s_c);
                        f_c = 1.0;
                    }
                    Connection::UpperBody | Connection::LowerBody | Connection::Coronary => {
                        f_c = 0.0
                    }
                    _ => {}
                }
            }
            o2[s] -= vol * self.sat[s];
            tracer[s] -= vol * self.ecmo[s];
            v[s] -= vol;
            o2[d] += vol * s_c;
            tracer[d] += vol * f_c;
            v[d] += vol;
        }
        // Consumption where the beds drain: the body's veins, and the coronary sinus (RA).
        let cap = self.capacity_ml_o2_per_ml;
        let upper = UPPER_BODY_VO2_SHARE * self.body_vo2_ml_s * dt_s / cap;
        let lower = (1.0 - UPPER_BODY_VO2_SHARE) * self.body_vo2_ml_s * dt_s / cap;
        let heart = c.mvo2_ml_min.max(0.0) / S_PER_MIN * dt_s / cap;
        o2[Node::UpperVeins.index()] -= upper;
        o2[Node::LowerVeins.index()] -= lower;
        o2[Node::Ra.index()] -= heart;
        for i in 0..N_NODES {
            // A compartment that (nearly) emptied keeps its last saturation.
            if v[i] > f64::EPSILON {
                let per_ml = 1.0 / v[i];
                self.sat[i] = within(o2[i] * per_ml, 0.0, 1.0);
                self.ecmo[i] = within(tracer[i] * per_ml, 0.0, 1.0);
            }
        }
        self.moved_ml = [0.0; N_CONNECTIONS];
        self.last_v_ml = *c.v_ml;
    }

    /// Saturation (0-1) of a compartment. Volume changed outside the paths (fluids, lung
    /// water) leaves it as it is.
    pub fn saturation(&self, n: Node) -> f64 {
        self.sat[n.index()]
    }

    /// Saturation leaving the oxygenator for blood that enters it at `s_in` (0-1).
    pub fn oxygenator_outlet(&self, s_in: f64) -> f64 {
        s_in + (self.oxygenator_target - s_in) * self.oxygenator_transfer
    }

    /// Saturation of the blood the ECMO returns at path flows `q_ml_s`: the drainage (RA) and
    /// vent (LV) blood each through the oxygenator, mixed by their flows (the RA's alone with no
    /// forward pump flow).
    pub fn ecmo_return_saturation(&self, q_ml_s: &[f64; N_CONNECTIONS]) -> f64 {
        let drain = q_ml_s[Connection::EcmoDrainage.index()].max(0.0);
        let vent = q_ml_s[Connection::LvVent.index()].max(0.0);
        let from_ra = self.oxygenator_outlet(self.saturation(Node::Ra));
        if drain + vent <= 0.0 {
            return from_ra;
        }
        let from_lv = self.oxygenator_outlet(self.saturation(Node::Lv));
        (drain * from_ra + vent * from_lv) / (drain + vent)
    }

    /// Fraction of the blood in `n` that came from the ECMO return.
    pub fn ecmo_fraction(&self, n: Node) -> f64 {
        self.ecmo[n.index()]
    }

    /// The first aortic segment, from the heart outwards, that the ECMO stream dominates.
    pub fn mixing_zone(&self) -> MixingZone {
        if self.ecmo_fraction(Node::AorticRoot) >= MIXING_FRACTION {
            MixingZone::AorticRoot
        } else if self.ecmo_fraction(Node::Arch) >= MIXING_FRACTION {
            MixingZone::Arch
        } else {
            MixingZone::Descending
        }
    }

    /// The saturations a monitor shows.
    pub fn saturations(&self) -> Saturations {
        Saturations {
            upper: self.saturation(Node::Arch),
            lower: self.saturation(Node::Descending),
            coronary: self.saturation(Node::AorticRoot),
            mixed_venous: self.saturation(Node::PulmonaryArteries),
        }
    }
}

/// Right radial (arch), femoral (descending), coronary (aortic root) and mixed venous (PA).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Saturations {
    pub upper: f64,
    pub lower: f64,
    pub coronary: f64,
    pub mixed_venous: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severinghaus_matches_the_standard_curve() {
        // P50 ~ 26.8 mmHg; 40 mmHg -> 75 %; 100 mmHg -> 97.7 %.
        assert!((saturation_from_po2(26.8) - 0.5).abs() < 0.02);
        assert!((saturation_from_po2(40.0) - 0.75).abs() < 0.01);
        assert!((saturation_from_po2(100.0) - 0.977).abs() < 0.005);
        assert!((alveolar_saturation(0.21) - 0.977).abs() < 0.005);
        assert!(alveolar_saturation(1.0) > 0.999);
    }
}
