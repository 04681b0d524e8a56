//! Parameters and settings: the patient as data (every struct with units in its field names), the dotted keys and their ranges, the presets, and settings files read and written safely.

pub mod files;
mod keys;
pub mod patient;
pub mod presets;
pub mod settings;
