//! The command line as external scripts use it: the JSON keys are a contract, bad input is one
//! clear line on stderr with exit code 2 and nothing on stdout. This file holds the contract;
//! `reliability.rs` every input bounded and every write checked.

use std::process::{Command, Output};

pub(crate) fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Exit 2, one line on stderr containing every `needle`, nothing on stdout.
pub(crate) fn fails_cleanly(args: &[&str], needles: &[&str]) {
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
pub(crate) fn run_healthy_json(seconds: &str, extra: &[&str]) -> serde_json::Value {
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

pub(crate) fn temp_file(name: &str, bytes: &[u8]) -> String {
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
pub(crate) fn healthy_csv(
    name: &str,
    seconds: &str,
    every_ms: &str,
) -> (Vec<String>, Vec<Vec<f64>>) {
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
        ["aortic_root", "arch", "descending"].contains(&zone),
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
    // Results are told apart by name: two of one name, or "now" with changes, are refused.
    fails_cleanly(
        &[
            "compare",
            "--strategy",
            "a:",
            "--strategy",
            "a:iabp.enabled=true",
        ],
        &["'a'", "twice"],
    );
    fails_cleanly(
        &["compare", "--strategy", "now:iabp.enabled=true"],
        &["'now'", "another name"],
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

pub(crate) fn cohort_args<'a>(dir: &'a std::path::Path, extra: &[&'a str]) -> Vec<&'a str> {
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
        "--horizon-h",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args
}

/// Run the test cohort into `dir`; its patients table (`file`: the shard's name).
pub(crate) fn cohort_run(dir: &std::path::Path, extra: &[&str], file: &str) -> String {
    let o = cli(&cohort_args(dir, extra));
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn a_cohort_is_reproducible_and_its_shards_merge() {
    let tmp = std::env::temp_dir().join(format!("ecmo-unload-cohort-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let whole = cohort_run(&tmp.join("a"), &[], "patients.csv");
    let lines: Vec<&str> = whole.lines().collect();
    assert_eq!(lines.len(), 1 + 6 * 2, "one row per patient and strategy");
    assert!(lines[0].starts_with("patient,strategy,heart.lv.ees_mmhg_per_ml"));
    assert!(lines[0].contains("lung_water_6h_ml_kg") && lines[0].contains("pcwp_mmhg"));
    assert!(lines[0].ends_with("at_horizon_paco2_mmhg,error"));
    // Shards, each named by its shard; one from the Slurm array index.
    let s0 = cohort_run(
        &tmp.join("s0"),
        &["--shard", "0/2"],
        "patients.shard-0-of-2.csv",
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ecmo-unload"))
        .args(cohort_args(&tmp.join("s1"), &[]))
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s1 = std::fs::read_to_string(tmp.join("s1").join("patients.shard-1-of-2.csv")).unwrap();
    let joined: Vec<&str> = s0.lines().chain(s1.lines().skip(1)).collect();
    assert_eq!(joined, lines);
    // The merge gives the unsharded run's tables, byte for byte.
    let m = tmp.join("m");
    let o = cli(&[
        "cohort",
        "merge",
        tmp.join("s1").to_str().unwrap(),
        tmp.join("s0").to_str().unwrap(),
        "--out",
        m.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["patients.csv", "summary.csv", "cohort.json"] {
        assert_eq!(
            std::fs::read(m.join(file)).unwrap(),
            std::fs::read(tmp.join("a").join(file)).unwrap(),
            "{file}"
        );
    }
    // A merge with a shard missing says which patients.
    let o = cli(&[
        "cohort",
        "merge",
        tmp.join("s0").to_str().unwrap(),
        "--out",
        tmp.join("m2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    let summary = std::fs::read_to_string(tmp.join("a").join("summary.csv")).unwrap();
    assert!(
        summary.contains("ECMO + IABP,lactate_6h_mmol_l,0,"),
        "1 h: no 6-h values"
    );
    assert!(summary.contains("ECMO + IABP,pcwp_mmhg,6,"));
    assert!(summary.contains("ECMO + IABP,at_horizon_pcwp_mmhg,6,"));
    // Different seeds, different patients.
    let other = {
        let o = cli(&[
            "cohort",
            "--n",
            "2",
            "--seed",
            "7",
            "--horizon-h",
            "0",
            "--strategy",
            "now:",
            "--out",
            tmp.join("c").to_str().unwrap(),
        ]);
        assert!(o.status.success());
        std::fs::read_to_string(tmp.join("c").join("patients.csv")).unwrap()
    };
    assert_ne!(other.lines().nth(1), lines.get(1).copied());
    // A merge into a folder holding another cohort is refused, as a run is.
    let o = cli(&[
        "cohort",
        "merge",
        tmp.join("s0").to_str().unwrap(),
        tmp.join("s1").to_str().unwrap(),
        "--out",
        tmp.join("c").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("another cohort"), "{}", stderr(&o));
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
    // A strategy the base patient cannot take is refused before any patient runs.
    fails_cleanly(
        &[
            "cohort",
            "--n",
            "2",
            "--strategy",
            "bad:heart.lv.ees_mmhg_per_ml=99",
            "--out",
            "/tmp/x",
        ],
        &["bad", "heart.lv.ees_mmhg_per_ml"],
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_killed_cohort_resumes_to_the_same_bytes() {
    let tmp = std::env::temp_dir().join(format!("ecmo-unload-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let whole = cohort_run(&tmp.join("a"), &[], "patients.csv");
    // Killed in the middle of patient 3's second row: its first row and a torn line on disk.
    let r = tmp.join("r");
    std::fs::create_dir_all(&r).unwrap();
    std::fs::copy(tmp.join("a").join("cohort.json"), r.join("cohort.json")).unwrap();
    let cut = whole.match_indices('\n').nth(7).unwrap().0 + 1 + 40;
    std::fs::write(r.join("patients.csv"), &whole[..cut]).unwrap();
    let o = cli(&cohort_args(&r, &[]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("resuming after 3 of 6"),
        "{}",
        stderr(&o)
    );
    // No terminal: plain progress lines, no carriage returns.
    assert!(!stderr(&o).contains('\r'));
    for file in ["patients.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(r.join(file)).unwrap(),
            std::fs::read(tmp.join("a").join(file)).unwrap(),
            "{file}"
        );
    }
    // Cut just before a patient's last newline: that patient runs again, the bytes the same.
    let cut = whole.match_indices('\n').nth(8).unwrap().0;
    std::fs::write(r.join("patients.csv"), &whole[..cut]).unwrap();
    let o = cli(&cohort_args(&r, &[]));
    assert!(
        stderr(&o).contains("resuming after 3 of 6"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(r.join("patients.csv")).unwrap(),
        whole
    );
    // Another cohort in the same folder is refused, not mixed in.
    let mut other = cohort_args(&r, &[]);
    let seed = other.iter().position(|a| *a == "42").unwrap();
    other[seed] = "43";
    let o = cli(&other);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("another cohort"), "{}", stderr(&o));
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

mod lab;
mod reliability;

/// `--tab` takes the dashboard's own list of views (one `clap::ValueEnum`): a name it lacks is
/// refused with the list, before any window opens.
#[test]
fn the_tab_list_is_the_dashboards() {
    fails_cleanly(
        &["--tab", "bogus"],
        &["bogus", "monitor", "what-if", "log", "replay"],
    );
    fails_cleanly(&["gui", "--tab", "events"], &["events", "log"]);
}

/// A window size out of range says the range, not only the form.
#[test]
fn a_window_size_out_of_range_names_the_range() {
    fails_cleanly(&["--window", "10x10"], &["10x10", "320x240", "8000x8000"]);
    fails_cleanly(&["--window", "abc"], &["abc", "WIDTHxHEIGHT"]);
}

/// `--parquet`: the patients table also as Parquet, in a build with the feature; refused before
/// anything runs in one without.
#[test]
fn a_cohort_writes_parquet_only_where_built_with_it() {
    let tmp = std::env::temp_dir().join(format!("ecmo-unload-parquet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let args = [
        "cohort",
        "--n",
        "3",
        "--horizon-h",
        "0",
        "--strategy",
        "now:",
        "--strategy",
        "iabp:iabp.enabled=true",
        "--parquet",
        "--out",
        tmp.to_str().unwrap(),
    ];
    #[cfg(not(feature = "parquet"))]
    fails_cleanly(&args, &["--parquet", "--features parquet"]);
    #[cfg(feature = "parquet")]
    {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let o = cli(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let file = std::fs::File::open(tmp.join("patients.parquet")).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let meta = reader.metadata();
        assert_eq!(
            meta.file_metadata().num_rows(),
            6,
            "a row per patient and strategy"
        );
        let csv = std::fs::read_to_string(tmp.join("patients.csv")).unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let schema = meta.file_metadata().schema_descr();
        assert_eq!(schema.num_columns(), header.len());
        assert_eq!(schema.column(1).name(), "strategy");
        // The values are the CSV's: the first row's MAP, read back as a number.
        let map = header.iter().position(|h| *h == "map_mmhg").unwrap();
        let row = reader.get_row_iter(None).unwrap().next().unwrap().unwrap();
        let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        let (_, value) = row.get_column_iter().nth(map).unwrap();
        assert_eq!(
            value.to_string(),
            first[map].parse::<f64>().unwrap().to_string()
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
