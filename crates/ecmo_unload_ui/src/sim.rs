//! The simulation side of the dashboard: a named thread owns the engine, paces it to the wall
//! clock at the chosen speed, and streams waveform samples and beats over bounded channels; the
//! UI sends commands back over an unbounded one (commands are never lost). A slow UI never slows
//! the simulation: when the sample channel is full, batches are dropped, not waited for.
//!
//! The same [`Stepper`] also drives an inline backend with no thread, for tests and headless use.

use ecmo_unload::batch;
use ecmo_unload::calibration::{self, Fit, Measurement};
use ecmo_unload::circulation::{N_NODES, N_PATHS};
use ecmo_unload::cohort::Outcome;
use ecmo_unload::drugs::Drug;
use ecmo_unload::engine::Status;
use ecmo_unload::forecast::{Forecast, Strategy};
use ecmo_unload::monitor::Beat;
use ecmo_unload::scenario::{Fired, Scenario, Timeline};
use ecmo_unload::units::l_min_from_ml_s;
use ecmo_unload::{Engine, Node, Path, Patient};

/// Saturations shown in %.
const PERCENT: f64 = 100.0;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded, unbounded};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Waveform sample interval (simulated): 250 Hz, like a bedside monitor's display.
pub const SAMPLE_INTERVAL_S: f64 = 0.004;
/// Sample batches buffered for the UI before the simulation starts dropping them.
const SAMPLE_CHANNEL_BATCHES: usize = 64;
/// How often the thread hands a batch to the UI and checks commands (wall time).
const SLICE: Duration = Duration::from_millis(15);
/// At most this much simulated time per slice: a stalled thread catches up gradually.
const MAX_SIM_PER_SLICE_S: f64 = 60.0;
/// Simulated time the stepper may owe the pacer before the debt is dropped.
const MAX_BACKLOG_S: f64 = 120.0;
/// Trend points are taken at this simulated interval (decimated from the beats).
pub const TREND_INTERVAL_S: f64 = 5.0;
/// Beats averaged for a trend point.
const TREND_BEATS: usize = 5;
/// A jump ahead hands the UI only the waveforms and beats of its last stretch.
const JUMP_KEEP_S: f64 = 10.0;
const JUMP_KEEP_BEATS: usize = 64;
/// A jump runs in stretches of this much wall time, with the UI's commands read between them:
/// closing the window or cancelling never waits for a long jump (or a fine step) to end.
const JUMP_SLICE: Duration = Duration::from_millis(100);
/// Simulated time between two looks at the wall clock during a jump.
const JUMP_STRIDE_S: f64 = 1.0;
/// The thread sends the UI a copy of the engine this often (wall time): the state a restart
/// after a failure resumes from.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);

/// What the UI asks of the simulation.
#[derive(Clone, Debug)]
pub enum Command {
    /// Change a setting (dotted key, as in presets and `--set`).
    Set {
        key: String,
        value: String,
    },
    /// Start again from t = 0 with this patient.
    Load(Box<Patient>),
    /// Give fluid (negative: remove) over a time.
    Fluid {
        volume_ml: f64,
        duration_s: f64,
    },
    /// A loading dose now.
    Bolus {
        drug: Drug,
        mcg_kg: f64,
    },
    /// Run this much simulated time as fast as possible, then go on at the set speed (a jump
    /// under way is lengthened).
    JumpAhead(f64),
    /// Stop a jump ahead where it has got to.
    CancelJump,
    /// Start a teaching scenario from t = 0.
    LoadScenario(Box<Scenario>),
    /// The instructor fires the scenario's next event now.
    FireNextEvent,
    /// Forecast these strategies from the current state (on a worker; the live run goes on).
    Forecast(Vec<Strategy>),
    /// Fit the current patient to bedside measurements (on a worker).
    Fit(Vec<Measurement>),
    /// A virtual cohort of `n` patients sampled around the current one, every strategy each.
    Cohort {
        n: u64,
        seed: u64,
        strategies: Vec<Strategy>,
    },
    Pause(bool),
    /// Simulated seconds per wall second.
    Speed(f64),
    Shutdown,
    /// Make the simulation fail (tests of the failure path only).
    #[doc(hidden)]
    Crash,
}

/// One point of the displayed waveforms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaveSample {
    pub t_s: f64,
    /// Central (arch) pressure, the right radial line and the femoral line.
    pub arch_mmhg: f64,
    pub radial_mmhg: f64,
    pub femoral_mmhg: f64,
    pub lv_mmhg: f64,
    pub lv_ml: f64,
    /// RV pressure and volume (the RV loop).
    pub rv_mmhg: f64,
    pub rv_ml: f64,
    pub pa_mmhg: f64,
    pub cvp_mmhg: f64,
    pub la_mmhg: f64,
    pub aortic_flow_ml_s: f64,
    /// ECMO pump flow (drainage plus vent), L/min.
    pub ecmo_flow_l_min: f64,
    /// IABP balloon gas volume and gas-line pressure, and the console's trigger count.
    pub balloon_ml: f64,
    pub balloon_mmhg: f64,
    /// The balloon's gas as a share of its set volume, %.
    pub balloon_fill_pct: f64,
    pub iabp_triggers: u64,
    /// The synthetic ECG.
    pub ecg_mv: f64,
    /// Upper- and lower-body arterial O2 saturation, %.
    pub spo2_upper_pct: f64,
    pub spo2_lower_pct: f64,
}

/// The whole circulation at a frame's end: what the schematic draws (volumes, flows,
/// saturations), sent once per frame rather than per sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    pub v_ml: [f64; N_NODES],
    pub p_mmhg: [f64; N_NODES],
    pub q_ml_s: [f64; N_PATHS],
    /// O2 saturation (0-1) of each compartment.
    pub sat: [f64; N_NODES],
    /// Fraction (0-1) of each compartment's blood that came from the ECMO return cannula.
    pub ecmo_fraction: [f64; N_NODES],
    /// Saturation of the blood leaving the oxygenator.
    pub oxygenator_out_sat: f64,
    /// IABP balloon gas volume.
    pub balloon_ml: f64,
    /// Each heart valve open (the engine's valve state, `circulation::VALVES` order).
    pub valve_open: [bool; 4],
}

impl Picture {
    pub fn of(e: &Engine) -> Self {
        let s = e.snapshot();
        let o = e.oxygen();
        Picture {
            v_ml: s.v_ml,
            p_mmhg: s.p_mmhg,
            q_ml_s: s.q_ml_s,
            sat: std::array::from_fn(|i| o.saturation(Node::ALL[i])),
            ecmo_fraction: std::array::from_fn(|i| o.ecmo_fraction(Node::ALL[i])),
            oxygenator_out_sat: o.ecmo_return_saturation(&s.q_ml_s),
            balloon_ml: e.balloon_ml(),
            valve_open: std::array::from_fn(|j| e.valve_open(Path::ALL[j])),
        }
    }
}

/// One point of the trends: beat means and slow state every [`TREND_INTERVAL_S`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrendPoint {
    pub t_s: f64,
    pub hr_bpm: f64,
    pub map_mmhg: f64,
    pub lvedp_mmhg: f64,
    pub pcwp_mmhg: f64,
    pub lung_water_ml_kg: f64,
    pub native_co_l_min: f64,
    pub ecmo_flow_l_min: f64,
    pub total_flow_l_min: f64,
    pub sao2_upper_pct: f64,
    pub sao2_lower_pct: f64,
    pub av_opening_pct: f64,
}

/// What one stretch of simulation produced for the UI.
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub samples: Vec<WaveSample>,
    pub beats: Vec<Beat>,
    pub trend: Vec<TrendPoint>,
    /// Scenario events that fired (by time or condition, or the instructor's hand).
    pub fired: Vec<Fired>,
    /// A jump ahead under way at the frame's end.
    pub jumping: Option<JumpProgress>,
    /// Simulated time at the frame's end (a jump's frames carry few or no samples).
    pub t_s: f64,
    /// The engine's alarms at the frame's end, each with its explanation: the screen shows
    /// what the run's summary reports, whatever frames the UI missed.
    pub alarms: Vec<(ecmo_unload::alarms::Alarm, String)>,
}

/// How far a jump ahead has got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JumpProgress {
    /// Simulated time the jump has run, and the whole jump asked for.
    pub done_s: f64,
    pub total_s: f64,
}

impl JumpProgress {
    /// The share done, 0-1.
    pub fn fraction(&self) -> f64 {
        if self.total_s > 0.0 {
            (self.done_s / self.total_s).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

/// A jump ahead under way: it ends at `end_s` (simulated).
#[derive(Clone, Copy, Debug)]
struct Jump {
    end_s: f64,
    total_s: f64,
}

/// What the simulation tells the UI, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// Waveform samples and the beats completed with them.
    Frame {
        out: Output,
        /// The slow state at the frame's end (drugs, lung water, mixing zone).
        status: Box<Status>,
        /// The circulation at the frame's end (the schematic).
        picture: Box<Picture>,
        /// The patient, when a scenario event changed it in this frame.
        patient: Option<Box<Patient>>,
    },
    /// A copy of the running engine: what a restart after a failure resumes from.
    Checkpoint(Box<Engine>),
    /// A scenario started from t = 0 with this patient.
    ScenarioStarted {
        patient: Box<Patient>,
        scenario: Box<Scenario>,
    },
    /// The simulation failed and stopped; the UI offers a restart from the last checkpoint.
    Failed(String),
    /// What-if results, in the order asked (or why they could not be made).
    Forecasts(Result<Vec<Forecast>, String>),
    /// A virtual cohort's outcomes, patient by patient.
    Cohort(Result<Vec<Outcome>, String>),
    /// A calibration's result.
    Fitted(Box<Result<Fit, String>>),
    /// The patient as it now is, after a setting change.
    Patient(Box<Patient>),
    /// The simulation started again from t = 0 with this patient.
    Restarted(Box<Patient>),
    /// A command could not be applied (bad key or value): the simulation goes on.
    Rejected(String),
}

/// Advances an engine and turns its steps into events. Shared by both backends.
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

    /// Begin a jump ahead of `seconds` (or lengthen the one under way); [`Stepper::jump_for`]
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

    /// Whether a jump ahead is under way.
    pub fn is_jumping(&self) -> bool {
        self.jump.is_some()
    }

    /// Run the jump under way for at most `budget` of wall time (a stride past it); returns
    /// whether it is still under way.
    pub fn jump_for(&mut self, budget: Duration, out: &mut Output) -> bool {
        let start = Instant::now();
        while self.jump.is_some() && start.elapsed() < budget {
            self.jump_stride(out);
        }
        self.jump.is_some()
    }

    /// One stride of the jump under way (ends it when its end is reached).
    fn jump_stride(&mut self, out: &mut Output) {
        let Some(j) = self.jump else {
            return;
        };
        self.target_s = (self.engine.t_s() + JUMP_STRIDE_S).min(j.end_s);
        self.run_to_target(out);
        if self.engine.t_s() < j.end_s - JUMP_KEEP_S {
            out.samples.clear();
        }
        let extra = out.beats.len().saturating_sub(JUMP_KEEP_BEATS);
        out.beats.drain(..extra);
        if self.engine.t_s() + 0.5 * self.engine.dt_s() > j.end_s {
            self.jump = None;
        }
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
        out.alarms = self.engine.alarms();
        out.jumping = self.jump.map(|j| JumpProgress {
            done_s: j.total_s - (j.end_s - self.engine.t_s()).max(0.0),
            total_s: j.total_s,
        });
        Event::Frame {
            out,
            status: Box::new(self.engine.status()),
            picture: Box::new(Picture::of(&self.engine)),
            patient,
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
                    *self = Stepper::new(e);
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
                        *self = Stepper::new(e);
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

/// Forecasts for the UI (errors as text).
pub fn forecast_all(base: &Engine, strategies: &[Strategy]) -> Result<Vec<Forecast>, String> {
    batch::forecast_all(base, strategies).map_err(|e| e.to_string())
}

/// A calibration of `base` to the measurements, as the UI's event (errors as text).
fn fitted(base: &Patient, ms: &[Measurement]) -> Event {
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
    batch::cohort(base, seed, 0..n, strategies, || {}).map_err(|e| e.to_string())
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
    })
}

/// A panic's message, for the UI.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".into())
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
        aortic_flow_ml_s: s.q_ml_s[Path::Aortic.index()],
        ecmo_flow_l_min: l_min_from_ml_s(ecmo_unload::ecmo::pump_flow_ml_s(&s.q_ml_s)),
        balloon_ml: e.balloon_ml(),
        balloon_mmhg: e.balloon_pressure_mmhg(),
        balloon_fill_pct: PERCENT * e.balloon_ml() / e.patient().iabp.volume_ml,
        iabp_triggers: e.iabp_triggers(),
        ecg_mv: s.ecg_mv,
        spo2_upper_pct: PERCENT * e.oxygen().saturation(Node::Arch),
        spo2_lower_pct: PERCENT * e.oxygen().saturation(Node::Descending),
    }
}

/// The UI's end of a running simulation thread.
pub struct SimThread {
    pub commands: Sender<Command>,
    pub events: Receiver<Event>,
    join: Option<JoinHandle<()>>,
}

impl SimThread {
    /// Start the thread. `wake` is called whenever there is something new to show.
    pub fn spawn(engine: Engine, wake: impl Fn() + Send + Sync + 'static) -> std::io::Result<Self> {
        let (cmd_tx, cmd_rx) = unbounded();
        let (ev_tx, ev_rx) = bounded(SAMPLE_CHANNEL_BATCHES);
        let wake: Wake = std::sync::Arc::new(wake);
        let join = std::thread::Builder::new()
            .name("simulation".into())
            .spawn(move || run(Stepper::new(engine), &cmd_rx, &ev_tx, &wake))?;
        Ok(Self {
            commands: cmd_tx,
            events: ev_rx,
            join: Some(join),
        })
    }

    /// Whether the thread has stopped (it only stops on `Shutdown`, or by failing).
    pub fn is_finished(&self) -> bool {
        self.join.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        // Let go of our end first: a thread blocked sending a reply then wakes and stops.
        self.events = crossbeam_channel::never();
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

/// Run `job` on its own thread (the live simulation keeps its pace) and send its event; a worker
/// that cannot start is reported like a rejected command.
fn on_worker(
    name: &str,
    events: &Sender<Event>,
    wake: &Wake,
    job: impl FnOnce() -> Event + Send + 'static,
) {
    let (tx, w) = (events.clone(), wake.clone());
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(job());
            w();
        });
    if let Err(e) = spawned {
        let _ = events.send(Event::Rejected(format!(
            "could not start the {name} worker: {e}"
        )));
        wake();
    }
}

/// Wakes the UI (shared with forecast workers).
type Wake = std::sync::Arc<dyn Fn() + Send + Sync>;

fn run(stepper: Stepper, commands: &Receiver<Command>, events: &Sender<Event>, wake: &Wake) {
    let mut stepper = stepper;
    let mut speed = 1.0;
    let mut paused = false;
    let mut last = Instant::now();
    let mut last_checkpoint: Option<Instant> = None;
    loop {
        // A failure anywhere in the model ends the thread with a message, never silently.
        let slice = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slice(
                &mut stepper,
                commands,
                events,
                wake,
                &mut speed,
                &mut paused,
                &mut last,
            )
        }));
        match slice {
            // A state that is no longer finite has failed as surely as a panic: stop at once,
            // so the last checkpoint (always finite) is what a restart resumes.
            Ok(Flow::Go) if !stepper.engine.is_finite() => {
                let _ = events.send(Event::Failed(format!(
                    "the simulation became non-finite at {:.1} s",
                    stepper.engine.t_s()
                )));
                wake();
                return;
            }
            Ok(Flow::Go) => {}
            Ok(Flow::Stop) => return,
            Err(payload) => {
                let _ = events.send(Event::Failed(panic_message(payload.as_ref())));
                wake();
                return;
            }
        }
        if last_checkpoint.is_none_or(|t| t.elapsed() >= CHECKPOINT_EVERY) {
            last_checkpoint = Some(Instant::now());
            let _ = events.try_send(Event::Checkpoint(Box::new(stepper.engine.clone())));
        }
        std::thread::sleep(SLICE.saturating_sub(last.elapsed()));
    }
}

enum Flow {
    Go,
    Stop,
}

/// One wall-clock slice: commands, then the simulated time the slice is worth.
fn slice(
    stepper: &mut Stepper,
    commands: &Receiver<Command>,
    events: &Sender<Event>,
    wake: &Wake,
    speed: &mut f64,
    paused: &mut bool,
    last: &mut Instant,
) -> Flow {
    while let Ok(cmd) = commands.try_recv() {
        match cmd {
            Command::Shutdown => return Flow::Stop,
            Command::Pause(p) => *paused = p,
            Command::Speed(s) => *speed = s,
            Command::Fit(ms) => {
                let base = stepper.engine.patient().clone();
                on_worker("calibration", events, wake, move || fitted(&base, &ms));
            }
            Command::Cohort {
                n,
                seed,
                strategies,
            } => {
                let base = stepper.engine.patient().clone();
                on_worker("cohort", events, wake, move || {
                    Event::Cohort(run_cohort(&base, n, seed, &strategies))
                });
            }
            Command::Forecast(strategies) => {
                let base = stepper.engine.clone();
                on_worker("forecast", events, wake, move || {
                    Event::Forecasts(forecast_all(&base, &strategies))
                });
            }
            other => {
                if let Some(ev) = stepper.apply(&other) {
                    // Replies to commands wait for room: they must not be lost.
                    if events.send(ev).is_err() {
                        return Flow::Stop;
                    }
                    wake();
                }
            }
        }
    }
    if stepper.is_jumping() {
        let mut out = Output::default();
        stepper.jump_for(JUMP_SLICE, &mut out);
        // The wall time a jump took is not owed to the pacer afterwards.
        *last = Instant::now();
        if !send_frame(stepper, out, events) {
            return Flow::Stop;
        }
        wake();
        return Flow::Go;
    }
    let now = Instant::now();
    let wall = now.duration_since(*last).as_secs_f64();
    *last = now;
    if !*paused {
        let mut out = Output::default();
        stepper.advance((wall * *speed).min(MAX_SIM_PER_SLICE_S), &mut out);
        if !send_frame(stepper, out, events) {
            return Flow::Stop;
        }
        wake();
    }
    Flow::Go
}

/// Offer the UI a frame; false when the UI is gone. A UI that stops reading loses old frames,
/// never the simulation's pace.
fn send_frame(stepper: &mut Stepper, out: Output, events: &Sender<Event>) -> bool {
    match events.try_send(stepper.frame(out)) {
        Ok(()) => true,
        // The trends are the record of the session: they wait for the next frame.
        Err(TrySendError::Full(Event::Frame { out, .. })) => {
            stepper.carried = out.trend;
            true
        }
        Err(TrySendError::Full(_)) => true,
        Err(TrySendError::Disconnected(_)) => false,
    }
}
