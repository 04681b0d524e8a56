//! The four cardiac chambers: time-varying elastance after Burkhoff & Tyberg (Am J Physiol
//! 1993;265:H1819), as implemented in Physiolibrary's `Burkhoff` model (Ježek et al. 2017).
//!
//! P(V, t) = e(t) * Ees * (V - V0) + (1 - e(t)) * A * (exp(B (V - V0)) - 1)
//!
//! e(t) rises as a half sine to 1 at Tmax and relaxes exponentially with time constant tau:
//!   e = 0.5 * (sin(pi t / Tmax - pi/2) + 1)        for t < 1.5 Tmax
//!   e = 0.5 * exp(-(t - 1.5 Tmax) / tau)            afterwards.
//! Tmax shortens with the RR interval as the QT interval does (Bazett, Heart 1920;7:353).

use crate::patient::Chamber;
use crate::units::s_from_ms;
use std::f64::consts::{FRAC_PI_2, PI};

/// RR interval at which `t_max_ms` is given (Bazett's correction is referenced to RR = 1 s).
pub const BAZETT_REFERENCE_RR_S: f64 = 1.0;
/// Relaxation counts as complete after this many time constants (0.5 exp(-14) < 5e-7: below
/// 0.001 mmHg of any chamber's pressure); the exp is skipped from then on.
pub const RELAXED_AFTER_TAUS: f64 = 14.0;
/// Above this diastolic pressure the EDPVR continues along its tangent. A numerical guard, not
/// physiology: it bounds the chamber stiffness at slider extremes so the fixed step stays stable.
pub const EDPVR_LINEAR_ABOVE_MMHG: f64 = 80.0;

/// Normalised activation e(t) in [0, 1], t = time since activation onset.
#[inline]
pub fn activation(t_s: f64, t_max_s: f64, tau_s: f64) -> f64 {
    let t_half_relaxed = 1.5 * t_max_s;
    if t_s < 0.0 {
        0.0
    } else if t_s < t_half_relaxed {
        0.5 * ((PI * t_s / t_max_s - FRAC_PI_2).sin() + 1.0)
    } else if t_s < t_half_relaxed + RELAXED_AFTER_TAUS * tau_s {
        0.5 * (-(t_s - t_half_relaxed) / tau_s).exp()
    } else {
        0.0
    }
}

/// Tmax at a given RR interval (Bazett scaling).
pub fn t_max_s_at_rr(t_max_ms_at_reference: f64, rr_s: f64) -> f64 {
    s_from_ms(t_max_ms_at_reference) * (rr_s / BAZETT_REFERENCE_RR_S).sqrt()
}

/// A chamber's pressure-volume law, compiled for the step loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChamberLaw {
    pub ees_mmhg_per_ml: f64,
    pub v0_ml: f64,
    pub edpvr_a_mmhg: f64,
    pub edpvr_b_per_ml: f64,
    /// Volume where the EDPVR reaches [`EDPVR_LINEAR_ABOVE_MMHG`].
    linear_from_ml: f64,
    /// EDPVR slope at that point.
    linear_slope_mmhg_per_ml: f64,
}

impl ChamberLaw {
    pub fn new(c: &Chamber) -> Self {
        let a = c.edpvr_a_mmhg;
        let b = c.edpvr_b_per_ml;
        Self {
            ees_mmhg_per_ml: c.ees_mmhg_per_ml,
            v0_ml: c.v0_ml,
            edpvr_a_mmhg: a,
            edpvr_b_per_ml: b,
            linear_from_ml: c.v0_ml + (EDPVR_LINEAR_ABOVE_MMHG / a + 1.0).ln() / b,
            linear_slope_mmhg_per_ml: b * (EDPVR_LINEAR_ABOVE_MMHG + a),
        }
    }

    /// End-systolic pressure-volume relation (linear).
    #[inline]
    pub fn espvr_mmhg(&self, v_ml: f64) -> f64 {
        self.ees_mmhg_per_ml * (v_ml - self.v0_ml)
    }

    /// End-diastolic pressure-volume relation (exponential, tangent-continued at the top).
    #[inline]
    pub fn edpvr_mmhg(&self, v_ml: f64) -> f64 {
        if v_ml < self.linear_from_ml {
            self.edpvr_a_mmhg * ((self.edpvr_b_per_ml * (v_ml - self.v0_ml)).exp() - 1.0)
        } else {
            EDPVR_LINEAR_ABOVE_MMHG + self.linear_slope_mmhg_per_ml * (v_ml - self.linear_from_ml)
        }
    }

    /// Integral of the EDPVR from V0 to V (for the potential-energy part of PVA).
    pub fn edpvr_integral_mmhg_ml(&self, v_ml: f64) -> f64 {
        let (a, b, v0) = (self.edpvr_a_mmhg, self.edpvr_b_per_ml, self.v0_ml);
        let exp_part = |v: f64| a * (((b * (v - v0)).exp() - 1.0) / b - (v - v0));
        if v_ml <= v0 {
            0.0
        } else if v_ml <= self.linear_from_ml {
            exp_part(v_ml)
        } else {
            let dv = v_ml - self.linear_from_ml;
            exp_part(self.linear_from_ml)
                + EDPVR_LINEAR_ABOVE_MMHG * dv
                + 0.5 * self.linear_slope_mmhg_per_ml * dv * dv
        }
    }

    /// Volume at which the EDPVR gives `p_mmhg` (used to lay out the initial state).
    pub fn edpvr_volume_ml(&self, p_mmhg: f64) -> f64 {
        if p_mmhg < EDPVR_LINEAR_ABOVE_MMHG {
            self.v0_ml + (p_mmhg.max(0.0) / self.edpvr_a_mmhg + 1.0).ln() / self.edpvr_b_per_ml
        } else {
            self.linear_from_ml + (p_mmhg - EDPVR_LINEAR_ABOVE_MMHG) / self.linear_slope_mmhg_per_ml
        }
    }

    /// Chamber pressure at activation `e`.
    #[inline]
    pub fn pressure_mmhg(&self, e: f64, v_ml: f64) -> f64 {
        let passive = (1.0 - e) * self.edpvr_mmhg(v_ml);
        if e > 0.0 {
            e * self.espvr_mmhg(v_ml) + passive
        } else {
            passive
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn law() -> ChamberLaw {
        ChamberLaw::new(&Chamber {
            ees_mmhg_per_ml: 2.0,
            v0_ml: 10.0,
            edpvr_a_mmhg: 0.34,
            edpvr_b_per_ml: 0.024,
            t_max_ms: 200.0,
            tau_ms: 30.0,
        })
    }

    #[test]
    fn activation_shape() {
        let (tmax, tau) = (0.2, 0.03);
        assert_eq!(activation(0.0, tmax, tau), 0.0);
        assert!((activation(tmax, tmax, tau) - 1.0).abs() < 1e-12);
        // Continuous where the sine hands over to the exponential.
        let a = activation(1.5 * tmax - 1e-9, tmax, tau);
        let b = activation(1.5 * tmax + 1e-9, tmax, tau);
        assert!((a - b).abs() < 1e-6 && (a - 0.5).abs() < 1e-6);
        assert!(
            (activation(1.5 * tmax + tau, tmax, tau) - 0.5 / std::f64::consts::E).abs() < 1e-12
        );
        assert_eq!(activation(10.0, tmax, tau), 0.0);
    }

    #[test]
    fn pressure_is_espvr_at_full_activation_and_edpvr_at_rest() {
        let l = law();
        assert!((l.pressure_mmhg(1.0, 70.0) - 120.0).abs() < 1e-12);
        let ed = 0.34 * ((0.024_f64 * 100.0).exp() - 1.0);
        assert!((l.pressure_mmhg(0.0, 110.0) - ed).abs() < 1e-12);
    }

    #[test]
    fn edpvr_is_continuous_and_invertible_through_the_guard() {
        let l = law();
        let v = l.linear_from_ml;
        assert!((l.edpvr_mmhg(v - 1e-9) - l.edpvr_mmhg(v + 1e-9)).abs() < 1e-6);
        for p in [0.0, 5.0, 20.0, 79.0, 150.0] {
            assert!((l.edpvr_mmhg(l.edpvr_volume_ml(p)) - p).abs() < 1e-9, "{p}");
        }
        // The integral's derivative is the EDPVR.
        for v in [50.0, 150.0, v + 20.0] {
            let h = 1e-4;
            let d = (l.edpvr_integral_mmhg_ml(v + h) - l.edpvr_integral_mmhg_ml(v - h)) / (2.0 * h);
            assert!((d - l.edpvr_mmhg(v)).abs() < 1e-5, "{v}: {d}");
        }
    }

    #[test]
    fn bazett_shortens_systole_at_fast_rates() {
        assert!((t_max_s_at_rr(200.0, 1.0) - 0.2).abs() < 1e-12);
        assert!((t_max_s_at_rr(200.0, 0.25) - 0.1).abs() < 1e-12);
    }
}
