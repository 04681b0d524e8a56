//! Virtual cohorts: N cardiogenic-shock patients sampled around the preset (seeded, so the same
//! seed gives the same patients), each settled and then forecast under every strategy, with the
//! endpoints a clinician compares strategies on. Distributions and sources: docs/MODEL.md 7j.

use crate::engine::Engine;
use crate::error::Error;
use crate::forecast::{self, Forecast, Options, Strategy};
use crate::patient::Patient;
use crate::settings;

/// A sampled parameter: key, distribution.
#[derive(Clone, Copy, Debug)]
pub enum Dist {
    /// Log-normal around the preset's value: median factor 1, SD of the log.
    LogNormal(f64),
    /// Normal around the preset's value, SD in the key's unit.
    Normal(f64),
    /// With probability p, uniform between the bounds; else 0 (a lesion some patients have).
    Sometimes(f64, f64, f64),
}

/// What varies between patients (docs/MODEL.md 7j for the sources).
pub const SAMPLED: [(&str, Dist); 6] = [
    ("heart.lv.ees_mmhg_per_ml", Dist::LogNormal(0.3)),
    ("heart.lv.edpvr_b_per_ml", Dist::LogNormal(0.15)),
    ("heart.rv.ees_mmhg_per_ml", Dist::LogNormal(0.3)),
    ("systemic.lower_body_r_mmhg_s_per_ml", Dist::LogNormal(0.2)),
    ("blood_volume_ml", Dist::Normal(300.0)),
    (
        "valves.aortic_regurgitation_mm2",
        Dist::Sometimes(0.2, 5.0, 20.0),
    ),
];
/// The upper-body bed follows the lower body's factor (one vascular tone).
const FOLLOWS: (&str, &str) = (
    "systemic.upper_body_r_mmhg_s_per_ml",
    "systemic.lower_body_r_mmhg_s_per_ml",
);
/// A sampled value is kept this many SDs from the median (no absurd tails).
pub const TRUNCATE_SD: f64 = 2.5;

/// The endpoints compared: summary keys, or `lung_water_6h_ml_kg`, `lactate_6h_mmol_l` and
/// `ph_6h` (the projections' values at their horizon).
pub const ENDPOINTS: [&str; 9] = [
    "lvedp_mmhg",
    "pcwp_mmhg",
    "av_opening_pct",
    "lung_water_6h_ml_kg",
    "mvo2_ml_min",
    "coronary_perfusion_mmhg",
    "sao2_upper_pct",
    crate::comparison::LACTATE_PROJECTED_KEY,
    crate::comparison::PH_PROJECTED_KEY,
];

pub use crate::random::Rng;

/// Patient `index` of the cohort of `seed`: the sampled values (in [`SAMPLED`] order) and the
/// patient.
pub fn sample(base: &Patient, seed: u64, index: u64) -> Result<(Vec<f64>, Patient), Error> {
    let mut rng = Rng::for_patient(seed, index);
    let leaves = settings::numbers(base);
    let mut values = Vec::new();
    let mut sets = Vec::new();
    for (key, dist) in SAMPLED {
        let spec = settings::spec_of(key).expect("a sampled key is a key");
        let v = match dist {
            Dist::LogNormal(sd) => leaves[key] * (sd * rng.normal(TRUNCATE_SD)).exp(),
            Dist::Normal(sd) => leaves[key] + sd * rng.normal(TRUNCATE_SD),
            Dist::Sometimes(p, lo, hi) => {
                let (has, x) = (rng.uniform(), rng.uniform());
                if has < p { lo + (hi - lo) * x } else { 0.0 }
            }
        }
        .clamp(spec.min, spec.max);
        values.push(v);
        sets.push(format!("{key}={v}"));
        if key == FOLLOWS.1 {
            // The follower is kept inside its own range too: a base patient set near its
            // bound would otherwise be scaled past it.
            let follower = settings::spec_of(FOLLOWS.0).expect("a key");
            let factor = v / leaves[key];
            let w = (leaves[FOLLOWS.0] * factor).clamp(follower.min, follower.max);
            sets.push(format!("{}={w}", FOLLOWS.0));
        }
    }
    let mut p = settings::apply_all(base, &sets)?;
    p.name = format!("virtual-{index}");
    Ok((values, p))
}

/// One patient under every strategy: its sampled values and a forecast per strategy.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub index: u64,
    pub values: Vec<f64>,
    pub forecasts: Vec<Forecast>,
}

/// Settle patient `index` as sampled, then forecast every strategy from there (projected
/// `options.hours`).
pub fn run_patient(
    base: &Patient,
    seed: u64,
    index: u64,
    strategies: &[Strategy],
    options: &Options,
) -> Result<Outcome, Error> {
    let (values, p) = sample(base, seed, index)?;
    let mut e = Engine::new(p)?;
    forecast::settle(&mut e);
    let forecasts = strategies
        .iter()
        .map(|s| forecast::forecast_with(&e, s, options))
        .collect::<Result<_, _>>()?;
    Ok(Outcome {
        index,
        values,
        forecasts,
    })
}

/// An endpoint's value in a forecast.
pub fn endpoint(f: &Forecast, key: &str) -> f64 {
    let horizon = crate::comparison::AtHorizon::of_forecast(f);
    match key {
        "lung_water_6h_ml_kg" => return horizon.lung_water_ml_kg,
        crate::comparison::LACTATE_PROJECTED_KEY => return horizon.lactate_mmol_l,
        crate::comparison::PH_PROJECTED_KEY => return horizon.ph,
        _ => {}
    }
    serde_json::to_value(&f.summary)
        .ok()
        .and_then(|v| v[key].as_f64())
        .unwrap_or(f64::NAN)
}

/// Median and interquartile range (linear interpolation between order statistics).
pub fn quartiles(xs: &[f64]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (v.len() - 1) as f64;
        let (i, frac) = (pos.floor() as usize, pos.fract());
        let next = v[(i + 1).min(v.len() - 1)];
        v[i] + (next - v[i]) * frac
    };
    (at(0.25), at(0.5), at(0.75))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_seeded_and_uniform_enough() {
        let mut a = Rng::for_patient(7, 3);
        let mut b = Rng::for_patient(7, 3);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(
            Rng::for_patient(7, 3).next_u64(),
            Rng::for_patient(7, 4).next_u64()
        );
        let mut r = Rng::for_patient(1, 0);
        let n = 20_000;
        let mean = (0..n).map(|_| r.normal(TRUNCATE_SD)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        let (q1, m, q3) = quartiles(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((q1, m, q3), (2.0, 3.0, 4.0));
    }
}
