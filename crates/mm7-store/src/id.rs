//! MessageIDs: unique across processes, restarts and machines without coordination.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::StoreError;

/// A new MessageID in the UUID version 7 layout (RFC 9562 §5.7): 48 bits of Unix time in
/// milliseconds, then 74 random bits from the operating system. Two processes started in the
/// same second, or one restarted, cannot hand out the same ID (a collision needs two IDs of the
/// same millisecond to share 74 random bits); the time prefix keeps IDs in arrival order.
///
/// ```
/// let a = mm7_store::new_message_id().unwrap();
/// let b = mm7_store::new_message_id().unwrap();
/// assert_ne!(a, b);
/// assert_eq!(a.len(), 36);
/// assert_eq!(&a[14..15], "7");
/// ```
///
/// # Errors
/// The operating system's random source failed.
pub fn new_message_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    bytes[6] = 0x70 | (bytes[6] & 0x0f);
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_do_not_repeat_and_keep_their_layout() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| new_message_id().unwrap()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(10) {
            assert_eq!(id.matches('-').count(), 4, "{id}");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        }
    }
}
