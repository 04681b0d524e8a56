//! The Circulation tab: the live schematic and the card of what was clicked on it.

use crate::*;

impl Dashboard {
    /// The latest beats in a row in which the aortic valve stayed shut.
    pub(crate) fn av_shut_beats(&self) -> usize {
        ecmo_unload::alarms::av_shut_beats(self.beats.iter())
    }

    /// The Circulation tab: the live schematic, and beside it the console or indicator of what
    /// was clicked on it.
    pub(crate) fn circulation_ui(&mut self, ui: &mut egui::Ui) {
        let full = ui.available_rect_before_wrap();
        let card_w = (full.width() * 0.3).clamp(220.0, 380.0);
        let split = full.max.x - card_w;
        let left = egui::Rect::from_min_max(full.min, egui::pos2(split - 8.0, full.max.y));
        let right = egui::Rect::from_min_max(egui::pos2(split, full.min.y), full.max);
        ui.scope_builder(egui::UiBuilder::new().max_rect(left), |ui| {
            let view = schematic::View {
                picture: &self.picture,
                patient: &self.patient,
                status: self.status.as_ref(),
                av_shut_beats: self.av_shut_beats(),
                pump_rpm: self.beats.back().map_or(0.0, |b| b.ecmo_rpm),
            };
            self.schematic.schematic_ui(ui, &view);
        });
        ui.scope_builder(egui::UiBuilder::new().max_rect(right), |ui| {
            egui::ScrollArea::vertical()
                .id_salt("circulation_card")
                .show(ui, |ui| self.circulation_card_ui(ui));
        });
        ui.allocate_rect(full, egui::Sense::hover());
    }

    /// What the user clicked on the schematic: a device's console, or a chamber's or the lungs'
    /// numbers.
    pub(crate) fn circulation_card_ui(&mut self, ui: &mut egui::Ui) {
        use schematic::Target;
        let Some(target) = self.schematic.selected else {
            ui.heading("Where the blood goes");
            ui.label(
                "Click a chamber, the lungs or a device for its numbers or its console. \
                 Particles move with the flow (backward where it reverses); vessel width \
                 follows the mean flow; chamber size follows the volume.",
            );
            ui.label(
                "Valves: white leaflets apart are open, a yellow bar is shut. Lungs turn \
                 blue-grey and fill with droplets as lung water builds. An amber ring on the \
                 LV: it has stopped ejecting and its blood stagnates.",
            );
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(target.label());
            if ui.button("Close").clicked() {
                self.schematic.selected = None;
            }
        });
        match target {
            Target::Chamber(n) => self.chamber_card_ui(ui, n),
            Target::Lungs => self.lungs_card_ui(ui),
            Target::Ecmo => self.controls_ui(ui, consoles::ecmo_console),
            Target::LvVent => self.controls_ui(ui, consoles::lv_vent_console),
            Target::Septostomy => self.controls_ui(ui, consoles::septostomy_console),
            Target::Impella => self.controls_ui(ui, consoles::impella_console),
            Target::Iabp => self.controls_ui(ui, consoles::iabp_console),
        }
    }

    pub(crate) fn chamber_card_ui(&mut self, ui: &mut egui::Ui, n: ecmo_unload::circulation::Node) {
        use ecmo_unload::circulation::Node;
        let i = n.index();
        let pic = &self.picture;
        ui.label(format!("Volume now: {:.0} mL", pic.v_ml[i]));
        ui.label(format!("Pressure now: {:.1} mmHg", pic.p_mmhg[i]));
        ui.label(format!("O2 saturation: {:.0} %", 100.0 * pic.sat[i]));
        if let Some(m) = self.means() {
            let b = m.mean;
            match n {
                Node::Lv => {
                    ui.label(format!(
                        "EDV {:.0} / ESV {:.0} mL, EF {:.0} %, LVEDP {:.0} mmHg",
                        b.lvedv_ml, b.lvesv_ml, b.lvef_pct, b.lvedp_mmhg
                    ));
                    ui.label(format!(
                        "Aortic valve opened in {:.0} % of beats; shut for the last {} beats",
                        m.av_opening_pct,
                        self.av_shut_beats()
                    ));
                }
                Node::Rv => {
                    ui.label(format!("EDV {:.0} / ESV {:.0} mL", b.rvedv_ml, b.rvesv_ml));
                }
                Node::La => {
                    ui.label(format!("PCWP {:.0} mmHg", b.pcwp_mmhg));
                }
                _ => {
                    ui.label(format!("CVP {:.0} mmHg", b.cvp_mmhg));
                }
            }
        }
        if n == Node::Lv {
            self.pv_loop_ui(ui);
        }
    }

    pub(crate) fn lungs_card_ui(&mut self, ui: &mut egui::Ui) {
        let Some(st) = &self.status else {
            return;
        };
        ui.label(format!("Lung water {:.1} mL/kg", st.lung_water_ml_kg));
        ui.label(format!(
            "Net filtration {:+.0} mL/h",
            st.lung_water_gain_ml_h
        ));
        ui.colored_label(
            risk_color(st.edema_risk),
            format!("Oedema risk: {}", st.edema_reason),
        );
        if let Some(b) = self.means() {
            ui.label(format!(
                "Pulmonary capillary pressure {:.0} mmHg, PCWP {:.0} mmHg",
                b.mean.pulmonary_capillary_mmhg, b.mean.pcwp_mmhg
            ));
        }
    }
}
