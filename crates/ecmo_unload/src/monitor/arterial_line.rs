//! Peripheral arterial lines: the right radial and a femoral pressure as their catheters record
//! them, not the lumped arch or descending pressure relabelled. The pulse reaches the wrist and
//! the groin a transit time after it leaves the aorta, and on its way it is reshaped by the
//! arterial tree's reflections: the peripheral systolic peak is higher and narrower than the
//! central one while the mean is the same (Kroeker & Wood, Circ Res 1955;3:623; O'Rourke's
//! aorta-to-radial transfer function, Karamanoglu et al., Eur Heart J 1993;14:160).
//!
//! Each line is a pure delay (the transit time) and a second-order resonance with unit gain at
//! zero frequency (the transfer function's main peak), so the mean pressure is untouched:
//!   x'' + 2 zeta w x' + w^2 x = w^2 p(t - transit)
//! Sources and values: docs/MODEL.md, section "Arterial lines".

use crate::units::{at_least, s_from_ms};
use std::f64::consts::TAU;

/// Pulse transit time from the aortic arch to the radial artery (about 0.6 m of brachial and
/// radial artery at a pulse-wave velocity near 8-9 m/s: Reference Values for Arterial
/// Stiffness Collaboration, Eur Heart J 2010;31:2338).
pub const RADIAL_TRANSIT_MS: f64 = 70.0;
/// Pulse transit time from the descending aorta to the femoral artery: the aorta to its
/// bifurcation takes 63 ms measured invasively (Weber et al., J Hypertens 2009;27:1624), of which
/// the lumped descending node already holds the proximal part.
pub const FEMORAL_TRANSIT_MS: f64 = 40.0;
/// Frequency of the aorta-to-radial transfer function's peak (Karamanoglu 1993: 4 Hz).
pub const RADIAL_RESONANCE_HZ: f64 = 4.0;
/// Damping of the radial resonance: Karamanoglu's gain peaks at 2.8 at 4 Hz, zeta 0.18. It
/// gives the healthy preset 10 mmHg of radial systolic amplification (Kroeker & Wood 1955:
/// 10-20 mmHg at rest).
pub const RADIAL_DAMPING: f64 = 0.18;
/// The femoral artery, nearer the aorta and on a stiffer path, amplifies less (Kroeker & Wood
/// 1955): a lower, more damped peak.
pub const FEMORAL_RESONANCE_HZ: f64 = 4.0;
pub const FEMORAL_DAMPING: f64 = 0.5;
/// Longest transit a line can hold at the smallest step (0.05 ms): a ring of this many samples
/// (a power of two: indices wrap with a mask, and a fixed size drops the bounds checks).
const RING_SAMPLES: usize = 4096;
const RING_MASK: usize = RING_SAMPLES - 1;

/// One peripheral arterial line.
#[derive(Clone, Debug)]
pub struct ArterialLine {
    transit_s: f64,
    omega_per_s: f64,
    damping: f64,
    /// Central pressures and whether the LV was ejecting, `delay_steps` back.
    ring: Box<[(f64, bool); RING_SAMPLES]>,
    head: usize,
    delay_steps: usize,
    /// The resonance's low-frequency lag (2 zeta / w) in steps: the ejection gate stays open
    /// that much longer, so a peak the filter delays is still read as systolic.
    lag_steps: usize,
    dt_s: f64,
    /// The filter's state: the line's pressure and its rate of change.
    p_mmhg: f64,
    dp_mmhg_s: f64,
    ejecting: bool,
    primed: bool,
}

impl ArterialLine {
    /// A line `transit_ms` downstream with a resonance at `resonance_hz` damped by `damping`.
    pub fn new(transit_ms: f64, resonance_hz: f64, damping: f64) -> Self {
        Self {
            transit_s: s_from_ms(transit_ms),
            omega_per_s: TAU * resonance_hz,
            damping,
            ring: Box::new([(0.0, false); RING_SAMPLES]),
            head: 0,
            delay_steps: 0,
            lag_steps: 0,
            dt_s: f64::NAN,
            p_mmhg: 0.0,
            dp_mmhg_s: 0.0,
            ejecting: false,
            primed: false,
        }
    }

    /// The right radial line (from the arch pressure).
    pub fn radial() -> Self {
        Self::new(RADIAL_TRANSIT_MS, RADIAL_RESONANCE_HZ, RADIAL_DAMPING)
    }

    /// A femoral line (from the descending aortic pressure).
    pub fn femoral() -> Self {
        Self::new(FEMORAL_TRANSIT_MS, FEMORAL_RESONANCE_HZ, FEMORAL_DAMPING)
    }

    /// Take the central pressure `central_mmhg` of this step (and whether the LV ejects now);
    /// returns the line's pressure.
    #[inline]
    pub fn step(&mut self, central_mmhg: f64, ejecting: bool, dt_s: f64) -> f64 {
        if dt_s != self.dt_s {
            self.restep(central_mmhg, dt_s);
        }
        self.ring[self.head & RING_MASK] = (central_mmhg, ejecting);
        let tail = self.head.wrapping_sub(self.delay_steps);
        let (delayed, was_ejecting) = self.ring[tail & RING_MASK];
        let ejecting = was_ejecting | self.ring[tail.wrapping_sub(self.lag_steps) & RING_MASK].1;
        self.head = self.head.wrapping_add(1);
        // Semi-implicit Euler: stable for w dt << 1 (0.013 at 4 Hz and 0.5 ms).
        let w = self.omega_per_s;
        let accel = w * (w * (delayed - self.p_mmhg) - 2.0 * self.damping * self.dp_mmhg_s);
        self.dp_mmhg_s += accel * dt_s;
        self.p_mmhg += self.dp_mmhg_s * dt_s;
        self.ejecting = ejecting;
        self.p_mmhg
    }

    /// A first sample or a changed step: the delay and lag in steps anew. The ring's samples
    /// were taken at the old step, so it is refilled with the pressure now (a flat transit
    /// rather than a wrong delay); a line not yet primed starts at rest at the central pressure.
    #[cold]
    #[inline(never)]
    fn restep(&mut self, central_mmhg: f64, dt_s: f64) {
        self.dt_s = dt_s;
        let dt_s = at_least(dt_s, f64::MIN_POSITIVE);
        let steps = |s: f64| ((s / dt_s).round() as usize).min(RING_SAMPLES / 2 - 1);
        self.delay_steps = steps(self.transit_s);
        self.lag_steps = steps(2.0 * self.damping / self.omega_per_s);
        self.ring.fill((central_mmhg, false));
        if !self.primed {
            self.primed = true;
            self.p_mmhg = central_mmhg;
            self.dp_mmhg_s = 0.0;
        }
    }

    /// The line's pressure now.
    pub fn pressure_mmhg(&self) -> f64 {
        self.p_mmhg
    }

    /// Was the LV ejecting when the pressure now at the line left the aorta?
    pub fn ejecting(&self) -> bool {
        self.ejecting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step in the central pressure reaches the line after the transit time, overshoots
    /// (the resonance) and settles at the same value (unit gain for the mean).
    #[test]
    fn a_step_arrives_after_the_transit_overshoots_and_settles() {
        let dt = 0.5e-3;
        let mut line = ArterialLine::radial();
        let mut out = Vec::new();
        for k in 0..4000 {
            let p = if k < 100 { 80.0 } else { 120.0 };
            out.push(line.step(p, false, dt));
        }
        let first_move = out.iter().position(|&p| p > 80.0 + 1e-9).unwrap();
        let transit_steps = (RADIAL_TRANSIT_MS * 1e-3 / dt).round() as usize;
        assert_eq!(first_move, 100 + transit_steps);
        let peak = out.iter().cloned().fold(f64::MIN, f64::max);
        assert!(peak > 135.0 && peak < 150.0, "overshoot to {peak}");
        assert!((out[3999] - 120.0).abs() < 0.01, "settles at {}", out[3999]);
    }
}
