//! Flow laws of valves and inertial conduits.
//!
//! A conduit with resistance R and inertance L obeys L dQ/dt = dP - R Q. It is advanced
//! semi-implicitly (implicit in the R Q term), which is unconditionally stable for the R-L part
//! and exact in the steady state.
//!
//! A valve is such a conduit that only carries forward flow: it opens when the pressure gradient
//! turns forward and closes when its (decelerating) forward flow reaches zero. Closure is decided
//! on the flow state, not on the sign of the gradient, so there is no open/close chattering, and
//! late-systolic forward flow against a reversed gradient (Spencer & Greiss, Circ Res 1962;10:274)
//! emerges from blood inertia as it does in vivo.
//!
//! A regurgitant orifice is a hole of effective area A in parallel with the valve, with flow from
//! the simplified Bernoulli relation dP = 4 v^2 (dP mmHg, v m/s; Hatle & Angelsen) so that
//! Q [mL/s] = A [mm^2] * 0.01 cm^2/mm^2 * 50 cm/s * sqrt(dP) = 0.5 A sqrt(dP).

/// Q [mL/s] per (mm^2 * sqrt(mmHg)) through an orifice by the simplified Bernoulli relation.
pub const ORIFICE_ML_S_PER_MM2_SQRT_MMHG: f64 = 0.5;
/// Below this gradient the orifice law is continued linearly: sqrt has an infinite slope at 0,
/// which a fixed step cannot follow (numerical regularisation, not physiology).
pub const ORIFICE_LINEAR_BELOW_MMHG: f64 = 1.0;

/// The least backflow that shuts an open valve (unless its closing volume is smaller).
pub const CLOSING_FLOOR_ML: f64 = 0.1;
/// A shut valve opens when the forward gradient exceeds this: the leaflets need a push, and an
/// atrioventricular valve ringing at zero gradient in diastasis does not flicker open and shut.
pub const OPENING_GRADIENT_MMHG: f64 = 0.25;

/// A conduit's semi-implicit step, compiled for a fixed dt:
/// Q' = (Q + dt/L dP) / (1 + dt R/L) = keep * Q + gain * dP.
/// With L = 0 the flow follows dP / R at once (keep = 0, gain = 1/R).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Inertial {
    keep: f64,
    gain_ml_s_per_mmhg: f64,
}

impl Inertial {
    pub fn new(r_mmhg_s_per_ml: f64, l_mmhg_s2_per_ml: f64, dt_s: f64) -> Self {
        if l_mmhg_s2_per_ml > 0.0 {
            let denom = 1.0 + dt_s * r_mmhg_s_per_ml / l_mmhg_s2_per_ml;
            Self {
                keep: 1.0 / denom,
                gain_ml_s_per_mmhg: dt_s / l_mmhg_s2_per_ml / denom,
            }
        } else {
            Self {
                keep: 0.0,
                gain_ml_s_per_mmhg: 1.0 / r_mmhg_s_per_ml,
            }
        }
    }

    /// Flow after one step from flow `q_ml_s` under gradient `dp_mmhg`.
    #[inline]
    pub fn step(&self, q_ml_s: f64, dp_mmhg: f64) -> f64 {
        self.keep * q_ml_s + self.gain_ml_s_per_mmhg * dp_mmhg
    }

    /// Flow through a valve after one step. A shut valve opens on a forward gradient. An open
    /// valve's flow follows the gradient with inertia: it decelerates, reverses, and the valve
    /// snaps shut once the reverse flow has moved `closing_volume_ml` (the leaflets' closing
    /// volume). The abrupt stop of that reverse flow is what notches the arterial pressure.
    #[inline]
    pub fn valve_step(
        &self,
        q_ml_s: f64,
        dp_mmhg: f64,
        state: &mut ValveState,
        closing_volume_ml: f64,
        dt_s: f64,
    ) -> f64 {
        if !state.open {
            if dp_mmhg <= OPENING_GRADIENT_MMHG {
                return 0.0;
            }
            *state = ValveState {
                open: true,
                backflow_ml: 0.0,
                forward_ml: 0.0,
            };
        }
        let q = self.step(q_ml_s, dp_mmhg);
        if q > 0.0 {
            state.forward_ml += q * dt_s;
        } else {
            state.backflow_ml -= q * dt_s;
            // Leaflets that barely parted close on less: never more back than went forward
            // (but at least a trace, so a valve hovering at zero gradient cannot flicker).
            if state.backflow_ml >= closing_volume_ml.min(state.forward_ml.max(CLOSING_FLOOR_ML)) {
                state.open = false;
                return 0.0;
            }
        }
        q
    }
}

/// Whether a valve is open, how much went forward through this opening, and how much has
/// flowed back since it began to close.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ValveState {
    pub open: bool,
    pub forward_ml: f64,
    pub backflow_ml: f64,
}

/// Flow through a regurgitant orifice of `area_mm2` (both directions; the hole is a hole).
#[inline]
pub fn orifice_flow(area_mm2: f64, dp_mmhg: f64) -> f64 {
    if area_mm2 <= 0.0 {
        return 0.0;
    }
    let k = ORIFICE_ML_S_PER_MM2_SQRT_MMHG * area_mm2;
    let mag = dp_mmhg.abs();
    if mag < ORIFICE_LINEAR_BELOW_MMHG {
        k * dp_mmhg / ORIFICE_LINEAR_BELOW_MMHG.sqrt()
    } else {
        k * mag.sqrt() * dp_mmhg.signum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conduit_reaches_poiseuille_steady_state() {
        let (r, l, dt) = (0.05, 1e-3, 5e-4);
        let k = Inertial::new(r, l, dt);
        let mut q = 0.0;
        for _ in 0..2000 {
            q = k.step(q, 10.0);
        }
        assert!((q - 10.0 / r).abs() < 1e-9);
        // The first step matches the semi-implicit formula.
        let first = Inertial::new(r, l, dt).step(0.0, 10.0);
        assert!((first - (dt / l * 10.0) / (1.0 + dt * r / l)).abs() < 1e-12);
        assert!((Inertial::new(r, 0.0, dt).step(123.0, 10.0) - 200.0).abs() < 1e-12);
    }

    #[test]
    fn valve_closes_after_its_closing_volume_and_stays_shut() {
        let (dt, closing) = (5e-4, 1.0);
        let v = Inertial::new(0.02, 1.2e-4, dt);
        let mut s = ValveState::default();
        assert_eq!(v.valve_step(0.0, -30.0, &mut s, closing, dt), 0.0);
        assert!(!s.open, "a shut valve stays shut against a gradient");
        let mut q = 0.0;
        for _ in 0..100 {
            q = v.valve_step(q, 20.0, &mut s, closing, dt);
        }
        assert!(s.open && q > 0.0 && s.forward_ml > closing);
        // Under a reversed gradient the flow decelerates, reverses, and stops after 1 mL back.
        let mut back = 0.0;
        let mut prev = q;
        for _ in 0..200 {
            q = v.valve_step(q, -10.0, &mut s, closing, dt);
            if !s.open {
                break;
            }
            assert!(q < prev, "flow against the gradient must decelerate");
            back += (-q).max(0.0) * dt;
            prev = q;
        }
        assert!(!s.open && q == 0.0);
        assert!(back < closing && back > 0.5 * closing, "backflow {back}");
        assert_eq!(v.valve_step(0.0, -10.0, &mut s, closing, dt), 0.0);
        // Leaflets that barely parted let back no more than went forward.
        let mut s = ValveState::default();
        let mut q = v.valve_step(0.0, 2.0, &mut s, closing, dt);
        assert!(s.open, "2 mmHg opens it");
        let forward = s.forward_ml;
        let mut back = 0.0;
        while s.open {
            q = v.valve_step(q, -10.0, &mut s, closing, dt);
            back += (-q).max(0.0) * dt;
        }
        assert!(
            back <= forward.max(CLOSING_FLOOR_ML) + 1e-9 && forward < closing,
            "{back} back after {forward} forward"
        );
    }

    #[test]
    fn orifice_follows_simplified_bernoulli() {
        // 30 mm^2 (0.3 cm^2, severe by EROA) at 64 mmHg: v = 4 m/s, Q = 0.3 cm^2 * 400 cm/s.
        assert!((orifice_flow(30.0, 64.0) - 120.0).abs() < 1e-9);
        assert!((orifice_flow(30.0, -64.0) + 120.0).abs() < 1e-9);
        assert_eq!(orifice_flow(0.0, 50.0), 0.0);
        // Continuous at the regularisation threshold.
        let a = orifice_flow(10.0, ORIFICE_LINEAR_BELOW_MMHG - 1e-12);
        let b = orifice_flow(10.0, ORIFICE_LINEAR_BELOW_MMHG + 1e-12);
        assert!((a - b).abs() < 1e-9);
    }
}
