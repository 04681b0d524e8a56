//! `compare`: what-if strategies from the current steady state, side by side.

use super::*;
use ecmo_unload::comparison::{self, Change};

pub fn compare(
    preset: &str,
    sets: &[String],
    strategies: &[String],
    json: bool,
) -> anyhow::Result<()> {
    let strategies: Vec<Strategy> = strategies
        .iter()
        .map(|s| Strategy::parse(s))
        .collect::<Result<_, _>>()?;
    let mut base = Engine::new(patient_with_overrides(preset, sets)?)?;
    // "Now": the patient settled as it is, from which every strategy starts.
    forecast::settle(&mut base);
    let results = ecmo_unload::batch::forecast_all(&base, &strategies)?;
    if json {
        let text = serde_json::to_string_pretty(&results).expect("forecasts serialise");
        outln!("{text}")?;
        return Ok(());
    }
    let now = base
        .summary()
        .ok_or_else(|| usage("the starting patient has no beats to compare with"))?;
    let horizon = comparison::AtHorizon::of_engine(&base, now.beat.pulmonary_capillary_mmhg);
    let now_values = comparison::values(&now, &horizon);
    out!("{:<22}", "strategy")?;
    for c in comparison::COLUMNS {
        out!(" {:>11}", c.label)?;
    }
    outln!()?;
    out!("{:<22}", "now")?;
    for (x, c) in now_values.into_iter().zip(comparison::COLUMNS) {
        out!(" {x:>11.*}", c.decimals)?;
    }
    outln!()?;
    for f in &results {
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
    }
    outln!(
        "(lung water and lactate projected 6 h at each settled state; pH 6 h from that lactate \
         at the settled PaCO2)"
    )?;
    let lines = ecmo_unload::advice::considerations(
        &base.alarms(),
        &results,
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
