//! The headless command line: the same engine for scripts, tests, benchmarks and batch work.
//! Subcommands, flags and JSON keys are a contract with external scripts: add, never rename.

use clap::{Parser, Subcommand};
use ecmo_unload::Summary;
use ecmo_unload::calibration::{self, Measurement};
use ecmo_unload::circulation::{Node, Path};
use ecmo_unload::cohort;
use ecmo_unload::drugs::Drug;
use ecmo_unload::fluids;
use ecmo_unload::forecast::{self, LUNG_PROJECTION_H, Strategy};
use ecmo_unload::scenario::{self, Scenario};
use ecmo_unload::units::{Short, ms_from_s};
use ecmo_unload::{Engine, Error, Patient, presets, settings};
use std::io::Write;
use std::time::Instant;

/// Write to standard error without panicking: a full or closed stderr (`2>/dev/full`) must
/// not turn a result or a clean error into a panic; what cannot be said there is lost.
pub fn say(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// One line whatever the input held: control characters (a newline in a value, an escape
/// sequence in a name) echo escaped.
pub fn one_line(message: &str) -> String {
    message
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// A failed write to standard output (a full disk, a closed file): an error, not a panic
/// (`println!`) or a silent loss (`let _ = writeln!`).
fn stdout_error(e: std::io::Error) -> CliError {
    CliError::Io {
        path: "standard output".into(),
        message: e.to_string(),
    }
}

/// Write `text` to standard output and flush it, checked.
pub fn emit(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

/// `println!` and `print!` with every write checked ([`emit`]).
macro_rules! outln {
    () => {
        emit("\n")
    };
    ($($arg:tt)*) => {
        emit(&format!("{}\n", format_args!($($arg)*)))
    };
}
macro_rules! out {
    ($($arg:tt)*) => {
        emit(&format!($($arg)*))
    };
}

#[derive(Parser, Debug)]
#[command(
    name = "ecmo-unload",
    version,
    about = "Hemodynamic simulator for mechanical circulatory support in cardiogenic shock.\n\
             Education and research only: not a medical device."
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a subcommand: the dashboard, on this patient.
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// How to open the dashboard (top level, or `gui`).
#[derive(clap::Args, Debug, Clone)]
pub struct DashboardArgs {
    /// Built-in preset name or path to a RON preset file.
    #[arg(long, default_value = "cardiogenic-shock")]
    pub preset: String,
    /// Override a parameter, as with `run` (e.g. ecmo.enabled=true).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Save a PNG of the window after --after-s simulated seconds, then quit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<std::path::PathBuf>,
    /// Simulated seconds to run before the --screenshot (all but the last sweep at once).
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub after_s: f64,
    /// Start playing a teaching scenario (built-in name or RON file) instead of the preset.
    #[arg(long, value_name = "NAME|PATH")]
    pub scenario: Option<String>,
    /// Open a recording folder (written by Record) in the Replay tab.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<std::path::PathBuf>,
    /// Window size in points, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x1000", value_parser = parse_window)]
    pub window: [f32; 2],
    /// The view to open on: monitor, circulation, unloading, what-if, calibrate, scenario, trends,
    /// log or replay.
    #[arg(long, default_value = "monitor", value_parser = ["monitor", "circulation", "unloading", "what-if", "calibrate", "scenario", "trends", "log", "replay"])]
    pub tab: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run headless from t = 0 and print a summary of the last 10 beats.
    Run {
        /// Built-in preset name or path to a RON preset file.
        #[arg(long, default_value = "healthy")]
        preset: String,
        /// Simulated seconds to run.
        #[arg(long, default_value_t = 60.0, allow_negative_numbers = true)]
        seconds: f64,
        /// Override a parameter: dotted key into the preset, e.g. heart.lv.ees_mmhg_per_ml=0.5.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Give fluid from t = 0: ML over MINUTES (negative ML removes), e.g. 500:10.
        #[arg(long, value_name = "ML:MINUTES", allow_hyphen_values = true)]
        fluid: Option<String>,
        /// A loading dose at t = 0: DRUG:MCG_PER_KG, e.g. milrinone:50 (repeatable).
        #[arg(long, value_name = "DRUG:MCG_KG")]
        bolus: Vec<String>,
        /// Play a teaching scenario (built-in name or RON file) instead of a bare preset; --set
        /// applies on top of its start. The summary adds `events_fired`.
        #[arg(long, value_name = "NAME|PATH", conflicts_with = "preset")]
        scenario: Option<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// Stream waveforms (time, every pressure, volume and flow) to this CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<std::path::PathBuf>,
        /// CSV sample interval in simulated milliseconds (at least the model's step).
        #[arg(
            long,
            value_name = "MS",
            default_value_t = 10.0,
            requires = "csv",
            allow_negative_numbers = true
        )]
        every_ms: f64,
    },
    /// What-if: forecast strategies from the patient's current steady state, side by side.
    Compare {
        /// Built-in preset name or path to a RON preset file.
        #[arg(long, default_value = "cardiogenic-shock")]
        preset: String,
        /// Override a parameter of the starting patient (as with `run`).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// A candidate: 'NAME:KEY=VALUE,KEY=VALUE' ('now:' keeps the current settings).
        #[arg(long = "strategy", value_name = "NAME:K=V,...", required = true)]
        strategies: Vec<String>,
        /// Print a JSON array, one object per strategy.
        #[arg(long)]
        json: bool,
    },
    /// Calibrate: find the parameters that reproduce bedside measurements.
    Fit {
        #[arg(long, default_value = "cardiogenic-shock")]
        preset: String,
        /// Known facts about the patient (weight, devices, drugs), as with `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// A measurement by summary key, optionally with its SD: map_mmhg=62+-4.
        #[arg(
            long = "measured",
            value_name = "KEY=VALUE[+-SD]",
            allow_hyphen_values = true
        )]
        measured: Vec<String>,
        /// A RON file of measurements: [(key: "pcwp_mmhg", value: 24.0, sd: Some(3.0)), ...].
        #[arg(long, value_name = "FILE")]
        measurements: Option<std::path::PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Save the fitted patient as a preset file.
        #[arg(long, value_name = "FILE.ron")]
        out: Option<std::path::PathBuf>,
    },
    /// A virtual cohort: N sampled shock patients, every strategy, endpoints to CSV.
    Cohort {
        #[arg(long, default_value = "cardiogenic-shock")]
        preset: String,
        /// Settings every patient shares (e.g. ecmo.enabled=true), as with `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Number of patients (1 to 1 000 000 000).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_COHORT_N))]
        n: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A strategy, as for `compare`: 'NAME:KEY=VALUE,KEY=VALUE'.
        #[arg(long = "strategy", value_name = "NAME:K=V,...", required = true)]
        strategies: Vec<String>,
        /// Folder for patients.csv and summary.csv (created).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Run only part i of n (0-based): patients [i N / n, (i + 1) N / n).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
    },
    /// List every settable key with its value, unit and valid range.
    Params {
        #[arg(long, default_value = "healthy")]
        preset: String,
    },
    /// List the built-in presets.
    Presets,
    /// List the scenario library: one name a line, then its title.
    Scenarios,
    /// Real-time factor (simulated seconds per wall second, one core) for each preset.
    Bench {
        /// Simulated seconds per preset.
        #[arg(long, default_value_t = 600.0)]
        seconds: f64,
    },
    /// Dashboard CPU time per frame (median, p99) with every plot and device console drawn.
    #[cfg(feature = "gui")]
    BenchUi {
        /// Frames timed per window size (after a warm-up).
        #[arg(long, default_value_t = 600)]
        frames: usize,
    },
    /// Open the dashboard (the default when no subcommand is given).
    #[cfg(feature = "gui")]
    Gui {
        #[command(flatten)]
        dashboard: DashboardArgs,
    },
}

/// `WIDTHxHEIGHT` into a window size.
fn parse_window(text: &str) -> Result<[f32; 2], String> {
    let bad = || format!("'{text}': expected WIDTHxHEIGHT, e.g. 1280x800");
    let (w, h) = text.split_once('x').ok_or_else(bad)?;
    let (w, h): (f32, f32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if (320.0..=8000.0).contains(&w) && (240.0..=8000.0).contains(&h) {
        Ok([w, h])
    } else {
        Err(bad())
    }
}

/// Errors that end the command: one line on stderr, exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Model(#[from] Error),
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

/// Load a preset and apply `--set` overrides.
pub fn patient_with_overrides(preset: &str, sets: &[String]) -> Result<Patient, CliError> {
    Ok(settings::apply_all(&presets::load(preset)?, sets)?)
}

/// What `run` is asked to do besides the patient.
pub struct RunOptions<'a> {
    pub seconds: f64,
    pub json: bool,
    pub csv: Option<(&'a std::path::Path, f64)>,
    /// `ML:MINUTES` of fluid from t = 0.
    pub fluid: Option<&'a str>,
    /// `DRUG:MCG_KG` loading doses at t = 0.
    pub boluses: &'a [String],
    /// A teaching scenario to play.
    pub scenario: Option<&'a str>,
}

/// `ML:MINUTES` into (mL, seconds).
fn parse_fluid(text: &str) -> Result<(f64, f64), CliError> {
    fluids::parse_order(text).ok_or_else(|| {
        CliError::Usage(format!(
            "--fluid: expected ML:MINUTES, e.g. 500:10 or -300:60, got '{text}'"
        ))
    })
}

/// `DRUG:MCG_KG` into (drug, dose).
fn parse_bolus(text: &str) -> Result<(Drug, f64), CliError> {
    Drug::parse_bolus(text)?.ok_or_else(|| {
        CliError::Usage(format!(
            "--bolus: expected DRUG:MCG_KG, e.g. milrinone:50, got '{text}'"
        ))
    })
}

/// The longest `run`: 30 simulated days (a typo of a few digits must not run for years).
pub const MAX_RUN_S: f64 = ecmo_unload::settings::MAX_SIMULATED_S;

pub fn run(preset: &str, sets: &[String], o: RunOptions) -> Result<(), CliError> {
    let RunOptions {
        seconds,
        json,
        csv,
        fluid,
        boluses,
        scenario,
    } = o;
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(CliError::Usage(format!(
            "--seconds {}: expected a positive number",
            Short(seconds)
        )));
    }
    if seconds > MAX_RUN_S {
        return Err(CliError::Usage(format!(
            "--seconds {}: at most {MAX_RUN_S} (30 simulated days)",
            Short(seconds)
        )));
    }
    let mut play = match scenario {
        Some(name) => {
            if csv.is_some() {
                return Err(CliError::Usage(
                    "--csv is not available with --scenario yet".into(),
                ));
            }
            let mut sc = Scenario::load(name)?;
            sc.set.extend(sets.iter().cloned());
            Some(scenario::Run::start(sc)?)
        }
        None => None,
    };
    let mut engine = match &play {
        Some(p) => p.engine.clone(),
        None => Engine::new(patient_with_overrides(preset, sets)?)?,
    };
    if let Some(text) = fluid {
        let (ml, s) = parse_fluid(text)?;
        engine.give_fluid(ml, s)?;
    }
    for text in boluses {
        let (drug, dose) = parse_bolus(text)?;
        engine.give_bolus(drug, dose)?;
    }
    if let Some((path, _)) = csv
        && same_file(path, std::path::Path::new(preset))
    {
        return Err(CliError::Usage(format!(
            "--csv {}: that is the preset file this run reads; write the waveforms elsewhere",
            path.display()
        )));
    }
    if let Some(p) = &mut play {
        p.engine = engine;
        p.advance(seconds)?;
        engine = p.engine.clone();
    } else {
        match csv {
            Some((path, every_ms)) => run_with_csv(&mut engine, seconds, path, every_ms)?,
            None => engine.run_for(seconds),
        }
    }
    let summary = engine.summary().ok_or_else(|| {
        CliError::Usage(format!(
            "--seconds {}: no complete beat yet; run for at least one beat",
            Short(seconds)
        ))
    })?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut value = serde_json::to_value(&summary).expect("summary serialises");
    if let (Some(p), Some(name)) = (&play, scenario) {
        for f in p.fired().iter().filter(|f| f.failed.is_some()) {
            say(&format!(
                "warning: {}\n",
                one_line(&format!(
                    "scenario {name}: event '{}' at {:.1} s failed: {}",
                    f.name,
                    f.t_s,
                    f.failed.as_deref().unwrap_or_default()
                ))
            ));
        }
    }
    if let (Some(p), Some(map)) = (&play, value.as_object_mut()) {
        map.insert(
            "events_fired".into(),
            serde_json::to_value(p.fired()).expect("events serialise"),
        );
    }
    if json {
        let text = serde_json::to_string_pretty(&value).expect("summary serialises");
        writeln!(out, "{text}").map_err(stdout_error)?;
    } else {
        writeln!(
            out,
            "{} after {:.1} s (mean of the last {} beats)",
            engine.patient().name,
            summary.t_s,
            summary.beats
        )
        .map_err(stdout_error)?;
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                let shown = match (v.as_u64(), v.as_f64(), v.as_str()) {
                    (Some(n), _, _) => n.to_string(),
                    (None, Some(x), _) => format!("{x:.2}"),
                    (_, _, Some(text)) => text.to_string(),
                    _ => v.to_string(),
                };
                writeln!(out, "  {k:<30} {shown:>10}").map_err(stdout_error)?;
            }
        }
    }
    Ok(())
}

/// Whether two paths name one existing file (through links).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn run_with_csv(
    engine: &mut Engine,
    seconds: f64,
    path: &std::path::Path,
    every_ms: f64,
) -> Result<(), CliError> {
    if !(every_ms.is_finite() && every_ms > 0.0) {
        return Err(CliError::Usage(format!(
            "--every-ms {}: expected a positive number",
            Short(every_ms)
        )));
    }
    let step_ms = ms_from_s(engine.dt_s());
    if every_ms < step_ms - 1e-9 {
        return Err(CliError::Usage(format!(
            "--every-ms {}: the model steps every {step_ms} ms; sample at that or slower",
            Short(every_ms)
        )));
    }
    let io_err = |e: &dyn std::fmt::Display| CliError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    ecmo_unload::files::refuse_special(path)?;
    let mut file = std::fs::File::create(path).map_err(|e| io_err(&e))?;
    // Rows are built in memory and appended whole, about once per simulated second: a failed
    // write (a full disk) cuts the file back to its last whole row.
    let mut committed = 0u64;
    let mut commit = |w: &mut csv::Writer<Vec<u8>>| -> Result<(), CliError> {
        let rows = std::mem::replace(w, csv::Writer::from_writer(Vec::new()))
            .into_inner()
            .map_err(|e| io_err(&e))?;
        if let Err(e) = file.write_all(&rows).and_then(|()| file.flush()) {
            let _ = file.set_len(committed);
            return Err(io_err(&e));
        }
        committed += rows.len() as u64;
        Ok(())
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(csv_header()).map_err(|e| io_err(&e))?;
    let dt = engine.dt_s();
    let every_steps = ((every_ms * 1e-3 / dt).round() as u64).max(1);
    // Flush about once per simulated second so an interrupted run leaves a readable file.
    let flush_every = ((1.0 / dt) as u64 / every_steps).max(1);
    let n = (seconds / dt).round() as u64;
    let mut row: Vec<String> = Vec::with_capacity(csv_header().len());
    let mut rows = 0u64;
    // An R wave between two samples is marked on the later one (the sample that holds it).
    let mut r_wave = false;
    for i in 0..n {
        engine.step();
        r_wave |= engine.r_wave();
        if i.is_multiple_of(every_steps) {
            let s = engine.snapshot();
            row.clear();
            row.push(format!("{:.4}", s.t_s));
            row.extend(s.p_mmhg.iter().map(|x| format!("{x:.3}")));
            row.extend(s.v_ml.iter().map(|x| format!("{x:.3}")));
            row.extend(s.q_ml_s.iter().map(|x| format!("{x:.3}")));
            row.push(u8::from(std::mem::take(&mut r_wave)).to_string());
            row.push(format!("{:.4}", s.ecg_mv));
            row.push(format!("{:.3}", s.p_radial_mmhg));
            row.push(format!("{:.3}", s.p_femoral_mmhg));
            row.push(format!("{:.3}", s.iabp_balloon_ml));
            row.push(format!("{:.3}", s.iabp_balloon_pressure_mmhg));
            w.write_record(&row).map_err(|e| io_err(&e))?;
            rows += 1;
            if rows.is_multiple_of(flush_every) {
                commit(&mut w)?;
            }
        }
    }
    commit(&mut w)
}

/// CSV columns: t_s, p_<node>_mmhg..., v_<node>_ml..., q_<path>_ml_s..., then r_wave (1 on
/// the sample holding an R wave), ecg_mv, p_radial_mmhg and p_femoral_mmhg (the arterial lines),
/// iabp_balloon_ml and iabp_balloon_pressure_mmhg (the balloon's gas volume and console pressure).
pub fn csv_header() -> Vec<String> {
    let mut h = vec!["t_s".to_string()];
    h.extend(Node::ALL.iter().map(|n| format!("p_{}_mmhg", n.key())));
    h.extend(Node::ALL.iter().map(|n| format!("v_{}_ml", n.key())));
    h.extend(Path::ALL.iter().map(|p| format!("q_{}_ml_s", p.key())));
    h.extend(
        [
            "r_wave",
            "ecg_mv",
            "p_radial_mmhg",
            "p_femoral_mmhg",
            "iabp_balloon_ml",
            "iabp_balloon_pressure_mmhg",
        ]
        .map(String::from),
    );
    h
}

pub fn params(preset: &str) -> Result<(), CliError> {
    let patient = presets::load(preset)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(
        out,
        "{:<44} {:>12} {:<12} {:<22} meaning",
        "key", "value", "unit", "range"
    )
    .map_err(stdout_error)?;
    for (key, value) in settings::leaves(&patient) {
        let spec = settings::spec_of(&key);
        let (unit, range, help) = match spec {
            Some(s) if s.min.is_finite() => (s.unit, format!("[{}, {}]", s.min, s.max), s.help),
            Some(s) => (s.unit, "text".to_string(), s.help),
            None => ("", String::new(), ""),
        };
        let shown = match &value {
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        writeln!(out, "{key:<44} {shown:>12} {unit:<12} {range:<22} {help}")
            .map_err(stdout_error)?;
    }
    Ok(())
}

pub fn list_presets() -> Result<(), CliError> {
    for (name, file, text) in presets::BUILT_IN {
        let description = presets::parse(text, file)
            .map(|p| p.description)
            .unwrap_or_default();
        outln!("{name:<20} {description}")?;
    }
    Ok(())
}

/// Every device on, for the benchmark's second row per preset.
const ALL_DEVICES: [&str; 7] = [
    "ecmo.enabled=true",
    "ecmo.mode=flow",
    "lv_vent.enabled=true",
    "septostomy.diameter_mm=5",
    "impella.enabled=true",
    "impella.p_level=4",
    "iabp.enabled=true",
];

/// Every drug at a usual dose: with [`ALL_DEVICES`], the engine's heaviest load (issue 4:
/// >= 2000x real time).
const ALL_DRUGS: [&str; 4] = [
    "drugs.dobutamine_mcg_kg_min=5",
    "drugs.milrinone_mcg_kg_min=0.375",
    "drugs.epinephrine_mcg_kg_min=0.05",
    "drugs.norepinephrine_mcg_kg_min=0.1",
];

/// The benchmark times each row in this many passes over all rows, each of this many chunks;
/// the median chunk is reported.
const BENCH_PASSES: usize = 3;
const BENCH_CHUNKS_PER_PASS: usize = 5;
/// Simulated seconds each row runs untimed at the start of a pass (caches and branch
/// predictors warm to this engine again).
const BENCH_WARM_S: f64 = 1.0;

pub fn bench(seconds: f64) -> Result<(), CliError> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(CliError::Usage(format!(
            "--seconds {seconds}: expected a positive number"
        )));
    }
    outln!(
        "{:<20} {:<12} {:>10} {:>14} {:>10}",
        "preset",
        "devices",
        "sim_s",
        "realtime_x",
        "ns/step"
    )?;
    let everything: Vec<&str> = ALL_DEVICES.iter().chain(&ALL_DRUGS).copied().collect();
    let mut rows = Vec::new();
    for name in presets::names() {
        for (label, sets) in [
            ("none", &[][..]),
            ("all", &ALL_DEVICES[..]),
            ("all+drugs", &everything[..]),
        ] {
            let mut engine = Engine::new(settings::apply_all(&presets::load(name)?, sets)?)?;
            engine.run_for(2.0);
            let chunks = BENCH_PASSES * BENCH_CHUNKS_PER_PASS;
            let chunk_steps = (seconds / engine.dt_s() / chunks as f64).round() as u64;
            rows.push((name, label, engine, chunk_steps, Vec::with_capacity(chunks)));
        }
    }
    // BENCH_PASSES passes over the rows, each row running its chunks back to back (as one
    // simulation runs): a slow spell of a shared machine (seconds long) then costs a row one pass's
    // chunks, not all of them, and the median drops them.
    for _ in 0..BENCH_PASSES {
        for (_, _, engine, chunk_steps, ns_per_step) in rows.iter_mut() {
            engine.run_for(BENCH_WARM_S);
            for _ in 0..BENCH_CHUNKS_PER_PASS {
                let start = Instant::now();
                // Count the beats rather than black-boxing each step's Option<Beat>: that
                // would copy half a kilobyte per step, which no caller does.
                let mut beats = 0usize;
                for _ in 0..*chunk_steps {
                    beats += usize::from(engine.step().is_some());
                }
                std::hint::black_box((beats, &*engine));
                ns_per_step.push(start.elapsed().as_secs_f64() * 1e9 / *chunk_steps as f64);
            }
        }
    }
    for (name, label, engine, _, mut ns_per_step) in rows {
        ns_per_step.sort_by(f64::total_cmp);
        let ns = ns_per_step[ns_per_step.len() / 2];
        outln!(
            "{name:<20} {label:<12} {seconds:>10.0} {:>14.0} {:>10.1}",
            engine.dt_s() * 1e9 / ns,
            ns
        )?;
    }
    bench_what_if()
}

/// The issue-6 what-if set: five strategies from the shock patient on ECMO.
const WHAT_IF: [&str; 5] = [
    "ecmo -1 L/min:ecmo.flow_target_l_min=3",
    "iabp 1:1:iabp.enabled=true",
    "impella cp p6:impella.enabled=true,impella.p_level=6",
    "dobutamine 5:drugs.dobutamine_mcg_kg_min=5",
    "septostomy 8 mm:septostomy.diameter_mm=8",
];
/// Repeats of the what-if timing (the median is reported).
const WHAT_IF_REPEATS: usize = 7;

/// Wall time of five forecasts to steady state, on every core (budget: 100 ms).
fn bench_what_if() -> Result<(), CliError> {
    let strategies: Vec<Strategy> = WHAT_IF
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let p = settings::apply_all(
        &presets::load("cardiogenic-shock")?,
        &["ecmo.enabled=true", "ecmo.mode=flow"],
    )?;
    let mut base = Engine::new(p)?;
    forecast::settle(&mut base);
    let mut times = Vec::new();
    let mut simulated = 0.0;
    for _ in 0..WHAT_IF_REPEATS {
        let start = Instant::now();
        let f = ecmo_unload::batch::forecast_all(&base, &strategies)?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        simulated = f.iter().map(|f| f.settle_s).sum::<f64>();
    }
    times.sort_by(f64::total_cmp);
    outln!(
        "what-if: {} strategies to steady state ({simulated:.0} s simulated) on {} threads: \
         median {:.0} ms (budget 100 ms)",
        strategies.len(),
        ecmo_unload::batch::threads(),
        times[times.len() / 2]
    )?;
    Ok(())
}

/// Window sizes the dashboard is timed at (the two).
#[cfg(feature = "gui")]
const UI_SIZES: [[f32; 2]; 2] = [[1600.0, 1000.0], [1280.0, 800.0]];
/// Frames drawn before timing (font atlas, first layout, the waveforms filling).
#[cfg(feature = "gui")]
const UI_WARMUP_FRAMES: usize = 120;

#[cfg(feature = "gui")]
pub fn bench_ui(frames: usize) -> Result<(), CliError> {
    if frames == 0 {
        return Err(CliError::Usage(
            "--frames 0: expected at least one frame".into(),
        ));
    }
    outln!(
        "{:<20} {:<12} {:<10} {:>8} {:>12} {:>10}",
        "preset",
        "tab",
        "window",
        "frames",
        "median_ms",
        "p99_ms"
    )?;
    for name in presets::names() {
        // Every device on: every trace, console and device drawing is drawn.
        let p = settings::apply_all(&presets::load(name)?, &ALL_DEVICES)?;
        for (tab, tab_name) in [
            (ecmo_unload_ui::Tab::Monitor, "monitor"),
            (ecmo_unload_ui::Tab::Circulation, "circulation"),
        ] {
            for size in UI_SIZES {
                let mut t =
                    ecmo_unload_ui::frame_times(p.clone(), size, tab, UI_WARMUP_FRAMES, frames)?;
                t.sort();
                let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
                let p99 = t[((t.len() as f64 * 0.99) as usize).min(t.len() - 1)];
                outln!(
                    "{name:<20} {tab_name:<12} {:<10} {frames:>8} {:>12.2} {:>10.2}",
                    format!("{}x{}", size[0], size[1]),
                    ms(t[t.len() / 2]),
                    ms(p99)
                )?;
            }
        }
    }
    Ok(())
}

/// Keys the `compare` table shows (the JSON has them all).
const COMPARE_KEYS: [(&str, &str); 10] = [
    ("MAP", "map_mmhg"),
    ("LVEDP", "lvedp_mmhg"),
    ("PCWP", "pcwp_mmhg"),
    ("AV open %", "av_opening_pct"),
    ("CO native", "native_co_l_min"),
    ("total flow", "total_flow_l_min"),
    ("MVO2", "mvo2_ml_min"),
    ("CPP", "coronary_perfusion_mmhg"),
    ("SpO2 upper", "sao2_upper_pct"),
    ("EVLWI 6 h", "lung_water_6h"),
];

pub fn compare(
    preset: &str,
    sets: &[String],
    strategies: &[String],
    json: bool,
) -> Result<(), CliError> {
    let strategies: Vec<Strategy> = strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let mut base = Engine::new(patient_with_overrides(preset, sets)?)?;
    // "Now": the patient settled as it is, from which every strategy starts.
    forecast::settle(&mut base);
    let results = ecmo_unload::batch::forecast_all(&base, &strategies)?;
    if json {
        let text = serde_json::to_string_pretty(&results).expect("forecasts serialise");
        outln!("{text}")?;
        return Ok(());
    }
    let now = base.summary().ok_or_else(|| {
        CliError::Usage("the starting patient has no beats to compare with".into())
    })?;
    let value = |s: &Summary, lung_6h: f64, key: &str| -> f64 {
        if key == "lung_water_6h" {
            return lung_6h;
        }
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v[key].as_f64())
            .unwrap_or(f64::NAN)
    };
    let now_lung = forecast::project_lung_water(base.lungs(), now.beat.pulmonary_capillary_mmhg);
    out!("{:<22}", "strategy")?;
    for (label, _) in COMPARE_KEYS {
        out!(" {label:>11}")?;
    }
    outln!()?;
    out!("{:<22}", "now")?;
    for (_, key) in COMPARE_KEYS {
        out!(" {:>11.1}", value(&now, now_lung[LUNG_PROJECTION_H], key))?;
    }
    outln!()?;
    for f in &results {
        out!("{:<22}", f.strategy)?;
        for (_, key) in COMPARE_KEYS {
            let x = value(
                &f.summary,
                f.lung_water_projection_ml_kg[LUNG_PROJECTION_H],
                key,
            );
            let was = value(&now, now_lung[LUNG_PROJECTION_H], key);
            let arrow = if x > was + 0.05 * was.abs().max(1.0) {
                "^"
            } else if x < was - 0.05 * was.abs().max(1.0) {
                "v"
            } else {
                " "
            };
            out!(" {x:>10.1}{arrow}")?;
        }
        outln!("{}", if f.steady { "" } else { "  (not steady)" })?;
    }
    let lines = ecmo_unload::advice::considerations(&base.alarms(), &results);
    if !lines.is_empty() {
        outln!("\nconsiderations (model output for education and research, not orders):")?;
        for (k, line) in lines.iter().enumerate() {
            outln!("  {}. {line}", k + 1)?;
        }
    }
    Ok(())
}

pub struct FitOptions<'a> {
    pub measured: &'a [String],
    pub file: Option<&'a std::path::Path>,
    pub json: bool,
    pub out: Option<&'a std::path::Path>,
}

pub fn fit(preset: &str, sets: &[String], o: FitOptions) -> Result<(), CliError> {
    let mut ms: Vec<Measurement> = o
        .measured
        .iter()
        .map(|m| Measurement::parse(m))
        .collect::<Result<_, _>>()?;
    // Measurements from the file follow those of `--measured`: (file name, text).
    let mut from_file = None;
    if let Some(path) = o.file {
        let shown = path.display().to_string();
        let bytes = ecmo_unload::files::read_settings_file(path)?;
        let text = String::from_utf8(bytes).map_err(|e| CliError::Io {
            path: shown.clone(),
            message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        ms.extend(calibration::parse_measurements(&text, &shown)?);
        from_file = Some((shown, text));
    }
    let base = patient_with_overrides(preset, sets)?;
    // A measurement at fault in the file is named by its line there.
    calibration::check_measurements(&base, &ms).map_err(|r| {
        match (&from_file, r.index.checked_sub(o.measured.len())) {
            (Some((file, text)), Some(i)) => {
                ecmo_unload::Error::in_file(file, calibration::locate_measurement(text, i), r.error)
            }
            _ => r.error,
        }
    })?;
    let result = calibration::fit(&base, &ms)?;
    if let Some(path) = o.out {
        let mut p = result.patient.clone();
        p.name = path
            .file_stem()
            .map_or("fitted".into(), |s| s.to_string_lossy().into_owned());
        presets::save(&p, path)?;
    }
    if o.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&result).expect("a fit serialises")
        )?;
        return Ok(());
    }
    outln!("fitted parameters ({} evaluations):", result.evaluations)?;
    for (k, v) in &result.parameters {
        let flag = if result.unidentifiable.contains(k) {
            "  (not identifiable from these measurements)"
        } else {
            ""
        };
        outln!("  {k:<40} {v:>10.4}{flag}")?;
    }
    outln!("measurements:")?;
    for (k, r) in &result.measurements {
        outln!(
            "  {k:<24} measured {:>8.2} +- {:<6.2} model {:>8.2}  residual {:>+6.2} SD",
            r.measured,
            r.sd,
            r.model,
            r.residual
        )?;
    }
    Ok(())
}

/// `I/N` into a patient range of `total`.
fn shard_range(text: Option<&str>, total: u64) -> Result<std::ops::Range<u64>, CliError> {
    let Some(text) = text else {
        return Ok(0..total);
    };
    let bad = || CliError::Usage(format!("--shard '{text}': expected I/N with 0 <= I < N"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    if n > total {
        return Err(CliError::Usage(format!(
            "--shard '{text}': {n} shards of {total} patients leave some empty; use at most {total}"
        )));
    }
    // In 128 bits: i * total overflows 64 bits near the top of --n's range.
    let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(n)) as u64;
    Ok(at(i)..at(i + 1))
}

/// The largest cohort one command runs (`--n`): a billion patients, sharded over a cluster.
pub const MAX_COHORT_N: u64 = 1_000_000_000;

/// One CSV cell of a JSON value (numbers in their shortest exact form: byte-stable).
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

pub struct CohortOptions<'a> {
    pub n: u64,
    pub seed: u64,
    pub strategies: &'a [String],
    pub out: &'a std::path::Path,
    pub shard: Option<&'a str>,
}

pub fn cohort(preset: &str, sets: &[String], o: CohortOptions) -> Result<(), CliError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let strategies: Vec<Strategy> = o
        .strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let base = patient_with_overrides(preset, sets)?;
    let range = shard_range(o.shard, o.n)?;
    let io = |path: &std::path::Path| {
        let shown = path.display().to_string();
        move |e: std::io::Error| CliError::Io {
            path: shown.clone(),
            message: e.to_string(),
        }
    };
    if o.out.exists() && !o.out.is_dir() {
        return Err(CliError::Io {
            path: o.out.display().to_string(),
            message: "not a folder: --out names the folder the tables go in".into(),
        });
    }
    std::fs::create_dir_all(o.out).map_err(io(o.out))?;
    // Tables that could not be written are refused before the cohort runs, not after.
    for table in COHORT_TABLES {
        ecmo_unload::files::refuse_special(&o.out.join(table))?;
    }
    let done = AtomicU64::new(0);
    let total = range.end - range.start;
    let outcomes = ecmo_unload::batch::cohort(&base, o.seed, range.clone(), &strategies, || {
        let k = done.fetch_add(1, Ordering::Relaxed) + 1;
        if k == total || k.is_multiple_of((total / PROGRESS_STEPS).max(1)) {
            let filled = (PROGRESS_WIDTH as u64 * k / total.max(1)) as usize;
            say(&format!(
                "\rcohort [{}{}] {k}/{total} patients",
                "#".repeat(filled),
                " ".repeat(PROGRESS_WIDTH - filled)
            ));
        }
    })?;
    say("\n");
    // patients.csv: one row per patient and strategy.
    // Each table is built whole and saved atomically (`files::write_bytes`).
    let path = o.out.join(COHORT_TABLES[0]);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["patient".into(), "strategy".into()];
    header.extend(cohort::SAMPLED.iter().map(|(k, _)| k.to_string()));
    header.extend(["settle_s", "steady", "lung_water_6h_ml_kg"].map(String::from));
    let summary_keys: Vec<String> = outcomes
        .first()
        .and_then(|o| o.forecasts.first())
        .and_then(|f| serde_json::to_value(&f.summary).ok())
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
        .unwrap_or_default();
    header.extend(summary_keys.iter().cloned());
    let csv_err = |e: csv::Error| CliError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    w.write_record(&header).map_err(csv_err)?;
    for oc in &outcomes {
        for f in &oc.forecasts {
            let summary = serde_json::to_value(&f.summary).unwrap_or_default();
            let mut row = vec![oc.index.to_string(), f.strategy.clone()];
            row.extend(oc.values.iter().map(|v| v.to_string()));
            row.push(f.settle_s.to_string());
            row.push(f.steady.to_string());
            row.push(f.lung_water_projection_ml_kg[LUNG_PROJECTION_H].to_string());
            row.extend(summary_keys.iter().map(|k| cell(&summary[k])));
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    let table = w.into_inner().map_err(|e| CliError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    ecmo_unload::files::write_bytes(&path, &table)?;
    // summary.csv: medians and IQR of each endpoint per strategy.
    let spath = o.out.join(COHORT_TABLES[1]);
    let mut s = csv::Writer::from_writer(Vec::new());
    let serr = |e: csv::Error| CliError::Io {
        path: spath.display().to_string(),
        message: e.to_string(),
    };
    s.write_record(["strategy", "endpoint", "n", "median", "q1", "q3"])
        .map_err(serr)?;
    // Printed once both tables are saved: a failed save prints no summary.
    let mut printed = vec![format!(
        "{:<24} {:<26} {:>10} {:>21}",
        "strategy", "endpoint", "median", "IQR"
    )];
    for (j, st) in strategies.iter().enumerate() {
        for key in cohort::ENDPOINTS {
            let xs: Vec<f64> = outcomes
                .iter()
                .map(|oc| cohort::endpoint(&oc.forecasts[j], key))
                .collect();
            let (q1, med, q3) = cohort::quartiles(&xs);
            s.write_record([
                st.name.clone(),
                key.to_string(),
                xs.len().to_string(),
                format!("{med:.4}"),
                format!("{q1:.4}"),
                format!("{q3:.4}"),
            ])
            .map_err(serr)?;
            printed.push(format!(
                "{:<24} {key:<26} {med:>10.2} {:>10.2} - {:<8.2}",
                st.name, q1, q3
            ));
        }
    }
    let table = s.into_inner().map_err(|e| CliError::Io {
        path: spath.display().to_string(),
        message: e.to_string(),
    })?;
    ecmo_unload::files::write_bytes(&spath, &table)?;
    for line in printed {
        outln!("{line}")?;
    }
    Ok(())
}

/// The tables a cohort writes in its `--out` folder.
const COHORT_TABLES: [&str; 2] = ["patients.csv", "summary.csv"];

/// Progress bar: updates and width.
const PROGRESS_STEPS: u64 = 50;
const PROGRESS_WIDTH: usize = 30;

/// `scenarios`: the library, one name a line, then its title.
pub fn list_scenarios() -> Result<(), CliError> {
    for (name, _) in scenario::LIBRARY {
        let s = Scenario::load(name)?;
        outln!("{name:<28} {}", s.title)?;
    }
    Ok(())
}
