//! What a monitor shows over several beats: means of the latest run of beats (never mixing
//! beats with windows without them), SpO2 where a pleth can be read, and the IABP console's
//! readings from the arterial line.

use super::*;

/// How many of the last `n` of `beats` (oldest first) belong to the latest run of one kind:
/// beats, or windows without beats. A monitor's means never mix the two, so after an arrest no
/// beat from before it shows, and after a return of rhythm no arrest window does.
pub fn latest_run<'a>(beats: impl DoubleEndedIterator<Item = &'a Beat>, n: usize) -> usize {
    let mut beats = beats.rev().take(n).peekable();
    let Some(kind) = beats.peek().map(|b| b.beating) else {
        return 0;
    };
    beats.take_while(|b| b.beating == kind).count()
}

/// Means of the last `n` or fewer of `beats` (oldest first) of the latest run of one kind
/// (see [`latest_run`]); `None` without beats.
pub fn latest_means(beats: &VecDeque<Beat>, n: usize) -> Option<BeatMeans> {
    let run = latest_run(beats.iter(), n);
    (run > 0).then(|| BeatMeans::of(beats.range(beats.len() - run..)))
}

/// Pulse pressure a pulse oximeter needs to find a pleth to read (an assumption: no published
/// threshold; oximeters fail when "pulsations are weak or absent", as on continuous-flow
/// support: docs/MODEL.md, "Measurements").
pub const PLETH_MIN_PULSE_PRESSURE_MMHG: f64 = 5.0;

/// SpO2 at the right hand: the upper-body saturation, read only over a pulsatile radial pleth.
pub fn spo2_upper_pct(b: &Beat) -> Option<f64> {
    (b.pulse_pressure_mmhg >= PLETH_MIN_PULSE_PRESSURE_MMHG).then_some(b.sao2_upper_pct)
}

/// SpO2 at a foot: the lower-body saturation over a pulsatile femoral pleth.
pub fn spo2_lower_pct(b: &Beat) -> Option<f64> {
    (b.sbp_lower_mmhg - b.dbp_lower_mmhg >= PLETH_MIN_PULSE_PRESSURE_MMHG)
        .then_some(b.sao2_lower_pct)
}

/// Mean of per-beat indicators over several beats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BeatMeans {
    pub beats: usize,
    pub mean: Beat,
    pub av_opening_pct: f64,
}

/// Indicators that are rates or time averages (flows, mean pressures, O2 use, saturations,
/// shares of time): averaged over time, each beat weighted by its length, so that in an
/// irregular rhythm the output is the blood actually moved per minute (a mean of per-beat
/// outputs over-weights the short beats). The others are per-beat quantities (stroke volume,
/// extremes, end-diastolic values), averaged per beat; heart rate is beats over their time.
const TIME_AVERAGED: [&str; 25] = [
    "map_mmhg",
    "map_lower_mmhg",
    "cvp_mmhg",
    "pap_mean_mmhg",
    "pcwp_mmhg",
    "native_co_l_min",
    "mvo2_ml_min",
    "cpo_w",
    "cpo_total_w",
    "ecmo_flow_l_min",
    "ecmo_rpm",
    "ecmo_inlet_mmhg",
    "ecmo_collapse_pct",
    "vent_flow_l_min",
    "septostomy_flow_l_min",
    "impella_flow_l_min",
    "impella_suction_pct",
    "total_flow_l_min",
    "ci_l_min_m2",
    "svr_dyn_s_cm5",
    "pvr_dyn_s_cm5",
    "pulmonary_capillary_mmhg",
    "sao2_upper_pct",
    "sao2_lower_pct",
    "svo2_pct",
];

/// Per averaged indicator: is it averaged over time ([`TIME_AVERAGED`])?
const BY_TIME: [bool; AVERAGED] = {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut out = [false; AVERAGED];
    let mut found = 0;
    let mut i = 0;
    while i < AVERAGED {
        let mut j = 0;
        while j < TIME_AVERAGED.len() {
            if same(AVERAGED_NAMES[i], TIME_AVERAGED[j]) {
                out[i] = true;
                found += 1;
            }
            j += 1;
        }
        i += 1;
    }
    // Every name in the list is an indicator (a renamed one would silently drop out).
    assert!(found == TIME_AVERAGED.len());
    out
};

impl BeatMeans {
    pub fn of<'a>(beats: impl Iterator<Item = &'a Beat>) -> Self {
        let mut n = 0usize;
        let mut sum = [0.0; AVERAGED];
        let mut timed = [0.0; AVERAGED];
        let (mut t_start, mut duration) = (0.0, 0.0);
        let (mut opened, mut beating) = (0usize, 0usize);
        for b in beats {
            n += 1;
            for ((s, t), x) in sum.iter_mut().zip(timed.iter_mut()).zip(b.averaged()) {
                *s += x;
                *t += x * b.duration_s;
            }
            t_start += b.t_start_s;
            duration += b.duration_s;
            opened += usize::from(b.av_opened);
            beating += usize::from(b.beating);
        }
        let nf = n as f64;
        let averaged: [f64; AVERAGED] = std::array::from_fn(|k| {
            if BY_TIME[k] && duration > 0.0 {
                timed[k] / duration
            } else {
                sum[k] / nf
            }
        });
        let mut mean = Beat {
            t_start_s: t_start / nf,
            duration_s: duration / nf,
            av_opened: opened * 2 >= n,
            beating: beating * 2 >= n,
            ..Beat::default()
        }
        .with_averaged(averaged);
        if mean.beating && duration > 0.0 {
            mean.hr_bpm = bpm_from_period_s(duration / nf);
        }
        // A resistance over several beats is the ratio of their mean pressure drop and flow,
        // as a clinician computes it; a mean of beat ratios over-reads alternating beats (IABP
        // 1:2: 1010 and 2340 averaged to 1677 where the means give 1465).
        mean.svr_dyn_s_cm5 =
            resistance_or_nan(mean.map_mmhg - mean.cvp_mmhg, mean.total_flow_l_min);
        BeatMeans {
            beats: n,
            mean,
            av_opening_pct: 100.0 * opened as f64 / nf,
        }
    }
}

/// What an IABP console shows, from the arterial line, over a run of beats.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IabpReadings {
    /// Augmented diastolic peak of the assisted diastoles.
    pub iabp_peak_diastolic_mmhg: Option<f64>,
    /// Balloon-assisted end-diastolic pressure (the dip before the next systole).
    pub iabp_aedp_mmhg: Option<f64>,
    /// Unassisted end-diastolic pressure (1:2, 1:3).
    pub iabp_uaedp_mmhg: Option<f64>,
    /// Systolic pressure after an assisted diastole.
    pub iabp_assisted_systolic_mmhg: Option<f64>,
    /// Systolic pressure after an unassisted diastole (1:2, 1:3).
    pub iabp_unassisted_systolic_mmhg: Option<f64>,
}

impl IabpReadings {
    pub fn of<'a>(beats: impl Iterator<Item = &'a Beat>) -> Self {
        let mean = |xs: &[f64]| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
        let (mut peak, mut aedp, mut uaedp, mut asys, mut usys) =
            (vec![], vec![], vec![], vec![], vec![]);
        // Null exactly when there is nothing to read: no augmentation without an assisted
        // diastole, no systole without ejection, no end-diastole without a beat to end it (a
        // window of VF or asystole shows only what a balloon pumping on its own clock makes).
        // Over a heart that does not eject, a beat's end-diastolic pressure is its lowest.
        for b in beats {
            if b.iabp_assisted {
                peak.push(b.diastolic_peak_mmhg);
            }
            if !b.beating {
                if b.iabp_assisted {
                    aedp.push(b.central_edp_mmhg);
                }
                continue;
            }
            let (edp, sys) = if b.after_assisted {
                (&mut aedp, &mut asys)
            } else {
                (&mut uaedp, &mut usys)
            };
            edp.push(b.central_edp_mmhg);
            if b.av_opened {
                sys.push(b.central_sbp_mmhg);
            }
        }
        Self {
            iabp_peak_diastolic_mmhg: mean(&peak),
            iabp_aedp_mmhg: mean(&aedp),
            iabp_uaedp_mmhg: mean(&uaedp),
            iabp_assisted_systolic_mmhg: mean(&asys),
            iabp_unassisted_systolic_mmhg: mean(&usys),
        }
    }
}
