//! The trainee's bedside monitor: a window on a session the instructor serves
//! (`ecmo-unload monitor --connect ADDR --code CODE`).
//!
//! It shows what a bedside monitor and the device consoles would: waveforms, numbers, alarms
//! (with their tones), console readings. It has no settings, no case title beyond the bed's
//! neutral name, no cause and no scenario: the frames it receives carry none
//! (`ecmo_unload::session::bedside`). It cannot change the patient; only "Silence 2 min" and
//! "Acknowledge", which act on this screen alone.

pub mod sound;
pub mod strips;

use crate::alarm_view::{AlarmPanel, Raised};
use crate::style::{ART, BALLOON_PRESSURE, CVP, DEVICE, ECG, LA, LV, PA, SPO2};
use crossbeam_channel::Receiver;
use ecmo_unload::session::bedside::{BedsideFrame, BedsideSample};
use ecmo_unload_lab::{BedsideLink, LinkEvent};
use egui::{Color32, RichText};
use std::collections::VecDeque;
use std::time::Duration;
use strips::{Scale, Trace};

/// Seconds of waveform on screen (a bedside monitor sweeps 5-10 s).
pub const SWEEP_S: f64 = 8.0;
/// A numeric tile's size (points): fixed, so the grid never reflows as values change.
const TILE_SIZE: egui::Vec2 = egui::vec2(150.0, 66.0);
/// Tiles per row of the numeric column.
const TILE_COLUMNS: usize = 2;
/// A console reading's size (points), and the width of a console's name before its readings.
const CONSOLE_TILE: egui::Vec2 = egui::vec2(100.0, 48.0);
const CONSOLE_NAME_WIDTH: f32 = 60.0;
/// Value fonts of the tiles and console readings.
const TILE_FONT: f32 = 26.0;
const CONSOLE_FONT: f32 = 18.0;
/// Without a frame for this long (wall clock) the screen says the numbers are old.
const STALE_S: f64 = 3.0;
/// How dark the screen goes without live data (alpha of black), and the notice's size.
const NO_DATA_DIM: u8 = 170;
const NO_DATA_FONT: f32 = 28.0;
/// How often the monitor repaints while connected (the sweep moves at 10 updates a second).
const REPAINT: Duration = Duration::from_millis(50);
/// Frames drawn before a `--screenshot` may be taken (fonts and layout settle).
const SCREENSHOT_MIN_FRAMES: u64 = 5;

/// The link's state, as the top bar says it.
#[derive(Clone, Debug, PartialEq)]
pub enum Connection {
    Connecting,
    Connected,
    /// Lost; the link is reconnecting.
    Lost(String),
    /// The session refused the code: nothing more will come.
    Refused(String),
}

/// The trainee's bedside monitor.
pub struct BedsideMonitor {
    events: Receiver<LinkEvent>,
    /// Held for its thread (none when fed by a test's channel).
    _link: Option<BedsideLink>,
    /// The instructor's address, for the title line.
    addr: String,
    bed: String,
    connection: Connection,
    samples: VecDeque<BedsideSample>,
    /// The latest frame's state (its samples are moved into `samples`).
    latest: BedsideFrame,
    /// Wall time (egui's clock) of the last frame.
    last_frame_s: Option<f64>,
    alarms: AlarmPanel,
    frames: u64,
    /// Save a PNG after this many wall seconds, then close.
    screenshot: Option<(std::path::PathBuf, f64)>,
    screenshot_failed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl BedsideMonitor {
    /// A monitor fed by `events` (a [`BedsideLink`]'s, or a test's channel).
    pub fn new(events: Receiver<LinkEvent>, addr: &str, speaker: sound::Speaker) -> Self {
        Self {
            events,
            _link: None,
            addr: addr.to_string(),
            bed: "Bedside monitor".into(),
            connection: Connection::Connecting,
            samples: VecDeque::new(),
            latest: BedsideFrame::default(),
            last_frame_s: None,
            alarms: AlarmPanel::new(speaker),
            frames: 0,
            screenshot: None,
            screenshot_failed: Default::default(),
        }
    }

    /// A monitor connected to the session at `addr` with `code`.
    pub fn connect(
        ctx: &egui::Context,
        addr: &str,
        code: &str,
        name: &str,
        speaker: sound::Speaker,
    ) -> Result<Self, ecmo_unload_lab::LabError> {
        let wake = ctx.clone();
        let link = BedsideLink::spawn(addr, code, name, move || wake.request_repaint())?;
        let mut m = Self::new(link.events().clone(), addr, speaker);
        m._link = Some(link);
        Ok(m)
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The latest numbers and state received.
    pub fn latest(&self) -> &BedsideFrame {
        &self.latest
    }

    /// The alarm area (its sound pause, its list).
    pub fn alarm_panel(&self) -> &AlarmPanel {
        &self.alarms
    }

    /// Samples on screen.
    pub fn samples(&self) -> &VecDeque<BedsideSample> {
        &self.samples
    }

    /// Take what the link has received.
    pub fn poll(&mut self, now_s: f64) {
        while let Ok(ev) = self.events.try_recv() {
            match ev {
                LinkEvent::Connected { bed } => {
                    self.bed = bed;
                    self.connection = Connection::Connected;
                }
                LinkEvent::Frame(f) => self.take(*f, now_s),
                LinkEvent::Disconnected(why) => self.connection = Connection::Lost(why),
                LinkEvent::Refused(e) => self.connection = Connection::Refused(e.to_string()),
            }
        }
    }

    fn take(&mut self, mut f: BedsideFrame, now_s: f64) {
        // A session started again from t = 0 starts a new sweep.
        if self.samples.back().is_some_and(|s| f.t_s + 1e-9 < s.t_s) {
            self.samples.clear();
            self.alarms.clear();
        }
        for s in f.samples.drain(..) {
            if self.samples.back().is_none_or(|b| s.t_s > b.t_s) {
                self.samples.push_back(s);
            }
        }
        let keep_from = f.t_s - SWEEP_S;
        while self.samples.front().is_some_and(|s| s.t_s < keep_from) {
            self.samples.pop_front();
        }
        let raised = f
            .alarms
            .iter()
            .map(|a| Raised {
                alarm: a.clone(),
                explanation: None,
            })
            .collect();
        self.alarms.update(raised);
        self.latest = f;
        self.last_frame_s = Some(now_s);
    }

    /// Save a PNG of the window after `after_s` wall seconds, then close.
    pub fn screenshot_at(mut self, path: std::path::PathBuf, after_s: f64) -> Self {
        self.screenshot = Some((path, after_s));
        self
    }

    /// The whole monitor.
    pub fn monitor_ui(&mut self, ui: &mut egui::Ui) {
        let now_s = ui.input(|i| i.time);
        self.poll(now_s);
        self.alarms.sound(now_s);
        egui::Panel::top("bedside-top").show(ui, |ui| {
            self.title_ui(ui, now_s);
            let t = self.latest.t_s;
            let top = ui.cursor().top();
            let _ = self.alarms.alarms_ui(ui, t, now_s);
            // Alarms of a session no longer heard from are not live either.
            if self.no_data(now_s).is_some() {
                let mut r = ui.max_rect();
                r.set_top(top);
                dim(ui, r);
            }
        });
        let no_data = self.no_data(now_s);
        egui::Panel::bottom("bedside-consoles").show(ui, |ui| {
            consoles_ui(ui, &self.latest);
            if no_data.is_some() {
                dim(ui, ui.max_rect());
            }
        });
        egui::Panel::right("bedside-numbers")
            .resizable(false)
            .exact_size(TILE_COLUMNS as f32 * (TILE_SIZE.x + 8.0) + 8.0)
            .show(ui, |ui| {
                numbers_ui(ui, &self.latest);
                if no_data.is_some() {
                    dim(ui, ui.max_rect());
                }
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let traces = traces(&self.latest);
            let h = ui.available_height();
            strips::strips_ui(ui, "bedside", &self.samples, &traces, SWEEP_S, h);
            // Old numbers must not pass for live ones: the screen is dimmed and says why.
            if let Some(why) = &no_data {
                let r = ui.max_rect();
                dim(ui, r);
                ui.painter().text(
                    r.center(),
                    egui::Align2::CENTER_CENTER,
                    why,
                    egui::FontId::proportional(NO_DATA_FONT),
                    Color32::from_rgb(255, 200, 40),
                );
            }
        });
    }

    /// Why the screen has no live data now (none: it has).
    fn no_data(&self, now_s: f64) -> Option<String> {
        let stale = self.last_frame_s.is_none_or(|t| now_s - t > STALE_S);
        match &self.connection {
            Connection::Connected if !stale => None,
            Connection::Connected => Some("NO DATA: the session sends nothing (paused?)".into()),
            Connection::Connecting => Some("CONNECTING...".into()),
            Connection::Lost(why) if why.contains("closed the connection") => {
                Some("SESSION ENDED: waiting for it to start again".into())
            }
            Connection::Lost(_) if self.last_frame_s.is_none() => {
                Some("NO SESSION: retrying...".into())
            }
            Connection::Lost(_) => Some("NO DATA: connection lost, reconnecting...".into()),
            Connection::Refused(why) => Some(why.clone()),
        }
    }

    fn title_ui(&self, ui: &mut egui::Ui, now_s: f64) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(&self.bed).strong().size(18.0));
            let stale = self.last_frame_s.is_some_and(|t| now_s - t > STALE_S);
            let (text, color) = match &self.connection {
                Connection::Connecting => {
                    (format!("connecting to {}...", self.addr), Color32::GRAY)
                }
                Connection::Connected if stale => (
                    format!(
                        "connected; no update for {:.0} s (the session is paused?)",
                        now_s - self.last_frame_s.unwrap_or(now_s)
                    ),
                    Color32::from_rgb(255, 200, 40),
                ),
                Connection::Connected => {
                    ("connected".to_string(), Color32::from_rgb(120, 220, 120))
                }
                Connection::Lost(why) if self.last_frame_s.is_none() => (
                    format!("no session at {} yet, retrying: {why}", self.addr),
                    Color32::from_rgb(255, 200, 40),
                ),
                Connection::Lost(why) => (
                    format!("connection lost, reconnecting: {why}"),
                    Color32::from_rgb(255, 200, 40),
                ),
                Connection::Refused(why) => (why.clone(), Color32::from_rgb(255, 60, 60)),
            };
            ui.label(RichText::new(text).color(color));
            if self.last_frame_s.is_some() {
                ui.label(format!("t = {}", clock(self.latest.t_s)));
            }
            ui.label(match self.alarms.player() {
                Some(p) => RichText::new(format!("alarm sound: {p}")).small(),
                None => RichText::new("no sound device: alarms visual only")
                    .small()
                    .color(Color32::GRAY),
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new("Education and research only: not a medical device")
                        .small()
                        .color(Color32::GRAY),
                );
            });
        });
    }
}

/// Simulated time as a monitor's clock: "12:34" or "1:02:03".
pub fn clock(t_s: f64) -> String {
    let s = t_s.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// The strips a bedside monitor shows for what is running: ECG, arterial, PA, CVP and pleth
/// always; LV pressure with an Impella (its controller's estimate); the ECMO flow and the
/// balloon pressure with their devices.
pub fn traces(f: &BedsideFrame) -> Vec<Trace> {
    sweep_traces(
        f.consoles.impella.is_some(),
        f.consoles.ecmo.is_some(),
        f.consoles.iabp.is_some(),
        f.numbers.is_none() || f.number("spo2_upper_pct").is_some(),
    )
}

/// The sweep's strips in a monitor's order: ECG, arterial, LV pressure (`lv`), PA, CVP, pleth,
/// then the ECMO flow and the balloon pressure with their devices. One list for the bedside
/// monitor, the dashboard's Monitor tab and Replay. `pulse`: the oximeter finds a pulse (without
/// one its pleth is flat, whatever the pressure drifts).
pub fn sweep_traces(lv: bool, ecmo: bool, iabp: bool, pulse: bool) -> Vec<Trace> {
    let pleth: fn(&BedsideSample) -> f64 = if pulse { |s| s.art_mmhg } else { |_| 0.0 };
    let auto = |min_span, step| Scale::Auto { min_span, step };
    let mut t = vec![
        Trace {
            name: "II",
            unit: "mV",
            color: ECG,
            value: |s| s.ecg_mv,
            scale: Scale::Fixed(-0.6, 1.4),
        },
        Trace {
            name: "ART",
            unit: "mmHg radial",
            color: ART,
            value: |s| s.art_mmhg,
            scale: auto(40.0, 20.0),
        },
    ];
    if lv {
        t.push(Trace {
            name: "LVP",
            unit: "mmHg",
            color: LV,
            value: |s| s.lv_mmhg,
            scale: auto(40.0, 20.0),
        });
    }
    t.extend([
        Trace {
            name: "PA",
            unit: "mmHg",
            color: PA,
            value: |s| s.pa_mmhg,
            scale: auto(20.0, 10.0),
        },
        Trace {
            name: "CVP",
            unit: "mmHg",
            color: CVP,
            value: |s| s.cvp_mmhg,
            scale: auto(10.0, 5.0),
        },
        Trace {
            name: "Pleth",
            unit: "right hand",
            color: SPO2,
            value: pleth,
            // A pulse below twice the oximeter's threshold draws small; none, flat.
            scale: Scale::Normalised {
                min_span: 2.0 * ecmo_unload::monitor::PLETH_MIN_PULSE_PRESSURE_MMHG,
            },
        },
    ]);
    if ecmo {
        t.push(Trace {
            name: "ECMO flow",
            unit: "L/min",
            color: DEVICE,
            value: |s| s.ecmo_flow_l_min,
            scale: auto(2.0, 1.0),
        });
    }
    if iabp {
        t.push(Trace {
            name: "Balloon",
            unit: "mmHg",
            color: BALLOON_PRESSURE,
            value: |s| s.balloon_mmhg,
            scale: auto(100.0, 50.0),
        });
    }
    t
}

/// A tile to draw: its name, unit, value, colour and a note under the value (a grade).
pub struct Tile {
    pub name: &'static str,
    pub unit: &'static str,
    pub value: String,
    pub color: Color32,
    pub note: Option<(String, Color32)>,
}

impl Tile {
    pub fn new(name: &'static str, unit: &'static str, value: String, color: Color32) -> Self {
        Self {
            name,
            unit,
            value,
            color,
            note: None,
        }
    }
}

/// A fixed-size parameter box: the name and unit small at the top, the value large, an
/// optional note (a grade) small at the bottom. The grid never moves as values change.
pub fn fixed_tile(ui: &mut egui::Ui, size: egui::Vec2, font: f32, tile: &Tile) {
    let Tile {
        name,
        unit,
        value,
        color,
        note,
    } = tile;
    let (color, value) = (*color, value.as_str());
    let note = note.as_ref().map(|(n, c)| (n.as_str(), *c));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{name} {value} {unit}"))
    });
    let p = ui.painter_at(rect);
    p.rect_stroke(
        rect.shrink(1.0),
        4.0,
        egui::Stroke::new(1.0, Color32::from_gray(60)),
        egui::StrokeKind::Inside,
    );
    let small = egui::FontId::proportional(12.0);
    let pad = 6.0;
    p.text(
        rect.left_top() + egui::vec2(pad, pad - 2.0),
        egui::Align2::LEFT_TOP,
        name,
        small.clone(),
        color,
    );
    p.text(
        rect.right_top() + egui::vec2(-pad, pad - 2.0),
        egui::Align2::RIGHT_TOP,
        unit,
        small.clone(),
        Color32::GRAY,
    );
    // A long value (a mixing zone's name) is set smaller to fit, never cut off.
    let room = size.x - 2.0 * pad;
    let wide = ui
        .painter()
        .layout_no_wrap(value.to_string(), egui::FontId::proportional(font), color)
        .size()
        .x;
    let font = if wide > room {
        font * room / wide
    } else {
        font
    };
    // With a note under it, the value sits higher.
    let drop = if note.is_some() { 0.0 } else { 4.0 };
    p.text(
        rect.center() + egui::vec2(0.0, drop),
        egui::Align2::CENTER_CENTER,
        value,
        egui::FontId::proportional(font),
        color,
    );
    if let Some((text, c)) = note {
        let wide = ui
            .painter()
            .layout_no_wrap(text.to_string(), small.clone(), c)
            .size()
            .x;
        let small = if wide > room {
            egui::FontId::proportional(small.size * room / wide)
        } else {
            small
        };
        p.text(
            rect.center_bottom() + egui::vec2(0.0, -2.0),
            egui::Align2::CENTER_BOTTOM,
            text,
            small,
            c,
        );
    }
}

/// A number of the frame, formatted, or `---` (no reading: no pulse, no beats yet).
fn reading(f: &BedsideFrame, key: &str, decimals: usize) -> String {
    f.number(key)
        .map_or("---".to_string(), |x| shown(x, decimals))
}

/// A value as a tile shows it: no "-0" for a value that rounds to zero.
pub fn shown(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// The numeric column: a fixed grid of tiles, each with its unit.
fn numbers_ui(ui: &mut egui::Ui, f: &BedsideFrame) {
    let pressure = |s: &str, d: &str, m: &str| match (f.number(s), f.number(d), f.number(m)) {
        (Some(s), Some(d), Some(m)) => format!("{}/{} ({})", shown(s, 0), shown(d, 0), shown(m, 0)),
        _ => "---".into(),
    };
    let risk = f
        .numbers
        .as_ref()
        .and_then(|n| n.get("edema_risk"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let risk_colour = match risk.as_str() {
        "severe" => Color32::from_rgb(255, 70, 70),
        "high" => Color32::from_rgb(255, 150, 50),
        "moderate" => Color32::from_rgb(250, 220, 60),
        _ => Color32::GRAY,
    };
    let tiles = vec![
        // A monitor that counts no beats (VF, asystole) shows no rate, not 0.
        Tile::new(
            "HR",
            "bpm",
            match f.number("hr_bpm") {
                Some(hr) if hr >= 1.0 => shown(hr, 0),
                _ => "---".into(),
            },
            ECG,
        ),
        Tile::new("SpO2 hand", "%", reading(f, "spo2_upper_pct", 0), SPO2),
        Tile::new(
            "ART",
            "mmHg",
            pressure("sbp_mmhg", "dbp_mmhg", "map_mmhg"),
            ART,
        ),
        Tile::new("SpO2 foot", "%", reading(f, "spo2_lower_pct", 0), SPO2),
        Tile::new(
            "PA",
            "mmHg",
            pressure("pap_sys_mmhg", "pap_dia_mmhg", "pap_mean_mmhg"),
            PA,
        ),
        Tile::new("CVP", "mmHg", reading(f, "cvp_mmhg", 0), CVP),
        Tile::new("PCWP", "mmHg", reading(f, "pcwp_mmhg", 0), LA),
        Tile::new("SvO2", "%", reading(f, "svo2_pct", 0), CVP),
        Tile {
            note: (!risk.is_empty()).then(|| (format!("oedema risk {risk}"), risk_colour)),
            ..Tile::new(
                "EVLWI",
                "mL/kg",
                reading(f, "lung_water_ml_kg", 1),
                Color32::WHITE,
            )
        },
    ];
    egui::Grid::new("bedside-tiles")
        .spacing(egui::vec2(8.0, 8.0))
        .show(ui, |ui| {
            for (i, t) in tiles.iter().enumerate() {
                fixed_tile(ui, TILE_SIZE, TILE_FONT, t);
                if (i + 1) % TILE_COLUMNS == 0 {
                    ui.end_row();
                }
            }
        });
}

/// The device consoles' readings, one group a device that runs.
fn consoles_ui(ui: &mut egui::Ui, f: &BedsideFrame) {
    let c = &f.consoles;
    // Groups wrap as whole groups on a narrow screen rather than run off its edge.
    ui.horizontal_wrapped(|ui| {
        ui.set_min_height(CONSOLE_TILE.y);
        let mut any = false;
        // A group is its name in a box of the tiles' height, then its tiles: all wrap tile by
        // tile, so a narrow screen has a second row rather than a cut-off console.
        let mut group = |ui: &mut egui::Ui, title: &str, readings: Vec<Tile>| {
            any = true;
            let (rect, _) = ui.allocate_exact_size(
                egui::vec2(CONSOLE_NAME_WIDTH, CONSOLE_TILE.y),
                egui::Sense::hover(),
            );
            let galley = ui.painter().layout(
                title.to_string(),
                egui::FontId::proportional(12.0),
                DEVICE,
                CONSOLE_NAME_WIDTH,
            );
            ui.painter().galley(
                rect.left_center() - egui::vec2(0.0, galley.size().y / 2.0),
                galley,
                DEVICE,
            );
            for t in &readings {
                fixed_tile(ui, CONSOLE_TILE, CONSOLE_FONT, t);
            }
        };
        let dev = |name, unit, value| Tile::new(name, unit, value, DEVICE);
        let reading = |key: &str| {
            f.number(key)
                .map_or("--".to_string(), |x| format!("{x:.0}"))
        };
        if let Some(e) = &c.ecmo {
            // Red while the drainage sucks the vein flat, as the console flags it.
            let chatter = f
                .numbers
                .as_ref()
                .and_then(|n| n.get("ecmo_chatter"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            let inlet_colour = if chatter { Color32::RED } else { DEVICE };
            group(
                ui,
                "VA ECMO",
                vec![
                    dev("Pump", "rpm", format!("{:.0}", e.rpm)),
                    dev("Flow", "L/min", format!("{:.2}", e.flow_l_min)),
                    Tile::new(
                        "P inlet",
                        "mmHg",
                        format!("{:.0}", e.inlet_mmhg),
                        inlet_colour,
                    ),
                    dev("Sweep", "L/min", format!("{:.1}", e.sweep_l_min)),
                    dev("FdO2", "", format!("{:.2}", e.fdo2)),
                ],
            );
        }
        if let Some(i) = &c.impella {
            group(
                ui,
                &format!("Impella {}", i.model),
                vec![
                    dev("Level", "", format!("P-{:.0}", i.p_level)),
                    dev("Flow", "L/min", format!("{:.1}", i.flow_l_min)),
                ],
            );
        }
        if let Some(b) = &c.iabp {
            // The console's mode line and the readings its timing is judged by.
            group(
                ui,
                "IABP",
                vec![
                    dev("Ratio", "", format!("1:{}", b.ratio)),
                    dev("Trigger", "", b.trigger.replace(" trigger", "")),
                    dev("Volume", "mL", format!("{:.0}", b.volume_ml)),
                    dev("Aug", "mmHg", reading("iabp_peak_diastolic_mmhg")),
                    dev("AEDP", "mmHg", reading("iabp_aedp_mmhg")),
                    dev("UAEDP", "mmHg", reading("iabp_uaedp_mmhg")),
                ],
            );
        }
        if !any {
            ui.label(RichText::new("no device running").color(Color32::GRAY));
        }
    });
}

impl eframe::App for BedsideMonitor {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frames += 1;
        ctx.request_repaint_after(REPAINT);
        let now_s = ctx.input(|i| i.time);
        self.poll(now_s);
        // A refused code ends the monitor with the refusal as its error (exit code 2).
        if let Connection::Refused(why) = &self.connection {
            if let Ok(mut slot) = self.screenshot_failed.lock() {
                *slot = Some(why.clone());
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if let Some((path, after_s)) = &self.screenshot
            && now_s >= *after_s
            && self.frames > SCREENSHOT_MIN_FRAMES
        {
            let (path, ctx2) = (path.clone(), ctx.clone());
            let failed = self.screenshot_failed.clone();
            self.screenshot = None;
            ctx.request_screenshot(move |image| {
                if let Err(e) = crate::save_png(&path, &image)
                    && let Ok(mut slot) = failed.lock()
                {
                    *slot = Some(e);
                }
                ctx2.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx2.request_repaint_after(Duration::ZERO);
            });
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.monitor_ui(ui);
    }
}

/// Open the trainee's bedside monitor on the session at `addr`. `screenshot`: save a PNG after
/// that many wall seconds, then close.
pub fn run_bedside(
    addr: &str,
    code: &str,
    name: &str,
    screenshot: Option<(std::path::PathBuf, f64)>,
    window: [f32; 2],
) -> Result<(), Box<dyn std::error::Error>> {
    let (addr, code, name) = (addr.to_string(), code.to_string(), name.to_string());
    let quiet = screenshot.is_some();
    // Neutral: the bed, never the case.
    crate::run_window("Bedside monitor", window, move |ctx| {
        let speaker = if quiet {
            sound::Speaker::quiet()
        } else {
            sound::Speaker::new()
        };
        let m = BedsideMonitor::connect(ctx, &addr, &code, &name, speaker)?;
        let failure = m.screenshot_failed.clone();
        let m = match screenshot {
            Some((path, after_s)) => m.screenshot_at(path, after_s),
            None => m,
        };
        Ok((m, failure))
    })
}

/// Dim `rect`: what it shows is not live (no data from the session).
fn dim(ui: &egui::Ui, rect: egui::Rect) {
    ui.painter()
        .rect_filled(rect, 0.0, Color32::from_black_alpha(NO_DATA_DIM));
}
