//! The headless command line: the same engine for scripts, tests, benchmarks and batch work.
//! Subcommands, flags and JSON keys are a contract with external scripts: add, never rename.

use clap::{Parser, Subcommand};
use ecmo_unload::calibration::{self, Measurement};
use ecmo_unload::drugs::Drug;
use ecmo_unload::fluids;
use ecmo_unload::forecast::{self, Strategy};
use ecmo_unload::scenario::{self, Scenario};
use ecmo_unload::session::recording::{StateRow, state_header};
use ecmo_unload::units::{Short, ms_from_s};
use ecmo_unload::{Engine, Patient, presets, settings};
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
fn stdout_error(e: std::io::Error) -> anyhow::Error {
    io_error("standard output", e)
}

/// Write `text` to standard output and flush it, checked.
pub fn emit(text: &str) -> anyhow::Result<()> {
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
    #[cfg(feature = "gui")]
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// How to open the dashboard (top level, or `gui`).
#[cfg(feature = "gui")]
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
    /// Open a recording (a folder written by Record, or a `run --csv` file) in the Replay tab.
    #[arg(long, value_name = "PATH")]
    pub replay: Option<std::path::PathBuf>,
    /// Window size in points, WIDTHxHEIGHT.
    #[arg(long, default_value = "1600x1000", value_parser = parse_window)]
    pub window: [f32; 2],
    /// The view to open on.
    #[arg(long, value_enum, default_value_t = ecmo_unload_ui::Tab::Monitor)]
    pub tab: ecmo_unload_ui::Tab,
    /// Serve this session to trainees' bedside monitors (`monitor`) on HOST:PORT, e.g.
    /// 127.0.0.1:7411 (this machine) or 0.0.0.0:7411 (the lab network). Off unless given.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// The session code trainees give (default with --listen: six new digits, shown).
    #[arg(long, requires = "listen")]
    pub code: Option<String>,
    /// The neutral name the trainees' monitors show.
    #[arg(long, requires = "listen", default_value = DEFAULT_BED)]
    pub bed: String,
}

/// `cohort`'s own subcommand.
#[derive(Subcommand, Debug)]
pub enum CohortCommand {
    /// Join shards (the folders their runs wrote) into the whole cohort's patients.csv,
    /// summary.csv and cohort.json: the same bytes as the unsharded run.
    Merge {
        /// Folders holding the shards' files.
        #[arg(required = true)]
        dirs: Vec<std::path::PathBuf>,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Also write the patients table as Parquet (a build with the `parquet` feature).
        #[arg(long)]
        parquet: bool,
    },
}

/// The longest cohort horizon (`--horizon-h`): two days.
pub const MAX_HORIZON_H: u64 = 48;

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
    /// A virtual cohort: N sampled shock patients, every strategy, endpoints to CSV, streamed
    /// as patients finish; run again to resume. `cohort merge` joins shards.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Cohort {
        #[arg(long, default_value = "cardiogenic-shock")]
        preset: String,
        /// Settings every patient shares (e.g. ecmo.enabled=true), as with `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Number of patients (1 to 1 000 000 000).
        #[arg(long, required = true, value_parser = clap::value_parser!(u64).range(1..=MAX_COHORT_N))]
        n: Option<u64>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A strategy, as for `compare`: 'NAME:KEY=VALUE,KEY=VALUE'.
        #[arg(long = "strategy", value_name = "NAME:K=V,...", required = true)]
        strategies: Vec<String>,
        /// Folder for patients.csv, summary.csv and cohort.json (created; shard I of N writes
        /// patients.shard-I-of-N.csv ...).
        #[arg(long, required = true)]
        out: Option<std::path::PathBuf>,
        /// Run only shard I of N (numbered from 0): patients [I n / N, (I + 1) n / N) of the
        /// n. Without it, the index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// The shard count, for an index from the batch environment (Slurm: instead of
        /// SLURM_ARRAY_TASK_COUNT, which must agree when both are set).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_COHORT_N))]
        shards: Option<u64>,
        /// Whole hours each strategy is projected (endpoints `at_horizon_*`; the 6-h columns
        /// need 6 or more; 0: settled states only, about twenty times faster).
        #[arg(long = "horizon-h", default_value_t = 6, value_parser = clap::value_parser!(u64).range(0..=MAX_HORIZON_H))]
        horizon_h: u64,
        /// Also write the patients table as Parquet (patients.parquet; a build with the
        /// `parquet` feature).
        #[arg(long)]
        parquet: bool,
        #[command(subcommand)]
        merge: Option<CohortCommand>,
    },
    /// Sim lab, instructor: run a session headless and serve its bedside monitor to trainees
    /// (`monitor`). Commands on standard input: set KEY=VALUE, fluid, bolus, fire, pause,
    /// resume, speed, who, quit.
    Serve {
        /// Built-in preset name or path to a RON preset file.
        #[arg(long, default_value = "cardiogenic-shock")]
        preset: String,
        /// Override a parameter, as with `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Play a teaching scenario (built-in name or RON file); hidden events stay hidden.
        #[arg(long, value_name = "NAME|PATH", conflicts_with = "preset")]
        scenario: Option<String>,
        /// Simulated seconds per wall second (0.1 to 60).
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
        speed: f64,
        /// Address to listen on: loopback by default; 0.0.0.0:7411 opens it to the lab network.
        #[arg(long, value_name = "HOST:PORT", default_value = ecmo_unload_lab::DEFAULT_LISTEN)]
        listen: String,
        /// The session code trainees give (default: six new digits, printed).
        #[arg(long)]
        code: Option<String>,
        /// The neutral name the trainees' monitors show.
        #[arg(long, default_value = DEFAULT_BED)]
        bed: String,
        /// Stop after this many simulated seconds (default: run until `quit`).
        #[arg(long, allow_negative_numbers = true)]
        seconds: Option<f64>,
    },
    /// Sim lab, trainee: the bedside monitor of a session served by `serve` or the dashboard.
    Monitor {
        /// The instructor's address, HOST:PORT.
        #[arg(long, value_name = "HOST:PORT")]
        connect: String,
        /// The session code the instructor gives.
        #[arg(long)]
        code: String,
        /// Your name, shown on the instructor's screen.
        #[arg(long, default_value = "")]
        name: String,
        /// Print the last numbers received (the keys of `run --json`) after --after-s seconds
        /// of listening, and exit (no window).
        #[arg(long)]
        print_json: bool,
        /// Seconds (wall clock) to listen before --print-json prints.
        #[arg(
            long,
            value_name = "S",
            default_value_t = 5.0,
            allow_negative_numbers = true
        )]
        after_s: f64,
        /// Save a PNG of the monitor after --after-s seconds, then quit.
        #[cfg(feature = "gui")]
        #[arg(long, value_name = "PATH")]
        screenshot: Option<std::path::PathBuf>,
        /// Window size in points, WIDTHxHEIGHT.
        #[cfg(feature = "gui")]
        #[arg(long, default_value = "1600x1000", value_parser = parse_window)]
        window: [f32; 2],
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
        /// Only the What-if timing (every strategy settled and projected, against a plain run).
        #[arg(long)]
        what_if_only: bool,
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
#[cfg(feature = "gui")]
fn parse_window(text: &str) -> Result<[f32; 2], String> {
    let bad = || "expected WIDTHxHEIGHT, e.g. 1280x800".to_string();
    let (w, h) = text.split_once('x').ok_or_else(bad)?;
    let (w, h): (f32, f32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    let [w_min, h_min] = WINDOW_MIN_POINTS;
    if (w_min..=WINDOW_MAX_POINTS).contains(&w) && (h_min..=WINDOW_MAX_POINTS).contains(&h) {
        Ok([w, h])
    } else {
        Err(format!(
            "expected a window from {w_min}x{h_min} to {WINDOW_MAX_POINTS}x{WINDOW_MAX_POINTS} points"
        ))
    }
}

/// The smallest window the dashboard lays out, and the largest side (points).
#[cfg(feature = "gui")]
const WINDOW_MIN_POINTS: [f32; 2] = [320.0, 240.0];
#[cfg(feature = "gui")]
const WINDOW_MAX_POINTS: f32 = 8000.0;

// Errors that end a command are `anyhow::Error`s (the model's own, or these two kinds): main
// prints one line on stderr and exits 2.

/// A command used wrongly: the message says what was expected.
pub fn usage(message: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{message}")
}

/// A file (or standard output) that could not be read or written.
pub fn io_error(path: impl std::fmt::Display, message: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{path}: {message}")
}

/// Load a preset and apply `--set` overrides.
pub fn patient_with_overrides(preset: &str, sets: &[String]) -> anyhow::Result<Patient> {
    Ok(settings::apply_all(&presets::load(preset)?, sets)?)
}

mod bench;
mod cohort;
mod compare;
mod fit;
mod lab;
mod lists;
#[cfg(feature = "parquet")]
mod parquet_table;
mod run;

pub use bench::*;
pub use cohort::*;
pub use compare::*;
pub use fit::*;
pub use lab::*;
pub use lists::*;
pub use run::*;
