//! The Calibrate tab: type what the bedside shows, fit the model to it (on a worker), read the
//! residuals and what the data could not pin down, and load the fitted patient as the live one.

use ecmo_unload::calibration::{Fit, Measurement, default_sd};
use egui::{Color32, RichText};

/// The measurements offered: (label, summary key).
pub const FIELDS: [(&str, &str); 9] = [
    ("HR (bpm)", "hr_bpm"),
    ("MAP (mmHg)", "map_mmhg"),
    ("CVP (mmHg)", "cvp_mmhg"),
    ("PCWP (mmHg)", "pcwp_mmhg"),
    ("mean PAP (mmHg)", "pap_mean_mmhg"),
    ("CO (L/min)", "native_co_l_min"),
    ("CI (L/min/m2)", "ci_l_min_m2"),
    ("LVEF (%)", "lvef_pct"),
    ("LVEDV (mL)", "lvedv_ml"),
];

/// What the user asked this frame.
pub enum Ask {
    Fit(Vec<Measurement>),
    Load,
}

#[derive(Default)]
pub struct Calibrate {
    /// Typed values (empty: not measured), in [`FIELDS`] order.
    pub values: [String; FIELDS.len()],
    pub result: Option<Result<Fit, String>>,
    pub pending: bool,
}

impl Calibrate {
    /// The typed measurements (SDs: the clinical defaults), or which field is not a number.
    pub fn measurements(&self) -> Result<Vec<Measurement>, String> {
        FIELDS
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|((label, key), v)| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(|value| Measurement {
                        key: key.to_string(),
                        value,
                        sd: None,
                    })
                    .ok_or_else(|| format!("{label}: '{}' is not a number", v.trim()))
            })
            .collect()
    }

    pub fn calibrate_ui(&mut self, ui: &mut egui::Ui) -> Option<Ask> {
        let mut asked = None;
        ui.label(
            RichText::new(
                "Enter what the bedside shows (leave unknowns empty). The fit adjusts LV and RV \
                 contractility, LV stiffness, vascular resistances and blood volume to reproduce \
                 them, starting from the current patient with its devices and drugs.",
            )
            .color(Color32::from_rgb(255, 200, 80)),
        );
        egui::Grid::new("calibrate_fields").show(ui, |ui| {
            for ((label, key), value) in FIELDS.iter().zip(self.values.iter_mut()) {
                let l = ui.label(*label);
                ui.add(egui::TextEdit::singleline(value).desired_width(80.0))
                    .labelled_by(l.id);
                ui.label(
                    RichText::new(format!("SD {}", default_sd(key).unwrap_or(1.0)))
                        .small()
                        .color(Color32::GRAY),
                );
                ui.end_row();
            }
        });
        ui.horizontal(|ui| {
            if ui.button("Fit to these measurements").clicked() {
                match self.measurements() {
                    Ok(m) if !m.is_empty() => {
                        self.pending = true;
                        asked = Some(Ask::Fit(m));
                    }
                    Ok(_) => self.result = Some(Err("enter at least one measurement".into())),
                    Err(e) => self.result = Some(Err(e)),
                }
            }
            if self.pending {
                ui.spinner();
                ui.label("fitting...");
            }
        });
        match &self.result {
            Some(Err(e)) => {
                ui.colored_label(Color32::from_rgb(255, 120, 120), e);
            }
            Some(Ok(fit)) => {
                egui::Grid::new("calibrate_residuals")
                    .striped(true)
                    .show(ui, |ui| {
                        for h in ["measurement", "measured", "SD", "model", "residual (SD)"] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for (k, r) in &fit.measurements {
                            ui.label(k);
                            ui.label(format!("{:.2}", r.measured));
                            ui.label(format!("{:.2}", r.sd));
                            ui.label(format!("{:.2}", r.model));
                            let color = if r.residual.abs() <= 1.0 {
                                Color32::from_rgb(120, 220, 120)
                            } else {
                                Color32::from_rgb(255, 160, 60)
                            };
                            ui.colored_label(color, format!("{:+.2}", r.residual));
                            ui.end_row();
                        }
                    });
                egui::Grid::new("calibrate_parameters")
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong("parameter");
                        ui.strong("fitted");
                        ui.end_row();
                        for (k, v) in &fit.parameters {
                            ui.label(k);
                            let text = if fit.unidentifiable.contains(k) {
                                format!("{v:.4} (not identifiable from these measurements)")
                            } else {
                                format!("{v:.4}")
                            };
                            ui.label(text);
                            ui.end_row();
                        }
                    });
                if ui.button("Load the fitted patient").clicked() {
                    asked = Some(Ask::Load);
                }
            }
            None => {}
        }
        asked
    }
}
