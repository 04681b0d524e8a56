//! Any bytes as a preset, scenario or measurements file: a clean error that names the file, or
//! a value the engine can run; never a panic.
#![no_main]

use ecmo_unload::scenario::Scenario;
use ecmo_unload::{Engine, calibration, presets};
use libfuzzer_sys::fuzz_target;

const FILE: &str = "fuzzed.ron";

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    // Files are read as UTF-8; invalid bytes are the loader's error, tested in tests/malformed.rs.
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let named = |e: ecmo_unload::Error| {
        let msg = e.to_string();
        assert!(msg.contains(FILE), "error without the file name: {msg}");
    };
    match kind % 3 {
        0 => match presets::parse(text, FILE) {
            Ok(p) => {
                // A preset that parses and validates must run.
                if let Ok(mut e) = Engine::new(p) {
                    e.run_for(0.05);
                    assert!(e.blood_volume_ml().is_finite());
                }
            }
            Err(e) => named(e),
        },
        1 => {
            if let Err(e) = Scenario::parse(text, FILE) {
                named(e);
            }
        }
        _ => {
            if let Err(e) = calibration::parse_measurements(text, FILE) {
                named(e);
            }
        }
    }
});
