//! The simulation side of the dashboard: a named thread owns the engine, paces it to the wall
//! clock at the chosen speed, and streams waveform samples and beats over bounded channels; the
//! UI sends commands back over an unbounded one (commands are never lost). A slow UI never slows
//! the simulation: when the sample channel is full, batches are dropped, not waited for.
//!
//! The same [`Stepper`] also drives an inline backend with no thread, for tests and headless use.

use crate::drugs::Drug;
use crate::engine::Status;
use crate::monitor::Beat;
use crate::{Engine, Node, Path, Patient};
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
    Pause(bool),
    /// Simulated seconds per wall second.
    Speed(f64),
    Shutdown,
}

/// One point of the displayed waveforms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaveSample {
    pub t_s: f64,
    pub arch_mmhg: f64,
    pub femoral_mmhg: f64,
    pub lv_mmhg: f64,
    pub lv_ml: f64,
    pub pa_mmhg: f64,
    pub cvp_mmhg: f64,
    pub la_mmhg: f64,
    pub aortic_flow_ml_s: f64,
}

/// What the simulation tells the UI, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// Waveform samples and the beats completed with them.
    Frame {
        samples: Vec<WaveSample>,
        beats: Vec<Beat>,
        /// The slow state at the frame's end (drugs, lung water, mixing zone).
        status: Box<Status>,
    },
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
    /// Simulated time the pacer has asked for; steps catch up to it (no rounding drift).
    target_s: f64,
}

impl Stepper {
    pub fn new(engine: Engine) -> Self {
        Self {
            target_s: engine.t_s(),
            engine,
            since_sample_s: 0.0,
        }
    }

    /// Run `seconds` more of simulated time; samples go into `batch`, beats to `on_beat`.
    pub fn advance(
        &mut self,
        seconds: f64,
        batch: &mut Vec<WaveSample>,
        mut on_beat: impl FnMut(Beat),
    ) {
        let dt = self.engine.dt_s();
        // A backlog the machine cannot catch up with is forgotten, not accumulated.
        self.target_s = (self.target_s + seconds).min(self.engine.t_s() + MAX_BACKLOG_S);
        while self.engine.t_s() + 0.5 * dt <= self.target_s {
            if let Some(beat) = self.engine.step() {
                on_beat(beat);
            }
            self.since_sample_s += dt;
            if self.since_sample_s >= SAMPLE_INTERVAL_S {
                self.since_sample_s -= SAMPLE_INTERVAL_S;
                batch.push(sample(&self.engine));
            }
        }
    }

    /// The frame event for what `advance` produced.
    pub fn frame(&self, samples: Vec<WaveSample>, beats: Vec<Beat>) -> Event {
        Event::Frame {
            samples,
            beats,
            status: Box::new(self.engine.status()),
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
            Command::Pause(_) | Command::Speed(_) | Command::Shutdown => None,
        }
    }
}

fn sample(e: &Engine) -> WaveSample {
    let s = e.snapshot();
    let p = |n: Node| s.p_mmhg[n.index()];
    WaveSample {
        t_s: s.t_s,
        arch_mmhg: p(Node::Arch),
        femoral_mmhg: p(Node::Descending),
        lv_mmhg: p(Node::Lv),
        lv_ml: s.v_ml[Node::Lv.index()],
        pa_mmhg: p(Node::PulmonaryArteries),
        cvp_mmhg: p(Node::Ra),
        la_mmhg: p(Node::La),
        aortic_flow_ml_s: s.q_ml_s[Path::Aortic.index()],
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
    pub fn spawn(engine: Engine, wake: impl Fn() + Send + 'static) -> std::io::Result<Self> {
        let (cmd_tx, cmd_rx) = unbounded();
        let (ev_tx, ev_rx) = bounded(SAMPLE_CHANNEL_BATCHES);
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

fn run(
    mut stepper: Stepper,
    commands: &Receiver<Command>,
    events: &Sender<Event>,
    wake: &dyn Fn(),
) {
    let mut speed = 1.0;
    let mut paused = false;
    let mut last = Instant::now();
    loop {
        while let Ok(cmd) = commands.try_recv() {
            match cmd {
                Command::Shutdown => return,
                Command::Pause(p) => paused = p,
                Command::Speed(s) => speed = s,
                other => {
                    if let Some(ev) = stepper.apply(&other) {
                        // Replies to commands wait for room: they must not be lost.
                        if events.send(ev).is_err() {
                            return;
                        }
                        wake();
                    }
                }
            }
        }
        let now = Instant::now();
        let wall = now.duration_since(last).as_secs_f64();
        last = now;
        if !paused {
            let mut samples = Vec::new();
            let mut beats = Vec::new();
            stepper.advance((wall * speed).min(MAX_SIM_PER_SLICE_S), &mut samples, |b| {
                beats.push(b)
            });
            // A UI that stops reading loses old frames, never the simulation's pace.
            match events.try_send(stepper.frame(samples, beats)) {
                Ok(()) | Err(TrySendError::Full(_)) => {}
                Err(TrySendError::Disconnected(_)) => return,
            }
            wake();
        }
        std::thread::sleep(SLICE.saturating_sub(now.elapsed()));
    }
}
