//! The one waveform schema. Every waveform file names its columns from it: `run --csv` writes
//! the whole circuit state ([`state_header`], [`StateRow`]); the dashboard's recording writes
//! the monitored channels ([`WaveSample`](super::WaveSample), whose serialised names are the
//! same columns plus the monitor-only ones in [`MONITOR_COLUMNS`]); Replay reads either by
//! name, and older recordings through [`canonical_column`].
//!
//! Columns are a contract with external scripts: add, never rename or drop.

use crate::circulation::{Connection, Node};
use crate::engine::Snapshot;
use serde::ser::{Serialize, SerializeTuple, Serializer};

/// Decimals written for a time (s) and the ECG (mV).
const TIME_DECIMALS: usize = 4;
/// Decimals written for pressures, volumes and flows.
const VALUE_DECIMALS: usize = 3;

/// The column of a compartment's pressure.
pub fn pressure_column(n: Node) -> String {
    format!("p_{}_mmhg", n.key())
}

/// The column of a compartment's volume.
pub fn volume_column(n: Node) -> String {
    format!("v_{}_ml", n.key())
}

/// The column of a connection's flow.
pub fn flow_column(c: Connection) -> String {
    format!("q_{}_ml_s", c.key())
}

/// The columns after the circuit's state: r_wave (1 on the sample holding an R wave), ecg_mv,
/// the arterial lines (right radial, femoral), and the balloon's gas volume and console pressure.
pub const SIGNAL_COLUMNS: [&str; 6] = [
    "r_wave",
    "ecg_mv",
    "p_radial_mmhg",
    "p_femoral_mmhg",
    "iabp_balloon_ml",
    "iabp_balloon_pressure_mmhg",
];

/// Columns only the monitor's channels have (derived from several connections or a mixing
/// state): ECMO pump flow (drainage plus vent), the balloon's fill as a share of its set volume,
/// the console's trigger count, and the true (not pulse-oximetry) upper- and lower-body arterial
/// O2 saturations.
pub const MONITOR_COLUMNS: [&str; 5] = [
    "ecmo_flow_l_min",
    "iabp_balloon_fill_pct",
    "iabp_triggers",
    "sao2_upper_pct",
    "sao2_lower_pct",
];

/// `run --csv`'s columns: t_s, p_<node>_mmhg..., v_<node>_ml..., q_<connection>_ml_s..., then
/// [`SIGNAL_COLUMNS`].
pub fn state_header() -> Vec<String> {
    let mut h = vec!["t_s".to_string()];
    h.extend(Node::ALL.iter().map(|&n| pressure_column(n)));
    h.extend(Node::ALL.iter().map(|&n| volume_column(n)));
    h.extend(Connection::ALL.iter().map(|&c| flow_column(c)));
    h.extend(SIGNAL_COLUMNS.map(String::from));
    h
}

/// Names recordings used before this schema, and the columns they are now.
const LEGACY_COLUMNS: [(&str, &str); 13] = [
    ("arch_mmhg", "p_arch_mmhg"),
    ("femoral_mmhg", "p_femoral_mmhg"),
    ("radial_mmhg", "p_radial_mmhg"),
    ("lv_mmhg", "p_lv_mmhg"),
    ("lv_ml", "v_lv_ml"),
    ("pa_mmhg", "p_pulmonary_arteries_mmhg"),
    ("cvp_mmhg", "p_ra_mmhg"),
    ("la_mmhg", "p_la_mmhg"),
    ("aortic_flow_ml_s", "q_aortic_ml_s"),
    ("balloon_ml", "iabp_balloon_ml"),
    ("balloon_pressure_mmhg", "iabp_balloon_pressure_mmhg"),
    ("spo2_upper_pct", "sao2_upper_pct"),
    ("spo2_lower_pct", "sao2_lower_pct"),
];

/// The schema's name for a column as a file spells it (older recordings used other names).
pub fn canonical_column(name: &str) -> &str {
    LEGACY_COLUMNS
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name, |(_, new)| new)
}

/// A number written with a fixed count of decimals (the files stay diffable and compact).
struct Fixed(f64, usize);

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:.*}", self.1, self.0))
    }
}

/// A time (s) with the schema's decimals, for serde's `serialize_with`.
pub fn serialize_time<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    Fixed(*x, TIME_DECIMALS).serialize(s)
}

/// A pressure, volume, flow or percentage with the schema's decimals (`serialize_with`).
pub fn serialize_value<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    Fixed(*x, VALUE_DECIMALS).serialize(s)
}

/// One row of [`state_header`]'s columns: the engine's state at a step, and whether an R wave
/// fell since the last row. Serialise it into a `csv::Writer` without automatic headers.
pub struct StateRow<'a> {
    pub snapshot: &'a Snapshot,
    pub r_wave: bool,
}

impl Serialize for StateRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snap = self.snapshot;
        let value = |x: f64| Fixed(x, VALUE_DECIMALS);
        let arrays = snap.p_mmhg.len() + snap.v_ml.len() + snap.q_ml_s.len();
        let mut t = s.serialize_tuple(1 + arrays + SIGNAL_COLUMNS.len())?;
        t.serialize_element(&Fixed(snap.t_s, TIME_DECIMALS))?;
        for x in snap.p_mmhg.iter().chain(&snap.v_ml).chain(&snap.q_ml_s) {
            t.serialize_element(&value(*x))?;
        }
        t.serialize_element(&u8::from(self.r_wave))?;
        t.serialize_element(&Fixed(snap.ecg_mv, TIME_DECIMALS))?;
        t.serialize_element(&value(snap.p_radial_mmhg))?;
        t.serialize_element(&value(snap.p_femoral_mmhg))?;
        t.serialize_element(&value(snap.iabp_balloon_ml))?;
        t.serialize_element(&value(snap.iabp_balloon_pressure_mmhg))?;
        t.end()
    }
}
