//! The side panels: the patient's sliders, the drugs, and one console per device (ECMO, LV
//! vent, septostomy, Impella, IABP). Each draws from a read-only view of the dashboard
//! ([`Controls`]) and returns what the user asked for as [`Action`]s; the shell carries them out
//! (to the simulation, the only way back is a command).

use crate::sim::Command;
use crate::style::ART;
use crate::widgets::{IabpMark, TILE_BEATS};
use ecmo_unload::drugs::Drug;
use ecmo_unload::engine::Status;
use ecmo_unload::iabp::Trigger;
use ecmo_unload::monitor::{Beat, IabpReadings};
use ecmo_unload::patient::{Atria, Choice, EcmoMode, ImpellaModel, RhythmKind};
use ecmo_unload::units::{pct_from_fraction, s_from_min};
use ecmo_unload::{Patient, settings};
use egui::{Color32, RichText};
use std::collections::{BTreeMap, VecDeque};

/// Fluid orders offered as buttons: (label, mL, minutes).
const FLUID_ORDERS: &[(&str, f64, f64)] = &[
    ("+250 mL/10 min", 250.0, 10.0),
    ("+500 mL/15 min", 500.0, 15.0),
    ("-500 mL/60 min", -500.0, 60.0),
];

/// Chest compressions, shown while CPR runs: (label, key).
const CPR_SLIDERS: &[(&str, &str)] = &[
    ("Compression rate", "cpr.rate_per_min"),
    ("Compression depth", "cpr.depth_mm"),
];

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
    ("Lung shunt fraction", "lungs.shunt_fraction"),
    ("FiO2", "lungs.fio2"),
    ("Minute ventilation", "lungs.minute_ventilation_l_min"),
    ("Haemoglobin", "oxygen.hemoglobin_g_dl"),
];

/// Sliders of the patient panel's metabolism section: (label, key).
const METABOLISM_SLIDERS: &[(&str, &str)] = &[
    (
        "Upper-body metabolic rate",
        "metabolism.upper_body_rate_factor",
    ),
    (
        "Lower-body metabolic rate",
        "metabolism.lower_body_rate_factor",
    ),
    (
        "Lactate clearance",
        "metabolism.lactate_clearance_ml_kg_min",
    ),
    ("Base excess (non-lactate)", "metabolism.base_excess_mmol_l"),
];

/// Infusions: (label, key), in [`Drug::ALL`] order.
const DRUG_SLIDERS: [(&str, &str); 4] = [
    ("Dobutamine", "drugs.dobutamine_mcg_kg_min"),
    ("Milrinone", "drugs.milrinone_mcg_kg_min"),
    ("Epinephrine", "drugs.epinephrine_mcg_kg_min"),
    ("Norepinephrine", "drugs.norepinephrine_mcg_kg_min"),
];
/// The milrinone loading dose offered as a button (label: 50 mcg/kg).
const MILRINONE_LOAD_MCG_KG: f64 = 50.0;

/// The effect bars under the drug sliders.
const EFFECT_BAR_HEIGHT: f32 = 12.0;

/// What the user asked of a panel.
#[derive(Debug)]
pub enum Action {
    /// For the simulation.
    Command(Command),
    /// Keep the current PV loop as the baseline drawn under the live one.
    CaptureBaselineLoop,
}

/// What the panels may read of the dashboard, and the actions they return.
pub struct Controls<'a> {
    pub patient: &'a Patient,
    /// The current value of every numeric key (what the sliders show).
    pub values: &'a BTreeMap<String, f64>,
    /// The engine's slow state (drug effects, the IABP console).
    pub status: Option<&'a Status>,
    pub beats: &'a VecDeque<Beat>,
    actions: Vec<Action>,
}

impl<'a> Controls<'a> {
    pub fn new(
        patient: &'a Patient,
        values: &'a BTreeMap<String, f64>,
        status: Option<&'a Status>,
        beats: &'a VecDeque<Beat>,
    ) -> Self {
        Self {
            patient,
            values,
            status,
            beats,
            actions: Vec::new(),
        }
    }

    /// What the user asked for, in order.
    pub fn into_actions(self) -> Vec<Action> {
        self.actions
    }

    fn send(&mut self, command: Command) {
        self.actions.push(Action::Command(command));
    }

    fn set(&mut self, key: &str, value: impl ToString) {
        self.send(Command::Set {
            key: key.to_string(),
            value: value.to_string(),
        });
    }

    /// One slider per key, range and unit from the settings table; a change becomes a command.
    fn sliders(&mut self, ui: &mut egui::Ui, sliders: &[(&str, &str)]) {
        for (label, key) in sliders {
            let (Some(spec), Some(&shown)) = (settings::spec_of(key), self.values.get(*key)) else {
                continue;
            };
            ui.label(if spec.unit.is_empty() {
                label.to_string()
            } else {
                format!("{label} ({})", spec.unit)
            });
            let whole =
                spec.min.fract() == 0.0 && spec.max - spec.min <= 10.0 && key.ends_with("ratio");
            let mut value = shown;
            let r = ui.add(
                egui::Slider::new(&mut value, spec.min..=spec.max)
                    .logarithmic(spec.min > 0.0 && spec.max / spec.min > 50.0)
                    .step_by(if whole { 1.0 } else { 0.0 }),
            );
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, *label));
            if r.changed() {
                self.set(key, value);
            }
        }
    }

    /// A switch (true/false key) as a checkbox.
    fn switch(&mut self, ui: &mut egui::Ui, label: &str, key: &str, on: bool) {
        let mut checked = on;
        if ui.checkbox(&mut checked, label).changed() {
            self.set(key, checked);
        }
    }

    /// A choice between the named values of a key.
    fn choice(&mut self, ui: &mut egui::Ui, key: &str, current: &str, options: &[(&str, &str)]) {
        ui.horizontal_wrapped(|ui| {
            for (value, label) in options {
                if ui.selectable_label(current == *value, *label).clicked() && current != *value {
                    self.set(key, value);
                }
            }
        });
    }
}

/// The patient panel: rhythm, CPR, the patient's sliders, fluids, drugs.
pub fn patient_panel(ui: &mut egui::Ui, c: &mut Controls) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading("Patient");
        let p = c.patient;
        c.switch(ui, "Baroreflex", "reflex.baroreflex", p.reflex.baroreflex);
        c.choice(
            ui,
            "rhythm.kind",
            p.rhythm.kind.key(),
            &RhythmKind::options(),
        );
        // The sinus node's own rate matters only while the atria beat dissociated.
        if p.rhythm.kind.atria() == Atria::Dissociated {
            c.sliders(
                ui,
                &[("Atrial rate (AV dissociation)", "rhythm.atrial_rate_bpm")],
            );
        }
        c.switch(ui, "CPR (chest compressions)", "cpr.enabled", p.cpr.enabled);
        if p.cpr.enabled {
            c.sliders(ui, CPR_SLIDERS);
        }
        c.sliders(ui, PATIENT_SLIDERS);
        ui.horizontal(|ui| {
            for (label, volume_ml, minutes) in FLUID_ORDERS {
                if ui.button(*label).clicked() {
                    c.send(Command::Fluid {
                        volume_ml: *volume_ml,
                        duration_s: s_from_min(*minutes),
                    });
                }
            }
        });
        egui::CollapsingHeader::new("Metabolism and lactate")
            .default_open(false)
            .show(ui, |ui| c.sliders(ui, METABOLISM_SLIDERS));
        ui.separator();
        drugs(ui, c);
        ui.separator();
        if ui.button("Capture baseline loop").clicked() {
            c.actions.push(Action::CaptureBaselineLoop);
        }
    });
}

/// Infusion rates with their effect-site bars, and the milrinone loading dose.
pub fn drugs(ui: &mut egui::Ui, c: &mut Controls) {
    ui.heading("Drugs");
    let effects = c.status.map_or([0.0; 4], |s| s.drug_effects);
    for ((label, key), effect) in DRUG_SLIDERS.iter().zip(effects) {
        c.sliders(ui, &[(label, key)]);
        let bar = egui::ProgressBar::new(effect as f32)
            .desired_height(EFFECT_BAR_HEIGHT)
            .text(
                RichText::new(format!("{label} effect {:.0} %", pct_from_fraction(effect))).small(),
            );
        ui.add(bar);
    }
    if ui
        .button(format!("Milrinone load {MILRINONE_LOAD_MCG_KG:.0} mcg/kg"))
        .clicked()
    {
        c.send(Command::Bolus {
            drug: Drug::Milrinone,
            mcg_kg: MILRINONE_LOAD_MCG_KG,
        });
    }
}

/// Mechanical circulatory support consoles.
pub fn support_panel(ui: &mut egui::Ui, c: &mut Controls) {
    ui.heading("Support");
    ecmo_console(ui, c);
    septostomy_console(ui, c);
    ui.separator();
    impella_console(ui, c);
    ui.separator();
    iabp_console(ui, c);
}

/// VA ECMO and the LV vent through its circuit.
pub fn ecmo_console(ui: &mut egui::Ui, c: &mut Controls) {
    let ecmo = &c.patient.ecmo;
    c.switch(ui, "VA ECMO", "ecmo.enabled", ecmo.enabled);
    if ecmo.enabled {
        c.choice(ui, "ecmo.mode", ecmo.mode.key(), &EcmoMode::options());
        match ecmo.mode {
            EcmoMode::Rpm => c.sliders(ui, &[("ECMO pump speed", "ecmo.rpm")]),
            EcmoMode::Flow => c.sliders(ui, &[("ECMO flow target", "ecmo.flow_target_l_min")]),
        }
        c.sliders(
            ui,
            &[
                ("Sweep gas", "ecmo.sweep_l_min"),
                ("FdO2", "ecmo.fdo2"),
                ("Membrane function", "ecmo.membrane_function"),
            ],
        );
        lv_vent_console(ui, c);
    }
}

pub fn lv_vent_console(ui: &mut egui::Ui, c: &mut Controls) {
    let on = c.patient.lv_vent.enabled;
    c.switch(ui, "LV vent", "lv_vent.enabled", on);
    if on {
        c.sliders(ui, &[("LV vent cannula", "lv_vent.cannula_fr")]);
    }
}

pub fn septostomy_console(ui: &mut egui::Ui, c: &mut Controls) {
    c.sliders(ui, &[("Atrial septostomy", "septostomy.diameter_mm")]);
}

pub fn impella_console(ui: &mut egui::Ui, c: &mut Controls) {
    let impella = &c.patient.impella;
    c.switch(ui, "Impella", "impella.enabled", impella.enabled);
    if impella.enabled {
        c.choice(
            ui,
            "impella.model",
            impella.model.key(),
            &ImpellaModel::options(),
        );
        c.sliders(ui, &[("Impella P-level", "impella.p_level")]);
    }
}

pub fn iabp_console(ui: &mut egui::Ui, c: &mut Controls) {
    let iabp = &c.patient.iabp;
    c.switch(ui, "IABP", "iabp.enabled", iabp.enabled);
    if iabp.enabled {
        let ratio = iabp.ratio.to_string();
        c.choice(
            ui,
            "iabp.ratio",
            &ratio,
            &[("1", "1:1"), ("2", "1:2"), ("3", "1:3")],
        );
        c.choice(ui, "iabp.trigger", iabp.trigger.key(), &Trigger::options());
        c.sliders(
            ui,
            &[
                ("Balloon volume", "iabp.volume_ml"),
                ("Inflation timing", "iabp.inflate_offset_ms"),
                ("Deflation timing", "iabp.deflate_offset_ms"),
            ],
        );
        if iabp.trigger == Trigger::Internal {
            c.sliders(ui, &[("Internal rate", "iabp.internal_rate_bpm")]);
        }
        iabp_readings(ui, c);
    }
}

/// The console's screen: its five pressures and what it says of its own state.
pub fn iabp_readings(ui: &mut egui::Ui, c: &Controls) {
    let r = IabpReadings::of(c.beats.iter().rev().take(TILE_BEATS).rev());
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
    if let Some(console) = c.status.and_then(|s| s.iabp) {
        let (text, colour) = if console.trigger_lost {
            ("Trigger loss: not pumping".to_string(), Color32::YELLOW)
        } else if console.clamped {
            ("Timing clamped by the console".to_string(), Color32::YELLOW)
        } else if let Some(f) = console.fill_fraction {
            (
                format!("Pumping: balloon fills to {:.0} %", pct_from_fraction(f)),
                Color32::LIGHT_GREEN,
            )
        } else {
            ("Starting".to_string(), Color32::LIGHT_GRAY)
        };
        ui.colored_label(colour, text);
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
