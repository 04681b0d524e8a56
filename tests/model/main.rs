//! The model's tests, one binary (one link instead of seventeen): physiology and devices,
//! indicators, validation against docs/VALIDATION.md, invariants, scenarios, calibration,
//! forecasts, malformed files and the docs' own claims. The command line's contract is
//! tests/cli, the property tests tests/properties.rs, the allocation count tests/no_alloc.rs.

mod alarms;
mod blood_gases;
mod calibration;
mod contractility;
mod devices;
mod docs;
mod forecast;
mod iabp;
mod indicators;
mod invariants;
mod malformed;
mod measurements;
mod patient_dynamics;
mod patients;
mod physiology;
mod reflexes;
mod rhythms;
mod scenarios;
mod session;
mod validation;
