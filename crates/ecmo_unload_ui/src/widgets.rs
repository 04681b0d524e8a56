//! Small pieces several panels draw: the monitor's parameter tile and the IABP's timing marks.
//! They read nothing of the dashboard, so any panel can use them without a loop back to it.

use crate::style::INFLATION_BAR;
use egui::{Color32, RichText};

/// Beats averaged for the numeric tiles (the alarms' average too).
pub const TILE_BEATS: usize = ecmo_unload::alarms::ALARM_BEATS;
/// Numeric tiles: value font size, height, and width (minimum, and per character of value).
pub const TILE_FONT: f32 = 24.0;
const TILE_HEIGHT: f32 = 52.0;
const TILE_MIN_WIDTH: f32 = 70.0;
const TILE_PADDING: f32 = 16.0;

/// A monitor's parameter box: a small name over a big value. Fixed-size tiles wrap as whole
/// tiles.
pub fn tile(ui: &mut egui::Ui, name: &str, value: String, color: Color32) {
    let measured = ui
        .painter()
        .layout_no_wrap(value.clone(), egui::FontId::proportional(TILE_FONT), color)
        .size()
        .x;
    let width = TILE_MIN_WIDTH.max(measured + TILE_PADDING);
    ui.allocate_ui_with_layout(
        egui::vec2(width, TILE_HEIGHT),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.set_min_size(egui::vec2(width, TILE_HEIGHT));
            ui.label(RichText::new(name).small());
            ui.label(RichText::new(value).size(TILE_FONT).color(color).strong());
        },
    );
}

/// A timing mark on the balloon plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IabpMark {
    Trigger,
    Inflate,
    Deflate,
}

impl IabpMark {
    pub fn label(self) -> &'static str {
        match self {
            IabpMark::Trigger => "trigger",
            IabpMark::Inflate => "inflate",
            IabpMark::Deflate => "deflate",
        }
    }

    pub fn colour(self) -> Color32 {
        match self {
            IabpMark::Trigger => INFLATION_BAR,
            IabpMark::Inflate => Color32::from_rgb(0, 255, 140),
            IabpMark::Deflate => Color32::from_rgb(0, 170, 255),
        }
    }
}
