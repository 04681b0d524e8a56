//! Lactate: made by every tissue, more by tissue short of O2 and by epinephrine's beta-2
//! action, cleared mostly by the liver, whose clearance falls when it is poorly perfused and
//! comes back over hours when flow returns.
//!
//!   V dL/dt = P - CL L
//!   P = P0 + Y sum_beds(deficit_b) + P0 G_epi                  production (mmol/min)
//!   deficit_b = VO2_b s(DO2_b / VO2_b)                         O2 the bed's hypoxic units lack
//!   s(x) = Phi(d) - a Phi(d - sigma), a = ERmax x, d = (ln(1/a) + sigma^2/2) / sigma
//!                                     the anaerobic share of a bed whose units' DO2/VO2 is
//!                                     log-normal around x (Walley 1996)
//!   CL = CL0 [(1 - h) + h F(r) H]                              clearance (mL/min)
//!   F(r) = 2 r / (1 + r)              well-stirred liver at hepatic extraction 1/2 (flow share r)
//!   dH/dt = (1 - g s_lower - H) / tau_H   hepatocellular uptake falls with the splanchnic bed's
//!                                          hypoxic share within hours (tau 1 h) and comes back
//!                                          over half a day (tau 12 h)
//!
//! Constants and sources: docs/MODEL.md section 7m.

use crate::units::{at_least, within};

/// Endogenous lactate production at rest, umol/kg/min (Levraut et al., Am J Respir Crit Care
/// Med 1998;157:1021: 1181 umol/kg/h in normolactataemic patients).
pub const BASAL_PRODUCTION_UMOL_KG_MIN: f64 = 19.7;
/// Whole-body lactate clearance, mL/kg/min (Levraut 1998: 1002 mL/kg/h). With the basal
/// production it holds blood lactate at 1.18 mmol/L.
pub const NORMAL_CLEARANCE_ML_KG_MIN: f64 = 16.7;
/// Lactate's distribution volume, L/kg (healthy volunteers, 270-300 mL/kg: Woll & Record,
/// Eur J Clin Invest 1979).
pub const DISTRIBUTION_L_KG: f64 = 0.3;
/// The liver's share of lactate clearance (about 60 %; kidneys about 30 %, muscle the rest).
pub const HEPATIC_SHARE: f64 = 0.6;
/// Normal hepatic blood flow, mL/kg/min (1.5 L/min in 70 kg, a quarter of the cardiac output).
pub const NORMAL_HEPATIC_FLOW_ML_KG_MIN: f64 = 21.4;
/// Share of the lower-body bed's flow that passes the liver (portal plus hepatic arterial):
/// 1.5 of the healthy preset's 4.0 L/min.
pub const HEPATIC_SHARE_OF_LOWER_BODY_FLOW: f64 = 0.38;
/// Time constants of the hepatocytes' lactate uptake: lost within hours of hypoxia, regained
/// over half a day once the liver is perfused again (**M**: ischaemic hepatic injury sets in
/// within hours and resolves over days; fitted so that a patient put on ECMO clears the excess
/// over hours, as VA ECMO survivors do: Slottosch, J Crit Care 2017;42:35; RESCUE 2021).
pub const HEPATIC_INJURY_S: f64 = 3600.0;
pub const HEPATIC_RECOVERY_S: f64 = 43200.0;
/// Hepatocellular lactate uptake lost per unit of the lower body's anaerobic share (**M**: the
/// liver's pericentral zone is the first to go hypoxic; 10 halves the liver's uptake within
/// hours in the untreated shock preset, as Levraut's hyperlactataemic patients had half the
/// normal clearance).
pub const HEPATIC_HYPOXIA_GAIN: f64 = 10.0;
/// Most O2 a tissue unit can extract (maximal whole-body extraction 0.74-0.80: Ronco et al.,
/// JAMA 1993;270:1724).
pub const MAX_EXTRACTION: f64 = 0.8;
/// Heterogeneity of DO2/VO2 among a bed's units, coefficient of variation (**M**: Walley,
/// J Appl Physiol 1996;81:885 shows 0.2-0.6 moves the organ's critical DO2 to that measured;
/// 0.6 puts the onset of a bed's lactate production near extraction 0.4, Shibutani's critical
/// DO2 of 330 mL/min/m2).
pub const UNIT_HETEROGENEITY_CV: f64 = 0.6;
/// mmol lactate made per mmol O2 a hypoxic unit lacks (**M**: glycolysis makes one ATP per
/// lactate, oxidation about five per O2; hypoxic cells cut their ATP use, so 1 is taken).
pub const LACTATE_PER_O2_DEFICIT: f64 = 1.0;
/// mL O2 per mmol (ideal gas, STPD).
pub const ML_O2_PER_MMOL: f64 = 22.4;
/// Normal blood lactate: the zero of the base excess it takes (Levraut's production over
/// clearance, 1.18 mmol/L).
pub const NORMAL_MMOL_L: f64 = BASAL_PRODUCTION_UMOL_KG_MIN / NORMAL_CLEARANCE_ML_KG_MIN;

/// Share (0-1) of a bed's demand that its hypoxic units cannot meet aerobically, at O2
/// delivery `do2_ml_min` and demand `vo2_ml_min`: units' DO2/VO2 log-normal around the bed's
/// with [`UNIT_HETEROGENEITY_CV`], each unit extracting at most [`MAX_EXTRACTION`].
pub fn anaerobic_share(do2_ml_min: f64, vo2_ml_min: f64) -> f64 {
    if vo2_ml_min <= 0.0 {
        return 0.0;
    }
    if do2_ml_min <= 0.0 {
        return 1.0;
    }
    let a = MAX_EXTRACTION * do2_ml_min / vo2_ml_min;
    let sigma = (1.0 + UNIT_HETEROGENEITY_CV * UNIT_HETEROGENEITY_CV)
        .ln()
        .sqrt();
    let d = ((1.0 / a).ln() + 0.5 * sigma * sigma) / sigma;
    within(normal_cdf(d) - a * normal_cdf(d - sigma), 0.0, 1.0)
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Well-stirred liver: its clearance at hepatic flow share `r` of normal, as a share of the
/// normal, for a hepatic extraction of 1/2 (Wilkinson & Shand, Clin Pharmacol Ther 1975;18:377).
pub fn hepatic_flow_factor(r: f64) -> f64 {
    let r = at_least(r, 0.0);
    2.0 * r / (1.0 + r)
}

/// What drives lactate over one update.
#[derive(Clone, Copy, Debug, Default)]
pub struct Drive {
    /// O2 the beds' hypoxic units lack (mL/min).
    pub o2_deficit_ml_min: f64,
    /// Lower-body blood flow (mL/min): the liver's share of it is its perfusion.
    pub lower_body_flow_ml_min: f64,
    /// The lower body's anaerobic share (0-1): the liver's hypoxia.
    pub lower_body_anaerobic: f64,
    /// Extra aerobic glycolysis from beta-2 stimulation, a multiple of basal production.
    pub glycolysis: f64,
}

/// Blood lactate and the liver's uptake capacity.
#[derive(Clone, Debug)]
pub struct Lactate {
    pub mmol_l: f64,
    /// Hepatocellular uptake capacity (1: normal).
    pub hepatic_function: f64,
    /// Rate of change over the last update (mmol/L per hour).
    pub rate_mmol_l_h: f64,
    weight_kg: f64,
    clearance_ml_kg_min: f64,
}

impl Lactate {
    pub fn new(p: &crate::patient::Patient) -> Self {
        let mut l = Lactate {
            mmol_l: p.metabolism.initial_lactate_mmol_l,
            hepatic_function: 1.0,
            rate_mmol_l_h: 0.0,
            weight_kg: p.weight_kg,
            clearance_ml_kg_min: 0.0,
        };
        l.configure(p);
        l
    }

    pub fn configure(&mut self, p: &crate::patient::Patient) {
        self.weight_kg = p.weight_kg;
        self.clearance_ml_kg_min = p.metabolism.lactate_clearance_ml_kg_min;
    }

    /// Hepatic perfusion as a share of normal for `lower_body_flow_ml_min`.
    pub fn hepatic_flow_share(&self, lower_body_flow_ml_min: f64) -> f64 {
        lower_body_flow_ml_min * HEPATIC_SHARE_OF_LOWER_BODY_FLOW
            / (NORMAL_HEPATIC_FLOW_ML_KG_MIN * self.weight_kg)
    }

    /// Clearance now (mL/min) at hepatic flow share `r`.
    pub fn clearance_ml_min(&self, r: f64) -> f64 {
        self.clearance_ml_kg_min
            * self.weight_kg
            * (1.0 - HEPATIC_SHARE + HEPATIC_SHARE * hepatic_flow_factor(r) * self.hepatic_function)
    }

    /// Production now (mmol/min).
    pub fn production_mmol_min(&self, d: &Drive) -> f64 {
        let basal = BASAL_PRODUCTION_UMOL_KG_MIN / 1000.0 * self.weight_kg;
        basal * (1.0 + d.glycolysis.max(0.0))
            + LACTATE_PER_O2_DEFICIT * d.o2_deficit_ml_min.max(0.0) / ML_O2_PER_MMOL
    }

    /// Advance by `dt_s` (exact for the linear clearance over the step).
    pub fn step(&mut self, d: &Drive, dt_s: f64) {
        let r = self.hepatic_flow_share(d.lower_body_flow_ml_min);
        let v_l = DISTRIBUTION_L_KG * self.weight_kg;
        let k_per_min = self.clearance_ml_min(r) / 1000.0 / v_l;
        let steady = self.production_mmol_min(d) / v_l / k_per_min;
        let before = self.mmol_l;
        self.mmol_l = at_least(
            steady + (before - steady) * (-k_per_min * dt_s / 60.0).exp(),
            0.0,
        );
        self.rate_mmol_l_h = (self.mmol_l - before) / dt_s * 3600.0;
        let target = within(
            1.0 - HEPATIC_HYPOXIA_GAIN * d.lower_body_anaerobic,
            0.0,
            1.0,
        );
        self.hepatic_function +=
            (target - self.hepatic_function) * (1.0 - (-dt_s / HEPATIC_RECOVERY_S).exp());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_lactate_is_levrauts() {
        assert!((NORMAL_MMOL_L - 1.18).abs() < 0.01);
    }

    #[test]
    fn anaerobic_share_rises_as_delivery_falls() {
        let mut last = -1.0;
        for do2 in [2000.0, 800.0, 400.0, 250.0, 180.0, 120.0, 60.0, 10.0] {
            let s = anaerobic_share(do2, 100.0);
            assert!(s >= last && (0.0..=1.0).contains(&s), "{do2}: {s}");
            last = s;
        }
        // Healthy extraction 0.25: next to nothing; 0.6: a good part of the bed.
        assert!(anaerobic_share(400.0, 100.0) < 0.01);
        assert!(anaerobic_share(100.0 / 0.6, 100.0) > 0.1);
        assert_eq!(anaerobic_share(0.0, 100.0), 1.0);
    }

    #[test]
    fn the_well_stirred_liver_loses_clearance_with_flow() {
        assert!((hepatic_flow_factor(1.0) - 1.0).abs() < 1e-12);
        assert!(hepatic_flow_factor(0.5) < 1.0 && hepatic_flow_factor(0.25) < 0.5);
    }
}
