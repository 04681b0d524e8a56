//! The arterial (carotid sinus) baroreflex of Ursino (Am J Physiol 1998;275:H1733), with the
//! published afferent, efferent and effector parameters (Table 3, read in a public transcription
//! of the model).
//!
//! Afferent: tau_p dP~/dt = P_cs + tau_z dP_cs/dt - P~ ;
//!   f_cs = (f_min + f_max e^((P~ - P_n)/k_a)) / (1 + e^((P~ - P_n)/k_a)).
//! Efferent: f_es = f_es,inf + (f_es,0 - f_es,inf) e^(-k_es f_cs) (sympathetic);
//!   f_ev = (f_ev,0 + f_ev,inf e^((f_cs - f_cs,0)/k_ev)) / (1 + e^((f_cs - f_cs,0)/k_ev)) (vagal).
//! Effectors: sigma = G ln(f_es(t - D) - f_es,min + 1) (sympathetic; G f_ev(t - D) for the vagal
//!   heart period), tau d(dtheta)/dt = sigma - dtheta, theta = theta_0 + dtheta.
//!
//! The carotid sinus reads the arch pressure. The presets were calibrated without the reflex, so
//! each effector acts as the ratio (or, for unstressed volumes, the difference) between its
//! Ursino value now and at the preset's `reflex.reference_map_mmhg`: at that pressure the
//! patient is exactly the preset, away from it the reflex moves heart period, LV and RV
//! contractility, upper- and lower-body resistance and venous unstressed volume with Ursino's
//! gains, delays and time constants.

use crate::circulation::Modulation;
/// The settings this module acts on (data, with the rest of the patient).
pub use crate::patient::Reflex;

impl Default for Reflex {
    fn default() -> Self {
        Self {
            baroreflex: true,
            reference_map_mmhg: 90.0,
            heart_rate_gain: 1.0,
            resistance_gain: 1.0,
            venous_gain: 1.0,
            contractility_gain: 1.0,
            cardiopulmonary_gain: 1.0,
            reference_atrial_mmhg: 5.6,
            reference_pulse_pressure_mmhg: 32.2,
        }
    }
}

// Ursino 1998, Table 3.
const P_N_MMHG: f64 = 92.0;
const K_A_MMHG: f64 = 11.758;
const F_MIN: f64 = 2.52;
const F_MAX: f64 = 47.78;
const TAU_Z_S: f64 = 6.37;
const TAU_P_S: f64 = 2.076;
/// Its reciprocal: the afferent filter runs every step.
const PER_TAU_P_S: f64 = 1.0 / TAU_P_S;
const F_ES_INF: f64 = 2.10;
const F_ES_0: f64 = 16.11;
const F_ES_MIN: f64 = 2.66;
const K_ES_S: f64 = 0.0675;
const F_EV_0: f64 = 3.2;
const F_EV_INF: f64 = 6.3;
const F_CS_0: f64 = 25.0;
const K_EV: f64 = 7.06;

/// The effectors: (gain, time constant s, delay s, basal value theta_0), Ursino 1998 Table 3.
/// Order: LV Emax, RV Emax, splanchnic R (lower body), extrasplanchnic R (upper body),
/// splanchnic venous Vu (lower veins), extrasplanchnic venous Vu (upper veins), heart period
/// sympathetic part, heart period vagal part.
pub const EFFECTORS: [(f64, f64, f64, f64); 8] = [
    (0.475, 8.0, 2.0, 2.392),
    (0.282, 8.0, 2.0, 1.412),
    (0.695, 6.0, 2.0, 2.49),
    (0.53, 6.0, 2.0, 0.78),
    (-265.4, 20.0, 5.0, 1435.4),
    (-132.5, 20.0, 5.0, 1537.0),
    (-0.13, 2.0, 2.0, 0.0),
    (0.09, 1.5, 0.2, 0.0),
];
/// Ursino's basal heart period (the sympathetic and vagal parts add to it).
const T0_S: f64 = 0.58;
const VAGAL: usize = 7;
/// The efferent activities are kept at this interval for the delays, and the effectors are
/// advanced at it (their time constants are 1.5-20 s).
pub const REFLEX_UPDATE_S: f64 = 0.01;
/// History long enough for the longest delay.
const HISTORY_LEN: usize = 600;

fn afferent_hz(p_tilde_mmhg: f64) -> f64 {
    let e = ((p_tilde_mmhg - P_N_MMHG) / K_A_MMHG)
        .clamp(-50.0, 50.0)
        .exp();
    (F_MIN + F_MAX * e) / (1.0 + e)
}

/// The pressure at which the static afferent curve fires at `f_cs` (its inverse), kept inside
/// the curve's open range.
fn pressure_from_afferent_mmhg(f_cs: f64) -> f64 {
    const MARGIN_HZ: f64 = 1e-9;
    let f = f_cs.clamp(F_MIN + MARGIN_HZ, F_MAX - MARGIN_HZ);
    P_N_MMHG + K_A_MMHG * ((f - F_MIN) / (F_MAX - f)).ln()
}

fn sympathetic_hz(f_cs: f64) -> f64 {
    F_ES_INF + (F_ES_0 - F_ES_INF) * (-K_ES_S * f_cs).exp()
}

fn vagal_hz(f_cs: f64) -> f64 {
    let e = ((f_cs - F_CS_0) / K_EV).clamp(-50.0, 50.0).exp();
    (F_EV_0 + F_EV_INF * e) / (1.0 + e)
}

/// The effector drive sigma for effector k from the (delayed) efferent activities.
fn drive(k: usize, f_es: f64, f_ev: f64) -> f64 {
    let gain = EFFECTORS[k].0;
    if k == VAGAL {
        gain * f_ev
    } else if f_es >= F_ES_MIN {
        gain * (f_es - F_ES_MIN + 1.0).ln()
    } else {
        0.0
    }
}

/// The cardiopulmonary reflex's static gains at `cardiopulmonary_gain` 1, per mmHg of sensed
/// atrial pressure ([`sensed_atrial_mmhg`]) below its reference: arteriolar resistance
/// (fraction of the preset's, both beds) and venous unstressed volume (fraction of the
/// preset's). Sources and fit: docs/MODEL.md, section 7c.
pub const CP_RESISTANCE_PER_MMHG: f64 = 0.074;
pub const CP_VENOUS_V0_PER_MMHG: f64 = 0.015;
/// The atrial receptors saturate: the pressure error e enters as s atan(e / s) (Heldt 2002).
pub const CP_SATURATION_MMHG: f64 = 5.0;
/// The CNS ischaemic response: as the arterial pressure falls from the first to the second
/// value, cerebral ischaemia drives the sympathetic outflow to its maximum and overrides the
/// atrial receptors' relaxing (vasodilating) signal (Guyton & Hall, Textbook of Medical
/// Physiology, "CNS ischemic response", T). Without it a circulatory arrest, whose atrial
/// pressures rise to the mean filling pressure, would dilate the vessels.
pub const CNS_ISCHAEMIA_ONSET_MMHG: f64 = 60.0;
pub const CNS_ISCHAEMIA_FULL_MMHG: f64 = 20.0;

/// Time constants of the cardiopulmonary limbs: the sympathetic effectors' of the arterial
/// reflex (Ursino 1998: resistance 6 s, venous tone 20 s), which they share.
const CP_RESISTANCE_TAU_S: f64 = 6.0;
const CP_VENOUS_TAU_S: f64 = 20.0;

/// What the cardiopulmonary receptors sense, from a beat's mean right atrial (`cvp_mmhg`) and
/// left atrial (`pcwp_mmhg`) pressures: their mean (receptors lie in both atria, the great
/// veins and the pulmonary veins; docs/MODEL.md 7c).
pub fn sensed_atrial_mmhg(cvp_mmhg: f64, pcwp_mmhg: f64) -> f64 {
    0.5 * (cvp_mmhg + pcwp_mmhg)
}

/// Beats the sinus's pulsatile reading is averaged over (an IABP assists at most 1:3).
pub const PULSE_HISTORY_BEATS: usize = 3;
/// Below this share of the reference pulse pressure a beat's shape is too flat to rescale.
pub const PULSE_SCALE_FLOOR: f64 = 0.05;
/// The sinus's pulse reading samples the arch pressure (its mean over the interval) at this
/// interval: a heartbeat's waveform is drawn in a few hundred samples, and the afferent's two
/// sigmoids cost a step's worth of work each if run every 0.5-ms step.
pub const SINUS_SAMPLE_S: f64 = 0.002;
/// Share of the beat the upstroke of [`reference_pulse_shape`] takes (an ejection's rise to its
/// peak lasts about 0.1 of a 0.6-s beat, **T**).
pub const SHAPE_UPSTROKE: f64 = 0.15;

/// A plain arterial pulse for a beat's `phase` (0 to 1), in units of the pulse pressure about
/// its mean (-0.5 to 0.5): a linear upstroke, then a linear run-off through diastole.
pub fn reference_pulse_shape(phase: f64) -> f64 {
    let phase = phase.clamp(0.0, 1.0);
    if phase < SHAPE_UPSTROKE {
        phase / SHAPE_UPSTROKE - 0.5
    } else {
        0.5 - (phase - SHAPE_UPSTROKE) / (1.0 - SHAPE_UPSTROKE)
    }
}

/// The carotid sinus's reading of pulsatility. Ursino's afferent is rate sensitive (its lead,
/// tau_z / tau_p = 3, passes a heartbeat's pulse three times amplified) and sigmoid, so the same
/// mean pressure fires the sinus more with a wider pulse below the curve's centre, about as
/// much near it and a little less above it, as dog carotid sinuses do (docs/MODEL.md, section
/// 7c). Each beat's arch pressure goes through that afferent twice: as it is (sampled every
/// `SINUS_SAMPLE_S`), and at the beat's end the same beat with its pulse scaled to
/// `reference_pulse_pressure_mmhg`. The beat's pulsatile bias is the difference of the two mean
/// firings, as pressures on the static curve: 0 at the preset's pulse whatever its shape, so
/// the preset still holds at its reference, and a balloon's diastolic peak or a flat ECMO pulse
/// moves the reflex as the sinus would read them. A beat too flat to carry a shape (below
/// `PULSE_SCALE_FLOOR` of the reference) lends the rest of the reference pulse to
/// [`reference_pulse_shape`].
#[derive(Clone, Debug)]
pub struct SinusPulse {
    reference_pulse_pressure_mmhg: f64,
    /// Afferent filter states and last inputs: [the beat as it is, rescaled].
    filtered_mmhg: [f64; 2],
    previous_mmhg: [f64; 2],
    /// The arch pressure integral (mmHg s) and time since the last sample.
    pending_mmhg_s: f64,
    pending_s: f64,
    /// This beat's highest and lowest arch pressure, step by step (its pulse pressure).
    max_mmhg: f64,
    min_mmhg: f64,
    /// This beat's arch pressure samples (mean pressure, length) and firing integral (Hz s).
    beat_mmhg: Vec<(f64, f64)>,
    firing_hz_s: f64,
    /// The last beats' (bias mmHg, duration s), newest at `head`.
    history: [(f64, f64); PULSE_HISTORY_BEATS],
    head: usize,
}

/// One step of Ursino's afferent filter: tau_p dP~/dt = P + tau_z dP/dt - P~.
fn afferent_filter(filtered_mmhg: &mut f64, previous_mmhg: &mut f64, p_mmhg: f64, dt_s: f64) {
    *filtered_mmhg +=
        (dt_s * (p_mmhg - *filtered_mmhg) + TAU_Z_S * (p_mmhg - *previous_mmhg)) * PER_TAU_P_S;
    *previous_mmhg = p_mmhg;
}

/// One step of the afferent filter and the firing it gives (Hz).
fn afferent_step(filtered_mmhg: &mut f64, previous_mmhg: &mut f64, p_mmhg: f64, dt_s: f64) -> f64 {
    afferent_filter(filtered_mmhg, previous_mmhg, p_mmhg, dt_s);
    afferent_hz(*filtered_mmhg)
}

impl SinusPulse {
    /// At rest at the reference mean pressure and pulse.
    pub fn new(settings: &Reflex) -> Self {
        let m = settings.reference_map_mmhg;
        Self {
            reference_pulse_pressure_mmhg: settings.reference_pulse_pressure_mmhg,
            filtered_mmhg: [m; 2],
            previous_mmhg: [m; 2],
            pending_mmhg_s: 0.0,
            pending_s: 0.0,
            max_mmhg: f64::NEG_INFINITY,
            min_mmhg: f64::INFINITY,
            beat_mmhg: Vec::new(),
            firing_hz_s: 0.0,
            history: [(0.0, 0.0); PULSE_HISTORY_BEATS],
            head: 0,
        }
    }

    /// Feed the arch pressure (mmHg) every step of `dt_s`.
    #[inline]
    pub fn sample(&mut self, p_mmhg: f64, dt_s: f64) {
        self.pending_mmhg_s += p_mmhg * dt_s;
        self.pending_s += dt_s;
        self.max_mmhg = self.max_mmhg.max(p_mmhg);
        self.min_mmhg = self.min_mmhg.min(p_mmhg);
        if self.pending_s >= SINUS_SAMPLE_S {
            self.take_sample();
        }
    }

    /// Pass the pending interval's mean pressure through the afferent.
    fn take_sample(&mut self) {
        let (p_mmhg, dt_s) = (self.pending_mmhg_s / self.pending_s, self.pending_s);
        self.pending_mmhg_s = 0.0;
        self.pending_s = 0.0;
        let [filtered, _] = &mut self.filtered_mmhg;
        let [previous, _] = &mut self.previous_mmhg;
        self.firing_hz_s += afferent_step(filtered, previous, p_mmhg, dt_s) * dt_s;
        self.beat_mmhg.push((p_mmhg, dt_s));
    }

    /// Close the beat: store its pulsatile bias (mmHg).
    pub fn end_beat(&mut self) {
        if self.pending_s > 0.0 {
            self.take_sample();
        }
        let duration_s: f64 = self.beat_mmhg.iter().map(|&(_, dt)| dt).sum();
        if duration_s <= 0.0 {
            return;
        }
        let mean_mmhg = self.beat_mmhg.iter().map(|&(p, dt)| p * dt).sum::<f64>() / duration_s;
        let (lo, hi) = (self.min_mmhg, self.max_mmhg);
        let reference = self.reference_pulse_pressure_mmhg;
        let floor = PULSE_SCALE_FLOOR * reference;
        let scale = reference / (hi - lo).max(floor);
        let shapeless = (1.0 - (hi - lo) / floor).max(0.0) * reference;
        let [_, filtered] = &mut self.filtered_mmhg;
        let [_, previous] = &mut self.previous_mmhg;
        let (mut elapsed_s, mut rescaled_hz_s) = (0.0, 0.0);
        for &(p, dt) in &self.beat_mmhg {
            let shape = shapeless * reference_pulse_shape(elapsed_s / duration_s);
            let rescaled = mean_mmhg + scale * (p - mean_mmhg) + shape;
            rescaled_hz_s += afferent_step(filtered, previous, rescaled, dt) * dt;
            elapsed_s += dt;
        }
        let bias = pressure_from_afferent_mmhg(self.firing_hz_s / duration_s)
            - pressure_from_afferent_mmhg(rescaled_hz_s / duration_s);
        self.head = (self.head + 1) % PULSE_HISTORY_BEATS;
        self.history[self.head] = (bias, duration_s);
        self.beat_mmhg.clear();
        self.firing_hz_s = 0.0;
        self.max_mmhg = f64::NEG_INFINITY;
        self.min_mmhg = f64::INFINITY;
    }

    /// The time-weighted pulsatile bias (mmHg) of the last `beats` beats (1 to 3).
    pub fn bias_mmhg(&self, beats: usize) -> f64 {
        let n = beats.clamp(1, PULSE_HISTORY_BEATS);
        let (sum, time) = (0..n)
            .map(|i| self.history[(self.head + PULSE_HISTORY_BEATS - i) % PULSE_HISTORY_BEATS])
            .fold((0.0, 0.0), |(s, t), (b, d)| (s + b * d, t + d));
        if time > 0.0 { sum / time } else { 0.0 }
    }
}

/// The running reflexes.
#[derive(Clone, Debug)]
pub struct Baroreflex {
    p_tilde_mmhg: f64,
    p_prev_mmhg: f64,
    /// Efferent activities at every update, newest at `head`.
    f_es: Vec<f64>,
    f_ev: Vec<f64>,
    head: usize,
    since_update_s: f64,
    /// Effector states (Ursino units) and their values at the reference pressure.
    state: [f64; 8],
    reference: [f64; 8],
    /// The cardiopulmonary limbs' states: fractional change of resistance and of venous
    /// unstressed volume.
    cp_resistance: f64,
    cp_venous_v0: f64,
    /// The sinus's reading of the arch pulse (fed every step, closed every beat).
    pub sinus: SinusPulse,
    settings: Reflex,
}

impl Baroreflex {
    /// At rest at the reference pressures (the preset's own state).
    pub fn new(settings: &Reflex) -> Self {
        let f_cs = afferent_hz(settings.reference_map_mmhg);
        let (f_es, f_ev) = (sympathetic_hz(f_cs), vagal_hz(f_cs));
        let reference: [f64; 8] = std::array::from_fn(|k| drive(k, f_es, f_ev));
        Self {
            p_tilde_mmhg: settings.reference_map_mmhg,
            p_prev_mmhg: settings.reference_map_mmhg,
            f_es: vec![f_es; HISTORY_LEN],
            f_ev: vec![f_ev; HISTORY_LEN],
            head: 0,
            since_update_s: 0.0,
            state: reference,
            reference,
            cp_resistance: 0.0,
            cp_venous_v0: 0.0,
            sinus: SinusPulse::new(settings),
            settings: settings.clone(),
        }
    }

    /// Feed the carotid sinus pressure and the sensed atrial pressure ([`sensed_atrial_mmhg`])
    /// each step, in mmHg; returns new effects every update interval.
    #[inline]
    pub fn step(&mut self, p_cs_mmhg: f64, p_atria_mmhg: f64, dt_s: f64) -> Option<Modulation> {
        // Afferent filter with its derivative term (rate sensitivity of the sinus).
        afferent_filter(
            &mut self.p_tilde_mmhg,
            &mut self.p_prev_mmhg,
            p_cs_mmhg,
            dt_s,
        );
        self.since_update_s += dt_s;
        if self.since_update_s < REFLEX_UPDATE_S {
            return None;
        }
        let h = self.since_update_s;
        self.since_update_s = 0.0;
        let f_cs = afferent_hz(self.p_tilde_mmhg);
        self.head = (self.head + 1) % HISTORY_LEN;
        self.f_es[self.head] = sympathetic_hz(f_cs);
        self.f_ev[self.head] = vagal_hz(f_cs);
        for (k, &(_, tau, delay, _)) in EFFECTORS.iter().enumerate() {
            let back = ((delay / REFLEX_UPDATE_S).round() as usize).min(HISTORY_LEN - 1);
            let i = (self.head + HISTORY_LEN - back) % HISTORY_LEN;
            let sigma = drive(k, self.f_es[i], self.f_ev[i]);
            self.state[k] += h * (sigma - self.state[k]) / tau;
        }
        let drive = self.cardiopulmonary_drive(p_cs_mmhg, p_atria_mmhg);
        let r_target = CP_RESISTANCE_PER_MMHG * drive;
        let v_target = -CP_VENOUS_V0_PER_MMHG * drive;
        self.cp_resistance += h * (r_target - self.cp_resistance) / CP_RESISTANCE_TAU_S;
        self.cp_venous_v0 += h * (v_target - self.cp_venous_v0) / CP_VENOUS_TAU_S;
        Some(self.effects())
    }

    /// The cardiopulmonary reflex's drive, in mmHg of atrial unloading times its gain: unloaded
    /// atrial receptors (a lower atrial pressure) raise sympathetic vasomotor tone without
    /// moving the heart rate; cerebral ischaemia overrides a relaxing drive.
    fn cardiopulmonary_drive(&self, p_cs_mmhg: f64, p_atria_mmhg: f64) -> f64 {
        let unloading_mmhg = CP_SATURATION_MMHG
            * ((self.settings.reference_atrial_mmhg - p_atria_mmhg) / CP_SATURATION_MMHG).atan();
        let drive = self.settings.cardiopulmonary_gain * unloading_mmhg;
        if drive < 0.0 {
            drive
                * ((p_cs_mmhg - CNS_ISCHAEMIA_FULL_MMHG)
                    / (CNS_ISCHAEMIA_ONSET_MMHG - CNS_ISCHAEMIA_FULL_MMHG))
                    .clamp(0.0, 1.0)
        } else {
            drive
        }
    }

    /// The modulation now, relative to the reference state. Ursino's venous volume changes are
    /// scaled to the patient's veins as fractions of his basal unstressed volumes.
    pub fn effects(&self) -> Modulation {
        let ratio = |k: usize| {
            let base = EFFECTORS[k].3;
            (base + self.state[k]) / (base + self.reference[k])
        };
        let period = |s: &[f64; 8]| T0_S + s[6] + s[VAGAL];
        let r = &self.settings;
        let scaled = |x: f64, gain: f64| 1.0 + gain * (x - 1.0);
        let venous = |k: usize, basal_ml: f64| {
            1.0 + r.venous_gain * (self.state[k] - self.reference[k]) / basal_ml + self.cp_venous_v0
        };
        let cp_r = 1.0 + self.cp_resistance;
        Modulation {
            lv_ees: scaled(ratio(0), r.contractility_gain),
            rv_ees: scaled(ratio(1), r.contractility_gain),
            lower_body_r: scaled(ratio(2), r.resistance_gain) * cp_r,
            upper_body_r: scaled(ratio(3), r.resistance_gain) * cp_r,
            lower_veins_v0: venous(4, URSINO_LOWER_VEINS_VU_ML),
            upper_veins_v0: venous(5, URSINO_UPPER_VEINS_VU_ML),
            heart_period: scaled(
                period(&self.state) / period(&self.reference),
                r.heart_rate_gain,
            ),
            ..Modulation::NONE
        }
    }
}

/// Ursino's basal unstressed volumes of the splanchnic and extrasplanchnic veins, to scale his
/// volume changes to the patient's veins.
pub const URSINO_LOWER_VEINS_VU_ML: f64 = 1435.4;
pub const URSINO_UPPER_VEINS_VU_ML: f64 = 1537.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(reflex: &mut Baroreflex, p: f64, seconds: f64) -> Modulation {
        settle_both(reflex, p, Reflex::default().reference_atrial_mmhg, seconds)
    }

    fn settle_both(reflex: &mut Baroreflex, p: f64, p_atria: f64, seconds: f64) -> Modulation {
        let dt = 5e-4;
        let mut last = Modulation::NONE;
        for _ in 0..(seconds / dt) as usize {
            if let Some(e) = reflex.step(p, p_atria, dt) {
                last = e;
            }
        }
        last
    }

    /// The sinus's pulsatile bias after a minute of beats at `mean_mmhg` whose arch pressure
    /// is `shape(phase)` (-0.5 to 0.5 around the mean) times `pulse_mmhg`, at 100/min.
    fn pulse_bias(
        reference_pp: f64,
        mean_mmhg: f64,
        pulse_mmhg: f64,
        shape: fn(f64) -> f64,
    ) -> f64 {
        let settings = Reflex {
            reference_map_mmhg: mean_mmhg,
            reference_pulse_pressure_mmhg: reference_pp,
            ..Reflex::default()
        };
        let mut sinus = SinusPulse::new(&settings);
        let (dt, beat_s) = (5e-4, 0.6);
        let steps = (beat_s / dt) as usize;
        for _ in 0..100 {
            for k in 0..steps {
                let phase = k as f64 / steps as f64;
                sinus.sample(mean_mmhg + pulse_mmhg * shape(phase), dt);
            }
            sinus.end_beat();
        }
        sinus.bias_mmhg(1)
    }

    fn sine(phase: f64) -> f64 {
        0.5 * (std::f64::consts::TAU * phase).sin()
    }

    fn arterial(phase: f64) -> f64 {
        reference_pulse_shape(phase)
    }

    #[test]
    fn the_reference_pulse_reads_as_its_mean_whatever_its_shape() {
        for shape in [sine as fn(f64) -> f64, arterial] {
            for mean in [50.0, 72.0, 92.0, 120.0] {
                let bias = pulse_bias(25.0, mean, 25.0, shape);
                assert!(bias.abs() < 1e-9, "mean {mean}: bias {bias}");
            }
        }
    }

    #[test]
    fn a_wider_pulse_reads_higher_below_the_curves_centre_and_about_the_same_at_it() {
        let low = pulse_bias(20.0, 72.0, 50.0, arterial);
        let centre = pulse_bias(20.0, 92.0, 50.0, arterial);
        assert!(
            low > 2.0,
            "below the centre a wider pulse fires more: {low}"
        );
        assert!(
            centre.abs() < 0.5 * low,
            "near the centre less so: {centre} vs {low}"
        );
        // Monotone in the pulse below the centre; a flat pulse reads lower than the reference.
        let biases: Vec<f64> = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
            .iter()
            .map(|&pp| pulse_bias(20.0, 72.0, pp, arterial))
            .collect();
        assert!(biases.windows(2).all(|w| w[1] > w[0]), "{biases:?}");
        assert!(biases[0] < -1.0, "a flat pulse reads low: {biases:?}");
    }

    #[test]
    fn at_the_reference_pressure_nothing_changes() {
        let mut r = Baroreflex::new(&Reflex::default());
        let e = settle(&mut r, 90.0, 60.0);
        for x in [
            e.lv_ees,
            e.rv_ees,
            e.lower_body_r,
            e.upper_body_r,
            e.heart_period,
        ] {
            assert!((x - 1.0).abs() < 1e-9, "{e:?}");
        }
        assert!((e.lower_veins_v0 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_pressure_fall_speeds_the_heart_constricts_and_mobilises_volume() {
        let mut r = Baroreflex::new(&Reflex::default());
        let e = settle(&mut r, 70.0, 120.0);
        assert!(e.heart_period < 1.0, "heart period shortens: {e:?}");
        assert!(e.lower_body_r > 1.0 && e.upper_body_r > 1.0);
        assert!(e.lv_ees > 1.0);
        assert!(e.lower_veins_v0 < 1.0, "venoconstriction");
        let mut r = Baroreflex::new(&Reflex::default());
        let e = settle(&mut r, 110.0, 120.0);
        assert!(e.heart_period > 1.0 && e.lower_body_r < 1.0);
    }

    #[test]
    fn the_vagal_heart_response_is_fast_and_the_vascular_one_slow() {
        let mut r = Baroreflex::new(&Reflex::default());
        let early = settle(&mut r, 120.0, 1.0);
        assert!(
            early.heart_period > 1.01,
            "vagal slowing within a second: {early:?}"
        );
        assert!(
            (early.lower_body_r - 1.0).abs() < 1e-3,
            "resistance waits for its 2 s delay"
        );
    }

    #[test]
    fn unloaded_atria_constrict_without_moving_the_heart_rate() {
        let r = Reflex::default();
        let mut b = Baroreflex::new(&r);
        let e = settle_both(
            &mut b,
            r.reference_map_mmhg,
            r.reference_atrial_mmhg - 3.0,
            120.0,
        );
        assert!(e.lower_body_r > 1.1 && e.upper_body_r > 1.1, "{e:?}");
        assert!(e.lower_veins_v0 < 1.0, "venoconstriction: {e:?}");
        assert!((e.heart_period - 1.0).abs() < 1e-9, "no rate change: {e:?}");
        // Reversed, as in heart failure: the same unloading relaxes the vessels.
        let hf = Reflex {
            cardiopulmonary_gain: -0.25,
            ..r.clone()
        };
        let mut b = Baroreflex::new(&hf);
        let e = settle_both(
            &mut b,
            hf.reference_map_mmhg,
            hf.reference_atrial_mmhg - 3.0,
            120.0,
        );
        assert!(e.lower_body_r < 1.0 && e.lower_veins_v0 > 1.0, "{e:?}");
    }

    #[test]
    fn in_an_arrest_loaded_atria_do_not_relax_the_vessels() {
        let r = Reflex::default();
        let arrest = |p_cs: f64| {
            let mut b = Baroreflex::new(&Reflex {
                heart_rate_gain: 0.0,
                resistance_gain: 0.0,
                venous_gain: 0.0,
                contractility_gain: 0.0,
                ..r.clone()
            });
            settle_both(&mut b, p_cs, r.reference_atrial_mmhg + 15.0, 120.0)
        };
        assert!(
            arrest(r.reference_map_mmhg).lower_body_r < 0.9,
            "loaded atria relax"
        );
        let e = arrest(CNS_ISCHAEMIA_FULL_MMHG);
        assert!(
            (e.lower_body_r - 1.0).abs() < 1e-9,
            "cerebral ischaemia overrides: {e:?}"
        );
    }
}
