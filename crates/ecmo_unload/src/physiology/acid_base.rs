//! Acid-base: pH and bicarbonate from PCO2 and the standard base excess, and the blood gas a
//! laboratory prints for a sample.
//!
//!   pH = pK + log10(HCO3 / (alpha PCO2))                   Henderson-Hasselbalch, pK 6.1,
//!                                                          alpha 0.0307 mmol/L/mmHg
//!   SBE = 0.93 [HCO3 - 24.4 + 14.8 (pH - 7.4)]             Van Slyke equation for the
//!                                                          extracellular fluid (Siggaard-Andersen
//!                                                          1977; CLSI C46)
//!   SBE = SBE_set - (lactate - 1.18)                       lactic acid takes bicarbonate 1:1
//!
//! The two are solved together for pH (monotone: bisection). PO2 from saturation is Severinghaus'
//! curve inverted (Ellis, J Appl Physiol 1989;67:902) with the dissolved O2 a sample carries.
//! Constants and sources: docs/MODEL.md section 7l.

use serde::Serialize;

/// Henderson-Hasselbalch pK of the bicarbonate buffer in plasma at 37 C.
pub const PK: f64 = 6.1;
/// CO2 solubility in plasma at 37 C, mmol/L per mmHg.
pub const CO2_SOLUBILITY_MMOL_L_MMHG: f64 = 0.0307;
/// Van Slyke (CLSI C46): normal bicarbonate, the extracellular buffer value and the
/// extracellular factor.
pub const NORMAL_HCO3_MMOL_L: f64 = 24.4;
pub const BUFFER_VALUE_MMOL_L: f64 = 14.8;
pub const EXTRACELLULAR_FACTOR: f64 = 0.93;
pub const NORMAL_PH: f64 = 7.4;
/// The pH range the solver searches and a report shows (beyond it no blood is alive; the
/// extremes of the settings reach both).
pub const PH_MIN: f64 = 6.3;
pub const PH_MAX: f64 = 8.3;
const BISECTIONS: usize = 48;
/// O2 dissolved in blood, mL O2 per mL per mmHg (0.003 mL/dL/mmHg).
pub const O2_SOLUBILITY_ML_ML_MMHG: f64 = 0.00003;

/// Standard base excess (mmol/L) at lactate `lactate_mmol_l` with the rest of the fixed acids
/// and bases giving `other_sbe_mmol_l`.
pub fn standard_base_excess(other_sbe_mmol_l: f64, lactate_mmol_l: f64) -> f64 {
    other_sbe_mmol_l - (lactate_mmol_l - crate::lactate::NORMAL_MMOL_L)
}

/// Plasma bicarbonate (mmol/L) at `pco2_mmhg` and `ph` (Henderson-Hasselbalch).
pub fn hco3_mmol_l(pco2_mmhg: f64, ph: f64) -> f64 {
    CO2_SOLUBILITY_MMOL_L_MMHG * pco2_mmhg * 10f64.powf(ph - PK)
}

/// pH of blood at `pco2_mmhg` and standard base excess `sbe_mmol_l`, within
/// [`PH_MIN`]..=[`PH_MAX`].
pub fn ph(pco2_mmhg: f64, sbe_mmol_l: f64) -> f64 {
    // Bicarbonate by Henderson-Hasselbalch rises with pH, by Van Slyke it falls: one crossing.
    let excess = |ph: f64| {
        hco3_mmol_l(pco2_mmhg, ph)
            - (NORMAL_HCO3_MMOL_L + sbe_mmol_l / EXTRACELLULAR_FACTOR
                - BUFFER_VALUE_MMOL_L * (ph - NORMAL_PH))
    };
    let (mut lo, mut hi) = (PH_MIN, PH_MAX);
    if excess(lo) >= 0.0 {
        return lo;
    }
    if excess(hi) <= 0.0 {
        return hi;
    }
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if excess(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// PO2 (mmHg) at saturation `s` (0-1): Severinghaus inverted (Ellis 1989).
pub fn po2_from_saturation(s: f64) -> f64 {
    let s = s.clamp(1e-6, 1.0 - 1e-9);
    let a = 11_700.0 / (1.0 / s - 1.0);
    let b = (50.0f64.powi(3) + a * a).sqrt();
    (b + a).cbrt() - (b - a).cbrt()
}

/// PO2 (mmHg) of blood with total O2 content `content_ml_per_ml` (bound plus dissolved) at an
/// O2 capacity `capacity_ml_per_ml`: the pressure at which the two share it out.
pub fn po2_from_content(content_ml_per_ml: f64, capacity_ml_per_ml: f64) -> f64 {
    let total = |p: f64| {
        capacity_ml_per_ml * crate::oxygen::saturation_from_po2(p) + O2_SOLUBILITY_ML_ML_MMHG * p
    };
    let (mut lo, mut hi) = (0.0, 800.0);
    if total(hi) <= content_ml_per_ml {
        return hi;
    }
    for _ in 0..BISECTIONS {
        let mid = 0.5 * (lo + hi);
        if total(mid) < content_ml_per_ml {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A blood gas as a laboratory prints it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct BloodGas {
    pub ph: f64,
    pub pco2_mmhg: f64,
    pub po2_mmhg: f64,
    pub hco3_mmol_l: f64,
    pub base_excess_mmol_l: f64,
    pub so2_pct: f64,
    pub lactate_mmol_l: f64,
}

impl BloodGas {
    /// The gas of blood at `pco2_mmhg`, `po2_mmhg`, saturation `so2` (0-1), with the body's
    /// standard base excess and lactate.
    pub fn of(pco2_mmhg: f64, po2_mmhg: f64, so2: f64, sbe_mmol_l: f64, lactate: f64) -> Self {
        let ph = ph(pco2_mmhg, sbe_mmol_l);
        BloodGas {
            ph,
            pco2_mmhg,
            po2_mmhg,
            hco3_mmol_l: hco3_mmol_l(pco2_mmhg, ph),
            base_excess_mmol_l: sbe_mmol_l,
            so2_pct: crate::units::pct_from_fraction(so2),
            lactate_mmol_l: lactate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_blood_is_normal() {
        let ph = ph(40.0, 0.0);
        assert!((ph - 7.4).abs() < 0.01, "{ph}");
        assert!((hco3_mmol_l(40.0, ph) - 24.4).abs() < 0.5);
    }

    #[test]
    fn acids_and_co2_lower_ph() {
        assert!(ph(60.0, 0.0) < 7.3 && ph(25.0, 0.0) > 7.5);
        assert!(ph(40.0, -10.0) < 7.25);
        // A metabolic acidosis lowers bicarbonate by its base deficit less what the other
        // buffers take up (Van Slyke: 10 / 0.93 less 14.8 x the pH's fall).
        let p = ph(40.0, -10.0);
        let hco3 = hco3_mmol_l(40.0, p);
        assert!(hco3 < 24.4 - 6.0 && hco3 > 24.4 - 10.0 / 0.93, "{hco3}");
    }

    #[test]
    fn po2_inverts_severinghaus() {
        for p in [20.0, 27.0, 40.0, 60.0, 100.0] {
            let s = crate::oxygen::saturation_from_po2(p);
            assert!((po2_from_saturation(s) - p).abs() < 0.5, "{p}");
            let c = 0.17 * s + O2_SOLUBILITY_ML_ML_MMHG * p;
            assert!((po2_from_content(c, 0.17) - p).abs() < 0.5, "{p}");
        }
    }
}
