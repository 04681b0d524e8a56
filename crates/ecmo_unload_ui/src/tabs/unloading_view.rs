//! The Unloading tab: everything about LV unloading on one screen (the LV, the aortic valve, the lungs, the coronaries).

use crate::*;

impl Dashboard {
    /// Everything about LV unloading on one screen.
    pub(crate) fn unloading_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.means() else {
            ui.label("waiting for the first beat...");
            return;
        };
        let b = m.mean;
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = UNLOADING_SPACING;
            tile(ui, "LVEDP", format!("{:.0} mmHg", b.lvedp_mmhg), LV);
            tile(ui, "LVEDV", format!("{:.0} mL", b.lvedv_ml), LV);
            tile(ui, "PCWP", format!("{:.0} mmHg", b.pcwp_mmhg), LA);
            tile(
                ui,
                "Pc lung (Gaar)",
                format!("{:.0} mmHg", b.pulmonary_capillary_mmhg),
                LA,
            );
            tile(
                ui,
                "AV opening",
                format!("{:.0} %", m.av_opening_pct),
                Color32::WHITE,
            );
            tile(ui, "PVA", format!("{:.0} mmHg mL", b.pva_mmhg_ml), LV);
            tile(ui, "MVO2", format!("{:.1} mL/min", b.mvo2_ml_min), LV);
            tile(
                ui,
                "Coronary perfusion",
                format!("{:.0} mmHg", b.coronary_perfusion_mmhg),
                ART,
            );
            tile(ui, "CPO", format!("{:.2} W", b.cpo_w), Color32::WHITE);
        });
        ui.separator();
        // The aortic valve beat by beat, newest right: green opened, red stayed shut.
        ui.horizontal(|ui| {
            ui.label("Aortic valve, beat by beat:");
            for beat in &self.beats {
                let (color, text) = if beat.av_opened {
                    (Color32::from_rgb(80, 200, 80), "open")
                } else {
                    (Color32::from_rgb(220, 60, 60), "shut")
                };
                ui.label(RichText::new("|").strong().size(TILE_FONT).color(color))
                    .on_hover_text(format!("{text}: {:.0} mL forward", beat.av_forward_ml));
            }
        });
        if let Some(st) = &self.status {
            ui.separator();
            ui.horizontal_wrapped(|ui| {
                tile(
                    ui,
                    "Lung water (EVLWI)",
                    format!("{:.1} mL/kg", st.lung_water_ml_kg),
                    risk_color(st.edema_risk),
                );
                tile(
                    ui,
                    "Net filtration",
                    format!("{:+.0} mL/h", st.lung_water_gain_ml_h),
                    risk_color(st.edema_risk),
                );
                tile(
                    ui,
                    "Oedema risk",
                    serde_plain(&st.edema_risk),
                    risk_color(st.edema_risk),
                );
            });
            ui.colored_label(risk_color(st.edema_risk), &st.edema_reason);
        }
        Plot::new("lung_water_trend")
            .height(UNLOADING_TREND_HEIGHT)
            .legend(Legend::default())
            .x_axis_label("minutes")
            .show(ui, |plot| {
                plot.line(
                    Line::new(
                        "lung water (EVLWI mL/kg)",
                        PlotPoints::from(self.trends.series(|p| p.lung_water_ml_kg)),
                    )
                    .color(PA),
                );
                plot.line(
                    Line::new(
                        "LVEDP / 5",
                        PlotPoints::from(self.trends.series(|p| p.lvedp_mmhg / 5.0)),
                    )
                    .color(LV),
                );
            });
    }
}
