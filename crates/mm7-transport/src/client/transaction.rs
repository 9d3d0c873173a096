//! TransactionIDs for requests whose caller gave none.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new TransactionID, unique within the process (a counter) and, with overwhelming
/// likelihood, across processes and restarts (the time in microseconds and 64 random bits):
/// `mm7-<time>-<random>-<counter>`, in lowercase hexadecimal, at most 50 characters.
///
/// ```
/// let a = mm7_transport::client::new_transaction_id();
/// let b = mm7_transport::client::new_transaction_id();
/// assert_ne!(a, b);
/// assert!(a.starts_with("mm7-") && a.len() <= 50);
/// ```
pub fn new_transaction_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    // 64 bits from the operating system's generator. Should it fail (no entropy source at
    // all), time and counter alone still keep the ID unique within the process.
    let random = getrandom::u64().unwrap_or(0);
    format!("mm7-{micros:x}-{random:016x}-{n:x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn unique_across_threads() {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..2000).map(|_| new_transaction_id()).collect::<Vec<_>>())
            })
            .collect();
        let mut seen = HashSet::new();
        for handle in handles {
            for id in handle.join().unwrap_or_default() {
                assert!(id.is_ascii() && id.len() <= 50, "{id}");
                assert!(seen.insert(id));
            }
        }
        assert_eq!(seen.len(), 8000);
    }
}
