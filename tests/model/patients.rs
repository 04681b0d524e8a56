//! What the physiology tests share: a patient from a preset and settings, and its summary after
//! a run.

use ecmo_unload::engine::Summary;
use ecmo_unload::{Engine, presets, settings};

/// An engine on `preset` with `sets` (`KEY=VALUE`) applied.
pub fn engine(preset: &str, sets: &[&str]) -> Engine {
    let p = settings::apply_all(&presets::load(preset).unwrap(), sets).unwrap();
    Engine::new(p).unwrap()
}

/// The summary of `preset` with `sets` after `seconds`.
pub fn settled(preset: &str, sets: &[&str], seconds: f64) -> Summary {
    let mut e = engine(preset, sets);
    e.run_for(seconds);
    e.summary().unwrap()
}
