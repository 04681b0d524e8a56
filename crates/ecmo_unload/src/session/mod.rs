//! The session: the stream between an engine and whoever watches it. A [`Stepper`] advances an
//! engine by the time asked and turns its steps into [`Event`]s (waveform samples, beats, trend
//! points, fired scenario events, the engine's alarms); the only way back is a [`Command`].
//! The dashboard's simulation thread and its inline backend both drive a `Stepper`; so do tests,
//! with no window. [`recording`] is the one waveform schema that `run --csv` and the dashboard's
//! recording write and Replay reads.

pub mod bedside;
pub mod recording;
mod stepper;

pub use bedside::BedsideFrame;
pub use stepper::{Stepper, fitted, forecast_all, run_cohort};

use crate::calibration::{Fit, Measurement};
use crate::circulation::{Connection, N_CONNECTIONS, N_NODES};
use crate::cohort::Outcome;
use crate::drugs::Drug;
use crate::engine::Status;
use crate::forecast::{Forecast, Strategy};
use crate::monitor::Beat;
use crate::scenario::{Fired, Scenario};
use crate::{Engine, Node, Patient};

/// Waveform sample interval (simulated): 250 Hz, like a bedside monitor's display.
pub const SAMPLE_INTERVAL_S: f64 = 0.004;
/// Simulated time the stepper may owe the pacer before the debt is dropped.
pub(crate) const MAX_BACKLOG_S: f64 = 120.0;
/// Trend points are taken at this simulated interval (decimated from the beats).
pub const TREND_INTERVAL_S: f64 = 5.0;
/// Beats averaged for a trend point.
pub(crate) const TREND_BEATS: usize = 5;
/// A jump ahead hands the UI only the waveforms and beats of its last stretch.
pub(crate) const JUMP_KEEP_S: f64 = 10.0;
pub(crate) const JUMP_KEEP_BEATS: usize = 64;
/// Simulated time between two looks at the wall clock during a jump.
pub(crate) const JUMP_STRIDE_S: f64 = 1.0;

/// What the UI asks of the simulation.
#[derive(Clone, Debug)]
pub enum Command {
    /// Change a setting (dotted key, as in presets and `--set`).
    Set {
        key: String,
        value: String,
    },
    /// Start again from t = 0 with this patient.
    Load(Box<Patient>),
    /// Give fluid (negative: remove) over a time.
    Fluid {
        volume_ml: f64,
        duration_s: f64,
    },
    /// A loading dose now.
    Bolus {
        drug: Drug,
        mcg_kg: f64,
    },
    /// Run this much simulated time as fast as possible, then go on at the set speed (a jump
    /// under way is lengthened).
    JumpAhead(f64),
    /// Stop a jump ahead where it has got to.
    CancelJump,
    /// Start a teaching scenario from t = 0.
    LoadScenario(Box<Scenario>),
    /// The instructor fires the scenario's next event now.
    FireNextEvent,
    /// Forecast these strategies from the current state (on a worker; the live run goes on).
    Forecast(Vec<Strategy>),
    /// Fit the current patient to bedside measurements (on a worker).
    Fit(Vec<Measurement>),
    /// A virtual cohort of `n` patients sampled around the current one, every strategy each.
    Cohort {
        n: u64,
        seed: u64,
        strategies: Vec<Strategy>,
    },
    Pause(bool),
    /// Attach a [`BedsideFrame`] to every frame (trainees' monitors watch), or stop.
    ServeBedside(bool),
    /// Simulated seconds per wall second.
    Speed(f64),
    Shutdown,
    /// Make the simulation fail (tests of the failure path only).
    #[doc(hidden)]
    Crash,
}

/// One point of the displayed waveforms, and one row of the dashboard's recording: its
/// serialised names are the [`recording`] schema's columns, written with its decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct WaveSample {
    #[serde(serialize_with = "recording::serialize_time")]
    pub t_s: f64,
    /// Central (arch) pressure, the right radial line and the femoral line.
    #[serde(rename = "p_arch_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub arch_mmhg: f64,
    #[serde(rename = "p_radial_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub radial_mmhg: f64,
    #[serde(rename = "p_femoral_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub femoral_mmhg: f64,
    #[serde(rename = "p_lv_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub lv_mmhg: f64,
    #[serde(rename = "v_lv_ml")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub lv_ml: f64,
    /// RV pressure and volume (the RV loop).
    #[serde(rename = "p_rv_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub rv_mmhg: f64,
    #[serde(rename = "v_rv_ml")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub rv_ml: f64,
    #[serde(rename = "p_pulmonary_arteries_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub pa_mmhg: f64,
    #[serde(rename = "p_ra_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub cvp_mmhg: f64,
    #[serde(rename = "p_la_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub la_mmhg: f64,
    #[serde(rename = "q_aortic_ml_s")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub aortic_flow_ml_s: f64,
    /// ECMO pump flow (drainage plus vent), L/min.
    #[serde(serialize_with = "recording::serialize_value")]
    pub ecmo_flow_l_min: f64,
    /// IABP balloon gas volume and gas-line pressure, and the console's trigger count.
    #[serde(rename = "iabp_balloon_ml")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub balloon_ml: f64,
    #[serde(rename = "iabp_balloon_pressure_mmhg")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub balloon_mmhg: f64,
    /// The balloon's gas as a share of its set volume, %.
    #[serde(rename = "iabp_balloon_fill_pct")]
    #[serde(serialize_with = "recording::serialize_value")]
    pub balloon_fill_pct: f64,
    pub iabp_triggers: u64,
    /// The synthetic ECG.
    #[serde(serialize_with = "recording::serialize_time")]
    pub ecg_mv: f64,
    /// Upper- and lower-body arterial O2 saturation (true, not pulse oximetry), %.
    #[serde(serialize_with = "recording::serialize_value")]
    pub sao2_upper_pct: f64,
    #[serde(serialize_with = "recording::serialize_value")]
    pub sao2_lower_pct: f64,
}

/// The whole circulation at a frame's end: what the schematic draws (volumes, flows,
/// saturations), sent once per frame rather than per sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    pub v_ml: [f64; N_NODES],
    pub p_mmhg: [f64; N_NODES],
    pub q_ml_s: [f64; N_CONNECTIONS],
    /// O2 saturation (0-1) of each compartment.
    pub sat: [f64; N_NODES],
    /// Fraction (0-1) of each compartment's blood that came from the ECMO return cannula.
    pub ecmo_fraction: [f64; N_NODES],
    /// Saturation of the blood leaving the oxygenator.
    pub oxygenator_out_sat: f64,
    /// IABP balloon gas volume.
    pub balloon_ml: f64,
    /// Each heart valve open (the engine's valve state, `circulation::VALVES` order).
    pub valve_open: [bool; 4],
}

impl Picture {
    pub fn of(e: &Engine) -> Self {
        let s = e.snapshot();
        let o = e.oxygen();
        Picture {
            v_ml: s.v_ml,
            p_mmhg: s.p_mmhg,
            q_ml_s: s.q_ml_s,
            sat: std::array::from_fn(|i| o.saturation(Node::ALL[i])),
            ecmo_fraction: std::array::from_fn(|i| o.ecmo_fraction(Node::ALL[i])),
            oxygenator_out_sat: o.ecmo_return_saturation(&s.q_ml_s),
            balloon_ml: e.balloon_ml(),
            valve_open: std::array::from_fn(|j| e.valve_open(Connection::ALL[j])),
        }
    }
}

/// One point of the trends: beat means and slow state every [`TREND_INTERVAL_S`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TrendPoint {
    pub t_s: f64,
    pub hr_bpm: f64,
    pub map_mmhg: f64,
    pub lvedp_mmhg: f64,
    pub pcwp_mmhg: f64,
    pub lung_water_ml_kg: f64,
    pub native_co_l_min: f64,
    pub ecmo_flow_l_min: f64,
    pub total_flow_l_min: f64,
    pub sao2_upper_pct: f64,
    pub sao2_lower_pct: f64,
    pub av_opening_pct: f64,
    /// Right radial arterial gas and blood lactate.
    pub paco2_mmhg: f64,
    pub ph: f64,
    pub lactate_mmol_l: f64,
}

/// What one stretch of simulation produced for the UI.
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub samples: Vec<WaveSample>,
    pub beats: Vec<Beat>,
    pub trend: Vec<TrendPoint>,
    /// Scenario events that fired (by time or condition, or the instructor's hand).
    pub fired: Vec<Fired>,
    /// A jump ahead under way at the frame's end.
    pub jumping: Option<JumpProgress>,
    /// Simulated time at the frame's end (a jump's frames carry few or no samples).
    pub t_s: f64,
    /// The engine's alarms at the frame's end, each with its explanation: the screen shows
    /// what the run's summary reports, whatever frames the UI missed.
    pub alarms: Vec<crate::alarms::Active>,
    /// Since when (simulated time) each of them has been on.
    pub onsets: crate::alarms::Onsets,
    /// Alarms begun and cleared since the last frame, each at its time.
    pub alarm_changes: Vec<crate::alarms::AlarmChange>,
}

/// How far a jump ahead has got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JumpProgress {
    /// Simulated time the jump has run, and the whole jump asked for.
    pub done_s: f64,
    pub total_s: f64,
}

impl JumpProgress {
    /// The share done, 0-1.
    pub fn fraction(&self) -> f64 {
        if self.total_s > 0.0 {
            (self.done_s / self.total_s).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }
}

/// A jump ahead under way: it ends at `end_s` (simulated).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jump {
    pub(crate) end_s: f64,
    pub(crate) total_s: f64,
}

/// What the simulation tells the UI, in order.
#[derive(Clone, Debug)]
pub enum Event {
    /// Waveform samples and the beats completed with them.
    Frame {
        out: Output,
        /// The slow state at the frame's end (drugs, lung water, mixing zone).
        status: Box<Status>,
        /// The circulation at the frame's end (the schematic).
        picture: Box<Picture>,
        /// The patient, when a scenario event changed it in this frame.
        patient: Option<Box<Patient>>,
        /// What trainees' monitors are sent of this frame, while the session is served.
        bedside: Option<Box<BedsideFrame>>,
    },
    /// A copy of the running engine: what a restart after a failure resumes from.
    Checkpoint(Box<Engine>),
    /// A scenario started from t = 0 with this patient.
    ScenarioStarted {
        patient: Box<Patient>,
        scenario: Box<Scenario>,
    },
    /// The simulation failed and stopped; the UI offers a restart from the last checkpoint.
    Failed(String),
    /// What-if results, in the order asked (or why they could not be made).
    Forecasts(Result<Vec<Forecast>, String>),
    /// A virtual cohort's outcomes, patient by patient.
    Cohort(Result<Vec<Outcome>, String>),
    /// A calibration's result.
    Fitted(Box<Result<Fit, String>>),
    /// The patient as it now is, after a setting change.
    Patient(Box<Patient>),
    /// The simulation started again from t = 0 with this patient.
    Restarted(Box<Patient>),
    /// A command could not be applied (bad key or value): the simulation goes on.
    Rejected(String),
}
