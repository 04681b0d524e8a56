//! A corpus of malformed inputs for every file the tool reads (presets, scenarios, measurement
//! files): truncated, wrong types, unknown fields, huge numbers, NaN, deep nesting, a 10 MB file,
//! non-UTF-8. Each must give a clean error naming the file (and, where the text is readable, the
//! line and column), never a panic.

use ecmo_unload::calibration;
use ecmo_unload::presets;
use ecmo_unload::scenario::Scenario;
use std::path::Path;

fn corpus(good: &str, first_field: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mut deep = String::from("(name: ");
    deep.push_str(&"[".repeat(5000));
    deep.push_str(&"]".repeat(5000));
    deep.push(')');
    let mut huge = good.to_string();
    huge.push_str(&" ".repeat(10 * 1024 * 1024));
    huge.push_str("garbage");
    vec![
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        (
            "wrong type",
            good.replacen(
                &format!("{first_field}: "),
                &format!("{first_field}: [1, 2], x: "),
                1,
            )
            .into_bytes(),
        ),
        (
            "unknown field",
            good.replacen('(', "(no_such_field: 1.0, ", 1).into_bytes(),
        ),
        (
            "huge number",
            good.replace("60.0", "1e400")
                .replace("70.0", "1e400")
                .into_bytes(),
        ),
        (
            "nan",
            good.replace("60.0", "NaN")
                .replace("70.0", "NaN")
                .into_bytes(),
        ),
        ("deep nesting", deep.into_bytes()),
        ("10 MB", huge.into_bytes()),
        ("not utf-8", {
            let mut b = good.as_bytes().to_vec();
            b.insert(b.len() / 3, 0xff);
            b.insert(b.len() / 3, 0xfe);
            b
        }),
    ]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn check(kind: &str, case: &str, path: &str, result: Result<(), String>) {
    let err = match result {
        Ok(()) => {
            // Some corruptions leave a valid file (a NaN in a place nothing reads): fine.
            return;
        }
        Err(e) => e,
    };
    assert!(
        err.contains(path),
        "{kind} / {case}: the error names no file: {err}"
    );
    assert!(!err.contains('\n'), "{kind} / {case}: one line: {err}");
    // Readable text is located: file:line:column.
    if matches!(
        case,
        "truncated" | "wrong type" | "unknown field" | "deep nesting"
    ) {
        let located =
            err.split(':').collect::<Vec<_>>().windows(2).any(|w| {
                w[0].trim().parse::<usize>().is_ok() && w[1].trim().parse::<usize>().is_ok()
            });
        assert!(located, "{kind} / {case}: no line:column in: {err}");
    }
}

#[test]
fn malformed_files_give_clean_errors_never_panics() {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let preset = presets::to_ron(&presets::load("healthy").unwrap());
    let scenario = include_str!("../../presets/scenarios/rv-failure.ron");
    let measurements = "[\n    (key: \"map_mmhg\", value: 70.0),\n    (key: \"pcwp_mmhg\", value: 60.0, sd: Some(3.0)),\n]\n";
    for (case, bytes) in corpus(&preset, "name") {
        let path = write(
            &dir,
            &format!("preset-{}.ron", case.replace(' ', "-")),
            &bytes,
        );
        let r = presets::load(&path).map(|_| ()).map_err(|e| e.to_string());
        assert!(
            r.is_err() || case == "nan" || case == "huge number",
            "preset / {case}: accepted"
        );
        check("preset", case, &path, r);
    }
    for (case, bytes) in corpus(scenario, "title") {
        let path = write(
            &dir,
            &format!("scenario-{}.ron", case.replace(' ', "-")),
            &bytes,
        );
        let r = Scenario::load(&path).map(|_| ()).map_err(|e| e.to_string());
        check("scenario", case, &path, r);
    }
    for (case, bytes) in corpus(measurements, "key") {
        let path = write(
            &dir,
            &format!("measurements-{}.ron", case.replace(' ', "-")),
            &bytes,
        );
        let r = std::str::from_utf8(&bytes)
            .map_err(|e| format!("{path}: {e}"))
            .and_then(|t| {
                calibration::parse_measurements(t, &path)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            });
        check("measurements", case, &path, r);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
