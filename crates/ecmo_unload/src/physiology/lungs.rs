//! The lungs: Starling filtration of water out of the pulmonary capillaries, lymph drainage,
//! extravascular lung water (EVLW) as a slow state, and the shunt that oedema adds.
//!
//!   Pc = LAP + 0.4 (PAP - LAP)                        (Gaar 1967)
//!   Jv = Kf [(Pc - Pi) - sigma (pi_p - pi_i)]         (Starling)
//!   Pi = Pi0 + x / C_i, up to Pi_max (then fluid spills into the alveoli at that pressure)
//!   pi_i = pi_i0 V_i0 / (V_i0 + x), down to (1 - sigma) pi_p   (dilution of interstitial protein)
//!   L = L0 + (L_max - L0) (Pi - Pi0) / (Pi_max - Pi0)  (lymph rises with interstitial pressure)
//!   dx/dt = Jv - L,   EVLW = EVLW0 + x
//! x is the water above the normal lung's. The three safety factors (lymph, interstitial
//! pressure, protein washout) hold the lung dry until Pc passes about 24 mmHg; above that the
//! excess filters into the alveoli at a rate proportional to the excess (Guyton & Lindsey 1959).
//! Filtered water leaves the capillary blood and lymph returns it to the upper veins, so blood
//! plus lung water is conserved. Constants and sources: docs/MODEL.md section 7f.

use crate::units::ml_s_from_ml_h;
use serde::{Deserialize, Serialize};

/// Lung settings (`lungs.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lungs {
    /// Fraction of pulmonary blood flow that meets no ventilated alveolus (pneumonia, ARDS,
    /// atelectasis), before oedema adds its own.
    pub shunt_fraction: f64,
    /// O2 fraction of the inspired gas (ventilator or room air).
    pub fio2: f64,
    /// Minute ventilation (ventilator or spontaneous), of which the dead space does not exchange.
    pub minute_ventilation_l_min: f64,
    /// Share of each breath that does not reach perfused alveoli (physiological dead space, VD/VT).
    pub dead_space_fraction: f64,
    /// Plasma colloid osmotic (oncotic) pressure; falls with the albumin.
    pub plasma_oncotic_mmhg: f64,
    /// Protein reflection coefficient of the capillary wall (lower: leaky capillaries).
    pub reflection_coefficient: f64,
    /// Lung water at t = 0, per kg body weight (EVLWI).
    pub initial_water_ml_kg: f64,
}

impl Default for Lungs {
    fn default() -> Self {
        Self {
            shunt_fraction: 0.0,
            fio2: 0.21,
            minute_ventilation_l_min: crate::carbon_dioxide::RESTING_MINUTE_VENTILATION_L_MIN,
            dead_space_fraction: crate::carbon_dioxide::RESTING_DEAD_SPACE_FRACTION,
            plasma_oncotic_mmhg: PLASMA_ONCOTIC_MMHG,
            reflection_coefficient: REFLECTION_COEFFICIENT,
            initial_water_ml_kg: NORMAL_WATER_ML_KG,
        }
    }
}

/// Gaar 1967: the filtration point sits 40 % of the way from LA to PA pressure.
pub const GAAR_FRACTION: f64 = 0.4;
/// Normal EVLWI (Tagami 2010: 7.4 +- 3.3 mL/kg).
pub const NORMAL_WATER_ML_KG: f64 = 7.0;
/// EVLWI at or above which the lung is oedematous (Tagami 2010).
pub const OEDEMA_WATER_ML_KG: f64 = 10.0;
/// Filtration coefficient: Gaar's 0.070 mL/min/mmHg/100 g for 600 g of human lung tissue
/// (0.42 mL/min/mmHg).
pub const KF_ML_H_PER_MMHG: f64 = 25.2;
/// Plasma oncotic pressure (textbook 25-28 mmHg).
pub const PLASMA_ONCOTIC_MMHG: f64 = 25.0;
/// Protein reflection coefficient of the lung capillary (Parker 1981; Garewal 1993: ~0.7).
pub const REFLECTION_COEFFICIENT: f64 = 0.7;
/// Normal interstitial pressure (Meyer, Guyton 1968: -5.8 mmHg, -3 to -8).
pub const INTERSTITIAL_MMHG: f64 = -5.0;
/// Interstitial pressure at which the interstitium is full and water floods the alveoli.
pub const INTERSTITIAL_MAX_MMHG: f64 = 2.0;
/// What the interstitium takes from normal to full, per kg: EVLWI 7 -> 10 mL/kg, so the oedema
/// cut-off is reached as alveolar flooding begins (its compliance: this over Pi_max - Pi0).
pub const INTERSTITIAL_CAPACITY_ML_KG: f64 = 3.0;
/// Normal lung lymph flow (Staub 1974: 10-20 mL/h in man).
pub const LYMPH_ML_H: f64 = 15.0;
/// Lymph flow can rise about 10x before oedema (Brigham 1974).
pub const LYMPH_MAX_FACTOR: f64 = 10.0;
/// Share of normal lung water that is interstitial (dilutes the interstitial protein).
pub const INTERSTITIAL_SHARE: f64 = 0.5;
/// Lung water may fall below the normal lung's by at most this share (a dry lung).
pub const MIN_WATER_SHARE: f64 = 0.8;
/// Normal capillary pressure by Gaar at which the normal lung filters exactly its lymph flow
/// (the healthy preset: PCWP 7, mean PAP 17).
pub const NORMAL_CAPILLARY_MMHG: f64 = 11.0;
/// Oedema adds shunt: each mL/kg of lung water above normal shunts this fraction of pulmonary
/// flow (calibrated: EVLWI 14 mL/kg -> about 30 % shunt, as measured in cardiogenic pulmonary
/// oedema; see docs/MODEL.md 7f).
pub const SHUNT_PER_WATER_ML_KG: f64 = 0.04;
/// Oedema shunt ceiling.
pub const OEDEMA_SHUNT_MAX: f64 = 0.6;

/// The running lung water.
#[derive(Clone, Debug)]
pub struct LungWater {
    /// Water above the normal lung's (mL; negative: drier).
    excess_ml: f64,
    normal_ml: f64,
    kf: f64,
    compliance_ml_per_mmhg: f64,
    interstitial_normal_ml: f64,
    /// Interstitial oncotic pressure of the normal lung, from the normal balance.
    interstitial_oncotic_mmhg: f64,
    plasma_oncotic_mmhg: f64,
    sigma: f64,
    weight_kg: f64,
}

/// The Starling forces and flows now.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Exchange {
    pub filtration_ml_h: f64,
    pub lymph_ml_h: f64,
    pub interstitial_mmhg: f64,
}

impl LungWater {
    pub fn new(l: &Lungs, weight_kg: f64) -> Self {
        let normal_ml = NORMAL_WATER_ML_KG * weight_kg;
        // The normal lung's interstitial protein is what makes its filtration equal its lymph
        // flow at the normal capillary pressure (with the textbook plasma oncotic pressure).
        let interstitial_oncotic_mmhg = PLASMA_ONCOTIC_MMHG
            - (NORMAL_CAPILLARY_MMHG - INTERSTITIAL_MMHG - LYMPH_ML_H / KF_ML_H_PER_MMHG)
                / REFLECTION_COEFFICIENT;
        let mut w = LungWater {
            excess_ml: 0.0,
            normal_ml,
            kf: KF_ML_H_PER_MMHG,
            compliance_ml_per_mmhg: INTERSTITIAL_CAPACITY_ML_KG * weight_kg
                / (INTERSTITIAL_MAX_MMHG - INTERSTITIAL_MMHG),
            interstitial_normal_ml: INTERSTITIAL_SHARE * normal_ml,
            interstitial_oncotic_mmhg,
            plasma_oncotic_mmhg: l.plasma_oncotic_mmhg,
            sigma: l.reflection_coefficient,
            weight_kg,
        };
        w.excess_ml = (l.initial_water_ml_kg * weight_kg - normal_ml).max(w.min_excess_ml());
        w
    }

    /// New settings act on the water already there.
    pub fn configure(&mut self, l: &Lungs, weight_kg: f64) {
        let water = self.water_ml();
        let fresh = LungWater::new(l, weight_kg);
        // The water stays exactly what it was (conservation), even below the new dry floor:
        // lymph then stops until filtration has refilled the interstitium.
        *self = LungWater {
            excess_ml: water - fresh.normal_ml,
            ..fresh
        };
    }

    fn min_excess_ml(&self) -> f64 {
        -MIN_WATER_SHARE * self.interstitial_normal_ml
    }

    fn full_ml(&self) -> f64 {
        (INTERSTITIAL_MAX_MMHG - INTERSTITIAL_MMHG) * self.compliance_ml_per_mmhg
    }

    pub fn water_ml(&self) -> f64 {
        self.normal_ml + self.excess_ml
    }

    pub fn water_ml_kg(&self) -> f64 {
        self.water_ml() / self.weight_kg
    }

    /// Filtration, lymph and interstitial pressure at capillary pressure `pc_mmhg`.
    #[inline]
    pub fn exchange(&self, pc_mmhg: f64) -> Exchange {
        let x = self.excess_ml;
        let pi = (INTERSTITIAL_MMHG + x / self.compliance_ml_per_mmhg).min(INTERSTITIAL_MAX_MMHG);
        let floor = (1.0 - self.sigma) * self.plasma_oncotic_mmhg;
        let diluted = self.interstitial_oncotic_mmhg * self.interstitial_normal_ml
            / (self.interstitial_normal_ml + x);
        let pi_i = diluted.max(floor.min(self.interstitial_oncotic_mmhg));
        let filtration_ml_h =
            self.kf * ((pc_mmhg - pi) - self.sigma * (self.plasma_oncotic_mmhg - pi_i));
        let rise = (pi - INTERSTITIAL_MMHG) / (INTERSTITIAL_MAX_MMHG - INTERSTITIAL_MMHG);
        let lymph_ml_h = (LYMPH_ML_H * (1.0 + (LYMPH_MAX_FACTOR - 1.0) * rise)).max(0.0);
        Exchange {
            filtration_ml_h,
            lymph_ml_h,
            interstitial_mmhg: pi,
        }
    }

    /// Advance by `dt_s` at capillary pressure `pc_mmhg`. Returns (filtered, drained) volumes
    /// in mL: taken from the capillary blood and given back to the veins. `available_ml`
    /// bounds what the capillaries can give.
    #[inline]
    pub fn step(&mut self, pc_mmhg: f64, dt_s: f64, available_ml: f64) -> (f64, f64) {
        let e = self.exchange(pc_mmhg);
        let mut filtered = ml_s_from_ml_h(e.filtration_ml_h) * dt_s;
        let mut drained = ml_s_from_ml_h(e.lymph_ml_h) * dt_s;
        filtered = filtered.min(available_ml.max(0.0));
        // Neither lymph nor reabsorption can take the lung below its dry floor.
        let room = self.excess_ml - self.min_excess_ml();
        let net_out = drained - filtered;
        if net_out > 0.0 && net_out > room {
            let scale = room.max(0.0) / net_out;
            drained *= scale;
            filtered *= scale;
        }
        self.excess_ml += filtered - drained;
        (filtered, drained)
    }

    /// The shunt oedema adds to the lungs' own.
    pub fn oedema_shunt(&self) -> f64 {
        (SHUNT_PER_WATER_ML_KG * (self.water_ml_kg() - NORMAL_WATER_ML_KG).max(0.0))
            .min(OEDEMA_SHUNT_MAX)
    }

    /// Is the interstitium full (water now floods the alveoli)?
    pub fn flooding(&self) -> bool {
        self.excess_ml >= self.full_ml()
    }
}

/// Gaar's capillary pressure from left-atrial and pulmonary-arterial pressure.
#[inline]
pub fn capillary_pressure_mmhg(la_mmhg: f64, pa_mmhg: f64) -> f64 {
    la_mmhg + GAAR_FRACTION * (pa_mmhg - la_mmhg)
}

/// Graded oedema risk (`edema_risk`) with its reason in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdemaRisk {
    Low,
    Moderate,
    High,
    Severe,
}

/// Capillary pressure at which interstitial oedema begins (wedge > 18: Dash 1980).
pub const RISK_MODERATE_PC_MMHG: f64 = 18.0;
/// Capillary pressure above which the safety factors fail (Guyton & Lindsey 1959: ~25).
pub const RISK_HIGH_PC_MMHG: f64 = 24.0;
/// Lung water gain that counts as "rising".
pub const RISING_ML_H: f64 = 10.0;

impl EdemaRisk {
    /// Grade from the mean capillary pressure, net water gain and lung water.
    pub fn grade(pc_mmhg: f64, net_gain_ml_h: f64, water_ml_kg: f64) -> (EdemaRisk, String) {
        let rising = net_gain_ml_h > RISING_ML_H;
        if water_ml_kg >= OEDEMA_WATER_ML_KG {
            let trend = if rising {
                format!(", still rising {net_gain_ml_h:.0} mL/h")
            } else {
                String::new()
            };
            (
                EdemaRisk::Severe,
                format!(
                    "pulmonary oedema: lung water {water_ml_kg:.1} mL/kg (>= {OEDEMA_WATER_ML_KG:.0}){trend}"
                ),
            )
        } else if pc_mmhg >= RISK_HIGH_PC_MMHG || (rising && pc_mmhg >= RISK_MODERATE_PC_MMHG) {
            (
                EdemaRisk::High,
                format!(
                    "capillary pressure {pc_mmhg:.0} mmHg overwhelms lymph drainage: lung water \
                     rising {net_gain_ml_h:.0} mL/h"
                ),
            )
        } else if pc_mmhg >= RISK_MODERATE_PC_MMHG || rising {
            (
                EdemaRisk::Moderate,
                format!(
                    "capillary pressure {pc_mmhg:.0} mmHg (>= {RISK_MODERATE_PC_MMHG:.0}): \
                     interstitial fluid building, lymph still coping"
                ),
            )
        } else {
            (
                EdemaRisk::Low,
                format!("capillary pressure {pc_mmhg:.0} mmHg: filtration matched by lymph"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equilibrate(pc: f64, hours: f64) -> LungWater {
        let mut w = LungWater::new(&Lungs::default(), 70.0);
        let dt = 1.0;
        for _ in 0..(hours * 3600.0) as usize {
            w.step(pc, dt, f64::INFINITY);
        }
        w
    }

    #[test]
    fn the_normal_lung_is_in_balance() {
        let w = LungWater::new(&Lungs::default(), 70.0);
        let e = w.exchange(NORMAL_CAPILLARY_MMHG);
        assert!((e.filtration_ml_h - e.lymph_ml_h).abs() < 1e-9, "{e:?}");
        let w = equilibrate(NORMAL_CAPILLARY_MMHG, 6.0);
        assert!((w.water_ml_kg() - NORMAL_WATER_ML_KG).abs() < 1e-6);
    }

    #[test]
    fn safety_factors_hold_to_the_mid_twenties_then_the_lung_floods() {
        // Below the threshold a new, modestly wetter steady state within 1-2 h (Erdmann).
        let w2 = equilibrate(20.0, 2.0);
        let w6 = equilibrate(20.0, 6.0);
        assert!(
            w6.water_ml_kg() < OEDEMA_WATER_ML_KG,
            "{}",
            w6.water_ml_kg()
        );
        assert!((w6.water_ml_kg() - w2.water_ml_kg()).abs() < 0.3);
        assert!(w6.water_ml_kg() > NORMAL_WATER_ML_KG + 0.5);
        // Above it water keeps coming: oedema within hours.
        let w = equilibrate(30.0, 3.0);
        assert!(w.water_ml_kg() >= OEDEMA_WATER_ML_KG, "{}", w.water_ml_kg());
        assert!(w.flooding());
        // A low pressure dries the lung, but not below its floor.
        let w = equilibrate(2.0, 24.0);
        assert!(w.water_ml_kg() < NORMAL_WATER_ML_KG && w.water_ml_kg() > 4.0);
    }

    #[test]
    fn risk_grades_follow_pressure_and_water() {
        assert_eq!(EdemaRisk::grade(10.0, 0.0, 7.0).0, EdemaRisk::Low);
        assert_eq!(EdemaRisk::grade(20.0, 0.0, 7.5).0, EdemaRisk::Moderate);
        assert_eq!(EdemaRisk::grade(27.0, 80.0, 8.0).0, EdemaRisk::High);
        let (r, why) = EdemaRisk::grade(27.0, 80.0, 11.0);
        assert_eq!(r, EdemaRisk::Severe);
        assert!(why.contains("11.0 mL/kg"), "{why}");
    }
}
