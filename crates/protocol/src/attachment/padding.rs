//! Padding, so the relay (which sees a blob's size) learns only a size bucket, not the file's
//! size. What the stream seals is the file *framed*:
//!
//! ```text
//! file length (u64, big-endian) ‖ the file ‖ zero bytes up to padmé(8 + file length)
//! ```
//!
//! The length comes first, inside the first chunk, so it is authenticated with the stream and
//! a decryptor streaming the file knows from its first chunk where the file ends: it passes on
//! the file's bytes and checks the rest are zero, holding back nothing. A framing whose length
//! does not pad to exactly the stream's length, or whose padding is not zero, is refused, so
//! one file has one encryption (under one key).
//!
//! Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication
//! with PURBs", 2019): a length L is rounded up so that only its top ⌊log₂ ⌊log₂ L⌋⌋ + 1 bits may
//! be set. The overhead is at most 12 % (less as files grow), and a file of L bytes hides among
//! O(log log L) bits' worth of neighbours.

use super::AttachmentError;

/// The framing's length field.
pub const HEADER_LEN: usize = 8;

/// Padmé: `len` rounded up to the next length whose bits below the top
/// ⌊log₂ ⌊log₂ len⌋⌋ + 1 are zero. `None` only for lengths near `u64::MAX`.
pub fn padme(len: u64) -> Option<u64> {
    if len < 2 {
        return Some(len);
    }
    let e = 63 - len.leading_zeros(); // ⌊log₂ len⌋ ≥ 1
    let s = 32 - e.leading_zeros(); // ⌊log₂ e⌋ + 1
    let mask = (1u64 << (e - s)) - 1;
    Some(len.checked_add(mask)? & !mask)
}

/// The framed (padded) length of a file of `data_len` bytes: what the stream seals.
pub fn framed_len(data_len: u64) -> Option<u64> {
    padme(data_len.checked_add(HEADER_LEN as u64)?)
}

/// The file's length from the framing's header, checked against the stream's framed length.
pub(super) fn data_len(header: [u8; HEADER_LEN], framed: u64) -> Result<u64, AttachmentError> {
    let len = u64::from_be_bytes(header);
    match framed_len(len) {
        Some(padded) if padded == framed => Ok(len),
        _ => Err(AttachmentError::Padding),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_keeps_the_top_bits() {
        for (len, padded) in [
            (0, 0),
            (1, 1),
            (7, 7),
            (8, 8),
            (9, 10),
            (100, 104),
            (1000, 1024),
            (1025, 1088),
            (65_536, 65_536),
            (65_537, 67_584),
            (1_000_000, 1_015_808),
        ] {
            assert_eq!(padme(len), Some(padded), "{len}");
        }
        assert_eq!(padme(u64::MAX), None);
        // Padding is idempotent, monotone, and costs at most 12 %.
        for len in (2..200_000u64).step_by(97) {
            let padded = padme(len).unwrap_or(0);
            assert!(
                padded >= len && padded * 100 <= len * 112,
                "{len} -> {padded}"
            );
            assert_eq!(padme(padded), Some(padded));
        }
    }

    #[test]
    fn the_header_must_pad_to_the_stream() {
        let framed = framed_len(1000).unwrap_or(0);
        assert_eq!(data_len(1000u64.to_be_bytes(), framed), Ok(1000));
        // Another length of the same bucket says where another file would end; one of another
        // bucket does not fit this stream.
        assert_eq!(data_len(999u64.to_be_bytes(), framed), Ok(999));
        assert_eq!(
            data_len(10_000u64.to_be_bytes(), framed),
            Err(AttachmentError::Padding)
        );
        assert_eq!(
            data_len(u64::MAX.to_be_bytes(), framed),
            Err(AttachmentError::Padding)
        );
    }
}
