//! Chest compressions (CPR). Each compression raises the pressure around everything in the chest
//! as a half-sine pulse (the thoracic pump, as Babbs, Ralston & Geddes, Ann Emerg Med
//! 1984;13:660 model it: the pulse applied to every intrathoracic compartment); the heart's
//! valves and the unequal compliances of the arteries and veins outside the chest turn it into
//! forward flow in VF or asystole. Guideline compressions (5-6 cm at 100-120/min: Kleinman et al.,
//! Circulation 2015;132:S414) then give about a quarter of a normal output and a coronary
//! perfusion pressure around 15-25 mmHg (Paradis et al., JAMA 1990;263:1106). Sources and the
//! calibration: docs/MODEL.md, section "CPR".

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Peak intrathoracic pressure per millimetre of sternal depth: 50 mm gives Beyar et al.'s
/// 50 mmHg cyclic chest pressure (Med Biol Eng Comput 1984;22:499), taken as proportional to
/// depth (compression force grows about in proportion: Tomlinson et al., Resuscitation
/// 2007;72:364).
pub const CHEST_MMHG_PER_MM: f64 = 1.0;
/// Share of each cycle spent compressing (AHA: about 50 %; Fitzgerald et al., Am J Physiol
/// 1981;241:H442 find output near its maximum from 30 to 50 %).
pub const DUTY_CYCLE: f64 = 0.5;

/// The resuscitation team's compressions: settable keys `cpr.*`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cpr {
    /// Compressions running.
    pub enabled: bool,
    /// Compressions per minute.
    pub rate_per_min: f64,
    /// Sternal compression depth.
    pub depth_mm: f64,
}

impl Default for Cpr {
    /// Off; when started, guideline compressions: 110/min, 55 mm.
    fn default() -> Self {
        Self {
            enabled: false,
            rate_per_min: 110.0,
            depth_mm: 55.0,
        }
    }
}

/// Mean intrathoracic pressure of compressions under `cpr` over their cycle (0 when off): a
/// half-sine of peak P for a share D of the cycle averages 2 P D / pi.
pub fn mean_chest_mmhg(cpr: &Cpr) -> f64 {
    if cpr.enabled {
        2.0 * CHEST_MMHG_PER_MM * cpr.depth_mm * DUTY_CYCLE / PI
    } else {
        0.0
    }
}

/// The compression cycle's state.
#[derive(Clone, Debug, Default)]
pub struct Compressions {
    /// Time into the current compression cycle.
    phase_s: f64,
    running: bool,
}

impl Compressions {
    /// Advance by `dt_s` under `cpr`; the intrathoracic pressure a compression adds at this
    /// step.
    #[inline]
    pub fn step(&mut self, cpr: &Cpr, dt_s: f64) -> f64 {
        if !cpr.enabled {
            self.running = false;
            return 0.0;
        }
        if !self.running {
            // The first compression starts now.
            self.running = true;
            self.phase_s = 0.0;
        }
        let period_s = 60.0 / cpr.rate_per_min;
        let down_s = DUTY_CYCLE * period_s;
        let thoracic_mmhg = if self.phase_s < down_s {
            CHEST_MMHG_PER_MM * cpr.depth_mm * (PI * self.phase_s / down_s).sin()
        } else {
            0.0
        };
        self.phase_s += dt_s;
        if self.phase_s >= period_s {
            self.phase_s -= period_s;
        }
        thoracic_mmhg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressions_are_half_sines_at_the_set_rate_and_depth() {
        let cpr = Cpr {
            enabled: true,
            rate_per_min: 120.0,
            depth_mm: 50.0,
        };
        let mut c = Compressions::default();
        let dt = 0.5e-3;
        let p: Vec<f64> = (0..2000).map(|_| c.step(&cpr, dt)).collect();
        let peak = p.iter().cloned().fold(0.0, f64::max);
        assert!((peak - 50.0 * CHEST_MMHG_PER_MM).abs() < 0.1, "{peak}");
        // 1 s at 120/min: two compressions, each half the cycle.
        let rises = p.windows(2).filter(|w| w[0] == 0.0 && w[1] > 0.0).count();
        assert_eq!(rises, 2, "two compressions begin in 1 s");
        let down = p.iter().filter(|&&x| x > 0.0).count() as f64 / p.len() as f64;
        assert!((down - DUTY_CYCLE).abs() < 0.01, "{down}");
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        assert!((mean - mean_chest_mmhg(&cpr)).abs() < 0.1, "{mean}");
        let mean = p.iter().sum::<f64>() / p.len() as f64;
        assert!((mean - mean_chest_mmhg(&cpr)).abs() < 0.1, "{mean}");
        let off = Cpr::default();
        assert_eq!(c.step(&off, dt), 0.0);
        assert_eq!(mean_chest_mmhg(&off), 0.0);
        assert_eq!(mean_chest_mmhg(&off), 0.0);
    }
}
