//! The dashboard's style: one palette (the monitor's colour conventions, the IABP console's,
//! the oedema risk's) and enum values shown as the words they serialise to.

use ecmo_unload::lungs::EdemaRisk;
use egui::Color32;

/// Monitor colour conventions: ECG green, arterial red, PA yellow, CVP blue, SpO2 cyan,
/// LA/PCWP orange; LV pressure lavender (never the ECG's green); the femoral line amber, apart
/// from the radial's red.
pub const ART: Color32 = Color32::from_rgb(240, 70, 70);
pub const FEMORAL: Color32 = Color32::from_rgb(255, 170, 0);
pub const LV: Color32 = Color32::from_rgb(190, 150, 255);
pub const PA: Color32 = Color32::from_rgb(250, 220, 60);
pub const CVP: Color32 = Color32::from_rgb(80, 160, 255);
pub const LA: Color32 = Color32::from_rgb(255, 160, 60);
pub const SPO2: Color32 = Color32::from_rgb(80, 230, 230);
pub const ECG: Color32 = Color32::from_rgb(120, 255, 120);
pub const DEVICE: Color32 = Color32::LIGHT_BLUE;
/// The IABP console's inflation bar and balloon pressure (bright against the dark plot and its
/// grid).
pub const INFLATION_BAR: Color32 = Color32::from_rgb(255, 235, 0);
pub const BALLOON_PRESSURE: Color32 = Color32::from_rgb(255, 120, 220);

/// Oedema risk colours: green, amber, orange, red.
pub fn risk_color(r: EdemaRisk) -> Color32 {
    match r {
        EdemaRisk::Low => Color32::from_rgb(120, 220, 120),
        EdemaRisk::Moderate => Color32::from_rgb(250, 220, 60),
        EdemaRisk::High => Color32::from_rgb(255, 150, 50),
        EdemaRisk::Severe => Color32::from_rgb(255, 70, 70),
    }
}

/// An enum value as the word it serialises to (`moderate`, `flow`).
pub fn serde_plain<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
