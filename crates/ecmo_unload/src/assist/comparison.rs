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
}

/// The summary key of the lung water projected [`LUNG_PROJECTION_H`] hours on.
pub const LUNG_WATER_PROJECTED_KEY: &str = "lung_water_6h";

/// The compared columns, in table order.
pub const COLUMNS: [Column; 10] = [
    Column {
        label: "MAP",
        key: "map_mmhg",
    },
    Column {
        label: "LVEDP",
        key: "lvedp_mmhg",
    },
    Column {
        label: "PCWP",
        key: "pcwp_mmhg",
    },
    Column {
        label: "AV open %",
        key: "av_opening_pct",
    },
    Column {
        label: "CO native",
        key: "native_co_l_min",
    },
    Column {
        label: "total flow",
        key: "total_flow_l_min",
    },
    Column {
        label: "MVO2",
        key: "mvo2_ml_min",
    },
    Column {
        label: "CPP",
        key: "coronary_perfusion_mmhg",
    },
    Column {
        label: "SaO2 upper",
        key: "sao2_upper_pct",
    },
    Column {
        label: "EVLWI 6 h",
        key: LUNG_WATER_PROJECTED_KEY,
    },
];

/// The [`COLUMNS`] values of a summary, with the lung water projected
/// [`LUNG_PROJECTION_H`] hours on (mL/kg).
pub fn values(summary: &Summary, lung_water_projected_ml_kg: f64) -> [f64; COLUMNS.len()] {
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
        lung_water_projected_ml_kg,
    ]
}

/// The [`COLUMNS`] values of a forecast.
pub fn forecast_values(f: &Forecast) -> [f64; COLUMNS.len()] {
    values(&f.summary, f.lung_water_projection_ml_kg[LUNG_PROJECTION_H])
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
