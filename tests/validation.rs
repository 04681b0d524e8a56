//! docs/VALIDATION.md kept true: every row's model value lies in its published target range and
//! equals the value the page prints.

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

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/VALIDATION.md"))
        .unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | id | preset | set | key | target | model | source |
        if cells.len() < 8 || cells[1] == "id" || cells[1].starts_with("---") {
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
