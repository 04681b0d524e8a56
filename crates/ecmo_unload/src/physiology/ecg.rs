//! A synthetic ECG (lead II) that follows the simulated rhythm: a sum of Gaussian waves around
//! each beat (after McSharry et al., IEEE Trans Biomed Eng 2003;50:289). The P wave follows the
//! atria's own activation, so AV dissociation (VVI pacing, VT) shows P waves marching through
//! the QRS complexes; paced beats carry a pacing spike and a wide complex; VT is wide and
//! monomorphic; AF has fibrillatory waves and no P; VF is chaotic; asystole is flat. Display and
//! the waveform CSV only: the mechanics never read it.

use crate::patient::RhythmKind;
use std::f64::consts::TAU;

/// (amplitude mV, time from the R wave s at RR 1 s, width s): McSharry 2003's Q, R, S and T
/// angles turned into times at 60 bpm. The T wave's timing stretches with the RR (QT).
const NARROW_QRS_T: [(f64, f64, f64); 4] = [
    (-0.1, -0.03, 0.01),
    (1.2, 0.0, 0.012),
    (-0.25, 0.03, 0.01),
    (0.3, 0.3, 0.06),
];
/// A ventricular complex that spreads from one ventricle (pacing, VT): wide (QRS about 160 ms),
/// with a discordant T wave.
const WIDE_QRS_T: [(f64, f64, f64); 2] = [(1.0, 0.06, 0.04), (-0.35, 0.33, 0.07)];
/// The P wave: (amplitude mV, time after the atrial activation onset s, width s).
const P_WAVE: (f64, f64, f64) = (0.15, 0.06, 0.02);
/// A pacing spike: (amplitude mV, width s).
const PACING_SPIKE: (f64, f64) = (1.5, 0.002);
/// VT: large, wide, monomorphic complexes (amplitude mV).
const VT_AMPLITUDE_MV: f64 = 1.4;
/// VF: incommensurate sines of 4-6 Hz (coarse fibrillation): (mV, Hz, phase).
const VF_WAVES: [(f64, f64, f64); 3] = [(0.35, 5.1, 0.0), (0.25, 4.3, 1.3), (0.15, 6.7, 2.1)];
/// AF's fibrillatory (f) waves: small and fast, 5-8 Hz (350-500/min): (mV, Hz, phase).
const F_WAVES: [(f64, f64, f64); 2] = [(0.05, 6.1, 0.0), (0.03, 7.7, 0.9)];

/// What the ECG is drawn from: the rhythm and the clock's state.
#[derive(Clone, Copy, Debug)]
pub struct Electrical {
    pub kind: RhythmKind,
    /// Simulated time (the fibrillatory waves run on it).
    pub t_s: f64,
    /// Time since the last R wave and this beat's RR (infinite before the first beat).
    pub since_r_s: f64,
    pub rr_s: f64,
    /// Time since the atria's activation onset (`None` when they do not beat).
    pub since_atrial_s: Option<f64>,
}

fn gaussian(a: f64, mu: f64, sigma: f64, t: f64) -> f64 {
    a * (-(t - mu).powi(2) / (2.0 * sigma * sigma)).exp()
}

/// A complex's waves `since` after its onset, the T wave's timing stretched by `qt_scale`.
fn complex(waves: &[(f64, f64, f64)], since: f64, qt_scale: f64) -> f64 {
    waves
        .iter()
        .map(|&(a, mu, sigma)| {
            let mu = if mu > 0.1 { mu * qt_scale } else { mu };
            gaussian(a, mu, sigma, since)
        })
        .sum()
}

fn sines(waves: &[(f64, f64, f64)], t_s: f64) -> f64 {
    waves
        .iter()
        .map(|&(a, f, phase)| a * (TAU * f * t_s + phase).sin())
        .sum()
}

/// ECG voltage (mV) now.
pub fn ecg_mv(e: &Electrical) -> f64 {
    use RhythmKind::*;
    let p_wave = e
        .since_atrial_s
        .map_or(0.0, |s| gaussian(P_WAVE.0, P_WAVE.1, P_WAVE.2, s));
    match e.kind {
        Asystole => 0.0,
        Vf => sines(&VF_WAVES, e.t_s),
        _ if !e.rr_s.is_finite() => p_wave,
        kind => {
            let qt = e.rr_s.sqrt();
            // This beat's waves, and the next beat's Q wave before its R.
            let beat = |waves: &[(f64, f64, f64)]| {
                complex(waves, e.since_r_s, qt) + complex(waves, e.since_r_s - e.rr_s, qt)
            };
            let spike = |since: f64| gaussian(PACING_SPIKE.0, 0.0, PACING_SPIKE.1, since);
            match kind {
                Sinus => beat(&NARROW_QRS_T) + p_wave,
                Af => beat(&NARROW_QRS_T) + sines(&F_WAVES, e.t_s),
                Paced => spike(e.since_r_s) + beat(&WIDE_QRS_T) + p_wave,
                PacedAv => {
                    let atrial_spike = e.since_atrial_s.map_or(0.0, spike);
                    atrial_spike + spike(e.since_r_s) + beat(&WIDE_QRS_T) + p_wave
                }
                _ => {
                    // VT: a broad, near-sinusoidal complex filling most of the cycle.
                    let x = (e.since_r_s / e.rr_s).clamp(0.0, 1.0);
                    VT_AMPLITUDE_MV * (TAU * x).sin() * (1.0 - x).powi(2) * 2.0 + p_wave
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: RhythmKind, t: f64, since_r: f64, since_p: Option<f64>) -> f64 {
        ecg_mv(&Electrical {
            kind,
            t_s: t,
            since_r_s: since_r,
            rr_s: 1.0,
            since_atrial_s: since_p,
        })
    }

    #[test]
    fn the_r_wave_peaks_at_the_r_wave_and_rhythms_differ() {
        use RhythmKind::*;
        assert!((at(Sinus, 0.0, 0.0, Some(0.16)) - 1.2).abs() < 0.05);
        assert!(at(Sinus, 0.5, 0.5, Some(0.66)).abs() < 0.1);
        // The P wave at the atria's onset, wherever it falls (AV dissociation).
        assert!(at(Paced, 0.6, 0.6, Some(0.06)) > at(Paced, 0.6, 0.6, None) + 0.1);
        assert_eq!(at(Asystole, 3.0, 0.2, None), 0.0);
        let vf: Vec<f64> = (0..100)
            .map(|i| at(Vf, i as f64 * 0.01, 0.0, None))
            .collect();
        assert!(vf.iter().any(|v| *v > 0.3) && vf.iter().any(|v| *v < -0.3));
        assert!(
            at(Paced, 0.0, 0.0, None) > at(Sinus, 0.0, 0.0, None),
            "pacing spike"
        );
        // The wide paced complex outlasts the narrow sinus one.
        assert!(at(Paced, 0.1, 0.1, None) > 0.3);
        assert!(at(Sinus, 0.1, 0.1, None).abs() < 0.05);
        // DDD: an atrial spike av_delay before the ventricular one.
        assert!(at(PacedAv, 0.84, 0.84, Some(0.0)) > 1.0);
        // VT: broad, large swings; AF: small f waves between narrow complexes.
        let vt: Vec<f64> = (0..100)
            .map(|i| at(Vt, 0.0, i as f64 * 0.01, None))
            .collect();
        assert!(vt.iter().filter(|v| v.abs() > 0.5).count() > 20);
        let af: Vec<f64> = (0..100)
            .map(|i| at(Af, i as f64 * 0.003, 0.5 + i as f64 * 0.003, None))
            .collect();
        assert!(af.iter().any(|v| *v > 0.02) && af.iter().all(|v| v.abs() < 0.2));
    }
}
