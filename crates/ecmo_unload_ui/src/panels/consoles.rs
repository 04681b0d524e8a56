//! The side panels: the patient's sliders, the drugs, and one console per device (ECMO, LV vent, septostomy, Impella, IABP), each turning a control into a command.

use crate::*;
use ecmo_unload::iabp::Trigger;
use ecmo_unload::patient::{Choice, EcmoMode, ImpellaModel, RhythmKind};

impl Dashboard {
    pub(crate) fn patient_ui(&mut self, ui: &mut egui::Ui) {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("Patient");
            let reflex = self.patient.reflex.baroreflex;
            self.switch_ui(ui, "Baroreflex", "reflex.baroreflex", reflex);
            let rhythm = self.patient.rhythm.kind.key();
            self.choice_ui(ui, "rhythm.kind", rhythm, &RhythmKind::options());
            // The sinus node's own rate matters only while the atria beat dissociated.
            if self.patient.rhythm.kind.atria() == ecmo_unload::patient::Atria::Dissociated {
                self.sliders_ui(
                    ui,
                    &[("Atrial rate (AV dissociation)", "rhythm.atrial_rate_bpm")],
                );
            }
            let cpr = self.patient.cpr.enabled;
            self.switch_ui(ui, "CPR (chest compressions)", "cpr.enabled", cpr);
            if cpr {
                self.sliders_ui(ui, CPR_SLIDERS);
            }
            self.sliders_ui(ui, PATIENT_SLIDERS);
            ui.horizontal(|ui| {
                for (label, volume_ml, minutes) in FLUID_ORDERS {
                    if ui.button(*label).clicked() {
                        self.send(Command::Fluid {
                            volume_ml: *volume_ml,
                            duration_s: minutes * 60.0,
                        });
                    }
                }
            });
            ui.separator();
            self.drugs_ui(ui);
            ui.separator();
            if ui.button("Capture baseline loop").clicked() {
                self.ghost = Some(self.loop_points());
            }
        });
    }

    /// Infusion rates with their effect-site bars, and the milrinone loading dose.
    pub(crate) fn drugs_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Drugs");
        let effects = self.status.as_ref().map_or([0.0; 4], |s| s.drug_effects);
        for ((label, key), effect) in DRUG_SLIDERS.iter().zip(effects) {
            self.sliders_ui(ui, &[(label, key)]);
            let bar = egui::ProgressBar::new(effect as f32)
                .desired_height(12.0)
                .text(RichText::new(format!("{label} effect {:.0} %", 100.0 * effect)).small());
            ui.add(bar);
        }
        if ui
            .button(format!("Milrinone load {MILRINONE_LOAD_MCG_KG:.0} mcg/kg"))
            .clicked()
        {
            self.send(Command::Bolus {
                drug: Drug::Milrinone,
                mcg_kg: MILRINONE_LOAD_MCG_KG,
            });
        }
    }

    /// One slider per key, range and unit from the settings table; changes become commands.
    pub(crate) fn sliders_ui(&mut self, ui: &mut egui::Ui, sliders: &[(&str, &str)]) {
        let mut changes = Vec::new();
        for (label, key) in sliders {
            let (Some(spec), Some(value)) = (settings::spec_of(key), self.values.get_mut(*key))
            else {
                continue;
            };
            ui.label(if spec.unit.is_empty() {
                label.to_string()
            } else {
                format!("{label} ({})", spec.unit)
            });
            let whole =
                spec.min.fract() == 0.0 && spec.max - spec.min <= 10.0 && key.ends_with("ratio");
            let r = ui.add(
                egui::Slider::new(value, spec.min..=spec.max)
                    .logarithmic(spec.min > 0.0 && spec.max / spec.min > 50.0)
                    .step_by(if whole { 1.0 } else { 0.0 }),
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
    }

    /// A switch (true/false key) as a checkbox.
    pub(crate) fn switch_ui(&mut self, ui: &mut egui::Ui, label: &str, key: &str, on: bool) {
        let mut checked = on;
        if ui.checkbox(&mut checked, label).changed() {
            self.send(Command::Set {
                key: key.to_string(),
                value: checked.to_string(),
            });
        }
    }

    /// A choice between the named values of a key.
    pub(crate) fn choice_ui(
        &mut self,
        ui: &mut egui::Ui,
        key: &str,
        current: &str,
        options: &[(&str, &str)],
    ) {
        ui.horizontal_wrapped(|ui| {
            for (value, label) in options {
                if ui.selectable_label(current == *value, *label).clicked() && current != *value {
                    self.send(Command::Set {
                        key: key.to_string(),
                        value: value.to_string(),
                    });
                }
            }
        });
    }

    /// Mechanical circulatory support consoles.
    pub(crate) fn support_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Support");
        self.ecmo_console_ui(ui);
        self.septostomy_console_ui(ui);
        ui.separator();
        self.impella_console_ui(ui);
        ui.separator();
        self.iabp_console_ui(ui);
    }

    /// VA ECMO and the LV vent through its circuit.
    pub(crate) fn ecmo_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "VA ECMO", "ecmo.enabled", p.ecmo.enabled);
        if p.ecmo.enabled {
            self.choice_ui(ui, "ecmo.mode", p.ecmo.mode.key(), &EcmoMode::options());
            match p.ecmo.mode {
                EcmoMode::Rpm => self.sliders_ui(ui, &[("ECMO pump speed", "ecmo.rpm")]),
                EcmoMode::Flow => {
                    self.sliders_ui(ui, &[("ECMO flow target", "ecmo.flow_target_l_min")])
                }
            }
            self.sliders_ui(
                ui,
                &[("Sweep gas", "ecmo.sweep_l_min"), ("FdO2", "ecmo.fdo2")],
            );
            self.lv_vent_console_ui(ui);
        }
    }

    pub(crate) fn lv_vent_console_ui(&mut self, ui: &mut egui::Ui) {
        let on = self.patient.lv_vent.enabled;
        self.switch_ui(ui, "LV vent", "lv_vent.enabled", on);
        if on {
            self.sliders_ui(ui, &[("LV vent cannula", "lv_vent.cannula_fr")]);
        }
    }

    pub(crate) fn septostomy_console_ui(&mut self, ui: &mut egui::Ui) {
        self.sliders_ui(ui, &[("Atrial septostomy", "septostomy.diameter_mm")]);
    }

    pub(crate) fn impella_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "Impella", "impella.enabled", p.impella.enabled);
        if p.impella.enabled {
            let model = p.impella.model.key();
            self.choice_ui(ui, "impella.model", model, &ImpellaModel::options());
            self.sliders_ui(ui, &[("Impella P-level", "impella.p_level")]);
        }
    }

    pub(crate) fn iabp_console_ui(&mut self, ui: &mut egui::Ui) {
        let p = self.patient.clone();
        self.switch_ui(ui, "IABP", "iabp.enabled", p.iabp.enabled);
        if p.iabp.enabled {
            let ratio = p.iabp.ratio.to_string();
            self.choice_ui(
                ui,
                "iabp.ratio",
                &ratio,
                &[("1", "1:1"), ("2", "1:2"), ("3", "1:3")],
            );
            let trigger = p.iabp.trigger.key();
            self.choice_ui(ui, "iabp.trigger", trigger, &Trigger::options());
            self.sliders_ui(
                ui,
                &[
                    ("Balloon volume", "iabp.volume_ml"),
                    ("Inflation timing", "iabp.inflate_offset_ms"),
                    ("Deflation timing", "iabp.deflate_offset_ms"),
                ],
            );
            if p.iabp.trigger == ecmo_unload::iabp::Trigger::Internal {
                self.sliders_ui(ui, &[("Internal rate", "iabp.internal_rate_bpm")]);
            }
            self.iabp_readings_ui(ui);
        }
    }

    /// The console's screen: its five pressures and what it says of its own state.
    pub(crate) fn iabp_readings_ui(&self, ui: &mut egui::Ui) {
        let r = IabpReadings::of(self.beats.iter().rev().take(TILE_BEATS).rev());
        egui::Grid::new("iabp readings")
            .num_columns(2)
            .show(ui, |ui| {
                for (label, value) in iabp_reading_rows(&r) {
                    ui.label(label);
                    ui.label(RichText::new(value).color(ART).strong());
                    ui.end_row();
                }
            });
        // The key to the ticks above the balloon strip.
        ui.horizontal(|ui| {
            ui.label("Ticks:");
            for mark in [IabpMark::Trigger, IabpMark::Inflate, IabpMark::Deflate] {
                ui.colored_label(mark.colour(), mark.label());
            }
        });
        if let Some(c) = self.status.as_ref().and_then(|s| s.iabp) {
            let (text, colour) = if c.trigger_lost {
                ("Trigger loss: not pumping".to_string(), Color32::YELLOW)
            } else if c.clamped {
                ("Timing clamped by the console".to_string(), Color32::YELLOW)
            } else if let Some(f) = c.fill_fraction {
                (
                    format!("Pumping: balloon fills to {:.0} %", 100.0 * f),
                    Color32::LIGHT_GREEN,
                )
            } else {
                ("Starting".to_string(), Color32::LIGHT_GRAY)
            };
            ui.colored_label(colour, text);
        }
    }
}

/// The IABP console's five readings as (label, mmHg or `--`): what a console's screen shows.
pub(crate) fn iabp_reading_rows(r: &IabpReadings) -> [(&'static str, String); 5] {
    let show = |x: Option<f64>| x.map_or("--".to_string(), |v| format!("{v:.0}"));
    [
        ("IABP aug", show(r.iabp_peak_diastolic_mmhg)),
        ("AEDP", show(r.iabp_aedp_mmhg)),
        ("UAEDP", show(r.iabp_uaedp_mmhg)),
        ("Assisted sys", show(r.iabp_assisted_systolic_mmhg)),
        ("Unassisted sys", show(r.iabp_unassisted_systolic_mmhg)),
    ]
}
