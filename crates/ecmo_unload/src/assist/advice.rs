//! Considerations: what the active alarms and the what-if forecasts together suggest, as a short
//! ranked list with the reasoning and the forecast numbers. Model output for education and
//! research: phrased as what the model predicts, never as an order.

use crate::alarms::Alarm;
use crate::comparison::AtHorizon;
use crate::forecast::Forecast;

/// Name of the forecast that keeps the current settings.
pub const NOW: &str = "now";
/// At most this many strategies are named per consideration.
pub const MAX_NAMED: usize = 3;
/// A strategy is named when it moves the endpoint at least this much the right way (in the
/// endpoint's unit; pH and lactate in their own steps).
const MIN_GAIN: f64 = 1.0;
const MIN_GAIN_PH: f64 = 0.02;
const MIN_GAIN_LACTATE_MMOL_L: f64 = 0.2;
/// ECMO flow: half a litre, the step a perfusionist turns the flow by.
const MIN_GAIN_FLOW_L_MIN: f64 = 0.5;

/// What an alarm's endpoint is called, its unit, whether higher is better, the least gain
/// that counts and the decimals it is shown with.
struct Endpoint {
    what: &'static str,
    unit: &'static str,
    higher_better: bool,
    min_gain: f64,
    decimals: usize,
    /// Read at the projection's horizon: the value without a change is the patient left as it
    /// is, 6 h on ("unchanged"), not the value now.
    projected: bool,
}

const fn ep(what: &'static str, unit: &'static str, higher_better: bool) -> Endpoint {
    Endpoint {
        what,
        unit,
        higher_better,
        min_gain: MIN_GAIN,
        decimals: 0,
        projected: false,
    }
}

/// An endpoint read at the projection's horizon.
const fn at_6h(what: &'static str, unit: &'static str, higher_better: bool) -> Endpoint {
    Endpoint {
        projected: true,
        ..ep(what, unit, higher_better)
    }
}

/// The endpoint an alarm is about.
fn endpoint(a: Alarm) -> Option<Endpoint> {
    Some(match a {
        Alarm::Hypotension => ep("MAP", "mmHg", true),
        Alarm::UpperBodyDesaturation => ep("upper-body SaO2", "%", true),
        Alarm::AorticValveClosed => ep("AV opening", "%", true),
        Alarm::HighPcwp => ep("PCWP", "mmHg", false),
        Alarm::RisingLungWater => at_6h("lung water at 6 h", "mL/kg", false),
        Alarm::Acidaemia => Endpoint {
            min_gain: MIN_GAIN_PH,
            decimals: 2,
            ..at_6h("arterial pH at 6 h", "", true)
        },
        Alarm::RisingLactate => Endpoint {
            min_gain: MIN_GAIN_LACTATE_MMOL_L,
            decimals: 1,
            ..at_6h("lactate at 6 h", "mmol/L", false)
        },
        // A strategy that raises the pump's speed or its flow target forward again.
        Alarm::EcmoFlowReversed | Alarm::EcmoFlowLow => Endpoint {
            min_gain: MIN_GAIN_FLOW_L_MIN,
            decimals: 1,
            ..ep("ECMO flow", "L/min", true)
        },
        Alarm::CardiacArrest
        | Alarm::EcmoChatter
        | Alarm::ImpellaSuction
        | Alarm::Hypocapnia
        | Alarm::OxygenatorFailure
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
        Alarm::RisingLungWater => AtHorizon::of_forecast(f).lung_water_ml_kg,
        Alarm::Acidaemia => AtHorizon::of_forecast(f).ph,
        Alarm::RisingLactate => AtHorizon::of_forecast(f).lactate_mmol_l,
        Alarm::EcmoFlowReversed | Alarm::EcmoFlowLow => b.ecmo_flow_l_min,
        Alarm::CardiacArrest
        | Alarm::EcmoChatter
        | Alarm::ImpellaSuction
        | Alarm::Hypocapnia
        | Alarm::OxygenatorFailure
        | Alarm::IabpTriggerLoss
        | Alarm::IabpLowAugmentation
        | Alarm::IabpTimingConflict => f64::NAN,
    }
}

/// A strategy that lowers the MAP by more than this to below [`HARM_MAP_BELOW_MMHG`], or the
/// right hand's saturation by more than [`HARM_SAO2_DROP_PCT`], harms while it helps: it is
/// named after those that do not, with its harm (**T**: a few mmHg is within beat-to-beat
/// noise; a 5 mmHg fall of a shocked patient's MAP to within 10 of the 65 target is a change a
/// clinician acts on, a fall from 90 to 83 on ECMO is not).
pub const HARM_MAP_DROP_MMHG: f64 = 5.0;
pub const HARM_MAP_BELOW_MMHG: f64 = 75.0;
pub const HARM_SAO2_DROP_PCT: f64 = 3.0;
/// A strategy whose lactate at 6 h is this much higher than now's also harms (**T**: a rise a
/// laboratory reports, and the SCAI stages' step).
pub const HARM_LACTATE_RISE_MMOL_L: f64 = 0.5;

/// What a strategy costs besides what it helps: its fall of MAP and of the right hand's
/// saturation against `now`, in words (none: no harm).
fn harm(f: &Forecast, now: &Forecast) -> Option<String> {
    let map = now.summary.beat.map_mmhg - f.summary.beat.map_mmhg;
    let sao2 = now.summary.beat.sao2_upper_pct - f.summary.beat.sao2_upper_pct;
    let mut parts = Vec::new();
    let new_map = f.summary.beat.map_mmhg;
    let crosses = new_map < crate::alarms::MAP_LOW_MMHG
        && now.summary.beat.map_mmhg >= crate::alarms::MAP_LOW_MMHG;
    if (map > HARM_MAP_DROP_MMHG && new_map < HARM_MAP_BELOW_MMHG) || crosses {
        parts.push(format!("MAP {map:.0} mmHg lower, {new_map:.0}"));
    }
    let lactate =
        AtHorizon::of_forecast(f).lactate_mmol_l - AtHorizon::of_forecast(now).lactate_mmol_l;
    if lactate > HARM_LACTATE_RISE_MMOL_L {
        parts.push(format!("lactate at 6 h {lactate:.1} mmol/L higher"));
    }
    if sao2 > HARM_SAO2_DROP_PCT {
        parts.push(format!("upper-body SaO2 {sao2:.0} % lower"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The considerations, most urgent first. `alarms` as from [`crate::alarms::active`] (most
/// urgent first); `forecasts` including one named [`NOW`]; `running`: what runs now (the
/// advice names only what could be added or changed).
///
/// Strategies are ranked by how far they move the alarm's endpoint, those that do harm (a
/// fall of MAP or of the upper body's saturation) after those that do not.
pub fn considerations(
    alarms: &[crate::alarms::Active],
    forecasts: &[Forecast],
    running: crate::alarms::Running,
) -> Vec<String> {
    let now = forecasts.iter().find(|f| f.strategy == NOW);
    let mut out = Vec::new();
    for active in alarms {
        let (alarm, reading) = (&active.alarm, &active.reading);
        let Some(Endpoint {
            what,
            unit,
            higher_better,
            min_gain,
            decimals: d,
            projected,
        }) = endpoint(*alarm)
        else {
            out.push(format!(
                "{} ({reading}): {} (no forecast applies)",
                alarm.title(),
                alarm.explanation(running)
            ));
            continue;
        };
        let Some(now) = now else { continue };
        let base = value(now, *alarm);
        let gain = |f: &Forecast| {
            let x = value(f, *alarm);
            if higher_better { x - base } else { base - x }
        };
        let mut helping: Vec<(&Forecast, Option<String>)> = forecasts
            .iter()
            .filter(|f| f.strategy != NOW && gain(f) >= min_gain)
            .map(|f| (f, harm(f, now)))
            .collect();
        helping.sort_by(|(a, ha), (b, hb)| {
            ha.is_some()
                .cmp(&hb.is_some())
                .then(gain(b).total_cmp(&gain(a)))
        });
        let named: Vec<String> = helping
            .iter()
            .take(MAX_NAMED)
            .map(|(f, h)| {
                let cost = h.as_ref().map_or(String::new(), |h| format!(" (but {h})"));
                format!("{:.d$} with {}{cost}", value(f, *alarm), f.strategy)
            })
            .collect();
        let against = if projected { "unchanged" } else { "now" };
        out.push(if named.is_empty() {
            format!(
                "{} ({reading}): none of the forecast strategies moves {what} ({against} \
                 {base:.d$} {unit}) by {min_gain} {unit} or more",
                alarm.title()
            )
        } else {
            format!(
                "{} ({reading}): the model predicts {what} {} ({against} {base:.d$} {unit})",
                alarm.title(),
                named.join(", ")
            )
        });
    }
    out
}
