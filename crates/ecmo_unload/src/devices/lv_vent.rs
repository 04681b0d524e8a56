//! LV vent: a cannula from the left ventricle (apical, or transaortic/transseptal) into the VA
//! ECMO drainage line before the pump. The pump's suction drains the LV directly; the vent's
//! flow is solved together with the ECMO circuit in [`crate::ecmo`]. It only works with ECMO
//! running. Its inlet collapses as the LV empties, like the ECMO drainage inlet.

use serde::{Deserialize, Serialize};

/// LV vent settings (`lv_vent.*` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LvVent {
    pub enabled: bool,
    pub cannula_fr: f64,
}

impl Default for LvVent {
    fn default() -> Self {
        Self {
            enabled: false,
            cannula_fr: 15.0,
        }
    }
}
