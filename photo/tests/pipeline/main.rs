//! The photo pipeline's tests, in one binary so that they link once.

// Shared with `examples/photo-bench.rs`, which prints the same rates on larger sets.
#[path = "../support/rates.rs"]
mod rates;

mod formats;
mod hostile;
mod quality_rates;
