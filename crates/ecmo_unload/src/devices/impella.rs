//! Impella: a transaortic axial-flow pump from the LV to the aortic root. Its flow is a state
//! (blood inertia in the cannula) driven by the pump's pressure rise against the aorta-LV
//! pressure difference, so it is highest in systole, when the LV pressure nears the aortic:
//!
//!   L dQ/dt = P_LV - P_aorta + H0(P-level) - R_p Q
//!
//! a linear head-flow line per speed (the axial-pump model of Kunst et al., Int J Artif Organs
//! 1994;17:272, for the Hemopump, the Impella's forerunner), with H0 scaled by the square of the
//! speed (affinity laws). At P0 the rotor stands still and the cannula leaks backward, as a
//! stopped Impella does. Its inlet sucks down as the LV empties: flow collapses and the console
//! flags suction.

/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::{Impella, ImpellaModel};
use crate::units::ml_s_from_l_min;
use crate::valves::Inertial;

/// Motor speeds per P-level as fractions of the top level: the Impella 2.5 speed table
/// (25 000 ... 51 000 rpm for P1 ... P9/BOOST, Abiomed Automated Impella Controller IFU),
/// applied to each model's own top speed.
const LEVEL_SPEED_FRACTION: [f64; 10] = [
    0.0,
    25.0 / 51.0,
    35.0 / 51.0,
    38.0 / 51.0,
    40.0 / 51.0,
    43.0 / 51.0,
    45.0 / 51.0,
    47.0 / 51.0,
    50.0 / 51.0,
    1.0,
];
/// Blood inertance of the cannula (Kunst 1994: 21.4 Pa s^2/mL).
pub const CANNULA_INERTANCE_MMHG_S2_PER_ML: f64 = 0.16;

impl ImpellaModel {
    /// (flow L/min at 40 mmHg, flow L/min at 60 mmHg) at the top P-level. Tuned to the
    /// manufacturer's headline flows (CP "up to 4.3 L/min", about 3.5 at 60 mmHg; 5.5 about
    /// 6.2 and 5.5); no published head-flow curve was available.
    fn top_level_points(self) -> [(f64, f64); 2] {
        match self {
            ImpellaModel::Cp => [(4.3, 40.0), (3.5, 60.0)],
            ImpellaModel::FivePointFive => [(6.2, 40.0), (5.5, 60.0)],
        }
    }

    /// Shut-off head (mmHg) at the top level and the line's slope R_p (mmHg s/mL).
    fn head_line(self) -> (f64, f64) {
        let [(q1, p1), (q2, p2)] = self.top_level_points();
        let r_per_l_min = (p2 - p1) / (q1 - q2);
        (p1 + r_per_l_min * q1, r_per_l_min / ml_s_from_l_min(1.0))
    }
}

impl Default for Impella {
    fn default() -> Self {
        Self {
            enabled: false,
            model: ImpellaModel::Cp,
            p_level: 6.0,
        }
    }
}

/// Shut-off head (mmHg) of a model at a P-level (fractional levels interpolate the speed).
pub fn head_mmhg(model: ImpellaModel, p_level: f64) -> f64 {
    let level = p_level.clamp(0.0, 9.0);
    let (i, frac) = (level.floor() as usize, level.fract());
    let next = LEVEL_SPEED_FRACTION[(i + 1).min(9)];
    let speed = LEVEL_SPEED_FRACTION[i] + frac * (next - LEVEL_SPEED_FRACTION[i]);
    model.head_line().0 * speed * speed
}

/// The running pump.
#[derive(Clone, Debug, Default)]
pub struct ImpellaPump {
    enabled: bool,
    head_mmhg: f64,
    r_mmhg_s_per_ml: f64,
    dt_s: f64,
    /// The cannula's step with the inlet fully open (the usual case, compiled once).
    open_line: Inertial,
    pub flow_ml_s: f64,
    /// The inlet is sucking down on the LV wall this step.
    pub suction: bool,
}

impl ImpellaPump {
    pub fn configure(&mut self, s: &Impella, dt_s: f64) {
        self.enabled = s.enabled;
        self.head_mmhg = head_mmhg(s.model, s.p_level);
        self.r_mmhg_s_per_ml = s.model.head_line().1;
        self.dt_s = dt_s;
        self.open_line =
            Inertial::new(self.r_mmhg_s_per_ml, CANNULA_INERTANCE_MMHG_S2_PER_ML, dt_s);
        if !s.enabled {
            self.flow_ml_s = 0.0;
        }
    }

    /// Advance one step. `inlet_open` is the open fraction of the inlet (LV collapse).
    #[inline]
    pub fn step(&mut self, lv_mmhg: f64, aorta_mmhg: f64, inlet_open: f64) {
        if !self.enabled {
            self.flow_ml_s = 0.0;
            self.suction = false;
            return;
        }
        let line = if inlet_open >= 1.0 {
            self.open_line
        } else {
            let r = self.r_mmhg_s_per_ml * crate::ecmo::collapse_factor(inlet_open);
            Inertial::new(r, CANNULA_INERTANCE_MMHG_S2_PER_ML, self.dt_s)
        };
        self.flow_ml_s = line.step(self.flow_ml_s, lv_mmhg - aorta_mmhg + self.head_mmhg);
        self.suction = inlet_open < 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::l_min_from_ml_s;

    fn steady_flow_l_min(model: ImpellaModel, level: f64, dp_mmhg: f64) -> f64 {
        let mut p = ImpellaPump::default();
        p.configure(
            &Impella {
                enabled: true,
                model,
                p_level: level,
            },
            5e-4,
        );
        for _ in 0..20_000 {
            p.step(0.0, dp_mmhg, 1.0);
        }
        l_min_from_ml_s(p.flow_ml_s)
    }

    #[test]
    fn top_level_meets_the_headline_flows() {
        assert!((steady_flow_l_min(ImpellaModel::Cp, 9.0, 60.0) - 3.5).abs() < 0.01);
        assert!((steady_flow_l_min(ImpellaModel::Cp, 9.0, 40.0) - 4.3).abs() < 0.01);
        assert!((steady_flow_l_min(ImpellaModel::FivePointFive, 9.0, 60.0) - 5.5).abs() < 0.01);
    }

    #[test]
    fn flow_rises_with_level_and_falls_with_afterload_and_leaks_back_at_p0() {
        let q = |l, dp| steady_flow_l_min(ImpellaModel::Cp, l, dp);
        assert!(q(8.0, 60.0) > q(4.0, 60.0) && q(4.0, 60.0) > q(2.0, 60.0));
        assert!(q(6.0, 20.0) > q(6.0, 80.0));
        assert!(q(0.0, 60.0) < 0.0, "a stopped pump leaks from aorta to LV");
    }

    #[test]
    fn a_collapsed_inlet_stops_the_flow() {
        let mut p = ImpellaPump::default();
        p.configure(
            &Impella {
                enabled: true,
                ..Impella::default()
            },
            5e-4,
        );
        for _ in 0..4000 {
            p.step(10.0, 70.0, 0.0);
        }
        assert!(p.flow_ml_s.abs() < 1e-6 && p.suction);
    }
}
