//! Replay: a recorded session (the folder *Record* writes) read back and scrubbed through: the
//! waveforms of the 8 s up to the chosen moment, the last beat's numbers then, and the event log
//! up to it. A recording cut short (a crash mid-write) reads up to its last complete row.
//! Loading runs on its own thread (a recording of hours is hundreds of MB): the dashboard keeps
//! drawing, and says it is loading.

use crate::bedside;
use ecmo_unload::session::bedside::BedsideSample;
use ecmo_unload::session::recording;
use ecmo_unload::units::l_min_from_ml_s;
use egui::{Color32, RichText};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// The largest `waves.csv` loaded: about 10 h of recording at 130 bytes a 10-ms row, read into
/// about three times its size in memory.
pub const MAX_RECORDING_BYTES: u64 = 512 << 20;

/// Seconds of waveform shown up to the scrub time (the monitor's sweep).
const WINDOW_S: f64 = 8.0;
/// Room kept beside the scrub bar for its value box (points).
const SCRUB_LABEL_WIDTH: f32 = 110.0;
/// The strips' height (points): the monitor's sweep, a little shorter.
const STRIPS_HEIGHT: f32 = 420.0;
/// The pressures a replay needs at least one of (schema columns).
const TRACES: [&str; 6] = [
    "p_radial_mmhg",
    "p_arch_mmhg",
    "p_lv_mmhg",
    "p_pulmonary_arteries_mmhg",
    "p_ra_mmhg",
    "ecg_mv",
];

/// One recorded waveform row: time and the recorded columns, by name.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    pub wave_columns: Vec<String>,
    pub waves: Vec<Vec<f64>>,
    /// Where reading the waveforms stopped before the file's end, and why.
    pub notice: Option<String>,
    /// A folder *Record* wrote (beats and events beside the waveforms), not a single CSV.
    pub is_folder: bool,
    pub beat_columns: Vec<String>,
    pub beats: Vec<Vec<String>>,
    /// (sim time, source, text).
    pub events: Vec<(f64, String, String)>,
}

/// A CSV's header, its rows up to the first that is not whole (a row torn by a crash, or a
/// foreign line: dropped, not an error), and where reading stopped if it did.
type Rows = (Vec<String>, Vec<Vec<String>>, Option<String>);

/// Read a CSV, keeping every complete row.
fn rows(path: &Path) -> Result<Rows, String> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    let mut stopped = None;
    for rec in r.records() {
        match rec {
            Ok(rec) if rec.len() == header.len() => {
                out.push(rec.iter().map(String::from).collect())
            }
            // A row cut off mid-write (or a foreign line) ends the readable part.
            other => {
                let line = other
                    .as_ref()
                    .ok()
                    .and_then(|rec| rec.position())
                    .map_or(out.len() as u64 + 2, csv::Position::line);
                stopped = Some(format!(
                    "read up to line {line}, which does not have the header's {} fields",
                    header.len()
                ));
                break;
            }
        }
    }
    Ok((header, out, stopped))
}

impl Recording {
    /// Read a recording folder (blocking: call it off the UI thread, as [`Replay::open`] does).
    /// `path` is a folder *Record* wrote, or a single waveform CSV (`run --csv`: no beats
    /// or events).
    pub fn load(path: &Path) -> Result<Recording, String> {
        let (dir, waves_path) = if path.is_dir() {
            (Some(path), path.join("waves.csv"))
        } else {
            (None, path.to_path_buf())
        };
        let meta =
            std::fs::metadata(&waves_path).map_err(|e| format!("{}: {e}", waves_path.display()))?;
        if !meta.is_file() {
            return Err(format!("{}: not a regular file", waves_path.display()));
        }
        if meta.len() > MAX_RECORDING_BYTES {
            return Err(format!(
                "{}: {} MB, more than the {} MB a replay loads",
                waves_path.display(),
                meta.len() >> 20,
                MAX_RECORDING_BYTES >> 20
            ));
        }
        let (wave_columns, wave_rows, torn) = rows(&waves_path)?;
        if wave_columns.iter().all(|c| c.trim().is_empty()) {
            return Err(format!("{}: an empty file", waves_path.display()));
        }
        // One schema: older recordings' names read as the columns they are now.
        let wave_columns: Vec<String> = wave_columns
            .iter()
            .map(|c| recording::canonical_column(c).to_string())
            .collect();
        if wave_columns.first().map(String::as_str) != Some("t_s") {
            return Err(format!(
                "{}: its first column is not t_s: not a waveform file (a `run --csv` file or a \
                 recording's waves.csv)",
                waves_path.display()
            ));
        }
        // Rows are read while they are finite numbers in time order; where reading stops
        // (a torn or foreign row) is said, not silent.
        let mut waves: Vec<Vec<f64>> = Vec::with_capacity(wave_rows.len());
        let mut notice = None;
        for (k, r) in wave_rows.iter().enumerate() {
            let row: Option<Vec<f64>> = r
                .iter()
                .map(|x| x.parse::<f64>().ok().filter(|v| v.is_finite()))
                .collect();
            // The header is line 1.
            let line = k + 2;
            match row {
                Some(row) if waves.last().is_none_or(|last| row[0] > last[0]) => waves.push(row),
                Some(_) => {
                    notice = Some(format!(
                        "read up to line {line}, where time stops advancing"
                    ));
                    break;
                }
                None => {
                    notice = Some(format!(
                        "read up to line {line}, which is not all finite numbers"
                    ));
                    break;
                }
            }
        }
        let notice = notice.or(torn).or_else(|| {
            (!TRACES.iter().any(|c| wave_columns.iter().any(|w| w == c))).then(|| {
                format!(
                    "none of the pressures replayed here ({}) is in this file",
                    TRACES.join(", ")
                )
            })
        });
        let beside = |name: &str| {
            dir.and_then(|d| rows(&d.join(name)).ok())
                .map(|(header, rows, _)| (header, rows))
                .unwrap_or_default()
        };
        let (beat_columns, beats) = beside("beats.csv");
        let (_, event_rows) = beside("events.csv");
        let events = event_rows
            .into_iter()
            .filter_map(|r| {
                Some((
                    r.get(1)?.parse().ok()?,
                    r.get(2)?.clone(),
                    r.get(3)?.clone(),
                ))
            })
            .collect();
        if waves.is_empty() {
            return Err(format!("{}: no waveform rows", waves_path.display()));
        }
        Ok(Recording {
            wave_columns,
            waves,
            notice,
            is_folder: dir.is_some(),
            beat_columns,
            beats,
            events,
        })
    }

    pub fn span_s(&self) -> (f64, f64) {
        (self.waves[0][0], self.waves[self.waves.len() - 1][0])
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.wave_columns.iter().position(|c| c == name)
    }

    /// A waveform column over the window ending at `t_s`.
    pub fn trace(&self, name: &str, t_s: f64) -> Vec<[f64; 2]> {
        let Some(k) = self.column(name) else {
            return Vec::new();
        };
        self.waves
            .iter()
            .filter(|r| r[0] > t_s - WINDOW_S && r[0] <= t_s)
            .map(|r| [r[0], r[k]])
            .collect()
    }

    /// The monitor's samples over the window ending at `t_s` (a column the file lacks reads
    /// as no value; the ECMO flow from the drainage and vent flows of a `run --csv` file).
    pub fn samples(&self, t_s: f64) -> VecDeque<BedsideSample> {
        let col = |name: &str| self.column(name);
        let (ecg, art, fem, lv, pa, cvp, ecmo, balloon) = (
            col("ecg_mv"),
            col("p_radial_mmhg").or_else(|| col("p_arch_mmhg")),
            col("p_femoral_mmhg"),
            col("p_lv_mmhg"),
            col("p_pulmonary_arteries_mmhg"),
            col("p_ra_mmhg"),
            col("ecmo_flow_l_min"),
            col("iabp_balloon_pressure_mmhg"),
        );
        let (drain, vent) = (col("q_ecmo_drainage_ml_s"), col("q_lv_vent_ml_s"));
        let at = |r: &[f64], k: Option<usize>| k.map_or(f64::NAN, |k| r[k]);
        self.waves
            .iter()
            .filter(|r| r[0] > t_s - WINDOW_S && r[0] <= t_s)
            .map(|r| BedsideSample {
                t_s: r[0],
                ecg_mv: at(r, ecg),
                art_mmhg: at(r, art),
                femoral_mmhg: at(r, fem),
                lv_mmhg: at(r, lv),
                pa_mmhg: at(r, pa),
                cvp_mmhg: at(r, cvp),
                ecmo_flow_l_min: match ecmo {
                    Some(k) => r[k],
                    None => l_min_from_ml_s(at(r, drain).max(0.0) + at(r, vent).max(0.0)),
                },
                balloon_mmhg: at(r, balloon),
            })
            .collect()
    }

    /// Whether a column holds anything but zeros (a device that ran during the recording).
    fn any_nonzero(&self, name: &str) -> bool {
        self.column(name)
            .is_some_and(|k| self.waves.iter().any(|r| r[k].abs() > 1e-9))
    }

    /// The beat in progress at `t_s` (the last one that started by then), as (column, value).
    pub fn beat_at(&self, t_s: f64) -> Vec<(String, String)> {
        let start = self.beats.iter().rev().find(|b| {
            b.first()
                .and_then(|x| x.parse::<f64>().ok())
                .is_some_and(|t| t <= t_s)
        });
        start
            .map(|b| {
                self.beat_columns
                    .iter()
                    .cloned()
                    .zip(b.iter().cloned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Default)]
pub struct Replay {
    path: String,
    pub recording: Option<Recording>,
    pub t_s: f64,
    error: Option<String>,
    /// A load running on its own thread: the folder, and where its result arrives.
    loading: Option<(String, std::sync::mpsc::Receiver<Result<Recording, String>>)>,
    /// The file dialog, while it is open.
    dialog: Option<egui_file::FileDialog>,
}

/// What a chosen file opens: a recording's `waves.csv` opens its folder (beats and events
/// beside it), any other file itself.
pub fn recording_path(chosen: &Path) -> PathBuf {
    let folder = chosen.parent().filter(|d| d.join("beats.csv").is_file());
    match (chosen.file_name().and_then(|n| n.to_str()), folder) {
        (Some("waves.csv"), Some(dir)) => dir.to_path_buf(),
        _ => chosen.to_path_buf(),
    }
}

impl Replay {
    /// Start loading a recording folder on its own thread; [`Replay::poll`] takes it up.
    pub fn open(&mut self, dir: &Path) {
        let (tx, rx) = std::sync::mpsc::channel();
        let folder = dir.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(Recording::load(&folder));
        });
        self.path = dir.display().to_string();
        self.loading = Some((self.path.clone(), rx));
        self.error = None;
    }

    /// Is a recording loading?
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Why the last load failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Take up a finished load (call every frame).
    pub fn poll(&mut self) {
        let Some((folder, rx)) = &self.loading else {
            return;
        };
        let outcome = match rx.try_recv() {
            Ok(outcome) => outcome,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                Err(format!("{folder}: the load stopped"))
            }
        };
        self.loading = None;
        match outcome {
            Ok(r) => {
                self.t_s = r.span_s().1;
                self.recording = Some(r);
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn replay_ui(&mut self, ui: &mut egui::Ui) {
        self.poll();
        ui.horizontal(|ui| {
            let l = ui.label("Recording (folder or CSV)");
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(320.0))
                .labelled_by(l.id);
            if ui.button("Open recording...").clicked() {
                let mut d = egui_file::FileDialog::open_file()
                    .title("Open a recording: a folder's waves.csv, or a run --csv file");
                if let Ok(here) = std::env::current_dir() {
                    d = d.initial_path(here);
                }
                d.open();
                self.dialog = Some(d);
            }
            if ui.button("Load recording").clicked() {
                if self.path.trim().is_empty() {
                    self.error = Some(
                        "type the path of a folder Record wrote, or of a `run --csv` file".into(),
                    );
                } else {
                    let p = std::path::PathBuf::from(self.path.trim());
                    self.open(&p);
                }
            }
        });
        if let Some(d) = &mut self.dialog {
            if d.show(ui.ctx()).selected() {
                if let Some(chosen) = d.path().map(recording_path) {
                    self.open(&chosen);
                }
                self.dialog = None;
            } else if !d.visible() {
                self.dialog = None;
            }
        }
        if let Some((folder, _)) = &self.loading {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading the recording in {folder}..."));
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
            return;
        }
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(255, 120, 120), e);
        }
        let Some(r) = &self.recording else {
            ui.label(
                "Load a folder written by Record (or a `run --csv` file) to scrub through it.",
            );
            return;
        };
        if let Some(n) = &r.notice {
            ui.colored_label(Color32::YELLOW, format!("{}: {n}", self.path));
        }
        let (t0, t1) = r.span_s();
        // The scrub bar spans the view, as a player's does.
        ui.spacing_mut().slider_width = (ui.available_width() - SCRUB_LABEL_WIDTH).max(100.0);
        let slider = ui.add(egui::Slider::new(&mut self.t_s, t0..=t1).text("s"));
        slider.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "Replay time"));
        let t = self.t_s;
        // The monitor's strips: fixed to the window ending at the scrub time (no drag can
        // detach them from the slider).
        let traces = bedside::sweep_traces(
            true,
            r.any_nonzero("ecmo_flow_l_min") || r.any_nonzero("q_ecmo_drainage_ml_s"),
            r.any_nonzero("iabp_balloon_pressure_mmhg"),
            true,
        );
        let samples = r.samples(t);
        let h = STRIPS_HEIGHT.min(ui.available_height() * 0.6);
        bedside::strips::strips_ui(ui, "replay", &samples, &traces, WINDOW_S, h);
        let beat = r.beat_at(t);
        let pick = |k: &str| {
            beat.iter()
                .find(|(c, _)| c == k)
                .map_or("-".to_string(), |(_, v)| {
                    v.parse::<f64>().map_or(v.clone(), |x| format!("{x:.1}"))
                })
        };
        if r.beats.is_empty() {
            ui.label(if r.is_folder {
                format!("At {t:.2} s: no beats in this recording.")
            } else {
                format!("At {t:.2} s: a `run --csv` file has waveforms only (no beats or events).")
            });
            return;
        }
        ui.label(format!(
            "At {t:.2} s: HR {}, MAP {}, PCWP {}, LVEDP {}, native CO {} L/min",
            pick("hr_bpm"),
            pick("map_mmhg"),
            pick("pcwp_mmhg"),
            pick("lvedp_mmhg"),
            pick("native_co_l_min")
        ));
        ui.label(RichText::new("Events up to this moment").strong());
        let mut none = true;
        for (et, source, text) in r.events.iter().filter(|(et, _, _)| *et <= t) {
            ui.label(format!("{et:.1} s  {source}: {text}"));
            none = false;
        }
        if none {
            ui.label("none");
        }
    }
}
