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

/// Cohort patients `range` around `base`, each under every strategy, in patient order.
/// `done` is called as each patient finishes (a progress bar).
pub fn cohort(
    base: &Patient,
    seed: u64,
    range: std::ops::Range<u64>,
    strategies: &[Strategy],
    done: impl Fn() + Sync,
) -> Result<Vec<Outcome>, Error> {
    #[cfg(feature = "parallel")]
    let each = range.into_par_iter();
    #[cfg(not(feature = "parallel"))]
    let each = range;
    each.map(|i| {
        let r = cohort::run_patient(base, seed, i, strategies);
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
