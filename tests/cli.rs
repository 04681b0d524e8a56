//! The command line as external scripts use it: the JSON keys are a contract, bad input is one
//! clear line on stderr with exit code 2 and nothing on stdout.

use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Exit 2, one line on stderr containing every `needle`, nothing on stdout.
fn fails_cleanly(args: &[&str], needles: &[&str]) {
    let o = cli(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        stdout(&o).is_empty(),
        "{args:?} printed a result: {}",
        stdout(&o)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: '{err}' does not mention '{n}'");
    }
    assert!(!err.contains("panicked"), "{err}");
}

const CONTRACT_KEYS: &[&str] = &[
    "t_s",
    "hr_bpm",
    "sbp_mmhg",
    "dbp_mmhg",
    "map_mmhg",
    "pulse_pressure_mmhg",
    "map_lower_mmhg",
    "cvp_mmhg",
    "pap_sys_mmhg",
    "pap_dia_mmhg",
    "pap_mean_mmhg",
    "pcwp_mmhg",
    "lvedp_mmhg",
    "lvedv_ml",
    "lvesv_ml",
    "lv_sv_ml",
    "lvef_pct",
    "lv_peak_mmhg",
    "rvedv_ml",
    "rvesv_ml",
    "native_co_l_min",
    "av_opening_pct",
    "pva_mmhg_ml",
    "stroke_work_mmhg_ml",
    "mvo2_ml_min",
    "coronary_perfusion_mmhg",
    "cpo_w",
    "blood_volume_ml",
    // Issue 4: drugs, lungs, oxygen.
    "dobutamine_effect",
    "milrinone_effect",
    "epinephrine_effect",
    "norepinephrine_effect",
    "pulmonary_capillary_mmhg",
    "lung_filtration_ml_h",
    "lung_water_ml_kg",
    "sao2_upper_pct",
    "sao2_lower_pct",
    "sao2_coronary_pct",
    "svo2_pct",
    // Issue 15: measured as at the bedside.
    "rvedp_mmhg",
    "sbp_lower_mmhg",
    "dbp_lower_mmhg",
    "cpo_total_w",
    "rr_sd_ms",
];

#[test]
fn run_json_has_every_contract_key_as_a_finite_number() {
    let o = cli(&[
        "run",
        "--preset",
        "cardiogenic-shock",
        "--seconds",
        "20",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for k in CONTRACT_KEYS {
        let x = v[k]
            .as_f64()
            .unwrap_or_else(|| panic!("key {k} missing or not a number"));
        assert!(x.is_finite(), "{k} = {x}");
    }
    assert_eq!(v["t_s"].as_f64(), Some(20.0));
    // Pulse oximetry: a number over a pulse, null without one (issue 15).
    for k in ["spo2_upper_pct", "spo2_lower_pct"] {
        assert!(v[k].is_number() || v[k].is_null(), "{k} missing");
    }
}

/// `run --preset healthy --seconds S --json` plus `extra`: the summary, which must succeed.
fn run_healthy_json(seconds: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["run", "--preset", "healthy", "--seconds", seconds, "--json"];
    args.extend_from_slice(extra);
    let o = cli(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn set_overrides_reach_the_model() {
    let run = |extra: &[&str]| run_healthy_json("20", extra);
    let base = run(&[]);
    // The baroreflex would answer the weaker heart with its own rate: off, to see the set rate.
    let weak = run(&[
        "--set",
        "heart.lv.ees_mmhg_per_ml=0.8",
        "--set",
        "rhythm.rate_bpm=90",
        "--set",
        "reflex.baroreflex=false",
    ]);
    assert!((weak["hr_bpm"].as_f64().unwrap() - 90.0).abs() < 0.5);
    assert!(weak["lvef_pct"].as_f64().unwrap() < base["lvef_pct"].as_f64().unwrap() - 10.0);
}

#[test]
fn a_preset_file_path_works_like_a_name() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/presets/healthy.ron");
    let a = cli(&["run", "--preset", path, "--seconds", "10", "--json"]);
    let b = cli(&["run", "--preset", "healthy", "--seconds", "10", "--json"]);
    assert!(a.status.success());
    assert_eq!(
        stdout(&a),
        stdout(&b),
        "file and embedded preset must agree"
    );
}

#[test]
fn bad_input_is_one_clear_line_and_exit_2() {
    fails_cleanly(
        &["run", "--preset", "nope"],
        &["unknown preset 'nope'", "healthy", "cardiogenic-shock"],
    );
    fails_cleanly(
        &["run", "--set", "heart.lv.nope=1"],
        &["unknown key 'heart.lv.nope'"],
    );
    fails_cleanly(
        &["run", "--set", "heart.lv.ees_mmhg_per_ml=99"],
        &["heart.lv.ees_mmhg_per_ml", "out of range", "mmHg/mL"],
    );
    fails_cleanly(
        &["run", "--set", "heart.lv.ees_mmhg_per_ml=soft"],
        &["heart.lv.ees_mmhg_per_ml", "expected a number"],
    );
    fails_cleanly(
        &["run", "--set", "heart.lv.ees_mmhg_per_ml=NaN"],
        &["heart.lv.ees_mmhg_per_ml"],
    );
    fails_cleanly(
        &["run", "--set", "rhythm.kind=waltz"],
        &["rhythm.kind", "sinus"],
    );
    // Issue 15: rhythms, CPR and the run's own limits.
    let sets: [(&str, &[&str]); 5] = [
        (
            "rhythm.kind=torsades",
            &["rhythm.kind", "paced_av", "af", "vt"],
        ),
        ("cpr.depth_mm=500", &["cpr.depth_mm", "out of range", "mm"]),
        ("cpr.rate_per_min=10", &["cpr.rate_per_min", "out of range"]),
        ("cpr.enabled=sometimes", &["cpr.enabled", "true or false"]),
        (
            "cpr.depth_mm=1e308",
            &["cpr.depth_mm = 1e308 is out of range"],
        ),
    ];
    for (set, needles) in sets {
        fails_cleanly(&["run", "--set", set], needles);
    }
    fails_cleanly(
        &["run", "--seconds", "1e12"],
        &["--seconds", "30 simulated days"],
    );
    let csv = std::env::temp_dir().join("ecmo-unload-never-written.csv");
    let csv = csv.display().to_string();
    fails_cleanly(
        &["run", "--csv", &csv, "--every-ms", "0.1"],
        &["--every-ms 0.1", "0.5 ms"],
    );
    fails_cleanly(
        &["run", "--csv", &csv, "--every-ms", "-1"],
        &["--every-ms -1", "positive"],
    );
    fails_cleanly(&["run", "--set", "no-equals-sign"], &["KEY=VALUE"]);
    fails_cleanly(&["run", "--seconds", "-3"], &["--seconds"]);
    fails_cleanly(&["run", "--seconds", "0.1"], &["no complete beat"]);
    fails_cleanly(&["params", "--preset", "nope"], &["unknown preset"]);
}

fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn malformed_preset_files_name_file_line_column_and_field() {
    let good = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/healthy.ron"))
        .unwrap();

    let truncated = temp_file("truncated.ron", &good.as_bytes()[..good.len() / 2]);
    fails_cleanly(&["run", "--preset", &truncated], &[&truncated]);

    let unknown = temp_file(
        "unknown.ron",
        good.replace(
            "relaxation_hill: 27.4)",
            "relaxation_hill: 27.4, colour: 3)",
        )
        .as_bytes(),
    );
    fails_cleanly(&["run", "--preset", &unknown], &[&unknown, "colour"]);

    let missing = temp_file(
        "missing.ron",
        good.replace("    weight_kg: 70.0,\n", "").as_bytes(),
    );
    fails_cleanly(&["run", "--preset", &missing], &[&missing, "weight_kg"]);

    let wrong_type = temp_file(
        "type.ron",
        good.replace("weight_kg: 70.0", "weight_kg: \"heavy\"")
            .as_bytes(),
    );
    fails_cleanly(&["run", "--preset", &wrong_type], &[&wrong_type]);

    // Out of range: the message names the field and the line it sits on.
    let range = temp_file(
        "range.ron",
        good.replace("lv: (ees_mmhg_per_ml: 2.3", "lv: (ees_mmhg_per_ml: 60.0")
            .as_bytes(),
    );
    let line = good
        .lines()
        .position(|l| l.contains("lv: (ees_mmhg_per_ml"))
        .unwrap()
        + 1;
    fails_cleanly(
        &["run", "--preset", &range],
        &[&format!("{range}:{line}:"), "heart.lv.ees_mmhg_per_ml"],
    );

    // NaN and infinity parse as floats but are no valid parameter.
    for bad in ["NaN", "inf"] {
        let f = temp_file(
            &format!("{bad}.ron"),
            good.replace(
                "lv: (ees_mmhg_per_ml: 2.3",
                &format!("lv: (ees_mmhg_per_ml: {bad}"),
            )
            .as_bytes(),
        );
        fails_cleanly(
            &["run", "--preset", &f],
            &[
                &format!("{f}:{line}:"),
                "heart.lv.ees_mmhg_per_ml",
                "finite",
            ],
        );
    }
    // A type error names the field it sits in.
    let typed = temp_file(
        "typed.ron",
        good.replace("edpvr_a_mmhg: 0.72", "edpvr_a_mmhg: \"soft\"")
            .as_bytes(),
    );
    fails_cleanly(&["run", "--preset", &typed], &[&typed, "edpvr_a_mmhg"]);

    let binary = temp_file("binary.ron", &[0xff, 0xfe, 0x00, 0x28]);
    fails_cleanly(&["run", "--preset", &binary], &[&binary, "UTF-8"]);
}

#[test]
fn params_lists_every_key_with_unit_and_range() {
    let o = cli(&["params", "--preset", "healthy"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let line = text
        .lines()
        .find(|l| l.starts_with("heart.lv.ees_mmhg_per_ml"))
        .expect("lv ees listed");
    assert!(
        line.contains("2.3") && line.contains("mmHg/mL") && line.contains("[0.05, 6]"),
        "{line}"
    );
    for key in [
        "rhythm.rate_bpm",
        "valves.aortic_regurgitation_mm2",
        "systemic.bronchial_r_mmhg_s_per_ml",
        "numerics.dt_ms",
    ] {
        assert!(text.lines().any(|l| l.starts_with(key)), "{key} missing");
    }
}

#[test]
fn csv_streams_every_pressure_volume_and_flow() {
    let (header, rows) = healthy_csv("wave", "2", "5");
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    assert_eq!(header[0], "t_s");
    for col in [
        "p_lv_mmhg",
        "p_arch_mmhg",
        "v_lv_ml",
        "q_aortic_ml_s",
        "q_bronchial_ml_s",
    ] {
        assert!(header.contains(&col), "{col} missing");
    }
    assert_eq!(rows.len(), 400, "2 s every 5 ms");
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!((rows[1][0] - rows[0][0] - 0.005).abs() < 1e-9);
    // Issue 15: the R waves, the ECG and the arterial lines, so every waveform claim can be
    // checked headless.
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (r, radial, femoral, arch) = (
        col("r_wave"),
        col("p_radial_mmhg"),
        col("p_femoral_mmhg"),
        col("p_arch_mmhg"),
    );
    // 72/min for 2 s: an R wave at 0 s, then every 0.83 s (each on one sample, even between
    // samples).
    let r_waves = rows.iter().filter(|row| row[r] == 1.0).count();
    assert_eq!(r_waves, 3);
    assert!(rows.iter().all(|row| row[r] == 0.0 || row[r] == 1.0));
    // Sampled every 5 ms, the ECG's tallest deflection is the marked sample or the one before
    // it (the R wave fell between the two); every step, exactly the marked one (below).
    assert!(rows.iter().any(|row| (row[radial] - row[arch]).abs() > 5.0));
    assert!(rows.iter().all(|row| row[femoral].is_finite()));
}

/// Sampled every step, each beat's tallest ECG sample is within a step of the one the CSV marks
/// as holding its R wave: the ECG and the marks are drawn at the same instants as the pressures.
#[test]
fn the_ecg_peaks_on_the_samples_marked_r_wave() {
    let (header, rows) = healthy_csv("ecg", "4", "0.5");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (r, ecg) = (col("r_wave"), col("ecg_mv"));
    let marks: Vec<usize> = (0..rows.len()).filter(|&i| rows[i][r] == 1.0).collect();
    assert!(marks.len() >= 4, "{} R waves in 4 s", marks.len());
    for w in marks.windows(2) {
        // Around each R wave. The R instant falls within the step before the marked one (the
        // first step whose activation has begun): the peak is on the mark or the sample before,
        // 0.5 ms away.
        let around = w[0].saturating_sub(20)..(w[0] + 20);
        let peak = around
            .max_by(|&a, &b| rows[a][ecg].total_cmp(&rows[b][ecg]))
            .unwrap();
        assert!(
            peak == w[0] || peak + 1 == w[0],
            "R wave marked at row {} but the ECG peaks at {peak}",
            w[0]
        );
    }
}

/// `run --preset healthy --seconds SECONDS --csv ... --every-ms EVERY_MS`: the CSV's header and
/// rows (parsed); the file lives in a temporary folder named after `name`, removed after.
fn healthy_csv(name: &str, seconds: &str, every_ms: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let dir = std::env::temp_dir().join(format!("ecmo-unload-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.csv"));
    let p = path.display().to_string();
    let o = cli(&[
        "run",
        "--preset",
        "healthy",
        "--seconds",
        seconds,
        "--csv",
        &p,
        "--every-ms",
        every_ms,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    (header, rows)
}

#[test]
fn bench_reports_a_realtime_factor_per_preset() {
    let o = cli(&["bench", "--seconds", "5"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for preset in ["healthy", "cardiogenic-shock"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(preset))
            .unwrap_or_else(|| panic!("{preset} missing"));
        let rtf: f64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert!(rtf > 0.0);
    }
}

#[test]
fn fluid_orders_from_the_command_line() {
    let run = |extra: &[&str]| run_healthy_json("120", extra);
    let bolus = run(&["--fluid", "500:1"]);
    assert!((bolus["fluid_given_ml"].as_f64().unwrap() - 500.0).abs() < 1e-6);
    // The blood holds the bolus but for what filtered into the lungs (from 7 mL/kg at t = 0).
    let num = |k: &str| bolus[k].as_f64().unwrap();
    let weight_kg = num("lung_water_ml") / num("lung_water_ml_kg");
    let into_lungs = num("lung_water_ml") - 7.0 * weight_kg;
    assert!(into_lungs > 0.0, "more volume, more filtration");
    assert!((num("blood_volume_ml") + into_lungs - 5500.0).abs() < 1e-6);
    let removal = run(&["--fluid", "-250:1"]);
    assert!((removal["fluid_given_ml"].as_f64().unwrap() + 250.0).abs() < 1e-6);
    fails_cleanly(&["run", "--fluid", "lots"], &["--fluid", "ML:MINUTES"]);
    fails_cleanly(
        &["run", "--fluid", "9000:1"],
        &["fluid volume", "out of range"],
    );
}

#[test]
fn issue_4_string_keys_and_the_bolus_flag() {
    let s = run_healthy_json("30", &["--set", "drugs.dobutamine_mcg_kg_min=5"]);
    let effect = s["dobutamine_effect"].as_f64().unwrap();
    assert!(effect > 0.0 && effect < 1.0);
    assert_eq!(s["edema_risk"], "low");
    assert!(s["edema_reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(s["mixing_zone"].is_null(), "no ECMO, no mixing zone");
    assert_eq!(
        s["alarms"],
        serde_json::json!([]),
        "a healthy patient alarms nothing"
    );
    let on_ecmo = run_healthy_json("30", &["--set", "ecmo.enabled=true"]);
    let zone = on_ecmo["mixing_zone"].as_str().unwrap();
    assert!(
        ["aortic-root", "arch", "descending"].contains(&zone),
        "{zone}"
    );
    let loaded = run_healthy_json("60", &["--bolus", "milrinone:50"]);
    assert!(loaded["milrinone_effect"].as_f64().unwrap() > 0.05);
    fails_cleanly(&["run", "--bolus", "aspirin:50"], &["aspirin", "milrinone"]);
    fails_cleanly(
        &["run", "--bolus", "milrinone"],
        &["--bolus", "DRUG:MCG_KG"],
    );
    fails_cleanly(&["run", "--bolus", "milrinone:-5"], &["milrinone bolus"]);
}

#[test]
fn compare_prints_one_object_per_strategy() {
    let o = cli(&[
        "compare",
        "--preset",
        "cardiogenic-shock",
        "--set",
        "ecmo.enabled=true",
        "--strategy",
        "now:",
        "--strategy",
        "impella cp p6:impella.enabled=true,impella.p_level=6",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let a = v.as_array().unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[0]["strategy"], "now");
    assert_eq!(a[1]["strategy"], "impella cp p6");
    for k in CONTRACT_KEYS {
        assert!(a[1][k].as_f64().is_some_and(f64::is_finite), "{k}");
    }
    assert!(a[1]["pcwp_mmhg"].as_f64() < a[0]["pcwp_mmhg"].as_f64());
    assert!(a[1]["impella_flow_l_min"].as_f64().unwrap() > 1.0);
    fails_cleanly(
        &["compare", "--strategy", "no-colon"],
        &["strategy", "NAME:KEY=VALUE"],
    );
    fails_cleanly(
        &["compare", "--strategy", "x:heart.lv.nope=1"],
        &["unknown key 'heart.lv.nope'"],
    );
}

#[test]
fn fit_prints_parameters_residuals_and_saves_a_preset() {
    let out = std::env::temp_dir().join(format!("ecmo-unload-fit-{}.ron", std::process::id()));
    let o = cli(&[
        "fit",
        "--preset",
        "cardiogenic-shock",
        "--measured",
        "map_mmhg=70+-4",
        "--measured",
        "pcwp_mmhg=26",
        "--measured",
        "cvp_mmhg=12",
        "--measured",
        "native_co_l_min=3.0",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["parameters"]["heart.lv.ees_mmhg_per_ml"]
            .as_f64()
            .is_some()
    );
    let map = &v["measurements"]["map_mmhg"];
    assert_eq!(map["measured"], 70.0);
    assert_eq!(map["sd"], 4.0);
    assert!(map["model"].as_f64().is_some() && map["residual"].as_f64().unwrap().abs() < 1.0);
    assert!(v["unidentifiable"].is_array());
    let saved = cli(&[
        "run",
        "--preset",
        out.to_str().unwrap(),
        "--seconds",
        "60",
        "--json",
    ]);
    assert!(saved.status.success(), "{}", stderr(&saved));
    let _ = std::fs::remove_file(&out);
    fails_cleanly(
        &["fit", "--measured", "map_mmhg=low"],
        &["map_mmhg", "number"],
    );
    fails_cleanly(&["fit"], &["at least one measurement"]);
}

fn cohort_run(dir: &std::path::Path, extra: &[&str]) -> String {
    let mut args = vec![
        "cohort",
        "--n",
        "6",
        "--seed",
        "42",
        "--set",
        "ecmo.enabled=true",
        "--strategy",
        "ECMO alone:",
        "--strategy",
        "ECMO + IABP:iabp.enabled=true",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = cli(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(dir.join("patients.csv")).unwrap()
}

#[test]
fn a_cohort_is_reproducible_and_its_shards_merge() {
    let tmp = std::env::temp_dir().join(format!("ecmo-unload-cohort-{}", std::process::id()));
    let whole = cohort_run(&tmp.join("a"), &[]);
    assert_eq!(
        whole,
        cohort_run(&tmp.join("b"), &[]),
        "same seed, same bytes"
    );
    let lines: Vec<&str> = whole.lines().collect();
    assert_eq!(lines.len(), 1 + 6 * 2, "one row per patient and strategy");
    assert!(lines[0].starts_with("patient,strategy,heart.lv.ees_mmhg_per_ml"));
    assert!(lines[0].contains("lung_water_6h_ml_kg") && lines[0].contains("pcwp_mmhg"));
    // Shards: header once, then the shards' rows in order, give the whole file.
    let s0 = cohort_run(&tmp.join("s0"), &["--shard", "0/2"]);
    let s1 = cohort_run(&tmp.join("s1"), &["--shard", "1/2"]);
    let merged: Vec<&str> = s0.lines().chain(s1.lines().skip(1)).collect();
    assert_eq!(merged, lines);
    let summary = std::fs::read_to_string(tmp.join("a").join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 2 * 7, "strategies x endpoints");
    assert!(summary.contains("ECMO + IABP,pcwp_mmhg,6,"));
    // Different seeds, different patients.
    let other = {
        let o = cli(&[
            "cohort",
            "--n",
            "2",
            "--seed",
            "7",
            "--strategy",
            "now:",
            "--out",
            tmp.join("c").to_str().unwrap(),
        ]);
        assert!(o.status.success());
        std::fs::read_to_string(tmp.join("c").join("patients.csv")).unwrap()
    };
    assert_ne!(other.lines().nth(1), lines.get(1).copied());
    fails_cleanly(
        &[
            "cohort",
            "--n",
            "2",
            "--strategy",
            "x:",
            "--out",
            "/tmp/x",
            "--shard",
            "3/2",
        ],
        &["--shard"],
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn scenarios_are_listed_and_played_headless() {
    let o = cli(&["scenarios"]);
    assert!(o.status.success());
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 8, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ecmo-lv-distension ") && l.contains("distension"))
    );
    let o = cli(&[
        "run",
        "--scenario",
        "ami-shock",
        "--seconds",
        "120",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let fired = v["events_fired"].as_array().unwrap();
    assert_eq!(fired[0]["name"], "infarct extension");
    assert!((fired[0]["t_s"].as_f64().unwrap() - 60.0).abs() < 0.01);
    assert!(v["map_mmhg"].as_f64().is_some());
    fails_cleanly(
        &["run", "--scenario", "nope", "--seconds", "10"],
        &["nope", "ami-shock"],
    );
}

/// kill -9 in the middle of a recording: what is on disk is a readable CSV up to the last flush
/// (about one simulated second), the torn last row at most.
#[test]
fn a_killed_recording_is_readable_up_to_its_last_flush() {
    let path = std::env::temp_dir().join(format!("ecmo-unload-kill-{}.csv", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args([
            "run",
            "--seconds",
            "100000",
            "--csv",
            path.to_str().unwrap(),
            "--every-ms",
            "5",
        ])
        .spawn()
        .unwrap();
    // Let it write for a while, then SIGKILL (no chance to flush or clean up).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&path).map_or(0, |m| m.len()) < 200_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the recording never grew"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let width = lines.next().unwrap().split(',').count();
    let rows: Vec<&str> = lines.collect();
    let complete = rows
        .iter()
        .filter(|r| r.split(',').count() == width)
        .count();
    assert!(
        complete >= rows.len().saturating_sub(1),
        "only the last row may be torn"
    );
    assert!(complete > 100, "{complete} complete rows");
    // Rows are consecutive samples: 5 ms apart, none missing before the tear.
    let t: Vec<f64> = rows[..complete]
        .iter()
        .map(|r| r.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(t.windows(2).all(|w| ((w[1] - w[0]) - 0.005).abs() < 1e-3));
    let _ = std::fs::remove_file(&path);
}

/// A reader that goes away (`ecmo-unload bench | head -1`) ends the tool quietly, not with a
/// panic on the broken pipe.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args(["bench", "--seconds", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader (and with it the pipe) is dropped here; the bench goes on printing.
    assert!(first.starts_with("preset"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "stderr: {err}");
}

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
        include_str!("../presets/scenarios/ami-shock.ron")
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
