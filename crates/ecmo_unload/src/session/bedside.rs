//! The bedside feed: what a trainee's monitor shows of a running session, and nothing more.
//!
//! In a simulation lab the instructor's screen holds the case (its title, objectives, settings,
//! the scenario's hidden events) and the trainee's bedside monitor shows only what a monitor
//! and the device consoles at the bedside would: waveforms, numbers, alarms and console
//! readings. A [`BedsideFrame`] is that subset, built from the session on the instructor's
//! side, so what the trainee must not see never leaves the instructor's machine.

use serde::{Deserialize, Serialize};

use super::{Output, WaveSample};
use crate::Engine;
use crate::alarms::{Active, Priority};
use crate::patient::Choice;

/// One waveform sample of the bedside monitor (simulated time, s; pressures mmHg; ECG mV).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BedsideSample {
    pub t_s: f64,
    pub ecg_mv: f64,
    /// The right radial arterial line (the arterial trace and the upper-body pleth).
    pub art_mmhg: f64,
    /// The femoral arterial line (the lower-body pleth).
    pub femoral_mmhg: f64,
    /// LV pressure (an LV catheter or the Impella's estimate).
    pub lv_mmhg: f64,
    pub pa_mmhg: f64,
    pub cvp_mmhg: f64,
    /// ECMO pump flow, L/min (the console's flow probe).
    pub ecmo_flow_l_min: f64,
    /// IABP gas-line pressure, mmHg (the console's balloon waveform).
    pub balloon_mmhg: f64,
}

impl From<&WaveSample> for BedsideSample {
    fn from(s: &WaveSample) -> Self {
        Self {
            t_s: s.t_s,
            ecg_mv: s.ecg_mv,
            art_mmhg: s.radial_mmhg,
            femoral_mmhg: s.femoral_mmhg,
            lv_mmhg: s.lv_mmhg,
            pa_mmhg: s.pa_mmhg,
            cvp_mmhg: s.cvp_mmhg,
            ecmo_flow_l_min: s.ecmo_flow_l_min,
            balloon_mmhg: s.balloon_mmhg,
        }
    }
}

impl BedsideSample {
    /// As sent to a monitor: values to the hundredth, and LV pressure only where a bedside has
    /// it (an Impella's controller; `lv` false: 0).
    fn for_bedside(s: &WaveSample, lv: bool) -> Self {
        let b = Self::from(s);
        Self {
            t_s: b.t_s,
            ecg_mv: hundredth(b.ecg_mv),
            art_mmhg: hundredth(b.art_mmhg),
            femoral_mmhg: hundredth(b.femoral_mmhg),
            lv_mmhg: if lv { hundredth(b.lv_mmhg) } else { 0.0 },
            pa_mmhg: hundredth(b.pa_mmhg),
            cvp_mmhg: hundredth(b.cvp_mmhg),
            ecmo_flow_l_min: hundredth(b.ecmo_flow_l_min),
            balloon_mmhg: hundredth(b.balloon_mmhg),
        }
    }
}

/// An alarm as a monitor shows it: its priority, title, reading and onset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BedsideAlarm {
    /// The alarm's key (`hypotension`, `high_pcwp`, ... as in `run --json`'s `alarms`).
    pub id: String,
    pub priority: Priority,
    pub title: String,
    pub reading: String,
    /// Simulated time the alarm began, s.
    pub since_s: f64,
}

/// The device consoles at the bedside, as their screens read (none: the device is off).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Consoles {
    pub ecmo: Option<EcmoConsole>,
    pub impella: Option<ImpellaConsole>,
    pub iabp: Option<IabpConsole>,
}

/// The ECMO console and its gas blender.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcmoConsole {
    pub rpm: f64,
    pub flow_l_min: f64,
    pub sweep_l_min: f64,
    /// FdO2 of the sweep gas, 0.21-1.
    pub fdo2: f64,
    /// Drainage (inlet) pressure, mmHg.
    pub inlet_mmhg: f64,
}

/// The Impella controller.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImpellaConsole {
    pub model: String,
    pub p_level: f64,
    pub flow_l_min: f64,
}

/// The IABP console's mode line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IabpConsole {
    /// Assist ratio, 1 to 3 (1:1, 1:2, 1:3).
    pub ratio: u8,
    pub trigger: String,
    /// Set balloon volume, mL.
    pub volume_ml: f64,
}

/// What a trainee's monitor receives for a stretch of the session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BedsideFrame {
    /// Simulated time at the frame's end, s.
    pub t_s: f64,
    pub samples: Vec<BedsideSample>,
    /// The run summary's numbers (the keys of `run --json`, without a scenario's events); none
    /// before the first beats.
    pub numbers: Option<serde_json::Map<String, serde_json::Value>>,
    /// The alarms active at the frame's end, most urgent first.
    pub alarms: Vec<BedsideAlarm>,
    pub consoles: Consoles,
}

impl BedsideFrame {
    /// The bedside view of `engine` after it produced `out`; `onsets` says since when each
    /// alarm has been on.
    pub fn of(engine: &Engine, out: &Output, onsets: &crate::alarms::Onsets) -> Self {
        let p = engine.patient();
        let numbers = engine
            .summary()
            .and_then(|s| match serde_json::to_value(s) {
                Ok(serde_json::Value::Object(map)) => Some(bedside_numbers(map)),
                _ => None,
            });
        let number = |key: &str| {
            numbers
                .as_ref()
                .and_then(|m| m.get(key))
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(f64::NAN)
        };
        let consoles = Consoles {
            ecmo: p.ecmo.enabled.then(|| EcmoConsole {
                rpm: number("ecmo_rpm"),
                flow_l_min: number("ecmo_flow_l_min"),
                sweep_l_min: p.ecmo.sweep_l_min,
                fdo2: p.ecmo.fdo2,
                inlet_mmhg: number("ecmo_inlet_mmhg"),
            }),
            impella: p.impella.enabled.then(|| ImpellaConsole {
                model: p.impella.model.label().to_string(),
                p_level: p.impella.p_level,
                flow_l_min: number("impella_flow_l_min"),
            }),
            iabp: p.iabp.enabled.then(|| IabpConsole {
                ratio: p.iabp.ratio,
                trigger: p.iabp.trigger.label().to_string(),
                volume_ml: p.iabp.volume_ml,
            }),
        };
        Self {
            t_s: out.t_s,
            samples: out
                .samples
                .iter()
                .map(|s| BedsideSample::for_bedside(s, p.impella.enabled))
                .collect(),
            numbers,
            alarms: bedside_alarms(&out.alarms, onsets, out.t_s),
            consoles,
        }
    }

    /// Add a later frame of the same session: its samples after ours, its state instead of ours
    /// (frames are batched before they are sent).
    pub fn append(&mut self, later: BedsideFrame) {
        let BedsideFrame {
            t_s,
            mut samples,
            numbers,
            alarms,
            consoles,
        } = later;
        self.t_s = t_s;
        self.samples.append(&mut samples);
        if numbers.is_some() {
            self.numbers = numbers;
        }
        self.alarms = alarms;
        self.consoles = consoles;
    }

    /// A number of the summary (`map_mmhg`, ...), if there is one and it is a number.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.numbers.as_ref()?.get(key)?.as_f64()
    }
}

/// The run summary's keys a bedside measures: the monitor (ECG, arterial lines, pulse
/// oximeters), a PA catheter (PA, wedge, SvO2), transpulmonary thermodilution (EVLWI), the device
/// consoles and the alarms a bedside raises itself. The rest (volumes, EF,
/// work, MVO2, drug effects, lung water's reason, the model's inner states, blood gases drawn on
/// request) is a model's or a laboratory's, and would tell the trainee the cause: a monitor
/// is sent `null` for it, under the same key.
pub const BEDSIDE_KEYS: &[&str] = &[
    "t_s",
    "hr_bpm",
    "sbp_mmhg",
    "dbp_mmhg",
    "map_mmhg",
    "pulse_pressure_mmhg",
    "map_lower_mmhg",
    "sbp_lower_mmhg",
    "dbp_lower_mmhg",
    "cvp_mmhg",
    "pap_sys_mmhg",
    "pap_dia_mmhg",
    "pap_mean_mmhg",
    "pcwp_mmhg",
    "spo2_upper_pct",
    "spo2_lower_pct",
    "svo2_pct",
    "rr_sd_ms",
    "ecmo_flow_l_min",
    "ecmo_rpm",
    "ecmo_inlet_mmhg",
    "ecmo_chatter",
    "vent_flow_l_min",
    "impella_flow_l_min",
    "impella_suction",
    "iabp_peak_diastolic_mmhg",
    "iabp_aedp_mmhg",
    "iabp_uaedp_mmhg",
    "iabp_assisted_systolic_mmhg",
    "iabp_unassisted_systolic_mmhg",
    "lung_water_ml_kg",
    "alarms",
    "beats",
];

/// The summary as a bedside sees it: every key, `null` where a bedside does not measure it.
fn bedside_numbers(
    mut map: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    for (k, v) in map.iter_mut() {
        if !BEDSIDE_KEYS.contains(&k.as_str()) {
            *v = serde_json::Value::Null;
        }
    }
    // The alarms a bedside raises itself (`Alarm::at_bedside`).
    if let Some(serde_json::Value::Array(alarms)) = map.get_mut("alarms") {
        alarms.retain(|a| {
            crate::alarms::Alarm::ALL
                .iter()
                .any(|x| x.at_bedside() && a.as_str() == Some(x.key()))
        });
    }
    map
}

/// A waveform value to the hundredth: what a monitor draws, a quarter of the bytes on the wire.
fn hundredth(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The session's alarms as a monitor lists them.
pub fn bedside_alarms(
    alarms: &[Active],
    onsets: &crate::alarms::Onsets,
    t_s: f64,
) -> Vec<BedsideAlarm> {
    alarms
        .iter()
        .filter(|x| x.alarm.at_bedside())
        .map(|x| BedsideAlarm {
            id: x.alarm.key().to_string(),
            priority: x.priority,
            title: x.alarm.title().to_string(),
            reading: x.reading.clone(),
            since_s: onsets.since(x.alarm).unwrap_or(t_s),
        })
        .collect()
}
