//! What every layer uses: unit conversions (`x_from_y`), the seeded random generator (cohorts and
//! AF's irregular rhythm stay reproducible), and the model's error type. They import nothing of
//! the model.

pub mod error;
pub mod random;
pub mod units;
