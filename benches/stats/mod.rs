//! The summary statistics of the paired benchmarks (`benches/paired.rs` and
//! `MM7_SERVER_PAIRED` in `benches/server.rs`).

/// The 25th, 50th and 75th percentiles of `values` (nearest rank); `values` is not empty.
pub(crate) fn quartiles(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}
