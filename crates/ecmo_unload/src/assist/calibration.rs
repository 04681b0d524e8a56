//! Patient calibration ("make the model this patient"): find the parameters that reproduce what
//! the bedside shows. Measurements are named by run-summary keys, each with a measurement SD; the
//! fit minimises the sum of squared residuals in SD units with Nelder-Mead over log-parameters
//! (bounded by their settings ranges), then reports each residual and which parameters the
//! data could not identify (posterior SD from the Gauss-Newton approximation J'J). Sources and
//! defaults: docs/MODEL.md section 7i.

use crate::engine::Engine;
use crate::error::Error;
use crate::forecast;
use crate::patient::Patient;
use crate::settings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the fit may change: each a settable key (the systemic beds move together).
pub const PARAMETERS: [&[&str]; 6] = [
    &["heart.lv.ees_mmhg_per_ml"],
    &["heart.lv.edpvr_b_per_ml"],
    &["heart.rv.ees_mmhg_per_ml"],
    &[
        "systemic.upper_body_r_mmhg_s_per_ml",
        "systemic.lower_body_r_mmhg_s_per_ml",
    ],
    &["pulmonary.capillary_r_mmhg_s_per_ml"],
    &["blood_volume_ml"],
];

/// Clinical measurement error (1 SD) used when a measurement gives none, by summary key.
pub fn default_sd(key: &str) -> Option<f64> {
    Some(match key {
        "map_mmhg" | "sbp_mmhg" | "dbp_mmhg" => 5.0,
        "cvp_mmhg" => 2.0,
        "pcwp_mmhg" | "lvedp_mmhg" => 3.0,
        "pap_mean_mmhg" | "pap_sys_mmhg" | "pap_dia_mmhg" => 3.0,
        "native_co_l_min" => 0.5,
        "ci_l_min_m2" => 0.3,
        "lvef_pct" => 5.0,
        "lvedv_ml" | "lvesv_ml" => 15.0,
        "hr_bpm" => 2.0,
        _ => return None,
    })
}

/// One bedside measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    pub key: String,
    pub value: f64,
    /// Measurement SD (absent: the clinical default for the key).
    #[serde(default)]
    pub sd: Option<f64>,
}

impl Measurement {
    /// `KEY=VALUE` or `KEY=VALUE+-SD`.
    pub fn parse(text: &str) -> Result<Measurement, Error> {
        let (key, rest) = settings::parse_assignment(text)?;
        let bad = |why: &str| Error::Invalid {
            key: key.to_string(),
            value: rest.to_string(),
            reason: why.to_string(),
        };
        let (value, sd) = match rest.split_once("+-") {
            Some((v, sd)) => (v, Some(sd)),
            None => (rest, None),
        };
        let value: f64 = value.trim().parse().map_err(|_| bad("expected a number"))?;
        let sd = sd
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| bad("expected VALUE+-SD"))
            })
            .transpose()?;
        let m = Measurement {
            key: key.to_string(),
            value,
            sd,
        };
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |why: String| Error::Invalid {
            key: self.key.clone(),
            value: crate::units::Short(self.value).to_string(),
            reason: why,
        };
        if NOT_MEASUREMENTS.contains(&self.key.as_str()) {
            return Err(bad("not a bedside measurement".into()));
        }
        if !crate::engine::summary_keys().contains(&self.key) {
            return Err(bad(NOT_A_KEY.into()));
        }
        if !(self.value.is_finite() && self.value.abs() <= MAX_MEASURED) {
            return Err(bad(format!("expected a number within +-{MAX_MEASURED:e}")));
        }
        match self.sd {
            Some(sd) if !(sd.is_finite() && (MIN_SD..=MAX_MEASURED).contains(&sd)) => {
                Err(bad(format!(
                    "SD {} must be between {MIN_SD:e} and {MAX_MEASURED:e}",
                    crate::units::Short(sd)
                )))
            }
            None if default_sd(&self.key).is_none() => Err(bad(
                "no default SD for this key: give one as VALUE+-SD".into(),
            )),
            _ => Ok(()),
        }
    }

    pub fn sd(&self) -> f64 {
        self.sd.or_else(|| default_sd(&self.key)).unwrap_or(1.0)
    }
}

/// Why a measurement's key is refused when the summary has no such key.
const NOT_A_KEY: &str = "not a key of the summary (`ecmo-unload run --json` lists them)";

/// Summary keys that are not measurements of the patient (the time, the beat count).
const NOT_MEASUREMENTS: [&str; 2] = ["t_s", "beats"];
/// A measured value or SD beyond this is a typing error, not a measurement.
pub const MAX_MEASURED: f64 = 1e6;
/// The smallest SD: below it a residual overflows and the fit learns nothing.
pub const MIN_SD: f64 = 1e-6;

/// A measurements file (RON): a list of `(key: "map_mmhg", value: 62.0, sd: Some(4.0))`, the
/// `sd` optional. Errors name the file, line and column, and the measurement at fault.
pub fn parse_measurements(text: &str, file: &str) -> Result<Vec<Measurement>, Error> {
    let list: Vec<Measurement> = ron::from_str(text).map_err(|e| Error::from_ron(file, &e))?;
    for (i, m) in list.iter().enumerate() {
        m.check()
            .map_err(|e| Error::in_file(file, locate_measurement(text, i), e))?;
    }
    Ok(list)
}

/// 1-based line and column of the i-th measurement in a measurements file's text: its
/// `key` field, outside comments and strings (or 1:1).
pub fn locate_measurement(text: &str, i: usize) -> (usize, usize) {
    let (_, bare) = crate::presets::masked(text);
    (0..=i)
        .try_fold(0, |at, k| {
            crate::presets::field_offset(&bare, "key", at + usize::from(k > 0))
        })
        .map_or((1, 1), |at| crate::presets::line_col(text, at))
}

/// The fit's answer, in the CLI's JSON shape.
#[derive(Clone, Debug, Serialize)]
pub struct Fit {
    /// Fitted values, as `--set` keys.
    pub parameters: BTreeMap<String, f64>,
    pub measurements: BTreeMap<String, Residual>,
    /// Parameters the measurements could not pin down (posterior SD above `UNIDENTIFIED_LOG_SD`).
    pub unidentifiable: Vec<String>,
    /// Objective evaluations the search used.
    pub evaluations: usize,
    #[serde(skip)]
    pub patient: Patient,
}

#[derive(Clone, Debug, Serialize)]
pub struct Residual {
    pub measured: f64,
    pub sd: f64,
    pub model: f64,
    /// (model - measured) / SD.
    pub residual: f64,
}

/// Steady-state simulation of a candidate (the reflex off: the measurements are the patient's
/// state, and the fitted preset's reflex is anchored there).
fn simulate(p: &Patient) -> Option<serde_json::Value> {
    let mut e = Engine::new(p.clone()).ok()?;
    forecast::settle(&mut e);
    serde_json::to_value(e.summary()?).ok()
}

/// The patient with log-parameter vector `x` applied (clamped to the settings ranges).
fn with_parameters(base: &Patient, x: &[f64]) -> Patient {
    let mut leaves = settings::numbers(base);
    let mut sets = Vec::new();
    for (keys, xi) in PARAMETERS.iter().zip(x) {
        for key in *keys {
            let spec = settings::spec_of(key).expect("a fit parameter is a key");
            let v = (leaves[*key] * xi.exp()).clamp(spec.min, spec.max);
            leaves.insert(key.to_string(), v);
            sets.push(format!("{key}={v}"));
        }
    }
    settings::apply_all(base, &sets).unwrap_or_else(|_| base.clone())
}

/// Normalised residuals of a candidate (a failed run costs a large constant per measurement).
fn residuals(base: &Patient, x: &[f64], ms: &[Measurement]) -> Vec<f64> {
    match simulate(&with_parameters(base, x)) {
        Some(s) => ms
            .iter()
            .map(|m| {
                let model = s[&m.key].as_f64().unwrap_or(f64::NAN);
                let r = (model - m.value) / m.sd();
                if r.is_finite() { r } else { FAILED_RESIDUAL }
            })
            .collect(),
        None => vec![FAILED_RESIDUAL; ms.len()],
    }
}

/// Refuse a measurement the model cannot give for this patient: not a summary key, not a
/// number (`edema_risk`), or no reading now (an IABP console reading with the IABP off).
fn check_measurable(base: &Patient, measurements: &[Measurement]) -> Result<(), Refused> {
    let start = simulate(&with_parameters(base, &vec![0.0; PARAMETERS.len()]));
    for (index, m) in measurements.iter().enumerate() {
        let why = match start.as_ref().map(|s| s.get(&m.key)) {
            None | Some(Some(serde_json::Value::Number(_))) => continue,
            Some(None) => NOT_A_KEY,
            Some(Some(serde_json::Value::Null)) => {
                "the model gives no reading for this patient (a device's reading with the device \
                 off, or nothing to measure)"
            }
            Some(Some(_)) => "not a number the model gives",
        };
        return Err(Refused {
            index,
            error: Error::Invalid {
                key: m.key.clone(),
                value: m.value.to_string(),
                reason: why.into(),
            },
        });
    }
    Ok(())
}

/// A candidate that cannot be simulated counts as this many SDs off per measurement.
const FAILED_RESIDUAL: f64 = 1e3;
/// Nelder-Mead: initial simplex step in log units (about +-20 %), tolerance and budget.
pub const SIMPLEX_STEP: f64 = 0.2;
pub const COST_TOLERANCE: f64 = 1e-3;
pub const MAX_EVALUATIONS: usize = 400;
/// Finite-difference step for the sensitivities (log units).
const JACOBIAN_STEP: f64 = 0.05;
/// A parameter whose posterior SD (log units) exceeds this is reported unidentifiable
/// (+-65 %: the data say little about it).
pub const UNIDENTIFIED_LOG_SD: f64 = 0.5;

/// A measurement the fit cannot use: its index in the list given, and why.
#[derive(Debug)]
pub struct Refused {
    pub index: usize,
    pub error: Error,
}

/// Check every measurement before a fit: a value and SD in range, each key once, and a number
/// the model gives for this patient. The first one at fault is refused.
pub fn check_measurements(base: &Patient, measurements: &[Measurement]) -> Result<(), Refused> {
    for (index, m) in measurements.iter().enumerate() {
        let twice = measurements[..index]
            .iter()
            .any(|earlier| earlier.key == m.key);
        let error = match m.check() {
            Err(error) => error,
            Ok(()) if twice => Error::Invalid {
                key: m.key.clone(),
                value: m.value.to_string(),
                reason: "measured twice: give each key once".into(),
            },
            Ok(()) => continue,
        };
        return Err(Refused { index, error });
    }
    let base = fit_start(base, measurements).map_err(|error| Refused { index: 0, error })?;
    check_measurable(&base, measurements)
}

/// The patient a fit starts from: the reflex off (the measurements are the patient's state),
/// and a measured heart rate set, not fitted.
fn fit_start(base: &Patient, measurements: &[Measurement]) -> Result<Patient, Error> {
    let mut base = base.clone();
    base.reflex.baroreflex = false;
    if let Some(hr) = measurements.iter().find(|m| m.key == "hr_bpm") {
        base = settings::set(&base, "rhythm.rate_bpm", &hr.value.to_string())?;
    }
    Ok(base)
}

/// Fit the patient to the measurements, starting from `base`.
pub fn fit(base: &Patient, measurements: &[Measurement]) -> Result<Fit, Error> {
    if measurements.is_empty() {
        return Err(Error::Invalid {
            key: "measured".into(),
            value: String::new(),
            reason: "give at least one measurement".into(),
        });
    }
    check_measurements(base, measurements).map_err(|r| r.error)?;
    let base = fit_start(base, measurements)?;
    let n = PARAMETERS.len();
    let cost = |x: &[f64]| {
        residuals(&base, x, measurements)
            .iter()
            .map(|r| r * r)
            .sum::<f64>()
    };
    let (best, evaluations) = nelder_mead(&cost, &vec![0.0; n]);
    let r0 = residuals(&base, &best, measurements);
    // Sensitivities at the optimum: which parameters the data pin down.
    let jac: Vec<Vec<f64>> = (0..n)
        .map(|j| {
            let mut x = best.clone();
            x[j] += JACOBIAN_STEP;
            residuals(&base, &x, measurements)
                .iter()
                .zip(&r0)
                .map(|(a, b)| (a - b) / JACOBIAN_STEP)
                .collect()
        })
        .collect();
    let posterior_sd = posterior_log_sd(&jac);
    let mut fitted = with_parameters(&base, &best);
    let model = simulate(&fitted).unwrap_or_default();
    // The fitted patient keeps the preset's reflexes, anchored at the state it was fitted to.
    fitted.reflex.baroreflex = true;
    if let Some(map) = model["map_mmhg"].as_f64() {
        let spec = settings::spec_of("reflex.reference_map_mmhg").expect("a key");
        fitted.reflex.reference_map_mmhg = map.clamp(spec.min, spec.max);
    }
    if let (Some(cvp), Some(pcwp)) = (model["cvp_mmhg"].as_f64(), model["pcwp_mmhg"].as_f64()) {
        let spec = settings::spec_of("reflex.reference_atrial_mmhg").expect("a key");
        fitted.reflex.reference_atrial_mmhg =
            crate::reflex::sensed_atrial_mmhg(cvp, pcwp).clamp(spec.min, spec.max);
    }
    if let Some(pp) = model["central_pulse_pressure_mmhg"].as_f64() {
        let spec = settings::spec_of("reflex.reference_pulse_pressure_mmhg").expect("a key");
        fitted.reflex.reference_pulse_pressure_mmhg = pp.clamp(spec.min, spec.max);
    }
    let leaves = settings::numbers(&fitted);
    let parameters = PARAMETERS
        .iter()
        .flat_map(|keys| keys.iter())
        .map(|k| (k.to_string(), leaves[*k]))
        .collect();
    let unidentifiable = PARAMETERS
        .iter()
        .zip(&posterior_sd)
        .filter(|(_, sd)| **sd > UNIDENTIFIED_LOG_SD)
        .flat_map(|(keys, _)| keys.iter().map(|k| k.to_string()))
        .collect();
    let measurements = measurements
        .iter()
        .map(|m| {
            let model = model[&m.key].as_f64().unwrap_or(f64::NAN);
            (
                m.key.clone(),
                Residual {
                    measured: m.value,
                    sd: m.sd(),
                    model,
                    residual: (model - m.value) / m.sd(),
                },
            )
        })
        .collect();
    Ok(Fit {
        parameters,
        measurements,
        unidentifiable,
        evaluations,
        patient: fitted,
    })
}

/// Posterior SD of each parameter from J'J (Gauss-Newton; residuals in SD units). A parameter
/// with no influence gets an infinite SD.
fn posterior_log_sd(jac_columns: &[Vec<f64>]) -> Vec<f64> {
    let n = jac_columns.len();
    let mut a = vec![vec![0.0; 2 * n]; n];
    for i in 0..n {
        for j in 0..n {
            a[i][j] = jac_columns[i]
                .iter()
                .zip(&jac_columns[j])
                .map(|(x, y)| x * y)
                .sum();
        }
        a[i][n + i] = 1.0;
    }
    // Gauss-Jordan with partial pivoting; a vanishing pivot is an unidentified direction.
    let mut singular = vec![false; n];
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        let pivot = a[c][c];
        if pivot.abs() < SINGULAR_PIVOT {
            singular[c] = true;
            continue;
        }
        for v in a[c].iter_mut() {
            *v /= pivot;
        }
        for r in 0..n {
            if r != c {
                let f = a[r][c];
                let row = a[c].clone();
                for (v, w) in a[r].iter_mut().zip(&row) {
                    *v -= f * w;
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            let var = a[i][n + i];
            let no_influence = jac_columns[i].iter().all(|x| x.abs() < NO_INFLUENCE);
            if singular[i] || var.is_nan() || var <= 0.0 || no_influence {
                f64::INFINITY
            } else {
                var.sqrt()
            }
        })
        .collect()
}

const SINGULAR_PIVOT: f64 = 1e-10;
/// A sensitivity below this (SDs per log unit) is no influence at all.
const NO_INFLUENCE: f64 = 1e-9;

/// Nelder-Mead with the standard coefficients (reflection 1, expansion 2, contraction 1/2,
/// shrink 1/2; Lagarias et al., SIAM J Optim 1998;9:112). Returns the best point and the
/// evaluations used.
pub fn nelder_mead(f: &dyn Fn(&[f64]) -> f64, x0: &[f64]) -> (Vec<f64>, usize) {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = (0..=n)
        .map(|i| {
            let mut x = x0.to_vec();
            if i > 0 {
                x[i - 1] += SIMPLEX_STEP;
            }
            let fx = f(&x);
            (x, fx)
        })
        .collect();
    let mut evals = n + 1;
    while evals < MAX_EVALUATIONS {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        if simplex[n].1 - simplex[0].1 < COST_TOLERANCE {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / n as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[n].0)
                .map(|(c, w)| c + t * (c - w))
                .collect()
        };
        let xr = toward(1.0);
        let fr = f(&xr);
        evals += 1;
        if fr < simplex[0].1 {
            let xe = toward(2.0);
            let fe = f(&xe);
            evals += 1;
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let (xc, fc) = if fr < simplex[n].1 {
                let x = toward(0.5);
                let fx = f(&x);
                (x, fx)
            } else {
                let x = toward(-0.5);
                let fx = f(&x);
                (x, fx)
            };
            evals += 1;
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for (x, fx) in simplex.iter_mut().skip(1) {
                    for (xi, bi) in x.iter_mut().zip(&best) {
                        *xi = bi + 0.5 * (*xi - bi);
                    }
                    *fx = f(x);
                    evals += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    (simplex.swap_remove(0).0, evals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let f = |x: &[f64]| (x[0] - 0.3).powi(2) + 2.0 * (x[1] + 0.1).powi(2);
        let (x, evals) = nelder_mead(&f, &[0.0, 0.0]);
        assert!(
            (x[0] - 0.3).abs() < 0.05 && (x[1] + 0.1).abs() < 0.05,
            "{x:?}"
        );
        assert!(evals < MAX_EVALUATIONS);
    }

    #[test]
    fn measurements_parse_with_and_without_sd() {
        let m = Measurement::parse("map_mmhg=65+-4").unwrap();
        assert_eq!((m.value, m.sd()), (65.0, 4.0));
        assert_eq!(Measurement::parse("pcwp_mmhg=24").unwrap().sd(), 3.0);
        assert!(Measurement::parse("pcwp_mmhg=abc").is_err());
        assert!(Measurement::parse("pcwp_mmhg=24+-0").is_err());
        assert!(Measurement::parse("lvet_ms=300").is_err(), "no default SD");
        assert!(Measurement::parse("lvet_ms=300+-20").is_ok());
    }

    #[test]
    fn an_uninfluential_parameter_is_unidentified() {
        let sd = posterior_log_sd(&[vec![2.0, 0.0], vec![0.0, 0.0]]);
        assert!((sd[0] - 0.5).abs() < 1e-9 && sd[1].is_infinite());
    }
}
