//! What-if forecasts: fast-forward a copy of the running patient under a candidate strategy
//! (a set of setting changes) to its new hemodynamic steady state, and project lung water over
//! hours at the capillary pressure it settles at. A copy, so the live simulation is never
//! touched; deterministic, so a forecast equals applying the change and waiting as long.
//!
//! Steady state: the means of consecutive windows of `WINDOW_BEATS` beats agree within
//! tolerance (`MAP`, LVEDP, PCWP, native and total flow) `STEADY_WINDOWS` times in a row, after
//! at least `MIN_SETTLE_S` (the baroreflex's slow effectors need it) and at most `MAX_SETTLE_S`.
//! Without beats (VF, asystole) the monitor's 1-s windows serve as beats.

use crate::engine::{Engine, Summary};
use crate::error::Error;
use crate::lungs::LungWater;
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
/// Shortest and longest settling run (simulated seconds).
pub const MIN_SETTLE_S: f64 = 30.0;
pub const MAX_SETTLE_S: f64 = 300.0;
/// Lung water is projected over this many hours, at hourly points.
pub const LUNG_PROJECTION_H: usize = 6;
/// Integration step of the lung-water projection.
const LUNG_PROJECTION_STEP_S: f64 = 10.0;
const S_PER_H: f64 = 3600.0;

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

/// One forecast: the steady state the strategy leads to, how long it took, and where the lung
/// water goes from there.
#[derive(Clone, Debug, Serialize)]
pub struct Forecast {
    pub strategy: String,
    /// Simulated seconds from the change to the steady state (or to `MAX_SETTLE_S`).
    pub settle_s: f64,
    /// Was a steady state reached within `MAX_SETTLE_S`?
    pub steady: bool,
    /// Lung water (EVLWI, mL/kg) now and at each hour of the projection.
    pub lung_water_projection_ml_kg: Vec<f64>,
    /// Blood lactate (mmol/L) and right radial pH now and at each hour, the settled state's
    /// lactate production and clearance held (PaCO2 held at its settled value).
    pub lactate_projection_mmol_l: Vec<f64>,
    pub ph_projection: Vec<f64>,
    #[serde(flatten)]
    pub summary: Summary,
    /// The last beat's LV pressure-volume loop, (mL, mmHg) points.
    #[serde(skip)]
    pub pv_loop: Vec<[f64; 2]>,
}

/// The window means a steady state is judged on.
fn window_means(beats: &[Beat]) -> [f64; 5] {
    let m = BeatMeans::of(beats.iter()).mean;
    [
        m.map_mmhg,
        m.lvedp_mmhg,
        m.pcwp_mmhg,
        m.native_co_l_min,
        m.total_flow_l_min,
    ]
}

fn agree(a: &[f64; 5], b: &[f64; 5]) -> bool {
    (0..3).all(|i| (a[i] - b[i]).abs() <= TOLERANCE_MMHG)
        && (3..5).all(|i| (a[i] - b[i]).abs() <= TOLERANCE_L_MIN)
}

/// Run `e` until its hemodynamics are steady (or `MAX_SETTLE_S`). Returns (seconds run, steady).
pub fn settle(e: &mut Engine) -> (f64, bool) {
    let start = e.t_s();
    let mut window: Vec<Beat> = Vec::with_capacity(WINDOW_BEATS);
    let mut last: Option<[f64; 5]> = None;
    let mut agreeing = 0;
    while e.t_s() - start < MAX_SETTLE_S {
        let Some(beat) = e.step() else { continue };
        window.push(beat);
        if window.len() < WINDOW_BEATS {
            continue;
        }
        let now = window_means(&window);
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

/// Lung water now and at each hour, if the capillary pressure stayed at `pc_mmhg`.
pub fn project_lung_water(lungs: &LungWater, pc_mmhg: f64) -> Vec<f64> {
    let mut w = lungs.clone();
    let mut out = vec![w.water_ml_kg()];
    let steps = (S_PER_H / LUNG_PROJECTION_STEP_S).round() as usize;
    for _ in 0..LUNG_PROJECTION_H {
        for _ in 0..steps {
            w.step(pc_mmhg, LUNG_PROJECTION_STEP_S, f64::INFINITY);
        }
        out.push(w.water_ml_kg());
    }
    out
}

/// Lactate and right radial pH now and at each hour of [`LUNG_PROJECTION_H`], if the state of
/// `e` (its lactate drive and PaCO2) held.
pub fn project_lactate(e: &Engine) -> (Vec<f64>, Vec<f64>) {
    let lactate = e.lactate().project(&e.lactate_drive(), LUNG_PROJECTION_H);
    let paco2_mmhg = e.oxygen().pco2_mmhg(crate::Node::Arch);
    let other = e.patient().metabolism.base_excess_mmol_l;
    let ph = lactate
        .iter()
        .map(|&l| {
            crate::acid_base::ph(paco2_mmhg, crate::acid_base::standard_base_excess(other, l))
        })
        .collect();
    (lactate, ph)
}

/// Forecast `strategy` from the state of `base` (which is not changed).
pub fn forecast(base: &Engine, strategy: &Strategy) -> Result<Forecast, Error> {
    let mut e = base.clone();
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
    let (lactate_projection_mmol_l, ph_projection) = project_lactate(&e);
    let pv_loop = last_loop(&mut e);
    Ok(Forecast {
        strategy: strategy.name.clone(),
        settle_s,
        steady,
        lung_water_projection_ml_kg: project_lung_water(
            e.lungs(),
            summary.beat.pulmonary_capillary_mmhg,
        ),
        lactate_projection_mmol_l,
        ph_projection,
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
