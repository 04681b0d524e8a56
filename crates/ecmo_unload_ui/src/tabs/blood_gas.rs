//! The blood-gas tab: "Take a blood gas" draws samples from every site at once (right radial,
//! femoral, the ECMO circuit's pre- and post-oxygenator ports, the pulmonary artery), and the
//! laboratory's printout shows them side by side, flagged against the adult reference ranges.
//! Earlier samples stay listed, so a trainee can compare a gas before and after a change.

use ecmo_unload::blood_gas::{ANALYTES, Analyte, BloodGases, Site};
use egui::{Color32, RichText};

/// Printout paper and ink.
const PAPER: Color32 = Color32::from_rgb(250, 248, 240);
const INK: Color32 = Color32::from_rgb(20, 20, 20);
const FLAG: Color32 = Color32::from_rgb(170, 0, 0);
/// Width of a printout column, in characters.
const COLUMN_CHARS: usize = 10;
/// Samples kept (the oldest drop off).
pub const MAX_SAMPLES: usize = 200;

/// What the tab asks of the dashboard.
pub enum Ask {
    /// Take a sample now.
    Take,
}

#[derive(Default)]
pub struct BloodGasPanel {
    taken: Vec<BloodGases>,
    /// Index of the sample shown.
    shown: usize,
}

/// `H` or `L` when `x` is outside `range`, as a printout flags it.
fn flag(x: f64, range: Option<(f64, f64)>) -> &'static str {
    match range {
        Some((lo, _)) if x < lo => "L",
        Some((_, hi)) if x > hi => "H",
        _ => "",
    }
}

/// Simulated time as h:mm:ss.
pub fn clock(t_s: f64) -> String {
    let s = t_s.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One analyte's value, with its flag, as a printout column shows it. Only arterial samples
/// are flagged: the ranges printed are the arterial ones.
fn cell(a: &Analyte, site: Site, g: Option<&ecmo_unload::acid_base::BloodGas>) -> (String, bool) {
    match g {
        None => ("--".to_string(), false),
        Some(g) => {
            let x = (a.value)(g);
            let f = if site.is_arterial() {
                flag(x, a.range)
            } else {
                ""
            };
            (format!("{x:.*}{f}", a.decimals), !f.is_empty())
        }
    }
}

impl BloodGasPanel {
    /// Keep a sample drawn at `gases.t_s`; it becomes the one shown.
    pub fn take(&mut self, gases: BloodGases) {
        if self.taken.len() == MAX_SAMPLES {
            self.taken.remove(0);
        }
        self.taken.push(gases);
        self.shown = self.taken.len() - 1;
    }

    pub fn clear(&mut self) {
        self.taken.clear();
        self.shown = 0;
    }

    pub fn taken(&self) -> &[BloodGases] {
        &self.taken
    }

    /// The event log's line for a sample: the right radial gas, the lactate, the circuit's.
    pub fn log_line(g: &BloodGases) -> String {
        let a = &g.right_radial;
        let mut line = format!(
            "blood gas taken: right radial pH {:.2}, PaCO2 {:.0}, PaO2 {:.0} mmHg, HCO3 {:.1}, \
             BE {:.1}, lactate {:.1} mmol/L; femoral PaO2 {:.0}; SvO2 {:.0} %",
            a.ph,
            a.pco2_mmhg,
            a.po2_mmhg,
            a.hco3_mmol_l,
            a.base_excess_mmol_l,
            a.lactate_mmol_l,
            g.femoral.po2_mmhg,
            g.mixed_venous.so2_pct,
        );
        if let Some(post) = g.post_oxygenator {
            line += &format!(
                "; post-oxygenator PO2 {:.0}, PCO2 {:.0}",
                post.po2_mmhg, post.pco2_mmhg
            );
        }
        line
    }

    pub fn blood_gas_ui(&mut self, ui: &mut egui::Ui) -> Option<Ask> {
        let mut ask = None;
        ui.horizontal(|ui| {
            if ui
                .button("Take a blood gas")
                .on_hover_text(
                    "draw arterial (right radial, femoral), circuit and mixed venous samples now",
                )
                .clicked()
            {
                ask = Some(Ask::Take);
            }
            if !self.taken.is_empty() {
                let label = |g: &BloodGases| format!("sample at {}", clock(g.t_s));
                egui::ComboBox::from_label("Sample")
                    .selected_text(label(&self.taken[self.shown]))
                    .show_ui(ui, |ui| {
                        for (k, g) in self.taken.iter().enumerate().rev() {
                            ui.selectable_value(&mut self.shown, k, label(g));
                        }
                    });
            }
        });
        ui.add_space(8.0);
        match self.taken.get(self.shown) {
            None => {
                ui.label(
                    "No sample yet. A blood gas is drawn when you ask for it, as at the bedside: \
                     press \"Take a blood gas\".",
                );
            }
            Some(g) => printout_ui(ui, g),
        }
        ask
    }
}

/// The laboratory printout: one column per site, one row per analyte, the arterial samples
/// flagged H or L against the adult arterial reference ranges (venous and circuit samples have
/// other normals, and are printed unflagged).
fn printout_ui(ui: &mut egui::Ui, g: &BloodGases) {
    let mono = |s: String| RichText::new(s).monospace().color(INK);
    egui::Frame::new()
        .fill(PAPER)
        .inner_margin(16.0)
        .stroke(egui::Stroke::new(1.0, Color32::GRAY))
        .show(ui, |ui| {
            // A printout's lines never wrap: a narrow window scrolls it instead.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            ui.label(
                mono("BLOOD GAS ANALYSIS   (simulated: education and research only)".into())
                    .strong(),
            );
            ui.label(mono(format!(
                "Sampled at {} simulated time, 37.0 C",
                clock(g.t_s)
            )));
            ui.label(mono("-".repeat(20 + COLUMN_CHARS * Site::ALL.len() + 20)));
            let mut head = format!("{:<20}", "");
            for site in Site::ALL {
                head += &format!("{:>w$}", site.short(), w = COLUMN_CHARS);
            }
            head += &format!("  {:<18}", "ref (arterial)");
            ui.label(mono(head).strong());
            for a in &ANALYTES {
                ui.horizontal(|ui| {
                    ui.spacing_mut().item_spacing.x = 0.0;
                    let name = if a.unit.is_empty() {
                        a.name.to_string()
                    } else {
                        format!("{} ({})", a.name, a.unit)
                    };
                    ui.label(mono(format!("{name:<20}")));
                    for site in Site::ALL {
                        let (text, flagged) = cell(a, site, g.at(site));
                        let text =
                            RichText::new(format!("{text:>w$}", w = COLUMN_CHARS)).monospace();
                        ui.label(if flagged {
                            text.color(FLAG).strong()
                        } else {
                            text.color(INK)
                        });
                    }
                    let range = a.range.map_or(String::new(), |(lo, hi)| {
                        format!("{lo:.*} to {hi:.*}", a.decimals, a.decimals)
                    });
                    ui.label(mono(format!("  {range:<18}")));
                });
            }
            ui.label(mono("-".repeat(20 + COLUMN_CHARS * Site::ALL.len() + 20)));
            for site in Site::ALL {
                let drawn = if g.at(site).is_some() {
                    ""
                } else {
                    "  (no ECMO running: not drawn)"
                };
                let flagged = if site.is_arterial() {
                    ", flagged against the arterial ranges"
                } else {
                    ""
                };
                ui.label(mono(format!(
                    "{:<10} {}{flagged}{drawn}",
                    site.short(),
                    site.label()
                )));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_clock_read_as_a_printout_does() {
        assert_eq!(flag(7.2, Some((7.35, 7.45))), "L");
        assert_eq!(flag(50.0, Some((35.0, 45.0))), "H");
        assert_eq!(flag(40.0, Some((35.0, 45.0))), "");
        assert_eq!(clock(3725.0), "1:02:05");
    }
}
