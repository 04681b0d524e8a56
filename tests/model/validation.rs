//! docs/VALIDATION.md kept true: every row's model value lies in its published target range and
//! equals the value the page prints.

use ecmo_unload::drugs::Drug;
use ecmo_unload::{Engine, presets, settings};
use std::collections::BTreeMap;

struct Row {
    id: String,
    preset: String,
    sets: Vec<String>,
    key: String,
    lo: f64,
    hi: f64,
    printed: String,
}

/// `E4` in the page: VA ECMO in flow mode at 4 L/min.
const E4: [&str; 3] = [
    "ecmo.enabled=true",
    "ecmo.mode=flow",
    "ecmo.flow_target_l_min=4",
];

fn parse_sets(cell: &str) -> Vec<String> {
    cell.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .flat_map(|s| {
            if s == "E4" {
                E4.iter().map(|x| x.to_string()).collect()
            } else {
                vec![s.to_string()]
            }
        })
        .collect()
}

fn page() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/VALIDATION.md")).unwrap()
}

fn summary(
    preset: &str,
    sets: &[String],
    seconds: f64,
    cache: &mut BTreeMap<(String, Vec<String>, u64), serde_json::Value>,
) -> serde_json::Value {
    cache
        .entry((preset.to_string(), sets.to_vec(), seconds.to_bits()))
        .or_insert_with(|| {
            // `bolus DRUG:MCG_KG` gives a loading dose at t = 0; the rest are settings.
            let (boluses, keys): (Vec<&String>, Vec<&String>) =
                sets.iter().partition(|s| s.starts_with("bolus "));
            let keys: Vec<String> = keys.into_iter().cloned().collect();
            let p = settings::apply_all(&presets::load(preset).unwrap(), &keys).unwrap();
            let mut e = Engine::new(p).unwrap();
            for b in boluses {
                let (drug, mcg_kg) = Drug::parse_bolus(&b["bolus ".len()..])
                    .unwrap()
                    .unwrap_or_else(|| panic!("'{b}' is not bolus DRUG:MCG_KG"));
                e.give_bolus(drug, mcg_kg).unwrap();
            }
            e.run_for(seconds);
            serde_json::to_value(e.summary().unwrap()).unwrap()
        })
        .clone()
}

/// The printed value must equal the model's to the decimals printed.
pub fn agrees(printed: &str, x: f64) -> bool {
    let decimals = printed.split_once('.').map_or(0, |(_, d)| d.len());
    let value: f64 = printed.parse().unwrap();
    (x - value).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9
}

/// The device table (`| id | preset | base set | set | key | change | target | model | source |`,
/// 60 s runs) and the patient-dynamics table (the same with a `seconds` column after `set`).
/// `change`: `pct` or `abs` against the base run, `value` for the run's own value.
#[test]
fn effects_tables_hold() {
    let mut cache = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut devices, mut dynamics) = (0, 0);
    for line in page().lines() {
        let c: Vec<&str> = line.split('|').map(str::trim).collect();
        if c.len() < 11 || c[1] == "id" || c[1].starts_with("---") {
            continue;
        }
        let (seconds, k) = if c.len() >= 12 {
            dynamics += 1;
            (c[5].parse::<f64>().unwrap(), 6)
        } else {
            devices += 1;
            (60.0, 5)
        };
        let (key, how, target, printed) = (c[k], c[k + 1], c[k + 2], c[k + 3]);
        let (base_sets, extra) = (parse_sets(c[3]), parse_sets(c[4]));
        let with: Vec<String> = base_sets.iter().chain(&extra).cloned().collect();
        let b = summary(c[2], &with, seconds, &mut cache)[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{}: no number under {key}", c[1]));
        let mut base = || {
            summary(c[2], &base_sets, seconds, &mut cache)[key]
                .as_f64()
                .unwrap()
        };
        let change = match how {
            "pct" => {
                let a = base();
                100.0 * (b - a) / a
            }
            "abs" => b - base(),
            "value" => b,
            other => panic!("{}: change '{other}' is not pct, abs or value", c[1]),
        };
        let (lo, hi) = target.split_once(" to ").unwrap();
        let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
        if !(lo..=hi).contains(&change) {
            failures.push(format!("{}: change {change:.2} outside {lo} to {hi}", c[1]));
        }
        if !agrees(printed, change) {
            failures.push(format!(
                "{}: page prints {} but the model gives {change:.3}",
                c[1], printed
            ));
        }
    }
    assert!(devices >= 4, "only {devices} device rows parsed");
    assert!(
        dynamics >= 8,
        "only {dynamics} patient-dynamics rows parsed"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/VALIDATION.md"))
        .unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | id | preset | set | key | target | model | source |
        if cells.len() != 9 || cells[1] == "id" || cells[1].starts_with("---") {
            continue;
        }
        let (lo, hi) = cells[5]
            .split_once(" to ")
            .unwrap_or_else(|| panic!("row {}: target '{}' is not 'A to B'", cells[1], cells[5]));
        rows.push(Row {
            id: cells[1].to_string(),
            preset: cells[2].to_string(),
            sets: cells[3]
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            key: cells[4].to_string(),
            lo: lo.trim().parse().unwrap(),
            hi: hi.trim().parse().unwrap(),
            printed: cells[6].to_string(),
        });
    }
    rows
}

#[test]
fn validation_table_holds() {
    let rows = rows();
    assert!(rows.len() >= 20, "only {} rows parsed", rows.len());
    let mut runs: BTreeMap<(String, Vec<String>), serde_json::Value> = BTreeMap::new();
    let mut failures = Vec::new();
    for r in &rows {
        let summary = runs
            .entry((r.preset.clone(), r.sets.clone()))
            .or_insert_with(|| {
                let p = settings::apply_all(&presets::load(&r.preset).unwrap(), &r.sets).unwrap();
                let mut e = Engine::new(p).unwrap();
                e.run_for(60.0);
                serde_json::to_value(e.summary().unwrap()).unwrap()
            });
        let x = summary[&r.key]
            .as_f64()
            .unwrap_or_else(|| panic!("{}: no key {}", r.id, r.key));
        if !(r.lo..=r.hi).contains(&x) {
            failures.push(format!(
                "{}: {} = {x:.3} outside {} to {}",
                r.id, r.key, r.lo, r.hi
            ));
        }
        let decimals = r.printed.split_once('.').map_or(0, |(_, d)| d.len());
        let printed: f64 = r.printed.parse().unwrap();
        let ulp = 10f64.powi(-(decimals as i32));
        if (x - printed).abs() > 0.5 * ulp + 1e-9 {
            failures.push(format!(
                "{}: page prints {} but the model gives {x:.*}",
                r.id, r.printed, decimals
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
