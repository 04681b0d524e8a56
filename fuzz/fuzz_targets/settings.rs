//! Any key and value through `settings::set` on the running engine (what `--set`, the
//! dashboard's sliders and scenario events do): a clean error or a patient that keeps
//! running with finite volumes; never a panic.
#![no_main]

use ecmo_unload::{Engine, presets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut engine = Engine::new(presets::load("cardiogenic-shock").unwrap()).unwrap();
    // "key=value;key=value": each applied in turn, a few steps between.
    for pair in text.split(';').take(8) {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        if engine.set(key, value).is_ok() {
            engine.run_for(0.01);
            assert!(
                engine
                    .volumes_ml()
                    .iter()
                    .all(|v| v.is_finite() && *v >= 0.0),
                "{key}={value} gave a bad volume"
            );
        }
    }
});
