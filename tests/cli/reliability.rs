//! Every input bounded like `--set`, every write checked, every target refused before the
//! work when it cannot be written (issue 22).

use crate::*;

/// Issue 22: inputs that bypassed the `--set` checks are bounded, refused in one line, exit 2.
#[test]
fn every_numeric_input_is_bounded_like_set() {
    // Doses: a typing error's bolus ran the patient to NaN with exit 0.
    fails_cleanly(
        &["run", "--bolus", "epinephrine:1e250", "--json"],
        &["epinephrine bolus", "1e250", "mcg/kg"],
    );
    fails_cleanly(
        &[
            "run",
            "--bolus",
            "norepinephrine:1e300",
            "--bolus",
            "milrinone:50",
        ],
        &["norepinephrine bolus", "out of range"],
    );
    // An arrest dose of epinephrine (1 mg in 70 kg) and a milrinone load are in range.
    let o = cli(&[
        "run",
        "--bolus",
        "epinephrine:14",
        "--bolus",
        "milrinone:50",
        "--seconds",
        "20",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Fluids: a removal past the blood volume's range; a push shorter than a second.
    fails_cleanly(
        &["run", "--fluid", "-3500:5", "--json"],
        &["fluid volume", "would leave", "2500"],
    );
    fails_cleanly(
        &["run", "--fluid", "500:0"],
        &["fluid duration", "[1, 86400]"],
    );
    // Cohorts: no patients, empty shards, and shard arithmetic at the top of the range.
    let dir = std::env::temp_dir().join("ecmo-unload-issue22-cohort");
    let out = dir.to_str().unwrap();
    fails_cleanly(
        &["cohort", "--n", "0", "--strategy", "a:", "--out", out],
        &["--n"],
    );
    fails_cleanly(
        &[
            "cohort",
            "--n",
            "2",
            "--shard",
            "0/5",
            "--strategy",
            "a:",
            "--out",
            out,
        ],
        &["--shard", "at most 2"],
    );
    fails_cleanly(
        &[
            "cohort",
            "--n",
            "10000000000000000000",
            "--strategy",
            "a:",
            "--out",
            out,
        ],
        &["--n"],
    );
    // The fit refuses what it cannot evaluate.
    fails_cleanly(
        &["fit", "--measured", "foo_mmhg=3+-1"],
        &["foo_mmhg", "not a key"],
    );
    fails_cleanly(
        &["fit", "--measured", "edema_risk=3+-1"],
        &["edema_risk", "not a number"],
    );
    fails_cleanly(
        &["fit", "--measured", "iabp_aedp_mmhg=40+-3"],
        &["iabp_aedp_mmhg", "no reading"],
    );
    fails_cleanly(
        &["fit", "--measured", "t_s=5+-1"],
        &["t_s", "not a bedside"],
    );
    fails_cleanly(
        &["fit", "--measured", "map_mmhg=1e308"],
        &["map_mmhg", "1e308"],
    );
    fails_cleanly(
        &["fit", "--measured", "map_mmhg=62+-1e-320"],
        &["map_mmhg", "SD 1e-320"],
    );
    fails_cleanly(
        &[
            "fit",
            "--measured",
            "map_mmhg=62+-4",
            "--measured",
            "map_mmhg=90+-4",
        ],
        &["map_mmhg", "measured twice"],
    );
    // In a measurements file, the measurement at fault is located by its line: a key the
    // model lacks, or a key given twice (on the command line first, then in the file).
    let file = std::env::temp_dir().join(format!("ecmo-unload-ms-{}.ron", std::process::id()));
    std::fs::write(
        &file,
        "[\n    (key: \"map_mmhg\", value: 62.0, sd: Some(4.0)),\n    // a key: typed wrong\n    (key: \"foo_mmhg\", value: 3.0, sd: Some(1.0)),\n    (key: \"cvp_mmhg\", value: 12.0),\n]\n",
    )
    .unwrap();
    let shown = file.display().to_string();
    fails_cleanly(
        &["fit", "--measurements", &shown],
        &[&format!("{shown}:4:"), "foo_mmhg", "not a key"],
    );
    std::fs::write(
        &file,
        "[\n    /* key: \"map_mmhg\" */\n    (key: \"map_mmhg\", value: 62.0, sd: Some(4.0)),\n    (key: \"cvp_mmhg\", value: 12.0),\n]\n",
    )
    .unwrap();
    fails_cleanly(
        &[
            "fit",
            "--measured",
            "cvp_mmhg=10+-2",
            "--measurements",
            &shown,
        ],
        &[&format!("{shown}:4:"), "cvp_mmhg", "measured twice"],
    );
    // A fault on the command line is not blamed on the file.
    let o = cli(&[
        "fit",
        "--measured",
        "foo_mmhg=1+-1",
        "--measurements",
        &shown,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("foo_mmhg") && !stderr(&o).contains(&shown),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_file(&file);
    fails_cleanly(
        &["--screenshot", "x.png", "--after-s", "1e12"],
        &["--after-s", "1e12", "30 simulated days"],
    );
    // A usage error keeps what it is about (clap puts the missing argument on a second line).
    fails_cleanly(&["compare"], &["required", "--strategy"]);
    // A newline in a value stays on the error's one line, escaped.
    fails_cleanly(
        &["run", "--set", "heart.lv.ees_mmhg_per_ml=1\n2"],
        &["heart.lv.ees_mmhg_per_ml", "1\\n2"],
    );
}

/// Issue 22: a cohort whose base sits at a key's bound samples inside the range.
#[test]
fn a_cohort_samples_inside_every_range() {
    let dir = std::env::temp_dir().join("ecmo-unload-issue22-bound");
    let _ = std::fs::remove_dir_all(&dir);
    let o = cli(&[
        "cohort",
        "--set",
        "systemic.upper_body_r_mmhg_s_per_ml=40",
        "--n",
        "4",
        "--strategy",
        "a:",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// Issue 22: a scenario that loads runs to its end. A scaling past a key's range stops at the
/// bound; an action that fails when it fires is recorded and named, and the summary printed.
#[test]
fn a_scenario_that_loads_runs_to_its_end() {
    let path = temp_file(
        "issue22-timeline.ron",
        br#"(
    title: "reach past the ranges",
    preset: "healthy",
    events: [
        (name: "stronger", at_s: Some(10.0), actions: ["heart.lv.ees_mmhg_per_ml=5"]),
        (name: "scale", at_s: Some(20.0), actions: ["heart.lv.ees_mmhg_per_ml*=3"]),
        (name: "bleed 1", at_s: Some(30.0), actions: ["fluid -2000:1"]),
        (name: "bleed 2", at_s: Some(60.0), actions: ["fluid -2000:1"]),
    ],
)"#,
    );
    let o = cli(&["run", "--scenario", &path, "--seconds", "90", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fired = v["events_fired"].as_array().unwrap();
    assert_eq!(fired.len(), 4);
    assert!(
        fired[1].get("failed").is_none(),
        "the scaling stops at 6: {fired:?}"
    );
    assert!(fired[3]["failed"].as_str().unwrap().contains("would leave"));
    let err = stderr(&o);
    assert!(err.contains(&path) && err.contains("bleed 2"), "{err}");
    // A dose out of range is found at load, with its file, line and column.
    let bad = temp_file(
        "issue22-dose.ron",
        br#"(
    title: "overdose",
    preset: "healthy",
    events: [
        (name: "give", at_s: Some(10.0), actions: ["bolus epinephrine:1e300"]),
    ],
)"#,
    );
    fails_cleanly(
        &["run", "--scenario", &bad],
        &["issue22-dose.ron:5:", "epinephrine bolus"],
    );
}

/// Issue 22: every command's output is checked: a full disk is an error, never a panic or a
/// silent loss.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_stdout_is_an_error() {
    for args in [
        &["presets"][..],
        &["scenarios"],
        &["params"],
        &["run", "--seconds", "5"],
        &["run", "--seconds", "5", "--json"],
        &["fit", "--measured", "map_mmhg=62"],
        &["--help"],
        &["run", "--help"],
        &["--version"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("standard output") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

/// Issue 22: a running fluid order stops at the blood volume's range, whatever was set since.
#[test]
fn a_running_fluid_order_stops_at_the_blood_volume_range() {
    let path = temp_file(
        "issue22-volume.ron",
        br#"(
    title: "a bleed, then the volume set to its floor",
    preset: "healthy",
    events: [
        (name: "bleed", at_s: Some(0.0), actions: ["fluid -2400:30"]),
        (name: "floor", at_s: Some(1.0), actions: ["blood_volume_ml=2500"]),
    ],
)"#,
    );
    let o = cli(&["run", "--scenario", &path, "--seconds", "120", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let blood = v["blood_volume_ml"].as_f64().unwrap();
    // Water filtering into the lungs may take a little more; the order itself stops at 2500.
    assert!(blood > 2400.0, "blood volume {blood}");
}

/// Issue 22: a full stderr is no reason to panic, and a FIFO is no place for a CSV.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_or_a_fifo_target_does_not_hang_or_panic() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let o = Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args(["run", "--bolus", "nodrug:1"])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "an error, not a panic");
    let dir = std::env::temp_dir().join(format!("ecmo-unload-fifo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("waves.csv");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        fails_cleanly(
            &["run", "--seconds", "2", "--csv", fifo.to_str().unwrap()],
            &["not a regular file"],
        );
    }
}

#[test]
fn odd_targets_and_odd_text_are_refused_before_anything_runs() {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-odd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A screenshot that could not be a PNG file is refused before a window opens.
    fails_cleanly(
        &["--screenshot", "/dev/full", "--after-s", "1"],
        &["/dev/full", "not a regular file"],
    );
    // The waveform CSV must not overwrite the preset the run reads.
    let preset = dir.join("p.ron");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/presets/healthy.ron"),
        &preset,
    )
    .unwrap();
    let shown = preset.display().to_string();
    let before = std::fs::read(&preset).unwrap();
    fails_cleanly(
        &["run", "--preset", &shown, "--seconds", "1", "--csv", &shown],
        &["--csv", "the preset file this run reads"],
    );
    assert_eq!(
        std::fs::read(&preset).unwrap(),
        before,
        "the preset is intact"
    );
    // Text settings stay on one line.
    fails_cleanly(
        &["run", "--set", "name=x\ny"],
        &["name", "control characters"],
    );
    // A preset with a UTF-8 byte-order mark is read as its text.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&before);
    std::fs::write(&preset, bom).unwrap();
    let o = cli(&["run", "--preset", &shown, "--seconds", "1", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A scenario condition compared with NaN or infinity never means anything: refused.
    let sc = dir.join("nan.ron");
    std::fs::write(
        &sc,
        include_str!("../../presets/scenarios/ami-shock.ron")
            .replace("map_mmhg < 60", "map_mmhg < NaN"),
    )
    .unwrap();
    fails_cleanly(
        &["run", "--scenario", &sc.display().to_string()],
        &["'NaN' is not a finite number"],
    );
    // A measurement's unknown key is named as such even without an SD.
    fails_cleanly(&["fit", "--measured", "nosuch=1"], &["nosuch", "not a key"]);
    let _ = std::fs::remove_dir_all(&dir);
}
