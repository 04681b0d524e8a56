//! Atrial septostomy (balloon or blade) or left-atrial decompression: an orifice in the
//! interatrial septum. Flow follows the LA-RA pressure difference through the orifice by the
//! simplified Bernoulli relation (as a regurgitant valve orifice, [`crate::valves::orifice_flow`]),
//! in either direction.

use crate::valves::orifice_flow;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Septostomy settings (`septostomy.*` keys).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Septostomy {
    /// Diameter of the defect; 0 = intact septum.
    pub diameter_mm: f64,
}

impl Septostomy {
    pub fn area_mm2(&self) -> f64 {
        PI * 0.25 * self.diameter_mm * self.diameter_mm
    }

    /// LA -> RA flow (mL/s) at the given pressures.
    #[inline]
    pub fn flow_ml_s(area_mm2: f64, la_mmhg: f64, ra_mmhg: f64) -> f64 {
        orifice_flow(area_mm2, la_mmhg - ra_mmhg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_10_mm_defect_at_5_mmhg_carries_bernoulli_flow() {
        let s = Septostomy { diameter_mm: 10.0 };
        let a = s.area_mm2();
        assert!((a - 78.54).abs() < 0.01);
        // 0.5 mL/s per mm^2 per sqrt(mmHg): 78.5 * 0.5 * sqrt(5) = 87.8 mL/s = 5.3 L/min.
        assert!((Septostomy::flow_ml_s(a, 15.0, 10.0) - 87.8).abs() < 0.1);
        assert!(
            Septostomy::flow_ml_s(a, 10.0, 15.0) < 0.0,
            "right-to-left when RA is higher"
        );
        assert_eq!(Septostomy::flow_ml_s(0.0, 20.0, 5.0), 0.0);
    }
}
