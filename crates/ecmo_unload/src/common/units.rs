//! Unit conversions, named `x_from_y`. The model works in mmHg, mL, s; the clinic in L/min, ms, W.

/// mL/s per L/min.
const ML_S_PER_L_MIN: f64 = 1000.0 / 60.0;
/// L/min per mL/s (the reciprocal, so the step loop multiplies instead of dividing).
pub const L_MIN_PER_ML_S: f64 = 60.0 / 1000.0;
/// Watts per (mmHg * L/min): 133.322 Pa * 1e-3 m^3 / 60 s (so CPO = MAP * CO / 451, Fincke 2004).
const W_PER_MMHG_L_MIN: f64 = 133.322_387_415 / 60_000.0;

/// dyn*s/cm^5 per Wood unit (mmHg*min/L): 1333.22 dyn/cm^2 * 60 s / 1000 cm^3 (the "x 80" of
/// the bedside formula SVR = 80 (MAP - CVP) / CO).
const DYN_S_CM5_PER_WOOD_UNIT: f64 = 79.993_432_449;

/// Vascular resistance in dyn*s/cm^5 from a pressure drop and a flow.
pub fn dyn_s_cm5_from_mmhg_l_min(dp_mmhg: f64, flow_l_min: f64) -> f64 {
    DYN_S_CM5_PER_WOOD_UNIT * dp_mmhg / flow_l_min
}

pub fn ml_s_from_l_min(l_min: f64) -> f64 {
    l_min * ML_S_PER_L_MIN
}

pub fn l_min_from_ml_s(ml_s: f64) -> f64 {
    ml_s * L_MIN_PER_ML_S
}

pub fn s_from_ms(ms: f64) -> f64 {
    ms * 1e-3
}

pub fn ms_from_s(s: f64) -> f64 {
    s * 1e3
}

/// Beat period from heart rate.
pub fn period_s_from_bpm(bpm: f64) -> f64 {
    60.0 / bpm
}

pub fn bpm_from_period_s(period_s: f64) -> f64 {
    60.0 / period_s
}

/// Hydraulic power of a mean pressure driving a flow.
pub fn watts_from_mmhg_l_min(mmhg: f64, l_min: f64) -> f64 {
    mmhg * l_min * W_PER_MMHG_L_MIN
}

/// Seconds per hour.
const S_PER_H: f64 = 3600.0;

pub fn ml_s_from_ml_h(ml_h: f64) -> f64 {
    ml_h / S_PER_H
}

pub fn ml_h_from_ml_s(ml_s: f64) -> f64 {
    ml_s * S_PER_H
}

pub fn min_from_s(s: f64) -> f64 {
    s / 60.0
}

pub fn s_from_min(min: f64) -> f64 {
    min * 60.0
}

/// A share (0-1) as a percentage.
pub fn pct_from_fraction(fraction: f64) -> f64 {
    100.0 * fraction
}

/// A number shown short in a message: as written when it is ordinary, in exponent form when it
/// is huge or tiny (`1e308` rather than 309 digits).
pub struct Short(pub f64);

impl std::fmt::Display for Short {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if x != 0.0 && x.is_finite() && !(1e-6..1e9).contains(&x.abs()) {
            write!(f, "{x:e}")
        } else {
            write!(f, "{x}")
        }
    }
}

/// `x` raised to at least `floor`, as one compare (one `maxsd`): the step loop's bounds, where
/// `f64::max`'s rule for NaN (return the other operand) costs four more instructions. A NaN
/// `x` passes through, visible to the invariant checks instead of hidden.
#[inline]
pub fn at_least(x: f64, floor: f64) -> f64 {
    if x < floor { floor } else { x }
}

/// `x` lowered to at most `ceiling` (see [`at_least`]).
#[inline]
pub fn at_most(x: f64, ceiling: f64) -> f64 {
    if x > ceiling { ceiling } else { x }
}

/// `x` within `[lo, hi]` (see [`at_least`]).
#[inline]
pub fn within(x: f64, lo: f64, hi: f64) -> f64 {
    at_most(at_least(x, lo), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip() {
        assert!((l_min_from_ml_s(ml_s_from_l_min(4.2)) - 4.2).abs() < 1e-12);
        assert!((ml_s_from_l_min(6.0) - 100.0).abs() < 1e-12);
        assert!((period_s_from_bpm(75.0) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn cardiac_power_matches_fincke_constant() {
        // Fincke et al. JACC 2004;44:340: CPO [W] = MAP [mmHg] * CO [L/min] / 451.
        let w = watts_from_mmhg_l_min(451.0, 1.0);
        assert!((w - 1.0).abs() < 5e-3, "{w}");
    }
}
