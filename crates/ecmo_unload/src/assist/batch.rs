//! Batch work on several cores: independent copies of the engine, one per strategy or patient,
//! run with rayon (feature `parallel`; without it, one after another). The only place in the
//! model that uses more than one thread; the model itself stays single-threaded and
//! deterministic, and the results come back in input order, so they are identical to running
//! them one by one.

use crate::cohort::{self, Outcome};
use crate::engine::Engine;
use crate::error::Error;
use crate::forecast::{self, Forecast, Options, Strategy};
use crate::patient::Patient;
#[cfg(feature = "parallel")]
use rayon::prelude::*;

/// Every strategy forecast from `base`, in the order given.
pub fn forecast_all(
    base: &Engine,
    strategies: &[Strategy],
    options: &Options,
) -> Result<Vec<Forecast>, Error> {
    #[cfg(feature = "parallel")]
    let each = strategies.par_iter();
    #[cfg(not(feature = "parallel"))]
    let each = strategies.iter();
    each.map(|s| forecast::forecast_with(base, s, options))
        .collect()
}

/// Cohort patients `range`, each on its own: a patient that fails (an error, or a panic of the
/// model) is its message, and the others go on (a cluster shard must not lose its work to one
/// patient). In patient order.
pub fn cohort_each(
    base: &Patient,
    seed: u64,
    range: std::ops::Range<u64>,
    strategies: &[Strategy],
    options: &Options,
    done: impl Fn() + Sync,
) -> Vec<Result<Outcome, String>> {
    each_patient(
        range,
        |i| cohort::run_patient(base, seed, i, strategies, options),
        done,
    )
}

/// `run` for every patient of `range`, each failure (an error, or a panic) its own message.
pub fn each_patient<T: Send>(
    range: std::ops::Range<u64>,
    run: impl Fn(u64) -> Result<T, Error> + Sync,
    done: impl Fn() + Sync,
) -> Vec<Result<T, String>> {
    #[cfg(feature = "parallel")]
    let each = range.into_par_iter();
    #[cfg(not(feature = "parallel"))]
    let each = range;
    each.map(|i| {
        let r = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(i))) {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(panic) => Err(format!(
                "the model failed: {}",
                panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into())
            )),
        };
        done();
        r
    })
    .collect()
}

/// Threads the batch runs use (for the benchmark's report).
pub fn threads() -> usize {
    #[cfg(feature = "parallel")]
    return rayon::current_num_threads();
    #[cfg(not(feature = "parallel"))]
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_patient_is_its_message_and_the_others_go_on() {
        let results = each_patient(
            0..8,
            |i| match i {
                3 => panic!("patient 3 broke"),
                5 => Err(Error::Invalid {
                    key: "k".into(),
                    value: "v".into(),
                    reason: "patient 5 failed".into(),
                }),
                _ => Ok(i * 10),
            },
            || {},
        );
        assert_eq!(results.len(), 8);
        assert_eq!(results[7], Ok(70));
        assert!(results[3].as_ref().unwrap_err().contains("patient 3 broke"));
        assert!(
            results[5]
                .as_ref()
                .unwrap_err()
                .contains("patient 5 failed")
        );
    }
}
