//! The dashboard's tests, one binary: driven as a user drives it by accessible labels
//! (`panels`), the circulation schematic's teaching states as snapshots (`schematic`), and the
//! simulation thread's protocol under a slow UI (`sim_thread`). The soak is `soak.rs`.

mod bedside;
mod common;
mod panels;
mod schematic;
mod sim_thread;
mod sound;
