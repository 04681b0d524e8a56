//! The dashboard: a thin immediate-mode view over the engine. Data flows one way: controls ->
//! commands -> simulation -> samples and beats -> views. No physiology here: numbers come from
//! the monitor, curves from the chamber laws of the model.

pub mod alarm_view;
pub mod calibrate;
pub mod debrief;
pub mod log;
pub mod replay;
pub mod scenario_view;
pub mod schematic;
pub mod sim;
mod style;
pub mod table;
pub mod trends;
pub mod what_if;

use alarm_view::{AlarmPanel, Change};
use ecmo_unload::drugs::Drug;
use ecmo_unload::ecmo::EcmoMode;
use ecmo_unload::engine::SUCTION_ALARM_MIN_PCT;
use ecmo_unload::engine::Status;
use ecmo_unload::heart::ChamberLaw;
use ecmo_unload::lungs;
use ecmo_unload::monitor::IabpReadings;
use ecmo_unload::monitor::{Beat, BeatMeans, spo2_lower_pct, spo2_upper_pct};
use ecmo_unload::patient::RHYTHM_KINDS;
use ecmo_unload::{Engine, Patient, presets, settings};
use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints};
use log::{EventLog, Recorder};
use sim::{Command, Event, Output, Picture, SimThread, Stepper, WaveSample};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;
use style::{
    ART, BALLOON_PRESSURE, CVP, DEVICE, ECG, FEMORAL, INFLATION_BAR, LA, LV, PA, SPO2, risk_color,
    serde_plain,
};
use trends::Trends;
use what_if::WhatIf;

/// Seconds of waveform on screen (a bedside monitor sweeps 5-10 s).
const SWEEP_S: f64 = 8.0;
/// Beats averaged for the numeric tiles (the alarms' average too).
const TILE_BEATS: usize = ecmo_unload::alarms::ALARM_BEATS;
/// Beats kept for the view: the tiles, the AV-opening strip and the closed-valve alarm.
const BEAT_HISTORY: usize = 32;
/// Numeric tiles: value font size, height, and width (minimum, and per character of value).
const TILE_FONT: f32 = 24.0;
const TILE_HEIGHT: f32 = 52.0;
const TILE_MIN_WIDTH: f32 = 70.0;
const TILE_PADDING: f32 = 16.0;
/// The inline backend advances this much simulated time per frame at x1.
const INLINE_FRAME_S: f64 = 1.0 / 60.0;
/// Repaint cadence while the simulation runs.
const FRAME: Duration = Duration::from_millis(16);
const SPEEDS: [f64; 5] = [1.0, 2.0, 5.0, 10.0, 60.0];

/// Heights of the ECG and pleth strips.
const ECG_PLOT_HEIGHT: f32 = 90.0;
const PLETH_PLOT_HEIGHT: f32 = 90.0;
/// Balloon timing marks where the balloon passes this share of its volume.
const IABP_MARK_FRACTION: f64 = 0.1;
/// The IABP console's triggers, as the console names them.
const IABP_TRIGGERS: &[(&str, &str)] = &[
    ("ecg", "ECG trigger"),
    ("pressure", "Pressure trigger"),
    ("pacer", "Pacer trigger"),
    ("af", "AF trigger"),
    ("internal", "Internal trigger"),
];
/// The inflation bar's height on the arterial plot (its colour and the console's: `style`).
const INFLATION_BAR_MMHG: f64 = 4.0;
/// The balloon plot's timing ticks: where their rows end and how long each is (mmHg axis).
const IABP_TICK_TOP_MMHG: f64 = 280.0;
const IABP_TICK_MMHG: f64 = 25.0;
const UNLOADING_TREND_HEIGHT: f32 = 220.0;
const UNLOADING_SPACING: f32 = 28.0;
const PRESET_PATH_WIDTH: f32 = 260.0;
/// "Jump ahead" offers: (label, simulated minutes).
/// Width of the jump-ahead progress bar (points).
const JUMP_BAR_WIDTH: f32 = 160.0;
const JUMPS: [(&str, f64); 3] = [("+1 min", 1.0), ("+10 min", 10.0), ("+60 min", 60.0)];

/// Fluid orders offered as buttons: (label, mL, minutes).
const FLUID_ORDERS: &[(&str, f64, f64)] = &[
    ("+250 mL/10 min", 250.0, 10.0),
    ("+500 mL/15 min", 500.0, 15.0),
    ("-500 mL/60 min", -500.0, 60.0),
];

/// Chest compressions, shown while CPR runs: (label, key).
const CPR_SLIDERS: &[(&str, &str)] = &[
    ("Compression rate", "cpr.rate_per_min"),
    ("Compression depth", "cpr.depth_mm"),
];

/// Sliders of the patient panel: (label, key).
const PATIENT_SLIDERS: &[(&str, &str)] = &[
    ("Heart rate", "rhythm.rate_bpm"),
    ("LV contractility Ees", "heart.lv.ees_mmhg_per_ml"),
    ("LV stiffness EDPVR B", "heart.lv.edpvr_b_per_ml"),
    ("RV contractility Ees", "heart.rv.ees_mmhg_per_ml"),
    (
        "Upper-body resistance",
        "systemic.upper_body_r_mmhg_s_per_ml",
    ),
    (
        "Lower-body resistance",
        "systemic.lower_body_r_mmhg_s_per_ml",
    ),
    (
        "Aortic regurgitation EROA",
        "valves.aortic_regurgitation_mm2",
    ),
    (
        "Mitral regurgitation EROA",
        "valves.mitral_regurgitation_mm2",
    ),
    ("Blood volume", "blood_volume_ml"),
    ("Lung shunt fraction", "lungs.shunt_fraction"),
    ("FiO2", "lungs.fio2"),
    ("Haemoglobin", "oxygen.hemoglobin_g_dl"),
];

/// Infusions: (label, key), in [`Drug::ALL`] order.
const DRUG_SLIDERS: [(&str, &str); 4] = [
    ("Dobutamine", "drugs.dobutamine_mcg_kg_min"),
    ("Milrinone", "drugs.milrinone_mcg_kg_min"),
    ("Epinephrine", "drugs.epinephrine_mcg_kg_min"),
    ("Norepinephrine", "drugs.norepinephrine_mcg_kg_min"),
];
/// The milrinone loading dose offered as a button (label: 50 mcg/kg).
const MILRINONE_LOAD_MCG_KG: f64 = 50.0;

enum Backend {
    Thread(SimThread),
    /// No thread: the engine advances inside `logic`, a fixed amount per frame (tests).
    Inline {
        stepper: Box<Stepper>,
        paused: bool,
        speed: f64,
    },
}

/// The central area's views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Monitor,
    /// The circulation schematic.
    Circulation,
    Unloading,
    WhatIf,
    Calibrate,
    Scenario,
    Trends,
    EventLog,
    Replay,
}

impl Tab {
    const ALL: [(Tab, &'static str); 9] = [
        (Tab::Monitor, "Monitor"),
        (Tab::Circulation, "Circulation"),
        (Tab::Unloading, "Unloading"),
        (Tab::WhatIf, "What-if"),
        (Tab::Calibrate, "Calibrate"),
        (Tab::Scenario, "Scenario"),
        (Tab::Trends, "Trends"),
        (Tab::EventLog, "Event log"),
        (Tab::Replay, "Replay"),
    ];
}

pub struct Dashboard {
    backend: Backend,
    /// To wake the UI from a restarted simulation thread.
    ctx: Option<egui::Context>,
    patient: Patient,
    /// Current numeric value of every key (refreshed when the patient changes).
    values: BTreeMap<String, f64>,
    waves: VecDeque<WaveSample>,
    beats: VecDeque<Beat>,
    ghost: Option<Vec<[f64; 2]>>,
    /// Drugs on board, lung water, mixing zone: the engine's slow state.
    status: Option<Status>,
    paused: bool,
    speed: f64,
    message: Option<String>,
    /// Save a PNG of the window to this path once the simulation has run this long, then close.
    screenshot: Option<(std::path::PathBuf, f64)>,
    /// Why that PNG could not be saved (read by [`run`] once the window has closed).
    screenshot_failed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    frames: u32,
    tab: Tab,
    trends: Trends,
    alarms: AlarmPanel,
    log: EventLog,
    recorder: Option<Recorder>,
    /// The last copy of the engine the simulation sent: a restart after a failure resumes here.
    checkpoint: Option<Box<Engine>>,
    /// Why the simulation stopped, while it is stopped.
    failed: Option<String>,
    /// A jump ahead under way (the last frame's word).
    jumping: Option<sim::JumpProgress>,
    /// Simulated time at the last frame's end.
    now_s: f64,
    /// The preset file path typed in the top bar.
    preset_path: String,
    /// A PNG export was asked for (the next frame's image goes to a file).
    export_png: bool,
    /// What each Save PNG came to (written by the screenshot callback, logged by `logic`).
    png_saved: std::sync::Arc<std::sync::Mutex<Vec<Result<String, String>>>>,
    /// A file could not be read or written: shown in a dialog until dismissed (the session
    /// goes on underneath).
    file_error: Option<String>,
    what_if: WhatIf,
    /// Draw the RV loop beside the LV's.
    show_rv_loop: bool,
    calibrate: calibrate::Calibrate,
    scenario: scenario_view::ScenarioPanel,
    replay: replay::Replay,
    /// The whole circulation at the last frame (the schematic's data).
    picture: Picture,
    schematic: schematic::Schematic,
}

impl Dashboard {
    /// The dashboard with its simulation thread.
    pub fn new(engine: Engine, ctx: &egui::Context) -> std::io::Result<Self> {
        let patient = engine.patient().clone();
        let wake_ctx = ctx.clone();
        let thread = SimThread::spawn(engine, move || {
            wake_ctx.request_repaint_after(Duration::ZERO)
        })?;
        let mut d = Self::with_backend(Backend::Thread(thread), patient);
        d.ctx = Some(ctx.clone());
        Ok(d)
    }

    /// No thread, no clock: each frame advances the engine by 1/60 s x speed. For tests.
    pub fn headless(engine: Engine) -> Self {
        let patient = engine.patient().clone();
        Self::with_backend(
            Backend::Inline {
                stepper: Box::new(Stepper::new(engine)),
                paused: false,
                speed: 1.0,
            },
            patient,
        )
    }

    fn with_backend(backend: Backend, patient: Patient) -> Self {
        let mut d = Self {
            backend,
            ctx: None,
            values: BTreeMap::new(),
            patient,
            waves: VecDeque::new(),
            beats: VecDeque::new(),
            ghost: None,
            status: None,
            paused: false,
            speed: 1.0,
            message: None,
            screenshot: None,
            screenshot_failed: Default::default(),
            frames: 0,
            tab: Tab::Monitor,
            trends: Trends::default(),
            alarms: AlarmPanel::default(),
            log: EventLog::default(),
            recorder: None,
            checkpoint: None,
            jumping: None,
            now_s: 0.0,
            failed: None,
            preset_path: String::new(),
            export_png: false,
            png_saved: Default::default(),
            file_error: None,
            what_if: WhatIf::default(),
            show_rv_loop: false,
            calibrate: calibrate::Calibrate::default(),
            scenario: scenario_view::ScenarioPanel::default(),
            replay: replay::Replay::default(),
            picture: Picture::default(),
            schematic: schematic::Schematic::default(),
        };
        d.refresh_values();
        d
    }

    /// Run `after_s` of simulated time (all but the last sweep at once), save a PNG of the window
    /// to `path`, and close.
    pub fn screenshot_at(mut self, path: std::path::PathBuf, after_s: f64) -> Self {
        let ahead = after_s - SWEEP_S;
        if ahead > 0.0 {
            self.send(Command::JumpAhead(ahead));
        }
        self.screenshot = Some((path, after_s));
        self
    }

    /// Send a command to the simulation, as the controls do (logged like theirs).
    pub fn command(&mut self, cmd: Command) {
        self.send(cmd);
    }

    /// Simulated time of the newest sample.
    /// Simulated time at the last frame's end.
    pub fn t_s(&self) -> f64 {
        self.now_s
    }

    pub fn trends(&self) -> &Trends {
        &self.trends
    }

    pub fn event_log(&self) -> &EventLog {
        &self.log
    }

    /// Alarms active now, most urgent first.
    pub fn active_alarms(&self) -> Vec<ecmo_unload::alarms::Alarm> {
        self.alarms.active()
    }

    /// Why the simulation stopped, if it has.
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// The last what-if results.
    pub fn forecasts(&self) -> Option<&Result<Vec<ecmo_unload::forecast::Forecast>, String>> {
        self.what_if.results.as_ref()
    }

    /// The last virtual cohort run from the What-if tab.
    pub fn cohort(&self) -> Option<&Result<Vec<ecmo_unload::cohort::Outcome>, String>> {
        self.what_if.cohort.as_ref()
    }

    /// Open a view (the What-if tab then forecasts as soon as the patient beats).
    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
        self.what_if.auto = tab == Tab::WhatIf;
    }

    /// Write the session's debrief (report.html with the event log, trends and PV loops, and
    /// the CSVs) into `dir`.
    pub fn write_debrief(&mut self, dir: &std::path::Path) {
        let mut loops = vec![("current".to_string(), self.loop_points())];
        if let Some(g) = &self.ghost {
            loops.push(("baseline".to_string(), g.clone()));
        }
        match debrief::write(
            dir,
            &self.log,
            &self.trends,
            loops,
            self.scenario.scenario.as_ref(),
        ) {
            Ok(report) => self.note("user", format!("debrief written to {}", report.display())),
            Err(e) => self.report_file_error(format!("{}: {e}", dir.display())),
        }
    }

    /// Open a recording folder in the Replay tab.
    pub fn open_replay(&mut self, dir: &std::path::Path) {
        self.replay.open(dir);
        self.tab = Tab::Replay;
    }

    /// Why the last replay load failed, if it did.
    pub fn replay_error(&self) -> Option<&str> {
        self.replay.error()
    }

    /// The replay's loaded recording and scrub time.
    pub fn replay(&self) -> Option<(&replay::Recording, f64)> {
        self.replay.recording.as_ref().map(|r| (r, self.replay.t_s))
    }

    /// Start recording to CSV files in `dir`.
    pub fn start_recording(&mut self, dir: &std::path::Path) {
        match Recorder::start(dir) {
            Ok(r) => {
                self.note("user", format!("recording to {}", dir.display()));
                self.recorder = Some(r);
            }
            Err(e) => self.report_file_error(format!("{}: {e}", dir.display())),
        }
    }

    pub fn stop_recording(&mut self) {
        if let Some(mut r) = self.recorder.take() {
            let _ = r.flush();
            self.note("user", format!("recording stopped ({})", r.dir.display()));
        }
    }

    /// An entry in the event log (and in the recording, if one runs).
    fn note(&mut self, source: &'static str, text: String) {
        self.note_at(self.t_s(), source, text);
    }

    /// Log an entry that happened at simulated time `sim_s`.
    fn note_at(&mut self, sim_s: f64, source: &'static str, text: String) {
        let entry = self.log.push(sim_s, source, text).clone();
        if let Some(r) = &mut self.recorder
            && let Err(e) = r.event(&entry)
        {
            self.recording_failed(e.to_string());
        }
    }

    /// A write of the recording failed (a full disk): stop it where it is, readable up to its
    /// last whole row, and say so.
    fn recording_failed(&mut self, why: String) {
        if let Some(r) = self.recorder.take() {
            let text = format!(
                "recording stopped: {why}; {} is readable up to its last whole row",
                r.dir.display()
            );
            self.message = Some(text.clone());
            self.note("system", text);
        }
    }

    /// The patient as the simulation last reported it.
    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// Completed beats received so far (most recent last).
    /// The engine's slow state as last reported (drugs, lung water, mixing zone).
    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    pub fn beats(&self) -> &VecDeque<Beat> {
        &self.beats
    }

    fn refresh_values(&mut self) {
        self.values = settings::leaves(&self.patient)
            .into_iter()
            .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
            .collect();
    }

    fn send(&mut self, cmd: Command) {
        if let Some(what) = describe(&cmd) {
            self.note("user", what);
        }
        match &mut self.backend {
            Backend::Thread(t) => {
                if t.commands.send(cmd).is_err() {
                    self.message = Some("the simulation thread has stopped".into());
                }
            }
            Backend::Inline {
                stepper,
                paused,
                speed,
            } => match cmd {
                Command::Pause(p) => *paused = p,
                Command::Speed(s) => *speed = s,
                other => {
                    let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        stepper.apply(&other)
                    }));
                    match applied {
                        Ok(Some(ev)) => self.handle(ev),
                        Ok(None) => {}
                        Err(payload) => {
                            self.handle(Event::Failed(sim::panic_message(payload.as_ref())))
                        }
                    }
                }
            },
        }
    }

    /// Start the simulation again from the last checkpoint (after a failure).
    pub fn restart_from_checkpoint(&mut self) {
        let Some(engine) = self.checkpoint.clone() else {
            return;
        };
        let t = engine.t_s();
        self.backend = match &self.backend {
            Backend::Thread(_) => {
                let ctx = self.ctx.clone().unwrap_or_default();
                match SimThread::spawn(*engine, move || ctx.request_repaint_after(Duration::ZERO)) {
                    Ok(t) => Backend::Thread(t),
                    Err(e) => {
                        self.message = Some(format!("could not restart: {e}"));
                        return;
                    }
                }
            }
            Backend::Inline { speed, .. } => Backend::Inline {
                stepper: Box::new(Stepper::new(*engine)),
                paused: false,
                speed: *speed,
            },
        };
        self.failed = None;
        self.message = None;
        self.paused = false;
        self.waves.clear();
        self.now_s = t;
        self.note(
            "system",
            format!("restarted from the checkpoint at {t:.0} s"),
        );
    }

    /// Drain what the simulation produced; called once per frame before drawing.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let mut events = Vec::new();
        match &mut self.backend {
            Backend::Thread(t) => {
                events.extend(t.events.try_iter());
                let silent_stop = t.is_finished() && t.events.is_empty();
                if silent_stop && self.failed.is_none() && events.is_empty() {
                    events.push(Event::Failed("the simulation thread stopped".into()));
                }
            }
            Backend::Inline {
                stepper,
                paused,
                speed,
            } => {
                if (!*paused || stepper.is_jumping()) && self.failed.is_none() {
                    let frame = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut out = Output::default();
                        if stepper.is_jumping() {
                            stepper.finish_jump(&mut out);
                        } else {
                            stepper.advance(INLINE_FRAME_S * *speed, &mut out);
                        }
                        stepper.frame(out)
                    }));
                    // The inline backend checkpoints every frame (it is cheap at test scale),
                    // a finite state only: a restart resumes from the last one.
                    match frame {
                        Ok(f) if stepper.engine.is_finite() => {
                            events.push(f);
                            self.checkpoint = Some(Box::new(stepper.engine.clone()));
                        }
                        Ok(_) => events.push(Event::Failed(format!(
                            "the simulation became non-finite at {:.1} s",
                            stepper.engine.t_s()
                        ))),
                        Err(payload) => {
                            events.push(Event::Failed(sim::panic_message(payload.as_ref())))
                        }
                    }
                }
            }
        }
        for ev in events {
            self.handle(ev);
        }
        if let Some(r) = &mut self.recorder
            && let Err(e) = r.flush()
        {
            self.recording_failed(e.to_string());
        }
        if !self.paused {
            ctx.request_repaint_after(FRAME);
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Frame {
                out,
                status,
                picture,
                patient,
            } => {
                self.jumping = out.jumping;
                self.now_s = out.t_s;
                self.status = Some(*status);
                self.picture = *picture;
                if let Some(p) = patient {
                    self.patient = *p;
                    self.refresh_values();
                }
                for f in &out.fired {
                    let hidden = self.scenario.is_hidden(f);
                    let source = if hidden {
                        log::HIDDEN_SOURCE
                    } else {
                        "scenario"
                    };
                    let outcome = f
                        .failed
                        .as_ref()
                        .map_or(String::new(), |why| format!(", failed: {why}"));
                    let text = format!("{} (at {:.0} s{outcome})", f.name, f.t_s);
                    self.note_at(f.t_s, source, text);
                    self.scenario.record(f);
                }
                if let Some(r) = &mut self.recorder {
                    let written = r
                        .waves(&out.samples)
                        .and_then(|()| out.beats.iter().try_for_each(|b| r.beat(b)));
                    if let Err(e) = written {
                        self.recording_failed(e.to_string());
                    }
                }
                self.waves.extend(out.samples);
                for b in out.beats {
                    self.push_beat(b);
                }
                for p in out.trend {
                    self.trends.push(p);
                }
                self.check_alarms();
                if let Some(last) = self.waves.back().map(|s| s.t_s) {
                    while self.waves.front().is_some_and(|s| s.t_s < last - SWEEP_S) {
                        self.waves.pop_front();
                    }
                }
            }
            Event::Patient(p) => {
                self.patient = *p;
                self.refresh_values();
            }
            Event::Restarted(p) => {
                self.waves.clear();
                self.now_s = 0.0;
                self.beats.clear();
                self.trends.clear();
                self.alarms.clear();
                self.ghost = None;
                self.message = None;
                self.patient = *p;
                self.refresh_values();
            }
            Event::Rejected(msg) => {
                // The slider showed a value the simulation refused: put the real one back.
                self.note("system", format!("rejected: {msg}"));
                self.message = Some(msg);
                self.refresh_values();
            }
            Event::Checkpoint(e) => self.checkpoint = Some(e),
            Event::ScenarioStarted { patient, scenario } => {
                self.handle(Event::Restarted(patient));
                self.note("system", format!("scenario: {}", scenario.title));
                self.scenario.start(*scenario);
            }
            Event::Forecasts(results) => {
                self.what_if.pending = false;
                match &results {
                    Ok(f) => self.note("system", format!("forecast {} strategies", f.len())),
                    Err(e) => self.note("system", format!("forecast failed: {e}")),
                }
                self.what_if.results = Some(results);
            }
            Event::Fitted(result) => {
                self.calibrate.pending = false;
                match result.as_ref() {
                    Ok(f) => self.note("system", format!("fitted ({} evaluations)", f.evaluations)),
                    Err(e) => self.note("system", format!("fit failed: {e}")),
                }
                self.calibrate.result = Some(*result);
            }
            Event::Cohort(outcomes) => {
                self.what_if.cohort_pending = false;
                match &outcomes {
                    Ok(o) => self.note("system", format!("virtual cohort of {} patients", o.len())),
                    Err(e) => self.note("system", format!("virtual cohort failed: {e}")),
                }
                self.what_if.cohort = Some(outcomes);
            }
            Event::Failed(msg) => {
                self.note("system", format!("simulation failed: {msg}"));
                self.failed = Some(msg);
            }
        }
    }

    /// Load the preset file named in the top bar (a bad file says why and changes nothing).
    fn open_preset(&mut self) {
        match presets::load(self.preset_path.trim()) {
            Ok(p) => self.send(Command::Load(Box::new(p))),
            Err(e) => self.report_file_error(e.to_string()),
        }
    }

    /// A file problem: a dialog that names the file, line and field, and an event-log entry.
    fn report_file_error(&mut self, msg: String) {
        self.note("system", format!("file error: {msg}"));
        self.file_error = Some(msg);
    }

    /// The file-error dialog, if one is open.
    pub fn file_error(&self) -> Option<&str> {
        self.file_error.as_deref()
    }

    fn file_error_ui(&mut self, ctx: &egui::Context) {
        let Some(msg) = self.file_error.clone() else {
            return;
        };
        egui::Window::new("Could not use the file")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.colored_label(Color32::from_rgb(255, 120, 120), &msg);
                ui.label("The simulation goes on unchanged.");
                if ui.button("OK").clicked() {
                    self.file_error = None;
                }
            });
    }

    /// Save the patient as it now is (settings, devices, drugs) to the file in the top bar.
    fn save_preset(&mut self) {
        let path = self.preset_path.trim().to_string();
        if path.is_empty() {
            self.report_file_error("type a file name to save the preset to".into());
            return;
        }
        match presets::save(&self.patient, std::path::Path::new(&path)) {
            Ok(()) => self.note("user", format!("saved the patient to {path}")),
            Err(e) => self.report_file_error(e.to_string()),
        }
    }

    /// Evaluate the alarms on the latest beats; their changes go to the event log.
    fn check_alarms(&mut self) {
        // The model starts from a stopped circulation: its first seconds are not the patient.
        if self.t_s() < ecmo_unload::scenario::CONDITIONS_FROM_S {
            return;
        }
        let (Some(means), Some(status)) = (self.means(), self.status.as_ref()) else {
            return;
        };
        let recent: Vec<Beat> = self.beats.iter().copied().collect();
        let now = ecmo_unload::alarms::active(&ecmo_unload::alarms::Inputs {
            means: &means,
            recent: &recent,
            status,
            ecmo_on: self.patient.ecmo.enabled,
            impella_on: self.patient.impella.enabled,
            rhythm: self.patient.rhythm.kind,
            cpr: self.patient.cpr.enabled,
        });
        let t = self.t_s();
        for change in self.alarms.update(now, t) {
            match change {
                Change::Raised(a, detail) => {
                    self.note("alarm", format!("{}: {detail}", a.title()));
                }
                Change::Cleared(a) => self.note("alarm", format!("{} cleared", a.title())),
            }
        }
    }

    fn push_beat(&mut self, b: Beat) {
        self.beats.push_back(b);
        while self.beats.len() > BEAT_HISTORY {
            self.beats.pop_front();
        }
    }

    /// The whole dashboard.
    pub fn dashboard_ui(&mut self, ui: &mut egui::Ui) {
        self.file_error_ui(&ui.ctx().clone());
        egui::Panel::top("top").show(ui, |ui| {
            self.top_bar_ui(ui);
            self.failure_ui(ui);
            let t = self.t_s();
            for line in self.alarms.alarms_ui(ui, t) {
                self.note("user", line);
            }
        });
        egui::Panel::left("patient")
            .resizable(false)
            .show(ui, |ui| self.patient_ui(ui));
        egui::Panel::right("support")
            .resizable(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.support_ui(ui));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for (tab, label) in Tab::ALL {
                    if ui.selectable_label(self.tab == tab, label).clicked() {
                        self.tab = tab;
                    }
                }
            });
            match self.tab {
                Tab::Monitor => {
                    self.tiles_ui(ui);
                    ui.separator();
                    ui.columns(2, |cols| {
                        // On a small screen the strips scroll rather than vanish.
                        egui::ScrollArea::vertical()
                            .id_salt("waves")
                            .show(&mut cols[0], |ui| self.waves_ui(ui));
                        self.pv_loop_ui(&mut cols[1]);
                    });
                }
                Tab::Circulation => self.circulation_ui(ui),
                Tab::Unloading => self.unloading_ui(ui),
                Tab::WhatIf => {
                    egui::ScrollArea::vertical()
                        .id_salt("what_if")
                        .show(ui, |ui| self.what_if_tab_ui(ui));
                }
                Tab::Calibrate => {
                    egui::ScrollArea::vertical()
                        .id_salt("calibrate")
                        .show(ui, |ui| match self.calibrate.calibrate_ui(ui) {
                            Some(calibrate::Ask::Fit(ms)) => self.send(Command::Fit(ms)),
                            Some(calibrate::Ask::Load) => {
                                if let Some(Ok(fit)) = &self.calibrate.result {
                                    let mut p = fit.patient.clone();
                                    p.name = format!("{} (fitted)", self.patient.name);
                                    self.send(Command::Load(Box::new(p)));
                                }
                            }
                            None => {}
                        });
                }
                Tab::Trends => {
                    egui::ScrollArea::vertical().show(ui, |ui| self.trends.trends_ui(ui));
                }
                Tab::Scenario => {
                    let t = self.t_s();
                    let asks = egui::ScrollArea::vertical()
                        .id_salt("scenario")
                        .show(ui, |ui| self.scenario.scenario_ui(ui, t))
                        .inner;
                    for ask in asks {
                        match ask {
                            scenario_view::Ask::Load(sc) => {
                                self.send(Command::LoadScenario(Box::new(sc)))
                            }
                            scenario_view::Ask::FireNext => self.send(Command::FireNextEvent),
                            scenario_view::Ask::Annotate(text) => self.note("instructor", text),
                        }
                    }
                }
                Tab::EventLog => self.log.log_ui(ui, self.scenario.trainee),
                Tab::Replay => {
                    egui::ScrollArea::vertical()
                        .id_salt("replay")
                        .show(ui, |ui| self.replay.replay_ui(ui));
                }
            }
        });
    }

    /// The What-if tab: forecasts and the virtual cohort.
    fn what_if_tab_ui(&mut self, ui: &mut egui::Ui) {
        let current = self.loop_points();
        let ecmo = self
            .patient
            .ecmo
            .enabled
            .then(|| self.means().map_or(0.0, |m| m.mean.ecmo_flow_l_min));
        let alarms = self.alarms.active_with_readings();
        // An automatic forecast waits until the patient has beats to compare.
        let ready = self.beats.len() >= TILE_BEATS;
        match self.what_if.what_if_ui(ui, &current, ecmo, &alarms, ready) {
            Some(what_if::Ask::Forecast(strategies)) => self.send(Command::Forecast(strategies)),
            Some(what_if::Ask::Cohort {
                n,
                seed,
                strategies,
            }) => self.send(Command::Cohort {
                n,
                seed,
                strategies,
            }),
            None => {}
        }
    }

    /// When the simulation has stopped: why, and a way back.
    fn failure_ui(&mut self, ui: &mut egui::Ui) {
        let Some(why) = self.failed.clone() else {
            return;
        };
        ui.horizontal(|ui| {
            ui.colored_label(
                Color32::from_rgb(255, 90, 90),
                format!("The simulation stopped: {why}"),
            );
            match self.checkpoint.as_ref().map(|e| e.t_s()) {
                Some(t) => {
                    if ui
                        .button(format!("Restart from the last state (t = {t:.0} s)"))
                        .clicked()
                    {
                        self.restart_from_checkpoint();
                    }
                }
                None => {
                    ui.label("load a preset to start again");
                }
            }
        });
    }

    /// Everything about LV unloading on one screen.
    fn unloading_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.means() else {
            ui.label("waiting for the first beat...");
            return;
        };
        let b = m.mean;
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = UNLOADING_SPACING;
            tile(ui, "LVEDP", format!("{:.0} mmHg", b.lvedp_mmhg), LV);
            tile(ui, "LVEDV", format!("{:.0} mL", b.lvedv_ml), LV);
            tile(ui, "PCWP", format!("{:.0} mmHg", b.pcwp_mmhg), LA);
            tile(
                ui,
                "Pc lung (Gaar)",
                format!("{:.0} mmHg", b.pulmonary_capillary_mmhg),
                LA,
            );
            tile(
                ui,
                "AV opening",
                format!("{:.0} %", m.av_opening_pct),
                Color32::WHITE,
            );
            tile(ui, "PVA", format!("{:.0} mmHg mL", b.pva_mmhg_ml), LV);
            tile(ui, "MVO2", format!("{:.1} mL/min", b.mvo2_ml_min), LV);
            tile(
                ui,
                "Coronary perfusion",
                format!("{:.0} mmHg", b.coronary_perfusion_mmhg),
                ART,
            );
            tile(ui, "CPO", format!("{:.2} W", b.cpo_w), Color32::WHITE);
        });
        ui.separator();
        // The aortic valve beat by beat, newest right: green opened, red stayed shut.
        ui.horizontal(|ui| {
            ui.label("Aortic valve, beat by beat:");
            for beat in &self.beats {
                let (color, text) = if beat.av_opened {
                    (Color32::from_rgb(80, 200, 80), "open")
                } else {
                    (Color32::from_rgb(220, 60, 60), "shut")
                };
                ui.label(RichText::new("|").strong().size(TILE_FONT).color(color))
                    .on_hover_text(format!("{text}: {:.0} mL forward", beat.av_forward_ml));
            }
        });
        if let Some(st) = &self.status {
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                tile(
                    ui,
                    "Lung water (EVLWI)",
                    format!("{:.1} mL/kg", st.lung_water_ml_kg),
                    risk_color(st.edema_risk),
                );
                tile(
                    ui,
                    "Net filtration",
                    format!("{:+.0} mL/h", st.lung_water_gain_ml_h),
                    risk_color(st.edema_risk),
                );
                tile(
                    ui,
                    "Oedema risk",
                    serde_plain(&st.edema_risk),
                    risk_color(st.edema_risk),
                );
            });
            ui.colored_label(risk_color(st.edema_risk), &st.edema_reason);
        }
        Plot::new("lung_water_trend")
            .height(UNLOADING_TREND_HEIGHT)
            .legend(Legend::default())
            .x_axis_label("minutes")
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        "lung water (EVLWI mL/kg)",
                        PlotPoints::from(self.trends.series(|p| p.lung_water_ml_kg)),
                    )
                    .color(PA),
                );
                plot.line(
                    Line::new(
                        "LVEDP / 5",
                        PlotPoints::from(self.trends.series(|p| p.lvedp_mmhg / 5.0)),
                    )
                    .color(LV),
                );
            });
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("ecmo-unload");
            ui.label(
                RichText::new("Simulation for education and research: not a medical device")
                    .color(Color32::from_rgb(255, 200, 80)),
            );
            ui.separator();
            let mut chosen = None;
            egui::ComboBox::from_label("Preset")
                .selected_text(self.patient.name.clone())
                .show_ui(ui, |ui| {
                    for name in presets::names() {
                        if ui
                            .selectable_label(self.patient.name == name, name)
                            .clicked()
                        {
                            chosen = Some(name);
                        }
                    }
                });
            if let Some(name) = chosen {
                match presets::load(name) {
                    Ok(p) => self.send(Command::Load(Box::new(p))),
                    Err(e) => self.message = Some(e.to_string()),
                }
            }
            let label = if self.paused { "Run" } else { "Pause" };
            if ui.button(label).clicked() {
                self.paused = !self.paused;
                self.send(Command::Pause(self.paused));
            }
            for s in SPEEDS {
                if ui
                    .selectable_label(self.speed == s, format!("x{s}"))
                    .clicked()
                {
                    self.speed = s;
                    self.send(Command::Speed(s));
                }
            }
            let t = self.t_s();
            ui.label(format!("t = {t:.0} s"));
        });
        ui.horizontal(|ui| {
            ui.label("Jump ahead");
            for (label, minutes) in JUMPS {
                if ui.button(label).clicked() {
                    self.send(Command::JumpAhead(minutes * 60.0));
                }
            }
            if let Some(j) = self.jumping {
                ui.add(
                    egui::ProgressBar::new(j.fraction() as f32)
                        .desired_width(JUMP_BAR_WIDTH)
                        .text(format!(
                            "jumping: {:.0} of {:.0} min",
                            j.done_s / 60.0,
                            j.total_s / 60.0
                        )),
                );
                if ui.button("Cancel jump").clicked() {
                    self.send(Command::CancelJump);
                }
            }
            ui.separator();
            let recording = self.recorder.is_some();
            if ui
                .selectable_label(recording, if recording { "Recording" } else { "Record" })
                .clicked()
            {
                if recording {
                    self.stop_recording();
                } else {
                    let dir = std::path::PathBuf::from(format!(
                        "recording-{}",
                        chrono::Local::now().format("%Y%m%d-%H%M%S")
                    ));
                    self.start_recording(&dir);
                }
            }
            if ui.button("Save PNG").clicked() {
                self.export_png = true;
            }
            if ui.button("Debrief").clicked() {
                let dir = std::path::PathBuf::from(format!(
                    "debrief-{}",
                    chrono::Local::now().format("%Y%m%d-%H%M%S")
                ));
                self.write_debrief(&dir);
            }
            ui.separator();
            let label = ui.label("Preset file");
            ui.add(
                egui::TextEdit::singleline(&mut self.preset_path)
                    .hint_text("path/to/patient.ron")
                    .desired_width(PRESET_PATH_WIDTH),
            )
            .labelled_by(label.id);
            if ui.button("Open").clicked() {
                self.open_preset();
            }
            if ui.button("Save").clicked() {
                self.save_preset();
            }
        });
        if let Some(msg) = &self.message {
            ui.colored_label(Color32::from_rgb(255, 120, 120), msg);
        }
    }

    fn patient_ui(&mut self, ui: &mut egui::Ui) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Patient");
            let reflex = self.patient.reflex.baroreflex;
            self.switch_ui(ui, "Baroreflex", "reflex.baroreflex", reflex);
            let rhythm = self.patient.rhythm.kind.key();
            let rhythms = RHYTHM_KINDS.map(|k| (k.key(), k.label()));
            self.choice_ui(ui, "rhythm.kind", rhythm, &rhythms);
            // The sinus node's own rate matters only while the atria beat dissociated.
            if self.patient.rhythm.kind.atria() == ecmo_unload::patient::Atria::Dissociated {
                self.sliders_ui(
                    ui,
                    &[("Atrial rate (AV dissociation)", "rhythm.atrial_rate_bpm")],
                );
            }
            let cpr = self.patient.cpr.enabled;
            self.switch_ui(ui, "CPR (chest compressions)", "cpr.enabled", cpr);
            if cpr {
                self.sliders_ui(ui, CPR_SLIDERS);
            }
            self.sliders_ui(ui, PATIENT_SLIDERS);
            ui.horizontal(|ui| {
                for (label, volume_ml, minutes) in FLUID_ORDERS {
                    if ui.button(*label).clicked() {
                        self.send(Command::Fluid {
                            volume_ml: *volume_ml,
                            duration_s: minutes * 60.0,
                        });
                    }
                }
            });
            ui.separator();
            self.drugs_ui(ui);
            ui.separator();
            if ui.button("Capture baseline loop").clicked() {
                self.ghost = Some(self.loop_points());
            }
        });
    }

    /// Infusion rates with their effect-site bars, and the milrinone loading dose.
    fn drugs_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Drugs");
        let effects = self.status.as_ref().map_or([0.0; 4], |s| s.drug_effects);
        for ((label, key), effect) in DRUG_SLIDERS.iter().zip(effects) {
            self.sliders_ui(ui, &[(label, key)]);
            let bar = egui::ProgressBar::new(effect as f32)
                .desired_height(12.0)
                .text(RichText::new(format!("{label} effect {:.0} %", 100.0 * effect)).small());
            ui.add(bar);
        }
        if ui
            .button(format!("Milrinone load {MILRINONE_LOAD_MCG_KG:.0} mcg/kg"))
            .clicked()
        {
            self.send(Command::Bolus {
                drug: Drug::Milrinone,
                mcg_kg: MILRINONE_LOAD_MCG_KG,
            });
        }
    }

    /// One slider per key, range and unit from the settings table; changes become commands.
    fn sliders_ui(&mut self, ui: &mut egui::Ui, sliders: &[(&str, &str)]) {
        let mut changes = Vec::new();
        for (label, key) in sliders {
            let (Some(spec), Some(value)) = (settings::spec_of(key), self.values.get_mut(*key))
            else {
                continue;
            };
            ui.label(if spec.unit.is_empty() {
                label.to_string()
            } else {
                format!("{label} ({})", spec.unit)
            });
            let whole =
                spec.min.fract() == 0.0 && spec.max - spec.min <= 10.0 && key.ends_with("ratio");
            let r = ui.add(
                egui::Slider::new(value, spec.min..=spec.max)
                    .logarithmic(spec.min > 0.0 && spec.max / spec.min > 50.0)
                    .step_by(if whole { 1.0 } else { 0.0 }),
            );
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, *label));
            if r.changed() {
                changes.push((key.to_string(), *value));
            }
        }
        for (key, value) in changes {
            self.send(Command::Set {
                key,
                value: value.to_string(),
            });
        }
    }

    /// A switch (true/false key) as a checkbox.
    fn switch_ui(&mut self, ui: &mut egui::Ui, label: &str, key: &str, on: bool) {
        let mut checked = on;
        if ui.checkbox(&mut checked, label).changed() {
            self.send(Command::Set {
                key: key.to_string(),
                value: checked.to_string(),
            });
        }
    }

    /// A choice between the named values of a key.
    fn choice_ui(&mut self, ui: &mut egui::Ui, key: &str, current: &str, options: &[(&str, &str)]) {
        ui.horizontal_wrapped(|ui| {
            for (value, label) in options {
                if ui.selectable_label(current == *value, *label).clicked() && current != *value {
                    self.send(Command::Set {
                        key: key.to_string(),
                        value: value.to_string(),
                    });
                }
            }
        });
    }

    /// Mechanical circulatory support consoles.
    fn support_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Support");
        self.ecmo_console_ui(ui);
        self.septostomy_console_ui(ui);
        ui.separator();
        self.impella_console_ui(ui);
        ui.separator();
        self.iabp_console_ui(ui);
    }

    /// VA ECMO and the LV vent through its circuit.
    fn ecmo_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "VA ECMO", "ecmo.enabled", p.ecmo.enabled);
        if p.ecmo.enabled {
            let mode = serde_plain(&p.ecmo.mode);
            self.choice_ui(
                ui,
                "ecmo.mode",
                &mode,
                &[("rpm", "RPM mode"), ("flow", "Flow mode")],
            );
            match p.ecmo.mode {
                EcmoMode::Rpm => self.sliders_ui(ui, &[("ECMO pump speed", "ecmo.rpm")]),
                EcmoMode::Flow => {
                    self.sliders_ui(ui, &[("ECMO flow target", "ecmo.flow_target_l_min")])
                }
            }
            self.sliders_ui(
                ui,
                &[("Sweep gas", "ecmo.sweep_l_min"), ("FdO2", "ecmo.fdo2")],
            );
            self.lv_vent_console_ui(ui);
        }
    }

    fn lv_vent_console_ui(&mut self, ui: &mut egui::Ui) {
        let on = self.patient.lv_vent.enabled;
        self.switch_ui(ui, "LV vent", "lv_vent.enabled", on);
        if on {
            self.sliders_ui(ui, &[("LV vent cannula", "lv_vent.cannula_fr")]);
        }
    }

    fn septostomy_console_ui(&mut self, ui: &mut egui::Ui) {
        self.sliders_ui(ui, &[("Atrial septostomy", "septostomy.diameter_mm")]);
    }

    fn impella_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "Impella", "impella.enabled", p.impella.enabled);
        if p.impella.enabled {
            let model = serde_plain(&p.impella.model);
            self.choice_ui(ui, "impella.model", &model, &[("cp", "CP"), ("5.5", "5.5")]);
            self.sliders_ui(ui, &[("Impella P-level", "impella.p_level")]);
        }
    }

    fn iabp_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "IABP", "iabp.enabled", p.iabp.enabled);
        if p.iabp.enabled {
            let ratio = p.iabp.ratio.to_string();
            self.choice_ui(
                ui,
                "iabp.ratio",
                &ratio,
                &[("1", "1:1"), ("2", "1:2"), ("3", "1:3")],
            );
            let trigger = serde_plain(&p.iabp.trigger);
            self.choice_ui(ui, "iabp.trigger", &trigger, IABP_TRIGGERS);
            self.sliders_ui(
                ui,
                &[
                    ("Balloon volume", "iabp.volume_ml"),
                    ("Inflation timing", "iabp.inflate_offset_ms"),
                    ("Deflation timing", "iabp.deflate_offset_ms"),
                ],
            );
            if p.iabp.trigger == ecmo_unload::iabp::Trigger::Internal {
                self.sliders_ui(ui, &[("Internal rate", "iabp.internal_rate_bpm")]);
            }
            self.iabp_readings_ui(ui);
        }
    }

    /// The console's screen: its five pressures and what it says of its own state.
    fn iabp_readings_ui(&self, ui: &mut egui::Ui) {
        let r = IabpReadings::of(self.beats.iter().rev().take(TILE_BEATS).rev());
        egui::Grid::new("iabp readings")
            .num_columns(2)
            .show(ui, |ui| {
                for (label, value) in iabp_reading_rows(&r) {
                    ui.label(label);
                    ui.label(RichText::new(value).color(ART).strong());
                    ui.end_row();
                }
            });
        // The key to the ticks above the balloon strip.
        ui.horizontal(|ui| {
            ui.label("Ticks:");
            for mark in [IabpMark::Trigger, IabpMark::Inflate, IabpMark::Deflate] {
                ui.colored_label(mark.colour(), mark.label());
            }
        });
        if let Some(c) = self.status.as_ref().and_then(|s| s.iabp) {
            let (text, colour) = if c.trigger_lost {
                ("Trigger loss: not pumping".to_string(), Color32::YELLOW)
            } else if c.clamped {
                ("Timing clamped by the console".to_string(), Color32::YELLOW)
            } else if let Some(f) = c.fill_fraction {
                (
                    format!("Pumping: balloon fills to {:.0} %", 100.0 * f),
                    Color32::LIGHT_GREEN,
                )
            } else {
                ("Starting".to_string(), Color32::LIGHT_GRAY)
            };
            ui.colored_label(colour, text);
        }
    }

    /// The latest beats in a row in which the aortic valve stayed shut.
    fn av_shut_beats(&self) -> usize {
        ecmo_unload::alarms::av_shut_beats(self.beats.iter())
    }

    /// The Circulation tab: the live schematic, and beside it the console or indicator of what
    /// was clicked on it.
    fn circulation_ui(&mut self, ui: &mut egui::Ui) {
        let full = ui.available_rect_before_wrap();
        let card_w = (full.width() * 0.3).clamp(220.0, 380.0);
        let split = full.max.x - card_w;
        let left = egui::Rect::from_min_max(full.min, egui::pos2(split - 8.0, full.max.y));
        let right = egui::Rect::from_min_max(egui::pos2(split, full.min.y), full.max);
        ui.scope_builder(egui::UiBuilder::new().max_rect(left), |ui| {
            let view = schematic::View {
                picture: &self.picture,
                patient: &self.patient,
                status: self.status.as_ref(),
                av_shut_beats: self.av_shut_beats(),
                pump_rpm: self.beats.back().map_or(0.0, |b| b.ecmo_rpm),
            };
            self.schematic.schematic_ui(ui, &view);
        });
        ui.scope_builder(egui::UiBuilder::new().max_rect(right), |ui| {
            egui::ScrollArea::vertical()
                .id_salt("circulation_card")
                .show(ui, |ui| self.circulation_card_ui(ui));
        });
        ui.allocate_rect(full, egui::Sense::hover());
    }

    /// What the user clicked on the schematic: a device's console, or a chamber's or the lungs'
    /// numbers.
    fn circulation_card_ui(&mut self, ui: &mut egui::Ui) {
        use schematic::Target;
        let Some(target) = self.schematic.selected else {
            ui.heading("Where the blood goes");
            ui.label(
                "Click a chamber, the lungs or a device for its numbers or its console. \
                 Particles move with the flow (backward where it reverses); vessel width \
                 follows the mean flow; chamber size follows the volume.",
            );
            ui.label(
                "Valves: white leaflets apart are open, a yellow bar is shut. Lungs turn \
                 blue-grey and fill with droplets as lung water builds. An amber ring on the \
                 LV: it has stopped ejecting and its blood stagnates.",
            );
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(target.label());
            if ui.button("Close").clicked() {
                self.schematic.selected = None;
            }
        });
        match target {
            Target::Chamber(n) => self.chamber_card_ui(ui, n),
            Target::Lungs => self.lungs_card_ui(ui),
            Target::Ecmo => self.ecmo_console_ui(ui),
            Target::LvVent => self.lv_vent_console_ui(ui),
            Target::Septostomy => self.septostomy_console_ui(ui),
            Target::Impella => self.impella_console_ui(ui),
            Target::Iabp => self.iabp_console_ui(ui),
        }
    }

    fn chamber_card_ui(&mut self, ui: &mut egui::Ui, n: ecmo_unload::circulation::Node) {
        use ecmo_unload::circulation::Node;
        let i = n.index();
        let pic = &self.picture;
        ui.label(format!("Volume now: {:.0} mL", pic.v_ml[i]));
        ui.label(format!("Pressure now: {:.1} mmHg", pic.p_mmhg[i]));
        ui.label(format!("O2 saturation: {:.0} %", 100.0 * pic.sat[i]));
        if let Some(m) = self.means() {
            let b = m.mean;
            match n {
                Node::Lv => {
                    ui.label(format!(
                        "EDV {:.0} / ESV {:.0} mL, EF {:.0} %, LVEDP {:.0} mmHg",
                        b.lvedv_ml, b.lvesv_ml, b.lvef_pct, b.lvedp_mmhg
                    ));
                    ui.label(format!(
                        "Aortic valve opened in {:.0} % of beats; shut for the last {} beats",
                        m.av_opening_pct,
                        self.av_shut_beats()
                    ));
                }
                Node::Rv => {
                    ui.label(format!("EDV {:.0} / ESV {:.0} mL", b.rvedv_ml, b.rvesv_ml));
                }
                Node::La => {
                    ui.label(format!("PCWP {:.0} mmHg", b.pcwp_mmhg));
                }
                _ => {
                    ui.label(format!("CVP {:.0} mmHg", b.cvp_mmhg));
                }
            }
        }
        if n == Node::Lv {
            self.pv_loop_ui(ui);
        }
    }

    fn lungs_card_ui(&mut self, ui: &mut egui::Ui) {
        let Some(st) = &self.status else {
            return;
        };
        ui.label(format!("Lung water {:.1} mL/kg", st.lung_water_ml_kg));
        ui.label(format!(
            "Net filtration {:+.0} mL/h",
            st.lung_water_gain_ml_h
        ));
        ui.colored_label(
            risk_color(st.edema_risk),
            format!("Oedema risk: {}", st.edema_reason),
        );
        if let Some(b) = self.means() {
            ui.label(format!(
                "Pulmonary capillary pressure {:.0} mmHg, PCWP {:.0} mmHg",
                b.mean.pulmonary_capillary_mmhg, b.mean.pcwp_mmhg
            ));
        }
    }

    /// Means of the last few beats (the tiles and the alarms).
    fn means(&self) -> Option<BeatMeans> {
        ecmo_unload::monitor::latest_means(&self.beats, TILE_BEATS)
    }

    fn tiles_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.means() else {
            ui.label("waiting for the first beat...");
            return;
        };
        let b = m.mean;
        // Fixed-size tiles wrap as whole tiles, like a monitor's parameter boxes.
        ui.horizontal_wrapped(|ui| {
            tile(ui, "HR", format!("{:.0}", b.hr_bpm), LV);
            tile(
                ui,
                "ABP",
                format!("{:.0}/{:.0} ({:.0})", b.sbp_mmhg, b.dbp_mmhg, b.map_mmhg),
                ART,
            );
            tile(ui, "CVP", format!("{:.0}", b.cvp_mmhg), CVP);
            tile(
                ui,
                "PA",
                format!(
                    "{:.0}/{:.0} ({:.0})",
                    b.pap_sys_mmhg, b.pap_dia_mmhg, b.pap_mean_mmhg
                ),
                PA,
            );
            tile(ui, "PCWP", format!("{:.0}", b.pcwp_mmhg), LA);
            tile(
                ui,
                "CO native",
                format!("{:.1}", b.native_co_l_min),
                Color32::WHITE,
            );
            tile(ui, "LVEDP", format!("{:.0}", b.lvedp_mmhg), LV);
            tile(ui, "LVEDV", format!("{:.0}", b.lvedv_ml), LV);
            tile(ui, "EF", format!("{:.0} %", b.lvef_pct), LV);
            tile(
                ui,
                "AV opening",
                format!("{:.0} %", m.av_opening_pct),
                Color32::WHITE,
            );
            tile(ui, "CPO", format!("{:.2} W", b.cpo_w), Color32::WHITE);
            tile(
                ui,
                "MVO2",
                format!("{:.0} mL/min", b.mvo2_ml_min),
                Color32::WHITE,
            );
            let spo2 = Color32::from_rgb(80, 230, 230);
            // A pulse oximeter reads only over a pulse: `---` without one.
            let reading = |x: Option<f64>| x.map_or("---".to_string(), |x| format!("{x:.0} %"));
            tile(ui, "SpO2 upper", reading(spo2_upper_pct(&b)), spo2);
            tile(ui, "SpO2 lower", reading(spo2_lower_pct(&b)), spo2);
            tile(ui, "SvO2", format!("{:.0} %", b.svo2_pct), CVP);
            tile(
                ui,
                "Pc lung",
                format!("{:.0}", b.pulmonary_capillary_mmhg),
                LA,
            );
            if let Some(st) = &self.status {
                let arrow = if st.lung_water_gain_ml_h > lungs::RISING_ML_H {
                    " ^"
                } else {
                    ""
                };
                let name = format!("EVLWI {}", serde_plain(&st.edema_risk));
                tile(
                    ui,
                    &name,
                    format!("{:.1}{arrow}", st.lung_water_ml_kg),
                    risk_color(st.edema_risk),
                );
                if let Some(z) = st.mixing_zone {
                    tile(ui, "Mixing zone", serde_plain(&z), Color32::WHITE);
                }
            }
            let p = &self.patient;
            let device = DEVICE;
            // Red when an inlet is sucking down.
            let alarm = |on: bool| if on { Color32::RED } else { device };
            if p.ecmo.enabled {
                tile(
                    ui,
                    "ECMO",
                    format!("{:.1} L/min", b.ecmo_flow_l_min),
                    device,
                );
                tile(ui, "ECMO rpm", format!("{:.0}", b.ecmo_rpm), device);
                tile(
                    ui,
                    "Inlet",
                    format!("{:.0}", b.ecmo_inlet_mmhg),
                    alarm(b.ecmo_collapse_pct >= SUCTION_ALARM_MIN_PCT),
                );
            }
            if p.ecmo.enabled && p.lv_vent.enabled {
                tile(
                    ui,
                    "Vent",
                    format!("{:.1} L/min", b.vent_flow_l_min),
                    device,
                );
            }
            if p.septostomy.diameter_mm > 0.0 {
                tile(
                    ui,
                    "Septostomy",
                    format!("{:.1} L/min", b.septostomy_flow_l_min),
                    device,
                );
            }
            if p.impella.enabled {
                tile(
                    ui,
                    "Impella",
                    format!("{:.1} L/min", b.impella_flow_l_min),
                    alarm(b.impella_suction_pct >= SUCTION_ALARM_MIN_PCT),
                );
            }
            if p.ecmo.enabled || p.impella.enabled {
                tile(
                    ui,
                    "Total flow",
                    format!("{:.1} L/min", b.total_flow_l_min),
                    Color32::WHITE,
                );
            }
            if p.iabp.enabled {
                let r = IabpReadings::of(self.beats.iter().rev().take(TILE_BEATS).rev());
                for (label, value) in iabp_reading_rows(&r) {
                    tile(ui, label, value, ART);
                }
            }
        });
        if let Some(st) = &self.status {
            ui.colored_label(
                risk_color(st.edema_risk),
                format!("Lungs: {}", st.edema_reason),
            );
        }
    }

    fn series(&self, f: impl Fn(&WaveSample) -> f64) -> PlotPoints<'static> {
        PlotPoints::from(self.waves.iter().map(|s| [s.t_s, f(s)]).collect::<Vec<_>>())
    }

    fn waves_ui(&mut self, ui: &mut egui::Ui) {
        type Trace = (&'static str, fn(&WaveSample) -> f64, Color32);
        let p = &self.patient;
        let ecg: Vec<[f64; 2]> = self.waves.iter().map(|s| [s.t_s, s.ecg_mv]).collect();
        let mut panels: Vec<(&str, Vec<Trace>)> = vec![
            (
                "arterial",
                vec![
                    ("ABP right radial", |s| s.radial_mmhg, ART),
                    ("femoral", |s| s.femoral_mmhg, FEMORAL),
                    ("LV", |s| s.lv_mmhg, LV),
                ],
            ),
            (
                "venous",
                vec![
                    ("PA", |s| s.pa_mmhg, PA),
                    ("LA (PCWP)", |s| s.la_mmhg, LA),
                    ("CVP", |s| s.cvp_mmhg, CVP),
                ],
            ),
        ];
        let mut flows: Vec<Trace> = vec![(
            "aortic valve flow mL/s",
            |s| s.aortic_flow_ml_s,
            Color32::WHITE,
        )];
        if p.ecmo.enabled {
            // L/min x 10 shares the mL/s axis readably.
            flows.push(("ECMO flow L/min x10", |s| 10.0 * s.ecmo_flow_l_min, DEVICE));
        }
        panels.push(("flow", flows));
        if p.iabp.enabled {
            panels.push((
                "balloon",
                vec![
                    ("balloon mmHg", |s| s.balloon_mmhg, BALLOON_PRESSURE),
                    ("balloon fill %", |s| s.balloon_fill_pct, DEVICE),
                ],
            ));
        }
        // One sweep: the panels share their time axis.
        let link = egui::Id::unique("sweep");
        let n = panels.len() as f32 + 1.0;
        let ecg_h = ECG_PLOT_HEIGHT;
        let h = ((ui.available_height() - ecg_h - PLETH_PLOT_HEIGHT) / (n - 1.0) - 8.0).max(70.0);
        Plot::new("ecg")
            .height(ecg_h)
            .link_axis(link, [true, false])
            .legend(sweep_legend())
            .show_axes([false, true])
            .include_y(-0.6)
            .include_y(1.4)
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        format!("ECG II ({})", p.rhythm.kind.label()),
                        PlotPoints::from(ecg),
                    )
                    .color(ECG),
                );
            });
        for (id, traces) in panels {
            Plot::new(id)
                .height(h)
                .link_axis(link, [true, false])
                .legend(sweep_legend())
                .include_y(0.0)
                .show(ui, |plot| {
                    for (name, f, color) in &traces {
                        plot.line(Line::new(*name, self.series(f)).color(*color));
                    }
                    if id == "arterial" && p.iabp.enabled {
                        // The inflation interval as a bright bar under the arterial trace.
                        for run in self.inflation_runs() {
                            plot.line(
                                Line::new("IABP inflation", PlotPoints::from(run))
                                    .color(INFLATION_BAR)
                                    .width(6.0),
                            );
                        }
                    }
                    if id == "balloon" {
                        // Timing marks as ticks above the waveform, as a console draws them.
                        for (t, mark) in self.balloon_markers() {
                            let (top, bottom) = mark.tick_mmhg();
                            plot.line(
                                // Unnamed: the console's key explains the ticks, and
                                // the legend stays small enough for a 1280x800 strip.
                                Line::new("", PlotPoints::from(vec![[t, bottom], [t, top]]))
                                    .color(mark.colour())
                                    .width(2.5),
                            );
                        }
                    }
                });
        }
        self.pleth_ui(ui, link);
    }

    /// Pulse oximeter traces of the right hand and a foot: the arterial pulse, scaled to the
    /// sweep, named with the site's saturation.
    fn pleth_ui(&self, ui: &mut egui::Ui, link: egui::Id) {
        let norm = |f: fn(&WaveSample) -> f64, offset: f64| -> Vec<[f64; 2]> {
            let (lo, hi) = self
                .waves
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
            let span = (hi - lo).max(1.0);
            self.waves
                .iter()
                .map(|s| [s.t_s, offset + (f(s) - lo) / span])
                .collect()
        };
        // The oximeters' readings: `---` over a pleth without a pulse.
        let means = self.means().map(|m| m.mean);
        let reading = |f: fn(&Beat) -> Option<f64>| {
            means
                .as_ref()
                .and_then(f)
                .map_or("---".to_string(), |x| format!("{x:.0} %"))
        };
        let (upper, lower) = (reading(spo2_upper_pct), reading(spo2_lower_pct));
        Plot::new("pleth")
            .height(PLETH_PLOT_HEIGHT)
            .link_axis(link, [true, false])
            .legend(sweep_legend())
            .show_axes([true, false])
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        format!("Pleth upper SpO2 {upper}"),
                        PlotPoints::from(norm(|s| s.radial_mmhg, 1.2)),
                    )
                    .color(SPO2),
                );
                plot.line(
                    Line::new(
                        format!("Pleth lower SpO2 {lower}"),
                        PlotPoints::from(norm(|s| s.femoral_mmhg, 0.0)),
                    )
                    .color(FEMORAL),
                );
            });
    }

    /// Consecutive samples of the sweep, pairwise.
    fn wave_pairs(&self) -> impl Iterator<Item = &[WaveSample]> {
        let (a, b) = self.waves.as_slices();
        a.windows(2).chain(b.windows(2))
    }

    /// Trigger, inflation and deflation instants of the balloon in the sweep (a console's
    /// timing marks).
    fn balloon_markers(&self) -> Vec<(f64, IabpMark)> {
        let full = self.patient.iabp.volume_ml;
        let mut marks = Vec::new();
        for w in self.wave_pairs() {
            let (a, b) = (w[0].balloon_ml, w[1].balloon_ml);
            if w[1].iabp_triggers != w[0].iabp_triggers {
                marks.push((w[1].t_s, IabpMark::Trigger));
            }
            if a < IABP_MARK_FRACTION * full && b >= IABP_MARK_FRACTION * full {
                marks.push((w[1].t_s, IabpMark::Inflate));
            }
            if a > (1.0 - IABP_MARK_FRACTION) * full && b <= (1.0 - IABP_MARK_FRACTION) * full {
                marks.push((w[1].t_s, IabpMark::Deflate));
            }
        }
        marks
    }

    /// The sweep's stretches with the balloon up (above the mark fraction of its volume), as
    /// bars at the foot of the arterial plot.
    fn inflation_runs(&self) -> Vec<Vec<[f64; 2]>> {
        let up = IABP_MARK_FRACTION * self.patient.iabp.volume_ml;
        let mut runs: Vec<Vec<[f64; 2]>> = Vec::new();
        let mut open = false;
        for s in &self.waves {
            if s.balloon_ml >= up {
                if !open {
                    runs.push(Vec::new());
                    open = true;
                }
                if let Some(run) = runs.last_mut() {
                    run.push([s.t_s, INFLATION_BAR_MMHG]);
                }
            } else {
                open = false;
            }
        }
        runs
    }

    /// The last complete beat's LV loop (closed, updated beat by beat; before the first beat,
    /// whatever there is).
    fn loop_points(&self) -> Vec<[f64; 2]> {
        self.last_beat_points(|s| [s.lv_ml, s.lv_mmhg])
    }

    /// The same beat's samples, as points of `f`.
    fn last_beat_points(&self, f: impl Fn(&WaveSample) -> [f64; 2]) -> Vec<[f64; 2]> {
        let (from, to) = self
            .beats
            .back()
            .map_or((f64::NEG_INFINITY, f64::INFINITY), |b| {
                (b.t_start_s, b.t_start_s + b.duration_s)
            });
        self.waves
            .iter()
            .filter(|s| s.t_s >= from && s.t_s <= to)
            .map(f)
            .collect()
    }

    fn pv_loop_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label("LV pressure-volume loop");
            ui.checkbox(&mut self.show_rv_loop, "RV loop");
        });
        let lv = ChamberLaw::new(&self.patient.heart.lv);
        let v_max = self.beats.back().map_or(200.0, |b| b.lvedv_ml + 40.0);
        let curve = |f: &dyn Fn(f64) -> f64| -> Vec<[f64; 2]> {
            (0..=60)
                .map(|i| lv.v0_ml + (v_max - lv.v0_ml) * f64::from(i) / 60.0)
                .map(|v| [v, f(v)])
                .collect()
        };
        let espvr = curve(&|v| lv.espvr_mmhg(v));
        let edpvr = curve(&|v| lv.edpvr_mmhg(v));
        Plot::new("pv")
            .legend(Legend::default())
            .include_x(0.0)
            .include_y(0.0)
            .x_axis_label("LV volume (mL)")
            .y_axis_label("LV pressure (mmHg)")
            .show(ui, |p| {
                p.line(Line::new("ESPVR", PlotPoints::from(espvr)).color(Color32::GRAY));
                p.line(Line::new("EDPVR", PlotPoints::from(edpvr)).color(Color32::DARK_GRAY));
                if let Some(g) = &self.ghost {
                    p.line(
                        Line::new("baseline", PlotPoints::from(g.clone()))
                            .color(Color32::from_gray(110)),
                    );
                }
                p.line(
                    Line::new("LV loop", PlotPoints::from(self.loop_points()))
                        .color(LV)
                        .width(2.0),
                );
                if self.show_rv_loop {
                    let rv = self.last_beat_points(|s| [s.rv_ml, s.rv_mmhg]);
                    p.line(
                        Line::new("RV loop", PlotPoints::from(rv))
                            .color(CVP)
                            .width(2.0),
                    );
                }
            });
    }
}

impl eframe::App for Dashboard {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll(ctx);
        self.replay.poll();
        if self.replay.is_loading() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.frames += 1;
        if let Some((path, after_s)) = &self.screenshot
            && self.t_s() >= *after_s
            && self.frames > SCREENSHOT_MIN_FRAMES
        {
            let (path, ctx2) = (path.clone(), ctx.clone());
            let failed = self.screenshot_failed.clone();
            self.screenshot = None;
            ctx.request_screenshot(move |image| {
                if let Err(e) = save_png(&path, &image)
                    && let Ok(mut slot) = failed.lock()
                {
                    *slot = Some(e);
                }
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx2.request_repaint_after(Duration::ZERO);
            });
        }
        if std::mem::take(&mut self.export_png) {
            let path = std::path::PathBuf::from(format!(
                "ecmo-unload-{}.png",
                chrono::Local::now().format("%Y%m%d-%H%M%S")
            ));
            let done = self.png_saved.clone();
            ctx.request_screenshot(move |image| {
                let shown = path.display().to_string();
                let outcome = save_png(&path, &image).map(|()| shown);
                if let Ok(mut d) = done.lock() {
                    d.push(outcome);
                }
            });
        }
        // Logged once the file is written, as what it came to.
        let outcomes: Vec<_> = self
            .png_saved
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default();
        for outcome in outcomes {
            match outcome {
                Ok(path) => self.note("user", format!("saved the screen to {path}")),
                Err(e) => {
                    self.note("system", format!("could not save the screen: {e}"));
                    self.message = Some(format!("Save PNG failed: {e}"));
                }
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.dashboard_ui(ui);
    }
}

/// Encode the screen as a PNG and save it atomically (`files::write_bytes`).
fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut encoded = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut encoded, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    }
    ecmo_unload::files::write_bytes(path, &encoded).map_err(|e| e.to_string())
}

/// A user command in words, for the event log (`None`: not worth logging).
fn describe(cmd: &Command) -> Option<String> {
    Some(match cmd {
        Command::Set { key, value } => format!("set {key} = {value}"),
        Command::Load(p) => format!("loaded patient '{}'", p.name),
        Command::Fluid {
            volume_ml,
            duration_s,
        } => format!("fluid {volume_ml:+.0} mL over {:.0} min", duration_s / 60.0),
        Command::Bolus { drug, mcg_kg } => format!("{} bolus {mcg_kg} mcg/kg", drug.name()),
        Command::JumpAhead(s) => format!("jumped ahead {:.0} min", s / 60.0),
        Command::CancelJump => "cancelled the jump ahead".into(),
        Command::Fit(ms) => format!(
            "fit to {}",
            ms.iter()
                .map(|m| format!("{} = {}", m.key, m.value))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Command::LoadScenario(sc) => format!("started scenario '{}'", sc.title),
        Command::FireNextEvent => "fired the next scenario event".into(),
        Command::Cohort { n, seed, .. } => format!("virtual cohort of {n} patients (seed {seed})"),
        Command::Forecast(strategies) => format!(
            "forecast: {}",
            strategies
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Command::Pause(true) => "paused".into(),
        Command::Pause(false) => "resumed".into(),
        Command::Speed(x) => format!("speed x{x}"),
        Command::Shutdown | Command::Crash => return None,
    })
}

/// A monitor's parameter box: a small name over a big value. Fixed-size tiles wrap as whole
/// tiles.
fn tile(ui: &mut egui::Ui, name: &str, value: String, color: Color32) {
    let measured = ui
        .painter()
        .layout_no_wrap(value.clone(), egui::FontId::proportional(TILE_FONT), color)
        .size()
        .x;
    let width = TILE_MIN_WIDTH.max(measured + TILE_PADDING);
    ui.allocate_ui_with_layout(
        egui::vec2(width, TILE_HEIGHT),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.set_min_size(egui::vec2(width, TILE_HEIGHT));
            ui.label(RichText::new(name).small());
            ui.label(RichText::new(value).size(TILE_FONT).color(color).strong());
        },
    );
}

/// A unit enum's serde name (`flow`, `5.5`, `ecg`): the value its key takes.
/// A timing mark on the balloon plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IabpMark {
    Trigger,
    Inflate,
    Deflate,
}

impl IabpMark {
    fn label(self) -> &'static str {
        match self {
            IabpMark::Trigger => "trigger",
            IabpMark::Inflate => "inflate",
            IabpMark::Deflate => "deflate",
        }
    }

    fn colour(self) -> Color32 {
        match self {
            IabpMark::Trigger => Color32::from_rgb(255, 235, 0),
            IabpMark::Inflate => Color32::from_rgb(0, 255, 140),
            IabpMark::Deflate => Color32::from_rgb(0, 170, 255),
        }
    }

    /// The tick's span on the balloon plot: the trigger's row above the timing marks'.
    fn tick_mmhg(self) -> (f64, f64) {
        match self {
            IabpMark::Trigger => (IABP_TICK_TOP_MMHG, IABP_TICK_TOP_MMHG - IABP_TICK_MMHG),
            IabpMark::Inflate | IabpMark::Deflate => (
                IABP_TICK_TOP_MMHG - IABP_TICK_MMHG,
                IABP_TICK_TOP_MMHG - 2.0 * IABP_TICK_MMHG,
            ),
        }
    }
}

/// The waveform sweep's legends sit at its left: the newest samples are drawn on the right.
fn sweep_legend() -> Legend {
    Legend::default()
        .position(egui_plot::Corner::LeftTop)
        .text_style(egui::TextStyle::Small)
        .background_alpha(0.6)
}

/// The IABP console's five readings as (label, mmHg or `--`): what a console's screen shows.
fn iabp_reading_rows(r: &IabpReadings) -> [(&'static str, String); 5] {
    let show = |x: Option<f64>| x.map_or("--".to_string(), |v| format!("{v:.0}"));
    [
        ("IABP aug", show(r.iabp_peak_diastolic_mmhg)),
        ("AEDP", show(r.iabp_aedp_mmhg)),
        ("UAEDP", show(r.iabp_uaedp_mmhg)),
        ("Assisted sys", show(r.iabp_assisted_systolic_mmhg)),
        ("Unassisted sys", show(r.iabp_unassisted_systolic_mmhg)),
    ]
}

/// Where a `--screenshot`'s failure is written from the window.
type ScreenshotFailure = std::sync::Arc<std::sync::Mutex<Option<String>>>;

/// Open the dashboard window on a patient. `screenshot`: run that many simulated seconds, save a
/// PNG of the window to the path and quit.
pub fn run(
    patient: Patient,
    screenshot: Option<(std::path::PathBuf, f64)>,
    tab: Tab,
    window: [f32; 2],
    scenario: Option<ecmo_unload::scenario::Scenario>,
    replay: Option<std::path::PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(patient)?;
    // A screenshot's outcome, handed out of the window's closure.
    let failed: std::sync::Arc<std::sync::Mutex<Option<ScreenshotFailure>>> = Default::default();
    let failed_slot = failed.clone();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size(window)
            .with_title("ecmo-unload"),
        ..Default::default()
    };
    eframe::run_native(
        "ecmo-unload",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_visuals(egui::Visuals::dark());
            let mut d = Dashboard::new(engine, &cc.egui_ctx)?;
            if let Some(s) = scenario {
                d.command(Command::LoadScenario(Box::new(s)));
            }
            d.set_tab(tab);
            if let Some(dir) = &replay {
                d.open_replay(dir);
            }
            if let Ok(mut slot) = failed_slot.lock() {
                *slot = Some(d.screenshot_failed.clone());
            }
            Ok(Box::new(match screenshot {
                Some((path, after_s)) => d.screenshot_at(path, after_s),
                None => d,
            }))
        }),
    )?;
    let failed = failed
        .lock()
        .ok()
        .and_then(|slot| slot.as_ref().and_then(|f| f.lock().ok()?.clone()));
    match failed {
        Some(why) => Err(why.into()),
        None => Ok(()),
    }
}

/// CPU time of the dashboard's frames (layout, plots and tessellation: all a frame costs
/// before the GPU) at `size` points, with every panel drawn: `frames` timed after `warmup`.
/// The headless backend steps the engine inside each frame, as the thread would beside it.
pub fn frame_times(
    patient: Patient,
    size: [f32; 2],
    tab: Tab,
    warmup: usize,
    frames: usize,
) -> Result<Vec<Duration>, ecmo_unload::Error> {
    let ctx = egui::Context::default();
    ctx.set_visuals(egui::Visuals::dark());
    let mut app = Dashboard::headless(Engine::new(patient)?);
    app.set_tab(tab);
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(size[0], size[1]),
        )),
        ..Default::default()
    };
    let mut times = Vec::with_capacity(frames);
    for i in 0..warmup + frames {
        let start = std::time::Instant::now();
        let out = ctx.run_ui(input.clone(), |ui| {
            app.poll(ui.ctx());
            app.dashboard_ui(ui);
        });
        let primitives = ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(primitives);
        if i >= warmup {
            times.push(start.elapsed());
        }
    }
    Ok(times)
}

/// Frames drawn before a `--screenshot` may be taken (fonts and layout settle).
const SCREENSHOT_MIN_FRAMES: u32 = 30;
