//! Settable keys: every leaf of a [`Patient`] addressed by its dotted path
//! (`heart.lv.ees_mmhg_per_ml`), with unit and valid range. The same table validates preset
//! files, `--set` overrides and live changes from the dashboard.

use crate::error::Error;
use crate::patient::Patient;
use serde_json::Value;

pub use super::keys::{BLOOD_VOLUME_MAX_ML, BLOOD_VOLUME_MIN_ML, KeySpec, SPECS};

/// The longest stretch of simulated time anything asks for (`run --seconds`, the dashboard's
/// `--after-s`, a scenario's event and checkpoint times): 30 days, so a typo of a few digits
/// is refused instead of running for years.
pub const MAX_SIMULATED_S: f64 = 30.0 * 86_400.0;

fn matches(pattern: &str, key: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = key.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => continue,
            _ => return false,
        }
    }
}

/// The spec of a key: the most specific pattern (fewest wildcards) that matches.
pub fn spec_of(key: &str) -> Option<&'static KeySpec> {
    SPECS
        .iter()
        .filter(|s| matches(s.pattern, key))
        .min_by_key(|s| s.pattern.matches('*').count())
}

/// Every leaf of the patient as (dotted key, value), in declaration order.
pub fn leaves(p: &Patient) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(&to_value(p), String::new(), &mut out);
    out
}

/// Every numeric leaf of the patient, by dotted key.
pub fn numbers(p: &Patient) -> std::collections::BTreeMap<String, f64> {
    leaves(p)
        .into_iter()
        .filter_map(|(k, v)| v.as_f64().map(|x| (k, x)))
        .collect()
}

fn walk(v: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(child, key, out);
            }
        }
        _ => out.push((prefix, v.clone())),
    }
}

fn to_value(p: &Patient) -> Value {
    serde_json::to_value(p).expect("a Patient always serialises")
}

/// Check every numeric leaf is finite and in its range.
pub fn validate(p: &Patient) -> Result<(), Error> {
    for (key, value) in leaves(p) {
        validate_key(&key, &value)?;
    }
    Ok(())
}

/// Check one key's value against its range (a text key takes any text).
fn validate_key(key: &str, value: &Value) -> Result<(), Error> {
    let spec = spec_of(key).ok_or_else(|| Error::UnknownKey { key: key.into() })?;
    match value.as_f64() {
        Some(x) => check_range(key, x, spec),
        // NaN and infinity serialise to null: a numeric key must hold a finite number.
        // Text is shown on one line (a summary's header, the parameter list): no control
        // characters, whether set one by one or read from a preset.
        None if value
            .as_str()
            .is_some_and(|t| t.chars().any(char::is_control)) =>
        {
            Err(Error::Invalid {
                key: key.into(),
                value: value
                    .as_str()
                    .unwrap_or_default()
                    .escape_debug()
                    .to_string(),
                reason: "expected text on one line, without control characters".into(),
            })
        }
        None if spec.min.is_finite() => Err(Error::Invalid {
            key: key.into(),
            value: if value.is_null() {
                "NaN or infinity".to_string()
            } else {
                value.to_string()
            },
            reason: "expected a finite number".to_string(),
        }),
        None => Ok(()),
    }
}

fn check_range(key: &str, x: f64, spec: &KeySpec) -> Result<(), Error> {
    if !x.is_finite() || x < spec.min || x > spec.max {
        return Err(Error::OutOfRange {
            key: key.to_string(),
            value: x,
            min: spec.min,
            max: spec.max,
            unit: spec.unit,
        });
    }
    Ok(())
}

/// A copy of `p` with `key` set to `value` (parsed as the leaf's type), validated.
pub fn set(p: &Patient, key: &str, value: &str) -> Result<Patient, Error> {
    let mut root = to_value(p);
    let mut node = &mut root;
    for segment in key.split('.') {
        node = node
            .as_object_mut()
            .and_then(|m| m.get_mut(segment))
            .ok_or_else(|| Error::UnknownKey {
                key: key.to_string(),
            })?;
    }
    let wrong_type = |expected: &str| Error::WrongType {
        key: key.to_string(),
        value: value.to_string(),
        expected: expected.to_string(),
    };
    let new = match node {
        // Whole-number keys (the IABP ratio) take whole numbers.
        Value::Number(n) if n.is_u64() => Value::from(
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| wrong_type("a whole number"))?,
        ),
        Value::Number(_) => {
            let x: f64 = value.trim().parse().map_err(|_| wrong_type("a number"))?;
            serde_json::Number::from_f64(x)
                .map(Value::Number)
                .ok_or_else(|| wrong_type("a finite number"))?
        }
        Value::Bool(_) => Value::Bool(
            value
                .trim()
                .parse()
                .map_err(|_| wrong_type("true or false"))?,
        ),
        Value::String(_) => Value::String(value.trim().to_string()),
        Value::Object(_) | Value::Array(_) | Value::Null => {
            return Err(Error::UnknownKey {
                key: key.to_string(),
            });
        }
    };
    // Only the key set needs checking: every patient here was validated when it was made
    // (a preset, a file, an earlier `set`), and ranges are per key.
    validate_key(key, &new)?;
    *node = new;
    let updated: Patient = serde_json::from_value(root).map_err(|e| Error::Invalid {
        key: key.to_string(),
        value: value.to_string(),
        reason: e.to_string(),
    })?;
    Ok(updated)
}

/// Apply `KEY=VALUE` assignments in order (the CLI's `--set`).
pub fn apply_all<S: AsRef<str>>(p: &Patient, assignments: &[S]) -> Result<Patient, Error> {
    let mut out = p.clone();
    for a in assignments {
        let (key, value) = parse_assignment(a.as_ref())?;
        out = set(&out, key, value)?;
    }
    Ok(out)
}

/// Parse `KEY=VALUE`.
pub fn parse_assignment(s: &str) -> Result<(&str, &str), Error> {
    s.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Error::BadAssignment {
            text: s.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_segment_and_specific_wins() {
        assert!(matches("heart.*.v0_ml", "heart.lv.v0_ml"));
        assert!(!matches("heart.*.v0_ml", "heart.lv.x.v0_ml"));
        let s = spec_of("pulmonary.arterial.r_mmhg_s_per_ml").unwrap();
        assert_eq!(s.pattern, "pulmonary.arterial.r_mmhg_s_per_ml");
    }
}
