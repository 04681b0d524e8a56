//! Considerations: what the active alarms and the what-if forecasts together suggest, as a short
//! ranked list with the reasoning and the forecast numbers. Model output for education and
//! research: phrased as what the model predicts, never as an order.

use crate::alarms::Alarm;
use crate::forecast::{Forecast, LUNG_PROJECTION_H};

/// Name of the forecast that keeps the current settings.
pub const NOW: &str = "now";
/// At most this many strategies are named per consideration.
pub const MAX_NAMED: usize = 3;
/// A strategy is named when it moves the endpoint at least this much the right way.
const MIN_GAIN: f64 = 1.0;

/// The endpoint an alarm is about, and whether higher is better.
fn endpoint(a: Alarm) -> Option<(&'static str, &'static str, bool)> {
    Some(match a {
        Alarm::Hypotension => ("MAP", "mmHg", true),
        Alarm::UpperBodyDesaturation => ("upper-body SaO2", "%", true),
        Alarm::AorticValveClosed => ("AV opening", "%", true),
        Alarm::HighPcwp => ("PCWP", "mmHg", false),
        Alarm::RisingLungWater => ("lung water at 6 h", "mL/kg", false),
        Alarm::CardiacArrest
        | Alarm::EcmoChatter
        | Alarm::ImpellaSuction
        | Alarm::IabpTriggerLoss
        | Alarm::IabpLowAugmentation
        | Alarm::IabpTimingConflict => return None,
    })
}

fn value(f: &Forecast, a: Alarm) -> f64 {
    let b = &f.summary.beat;
    match a {
        Alarm::Hypotension => b.map_mmhg,
        Alarm::UpperBodyDesaturation => b.sao2_upper_pct,
        Alarm::AorticValveClosed => f.summary.av_opening_pct,
        Alarm::HighPcwp => b.pcwp_mmhg,
        Alarm::RisingLungWater => f.lung_water_projection_ml_kg[LUNG_PROJECTION_H],
        Alarm::CardiacArrest
        | Alarm::EcmoChatter
        | Alarm::ImpellaSuction
        | Alarm::IabpTriggerLoss
        | Alarm::IabpLowAugmentation
        | Alarm::IabpTimingConflict => f64::NAN,
    }
}

/// The considerations, most urgent first. `alarms` as from [`crate::alarms::active`] (most
/// urgent first); `forecasts` including one named [`NOW`].
pub fn considerations(alarms: &[(Alarm, String)], forecasts: &[Forecast]) -> Vec<String> {
    let now = forecasts.iter().find(|f| f.strategy == NOW);
    let mut out = Vec::new();
    for (alarm, reading) in alarms {
        let Some((what, unit, higher_better)) = endpoint(*alarm) else {
            out.push(format!(
                "{} ({reading}): {} (no forecast applies)",
                alarm.title(),
                alarm.explanation()
            ));
            continue;
        };
        let Some(now) = now else { continue };
        let base = value(now, *alarm);
        let gain = |f: &Forecast| {
            let x = value(f, *alarm);
            if higher_better { x - base } else { base - x }
        };
        let mut helping: Vec<&Forecast> = forecasts
            .iter()
            .filter(|f| f.strategy != NOW && gain(f) >= MIN_GAIN)
            .collect();
        helping.sort_by(|a, b| gain(b).total_cmp(&gain(a)));
        let named: Vec<String> = helping
            .iter()
            .take(MAX_NAMED)
            .map(|f| format!("{:.0} with {}", value(f, *alarm), f.strategy))
            .collect();
        out.push(if named.is_empty() {
            format!(
                "{} ({reading}): none of the forecast strategies moves {what} (now {base:.0} \
                 {unit}) by {MIN_GAIN:.0} {unit} or more",
                alarm.title()
            )
        } else {
            format!(
                "{} ({reading}): the model predicts {what} {} (now {base:.0} {unit})",
                alarm.title(),
                named.join(", ")
            )
        });
    }
    out
}
