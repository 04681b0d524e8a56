//! ecmo-unload: a closed-loop cardiovascular model for mechanical circulatory support in
//! cardiogenic shock. Education and research only; not a medical device.
//!
//! Layers, one direction: presets (RON) -> [`patient`] parameters -> [`circulation`] circuit
//! (with [`heart`] chambers and [`valves`]) -> [`engine`] (time, settings) -> [`monitor`]
//! (beats, indicators). Nothing here knows about a clock, threads or a screen.

pub mod advice;
pub mod alarms;
#[cfg(feature = "gui")]
pub mod app;
pub mod arterial_line;
pub mod batch;
pub mod calibration;
pub mod circulation;
pub mod cohort;
pub mod cpr;
pub mod drugs;
pub mod ecg;
pub mod ecmo;
pub mod engine;
pub mod error;
pub mod files;
pub mod fluids;
pub mod forecast;
pub mod heart;
pub mod iabp;
pub mod impella;
pub mod lungs;
pub mod lv_vent;
pub mod monitor;
pub mod oxygen;
pub mod patient;
pub mod presets;
pub mod random;
pub mod reflex;
pub mod rhythm;
pub mod scenario;
pub mod septostomy;
pub mod settings;
pub mod support;
pub mod units;
pub mod valves;

pub use circulation::{Node, Path};
pub use engine::{Engine, Summary};
pub use error::Error;
pub use patient::Patient;
