//! The dashboard: a thin immediate-mode view over the engine. Data flows one way: controls ->
//! commands -> simulation -> samples and beats -> views. No physiology here: numbers come from
//! the monitor, curves from the chamber laws of the model.

pub mod bedside;
mod events;
pub mod panels;
pub mod record;
pub mod schematic;
pub mod sim;
mod style;
pub mod table;
pub mod tabs;
pub mod widgets;
mod window;

// The paths the dashboard's modules have always had.
pub use bedside::{BedsideMonitor, run_bedside};
pub use panels::alarm_view;
pub use record::{debrief, log};
pub use tabs::{blood_gas, calibrate, replay, scenario_view, trends, what_if};
pub use window::{Serve, frame_times, run};
pub(crate) use window::{run_window, save_png};

use alarm_view::AlarmPanel;
use ecmo_unload::engine::SUCTION_ALARM_MIN_PCT;
use ecmo_unload::engine::Status;
use ecmo_unload::heart::ChamberLaw;
use ecmo_unload::lungs;
use ecmo_unload::monitor::{Beat, BeatMeans, spo2_lower_pct, spo2_upper_pct};
use ecmo_unload::{Engine, Patient, presets, settings};
use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints};
use log::{EventLog, Recorder};
use panels::consoles;
use sim::{Command, Event, Output, Picture, SimThread, Stepper, WaveSample};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;
use style::{ART, CVP, DEVICE, ECG, INFLATION_BAR, LA, LV, PA, SPO2, risk_color, serde_plain};
use trends::Trends;
use what_if::WhatIf;
use widgets::{IabpMark, TILE_BEATS, TILE_FONT, tile};

/// The Monitor tab's share of width for the sweep (the PV loop has the rest).
const SWEEP_SHARE: f32 = 0.6;
/// Seconds of waveform on screen (a bedside monitor sweeps 5-10 s).
const SWEEP_S: f64 = 8.0;
/// Beats kept for the view: the tiles, the AV-opening strip and the closed-valve alarm.
/// As many as the engine's monitor keeps: the schematic's count of beats without ejection and
/// the alarm's are the same number.
const BEAT_HISTORY: usize = ecmo_unload::monitor::BEAT_LOG_CAPACITY;
/// The inline backend advances this much simulated time per frame at x1.
const INLINE_FRAME_S: f64 = 1.0 / 60.0;
/// Repaint cadence while the simulation runs.
const FRAME: Duration = Duration::from_millis(16);
const SPEEDS: [f64; 5] = [1.0, 2.0, 5.0, 10.0, 60.0];

/// Balloon timing marks where the balloon passes this share of its volume.
const IABP_MARK_FRACTION: f64 = 0.1;
const UNLOADING_TREND_HEIGHT: f32 = 220.0;
const UNLOADING_SPACING: f32 = 28.0;
const PRESET_PATH_WIDTH: f32 = 260.0;
/// "Jump ahead" offers: (label, simulated minutes).
/// Width of the jump-ahead progress bar (points).
const JUMP_BAR_WIDTH: f32 = 160.0;
const JUMPS: [(&str, f64); 3] = [("+1 min", 1.0), ("+10 min", 10.0), ("+60 min", 60.0)];

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
/// The dashboard's views, in the order of their buttons. The command line's `--tab` takes
/// the same list (a `clap::ValueEnum`): one list, no second spelling to keep in step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Tab {
    /// The bedside monitor: tiles, waveforms, pleth strips, the PV loop
    Monitor,
    /// The circulation schematic: volumes, flows, saturations, the mixing zone
    Circulation,
    /// LV unloading on one screen: the LV, the aortic valve, the lungs, the coronaries
    Unloading,
    /// Forecasts of strategies from the running patient, and a virtual cohort
    WhatIf,
    /// The patient fitted to bedside measurements
    Calibrate,
    /// A teaching scenario: its timeline, objectives and checkpoints
    Scenario,
    /// Minutes to hours of beat means and slow state
    Trends,
    /// Blood gases drawn on request, printed as the laboratory prints them
    BloodGas,
    /// Every change, alarm and scenario event, with wall-clock and simulated time
    #[value(name = "log", alias = "event-log")]
    EventLog,
    /// A recording read back and scrubbed through
    Replay,
}

impl Tab {
    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Monitor => "Monitor",
            Tab::Circulation => "Circulation",
            Tab::Unloading => "Unloading",
            Tab::WhatIf => "What-if",
            Tab::Calibrate => "Calibrate",
            Tab::Scenario => "Scenario",
            Tab::Trends => "Trends",
            Tab::BloodGas => "Blood gas",
            Tab::EventLog => "Event log",
            Tab::Replay => "Replay",
        }
    }
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
    /// The engine's alarms at the last frame's end.
    engine_alarms: Vec<ecmo_unload::alarms::Active>,
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
    blood_gas: blood_gas::BloodGasPanel,
    replay: replay::Replay,
    /// The whole circulation at the last frame (the schematic's data).
    picture: Picture,
    schematic: schematic::Schematic,
    /// The session served to trainees' bedside monitors (`--listen`), if it is.
    lab: Option<ecmo_unload_lab::Instructor>,
    /// The user's command that starts a new session, for the new session's log.
    restart_note: Option<String>,
    /// Since when each of the engine's alarms has been on (simulated time, from the stepper:
    /// right across a jump ahead).
    alarm_onsets: ecmo_unload::alarms::Onsets,
    /// When a `--screenshot` of the What-if tab stops waiting for its forecasts.
    screenshot_due: Option<std::time::Instant>,
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
            engine_alarms: Vec::new(),
            failed: None,
            preset_path: String::new(),
            export_png: false,
            png_saved: Default::default(),
            file_error: None,
            what_if: WhatIf::default(),
            show_rv_loop: false,
            calibrate: calibrate::Calibrate::default(),
            scenario: scenario_view::ScenarioPanel::default(),
            blood_gas: blood_gas::BloodGasPanel::default(),
            replay: replay::Replay::default(),
            picture: Picture::default(),
            schematic: schematic::Schematic::default(),
            lab: None,
            restart_note: None,
            screenshot_due: None,
            alarm_onsets: Default::default(),
        };
        d.refresh_values();
        let name = d.patient.name.clone();
        d.note_at(0.0, "system", format!("new session: patient '{name}'"));
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

    /// Serve this session to trainees' bedside monitors on `addr` (`host:port`) with `code`;
    /// they see `bed` as the patient's name.
    ///
    /// # Errors
    /// The address cannot be taken, or the code is not one a monitor can send.
    pub fn serve(
        &mut self,
        addr: &str,
        code: &str,
        bed: &str,
    ) -> Result<(), ecmo_unload_lab::LabError> {
        let lab = ecmo_unload_lab::Instructor::listen(addr, code, bed)?;
        self.note(
            "lab",
            format!(
                "serving the bedside monitor on {} (code {code})",
                lab.local_addr()
            ),
        );
        self.lab = Some(lab);
        self.send(Command::ServeBedside(true));
        Ok(())
    }

    /// The session being served, if it is (its address, code and trainees).
    pub fn lab(&self) -> Option<&ecmo_unload_lab::Instructor> {
        self.lab.as_ref()
    }

    /// Play the alarm tones through the machine's player (the window; tests stay quiet).
    pub fn with_sound(mut self) -> Self {
        self.alarms = AlarmPanel::new(bedside::sound::Speaker::new());
        self
    }

    /// Draw a blood gas now (from the last reported state) and log it with its time.
    pub fn take_blood_gas(&mut self) {
        let Some(status) = &self.status else {
            self.message = Some("no blood to sample yet: the simulation has not reported".into());
            return;
        };
        let gases = status.gases;
        self.blood_gas.take(gases);
        self.note_at(
            gases.t_s,
            "user",
            blood_gas::BloodGasPanel::log_line(&gases),
        );
    }

    /// Blood gases taken so far, oldest first.
    pub fn blood_gases_taken(&self) -> &[ecmo_unload::blood_gas::BloodGases] {
        self.blood_gas.taken()
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

    /// The last state the simulation sent as its checkpoint (a restart resumes from it).
    pub fn checkpoint(&self) -> Option<&Engine> {
        self.checkpoint.as_deref()
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
        // The engine's own alarms (sent with each frame), not a recomputation from the
        // dashboard's beat buffer: the screen and `run --json` agree.
        let t = self.t_s();
        let running = ecmo_unload::alarms::Running::of(&self.patient);
        let now = self
            .engine_alarms
            .iter()
            .map(|x| {
                let since = self.alarm_onsets.since(x.alarm).unwrap_or(t);
                alarm_view::Raised::of(x, since, running)
            })
            .collect();
        // The log's alarm rows come with the frames (`Output::alarm_changes`); the panel's
        // changes are the screen's.
        self.alarms.update(now);
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
            let wall_s = ui.input(|i| i.time);
            self.alarms.sound(wall_s);
            for line in self.alarms.alarms_ui(ui, t, wall_s) {
                self.note("user", line);
            }
        });
        egui::Panel::left("patient")
            .resizable(false)
            .show(ui, |ui| self.controls_ui(ui, consoles::patient_panel));
        egui::Panel::right("support")
            .resizable(false)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| self.controls_ui(ui, consoles::support_panel));
            });
        egui::CentralPanel::default().show(ui, |ui| {
            // Wrapped: at 1280 px the ten tabs need two rows rather than losing the last.
            ui.horizontal_wrapped(|ui| {
                for &tab in <Tab as clap::ValueEnum>::value_variants() {
                    if ui.selectable_label(self.tab == tab, tab.label()).clicked() {
                        self.tab = tab;
                    }
                }
            });
            match self.tab {
                Tab::Monitor => {
                    self.tiles_ui(ui);
                    ui.separator();
                    // The sweep takes the larger share; the loop the rest.
                    let (w, h) = (ui.available_width(), ui.available_height());
                    let sweep_w = SWEEP_SHARE * w;
                    ui.horizontal_top(|ui| {
                        let down = egui::Layout::top_down(egui::Align::Min);
                        ui.allocate_ui_with_layout(egui::vec2(sweep_w, h), down, |ui| {
                            // On a very small window the strips scroll rather than vanish.
                            egui::ScrollArea::vertical()
                                .id_salt("waves")
                                .show(ui, |ui| self.waves_ui(ui));
                        });
                        ui.allocate_ui_with_layout(
                            egui::vec2(ui.available_width(), h),
                            down,
                            |ui| self.pv_loop_ui(ui),
                        );
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
                Tab::BloodGas => {
                    let ask = egui::ScrollArea::both()
                        .id_salt("blood_gas")
                        .show(ui, |ui| self.blood_gas.blood_gas_ui(ui))
                        .inner;
                    if let Some(blood_gas::Ask::Take) = ask {
                        self.take_blood_gas();
                    }
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
        let running = ecmo_unload::alarms::Running::of(&self.patient);
        match self
            .what_if
            .what_if_ui(ui, &current, ecmo, &alarms, running, ready)
        {
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
}

impl eframe::App for Dashboard {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll(ctx);
        self.replay.poll();
        if self.replay.is_loading() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        self.frames += 1;
        // A picture of the What-if tab waits for its forecasts (a while at most: a patient
        // with no beats never gets any).
        let forecasting = self.tab == Tab::WhatIf && self.what_if.results.is_none();
        if forecasting
            && self
                .screenshot
                .as_ref()
                .is_some_and(|(_, a)| self.t_s() >= *a)
            && self.screenshot_due.is_none()
        {
            self.screenshot_due = Some(std::time::Instant::now() + SCREENSHOT_FORECAST_WAIT);
        }
        let waiting = forecasting
            && self
                .screenshot_due
                .is_none_or(|due| std::time::Instant::now() < due);
        if waiting && self.screenshot.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if let Some((path, after_s)) = &self.screenshot
            && self.t_s() >= *after_s
            && self.frames > SCREENSHOT_MIN_FRAMES
            && !waiting
        {
            let (path, ctx2) = (path.clone(), ctx.clone());
            let failed = self.screenshot_failed.clone();
            self.screenshot = None;
            // A picture of the blood-gas tab shows a gas drawn at its time, as if the user
            // had pressed the button then.
            if self.tab == Tab::BloodGas && self.blood_gas.taken().is_empty() {
                self.take_blood_gas();
            }
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

/// How long a `--screenshot` of the What-if tab waits for its forecasts (wall clock).
const SCREENSHOT_FORECAST_WAIT: Duration = Duration::from_secs(90);
/// Frames drawn before a `--screenshot` may be taken (fonts and layout settle).
const SCREENSHOT_MIN_FRAMES: u32 = 30;
