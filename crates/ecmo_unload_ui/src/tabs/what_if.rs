//! The What-if tab: pick candidate strategies, forecast them from the running patient (copies,
//! on other cores), and see them side by side with arrows against "now", their predicted PV
//! loops over the current one, and their lung water over the next hours.

use ecmo_unload::cohort::{Outcome, SAMPLED};
use ecmo_unload::comparison::{self, Change};
use ecmo_unload::forecast::{Forecast, Strategy};
use egui::{Color32, RichText};
use egui_plot::{BoxElem, BoxPlot, BoxSpread, Points};
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
pub use ecmo_unload::advice::NOW;
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

/// Patients in the dashboard's virtual cohort (the CLI runs thousands).
pub const COHORT_PATIENTS: u64 = 40;
const COHORT_SEED: u64 = 1;

/// What the user asked of the tab this frame.
pub enum Ask {
    Forecast(Vec<Strategy>),
    Cohort {
        n: u64,
        seed: u64,
        strategies: Vec<Strategy>,
    },
}

pub struct WhatIf {
    chosen: [bool; OFFERED.len()],
    /// A user-defined combination, `name:K=V,K=V`.
    custom: String,
    pub results: Option<Result<Vec<Forecast>, String>>,
    pub pending: bool,
    /// The last virtual cohort, and its strategies' names.
    pub cohort: Option<Result<Vec<Outcome>, String>>,
    pub cohort_pending: bool,
    auto_cohort: bool,
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
            cohort: None,
            cohort_pending: false,
            auto_cohort: false,
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
        alarms: &[ecmo_unload::alarms::Active],
        running: ecmo_unload::alarms::Running,
        ready: bool,
    ) -> Option<Ask> {
        let mut asked = None;
        ui.label(
            RichText::new(
                "Model forecasts for education and research, not orders: each strategy runs on a \
                 copy of this patient to its new steady state, then 6 h on, the circulation \
                 with its lung water, lactate, drugs and CO2 (the 6-h columns).",
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
            // Opened from the command line: forecast as soon as the patient has beats.
            let auto = ready && std::mem::take(&mut self.auto);
            if ui.button("Forecast").clicked() || auto {
                match self.strategies(ecmo_flow_l_min) {
                    Ok(s) => {
                        self.pending = true;
                        asked = Some(Ask::Forecast(s));
                    }
                    Err(e) => self.results = Some(Err(e)),
                }
            }
            if self.pending {
                ui.spinner();
                ui.label("forecasting...");
            }
            let cohort_clicked = ui
                .button(format!("Virtual cohort ({COHORT_PATIENTS} patients)"))
                .clicked();
            // Opened from the command line: forecast first, the cohort on the next frame.
            if auto {
                self.auto_cohort = true;
            } else if cohort_clicked || (ready && std::mem::take(&mut self.auto_cohort)) {
                match self.strategies(ecmo_flow_l_min) {
                    Ok(s) => {
                        self.cohort_pending = true;
                        asked = Some(Ask::Cohort {
                            n: COHORT_PATIENTS,
                            seed: COHORT_SEED,
                            strategies: s,
                        });
                    }
                    Err(e) => self.cohort = Some(Err(e)),
                }
            }
            if self.cohort_pending {
                ui.spinner();
                ui.label("sampling patients...");
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
                let lines = ecmo_unload::advice::considerations(alarms, results, running);
                if !lines.is_empty() {
                    ui.label(RichText::new("Considerations (model output, not orders)").strong());
                    for (k, line) in lines.iter().enumerate() {
                        ui.label(format!("{}. {line}", k + 1));
                    }
                }
                Self::results_ui(ui, results, current_loop)
            }
        }
        match &self.cohort {
            Some(Ok(outcomes)) => Self::cohort_ui(ui, outcomes),
            Some(Err(e)) => {
                ui.colored_label(Color32::from_rgb(255, 120, 120), e);
            }
            None => {}
        }
        asked
    }

    /// PCWP per strategy across the cohort (box plots), and for whom each strategy unloads:
    /// its PCWP change against the patient's LV contractility.
    fn cohort_ui(ui: &mut egui::Ui, outcomes: &[Outcome]) {
        let Some(first) = outcomes.first() else {
            return;
        };
        let names: Vec<&str> = first
            .forecasts
            .iter()
            .map(|f| f.strategy.as_str())
            .collect();
        ui.separator();
        ui.label(
            RichText::new(format!(
                "Virtual cohort: {} patients sampled around this one (model output)",
                outcomes.len()
            ))
            .strong(),
        );
        let pcwp = |o: &Outcome, j: usize| o.forecasts[j].summary.beat.pcwp_mmhg;
        ui.columns(2, |cols| {
            Plot::new("cohort_pcwp")
                .height(PLOT_HEIGHT)
                .legend(Legend::default())
                .y_axis_label("PCWP (mmHg)")
                .show(&mut cols[0], |plot| {
                    for (j, (name, c)) in names.iter().zip(LOOP_COLOURS.iter().cycle()).enumerate()
                    {
                        let xs: Vec<f64> = outcomes.iter().map(|o| pcwp(o, j)).collect();
                        let (q1, med, q3) = ecmo_unload::cohort::quartiles(&xs);
                        let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
                        let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let elem = BoxElem::new(j as f64, BoxSpread::new(lo, q1, med, q3, hi))
                            .name(*name)
                            .box_width(0.6);
                        plot.box_plot(BoxPlot::new(*name, vec![elem]).color(*c));
                    }
                });
            // x: the patient's LV Ees (the first sampled parameter).
            let ees_key = SAMPLED[0].0;
            Plot::new("cohort_who")
                .height(PLOT_HEIGHT)
                .legend(Legend::default())
                .x_axis_label(ees_key)
                .y_axis_label("PCWP change vs now (mmHg)")
                .show(&mut cols[1], |plot| {
                    for (j, (name, c)) in names.iter().zip(LOOP_COLOURS.iter().cycle()).enumerate()
                    {
                        if *name == NOW {
                            continue;
                        }
                        let pts: Vec<[f64; 2]> = outcomes
                            .iter()
                            .map(|o| [o.values[0], pcwp(o, j) - pcwp(o, 0)])
                            .collect();
                        plot.points(Points::new(*name, pts).color(*c).radius(3.0));
                    }
                });
        });
    }

    fn results_ui(ui: &mut egui::Ui, results: &[Forecast], current_loop: &[[f64; 2]]) {
        let Some(now) = results.iter().find(|f| f.strategy == NOW) else {
            return;
        };
        let base = comparison::forecast_values(now);
        egui::Grid::new("what_if_table")
            .striped(true)
            .show(ui, |ui| {
                ui.strong("strategy");
                for c in comparison::COLUMNS {
                    ui.strong(c.label);
                }
                ui.strong("settled in");
                ui.end_row();
                for f in results {
                    ui.label(&f.strategy);
                    let values = comparison::forecast_values(f).into_iter().zip(base);
                    for ((x, was), c) in values.zip(comparison::COLUMNS) {
                        let change = Change::of(x, was);
                        let d = c.decimals;
                        let text = if f.strategy == NOW {
                            format!("{x:.d$}")
                        } else {
                            format!("{x:.d$} {}", change.arrow())
                        };
                        let color = match change {
                            _ if f.strategy == NOW => Color32::WHITE,
                            Change::Rise => Color32::from_rgb(255, 200, 120),
                            Change::Fall => Color32::from_rgb(120, 200, 255),
                            Change::Same => Color32::GRAY,
                        };
                        ui.label(RichText::new(text).color(color));
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
                            .hourly
                            .iter()
                            .map(|p| [p.hour, p.lung_water_ml_kg])
                            .collect();
                        plot.line(Line::new(f.strategy.clone(), PlotPoints::from(pts)).color(*c));
                    }
                });
        });
    }
}
