//! What-if forecasts: fast-forward a copy of the running patient under a candidate strategy
//! (a set of setting changes) to its new hemodynamic steady state, then project it hours ahead
//! with the slow processes and the circulation together ([`project`]: multi-rate, docs/MODEL.md
//! 7n). A copy, so the live simulation is never touched; deterministic, so a forecast is the
//! same every time.
//!
//! Steady state: the means of consecutive windows of `WINDOW_BEATS` beats agree within
//! tolerance (`MAP`, LVEDP, PCWP, native and total flow) `STEADY_WINDOWS` times in a row, after
//! at least `MIN_SETTLE_S` (the baroreflex's slow effectors need it) and at most `MAX_SETTLE_S`.
//! Without beats (VF, asystole) the monitor's 1-s windows serve as beats.

use crate::engine::{Engine, Summary};
use crate::error::Error;
use crate::monitor::{Beat, BeatMeans};
use crate::settings;
use serde::Serialize;

/// Beats per comparison window.
pub const WINDOW_BEATS: usize = 10;
/// Consecutive agreeing windows that make a steady state.
pub const STEADY_WINDOWS: usize = 3;
/// Pressures agree within this (mmHg)...
pub const TOLERANCE_MMHG: f64 = 0.3;
/// ...and flows within this (L/min).
pub const TOLERANCE_L_MIN: f64 = 0.03;
/// ...and each drug's effect (occupancy, 0-1) moves at most this much between two windows: a
/// drug still loading (dobutamine's effect site takes about 10 min) is not yet its effect.
pub const DRUG_EFFECT_TOLERANCE: f64 = 0.001;
/// Shortest and longest settling run (simulated seconds): long enough for a drug with a
/// half-life of minutes to load.
pub const MIN_SETTLE_S: f64 = 30.0;
pub const MAX_SETTLE_S: f64 = 900.0;
/// Forecasts project this many hours ahead, with a point at each hour.
pub const LUNG_PROJECTION_H: usize = 6;
const S_PER_H: f64 = 3600.0;

/// Multi-rate projection (docs/MODEL.md 7n): the circulation runs at its own step while the slow
/// processes (lung water, lactate, drug kinetics, tissue CO2 stores, a running fluid order)
/// advance `boost` times faster, the boost chosen after every [`CONTROL_BEATS`] beats so that
/// the slow states move at most [`LAG_TOLERANCE`] of their scale in the time the circulation
/// takes to follow them ([`FAST_RELAXATION_S`]).
///
/// How long the circulation takes to follow a slow state (s): its pressures and flows within
/// the baroreflex's venous effectors (time constant 20 s after a 5-s delay, Ursino 1998)...
pub const FAST_RELAXATION_S: f64 = 30.0;
/// ...and the arterial gases within the blood's recirculation, at a shock's output two minutes
/// (5 L of blood at 2.5 L/min).
pub const GAS_RELAXATION_S: f64 = 120.0;
/// Share of its scale a slow state may move while the circulation follows it.
pub const LAG_TOLERANCE: f64 = 0.025;
/// Largest boost (slow seconds per circulation second).
pub const MAX_BOOST: f64 = 120.0;
/// The boost at most doubles from one control window to the next (a slow state that starts to
/// move is caught within a window).
pub const BOOST_GROWTH: f64 = 2.0;
/// Beats of a control window (or the monitor's 1-s windows without beats).
pub const CONTROL_BEATS: usize = 5;
/// Longest control window of circulation time (s): the boost is revised at least this often.
pub const MAX_CONTROL_S: f64 = 10.0;
/// The scales below which a slow state's change is measured against these floors instead
/// (a state near zero moving a little is not moving fast): lung water (mL/kg), lactate
/// (mmol/L), tissue PCO2 (mmHg), blood volume (mL); drug effects (0-1) are on their own scale.
pub const FLOOR_LUNG_WATER_ML_KG: f64 = 1.0;
pub const FLOOR_LACTATE_MMOL_L: f64 = 1.0;
pub const FLOOR_TISSUE_PCO2_MMHG: f64 = 10.0;
pub const FLOOR_BLOOD_VOLUME_ML: f64 = 1000.0;
/// ...and the arch's saturation (0-1) and PCO2 (the tissue PCO2's floor).
pub const FLOOR_SATURATION: f64 = 0.5;

/// A named set of setting changes (`name:K=V,K=V`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Strategy {
    pub name: String,
    pub sets: Vec<String>,
}

impl Strategy {
    /// Parse `name:K=V,K=V` (no changes after the colon: the current settings). The name may
    /// hold colons itself ("IABP 1:2"): the changes start after the last colon before the first
    /// `=` (keys have no colons).
    pub fn parse(text: &str) -> Result<Strategy, Error> {
        let first_eq = text.find('=').unwrap_or(text.len());
        let split = text[..first_eq].rfind(':');
        let (name, rest) =
            split
                .map(|i| (&text[..i], &text[i + 1..]))
                .ok_or_else(|| Error::Invalid {
                    key: "strategy".into(),
                    value: text.into(),
                    reason:
                        "expected NAME:KEY=VALUE,KEY=VALUE (e.g. 'impella:impella.enabled=true')"
                            .into(),
                })?;
        let name = name.trim();
        if name.chars().any(char::is_control) {
            return Err(Error::Invalid {
                key: "strategy".into(),
                value: text.into(),
                reason: "the name holds a line break or another control character".into(),
            });
        }
        if name.is_empty() {
            return Err(Error::Invalid {
                key: "strategy".into(),
                value: text.into(),
                reason: "the strategy needs a name before the colon".into(),
            });
        }
        let sets: Vec<String> = rest
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        for s in &sets {
            settings::parse_assignment(s)?;
        }
        Ok(Strategy {
            name: name.to_string(),
            sets,
        })
    }
}

/// One forecast: the steady state the strategy leads to, how long it took, and where it goes
/// over the next hours.
#[derive(Clone, Debug, Serialize)]
pub struct Forecast {
    pub strategy: String,
    /// Simulated seconds from the change to the steady state (or to `MAX_SETTLE_S`).
    pub settle_s: f64,
    /// Was a steady state reached within `MAX_SETTLE_S`?
    pub steady: bool,
    /// Lung water (EVLWI, mL/kg) at the steady state and at each hour after the change.
    pub lung_water_projection_ml_kg: Vec<f64>,
    /// Blood lactate (mmol/L) and right radial pH at the steady state and at each hour.
    pub lactate_projection_mmol_l: Vec<f64>,
    pub ph_projection: Vec<f64>,
    /// Everything projected, at the steady state (hour 0) and at each hour after the change.
    pub hourly: Vec<HourPoint>,
    /// Circulation seconds the projection simulated for its hours (the multi-rate saving).
    pub projection_circulation_s: f64,
    #[serde(flatten)]
    pub summary: Summary,
    /// The settled state's LV pressure-volume loop, (mL, mmHg) points: only when asked
    /// ([`Options::keep_loop`]; the What-if tab draws it), else empty.
    #[serde(skip)]
    pub pv_loop: Vec<[f64; 2]>,
}

/// What a projection reads at an hour: the means of [`crate::monitor::SUMMARY_BEATS`] beats
/// run at the circulation's own pace from that hour on, and the slow states there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HourPoint {
    /// Hours after the change (0: the steady state, `settle_s` after it).
    pub hour: f64,
    pub map_mmhg: f64,
    pub lvedp_mmhg: f64,
    pub pcwp_mmhg: f64,
    pub cvp_mmhg: f64,
    pub native_co_l_min: f64,
    pub total_flow_l_min: f64,
    pub av_opening_pct: f64,
    pub mvo2_ml_min: f64,
    pub sao2_upper_pct: f64,
    pub blood_volume_ml: f64,
    pub lung_water_ml_kg: f64,
    pub lactate_mmol_l: f64,
    pub ph: f64,
    pub paco2_mmhg: f64,
}

impl HourPoint {
    /// The point of a summary read `hour` hours after the change.
    pub fn of(s: &Summary, hour: f64) -> Self {
        let b = &s.beat;
        HourPoint {
            hour,
            map_mmhg: b.map_mmhg,
            lvedp_mmhg: b.lvedp_mmhg,
            pcwp_mmhg: b.pcwp_mmhg,
            cvp_mmhg: b.cvp_mmhg,
            native_co_l_min: b.native_co_l_min,
            total_flow_l_min: b.total_flow_l_min,
            av_opening_pct: s.av_opening_pct,
            mvo2_ml_min: b.mvo2_ml_min,
            sao2_upper_pct: b.sao2_upper_pct,
            blood_volume_ml: s.blood_volume_ml,
            lung_water_ml_kg: s.lung_water_ml_kg,
            lactate_mmol_l: s.gases.lactate_mmol_l,
            ph: s.gases.ph,
            paco2_mmhg: s.gases.paco2_mmhg,
        }
    }

    /// The names of [`HourPoint::values`], in order.
    pub const NAMES: [&'static str; 14] = [
        "map_mmhg",
        "lvedp_mmhg",
        "pcwp_mmhg",
        "cvp_mmhg",
        "native_co_l_min",
        "total_flow_l_min",
        "av_opening_pct",
        "mvo2_ml_min",
        "sao2_upper_pct",
        "blood_volume_ml",
        "lung_water_ml_kg",
        "lactate_mmol_l",
        "ph",
        "paco2_mmhg",
    ];

    /// The projected values with their names (the agreement tests check each).
    pub fn values(&self) -> [(&'static str, f64); 14] {
        let v = [
            self.map_mmhg,
            self.lvedp_mmhg,
            self.pcwp_mmhg,
            self.cvp_mmhg,
            self.native_co_l_min,
            self.total_flow_l_min,
            self.av_opening_pct,
            self.mvo2_ml_min,
            self.sao2_upper_pct,
            self.blood_volume_ml,
            self.lung_water_ml_kg,
            self.lactate_mmol_l,
            self.ph,
            self.paco2_mmhg,
        ];
        std::array::from_fn(|i| (Self::NAMES[i], v[i]))
    }
}

/// How a forecast runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Hours projected (the 6-h columns need at least [`LUNG_PROJECTION_H`]).
    pub hours: usize,
    /// Record the settled state's PV loop ([`Forecast::pv_loop`]).
    pub keep_loop: bool,
    /// Largest boost of the slow processes ([`MAX_BOOST`]; 1: every hour simulated step by
    /// step).
    pub max_boost: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            hours: LUNG_PROJECTION_H,
            keep_loop: false,
            max_boost: MAX_BOOST,
        }
    }
}

/// What a steady state is judged on: the window's means, and the drugs' effects at its end.
fn window_means(beats: &[Beat], e: &Engine) -> [f64; 9] {
    use crate::drugs::Drug;
    let m = BeatMeans::of(beats.iter()).mean;
    let drugs = e.pharmacology();
    [
        m.map_mmhg,
        m.lvedp_mmhg,
        m.pcwp_mmhg,
        m.native_co_l_min,
        m.total_flow_l_min,
        drugs.effect(Drug::Dobutamine),
        drugs.effect(Drug::Milrinone),
        drugs.effect(Drug::Epinephrine),
        drugs.effect(Drug::Norepinephrine),
    ]
}

fn agree(a: &[f64; 9], b: &[f64; 9]) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() <= TOLERANCE_MMHG)
        && (3..5).all(|i| (a[i] - b[i]).abs() <= TOLERANCE_L_MIN)
        && (5..9).all(|i| (a[i] - b[i]).abs() <= DRUG_EFFECT_TOLERANCE)
}

/// Run `e` until its hemodynamics and drug effects are steady (or `MAX_SETTLE_S`). Returns
/// (seconds run, steady).
pub fn settle(e: &mut Engine) -> (f64, bool) {
    let start = e.t_s();
    let mut window: Vec<Beat> = Vec::with_capacity(WINDOW_BEATS);
    let mut last: Option<[f64; 9]> = None;
    let mut agreeing = 0;
    while e.t_s() - start < MAX_SETTLE_S {
        let Some(beat) = e.step() else { continue };
        window.push(beat);
        if window.len() < WINDOW_BEATS {
            continue;
        }
        let now = window_means(&window, e);
        window.clear();
        agreeing = match last {
            Some(prev) if agree(&prev, &now) => agreeing + 1,
            _ => 0,
        };
        last = Some(now);
        if agreeing >= STEADY_WINDOWS && e.t_s() - start >= MIN_SETTLE_S {
            return (e.t_s() - start, true);
        }
    }
    (e.t_s() - start, false)
}

/// What the step control watches: the slow states, and the arterial gases that follow them
/// through the blood's slower recirculation.
const N_SLOW: usize = 11;
fn slow_states(e: &Engine) -> [f64; N_SLOW] {
    use crate::drugs::Drug;
    let tissue = e.oxygen().co2_stores().tissue_mmhg;
    let drugs = e.pharmacology();
    [
        e.lungs().water_ml_kg(),
        e.lactate().mmol_l,
        tissue[0],
        tissue[1],
        e.blood_volume_ml(),
        drugs.effect(Drug::Dobutamine),
        drugs.effect(Drug::Milrinone),
        drugs.effect(Drug::Epinephrine),
        drugs.effect(Drug::Norepinephrine),
        e.oxygen().saturation(crate::Node::Arch),
        e.oxygen().pco2_mmhg(crate::Node::Arch),
    ]
}
/// Their scale floors, in [`slow_states`] order (drug effects, 0-1, on their own scale).
const SLOW_FLOORS: [f64; N_SLOW] = [
    FLOOR_LUNG_WATER_ML_KG,
    FLOOR_LACTATE_MMOL_L,
    FLOOR_TISSUE_PCO2_MMHG,
    FLOOR_TISSUE_PCO2_MMHG,
    FLOOR_BLOOD_VOLUME_ML,
    1.0,
    1.0,
    1.0,
    1.0,
    FLOOR_SATURATION,
    FLOOR_TISSUE_PCO2_MMHG,
];

/// What the body's CO2 ledgers hold: made, breathed out, taken by the sweep (mL).
fn co2_ledger(e: &Engine) -> [f64; 3] {
    let s = e.oxygen().co2_stores();
    [s.produced_ml, s.exhaled_ml, s.oxygenator_ml]
}

/// How long the circulation takes to follow each, in [`slow_states`] order.
const SLOW_RELAXATION_S: [f64; N_SLOW] = [
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    FAST_RELAXATION_S,
    GAS_RELAXATION_S,
    GAS_RELAXATION_S,
];

/// The boost after a window in which the watched states went from `before` to `after` over
/// `slow_s` slow seconds at `boost`. What follows state i lags it by about
/// `(boost - 1) * relaxation_s[i]` slow seconds; in that time it may move at most
/// [`LAG_TOLERANCE`] of its scale (its value, or its floor). The boost grows at most
/// [`BOOST_GROWTH`]-fold a window and is never below 1.
pub fn next_boost(
    before: &[f64],
    after: &[f64],
    floors: &[f64],
    relaxation_s: &[f64],
    slow_s: f64,
    boost: f64,
) -> f64 {
    let lag_rate = before
        .iter()
        .zip(after)
        .zip(floors.iter().zip(relaxation_s))
        .map(|((a, b), (f, tau))| (b - a).abs() / a.abs().max(*f) * tau)
        .fold(0.0, f64::max)
        / slow_s.max(f64::MIN_POSITIVE);
    let allowed = 1.0 + LAG_TOLERANCE / lag_rate;
    allowed.min(boost * BOOST_GROWTH).max(1.0)
}

/// Run `e`, settled `since_change_s` after the change, to each of `hours` hours after the
/// change, the slow processes boosted up to `max_boost` ([`next_boost`]); each hour is read over
/// [`crate::monitor::SUMMARY_BEATS`] beats at the circulation's own pace. Returns the points
/// (hour 0: now) and the circulation seconds simulated.
pub fn project(
    e: &mut Engine,
    since_change_s: f64,
    hours: usize,
    max_boost: f64,
) -> (Vec<HourPoint>, f64) {
    let started = e.t_s();
    let dt = e.dt_s();
    let mut slow_t = since_change_s;
    let mut points = Vec::with_capacity(hours + 1);
    if let Some(s) = e.summary() {
        points.push(HourPoint::of(&s, slow_t / S_PER_H));
    }
    let mut boost: f64 = 1.0;
    let mut window_s = MAX_CONTROL_S;
    for hour in 1..=hours {
        let mark = hour as f64 * S_PER_H;
        while slow_t < mark {
            // No window overshoots the hour: near it the boost comes down to land on it.
            let k = boost
                .min(max_boost)
                .min((mark - slow_t) / window_s)
                .max(1.0);
            e.set_slow_boost(k);
            let before = slow_states(e);
            let ledger = co2_ledger(e);
            let (mut beats, mut fast_s, from) = (0, 0.0, slow_t);
            while beats < CONTROL_BEATS && fast_s < MAX_CONTROL_S && slow_t < mark {
                if e.step().is_some() {
                    beats += 1;
                }
                fast_s += dt;
                slow_t += dt * k;
            }
            window_s = fast_s.max(dt);
            // The body's CO2 is slow too, but half of it rides in the blood the circulation
            // moves at its own pace: it is carried on by the window's own balance, (k - 1)
            // times over.
            let after = co2_ledger(e);
            let skipped = |i: usize| (after[i] - ledger[i]) * (k - 1.0);
            e.advance_co2(skipped(0), skipped(1), skipped(2));
            boost = next_boost(
                &before,
                &slow_states(e),
                &SLOW_FLOORS,
                &SLOW_RELAXATION_S,
                slow_t - from,
                k,
            );
        }
        // The hour is read at the circulation's own pace, as a monitor shows it.
        e.set_slow_boost(1.0);
        let (mut beats, mut fast_s) = (0, 0.0);
        while beats < crate::monitor::SUMMARY_BEATS && fast_s < MAX_CONTROL_S {
            if e.step().is_some() {
                beats += 1;
            }
            fast_s += dt;
            slow_t += dt;
        }
        if let Some(s) = e.summary() {
            points.push(HourPoint::of(&s, hour as f64));
        }
    }
    e.set_slow_boost(1.0);
    (points, e.t_s() - started)
}

/// Forecast `strategy` from the state of `base` (which is not changed), [`Options::default`].
pub fn forecast(base: &Engine, strategy: &Strategy) -> Result<Forecast, Error> {
    forecast_with(base, strategy, &Options::default())
}

/// Forecast `strategy` from the state of `base` (not changed): settle, then project
/// `o.hours`.
pub fn forecast_with(base: &Engine, strategy: &Strategy, o: &Options) -> Result<Forecast, Error> {
    let mut e = base.clone();
    let changed_at_s = e.t_s();
    for s in &strategy.sets {
        let (k, v) = settings::parse_assignment(s)?;
        e.set(k, v)?;
    }
    let (settle_s, steady) = settle(&mut e);
    let summary = e.summary().ok_or_else(|| Error::Invalid {
        key: "strategy".into(),
        value: strategy.name.clone(),
        reason: "no beat completed while settling".into(),
    })?;
    let pv_loop = if o.keep_loop {
        last_loop(&mut e)
    } else {
        Vec::new()
    };
    let since_change_s = e.t_s() - changed_at_s;
    let (hourly, projection_circulation_s) = project(&mut e, since_change_s, o.hours, o.max_boost);
    Ok(Forecast {
        strategy: strategy.name.clone(),
        settle_s,
        steady,
        lung_water_projection_ml_kg: hourly.iter().map(|p| p.lung_water_ml_kg).collect(),
        lactate_projection_mmol_l: hourly.iter().map(|p| p.lactate_mmol_l).collect(),
        ph_projection: hourly.iter().map(|p| p.ph).collect(),
        hourly,
        projection_circulation_s,
        summary,
        pv_loop,
    })
}

/// One more beat of `e`, recorded as its LV loop (the forecast's picture).
fn last_loop(e: &mut Engine) -> Vec<[f64; 2]> {
    let mut points = Vec::new();
    let limit = e.t_s() + MAX_LOOP_S;
    while e.t_s() < limit {
        let done = e.step().is_some();
        let lv = crate::Node::Lv;
        points.push([e.volume_ml(lv), e.pressure_mmhg(lv)]);
        if done && points.len() > 1 {
            break;
        }
    }
    points
}

/// Longest loop recorded (a beat at 30 bpm, or a window without beats).
const MAX_LOOP_S: f64 = 2.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boost_follows_how_fast_the_slow_states_move() {
        let (floors, taus) = ([1.0, 1.0], [FAST_RELAXATION_S, GAS_RELAXATION_S]);
        // Still: the boost may only double.
        assert_eq!(
            next_boost(&[5.0, 1.0], &[5.0, 1.0], &floors, &taus, 10.0, 8.0),
            16.0
        );
        // Lung water up 1 % in 100 slow s: lagging 30 s it may move LAG_TOLERANCE.
        let k = next_boost(&[10.0, 1.0], &[10.1, 1.0], &floors, &taus, 100.0, 1000.0);
        assert!(
            (k - (1.0 + LAG_TOLERANCE / (0.01 / 100.0 * 30.0))).abs() < 1e-9,
            "{k}"
        );
        // The same move of a gas that lags two minutes allows a quarter of the boost's excess.
        let g = next_boost(&[1.0, 10.0], &[1.0, 10.1], &floors, &taus, 100.0, 1000.0);
        assert!((g - 1.0 - (k - 1.0) / 4.0).abs() < 1e-9, "{g}");
        // Fast moves: next to 1.
        let fast = next_boost(&[1.0, 1.0], &[9.0, 1.0], &floors, &taus, 1.0, 4.0);
        assert!((1.0..1.001).contains(&fast), "{fast}");
    }

    #[test]
    fn strategies_parse_and_bad_ones_say_why() {
        let s = Strategy::parse("impella cp:impella.enabled=true, impella.p_level=6").unwrap();
        assert_eq!(s.name, "impella cp");
        assert_eq!(s.sets, ["impella.enabled=true", "impella.p_level=6"]);
        assert!(Strategy::parse("current:").unwrap().sets.is_empty());
        let s = Strategy::parse("IABP 1:2:iabp.enabled=true,iabp.ratio=2").unwrap();
        assert_eq!(s.name, "IABP 1:2");
        assert_eq!(s.sets, ["iabp.enabled=true", "iabp.ratio=2"]);
        assert!(Strategy::parse("no colon").is_err());
        assert!(Strategy::parse(":a=1").is_err());
        assert!(Strategy::parse("x:novalue").is_err());
    }
}
