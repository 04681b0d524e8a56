//! The dashboard: a thin immediate-mode view over the engine. Data flows one way: controls ->
//! commands -> simulation -> samples and beats -> views. No physiology here: numbers come from
//! the monitor, curves from the chamber laws of the model.

pub mod sim;

use crate::heart::ChamberLaw;
use crate::monitor::{Beat, BeatMeans};
use crate::{Engine, Patient, presets, settings};
use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints};
use sim::{Command, Event, SimThread, Stepper, WaveSample};
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// Seconds of waveform on screen (a bedside monitor sweeps 5-10 s).
const SWEEP_S: f64 = 8.0;
/// Beats averaged for the numeric tiles.
const TILE_BEATS: usize = 5;
/// The inline backend advances this much simulated time per frame at x1.
const INLINE_FRAME_S: f64 = 1.0 / 60.0;
/// Repaint cadence while the simulation runs.
const FRAME: Duration = Duration::from_millis(16);
const SPEEDS: [f64; 5] = [1.0, 2.0, 5.0, 10.0, 60.0];

/// Monitor colour conventions: arterial red, PA yellow, CVP blue, LA/PCWP orange.
const ART: Color32 = Color32::from_rgb(240, 70, 70);
const FEMORAL: Color32 = Color32::from_rgb(255, 150, 150);
const LV: Color32 = Color32::from_rgb(120, 220, 120);
const PA: Color32 = Color32::from_rgb(250, 220, 60);
const CVP: Color32 = Color32::from_rgb(80, 160, 255);
const LA: Color32 = Color32::from_rgb(255, 160, 60);

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
];

enum Backend {
    Thread(SimThread),
    /// No thread: the engine advances inside `logic`, a fixed amount per frame (tests).
    Inline {
        stepper: Box<Stepper>,
        paused: bool,
        speed: f64,
    },
}

pub struct Dashboard {
    backend: Backend,
    patient: Patient,
    /// Current numeric value of every key (refreshed when the patient changes).
    values: BTreeMap<String, f64>,
    waves: VecDeque<WaveSample>,
    beats: VecDeque<Beat>,
    ghost: Option<Vec<[f64; 2]>>,
    paused: bool,
    speed: f64,
    message: Option<String>,
    /// Take a screenshot to this path after this many frames, then close.
    screenshot: Option<(std::path::PathBuf, u32)>,
    frames: u32,
}

impl Dashboard {
    /// The dashboard with its simulation thread.
    pub fn new(engine: Engine, ctx: &egui::Context) -> std::io::Result<Self> {
        let patient = engine.patient().clone();
        let wake_ctx = ctx.clone();
        let thread = SimThread::spawn(engine, move || {
            wake_ctx.request_repaint_after(Duration::ZERO)
        })?;
        Ok(Self::with_backend(Backend::Thread(thread), patient))
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
            values: BTreeMap::new(),
            patient,
            waves: VecDeque::new(),
            beats: VecDeque::new(),
            ghost: None,
            paused: false,
            speed: 1.0,
            message: None,
            screenshot: None,
            frames: 0,
        };
        d.refresh_values();
        d
    }

    pub fn screenshot_after(mut self, path: std::path::PathBuf, frames: u32) -> Self {
        self.screenshot = Some((path, frames));
        self
    }

    /// The patient as the simulation last reported it.
    pub fn patient(&self) -> &Patient {
        &self.patient
    }

    /// Completed beats received so far (most recent last).
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
                    if let Some(ev) = stepper.apply(&other) {
                        self.handle(ev);
                    }
                }
            },
        }
    }

    /// Drain what the simulation produced; called once per frame before drawing.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let mut events = Vec::new();
        match &mut self.backend {
            Backend::Thread(t) => {
                events.extend(t.events.try_iter());
                if t.is_finished() && self.message.is_none() {
                    self.message = Some(
                        "the simulation thread stopped unexpectedly: load a preset to restart"
                            .into(),
                    );
                }
            }
            Backend::Inline {
                stepper,
                paused,
                speed,
            } => {
                if !*paused {
                    let (mut samples, mut beats) = (Vec::new(), Vec::new());
                    stepper.advance(INLINE_FRAME_S * *speed, &mut samples, |b| beats.push(b));
                    events.push(Event::Frame { samples, beats });
                }
            }
        }
        for ev in events {
            self.handle(ev);
        }
        if !self.paused {
            ctx.request_repaint_after(FRAME);
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Frame { samples, beats } => {
                self.waves.extend(samples);
                for b in beats {
                    self.push_beat(b);
                }
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
                self.beats.clear();
                self.ghost = None;
                self.message = None;
                self.patient = *p;
                self.refresh_values();
            }
            Event::Rejected(msg) => {
                // The slider showed a value the simulation refused: put the real one back.
                self.message = Some(msg);
                self.refresh_values();
            }
        }
    }

    fn push_beat(&mut self, b: Beat) {
        self.beats.push_back(b);
        while self.beats.len() > TILE_BEATS {
            self.beats.pop_front();
        }
    }

    /// The whole dashboard.
    pub fn dashboard_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("top").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::left("patient")
            .resizable(false)
            .show(ui, |ui| self.patient_ui(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            self.tiles_ui(ui);
            ui.separator();
            ui.columns(2, |cols| {
                self.waves_ui(&mut cols[0]);
                self.pv_loop_ui(&mut cols[1]);
            });
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
            let t = self.waves.back().map_or(0.0, |s| s.t_s);
            ui.label(format!("t = {t:.0} s"));
        });
        if let Some(msg) = &self.message {
            ui.colored_label(Color32::from_rgb(255, 120, 120), msg);
        }
    }

    fn patient_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Patient");
        let mut changes = Vec::new();
        for (label, key) in PATIENT_SLIDERS {
            let (Some(spec), Some(value)) = (settings::spec_of(key), self.values.get_mut(*key))
            else {
                continue;
            };
            ui.label(format!("{label} ({})", spec.unit));
            let r = ui.add(
                egui::Slider::new(value, spec.min..=spec.max)
                    .logarithmic(spec.min > 0.0 && spec.max / spec.min > 50.0),
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
        ui.separator();
        if ui.button("Capture baseline loop").clicked() {
            self.ghost = Some(self.loop_points());
        }
    }

    fn means(&self) -> Option<BeatMeans> {
        (!self.beats.is_empty()).then(|| BeatMeans::of(self.beats.iter()))
    }

    fn tiles_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.means() else {
            ui.label("waiting for the first beat...");
            return;
        };
        let b = m.mean;
        let tile = |ui: &mut egui::Ui, name: &str, value: String, color: Color32| {
            ui.vertical(|ui| {
                ui.label(RichText::new(name).small());
                ui.label(RichText::new(value).size(26.0).color(color).strong());
            });
            ui.add_space(14.0);
        };
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
        });
    }

    fn series(&self, f: impl Fn(&WaveSample) -> f64) -> PlotPoints<'static> {
        PlotPoints::from(self.waves.iter().map(|s| [s.t_s, f(s)]).collect::<Vec<_>>())
    }

    fn waves_ui(&mut self, ui: &mut egui::Ui) {
        type Trace = (&'static str, fn(&WaveSample) -> f64, Color32);
        let panels: [(&str, &[Trace]); 3] = [
            (
                "arterial",
                &[
                    ("ABP right radial", |s| s.arch_mmhg, ART),
                    ("femoral", |s| s.femoral_mmhg, FEMORAL),
                    ("LV", |s| s.lv_mmhg, LV),
                ],
            ),
            (
                "venous",
                &[
                    ("PA", |s| s.pa_mmhg, PA),
                    ("LA (PCWP)", |s| s.la_mmhg, LA),
                    ("CVP", |s| s.cvp_mmhg, CVP),
                ],
            ),
            (
                "flow",
                &[(
                    "aortic valve flow mL/s",
                    |s| s.aortic_flow_ml_s,
                    Color32::WHITE,
                )],
            ),
        ];
        // One sweep: the panels share their time axis.
        let link = egui::Id::unique("sweep");
        let h = (ui.available_height() / panels.len() as f32 - 8.0).max(80.0);
        for (id, traces) in panels {
            Plot::new(id)
                .height(h)
                .link_axis(link, [true, false])
                .legend(Legend::default())
                .include_y(0.0)
                .show(ui, |p| {
                    for (name, f, color) in traces {
                        p.line(Line::new(*name, self.series(f)).color(*color));
                    }
                });
        }
    }

    /// LV (volume, pressure) over the last beat and a bit.
    fn loop_points(&self) -> Vec<[f64; 2]> {
        let from = self.beats.back().map_or(f64::NEG_INFINITY, |b| b.t_start_s);
        self.waves
            .iter()
            .filter(|s| s.t_s >= from)
            .map(|s| [s.lv_ml, s.lv_mmhg])
            .collect()
    }

    fn pv_loop_ui(&mut self, ui: &mut egui::Ui) {
        ui.label("LV pressure-volume loop");
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
            });
    }
}

impl eframe::App for Dashboard {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll(ctx);
        self.frames += 1;
        if let Some((path, after)) = &self.screenshot
            && self.frames == *after
        {
            let (path, ctx2) = (path.clone(), ctx.clone());
            ctx.request_screenshot(move |image| {
                if let Err(e) = save_png(&path, &image) {
                    eprintln!("error: {}: {e}", path.display());
                }
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx2.request_repaint_after(Duration::ZERO);
            });
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.dashboard_ui(ui);
    }
}

fn save_png(
    path: &std::path::Path,
    image: &egui::ColorImage,
) -> Result<(), Box<dyn std::error::Error>> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let [w, h] = image.size;
    let mut enc = png::Encoder::new(file, w as u32, h as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    writer.write_image_data(&bytes)?;
    Ok(())
}

/// Open the dashboard window on a preset. `screenshot`: save a PNG after some frames and quit.
pub fn run(
    preset: &str,
    screenshot: Option<std::path::PathBuf>,
) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(presets::load(preset)?)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1600.0, 1000.0])
            .with_title("ecmo-unload"),
        ..Default::default()
    };
    eframe::run_native(
        "ecmo-unload",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_visuals(egui::Visuals::dark());
            let d = Dashboard::new(engine, &cc.egui_ctx)?;
            Ok(Box::new(match screenshot {
                Some(p) => d.screenshot_after(p, SCREENSHOT_AFTER_FRAMES),
                None => d,
            }))
        }),
    )?;
    Ok(())
}

/// Frames before a `--screenshot` is taken: enough for several beats at 60 fps.
const SCREENSHOT_AFTER_FRAMES: u32 = 360;
