//! Intra-aortic balloon pump: a gas balloon in the descending thoracic aorta. Its volume is
//! added to the descending aorta's blood when that compartment's pressure is computed, so
//! inflation displaces blood toward the arch and root in diastole (augmentation, coronary
//! perfusion) and deflation leaves a void just before systole (afterload reduction). Nothing is
//! scripted: the waveforms, and the harm of timing errors, follow from the pressures and flows.
//!
//! The console times the balloon as a real one does. It triggers on the ECG R wave or on the
//! arterial upstroke, learns from the last beat how long after the trigger the dicrotic notch
//! (aortic valve closure) and the upstroke come and how long the beat lasts, then inflates at the
//! predicted notch plus `inflate_offset_ms` and deflates so the balloon is empty at the predicted
//! next trigger, plus `deflate_offset_ms` (0 = correctly timed, negative = earlier). It assists
//! every beat, every second or every third (`ratio`).

use crate::units::s_from_ms;
use serde::{Deserialize, Serialize};

/// Gas shuttle time of inflation and of deflation (the 50-100 ms ramp; consoles move
/// helium in about 80-100 ms, T).
pub const INFLATION_S: f64 = 0.08;
pub const DEFLATION_S: f64 = 0.08;
/// Before the console has seen a beat it assumes this trigger-to-notch interval.
const DEFAULT_NOTCH_DELAY_S: f64 = 0.35;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The ECG R wave.
    #[default]
    Ecg,
    /// The upstroke of the arterial pressure (aortic valve opening).
    Pressure,
}

/// IABP settings (`iabp.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Iabp {
    pub enabled: bool,
    /// Assist 1 beat in `ratio` (1, 2 or 3).
    pub ratio: u8,
    pub volume_ml: f64,
    pub inflate_offset_ms: f64,
    pub deflate_offset_ms: f64,
    pub trigger: Trigger,
}

impl Default for Iabp {
    fn default() -> Self {
        Self {
            enabled: false,
            ratio: 1,
            volume_ml: 40.0,
            inflate_offset_ms: 0.0,
            deflate_offset_ms: 0.0,
            trigger: Trigger::Ecg,
        }
    }
}

/// What the console senses each step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Senses {
    pub r_wave: bool,
    /// The aortic valve opened (arterial upstroke) or closed (dicrotic notch) at this step.
    pub av_opened: bool,
    pub av_closed: bool,
}

/// The console and its balloon.
#[derive(Clone, Debug, Default)]
pub struct IabpConsole {
    settings: Iabp,
    /// Console clock.
    t_s: f64,
    last_trigger_s: f64,
    /// Learned from the last beat: trigger to notch.
    notch_delay_s: f64,
    period_s: f64,
    seen_beat: bool,
    triggers: u64,
    /// Inflation windows (start, end of inflation) of the previous and the current beat: a late
    /// deflation keeps the previous beat's balloon up into the next systole.
    windows: [(f64, f64); 2],
    /// Balloon gas volume.
    pub volume_ml: f64,
}

impl IabpConsole {
    pub fn configure(&mut self, s: &Iabp) {
        self.settings = s.clone();
        if !s.enabled {
            *self = IabpConsole {
                settings: s.clone(),
                ..Default::default()
            };
        }
    }

    /// Advance one step; returns the balloon volume.
    #[inline]
    pub fn step(&mut self, senses: Senses, dt_s: f64) -> f64 {
        if !self.settings.enabled {
            return 0.0;
        }
        let trigger = match self.settings.trigger {
            Trigger::Ecg => senses.r_wave,
            Trigger::Pressure => senses.av_opened,
        };
        // Learn the notch from beats the balloon did not touch (an early inflation closes the
        // valve early, and learning from it would run the timing away), or before assisting.
        let touched = self.windows[1].0.is_finite() && self.t_s >= self.windows[1].0;
        if senses.av_closed && self.triggers > 0 && (!touched || self.notch_delay_s == 0.0) {
            self.notch_delay_s = self.t_s - self.last_trigger_s;
        }

        if trigger {
            if self.triggers > 0 {
                self.period_s = self.t_s - self.last_trigger_s;
                self.seen_beat = true;
            }
            self.triggers += 1;
            self.last_trigger_s = self.t_s;
            self.plan_beat();
        }
        self.volume_ml = self.balloon_volume(dt_s);
        self.t_s += dt_s;
        self.volume_ml
    }

    /// Plan this beat's inflation from what the last beat taught.
    fn plan_beat(&mut self) {
        let ratio = u64::from(self.settings.ratio.max(1));
        let assisted = self.seen_beat && (self.triggers - 1).is_multiple_of(ratio);
        let notch = if self.notch_delay_s > 0.0 {
            self.notch_delay_s
        } else {
            DEFAULT_NOTCH_DELAY_S
        };
        let t0 = self.last_trigger_s;
        let inflate = t0 + notch + s_from_ms(self.settings.inflate_offset_ms);
        // Empty at the predicted next trigger, before the ventricle ejects: deflation starts one
        // shuttle time earlier. (Deflating later, into isovolumic contraction, leaves gas in the
        // aorta when the valve opens in this model: a late-deflation pattern.)
        let deflate = t0 + self.period_s - DEFLATION_S + s_from_ms(self.settings.deflate_offset_ms);
        self.windows[0] = self.windows[1];
        self.windows[1] = if assisted {
            (inflate, deflate)
        } else {
            (f64::INFINITY, f64::INFINITY)
        };
    }

    /// The balloon follows the plan, moving gas at the shuttle rate.
    fn balloon_volume(&self, dt_s: f64) -> f64 {
        let target = self.settings.volume_ml;
        let t = self.t_s;
        let inflating = self.windows.iter().any(|&(on, off)| t >= on && t < off);
        if inflating {
            (self.volume_ml + target * dt_s / INFLATION_S).min(target)
        } else {
            (self.volume_ml - target * dt_s / DEFLATION_S).max(0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drive the console with a regular rhythm: R wave at 0, AV opening at 60 ms, closing at
    /// 360 ms, RR 800 ms. Returns the balloon volume over `beats` beats (1 ms steps).
    fn drive(s: Iabp, beats: usize) -> Vec<f64> {
        let mut c = IabpConsole::default();
        c.configure(&s);
        let dt = 1e-3;
        let mut out = Vec::new();
        for k in 0..beats * 800 {
            let t = k % 800;
            let senses = Senses {
                r_wave: t == 0,
                av_opened: t == 60,
                av_closed: t == 360,
            };
            out.push(c.step(senses, dt));
        }
        out
    }

    #[test]
    fn inflates_at_the_notch_and_is_empty_by_the_next_r_wave() {
        let v = drive(
            Iabp {
                enabled: true,
                ..Iabp::default()
            },
            6,
        );
        let beat = &v[4 * 800..5 * 800];
        assert_eq!(beat[355], 0.0, "still empty just before the notch");
        assert!(beat[365] > 0.0, "inflating just after the notch");
        assert!((beat[500] - 40.0).abs() < 1e-9, "full in diastole");
        assert!(beat[799] < 1.0, "empty at the next R wave");
        assert!(
            beat[700] > 39.0,
            "deflation starts one shuttle time before the R wave"
        );
    }

    #[test]
    fn ratio_two_assists_every_other_beat_and_offsets_shift_timing() {
        let v = drive(
            Iabp {
                enabled: true,
                ratio: 2,
                ..Iabp::default()
            },
            8,
        );
        let full = |b: usize| v[b * 800 + 500] > 39.0;
        assert_ne!(full(4), full(5));
        assert_eq!(full(4), full(6));
        let early = drive(
            Iabp {
                enabled: true,
                inflate_offset_ms: -100.0,
                ..Iabp::default()
            },
            6,
        );
        assert!(
            early[4 * 800 + 300] > 0.0,
            "early inflation starts in systole"
        );
        let late = drive(
            Iabp {
                enabled: true,
                deflate_offset_ms: 100.0,
                ..Iabp::default()
            },
            6,
        );
        assert!(
            late[5 * 800 + 50] > 10.0,
            "late deflation: balloon still full in the next systole"
        );
    }

    #[test]
    fn pressure_trigger_times_from_the_upstroke() {
        let v = drive(
            Iabp {
                enabled: true,
                trigger: Trigger::Pressure,
                ..Iabp::default()
            },
            6,
        );
        // The notch is 300 ms after the upstroke; inflation follows it.
        assert!(v[4 * 800 + 355] == 0.0 && v[4 * 800 + 370] > 0.0);
    }
}
