//! The simulation side of the dashboard: a named thread owns a [`Stepper`], paces it to the wall
//! clock at the chosen speed, and streams its events over a bounded channel; the UI sends
//! commands back over an unbounded one (commands are never lost). A slow UI never slows the
//! simulation: when the event channel is full, frames are dropped, not waited for.
//!
//! The stream itself (commands, events, the stepper) is the model's [`ecmo_unload::session`];
//! this module only adds the thread, its pacing and its failure handling.

pub use ecmo_unload::session::{
    Command, Event, JumpProgress, Output, Picture, SAMPLE_INTERVAL_S, Stepper, TREND_INTERVAL_S,
    TrendPoint, WaveSample, fitted, forecast_all, run_cohort,
};

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded, unbounded};
use ecmo_unload::Engine;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Frames buffered for the UI before the simulation starts dropping them.
const SAMPLE_CHANNEL_BATCHES: usize = 64;
/// How often the thread hands a batch to the UI and checks commands (wall time).
const SLICE: Duration = Duration::from_millis(15);
/// At most this much simulated time per slice: a stalled thread catches up gradually.
const MAX_SIM_PER_SLICE_S: f64 = 60.0;
/// A jump runs in stretches of this much wall time, with the UI's commands read between them:
/// closing the window or cancelling never waits for a long jump (or a fine step) to end.
const JUMP_SLICE: Duration = Duration::from_millis(100);
/// The thread sends the UI a copy of the engine this often (wall time): the state a restart
/// after a failure resumes from.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);

/// A panic's message, for the UI.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".into())
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
        let start = Instant::now();
        while stepper.is_jumping() && start.elapsed() < JUMP_SLICE {
            stepper.jump_stride(&mut out);
        }
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
            stepper.carry(out.trend);
            stepper.carry_alarm_changes(out.alarm_changes);
            true
        }
        Err(TrySendError::Full(_)) => true,
        Err(TrySendError::Disconnected(_)) => false,
    }
}
