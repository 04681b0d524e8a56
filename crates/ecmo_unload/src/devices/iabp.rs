//! Intra-aortic balloon pump: a gas balloon in the descending thoracic aorta, a segment of its
//! own between the arch and the abdominal aorta (docs/MODEL.md, "Intra-aortic balloon pump").
//! Its gas volume is added to that segment's blood when its pressure is computed, so inflation
//! pushes blood toward the arch and root (augmentation, coronary perfusion) and toward the legs,
//! and deflation leaves a void that the blood around it refills. Nothing is scripted: the
//! waveforms and the harm of timing errors follow from the pressures and flows.
//!
//! The console times the balloon as a real one does. It triggers on the ECG R wave, the
//! arterial upstroke, the ventricular pacing spike, the R wave with R-wave deflation (atrial
//! fibrillation), or its own clock (internal, for arrest and CPR). From the rate it first
//! estimates when the dicrotic notch and the next upstroke come (electromechanical systole,
//! QS2, and the pre-ejection period); it then refines both from the aortic valve's closing and
//! opening it senses. It inflates at the predicted notch plus `inflate_offset_ms` and deflates
//! just before the predicted next upstroke (aortic valve opening) plus `deflate_offset_ms`. It
//! assists every beat, every second or every third (`ratio`). Settings that make no sense
//! (deflation before the balloon has filled, inflation before it emptied) are clamped and
//! reported, as a console does.

use crate::units::{bpm_from_period_s, period_s_from_bpm, s_from_ms};
use serde::{Deserialize, Serialize};

/// Gas shuttle: the balloon moves 95 % of its gas in these times (consoles inflate and deflate
/// in about 80-100 ms, T). The gas flows through the line as through a resistance into a
/// compliant balloon, so the volume follows an exponential with time constant
/// shuttle / [`SHUTTLE_TIME_CONSTANTS`].
pub const INFLATION_S: f64 = 0.08;
pub const DEFLATION_S: f64 = 0.08;
/// ln(20) = 3.0: three time constants move 95 % of the gas.
pub const SHUTTLE_TIME_CONSTANTS: f64 = 3.0;
const INFLATION_RATE_PER_S: f64 = SHUTTLE_TIME_CONSTANTS / INFLATION_S;
const DEFLATION_RATE_PER_S: f64 = SHUTTLE_TIME_CONSTANTS / DEFLATION_S;
/// Gas closer than this to its goal has arrived (the exponential never quite does).
const ARRIVED_ML: f64 = 0.01;

/// Electromechanical systole (Q to the aortic second sound) from the heart rate, resting adult
/// men: QS2 = 541 ms - 2.2 ms/bpm x HR (Chest 1981;80:613). The console's first estimate of the
/// dicrotic notch after the R wave.
pub const QS2_INTERCEPT_MS: f64 = 541.0;
pub const QS2_SLOPE_MS_PER_BPM: f64 = 2.2;
/// The regression is fitted at resting rates; beyond about 180/min it would fall below this.
pub const QS2_MIN_MS: f64 = 150.0;
/// Pre-ejection period over ejection time in adults, 0.345 (Weissler's normals, in Wanderman
/// et al., Circulation 1981;63:204): PEP = QS2 x 0.345 / 1.345, the first estimate of the
/// upstroke after the R wave.
pub const PEP_PER_LVET: f64 = 0.345;

/// The console begins to deflate this long before the predicted upstroke, so that the dip the
/// void leaves (the assisted end-diastolic pressure) is deepest at the root as the valve opens:
/// most of the gas leaves in the first half of the shuttle, and the dip takes some 40 ms to reach
/// the root (T: deflation "just before the upstroke", at the lowest AEDP).
pub const DEFLATION_LEAD_S: f64 = 0.04;
/// No trigger for this long is a trigger loss: the console stops pumping and alarms (T).
pub const TRIGGER_LOSS_S: f64 = 3.0;
/// An inflation that reached less than this share of the set volume is low augmentation.
pub const LOW_FILL_FRACTION: f64 = 0.5;
/// Balloon (gas line) pressure: the baseline of an empty balloon (10-15 mmHg, Deranged
/// Physiology, "IABP balloon pressure waveform"), and the line's resistance to gas flow, which
/// makes the inflation overshoot and the deflation undershoot around the plateau (the aortic
/// pressure around the balloon): about 100 mmHg at the shuttle's peak flow (T, console figures).
pub const BALLOON_BASELINE_MMHG: f64 = 12.0;
pub const GAS_LINE_R_MMHG_S_PER_ML: f64 = 0.07;

/// A valve closing after inflation began means the inflation was early (and may have shut the
/// valve): the console moves its inflation later by this much each beat until the notch shows.
const NOTCH_SEARCH_STEP_S: f64 = 0.01;
/// The valve must have been open this long for its closure to be the dicrotic notch: shorter
/// is a flutter (adult LVET is some 150 ms even at 200/min; Chest 1981;80:613 and section 7b).
const MIN_EJECTION_S: f64 = 0.08;
/// A trigger interval this many times the last one is a missed trigger.
const MISSED_TRIGGER_FACTOR: f64 = 1.6;
/// The least diastole worth inflating in: the balloon half fills in it.
const MIN_DIASTOLE_S: f64 = INFLATION_S / 2.0;
/// A closure this close to the inflation onset is the natural notch the inflation was timed on.
const NATURAL_CLOSURE_TOLERANCE_S: f64 = 0.002;

#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::VariantNames,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Trigger {
    /// The ECG R wave.
    #[default]
    #[strum(message = "ECG trigger")]
    Ecg,
    /// The upstroke of the arterial pressure (aortic valve opening).
    #[strum(message = "Pressure trigger")]
    Pressure,
    /// The ventricular pacing spike (a paced rhythm only).
    #[strum(message = "Pacer trigger")]
    Pacer,
    /// The R wave, deflating on each R wave (atrial fibrillation: the next beat cannot be
    /// predicted).
    #[strum(message = "AF trigger")]
    Af,
    /// The console's own clock at `internal_rate_bpm`, asynchronous (arrest, CPR).
    #[strum(message = "Internal trigger")]
    Internal,
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
    /// Rate of the internal trigger.
    pub internal_rate_bpm: f64,
}

/// Internal trigger rate by default (T: consoles' usual 80/min).
pub const INTERNAL_RATE_BPM: f64 = 80.0;

impl Default for Iabp {
    fn default() -> Self {
        Self {
            enabled: false,
            ratio: 1,
            volume_ml: 40.0,
            inflate_offset_ms: 0.0,
            deflate_offset_ms: 0.0,
            trigger: Trigger::Ecg,
            internal_rate_bpm: INTERNAL_RATE_BPM,
        }
    }
}

/// What the console senses each step.
#[derive(Clone, Copy, Debug, Default)]
pub struct Senses {
    pub r_wave: bool,
    /// A ventricular pacing spike (the R wave of a paced beat).
    pub pacer_spike: bool,
    /// The aortic valve opened (arterial upstroke) or closed (dicrotic notch) at this step.
    pub av_opened: bool,
    pub av_closed: bool,
}

/// What the console reports besides the balloon (its alarms read these).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConsoleStatus {
    /// No trigger for [`TRIGGER_LOSS_S`]: the balloon is not pumping.
    pub trigger_lost: bool,
    /// The last plan's timing was clamped (the settings overlapped).
    pub clamped: bool,
    /// The last plan found no diastole to inflate in (the rate is too fast for the timing).
    pub no_diastole: bool,
    /// Share of the set volume the last completed inflation reached.
    pub fill_fraction: Option<f64>,
}

/// The console and its balloon.
#[derive(Clone, Debug)]
pub struct IabpConsole {
    settings: Iabp,
    /// Console clock.
    t_s: f64,
    last_trigger_s: f64,
    /// The last trigger, or the moment pumping was asked for (trigger loss runs from it).
    armed_s: f64,
    period_s: f64,
    /// Triggers seen since the trigger source last changed.
    triggers: u64,
    next_internal_s: f64,
    /// Learned trigger-to-notch delay and the beat period it was learned at (scaled to the
    /// current period as the QT interval scales, Bazett); the delay used in this beat's plan.
    notch_delay_s: Option<f64>,
    notch_period_s: f64,
    planned_notch_s: f64,
    /// Learned trigger-to-upstroke delay (pre-ejection period, ECG-type triggers), from the
    /// beat's first opening; when the valve last opened.
    upstroke_delay_s: Option<f64>,
    first_opening: bool,
    opened_s: f64,
    /// The last trigger interval was a missed trigger's.
    long_before: bool,
    /// AF: the valve opened before the predicted notch; inflation waits for its closure.
    awaiting_notch: bool,
    /// The ECG's last R wave and R-R interval (0 without an ECG rhythm).
    last_r_s: f64,
    ecg_rr_s: f64,
    /// Inflation windows (start of inflation, start of deflation) of the previous and the
    /// current beat: a late deflation keeps the previous beat's balloon up into the next systole.
    windows: [(f64, f64); 2],
    inflating: bool,
    status: ConsoleStatus,
    /// Triggers acted on since the console was made (the display's trigger marks).
    pub triggers_total: u64,
    /// Balloon gas volume and its rate of change over the last step.
    pub volume_ml: f64,
    gas_ml_s: f64,
}

const NO_WINDOW: (f64, f64) = (f64::INFINITY, f64::INFINITY);

impl Default for IabpConsole {
    fn default() -> Self {
        Self {
            settings: Iabp::default(),
            t_s: 0.0,
            last_trigger_s: f64::NEG_INFINITY,
            armed_s: 0.0,
            period_s: 0.0,
            triggers: 0,
            next_internal_s: 0.0,
            notch_delay_s: None,
            notch_period_s: 0.0,
            planned_notch_s: 0.0,
            upstroke_delay_s: None,
            first_opening: true,
            opened_s: f64::NEG_INFINITY,
            long_before: false,
            awaiting_notch: false,
            last_r_s: f64::NEG_INFINITY,
            ecg_rr_s: 0.0,
            windows: [NO_WINDOW; 2],
            inflating: false,
            status: ConsoleStatus::default(),
            triggers_total: 0,
            volume_ml: 0.0,
            gas_ml_s: 0.0,
        }
    }
}

/// The console's estimates from the rate alone: (trigger to notch, trigger to upstroke).
pub fn estimated_delays_s(period_s: f64, trigger: Trigger) -> (f64, f64) {
    let hr = bpm_from_period_s(period_s);
    let qs2 = s_from_ms((QS2_INTERCEPT_MS - QS2_SLOPE_MS_PER_BPM * hr).max(QS2_MIN_MS));
    let pep = qs2 * PEP_PER_LVET / (1.0 + PEP_PER_LVET);
    match trigger {
        // The upstroke is the trigger: the notch comes one ejection time later.
        Trigger::Pressure => (qs2 - pep, 0.0),
        _ => (qs2, pep),
    }
}

impl IabpConsole {
    /// Take up new settings. The balloon's gas is kept (it empties at the shuttle rate if the
    /// pump is switched off); a new trigger source restarts the timing.
    pub fn configure(&mut self, s: &Iabp) {
        let switched_on = s.enabled && !self.settings.enabled;
        if s.trigger != self.settings.trigger || s.enabled != self.settings.enabled {
            self.triggers = 0;
            self.period_s = 0.0;
            self.notch_delay_s = None;
            self.upstroke_delay_s = None;
            self.windows = [NO_WINDOW; 2];
            self.armed_s = self.t_s;
            self.next_internal_s = self.t_s;
            self.status = ConsoleStatus::default();
        }
        if switched_on {
            self.armed_s = self.t_s;
        }
        self.settings = s.clone();
    }

    pub fn status(&self) -> ConsoleStatus {
        self.status
    }

    /// Advance one step; returns the balloon volume.
    #[inline]
    pub fn step(&mut self, senses: Senses, dt_s: f64) -> f64 {
        if self.settings.enabled {
            self.sense(senses);
        } else if self.volume_ml == 0.0 {
            // Off and empty: nothing moves (the common case, kept cheap).
            self.t_s += dt_s;
            return 0.0;
        }
        let goal = if self.settings.enabled && self.inflated_now() {
            self.settings.volume_ml
        } else {
            0.0
        };
        let inflating = goal > 0.0;
        if self.inflating && !inflating {
            // Deflation begins: how full did this inflation get?
            self.status.fill_fraction = Some(self.volume_ml / self.settings.volume_ml);
        }
        self.inflating = inflating;
        let rate = if goal > self.volume_ml {
            INFLATION_RATE_PER_S
        } else {
            DEFLATION_RATE_PER_S
        };
        let before = self.volume_ml;
        let gap = goal - before;
        if gap.abs() <= ARRIVED_ML {
            // The last wisp settling is not a flow the line's pressure shows.
            self.volume_ml = goal;
            self.gas_ml_s = 0.0;
        } else {
            // The exponential over the step (dt is far below its time constant).
            self.volume_ml = before + gap * (rate * dt_s).min(1.0);
            self.gas_ml_s = (self.volume_ml - before) / dt_s;
        }
        self.t_s += dt_s;
        self.volume_ml
    }

    /// The gas line's (console's) pressure, given the blood pressure around the balloon: the
    /// pressure the membrane passes on (the aorta's around a full balloon, the baseline's around
    /// a collapsed one, in proportion between) plus the line's drop that drives the gas (the
    /// overshoot filling, the undershoot emptying). Only a display reads it, so it is worked out
    /// when asked, not every step.
    pub fn pressure_mmhg(&self, aortic_mmhg: f64) -> f64 {
        let full = (self.volume_ml / self.settings.volume_ml).clamp(0.0, 1.0);
        BALLOON_BASELINE_MMHG
            + full * (aortic_mmhg - BALLOON_BASELINE_MMHG)
            + GAS_LINE_R_MMHG_S_PER_ML * self.gas_ml_s
    }

    fn inflated_now(&self) -> bool {
        let t = self.t_s;
        self.windows.iter().any(|&(on, off)| t >= on && t < off)
    }

    fn sense(&mut self, senses: Senses) {
        let trigger = match self.settings.trigger {
            Trigger::Ecg | Trigger::Af => senses.r_wave,
            Trigger::Pressure => senses.av_opened,
            Trigger::Pacer => senses.pacer_spike,
            Trigger::Internal => self.t_s >= self.next_internal_s,
        };
        if senses.r_wave {
            self.ecg_rr_s = if self.t_s - self.last_r_s < TRIGGER_LOSS_S {
                self.t_s - self.last_r_s
            } else {
                0.0
            };
            self.last_r_s = self.t_s;
        } else if self.t_s - self.last_r_s > TRIGGER_LOSS_S {
            self.ecg_rr_s = 0.0;
        }
        self.learn(senses);
        if self.settings.trigger == Trigger::Af {
            self.inflate_on_the_sensed_notch(senses);
        }
        if trigger {
            self.on_trigger();
        }
        let internal = self.settings.trigger == Trigger::Internal;
        if !internal && self.t_s - self.armed_s > TRIGGER_LOSS_S {
            // A console stops pumping without a trigger (the balloon deflates and stays so).
            self.status.trigger_lost = true;
            self.status.fill_fraction = None;
            self.windows = [NO_WINDOW; 2];
            self.triggers = 0;
            self.period_s = 0.0;
        }
    }

    /// Refine the notch and upstroke from the aortic valve's closing and opening.
    fn learn(&mut self, senses: Senses) {
        let learns = self.triggers > 0 && self.settings.trigger != Trigger::Internal;
        if !learns {
            return;
        }
        let delay = self.t_s - self.last_trigger_s;
        if senses.av_opened {
            self.opened_s = self.t_s;
        }
        // The notch is the closure of this beat's ejection, not the last beat's (ending after
        // this R wave at fast rates).
        if senses.av_closed && self.opened_s >= self.last_trigger_s {
            let (on, _) = self.windows[1];
            if !on.is_finite() || self.t_s <= on + NATURAL_CLOSURE_TOLERANCE_S {
                // The balloon did not touch this closure: it is the real notch, unless the valve
                // was open for less than a minimal ejection (a balloon's dip can crack it open
                // in diastole: a flutter).
                if self.t_s - self.opened_s >= MIN_EJECTION_S {
                    self.notch_delay_s = Some(delay);
                    self.notch_period_s = self.period_s;
                }
            } else if self.settings.inflate_offset_ms >= 0.0 {
                // The valve shut after an inflation timed at (or after) the estimated notch: the
                // estimate is early, and the inflation may have forced the closure. Search later.
                // (With an operator's early offset, closing after inflation is the intended
                // teaching error: nothing to learn.)
                self.notch_delay_s = Some(self.planned_notch_s + NOTCH_SEARCH_STEP_S);
                self.notch_period_s = self.period_s;
            }
        }
        // The upstroke after an ECG-type trigger is the pre-ejection period. An operator's late
        // deflation holds the valve shut longer: that is the error taught, not the heart's timing.
        let ecg_type = self.settings.trigger != Trigger::Pressure;
        if senses.av_opened
            && ecg_type
            && self.first_opening
            && self.settings.deflate_offset_ms <= 0.0
            && (self.period_s <= 0.0 || delay < self.period_s)
        {
            self.upstroke_delay_s = Some(delay);
        }
        if senses.av_opened {
            self.first_opening = false;
        }
    }

    /// In AF no beat's length can be predicted, so neither can its notch: the console inflates
    /// on the closure it senses (plus a later offset), and not while the valve is open.
    fn inflate_on_the_sensed_notch(&mut self, senses: Senses) {
        let (on, off) = self.windows[1];
        if senses.av_opened && on > self.t_s && off.is_finite() {
            self.windows[1].0 = f64::INFINITY;
            self.awaiting_notch = true;
        }
        if senses.av_closed && self.awaiting_notch {
            self.windows[1].0 = self.t_s + s_from_ms(self.settings.inflate_offset_ms.max(0.0));
            self.awaiting_notch = false;
        }
    }

    fn on_trigger(&mut self) {
        let t0 = self.t_s;
        let internal = self.settings.trigger == Trigger::Internal;
        if internal {
            self.period_s = period_s_from_bpm(self.settings.internal_rate_bpm);
            self.next_internal_s = t0 + self.period_s;
        } else if self.settings.trigger == Trigger::Pressure && self.ecg_rr_s > 0.0 {
            // The console shows the ECG beside the pressure it triggers on: its rate is the
            // heart's even when a beat's upstroke fails to come.
            self.period_s = self.ecg_rr_s;
        } else if self.triggers > 0 {
            // An interval far longer than the last is a missed trigger (an upstroke the balloon
            // blocked, a dropped R wave): planning on it would hold the balloon up across the
            // next systole and block that one too. Two in a row are a slower heart.
            let interval = t0 - self.last_trigger_s;
            let long = self.period_s > 0.0 && interval > MISSED_TRIGGER_FACTOR * self.period_s;
            if !long || self.long_before {
                self.period_s = interval;
            }
            self.long_before = long;
        }
        self.triggers += 1;
        self.triggers_total += 1;
        self.first_opening = true;
        self.awaiting_notch = false;
        self.last_trigger_s = t0;
        self.armed_s = t0;
        self.status.trigger_lost = false;
        if !internal {
            // The beat the last plan predicted has come: its deflation is re-timed from this
            // trigger, earlier if the heart came early (a console deflates on the R wave it
            // sees; with a varying RR, a prediction from the last interval alone would leave
            // the balloon up into a short beat's systole). In AF it deflates at once.
            let deflate_at = match self.settings.trigger {
                Trigger::Af => t0,
                trigger => {
                    t0 + self.upstroke_delay(trigger) - DEFLATION_LEAD_S
                        + s_from_ms(self.settings.deflate_offset_ms)
                }
            };
            for w in &mut self.windows {
                w.1 = w.1.min(deflate_at);
            }
        }
        self.windows[0] = self.windows[1];
        self.windows[1] = self.plan_beat(t0);
    }

    /// Trigger to upstroke: learned from the valve after an R-wave-type trigger, else from the
    /// rate (zero when the upstroke is the trigger).
    fn upstroke_delay(&self, trigger: Trigger) -> f64 {
        let estimate = estimated_delays_s(self.period_s, trigger).1;
        match trigger {
            Trigger::Pressure | Trigger::Internal => estimate,
            _ => self.upstroke_delay_s.unwrap_or(estimate),
        }
    }

    /// This beat's inflation window from what the rate and earlier beats taught.
    fn plan_beat(&mut self, t0: f64) -> (f64, f64) {
        let ratio = u64::from(self.settings.ratio.max(1));
        if self.period_s <= 0.0 || !(self.triggers - 1).is_multiple_of(ratio) {
            return NO_WINDOW;
        }
        let trigger = self.settings.trigger;
        let (notch_estimate, _) = estimated_delays_s(self.period_s, trigger);
        let notch = match self.notch_delay_s {
            Some(d) if self.notch_period_s > 0.0 => {
                d * (self.period_s / self.notch_period_s).sqrt()
            }
            Some(d) => d,
            None => notch_estimate,
        };
        self.planned_notch_s = notch;
        let upstroke = self.upstroke_delay(trigger);
        // Offset-free timing: inflate at the notch; deflate just before the next upstroke (R-wave
        // deflation in AF: until the next R wave, which ends the window when it comes).
        let natural_on = t0 + notch;
        let natural_off = match trigger {
            Trigger::Af => t0 + TRIGGER_LOSS_S,
            _ => t0 + self.period_s + upstroke - DEFLATION_LEAD_S,
        };
        // Diastole runs from the notch to the next beat's contraction (its R wave; with the
        // upstroke trigger, one pre-ejection period before the next trigger). At very fast rates
        // the notch falls at the next R wave: no diastole to augment in.
        let next_contraction = match trigger {
            Trigger::Pressure => {
                // This upstroke's pre-ejection period, from the ECG's R wave before it.
                let since_r = t0 - self.last_r_s;
                let pep = if self.ecg_rr_s > 0.0 && since_r < self.period_s {
                    since_r
                } else {
                    estimated_delays_s(self.period_s, Trigger::Ecg).1
                };
                t0 + self.period_s - pep
            }
            _ => t0 + self.period_s,
        };
        self.status.no_diastole =
            natural_off <= natural_on || next_contraction - natural_on < MIN_DIASTOLE_S;
        if self.status.no_diastole {
            return NO_WINDOW;
        }
        let mut on = natural_on + s_from_ms(self.settings.inflate_offset_ms);
        let mut off = match trigger {
            Trigger::Af => natural_off,
            _ => natural_off + s_from_ms(self.settings.deflate_offset_ms),
        };
        // Clamps, as a console limits its timing controls. The balloon stays up at least a
        // shuttle time (or the whole diastole, if shorter): an inflation set so late that it
        // would run into the next systole comes back toward the notch, and a deflation set
        // before the balloon could fill waits for it. Inflation never starts before the valve
        // opens (before the trigger with the upstroke trigger) or before the last deflation is
        // done.
        let mut clamped = false;
        let shortest = INFLATION_S.min(natural_off - natural_on);
        if off - on < shortest && on > natural_on {
            on = natural_on.max(off - shortest);
            clamped = true;
        }
        if off - on < shortest {
            off = on + shortest;
            clamped = true;
        }
        let previous_deflation = self.windows[0].1;
        let mut earliest = t0 + upstroke;
        if previous_deflation.is_finite() {
            earliest = earliest.max(previous_deflation + DEFLATION_S);
        }
        if on < earliest {
            on = earliest;
            off = off.max(on + shortest);
            clamped = true;
        }
        self.status.clamped = clamped;
        (on, off)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regular test rhythm at ms `t` of its 800-ms beat: R wave at 0, aortic valve opening
    /// at 60 ms, closing at 360 ms.
    fn regular(t: usize) -> Senses {
        Senses {
            r_wave: t == 0,
            av_opened: t == 60,
            av_closed: t == 360,
            ..Senses::default()
        }
    }

    /// Drive a console set to `s` with the regular rhythm for `beats` beats (1 ms steps):
    /// the console after, and each step's balloon volume and gas-line pressure (aorta at 80).
    fn drive_console(s: Iabp, beats: usize) -> (IabpConsole, Vec<f64>, Vec<f64>) {
        let mut c = IabpConsole::default();
        c.configure(&s);
        let (mut volumes, mut pressures) = (Vec::new(), Vec::new());
        for k in 0..beats * 800 {
            volumes.push(c.step(regular(k % 800), 1e-3));
            pressures.push(c.pressure_mmhg(80.0));
        }
        (c, volumes, pressures)
    }

    /// The balloon volume over `beats` beats of the regular rhythm.
    fn drive(s: Iabp, beats: usize) -> Vec<f64> {
        drive_console(s, beats).1
    }

    fn on() -> Iabp {
        Iabp {
            enabled: true,
            ..Iabp::default()
        }
    }

    #[test]
    fn inflates_at_the_notch_and_deflates_into_the_next_upstroke() {
        let v = drive(on(), 6);
        let beat = &v[4 * 800..5 * 800];
        assert_eq!(beat[355], 0.0, "still empty just before the notch");
        assert!(beat[365] > 0.0, "inflating just after the notch");
        assert!((beat[600] - 40.0).abs() < 1e-6, "full in diastole");
        let next = &v[5 * 800..6 * 800];
        assert!(next[0] > 39.0, "still full at the R wave");
        assert!(next[60] < 0.25 * 40.0, "mostly empty as the valve opens");
        assert!(next[100] < 0.05 * 40.0, "empty early in ejection");
    }

    #[test]
    fn pumps_from_the_second_beat_on_the_rate_estimate_without_a_valve_to_learn_from() {
        let mut c = IabpConsole::default();
        c.configure(&on());
        let mut peak: f64 = 0.0;
        for k in 0..3 * 800_usize {
            // R waves only: a stone heart whose aortic valve never opens.
            let v = c.step(
                Senses {
                    r_wave: k.is_multiple_of(800),
                    ..Senses::default()
                },
                1e-3,
            );
            if k >= 800 {
                peak = peak.max(v);
            }
        }
        assert!(peak > 39.0, "{peak}");
        let (notch, upstroke) = estimated_delays_s(0.8, Trigger::Ecg);
        // HR 75: QS2 = 541 - 2.2 x 75 = 376 ms; PEP = 376 x 0.345 / 1.345 = 96.4 ms.
        assert!((notch - 0.376).abs() < 1e-6, "{notch}");
        assert!((upstroke - 0.0964).abs() < 1e-4, "{upstroke}");
    }

    #[test]
    fn ratio_two_assists_every_other_beat_and_offsets_shift_timing() {
        let v = drive(Iabp { ratio: 2, ..on() }, 8);
        let full = |b: usize| v[b * 800 + 600] > 39.0;
        assert_ne!(full(4), full(5));
        assert_eq!(full(4), full(6));
        let early = drive(
            Iabp {
                inflate_offset_ms: -100.0,
                ..on()
            },
            6,
        );
        assert!(
            early[4 * 800 + 300] > 0.0,
            "early inflation starts in systole"
        );
        let late = drive(
            Iabp {
                deflate_offset_ms: 100.0,
                ..on()
            },
            6,
        );
        assert!(
            late[5 * 800 + 100] > 30.0,
            "late deflation: balloon still full as the next systole ejects"
        );
    }

    #[test]
    fn nonsensical_offsets_are_clamped_and_reported() {
        let (c, v, _) = drive_console(
            Iabp {
                deflate_offset_ms: -300.0,
                inflate_offset_ms: 200.0,
                ..on()
            },
            6,
        );
        let peak = v[3 * 800 + 1..].iter().copied().fold(0.0, f64::max);
        assert!(c.status().clamped);
        assert!(peak > 0.9 * 40.0, "never a silently empty balloon: {peak}");
    }

    #[test]
    fn triggers_pacer_af_internal_and_trigger_loss() {
        let run = |s: Iabp, senses: &dyn Fn(usize) -> Senses, ms: usize| {
            let mut c = IabpConsole::default();
            c.configure(&s);
            let mut peak: f64 = 0.0;
            for k in 0..ms {
                let v = c.step(senses(k), 1e-3);
                if k + 1600 > ms {
                    peak = peak.max(v);
                }
            }
            (peak, c.status())
        };
        let paced = |k: usize| Senses {
            r_wave: k.is_multiple_of(800),
            pacer_spike: k.is_multiple_of(800),
            ..Senses::default()
        };
        let sinus = |k: usize| Senses {
            r_wave: k.is_multiple_of(800),
            ..Senses::default()
        };
        let silent = |_| Senses::default();
        let pacer = Iabp {
            trigger: Trigger::Pacer,
            ..on()
        };
        assert!(run(pacer.clone(), &paced, 8000).0 > 39.0);
        let (peak, status) = run(pacer, &sinus, 8000);
        assert!(peak == 0.0 && status.trigger_lost, "no spikes, no pumping");
        let (peak, status) = run(on(), &silent, 8000);
        assert!(peak == 0.0 && status.trigger_lost, "asystole on the ECG");
        let internal = Iabp {
            trigger: Trigger::Internal,
            ..on()
        };
        let (peak, status) = run(internal, &silent, 8000);
        assert!(
            peak > 39.0 && !status.trigger_lost,
            "internal pumps in asystole"
        );
        // AF: irregular R waves; the balloon is down at each R wave.
        let mut c = IabpConsole::default();
        c.configure(&Iabp {
            trigger: Trigger::Af,
            ..on()
        });
        let rr = [700, 950, 600, 820, 1000, 650, 900, 720];
        let mut r_at = vec![0];
        for (i, x) in rr.iter().cycle().take(40).enumerate() {
            r_at.push(r_at[i] + x);
        }
        let mut inflated_beats = 0;
        let mut was: f64 = 0.0;
        for k in 0..*r_at.last().unwrap() {
            let r = r_at.contains(&k);
            let v = c.step(
                Senses {
                    r_wave: r,
                    ..Senses::default()
                },
                1e-3,
            );
            if r && k > 2000 {
                assert!(v < was.max(1.0), "deflating from each R wave");
            }
            if v > 39.0 && was <= 39.0 {
                inflated_beats += 1;
            }
            was = v;
        }
        assert!(inflated_beats > 30, "{inflated_beats}");
    }

    #[test]
    fn the_console_relearns_after_a_rate_change_and_searches_past_forced_closures() {
        // Notch 300 ms after an R wave at RR 800; then RR 600 with the notch at 260 ms.
        let mut c = IabpConsole::default();
        c.configure(&on());
        let dt = 1e-3;
        let mut inflation_onsets = Vec::new();
        let mut t_in_beat = 0;
        let mut rr = 800;
        let mut last = 0.0;
        for k in 0..40_000 {
            if k == 20_000 {
                rr = 600;
                t_in_beat = 0;
            }
            let notch = if rr == 800 { 300 } else { 260 };
            let v = c.step(
                Senses {
                    r_wave: t_in_beat == 0,
                    av_opened: t_in_beat == 60,
                    av_closed: t_in_beat == notch,
                    ..Senses::default()
                },
                dt,
            );
            if v > 0.0 && last == 0.0 {
                inflation_onsets.push((rr, t_in_beat));
            }
            last = v;
            t_in_beat = (t_in_beat + 1) % rr;
        }
        let settled = |r: usize| {
            inflation_onsets
                .iter()
                .rev()
                .find(|(x, _)| *x == r)
                .unwrap()
                .1
        };
        assert!((settled(800) as i64 - 301).abs() <= 2, "{:?}", settled(800));
        assert!(
            (settled(600) as i64 - 261).abs() <= 12,
            "{:?}",
            settled(600)
        );
    }

    #[test]
    fn pressure_trigger_times_from_the_upstroke() {
        let v = drive(
            Iabp {
                trigger: Trigger::Pressure,
                ..on()
            },
            6,
        );
        // The notch is 300 ms after the upstroke; inflation follows it.
        assert!(v[4 * 800 + 355] == 0.0 && v[4 * 800 + 370] > 0.0);
    }

    #[test]
    fn balloon_pressure_overshoots_plateaus_and_undershoots() {
        let (_, _, p) = drive_console(on(), 6);
        let beat = &p[4 * 800..5 * 800];
        let max = beat.iter().copied().fold(f64::MIN, f64::max);
        let min = beat.iter().copied().fold(f64::MAX, f64::min);
        assert!(max > 80.0 + 30.0, "overshoot {max}");
        assert!(
            (beat[650] - 80.0).abs() < 1.0,
            "plateau at the aortic pressure"
        );
        assert!(min < BALLOON_BASELINE_MMHG, "undershoot {min}");
        assert_eq!(beat[300], BALLOON_BASELINE_MMHG, "baseline when empty");
    }
}
