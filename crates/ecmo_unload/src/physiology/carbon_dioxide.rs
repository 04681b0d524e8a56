//! Carbon dioxide: made by the beds' metabolism, held in their tissues, carried by the blood,
//! breathed out by the ventilated lungs and taken out by the ECMO oxygenator's sweep gas.
//!
//!   C = K P + k + B SBE                    blood CO2 content (mL/mL) from PCO2 and base excess:
//!                                          linear dissociation (Ursino & Magosso 2000), bicarbonate
//!                                          shifted 1:1 by a fixed acid (22.26 mL CO2 per mmol)
//!   dP_t/dt = [RQ VO2 + Q (C_a - C(P_t))] / G_t     each bed's tissue store; its capillary blood
//!                                          leaves at the tissue's PCO2
//!   dP_A/dt = (863 / V_A) [Q_ns (C_v - C(P_A)) - VA P_A / 863]   alveolar gas, VA = VE (1 - VD/VT)
//!   P_out = P_in (1 - eps C_min / C_b)     oxygenator: a counter-current exchanger (effectiveness-NTU)
//!                                          between blood (C_b = Q K) and CO2-free sweep gas
//!                                          (C_g = sweep / 713), NTU = D_m / C_min
//!
//! The transport of the content between compartments is the O2 transport's (`oxygen.rs`).
//! Constants and sources: docs/MODEL.md section 7l.

use crate::units::at_least;

/// Resting adult minute ventilation (West, Respiratory Physiology: 6-7.5 L/min).
pub const RESTING_MINUTE_VENTILATION_L_MIN: f64 = 6.0;
/// Physiological dead space VD/VT of a resting adult (0.2-0.35; West).
pub const RESTING_DEAD_SPACE_FRACTION: f64 = 0.3;
/// Slope of the blood CO2 dissociation curve, mL CO2 per mL blood per mmHg (Ursino & Magosso,
/// Ann Biomed Eng 2000;28:1048, linearised in the physiological range).
pub const CONTENT_SLOPE_ML_PER_ML_MMHG: f64 = 0.0057;
/// Its intercept, mL CO2 per mL blood (same source): 45 mL/dL at 40 mmHg, 49 at 47.
pub const CONTENT_INTERCEPT_ML_PER_ML: f64 = 0.224;
/// Volume of 1 mmol CO2 (ideal gas at STPD): a fixed acid's mmol/L of bicarbonate is this much
/// CO2 per L of blood.
pub const ML_CO2_PER_MMOL: f64 = 22.26;
/// Dry-gas pressure in the alveoli and the oxygenator (760 less water vapour at 37 C): a gas
/// fraction times this is its partial pressure.
pub const DRY_GAS_MMHG: f64 = 713.0;
/// The alveolar ventilation equation's constant: PACO2 = 863 VCO2 / VA with VCO2 at STPD (how
/// the blood's CO2 content is counted) and VA at BTPS (West, Respiratory Physiology). A mL of
/// CO2 in the alveolar gas volume V raises PACO2 by 863 / V mmHg.
pub const ALVEOLAR_CONSTANT_MMHG: f64 = 863.0;
/// Alveolar gas volume the blood exchanges with: functional residual capacity of an adult
/// (about 2.5 L; West).
pub const ALVEOLAR_GAS_ML: f64 = 2500.0;
/// Capacitance of the rapidly exchanging tissue CO2 stores, mL CO2 per kg per mmHg.
pub const TISSUE_CAPACITANCE_ML_KG_MMHG: f64 = 1.0;
/// CO2 diffusing capacity of a whole, new membrane oxygenator (mL/min/mmHg): calibrated so that
/// CO2 removal rises almost linearly with sweep to 6 L/min and levels off above (docs/MODEL.md 7l).
pub const MEMBRANE_CO2_DIFFUSING_ML_MIN_MMHG: f64 = 50.0;
/// Highest PCO2 blood is held to (a compartment emptied within one transport interval could
/// otherwise compute any content; no living patient's blood exceeds it).
pub const MAX_PCO2_MMHG: f64 = 250.0;
/// Starting partial pressures: arterial, mixed venous and tissue of a resting adult.
pub const START_ARTERIAL_MMHG: f64 = 40.0;
pub const START_VENOUS_MMHG: f64 = 46.0;

/// Blood CO2 content (mL/mL) at `pco2_mmhg` and standard base excess `sbe_mmol_l`.
#[inline]
pub fn content_from_pco2(pco2_mmhg: f64, sbe_mmol_l: f64) -> f64 {
    CONTENT_SLOPE_ML_PER_ML_MMHG * pco2_mmhg
        + CONTENT_INTERCEPT_ML_PER_ML
        + ML_CO2_PER_MMOL / 1000.0 * sbe_mmol_l
}

/// PCO2 (mmHg, never below 0) of blood with CO2 content `content_ml_per_ml` at base excess
/// `sbe_mmol_l`: the inverse of [`content_from_pco2`].
#[inline]
pub fn pco2_from_content(content_ml_per_ml: f64, sbe_mmol_l: f64) -> f64 {
    at_least(
        (content_ml_per_ml - CONTENT_INTERCEPT_ML_PER_ML - ML_CO2_PER_MMOL / 1000.0 * sbe_mmol_l)
            / CONTENT_SLOPE_ML_PER_ML_MMHG,
        0.0,
    )
}

/// Share of the inlet PCO2 the oxygenator takes out of the blood: P_out = P_in (1 - share).
/// `blood_ml_min` through the membrane, `sweep_l_min` of CO2-free gas, `membrane_function` 0-1.
/// Counter-current effectiveness-NTU (Kays & London, Compact Heat Exchangers): the blood side's
/// capacity rate is Q K, the gas side's sweep / 713; the membrane's D_m sets the NTU.
pub fn oxygenator_co2_share(blood_ml_min: f64, sweep_l_min: f64, membrane_function: f64) -> f64 {
    let c_blood = blood_ml_min.max(0.0) * CONTENT_SLOPE_ML_PER_ML_MMHG;
    let c_gas = sweep_l_min.max(0.0) * 1000.0 / DRY_GAS_MMHG;
    let (c_min, c_max) = (c_blood.min(c_gas), c_blood.max(c_gas));
    if c_min <= 0.0 {
        return 0.0;
    }
    let ntu = MEMBRANE_CO2_DIFFUSING_ML_MIN_MMHG * membrane_function.max(0.0) / c_min;
    let cr = c_min / c_max;
    let effectiveness = if (1.0 - cr).abs() < 1e-9 {
        ntu / (1.0 + ntu)
    } else {
        let e = (-ntu * (1.0 - cr)).exp();
        (1.0 - e) / (1.0 - cr * e)
    };
    effectiveness * c_min / c_blood
}

/// A gas's alveolar partial pressure after `dt_s`: `from_blood_ml` (STPD; negative: taken up
/// by the blood) enters the alveolar gas, and alveolar ventilation `va_ml_s` brings it toward
/// the inspired partial pressure `inspired_mmhg` (exact for the washout). For O2 and CO2 alike;
/// at steady state P_A = P_I + 863 V / VA, the alveolar gas and ventilation equations.
pub fn alveolar_exchange_mmhg(
    p_mmhg: f64,
    from_blood_ml: f64,
    inspired_mmhg: f64,
    va_ml_s: f64,
    dt_s: f64,
) -> f64 {
    let p = p_mmhg + from_blood_ml * ALVEOLAR_CONSTANT_MMHG / ALVEOLAR_GAS_ML;
    at_least(
        inspired_mmhg + (p - inspired_mmhg) * (-va_ml_s * dt_s / ALVEOLAR_GAS_ML).exp(),
        0.0,
    )
}

/// Alveolar ventilation (mL/s) of a minute ventilation with its dead space.
pub fn alveolar_ventilation_ml_s(minute_ventilation_l_min: f64, dead_space_fraction: f64) -> f64 {
    minute_ventilation_l_min.max(0.0) * 1000.0 / 60.0 * (1.0 - dead_space_fraction).max(0.0)
}

/// The CO2 stores outside the blood and what has crossed their borders since t = 0.
#[derive(Clone, Debug)]
pub struct Stores {
    /// Alveolar PCO2 (end-capillary blood of ventilated alveoli equilibrates with it).
    pub alveolar_mmhg: f64,
    /// Tissue PCO2 of the upper and lower body (their venous blood leaves at it).
    pub tissue_mmhg: [f64; 2],
    /// Tissue store capacitances (mL CO2 per mmHg).
    pub tissue_capacitance_ml_mmhg: [f64; 2],
    /// CO2 produced by the beds and the heart, breathed out and taken by the oxygenator (mL).
    pub produced_ml: f64,
    pub exhaled_ml: f64,
    pub oxygenator_ml: f64,
    /// Rates over the last update (mL/min): breathed out, taken by the oxygenator.
    pub exhaled_ml_min: f64,
    pub oxygenator_ml_min: f64,
}

impl Stores {
    /// Stores of a resting adult of `weight_kg`, split between the beds by `upper_share`.
    pub fn new(weight_kg: f64, upper_share: f64) -> Self {
        let total = TISSUE_CAPACITANCE_ML_KG_MMHG * weight_kg;
        Stores {
            alveolar_mmhg: START_ARTERIAL_MMHG,
            tissue_mmhg: [START_VENOUS_MMHG; 2],
            tissue_capacitance_ml_mmhg: [upper_share * total, (1.0 - upper_share) * total],
            produced_ml: 0.0,
            exhaled_ml: 0.0,
            oxygenator_ml: 0.0,
            exhaled_ml_min: 0.0,
            oxygenator_ml_min: 0.0,
        }
    }

    /// CO2 held outside the blood (mL, above zero partial pressure): alveolar gas and tissues.
    pub fn held_ml(&self) -> f64 {
        ALVEOLAR_GAS_ML * self.alveolar_mmhg / ALVEOLAR_CONSTANT_MMHG
            + self.tissue_mmhg[0] * self.tissue_capacitance_ml_mmhg[0]
            + self.tissue_mmhg[1] * self.tissue_capacitance_ml_mmhg[1]
    }

    /// Alveolar gas over `dt_s`: `from_blood_ml` crossed in from the capillaries, alveolar
    /// ventilation `va_ml_s` of CO2-free gas washes it out (exact for the washout).
    pub fn ventilate(&mut self, from_blood_ml: f64, va_ml_s: f64, dt_s: f64) {
        let before = self.alveolar_mmhg + from_blood_ml * ALVEOLAR_CONSTANT_MMHG / ALVEOLAR_GAS_ML;
        let after = alveolar_exchange_mmhg(self.alveolar_mmhg, from_blood_ml, 0.0, va_ml_s, dt_s);
        let out_ml = (before - after) * ALVEOLAR_GAS_ML / ALVEOLAR_CONSTANT_MMHG;
        self.alveolar_mmhg = after;
        self.exhaled_ml += out_ml;
        self.exhaled_ml_min = out_ml / dt_s * 60.0;
    }

    /// A bed's tissue store gains `ml` (production plus what the arterial blood brought less
    /// what its venous blood took).
    pub fn add_to_tissue(&mut self, bed: usize, ml: f64) {
        self.tissue_mmhg[bed] = at_least(
            self.tissue_mmhg[bed] + ml / self.tissue_capacitance_ml_mmhg[bed],
            0.0,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_and_pressure_are_inverse() {
        for p in [0.0, 20.0, 40.0, 46.0, 90.0] {
            for sbe in [-15.0, 0.0, 8.0] {
                let c = content_from_pco2(p, sbe);
                assert!((pco2_from_content(c, sbe) - p).abs() < 1e-9);
            }
        }
        // Normal arterial content near 48 mL/dL (West): the linear fit gives 45.
        assert!((content_from_pco2(40.0, 0.0) - 0.452).abs() < 1e-9);
    }

    #[test]
    fn oxygenator_takes_more_co2_with_more_sweep_and_less_with_a_failing_membrane() {
        let mut last = 0.0;
        for sweep in [0.5, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0] {
            let s = oxygenator_co2_share(4000.0, sweep, 1.0);
            assert!(s > last && s < 1.0, "{sweep}: {s}");
            last = s;
        }
        assert_eq!(oxygenator_co2_share(4000.0, 0.0, 1.0), 0.0);
        assert!(oxygenator_co2_share(4000.0, 6.0, 0.2) < oxygenator_co2_share(4000.0, 6.0, 1.0));
    }
}
