//! ecmo-unload's model: a closed-loop cardiovascular model for mechanical circulatory support
//! in cardiogenic shock. Education and research only; not a medical device.
//!
//! Folders by layer, one direction: [`params`] (the patient as data, settings, presets) ->
//! [`circuit`] (nodes, paths, valves) with [`physiology`] (chambers, rhythm, reflexes, drugs,
//! lungs, oxygen) and [`devices`] (ECMO, Impella, IABP, septostomy) -> [`engine`] (time,
//! settings changes) -> [`monitor`] (beats, indicators, alarms) -> [`teaching`] (scenarios) and
//! [`assist`] (forecasts, cohorts, calibration) -> [`session`] (the stream of samples, beats
//! and alarms a watcher reads, and the commands that are the only way back). [`common`] holds
//! what every layer uses (units, the random generator, the error type). Nothing here knows
//! about a screen or a thread, but [`assist::batch`], which spreads independent runs over cores
//! (feature `parallel`).
//!
//! Every module is also reachable at the crate's root (`ecmo_unload::heart`), the paths
//! external code has always used.

pub mod assist;
pub mod circuit;
pub mod common;
pub mod devices;
pub mod engine;
pub mod monitor;
pub mod params;
pub mod physiology;
pub mod session;
pub mod teaching;

pub use assist::{advice, batch, calibration, cohort, comparison, forecast};
pub use circuit::{circulation, valves};
pub use common::{error, random, units};
pub use devices::{ecmo, iabp, impella, lv_vent, septostomy, support};
pub use monitor::{alarms, arterial_line, blood_gas};
pub use params::{files, patient, presets, settings};
pub use physiology::{
    acid_base, carbon_dioxide, cpr, drugs, ecg, fluids, heart, lactate, lungs, oxygen, reflex,
    rhythm,
};
pub use teaching::scenario;

pub use circulation::{Connection, Node};
pub use engine::{Engine, Summary};
pub use error::Error;
pub use patient::Patient;
