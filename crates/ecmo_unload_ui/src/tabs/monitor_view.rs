//! The bedside monitor: parameter tiles, the waveform sweep, the pleth strips and the pressure-volume loop.

use crate::*;
use bedside::Tile;
use ecmo_unload::session::bedside::BedsideSample;

impl Dashboard {
    /// Means of the last few beats (the tiles and the alarms).
    pub(crate) fn means(&self) -> Option<BeatMeans> {
        ecmo_unload::monitor::latest_means(&self.beats, TILE_BEATS)
    }

    pub(crate) fn tiles_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.means() else {
            ui.label("waiting for the first beat...");
            return;
        };
        let b = m.mean;
        let white = Color32::WHITE;
        // A pulse oximeter reads only over a pulse: `---` without one.
        let spo2 = |x: Option<f64>| x.map_or("---".to_string(), |x| format!("{x:.0}"));
        let mut tiles: Vec<Tile> = vec![
            Tile::new(
                "HR",
                "bpm",
                if b.hr_bpm >= 1.0 {
                    format!("{:.0}", b.hr_bpm)
                } else {
                    "---".into()
                },
                ECG,
            ),
            Tile::new(
                "ART",
                "mmHg",
                format!("{:.0}/{:.0} ({:.0})", b.sbp_mmhg, b.dbp_mmhg, b.map_mmhg),
                ART,
            ),
            Tile::new("CVP", "mmHg", format!("{:.0}", b.cvp_mmhg), CVP),
            Tile::new(
                "PA",
                "mmHg",
                format!(
                    "{:.0}/{:.0} ({:.0})",
                    b.pap_sys_mmhg, b.pap_dia_mmhg, b.pap_mean_mmhg
                ),
                PA,
            ),
            Tile::new("PCWP", "mmHg", format!("{:.0}", b.pcwp_mmhg), LA),
            Tile::new("SpO2 upper", "%", spo2(spo2_upper_pct(&b)), SPO2),
            Tile::new("SpO2 lower", "%", spo2(spo2_lower_pct(&b)), SPO2),
            Tile::new("SvO2", "%", format!("{:.0}", b.svo2_pct), CVP),
            Tile::new(
                "CO native",
                "L/min",
                format!("{:.1}", b.native_co_l_min),
                white,
            ),
            // The LV's own numbers (volumes, EF, work, O2) are the Unloading tab's.
            Tile::new("LVEDP", "mmHg", format!("{:.0}", b.lvedp_mmhg), LV),
            Tile::new("AV opening", "%", format!("{:.0}", m.av_opening_pct), white),
        ];
        if let Some(st) = &self.status {
            let rising = st.lung_water_gain_ml_h > lungs::RISING_ML_H;
            let risk = serde_plain(&st.edema_risk);
            tiles.push(Tile {
                note: Some((
                    format!("risk {risk}{}", if rising { ", rising" } else { "" }),
                    risk_color(st.edema_risk),
                )),
                ..Tile::new(
                    "EVLWI",
                    "mL/kg",
                    format!("{:.1}", st.lung_water_ml_kg),
                    white,
                )
            });
            if let Some(z) = st.mixing_zone {
                tiles.push(Tile::new("Mixing zone", "", z.label().to_string(), white));
            }
        }
        let p = &self.patient;
        // Red when an inlet is sucking down.
        let alarm = |on: bool| if on { Color32::RED } else { DEVICE };
        if p.ecmo.enabled {
            tiles.push(Tile::new(
                "ECMO",
                "L/min",
                format!("{:.1}", b.ecmo_flow_l_min),
                DEVICE,
            ));
            tiles.push(Tile::new(
                "ECMO pump",
                "rpm",
                format!("{:.0}", b.ecmo_rpm),
                DEVICE,
            ));
            tiles.push(Tile::new(
                "Inlet",
                "mmHg",
                format!("{:.0}", b.ecmo_inlet_mmhg),
                alarm(b.ecmo_collapse_pct >= SUCTION_ALARM_MIN_PCT),
            ));
        }
        if p.ecmo.enabled && p.lv_vent.enabled {
            tiles.push(Tile::new(
                "Vent",
                "L/min",
                format!("{:.1}", b.vent_flow_l_min),
                DEVICE,
            ));
        }
        if p.septostomy.diameter_mm > 0.0 {
            tiles.push(Tile::new(
                "Septostomy",
                "L/min",
                format!("{:.1}", b.septostomy_flow_l_min),
                DEVICE,
            ));
        }
        if p.impella.enabled {
            tiles.push(Tile::new(
                "Impella",
                "L/min",
                format!("{:.1}", b.impella_flow_l_min),
                alarm(b.impella_suction_pct >= SUCTION_ALARM_MIN_PCT),
            ));
        }
        if p.ecmo.enabled || p.impella.enabled {
            tiles.push(Tile::new(
                "Total flow",
                "L/min",
                format!("{:.1}", b.total_flow_l_min),
                white,
            ));
        }
        // The IABP's readings are on its console (the support panel).
        // Tiles of one size wrap as whole tiles: a fixed grid that values never reflow.
        ui.horizontal_wrapped(|ui| {
            for t in &tiles {
                bedside::fixed_tile(ui, MONITOR_TILE, MONITOR_TILE_FONT, t);
            }
        });
        if let Some(st) = &self.status {
            ui.add(
                egui::Label::new(
                    RichText::new(format!("Lungs: {}", st.edema_reason))
                        .color(risk_color(st.edema_risk)),
                )
                .truncate(),
            );
        }
    }

    /// The sweep as the bedside monitor draws it: one trace a strip, each on its own scale,
    /// all aligned in time; the IABP's inflation bars under the arterial trace and its timing
    /// marks over the balloon pressure.
    pub(crate) fn waves_ui(&mut self, ui: &mut egui::Ui) {
        use bedside::strips;
        let samples: VecDeque<BedsideSample> = self.waves.iter().map(BedsideSample::from).collect();
        let p = &self.patient;
        let pulse = self
            .means()
            .is_none_or(|m| spo2_upper_pct(&m.mean).is_some());
        let traces = bedside::sweep_traces(true, p.ecmo.enabled, p.iabp.enabled, pulse);
        let balloon = p.iabp.enabled.then_some(traces.len() - 1);
        let (runs, marks) = if p.iabp.enabled {
            (self.inflation_runs(), self.balloon_markers())
        } else {
            (Vec::new(), Vec::new())
        };
        let overlay = |i: usize, plot: &mut egui_plot::PlotUi<'_>, (lo, hi): (f64, f64)| {
            let span = hi - lo;
            if i == ART_STRIP {
                // The inflation interval as a bright bar along the foot of the arterial strip.
                for run in &runs {
                    let bar: Vec<[f64; 2]> = run.iter().map(|&t| [t, lo]).collect();
                    plot.line(
                        Line::new("IABP inflation", PlotPoints::from(bar))
                            .color(INFLATION_BAR)
                            .width(6.0),
                    );
                }
            }
            if Some(i) == balloon {
                // Timing marks as ticks along the top of the balloon strip, as a console
                // draws them: the trigger's row above the inflation and deflation row.
                for (t, mark) in &marks {
                    let row = match mark {
                        IabpMark::Trigger => 0.0,
                        IabpMark::Inflate | IabpMark::Deflate => 1.0,
                    };
                    let top = hi - row * IABP_TICK_SHARE * span;
                    let tick = vec![[*t, top - IABP_TICK_SHARE * span], [*t, top]];
                    plot.line(
                        Line::new("", PlotPoints::from(tick))
                            .color(mark.colour())
                            .width(2.5),
                    );
                }
            }
        };
        let h = ui.available_height();
        strips::strips_with_marks_ui(ui, "sweep", &samples, &traces, SWEEP_S, h, &overlay);
    }

    /// Consecutive samples of the sweep, pairwise.
    pub(crate) fn wave_pairs(&self) -> impl Iterator<Item = &[WaveSample]> {
        let (a, b) = self.waves.as_slices();
        a.windows(2).chain(b.windows(2))
    }

    /// Trigger, inflation and deflation instants of the balloon in the sweep (a console's
    /// timing marks).
    pub(crate) fn balloon_markers(&self) -> Vec<(f64, IabpMark)> {
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
    pub(crate) fn inflation_runs(&self) -> Vec<Vec<f64>> {
        let up = IABP_MARK_FRACTION * self.patient.iabp.volume_ml;
        let mut runs: Vec<Vec<f64>> = Vec::new();
        let mut open = false;
        for s in &self.waves {
            if s.balloon_ml >= up {
                if !open {
                    runs.push(Vec::new());
                    open = true;
                }
                if let Some(run) = runs.last_mut() {
                    run.push(s.t_s);
                }
            } else {
                open = false;
            }
        }
        runs
    }

    /// The last complete beat's LV loop (closed, updated beat by beat; before the first beat,
    /// whatever there is).
    pub(crate) fn loop_points(&self) -> Vec<[f64; 2]> {
        self.last_beat_points(|s| [s.lv_ml, s.lv_mmhg])
    }

    /// The same beat's samples, as points of `f`.
    pub(crate) fn last_beat_points(&self, f: impl Fn(&WaveSample) -> [f64; 2]) -> Vec<[f64; 2]> {
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

    pub(crate) fn pv_loop_ui(&mut self, ui: &mut egui::Ui) {
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

/// The arterial strip's place among the sweep's strips (its inflation bars go under it).
const ART_STRIP: usize = 1;
/// Height of an IABP timing tick, as a share of the balloon strip's range.
const IABP_TICK_SHARE: f64 = 0.12;
/// The Monitor tab's tiles: smaller than the bedside monitor's (the tab shares the screen with
/// the sweep and the loop), one size for all.
const MONITOR_TILE: egui::Vec2 = egui::vec2(104.0, 54.0);
const MONITOR_TILE_FONT: f32 = 20.0;
