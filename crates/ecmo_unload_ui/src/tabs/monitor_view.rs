//! The bedside monitor: parameter tiles, the waveform sweep, the pleth strips and the pressure-volume loop.

use crate::*;

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
            let spo2 = SPO2;
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
                    tile(ui, "Mixing zone", z.label().to_string(), Color32::WHITE);
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

    pub(crate) fn series(&self, f: impl Fn(&WaveSample) -> f64) -> PlotPoints<'static> {
        PlotPoints::from(self.waves.iter().map(|s| [s.t_s, f(s)]).collect::<Vec<_>>())
    }

    pub(crate) fn waves_ui(&mut self, ui: &mut egui::Ui) {
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
                        format!(
                            "ECG II ({})",
                            ecmo_unload::patient::Choice::label(p.rhythm.kind)
                        ),
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
    pub(crate) fn pleth_ui(&self, ui: &mut egui::Ui, link: egui::Id) {
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
    pub(crate) fn inflation_runs(&self) -> Vec<Vec<[f64; 2]>> {
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

/// The waveform sweep's legends sit at its left: the newest samples are drawn on the right.
pub(crate) fn sweep_legend() -> Legend {
    Legend::default()
        .position(egui_plot::Corner::LeftTop)
        .text_style(egui::TextStyle::Small)
        .background_alpha(0.6)
}
