//! The four cardiac chambers: time-varying elastance with the pressure blend of Burkhoff &
//! Tyberg (Am J Physiol 1993;265:H1819), as in Physiolibrary's `Burkhoff` model (Ježek 2017):
//!
//! P(V, t) = EDPVR(V) + e(t) * max(ESPVR(V) - EDPVR(V), 0)
//! ESPVR(V) = Ees (V - V0),  EDPVR(V) = A (exp(B (V - V0)) - 1)
//!
//! Where the ESPVR lies above the EDPVR this is exactly their blend, e ESPVR + (1 - e) EDPVR.
//! Where it lies below (a very weak chamber, or one distended far up its EDPVR) the plain blend
//! inverts: contraction would *lower* the pressure and a weaker heart would pump more. Active
//! force only ever adds to the passive pressure (the EDPVR bounds the PV loop from below and
//! the ESPVR from above: Burkhoff, Mirsky & Suga, Am J Physiol 2005;289:H501; Klabunde,
//! cvphysiology.com CF024), so the active part is floored at zero: systolic pressure never falls
//! below the passive curve at the same volume, and above V0 pressure at every (e, V) never rises
//! as Ees falls.
//!
//! The activation e(t) in [0, 1] is the "double Hill" function (Stergiopulos, Meister &
//! Westerhof, Am J Physiol 1996;270:H2050; Mynard et al., Int J Numer Method Biomed Eng
//! 2012;28:626): a Hill rise times a steep Hill fall, normalised to a peak of 1,
//!   e(t) = k * g1 / (1 + g1) * 1 / (1 + g2),  g1 = (t / tau1)^m1,  g2 = (t / tau2)^m2.
//! Unlike a symmetric half sine it rises slowly through ejection and falls fast (isovolumic
//! relaxation), so ejection time, peak aortic flow and LV -dP/dt come out physiological.
//! tau1 and tau2 scale with sqrt(RR) as the QT interval does (Bazett, Heart 1920;7:353).

use crate::patient::Chamber;
use crate::units::{at_least, s_from_ms};

/// RR interval at which the chamber time constants are given (Bazett's reference, 1 s).
pub const BAZETT_REFERENCE_RR_S: f64 = 1.0;
/// Activation table resolution (in time at the reference RR); linear interpolation between.
pub const ACTIVATION_TABLE_STEP_S: f64 = 2.5e-4;
/// The table ends where the activation has fallen below this after its peak (then e = 0).
pub const ACTIVATION_NEGLIGIBLE: f64 = 1e-7;
/// Above this diastolic pressure the EDPVR continues along its tangent. A numerical guard, not
/// physiology: it bounds the chamber stiffness at slider extremes so the fixed step stays stable.
pub const EDPVR_LINEAR_ABOVE_MMHG: f64 = 80.0;

/// Double-Hill activation of one chamber, tabulated at the reference RR as segments
/// (value, slope per entry) so a lookup is one multiply-add.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Activation {
    segments: Vec<(f64, f64)>,
    /// Number of segments as a float: the table's end in entries.
    end_x: f64,
}

impl Activation {
    pub fn new(c: &Chamber) -> Self {
        let (tau1, tau2) = (s_from_ms(c.contraction_ms), s_from_ms(c.relaxation_ms));
        let shape = |t: f64| {
            let g1 = (t / tau1).powf(c.contraction_hill);
            let g2 = (t / tau2).powf(c.relaxation_hill);
            g1 / (1.0 + g1) / (1.0 + g2)
        };
        let mut raw = Vec::new();
        let mut peak = 0.0_f64;
        let mut k = 0usize;
        loop {
            let e = shape(k as f64 * ACTIVATION_TABLE_STEP_S);
            peak = peak.max(e);
            raw.push(e);
            let past_peak = k as f64 * ACTIVATION_TABLE_STEP_S > tau2;
            if past_peak && e < ACTIVATION_NEGLIGIBLE * peak {
                break;
            }
            k += 1;
        }
        let table: Vec<f64> = raw.into_iter().map(|e| e / peak).collect();
        let segments: Vec<(f64, f64)> = table.windows(2).map(|w| (w[0], w[1] - w[0])).collect();
        Self {
            end_x: segments.len() as f64,
            segments,
        }
    }

    /// e at time `t_s` after onset, with time constants scaled by `scale` (sqrt(RR / 1 s)).
    #[cfg(test)]
    pub fn at(&self, t_s: f64, scale: f64) -> f64 {
        self.at_rate(t_s, table_rate_per_s(scale))
    }

    /// e at time `t_s` after onset, `rate_per_s` table entries per second (see
    /// [`table_rate_per_s`]; the step loop computes it once per beat, not per lookup).
    #[inline]
    pub fn at_rate(&self, t_s: f64, rate_per_s: f64) -> f64 {
        let x = t_s * rate_per_s;
        // Before onset, past the table's end, or infinite (no previous beat): no activation.
        if !(x > 0.0 && x < self.end_x) {
            return 0.0;
        }
        // In range, so the cast neither saturates nor truncates a sign.
        let i = x as u32 as usize;
        match self.segments.get(i) {
            Some(&(a, slope)) => a + slope * (x - i as f64),
            None => 0.0,
        }
    }

    /// Time after onset from which the activation is zero, at `rate_per_s`.
    pub fn end_s(&self, rate_per_s: f64) -> f64 {
        self.end_x / rate_per_s
    }

    /// Time of peak activation at scale 1 (the end-systolic time at RR = 1 s).
    pub fn peak_time_s(&self) -> f64 {
        let value = |i: usize| self.segments[i].0;
        let i = (0..self.segments.len())
            .fold(0, |best, i| if value(i) > value(best) { i } else { best });
        i as f64 * ACTIVATION_TABLE_STEP_S
    }
}

/// Activation table entries per second of time at a Bazett `scale`.
pub fn table_rate_per_s(scale: f64) -> f64 {
    1.0 / (scale * ACTIVATION_TABLE_STEP_S)
}

/// Bazett scaling of systolic timing with the RR interval.
pub fn bazett_scale(rr_s: f64) -> f64 {
    (rr_s / BAZETT_REFERENCE_RR_S).sqrt()
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
            self.tangent_mmhg(v_ml)
        }
    }

    /// The EDPVR's tangent continuation above [`EDPVR_LINEAR_ABOVE_MMHG`].
    #[inline]
    fn tangent_mmhg(&self, v_ml: f64) -> f64 {
        EDPVR_LINEAR_ABOVE_MMHG + self.linear_slope_mmhg_per_ml * (v_ml - self.linear_from_ml)
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
        blend_mmhg(e, self.espvr_mmhg(v_ml), self.edpvr_mmhg(v_ml))
    }

    /// [`Self::pressure_mmhg`] for the step loop: the EDPVR's exponential carried from the last
    /// step's by the small volume change since (see [`Growth`]), `exact` forcing a fresh one.
    #[inline]
    pub(crate) fn pressure_tracked_mmhg(
        &self,
        e: f64,
        v_ml: f64,
        g: &mut Growth,
        exact: bool,
    ) -> f64 {
        let edpvr = if v_ml < self.linear_from_ml {
            let dx = self.edpvr_b_per_ml * (v_ml - g.v_ml);
            g.value = if !exact && dx.abs() < GROWTH_MAX_STEP {
                // e^(x + dx) = e^x e^dx.
                g.value * exp_step(dx)
            } else {
                (self.edpvr_b_per_ml * (v_ml - self.v0_ml)).exp()
            };
            g.v_ml = v_ml;
            self.edpvr_a_mmhg * (g.value - 1.0)
        } else {
            // On the tangent: no exponential to carry; the next one is computed afresh.
            g.v_ml = f64::NAN;
            self.tangent_mmhg(v_ml)
        };
        blend_mmhg(e, self.espvr_mmhg(v_ml), edpvr)
    }
}

/// The time-varying elastance blend of an ESPVR and an EDPVR value at activation `e`: the
/// passive pressure plus `e` times the active pressure the ESPVR adds above it (never below:
/// see the module doc).
#[inline(always)]
fn blend_mmhg(e: f64, espvr_mmhg: f64, edpvr_mmhg: f64) -> f64 {
    edpvr_mmhg + e * at_least(espvr_mmhg - edpvr_mmhg, 0.0)
}

/// e^dx for a carried step |dx| < [`GROWTH_MAX_STEP`]: its Taylor series to dx^4.
#[inline(always)]
fn exp_step(dx: f64) -> f64 {
    1.0 + dx * (1.0 + dx * (0.5 + dx * (1.0 / 6.0 + dx * (1.0 / 24.0))))
}

/// The four chambers' laws side by side (a structure of arrays) with their carried EDPVR
/// exponentials, so the step computes the four pressures in one loop the compiler vectorises
/// (two chambers per instruction). A chamber that needs its exponential afresh (a resync every
/// [`GROWTH_RESYNC_STEPS`], a jump, the tangent) sends all four through
/// [`ChamberLaw::pressure_tracked_mmhg`], one by one, with the same results.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChamberBank<const N: usize> {
    /// The laws themselves (the one-by-one path), and their parameters as arrays.
    laws: [ChamberLaw; N],
    ees_mmhg_per_ml: [f64; N],
    v0_ml: [f64; N],
    edpvr_a_mmhg: [f64; N],
    edpvr_b_per_ml: [f64; N],
    linear_from_ml: [f64; N],
    growth_v_ml: [f64; N],
    growth_value: [f64; N],
    /// Steps since the exponentials were last computed exactly.
    since_exact: u32,
}

impl<const N: usize> ChamberBank<N> {
    /// Nothing carried yet: the first step computes every exponential.
    pub fn new(laws: &[ChamberLaw; N]) -> Self {
        let g = Growth::default();
        let mut bank = Self {
            laws: *laws,
            ees_mmhg_per_ml: [0.0; N],
            v0_ml: [0.0; N],
            edpvr_a_mmhg: [0.0; N],
            edpvr_b_per_ml: [0.0; N],
            linear_from_ml: [0.0; N],
            growth_v_ml: [g.v_ml; N],
            growth_value: [g.value; N],
            since_exact: 0,
        };
        bank.take_laws(laws);
        bank
    }

    /// Take up changed laws (contractility under modulation); what is carried is kept.
    pub fn take_laws(&mut self, laws: &[ChamberLaw; N]) {
        self.laws = *laws;
        for (k, l) in laws.iter().enumerate() {
            self.ees_mmhg_per_ml[k] = l.ees_mmhg_per_ml;
            self.v0_ml[k] = l.v0_ml;
            self.edpvr_a_mmhg[k] = l.edpvr_a_mmhg;
            self.edpvr_b_per_ml[k] = l.edpvr_b_per_ml;
            self.linear_from_ml[k] = l.linear_from_ml;
        }
    }

    /// Every chamber's pressure at activations `e` and volumes `v_ml` (this step's: each call
    /// carries the exponentials one step on).
    #[inline]
    pub fn pressures_mmhg(&mut self, e: &[f64; N], v_ml: &[f64; N]) -> [f64; N] {
        let exact = self.since_exact == 0;
        self.since_exact = (self.since_exact + 1) % GROWTH_RESYNC_STEPS;
        let dx: [f64; N] =
            std::array::from_fn(|k| self.edpvr_b_per_ml[k] * (v_ml[k] - self.growth_v_ml[k]));
        // Every chamber on the carried path? Tested branch-free, one branch for the bank.
        let carried = (0..N).fold(!exact, |all, k| {
            all & (dx[k].abs() < GROWTH_MAX_STEP) & (v_ml[k] < self.linear_from_ml[k])
        });
        if !carried {
            return std::array::from_fn(|k| {
                let mut g = Growth {
                    v_ml: self.growth_v_ml[k],
                    value: self.growth_value[k],
                };
                let p = self.laws[k].pressure_tracked_mmhg(e[k], v_ml[k], &mut g, exact);
                (self.growth_v_ml[k], self.growth_value[k]) = (g.v_ml, g.value);
                p
            });
        }
        let mut p = [0.0; N];
        for k in 0..N {
            // pressure_tracked_mmhg's carried path, on the arrays.
            let value = self.growth_value[k] * exp_step(dx[k]);
            self.growth_value[k] = value;
            self.growth_v_ml[k] = v_ml[k];
            p[k] = blend_mmhg(
                e[k],
                self.ees_mmhg_per_ml[k] * (v_ml[k] - self.v0_ml[k]),
                self.edpvr_a_mmhg[k] * (value - 1.0),
            );
        }
        p
    }
}

/// Largest exponent change B dV carried by the series; beyond it e^x is computed afresh. At
/// 0.01 the series' truncation is below 1e-12 relative (0.01^5 / 120).
pub const GROWTH_MAX_STEP: f64 = 0.01;
/// The carried exponential is recomputed exactly this often (steps), so rounding and
/// truncation cannot accumulate: at most 64 x 1e-12 relative between resyncs.
pub const GROWTH_RESYNC_STEPS: u32 = 64;

/// A chamber's EDPVR exponential e^(B (V - V0)) at volume `v_ml`, carried from step to step:
/// a volume moves by a fraction of a millilitre per 0.5 ms step, so e^(B dV) by a short series
/// replaces a libm `exp` per chamber per step (the step loop's largest single cost).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Growth {
    v_ml: f64,
    value: f64,
}

impl Default for Growth {
    /// Nothing carried yet: the first use computes it.
    fn default() -> Self {
        Self {
            v_ml: f64::NAN,
            value: f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Uniform numbers in [0, 1) from the cohort's seeded generator: reproducible random walks.
    fn uniform_from(seed: u64) -> impl FnMut() -> f64 {
        let mut rng = crate::cohort::Rng::for_patient(seed, 0);
        move || rng.uniform()
    }

    #[test]
    fn the_carried_edpvr_exponential_stays_with_libm() {
        let l = law();
        let mut g = Growth::default();
        // A random walk of volumes (0.5 ms steps of up to 0.4 mL), with a jump now and then and
        // excursions onto the tangent, resynced as the circuit does.
        let mut uniform = uniform_from(0x9e37_79b9_7f4a_7c15);
        let mut v: f64 = 120.0;
        let mut worst = 0.0_f64;
        for step in 0..200_000u32 {
            v = if uniform() < 1e-3 {
                300.0 * uniform()
            } else {
                (v + 0.8 * (uniform() - 0.5)).clamp(0.0, 320.0)
            };
            let e = uniform().powi(4);
            let exact = step % GROWTH_RESYNC_STEPS == 0;
            let tracked = l.pressure_tracked_mmhg(e, v, &mut g, exact);
            let reference = l.pressure_mmhg(e, v);
            worst = worst.max((tracked - reference).abs() / reference.abs().max(1.0));
        }
        assert!(worst < 1e-10, "worst relative difference {worst:e}");
    }

    /// The bank's vectorised path gives exactly the per-chamber tracked pressures, through
    /// resyncs, jumps and excursions onto the tangent, for four different chambers.
    #[test]
    fn the_chamber_bank_equals_each_chamber_tracked_alone() {
        let laws = [
            law(),
            ChamberLaw::new(&Chamber {
                ees_mmhg_per_ml: 0.3,
                v0_ml: 5.0,
                edpvr_a_mmhg: 0.34,
                edpvr_b_per_ml: 0.024,
                ..lv_chamber()
            }),
            ChamberLaw::new(&Chamber {
                ees_mmhg_per_ml: 0.15,
                edpvr_b_per_ml: 0.04,
                ..lv_chamber()
            }),
            ChamberLaw::new(&Chamber {
                edpvr_a_mmhg: 0.9,
                ..lv_chamber()
            }),
        ];
        let mut bank = ChamberBank::new(&laws);
        let mut alone = [Growth::default(); 4];
        let mut uniform = uniform_from(0x2545_f491_4f6c_dd1d);
        // Each volume wanders up to a little past its tangent point.
        let top: [f64; 4] = std::array::from_fn(|k| 1.05 * laws[k].linear_from_ml);
        let mut v: [f64; 4] = std::array::from_fn(|k| 0.5 * top[k]);
        let (mut carried, mut fresh) = (0, 0);
        for step in 0..100_000u32 {
            for (x, top) in v.iter_mut().zip(top) {
                *x = if uniform() < 2e-4 {
                    top * uniform()
                } else {
                    (*x + 0.6 * (uniform() - 0.5)).clamp(0.0, top)
                };
            }
            let e: [f64; 4] = std::array::from_fn(|_| uniform().powi(3));
            // The bank resyncs on the same schedule as this count.
            let exact = step % GROWTH_RESYNC_STEPS == 0;
            let vectorised = !exact
                && (0..4).all(|k| {
                    let dx = laws[k].edpvr_b_per_ml * (v[k] - bank.growth_v_ml[k]);
                    dx.abs() < GROWTH_MAX_STEP && v[k] < laws[k].linear_from_ml
                });
            let from_bank = bank.pressures_mmhg(&e, &v);
            for k in 0..4 {
                let one = laws[k].pressure_tracked_mmhg(e[k], v[k], &mut alone[k], exact);
                assert_eq!(
                    from_bank[k].to_bits(),
                    one.to_bits(),
                    "step {step}, chamber {k}"
                );
            }
            if vectorised {
                carried += 1;
            } else {
                fresh += 1;
            }
        }
        // Both paths ran, the vectorised one most of the time.
        assert!(carried > fresh && fresh > 1000, "{carried} {fresh}");
    }

    fn law() -> ChamberLaw {
        ChamberLaw::new(&lv_chamber())
    }

    fn lv_chamber() -> Chamber {
        Chamber {
            ees_mmhg_per_ml: 2.0,
            v0_ml: 10.0,
            edpvr_a_mmhg: 0.34,
            edpvr_b_per_ml: 0.024,
            contraction_ms: 270.0,
            relaxation_ms: 450.0,
            contraction_hill: 1.32,
            relaxation_hill: 27.4,
        }
    }

    #[test]
    fn activation_rises_to_one_then_falls_fast_and_stays_off() {
        let a = Activation::new(&lv_chamber());
        assert_eq!(a.at(0.0, 1.0), 0.0);
        let peak = a.peak_time_s();
        assert!((a.at(peak, 1.0) - 1.0).abs() < 1e-3);
        assert!(peak > 0.3 && peak < 0.45, "peak at {peak}");
        // Rise through ejection is gradual; the fall after the peak is steep.
        let rise = a.at(peak, 1.0) - a.at(peak - 0.1, 1.0);
        let fall = a.at(peak, 1.0) - a.at(peak + 0.1, 1.0);
        assert!(fall > 3.0 * rise, "rise {rise}, fall {fall}");
        assert_eq!(a.at(2.0, 1.0), 0.0);
        // Bazett scaling: at RR 0.25 s everything happens twice as fast.
        let s = bazett_scale(0.25);
        assert!((s - 0.5).abs() < 1e-12);
        assert!((a.at(0.5 * peak, s) - a.at(peak, 1.0)).abs() < 1e-9);
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
}
