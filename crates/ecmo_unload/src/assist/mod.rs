//! Decision support over copies of the engine: what-if forecasts, virtual cohorts, calibration to bedside measurements, ranked considerations, and the batch runner that spreads them over cores.

pub mod advice;
pub mod batch;
pub mod calibration;
pub mod cohort;
pub mod comparison;
pub mod forecast;
