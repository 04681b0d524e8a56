//! Trends over minutes to hours: one point every `TREND_INTERVAL_S` of simulated time (beat
//! means, decimated by the simulation), in a ring of fixed capacity so that memory stays flat
//! however long the session runs.

use crate::sim::{TREND_INTERVAL_S, TrendPoint};
use egui::Color32;
use egui_plot::{Legend, Line, Plot, PlotPoints};
use std::collections::VecDeque;

/// Hours of trend kept (older points drop off the ring).
pub const TREND_HOURS: f64 = 24.0;
/// Points in the ring: 24 h at one point per 5 s.
pub const TREND_CAPACITY: usize = (TREND_HOURS * 3600.0 / TREND_INTERVAL_S) as usize;
/// Seconds per minute: the trend axis is in minutes.
const S_PER_MIN: f64 = 60.0;
const TREND_PLOT_HEIGHT: f32 = 150.0;
/// The blood-gas trends' least spans: lactate 0-4 mmol/L, PaCO2 20-60 mmHg, pH 7.2-7.6.
const LACTATE_SCALE: [f64; 2] = [0.0, 4.0];
const PACO2_SCALE: [f64; 2] = [20.0, 60.0];
const PH_SCALE: [f64; 2] = [7.2, 7.6];

/// One line of a trend plot: name, colour, and the quantity.
type TrendLine = (&'static str, Color32, fn(&TrendPoint) -> f64);

#[derive(Default)]
pub struct Trends {
    points: VecDeque<TrendPoint>,
}

impl Trends {
    pub fn push(&mut self, p: TrendPoint) {
        if self.points.len() == TREND_CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back(p);
    }

    pub fn clear(&mut self) {
        self.points.clear();
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn points(&self) -> impl Iterator<Item = &TrendPoint> {
        self.points.iter()
    }

    pub fn last(&self) -> Option<&TrendPoint> {
        self.points.back()
    }

    /// Points of one quantity against time in minutes.
    pub fn series(&self, f: impl Fn(&TrendPoint) -> f64) -> Vec<[f64; 2]> {
        self.points
            .iter()
            .map(|p| [p.t_s / S_PER_MIN, f(p)])
            .collect()
    }

    fn plot(&self, ui: &mut egui::Ui, id: &str, lines: &[TrendLine]) {
        self.plot_spanning(ui, id, lines, &[]);
    }

    /// A plot whose y axis always spans `include` (a clinical scale, so a small drift does not
    /// look like a steep climb).
    fn plot_spanning(&self, ui: &mut egui::Ui, id: &str, lines: &[TrendLine], include: &[f64]) {
        let mut plot = Plot::new(id);
        for y in include {
            plot = plot.include_y(*y);
        }
        plot.height(TREND_PLOT_HEIGHT)
            .legend(Legend::default())
            .link_axis(egui::Id::unique("trends"), [true, false])
            .x_axis_label("minutes")
            .show(ui, |p| {
                for (name, color, f) in lines {
                    p.line(Line::new(*name, PlotPoints::from(self.series(f))).color(*color));
                }
            });
    }

    /// The trend plots, linked in time.
    pub fn trends_ui(&self, ui: &mut egui::Ui) {
        if self.points.is_empty() {
            ui.label("trends start after the first few seconds...");
            return;
        }
        use crate::style::{ART, CVP, LA, LV, PA};
        self.plot(
            ui,
            "trend_pressures",
            &[("MAP", ART, |p| p.map_mmhg), ("HR", LV, |p| p.hr_bpm)],
        );
        self.plot(
            ui,
            "trend_filling",
            &[
                ("LVEDP", LV, |p| p.lvedp_mmhg),
                ("PCWP", LA, |p| p.pcwp_mmhg),
            ],
        );
        self.plot(
            ui,
            "trend_lungs",
            &[("lung water (EVLWI mL/kg)", PA, |p| p.lung_water_ml_kg)],
        );
        self.plot(
            ui,
            "trend_flows",
            &[
                ("native CO", Color32::WHITE, |p| p.native_co_l_min),
                ("ECMO", Color32::LIGHT_BLUE, |p| p.ecmo_flow_l_min),
                ("total", CVP, |p| p.total_flow_l_min),
            ],
        );
        self.plot(
            ui,
            "trend_spo2",
            &[
                ("SaO2 upper", crate::style::SPO2, |p| p.sao2_upper_pct),
                ("SaO2 lower", crate::style::FEMORAL, |p| p.sao2_lower_pct),
                ("AV opening %", Color32::GRAY, |p| p.av_opening_pct),
            ],
        );
        self.plot_spanning(
            ui,
            "trend_lactate",
            &[("lactate (mmol/L)", LA, |p| p.lactate_mmol_l)],
            &LACTATE_SCALE,
        );
        self.plot_spanning(
            ui,
            "trend_paco2",
            &[("PaCO2 right radial (mmHg)", CVP, |p| p.paco2_mmhg)],
            &PACO2_SCALE,
        );
        self.plot_spanning(
            ui,
            "trend_ph",
            &[("arterial pH", Color32::WHITE, |p| p.ph)],
            &PH_SCALE,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_24_hours_and_no_more() {
        let mut t = Trends::default();
        for k in 0..TREND_CAPACITY + 500 {
            t.push(TrendPoint {
                t_s: k as f64 * TREND_INTERVAL_S,
                ..TrendPoint::default()
            });
        }
        assert_eq!(t.len(), TREND_CAPACITY, "memory flat over a long session");
        let span_h = (t.last().unwrap().t_s - t.series(|p| p.t_s)[0][1]) / 3600.0;
        assert!((span_h - TREND_HOURS).abs() < 0.01, "{span_h} h kept");
    }
}
