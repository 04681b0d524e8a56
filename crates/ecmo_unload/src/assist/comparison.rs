//! What a comparison of strategies shows, kept once for `compare` and the What-if tab: the
//! columns (the numbers a clinician weighs when unloading) and when a change counts as a rise
//! or a fall against "now".

use crate::engine::Summary;
use crate::forecast::{Forecast, LUNG_PROJECTION_H};

/// One compared number: its table heading and its key in the run summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub label: &'static str,
    pub key: &'static str,
    /// Decimals a table shows.
    pub decimals: usize,
}

/// The summary key of the lung water projected [`LUNG_PROJECTION_H`] hours on.
pub const LUNG_WATER_PROJECTED_KEY: &str = "lung_water_6h";
/// The keys of lactate and pH projected [`LUNG_PROJECTION_H`] hours on (also cohort endpoints).
pub const LACTATE_PROJECTED_KEY: &str = "lactate_6h_mmol_l";
pub const PH_PROJECTED_KEY: &str = "ph_6h";

/// Where the slow states stand [`LUNG_PROJECTION_H`] hours on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AtHorizon {
    pub lung_water_ml_kg: f64,
    pub lactate_mmol_l: f64,
    pub ph: f64,
}

impl AtHorizon {
    /// Not a number where the forecast was not projected that far (`--horizon-h 0`).
    pub fn of_forecast(f: &Forecast) -> Self {
        let at = |v: &[f64]| v.get(LUNG_PROJECTION_H).copied().unwrap_or(f64::NAN);
        AtHorizon {
            lung_water_ml_kg: at(&f.lung_water_projection_ml_kg),
            lactate_mmol_l: at(&f.lactate_projection_mmol_l),
            ph: at(&f.ph_projection),
        }
    }
}

/// The compared columns, in table order.
pub const COLUMNS: [Column; 12] = [
    Column {
        label: "MAP",
        key: "map_mmhg",
        decimals: 1,
    },
    Column {
        label: "LVEDP",
        key: "lvedp_mmhg",
        decimals: 1,
    },
    Column {
        label: "PCWP",
        key: "pcwp_mmhg",
        decimals: 1,
    },
    Column {
        label: "AV open %",
        key: "av_opening_pct",
        decimals: 1,
    },
    Column {
        label: "CO native",
        key: "native_co_l_min",
        decimals: 1,
    },
    Column {
        label: "total flow",
        key: "total_flow_l_min",
        decimals: 1,
    },
    Column {
        label: "MVO2",
        key: "mvo2_ml_min",
        decimals: 1,
    },
    Column {
        label: "CPP",
        key: "coronary_perfusion_mmhg",
        decimals: 1,
    },
    Column {
        label: "SaO2 upper",
        key: "sao2_upper_pct",
        decimals: 1,
    },
    Column {
        label: "EVLWI 6 h",
        key: LUNG_WATER_PROJECTED_KEY,
        decimals: 1,
    },
    Column {
        label: "lactate 6 h",
        key: LACTATE_PROJECTED_KEY,
        decimals: 1,
    },
    Column {
        label: "pH 6 h",
        key: PH_PROJECTED_KEY,
        decimals: 2,
    },
];

/// The [`COLUMNS`] values of a summary, with the slow states projected
/// [`LUNG_PROJECTION_H`] hours on.
pub fn values(summary: &Summary, horizon: &AtHorizon) -> [f64; COLUMNS.len()] {
    let b = &summary.beat;
    [
        b.map_mmhg,
        b.lvedp_mmhg,
        b.pcwp_mmhg,
        summary.av_opening_pct,
        b.native_co_l_min,
        b.total_flow_l_min,
        b.mvo2_ml_min,
        b.coronary_perfusion_mmhg,
        b.sao2_upper_pct,
        horizon.lung_water_ml_kg,
        horizon.lactate_mmol_l,
        horizon.ph,
    ]
}

/// The [`COLUMNS`] values of a forecast.
pub fn forecast_values(f: &Forecast) -> [f64; COLUMNS.len()] {
    values(&f.summary, &AtHorizon::of_forecast(f))
}

/// A change counts as a rise or a fall when it moves this share of the value "now" (or one
/// unit, for values near zero): smaller differences are within a forecast's settling noise.
pub const CHANGE_SHARE: f64 = 0.05;

/// How a strategy's value compares with "now".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Rise,
    Fall,
    Same,
}

impl Change {
    /// `value` against `now` (a NaN on either side is no change).
    pub fn of(value: f64, now: f64) -> Self {
        let step = CHANGE_SHARE * now.abs().max(1.0);
        if value > now + step {
            Change::Rise
        } else if value < now - step {
            Change::Fall
        } else {
            Change::Same
        }
    }

    /// The table's mark: `^` a rise, `v` a fall, `=` no change.
    pub fn arrow(self) -> char {
        match self {
            Change::Rise => '^',
            Change::Fall => 'v',
            Change::Same => '=',
        }
    }
}
