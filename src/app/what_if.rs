//! The What-if tab: pick candidate strategies, forecast them from the running patient (copies,
//! on other cores), and see them side by side with arrows against "now", their predicted PV
//! loops over the current one, and their lung water over the next hours.

use crate::forecast::{Forecast, LUNG_PROJECTION_H, Strategy};
use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// The offered strategies (name, changes); "now" is always forecast first, for the arrows. The
/// first is built from the running ECMO flow (see [`WhatIf::strategies`]).
pub const OFFERED: [(&str, &str); 6] = [
    ("ECMO flow -1 L/min", ""),
    ("+ IABP 1:1", "iabp.enabled=true,iabp.ratio=1"),
    (
        "+ Impella CP P6",
        "impella.enabled=true,impella.model=cp,impella.p_level=6",
    ),
    ("+ dobutamine 5", "drugs.dobutamine_mcg_kg_min=5"),
    ("+ septostomy 8 mm", "septostomy.diameter_mm=8"),
    ("+ LV vent", "lv_vent.enabled=true"),
];
pub const NOW: &str = "now";
/// A change counts as an arrow when it moves this share of the value (or 1 unit near zero).
const ARROW_SHARE: f64 = 0.05;
const PLOT_HEIGHT: f32 = 260.0;
/// Colours of the forecast loops, in order.
const LOOP_COLOURS: [Color32; 7] = [
    Color32::WHITE,
    Color32::from_rgb(250, 220, 60),
    Color32::from_rgb(255, 120, 200),
    Color32::from_rgb(80, 200, 255),
    Color32::from_rgb(255, 160, 60),
    Color32::from_rgb(160, 120, 255),
    Color32::from_rgb(120, 255, 160),
];

/// The numbers shown per strategy: (column, value).
fn columns(f: &Forecast) -> [(&'static str, f64); 10] {
    let b = &f.summary.beat;
    [
        ("MAP", b.map_mmhg),
        ("LVEDP", b.lvedp_mmhg),
        ("PCWP", b.pcwp_mmhg),
        ("AV open %", f.summary.av_opening_pct),
        ("CO native", b.native_co_l_min),
        ("total flow", b.total_flow_l_min),
        ("MVO2", b.mvo2_ml_min),
        ("CPP", b.coronary_perfusion_mmhg),
        ("SpO2 upper", b.sao2_upper_pct),
        (
            "EVLWI 6 h",
            f.lung_water_projection_ml_kg[LUNG_PROJECTION_H],
        ),
    ]
}

pub struct WhatIf {
    chosen: [bool; OFFERED.len()],
    /// A user-defined combination, `name:K=V,K=V`.
    custom: String,
    pub results: Option<Result<Vec<Forecast>, String>>,
    pub pending: bool,
    /// Forecast as soon as the patient has beats (the tab was opened from the command line).
    pub auto: bool,
}

impl Default for WhatIf {
    fn default() -> Self {
        Self {
            chosen: [true, true, true, true, true, false],
            custom: String::new(),
            results: None,
            pending: false,
            auto: false,
        }
    }
}

impl WhatIf {
    /// The strategies to forecast now ("now" first), or why the custom one is malformed.
    /// `ecmo_flow_l_min`: the running ECMO flow (None without ECMO: no flow to lower).
    pub fn strategies(&self, ecmo_flow_l_min: Option<f64>) -> Result<Vec<Strategy>, String> {
        let mut out = vec![Strategy {
            name: NOW.into(),
            sets: Vec::new(),
        }];
        for (k, ((name, sets), on)) in OFFERED.iter().zip(self.chosen).enumerate() {
            if !on {
                continue;
            }
            let sets = if k == 0 {
                // One litre less than it runs now, held by the console's flow mode.
                let Some(flow) = ecmo_flow_l_min else {
                    continue;
                };
                format!(
                    "ecmo.mode=flow,ecmo.flow_target_l_min={:.2}",
                    (flow - 1.0).max(0.5)
                )
            } else {
                sets.to_string()
            };
            out.push(Strategy::parse(&format!("{name}:{sets}")).map_err(|e| e.to_string())?);
        }
        if !self.custom.trim().is_empty() {
            out.push(Strategy::parse(self.custom.trim()).map_err(|e| e.to_string())?);
        }
        Ok(out)
    }

    /// The tab. Returns the strategies to forecast when the user asks.
    pub fn what_if_ui(
        &mut self,
        ui: &mut egui::Ui,
        current_loop: &[[f64; 2]],
        ecmo_flow_l_min: Option<f64>,
        alarms: &[(crate::alarms::Alarm, String)],
    ) -> Option<Vec<Strategy>> {
        let mut asked = None;
        ui.label(
            RichText::new(
                "Model forecasts for education and research, not orders: each strategy runs on a \
                 copy of this patient to its new steady state; lung water is projected 6 h ahead.",
            )
            .color(Color32::from_rgb(255, 200, 80)),
        );
        ui.horizontal_wrapped(|ui| {
            for ((name, _), on) in OFFERED.iter().zip(self.chosen.iter_mut()) {
                ui.checkbox(on, *name);
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Your combination");
            ui.add(
                egui::TextEdit::singleline(&mut self.custom)
                    .hint_text("name:drugs.milrinone_mcg_kg_min=0.5,ecmo.flow_target_l_min=3")
                    .desired_width(420.0),
            )
            .labelled_by(label.id);
            if ui.button("Forecast").clicked() || std::mem::take(&mut self.auto) {
                match self.strategies(ecmo_flow_l_min) {
                    Ok(s) => {
                        self.pending = true;
                        asked = Some(s);
                    }
                    Err(e) => self.results = Some(Err(e)),
                }
            }
            if self.pending {
                ui.spinner();
                ui.label("forecasting...");
            }
        });
        match &self.results {
            None => {
                ui.label("Choose strategies and press Forecast.");
            }
            Some(Err(e)) => {
                ui.colored_label(Color32::from_rgb(255, 120, 120), e);
            }
            Some(Ok(results)) => {
                let lines = crate::advice::considerations(alarms, results);
                if !lines.is_empty() {
                    ui.label(RichText::new("Considerations (model output, not orders)").strong());
                    for (k, line) in lines.iter().enumerate() {
                        ui.label(format!("{}. {line}", k + 1));
                    }
                }
                Self::results_ui(ui, results, current_loop)
            }
        }
        asked
    }

    fn results_ui(ui: &mut egui::Ui, results: &[Forecast], current_loop: &[[f64; 2]]) {
        let Some(now) = results.iter().find(|f| f.strategy == NOW) else {
            return;
        };
        let base = columns(now);
        egui::Grid::new("what_if_table")
            .striped(true)
            .show(ui, |ui| {
                ui.strong("strategy");
                for (name, _) in base {
                    ui.strong(name);
                }
                ui.strong("settled in");
                ui.end_row();
                for f in results {
                    ui.label(&f.strategy);
                    for ((_, x), (_, was)) in columns(f).iter().zip(base) {
                        let step = ARROW_SHARE * was.abs().max(1.0);
                        let (arrow, color) = if f.strategy == NOW {
                            ("", Color32::WHITE)
                        } else if *x > was + step {
                            (" ^", Color32::from_rgb(255, 200, 120))
                        } else if *x < was - step {
                            (" v", Color32::from_rgb(120, 200, 255))
                        } else {
                            (" =", Color32::GRAY)
                        };
                        ui.label(RichText::new(format!("{x:.1}{arrow}")).color(color));
                    }
                    ui.label(if f.steady {
                        format!("{:.0} s", f.settle_s)
                    } else {
                        format!("not steady at {:.0} s", f.settle_s)
                    });
                    ui.end_row();
                }
            });
        ui.columns(2, |cols| {
            Plot::new("what_if_loops")
                .height(PLOT_HEIGHT)
                .legend(Legend::default())
                .x_axis_label("LV volume (mL)")
                .y_axis_label("LV pressure (mmHg)")
                .show(&mut cols[0], |plot| {
                    plot.line(
                        Line::new("current", PlotPoints::from(current_loop.to_vec()))
                            .color(Color32::from_rgb(120, 220, 120))
                            .width(2.5),
                    );
                    for (f, c) in results.iter().zip(LOOP_COLOURS.iter().cycle()) {
                        plot.line(
                            Line::new(f.strategy.clone(), PlotPoints::from(f.pv_loop.clone()))
                                .color(*c),
                        );
                    }
                });
            Plot::new("what_if_lungs")
                .height(PLOT_HEIGHT)
                .legend(Legend::default())
                .x_axis_label("hours")
                .y_axis_label("EVLWI (mL/kg)")
                .show(&mut cols[1], |plot| {
                    for (f, c) in results.iter().zip(LOOP_COLOURS.iter().cycle()) {
                        let pts: Vec<[f64; 2]> = f
                            .lung_water_projection_ml_kg
                            .iter()
                            .enumerate()
                            .map(|(h, w)| [h as f64, *w])
                            .collect();
                        plot.line(Line::new(f.strategy.clone(), PlotPoints::from(pts)).color(*c));
                    }
                });
        });
    }
}
