//! `compare`: what-if strategies from the current steady state, side by side.

use super::*;
use ecmo_unload::advice::NOW;
use ecmo_unload::comparison::{self, Change};
use ecmo_unload::forecast::{Forecast, Options};

/// The strategies of `texts`, each checked against `base` before anything runs: a name given
/// once, "now" only for no change, and changes the patient can take (the error names the
/// strategy).
pub fn checked_strategies(texts: &[String], base: &Patient) -> anyhow::Result<Vec<Strategy>> {
    let mut out: Vec<Strategy> = Vec::new();
    for text in texts {
        let s = Strategy::parse(text).map_err(|e| usage(format!("--strategy '{text}': {e}")))?;
        let mut keys: Vec<&str> = s
            .sets
            .iter()
            .filter_map(|a| settings::parse_assignment(a).ok().map(|(k, _)| k))
            .collect();
        keys.sort_unstable();
        if let Some(k) = keys.windows(2).find(|w| w[0] == w[1]) {
            return Err(usage(format!(
                "--strategy '{text}': '{}' is set twice",
                k[0]
            )));
        }
        if out.iter().any(|o| o.name == s.name) {
            return Err(usage(format!(
                "--strategy '{text}': the name '{}' is given twice (results are told apart by \
                 name)",
                s.name
            )));
        }
        if s.name == NOW && !s.sets.is_empty() {
            return Err(usage(format!(
                "--strategy '{text}': 'now' names the patient unchanged; give this strategy \
                 another name"
            )));
        }
        settings::apply_all(base, &s.sets)
            .map_err(|e| usage(format!("--strategy '{}': {e}", s.name)))?;
        out.push(s);
    }
    Ok(out)
}

pub fn compare(
    preset: &str,
    sets: &[String],
    strategies: &[String],
    json: bool,
) -> anyhow::Result<()> {
    let patient = patient_with_overrides(preset, sets)?;
    let strategies = checked_strategies(strategies, &patient)?;
    let mut base = Engine::new(patient)?;
    // "Now": the patient settled as it is, from which every strategy starts.
    forecast::settle(&mut base);
    if base.summary().is_none() {
        return Err(usage("the starting patient has no beats to compare with"));
    }
    // "Now" is itself a forecast (no change, projected the same way): a strategy that changes
    // nothing is that row, not a second run of it.
    let baseline = Strategy {
        name: NOW.into(),
        sets: Vec::new(),
    };
    let to_run: Vec<Strategy> = std::iter::once(baseline)
        .chain(strategies.iter().filter(|s| !s.sets.is_empty()).cloned())
        .collect();
    let ran = ecmo_unload::batch::forecast_all(&base, &to_run, &Options::default())?;
    let now = &ran[0];
    let mut rest = ran[1..].iter();
    // The user's strategies in their order, each unchanged one as "now" under its own name.
    let results: Vec<Forecast> = strategies
        .iter()
        .map(|s| {
            if s.sets.is_empty() {
                Forecast {
                    strategy: s.name.clone(),
                    ..now.clone()
                }
            } else {
                rest.next()
                    .expect("one forecast per changing strategy")
                    .clone()
            }
        })
        .collect();
    if json {
        // One object per strategy given (a contract): "now" is there when asked for.
        let text = serde_json::to_string_pretty(&results).expect("forecasts serialise");
        outln!("{text}")?;
        return Ok(());
    }
    let now_values = comparison::forecast_values(now);
    out!("{:<22}", "strategy")?;
    for c in comparison::COLUMNS {
        out!(" {:>11}", c.label)?;
    }
    outln!()?;
    let row = |f: &Forecast| -> anyhow::Result<()> {
        out!("{:<22}", f.strategy)?;
        let values = comparison::forecast_values(f).into_iter().zip(now_values);
        for ((x, was), c) in values.zip(comparison::COLUMNS) {
            // A blank, not '=', marks no change: the table reads as text.
            let arrow = match Change::of(x, was) {
                Change::Same => ' ',
                change => change.arrow(),
            };
            out!(" {x:>10.*}{arrow}", c.decimals)?;
        }
        outln!("{}", if f.steady { "" } else { "  (not steady)" })?;
        Ok(())
    };
    // "now" once: a strategy of that name with no changes is this row.
    row(now)?;
    for f in results.iter().filter(|f| f.strategy != NOW) {
        row(f)?;
    }
    outln!(
        "(6-h columns: each state projected 6 h with the circulation and the slow processes \
         together)"
    )?;
    let mut with_now = vec![now.clone()];
    with_now.extend(results.iter().filter(|f| f.strategy != NOW).cloned());
    let lines = ecmo_unload::advice::considerations(
        &base.alarms(),
        &with_now,
        ecmo_unload::alarms::Running::of(base.patient()),
    );
    if !lines.is_empty() {
        outln!("\nconsiderations (model output for education and research, not orders):")?;
        for (k, line) in lines.iter().enumerate() {
            outln!("  {}. {line}", k + 1)?;
        }
    }
    Ok(())
}
