//! The dashboard's tabs, one file each: the bedside monitor, the circulation, unloading,
//! what-if, calibration, the scenario (the instructor's view), trends, blood gases and replay.

pub mod blood_gas;
pub mod calibrate;
pub(crate) mod circulation_view;
pub(crate) mod monitor_view;
pub mod replay;
pub mod scenario_view;
pub mod trends;
pub(crate) mod unloading_view;
pub mod what_if;
