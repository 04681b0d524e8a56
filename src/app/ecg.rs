//! A synthetic ECG that follows the simulated rhythm, for the monitor's top trace: a sum of
//! Gaussian P, Q, R, S and T waves around each R wave (after McSharry et al., IEEE Trans Biomed
//! Eng 2003;50:289), a pacing spike with a wide complex when paced, a chaotic wave in VF and a
//! flat line in asystole. Display only: the mechanics never read it.

use crate::patient::RhythmKind;

/// (amplitude mV, time from the R wave s at RR 1 s, width s): McSharry 2003's angles turned
/// into times at 60 bpm.
const SINUS_WAVES: [(f64, f64, f64); 5] = [
    (0.15, -0.2, 0.025),
    (-0.1, -0.03, 0.01),
    (1.2, 0.0, 0.012),
    (-0.25, 0.03, 0.01),
    (0.3, 0.3, 0.06),
];
/// Paced: spike, then a wide ventricular complex and a discordant T wave; no P wave.
const PACED_WAVES: [(f64, f64, f64); 3] =
    [(1.5, 0.0, 0.002), (1.0, 0.06, 0.04), (-0.35, 0.33, 0.07)];
/// VF: incommensurate sines of 4-6 Hz (coarse fibrillation).
const VF_WAVES: [(f64, f64, f64); 3] = [(0.35, 5.1, 0.0), (0.25, 4.3, 1.3), (0.15, 6.7, 2.1)];

fn gaussians(waves: &[(f64, f64, f64)], t: f64, timing_scale: f64) -> f64 {
    waves
        .iter()
        .map(|&(a, mu, sigma)| {
            // The T wave's timing (QT) stretches with the RR; the complex itself does not.
            let mu = if mu > 0.1 { mu * timing_scale } else { mu };
            a * (-(t - mu).powi(2) / (2.0 * sigma * sigma)).exp()
        })
        .sum()
}

/// ECG voltage (mV) at simulated time `t_s`, `since_r_s` after the last R wave of a beat of
/// RR `rr_s`.
pub fn ecg_mv(kind: RhythmKind, t_s: f64, since_r_s: f64, rr_s: f64) -> f64 {
    match kind {
        RhythmKind::Asystole => 0.0,
        RhythmKind::Vf => VF_WAVES
            .iter()
            .map(|&(a, f, phase)| a * (std::f64::consts::TAU * f * t_s + phase).sin())
            .sum(),
        RhythmKind::Sinus | RhythmKind::Paced => {
            let waves: &[(f64, f64, f64)] = if kind == RhythmKind::Sinus {
                &SINUS_WAVES
            } else {
                &PACED_WAVES
            };
            if !rr_s.is_finite() {
                return 0.0;
            }
            let scale = rr_s.sqrt();
            // This beat's waves and the next beat's P wave (before its R).
            gaussians(waves, since_r_s, scale) + gaussians(waves, since_r_s - rr_s, scale)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_r_wave_peaks_at_the_r_wave_and_rhythms_differ() {
        let r = ecg_mv(RhythmKind::Sinus, 0.0, 0.0, 1.0);
        assert!((r - 1.2).abs() < 0.05);
        assert!(ecg_mv(RhythmKind::Sinus, 0.5, 0.5, 1.0).abs() < 0.1);
        assert_eq!(ecg_mv(RhythmKind::Asystole, 3.0, 0.2, 1.0), 0.0);
        let vf: Vec<f64> = (0..100)
            .map(|i| ecg_mv(RhythmKind::Vf, i as f64 * 0.01, 0.0, 1.0))
            .collect();
        assert!(vf.iter().any(|v| *v > 0.3) && vf.iter().any(|v| *v < -0.3));
        assert!(
            ecg_mv(RhythmKind::Paced, 0.0, 0.0, 1.0) > ecg_mv(RhythmKind::Sinus, 0.0, 0.0, 1.0),
            "pacing spike"
        );
        // The wide paced complex outlasts the narrow sinus one.
        assert!(ecg_mv(RhythmKind::Paced, 0.1, 0.1, 1.0) > 0.3);
        assert!(ecg_mv(RhythmKind::Sinus, 0.1, 0.1, 1.0).abs() < 0.05);
    }
}
