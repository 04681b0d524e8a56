//! The [`Stepper`]: an engine advanced by the time asked, its steps turned into events.

use super::*;
use crate::batch;
use crate::calibration;
use crate::scenario::Timeline;
use crate::units::{l_min_from_ml_s, pct_from_fraction};

/// Advances an engine and turns its steps into events, for whoever watches: the dashboard's
/// thread and its inline backend, and tests.
pub struct Stepper {
    pub engine: Engine,
    since_sample_s: f64,
    since_trend_s: f64,
    /// Trend points of frames the UI had no room for: they go with the next frame.
    carried: Vec<TrendPoint>,
    /// The scenario being played, if any, and how many of its fired events the UI has seen.
    pub timeline: Option<Timeline>,
    reported_fired: usize,
    /// Simulated time the pacer has asked for; steps catch up to it (no rounding drift).
    target_s: f64,
    /// A jump ahead under way.
    jump: Option<Jump>,
    /// Since when each alarm has been on (simulated time).
    pub onsets: crate::alarms::Onsets,
    /// Frames carry a [`BedsideFrame`] for trainees' monitors (the session is being served).
    pub serve_bedside: bool,
    /// Alarms begun and cleared since the last frame (a jump notes them stride by stride).
    alarm_changes: Vec<crate::alarms::AlarmChange>,
}

impl Stepper {
    pub fn new(engine: Engine) -> Self {
        Self {
            target_s: engine.t_s(),
            engine,
            since_sample_s: 0.0,
            since_trend_s: 0.0,
            carried: Vec::new(),
            timeline: None,
            reported_fired: 0,
            jump: None,
            onsets: crate::alarms::Onsets::default(),
            serve_bedside: false,
            alarm_changes: Vec::new(),
        }
    }

    /// Run `seconds` more of simulated time, paced: what it produces goes into `out`.
    pub fn advance(&mut self, seconds: f64, out: &mut Output) {
        // A backlog the machine cannot catch up with is forgotten, not accumulated.
        self.target_s = (self.target_s + seconds).min(self.engine.t_s() + MAX_BACKLOG_S);
        self.run_to_target(out);
    }

    fn run_to_target(&mut self, out: &mut Output) {
        let dt = self.engine.dt_s();
        while self.engine.t_s() + 0.5 * dt <= self.target_s {
            if let Some(beat) = self.engine.step() {
                out.beats.push(beat);
            }
            if let Some(tl) = &mut self.timeline {
                // Actions were checked when the scenario was loaded; a failure here is recorded
                // on the fired event (`Fired::failed`), not a reason to stop the patient.
                let _ = tl.after_step(&mut self.engine);
            }
            self.since_sample_s += dt;
            if self.since_sample_s >= SAMPLE_INTERVAL_S {
                self.since_sample_s -= SAMPLE_INTERVAL_S;
                out.samples.push(sample(&self.engine));
            }
            self.since_trend_s += dt;
            if self.since_trend_s >= TREND_INTERVAL_S {
                self.since_trend_s -= TREND_INTERVAL_S;
                if let Some(p) = trend_point(&self.engine) {
                    out.trend.push(p);
                }
            }
        }
    }

    /// Run the jump under way to its end at once (the inline backend: tests, one thread): every
    /// trend point is kept, but only the last stretch of waveforms and beats (the screen shows
    /// no more).
    pub fn finish_jump(&mut self, out: &mut Output) {
        while self.jump.is_some() {
            self.jump_stride(out);
        }
    }

    /// Begin a jump ahead of `seconds` (or lengthen the one under way); [`Stepper::jump_stride`]
    /// runs it.
    pub fn start_jump(&mut self, seconds: f64) {
        let seconds = if seconds.is_finite() {
            seconds.max(0.0)
        } else {
            0.0
        };
        self.jump = Some(match self.jump {
            Some(j) => Jump {
                end_s: j.end_s + seconds,
                total_s: j.total_s + seconds,
            },
            None => Jump {
                end_s: self.engine.t_s() + seconds,
                total_s: seconds,
            },
        });
    }

    /// Keep trend points of a frame the watcher had no room for: they go with the next frame
    /// (the trends are the session's record; waveforms may be dropped, trend points not).
    pub fn carry(&mut self, trend: Vec<TrendPoint>) {
        self.carried = trend;
    }

    /// Keep the alarm changes of a frame the watcher had no room for: they go with the next
    /// frame, before its own (the log is the session's record).
    pub fn carry_alarm_changes(&mut self, mut changes: Vec<crate::alarms::AlarmChange>) {
        changes.append(&mut self.alarm_changes);
        self.alarm_changes = changes;
    }

    /// Whether a jump ahead is under way.
    pub fn is_jumping(&self) -> bool {
        self.jump.is_some()
    }

    /// One stride ([`JUMP_STRIDE_S`] simulated) of the jump under way, ended when its end is
    /// reached. A watcher with a wall clock runs strides until its time is up; the model keeps
    /// no clock.
    pub fn jump_stride(&mut self, out: &mut Output) {
        let Some(j) = self.jump else {
            return;
        };
        self.target_s = (self.engine.t_s() + JUMP_STRIDE_S).min(j.end_s);
        self.run_to_target(out);
        // Onsets are noted stride by stride: an alarm that began in a jump begins when it did.
        self.note_alarms();
        if self.engine.t_s() < j.end_s - JUMP_KEEP_S {
            out.samples.clear();
        }
        let extra = out.beats.len().saturating_sub(JUMP_KEEP_BEATS);
        out.beats.drain(..extra);
        if self.engine.t_s() + 0.5 * self.engine.dt_s() > j.end_s {
            self.jump = None;
        }
    }

    /// The alarms on now, their onsets noted. The model starts from a stopped circulation:
    /// its first seconds are not the patient's, and a monitor does not alarm on them.
    fn note_alarms(&mut self) -> Vec<crate::alarms::Active> {
        let t = self.engine.t_s();
        let mut alarms = self.engine.alarms();
        if t < crate::scenario::CONDITIONS_FROM_S {
            alarms.clear();
        }
        let changes = self.onsets.update(t, &alarms);
        self.alarm_changes.extend(changes);
        alarms
    }

    /// The frame event for what `advance` or `jump` produced.
    pub fn frame(&mut self, mut out: Output) -> Event {
        if let Some(tl) = &self.timeline {
            out.fired
                .extend(tl.fired[self.reported_fired..].iter().cloned());
            self.reported_fired = tl.fired.len();
        }
        if !self.carried.is_empty() {
            let mut trend = std::mem::take(&mut self.carried);
            trend.append(&mut out.trend);
            out.trend = trend;
        }
        let patient = (!out.fired.is_empty()).then(|| Box::new(self.engine.patient().clone()));
        out.t_s = self.engine.t_s();
        out.alarms = self.note_alarms();
        out.onsets = self.onsets.clone();
        out.alarm_changes = std::mem::take(&mut self.alarm_changes);
        let bedside = self
            .serve_bedside
            .then(|| Box::new(BedsideFrame::of(&self.engine, &out, &self.onsets)));
        out.jumping = self.jump.map(|j| JumpProgress {
            done_s: j.total_s - (j.end_s - self.engine.t_s()).max(0.0),
            total_s: j.total_s,
        });
        Event::Frame {
            out,
            status: Box::new(self.engine.status()),
            picture: Box::new(Picture::of(&self.engine)),
            patient,
            bedside,
        }
    }

    /// Apply a command; returns the events it produces. `Pause`/`Speed` belong to the pacer.
    pub fn apply(&mut self, command: &Command) -> Option<Event> {
        match command {
            Command::Set { key, value } => Some(match self.engine.set(key, value) {
                Ok(()) => Event::Patient(Box::new(self.engine.patient().clone())),
                Err(e) => Event::Rejected(e.to_string()),
            }),
            Command::Load(p) => Some(match Engine::new((**p).clone()) {
                Ok(e) => {
                    let serve = self.serve_bedside;
                    *self = Stepper::new(e);
                    self.serve_bedside = serve;
                    Event::Restarted(p.clone())
                }
                Err(e) => Event::Rejected(e.to_string()),
            }),
            Command::Fluid {
                volume_ml,
                duration_s,
            } => self
                .engine
                .give_fluid(*volume_ml, *duration_s)
                .err()
                .map(|e| Event::Rejected(e.to_string())),
            Command::Bolus { drug, mcg_kg } => self
                .engine
                .give_bolus(*drug, *mcg_kg)
                .err()
                .map(|e| Event::Rejected(e.to_string())),
            Command::ServeBedside(on) => {
                self.serve_bedside = *on;
                None
            }
            Command::JumpAhead(seconds) => {
                self.start_jump(*seconds);
                None
            }
            Command::CancelJump => {
                self.jump = None;
                self.target_s = self.engine.t_s();
                let out = Output::default();
                Some(self.frame(out))
            }
            Command::LoadScenario(sc) => {
                let timeline = Timeline::new((**sc).clone());
                Some(match timeline.engine() {
                    Ok(e) => {
                        let patient = Box::new(e.patient().clone());
                        let serve = self.serve_bedside;
                        *self = Stepper::new(e);
                        self.serve_bedside = serve;
                        self.timeline = Some(timeline);
                        Event::ScenarioStarted {
                            patient,
                            scenario: sc.clone(),
                        }
                    }
                    Err(e) => Event::Rejected(e.to_string()),
                })
            }
            Command::FireNextEvent => {
                let tl = self.timeline.as_mut()?;
                let k = tl.next_event()?;
                // The next frame reports the event (and the changed patient).
                Some(match tl.fire(&mut self.engine, k) {
                    Ok(()) => Event::Patient(Box::new(self.engine.patient().clone())),
                    Err(e) => Event::Rejected(e.to_string()),
                })
            }
            Command::Forecast(strategies) => {
                Some(Event::Forecasts(forecast_all(&self.engine, strategies)))
            }
            Command::Cohort {
                n,
                seed,
                strategies,
            } => Some(Event::Cohort(run_cohort(
                self.engine.patient(),
                *n,
                *seed,
                strategies,
            ))),
            Command::Fit(ms) => Some(fitted(self.engine.patient(), ms)),
            Command::Crash => panic!("simulation failure requested"),
            Command::Pause(_) | Command::Speed(_) | Command::Shutdown => None,
        }
    }
}

/// Forecasts for the What-if tab, with the loops it draws (errors as text).
pub fn forecast_all(base: &Engine, strategies: &[Strategy]) -> Result<Vec<Forecast>, String> {
    let options = crate::forecast::Options {
        keep_loop: true,
        ..Default::default()
    };
    batch::forecast_all(base, strategies, &options).map_err(|e| e.to_string())
}

/// A calibration of `base` to the measurements, as the UI's event (errors as text).
pub fn fitted(base: &Patient, ms: &[Measurement]) -> Event {
    Event::Fitted(Box::new(
        calibration::fit(base, ms).map_err(|e| e.to_string()),
    ))
}

/// A virtual cohort of `n` patients around `base`, for the UI (errors as text).
pub fn run_cohort(
    base: &Patient,
    n: u64,
    seed: u64,
    strategies: &[Strategy],
) -> Result<Vec<Outcome>, String> {
    // The dashboard's cohort compares settled states (its plot): no hours projected.
    let options = crate::forecast::Options {
        hours: 0,
        ..Default::default()
    };
    // The first patient that fails fails the dashboard's small cohort.
    batch::cohort_each(base, seed, 0..n, strategies, &options, || {})
        .into_iter()
        .collect()
}

/// The means of the last beats and the slow state, for the trends.
fn trend_point(e: &Engine) -> Option<TrendPoint> {
    let m = e.monitor().mean_of_last(TREND_BEATS)?;
    let b = m.mean;
    Some(TrendPoint {
        t_s: e.t_s(),
        hr_bpm: b.hr_bpm,
        map_mmhg: b.map_mmhg,
        lvedp_mmhg: b.lvedp_mmhg,
        pcwp_mmhg: b.pcwp_mmhg,
        lung_water_ml_kg: e.lungs().water_ml_kg(),
        native_co_l_min: b.native_co_l_min,
        ecmo_flow_l_min: b.ecmo_flow_l_min,
        total_flow_l_min: b.total_flow_l_min,
        sao2_upper_pct: b.sao2_upper_pct,
        sao2_lower_pct: b.sao2_lower_pct,
        av_opening_pct: m.av_opening_pct,
        paco2_mmhg: e.oxygen().pco2_mmhg(Node::Arch),
        ph: crate::acid_base::ph(e.oxygen().pco2_mmhg(Node::Arch), e.standard_base_excess()),
        lactate_mmol_l: e.lactate().mmol_l,
    })
}

fn sample(e: &Engine) -> WaveSample {
    let s = e.snapshot();
    let p = |n: Node| s.p_mmhg[n.index()];
    WaveSample {
        t_s: s.t_s,
        arch_mmhg: p(Node::Arch),
        radial_mmhg: s.p_radial_mmhg,
        femoral_mmhg: s.p_femoral_mmhg,
        lv_mmhg: p(Node::Lv),
        lv_ml: s.v_ml[Node::Lv.index()],
        rv_mmhg: p(Node::Rv),
        rv_ml: s.v_ml[Node::Rv.index()],
        pa_mmhg: p(Node::PulmonaryArteries),
        cvp_mmhg: p(Node::Ra),
        la_mmhg: p(Node::La),
        aortic_flow_ml_s: s.q_ml_s[Connection::Aortic.index()],
        ecmo_flow_l_min: l_min_from_ml_s(crate::ecmo::pump_flow_ml_s(&s.q_ml_s)),
        balloon_ml: e.balloon_ml(),
        balloon_mmhg: e.balloon_pressure_mmhg(),
        balloon_fill_pct: pct_from_fraction(e.balloon_ml() / e.patient().iabp.volume_ml),
        iabp_triggers: e.iabp_triggers(),
        ecg_mv: s.ecg_mv,
        sao2_upper_pct: pct_from_fraction(e.oxygen().saturation(Node::Arch)),
        sao2_lower_pct: pct_from_fraction(e.oxygen().saturation(Node::Descending)),
    }
}
