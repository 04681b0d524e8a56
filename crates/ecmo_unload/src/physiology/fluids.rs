//! Fluids: a bolus (or removal: diuresis, ultrafiltration) of a volume over a time, as an order
//! at the bedside is given. Fluid enters the upper-body veins (a central line) and leaves the
//! lower-body veins (the kidneys); it changes the blood volume, and the engine accounts for it so
//! conservation can still be checked.

use crate::error::Error;

/// The largest single order (either way), and the longest time to give it over.
pub const MAX_ORDER_ML: f64 = 5000.0;
pub const MAX_ORDER_S: f64 = 24.0 * 3600.0;
/// The shortest order: a push over one second (shorter would move a litre within a few steps).
pub const MIN_ORDER_S: f64 = 1.0;

/// A fluid order as written `ML:MINUTES` (`run --fluid`, a scenario's `fluid` action): (mL,
/// seconds); `None` if it is not two numbers.
pub fn parse_order(text: &str) -> Option<(f64, f64)> {
    let (ml, min) = text.split_once(':')?;
    let ml: f64 = ml.trim().parse().ok()?;
    let min: f64 = min.trim().parse().ok()?;
    Some((ml, crate::units::s_from_min(min)))
}

/// The running fluid order.
#[derive(Clone, Debug, Default)]
pub struct Fluids {
    rate_ml_s: f64,
    remaining_s: f64,
    /// Net volume given since t = 0 (negative: removed).
    pub given_ml: f64,
}

impl Fluids {
    /// Give `volume_ml` (negative to remove) over `duration_s`; replaces any running order.
    pub fn order(&mut self, volume_ml: f64, duration_s: f64) -> Result<(), Error> {
        Self::check_order(volume_ml, duration_s)?;
        self.rate_ml_s = volume_ml / duration_s;
        self.remaining_s = duration_s;
        Ok(())
    }

    /// An order's volume and duration inside their ranges ([`MAX_ORDER_ML`], [`MIN_ORDER_S`] to
    /// [`MAX_ORDER_S`]), or the error naming the range.
    pub fn check_order(volume_ml: f64, duration_s: f64) -> Result<(), Error> {
        if !(volume_ml.is_finite() && volume_ml.abs() <= MAX_ORDER_ML) {
            return Err(Error::OutOfRange {
                key: "fluid volume".into(),
                value: volume_ml,
                min: -MAX_ORDER_ML,
                max: MAX_ORDER_ML,
                unit: "mL",
            });
        }
        if !(duration_s.is_finite() && (MIN_ORDER_S..=MAX_ORDER_S).contains(&duration_s)) {
            return Err(Error::OutOfRange {
                key: "fluid duration".into(),
                value: duration_s,
                min: MIN_ORDER_S,
                max: MAX_ORDER_S,
                unit: "s",
            });
        }
        Ok(())
    }

    /// Is an order running?
    pub fn running(&self) -> bool {
        self.remaining_s > 0.0
    }

    /// End the running order if it would take the blood volume past `range_ml` (a volume set
    /// meanwhile, `blood_volume_ml=...`, moves the start it was checked against).
    pub fn stop_at(&mut self, blood_ml: f64, range_ml: std::ops::RangeInclusive<f64>) {
        let past = (self.rate_ml_s > 0.0 && blood_ml >= *range_ml.end())
            || (self.rate_ml_s < 0.0 && blood_ml <= *range_ml.start());
        if past {
            self.remaining_s = 0.0;
        }
    }

    /// Move this step's fluid into the upper veins or out of the lower veins; returns the
    /// volume moved (never more than the lower veins hold).
    #[inline]
    pub fn step(&mut self, dt_s: f64, upper_veins_ml: &mut f64, lower_veins_ml: &mut f64) -> f64 {
        if self.remaining_s <= 0.0 {
            return 0.0;
        }
        let h = dt_s.min(self.remaining_s);
        self.remaining_s -= h;
        let dv = self.rate_ml_s * h;
        let moved = if dv >= 0.0 {
            *upper_veins_ml += dv;
            dv
        } else {
            let out = (-dv).min(*lower_veins_ml);
            *lower_veins_ml -= out;
            -out
        };
        self.given_ml += moved;
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_runs_at_its_rate_for_its_time() {
        let mut f = Fluids::default();
        f.order(500.0, 600.0).unwrap();
        let (mut up, mut low) = (700.0, 2000.0);
        for _ in 0..1_300_000 {
            f.step(5e-4, &mut up, &mut low);
        }
        assert!((f.given_ml - 500.0).abs() < 1e-6 && (up - 1200.0).abs() < 1e-6 && !f.running());
        f.order(-300.0, 60.0).unwrap();
        for _ in 0..200_000 {
            f.step(5e-4, &mut up, &mut low);
        }
        assert!((low - 1700.0).abs() < 1e-6 && (f.given_ml - 200.0).abs() < 1e-6);
        assert!(f.order(f64::NAN, 60.0).is_err() && f.order(100.0, 0.0).is_err());
    }
}
