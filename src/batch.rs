//! Batch work on several cores: independent copies of the engine, one per strategy or patient,
//! run with rayon. The only place outside `app` that uses more than one thread; the model
//! itself stays single-threaded and deterministic, and the results come back in input order, so
//! they are identical to running them one by one.

use crate::cohort::{self, Outcome};
use crate::engine::Engine;
use crate::error::Error;
use crate::forecast::{self, Forecast, Strategy};
use crate::patient::Patient;
use rayon::prelude::*;

/// Every strategy forecast from `base`, in the order given.
pub fn forecast_all(base: &Engine, strategies: &[Strategy]) -> Result<Vec<Forecast>, Error> {
    strategies
        .par_iter()
        .map(|s| forecast::forecast(base, s))
        .collect()
}

/// Cohort patients `range` around `base`, each under every strategy, in patient order.
/// `done` is called as each patient finishes (a progress bar).
pub fn cohort(
    base: &Patient,
    seed: u64,
    range: std::ops::Range<u64>,
    strategies: &[Strategy],
    done: impl Fn() + Sync,
) -> Result<Vec<Outcome>, Error> {
    range
        .into_par_iter()
        .map(|i| {
            let r = cohort::run_patient(base, seed, i, strategies);
            done();
            r
        })
        .collect()
}

/// Threads the batch runs use (for the benchmark's report).
pub fn threads() -> usize {
    rayon::current_num_threads()
}
