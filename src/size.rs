//! Sizes for people: "0 MB", "12 KB", "3.2 MB", "120 MB" (integer arithmetic only: float
//! formatting would cost the first load kilobytes of wasm).

use crate::text;

/// `bytes` in KB below a megabyte, then in MB with one decimal below ten.
pub fn readable(bytes: u64) -> String {
    match bytes {
        0 => text::megabytes(0),
        1..=999_000 => text::kilobytes(bytes.div_ceil(1000)),
        999_001..=9_900_000 => {
            let tenths = bytes.div_ceil(100_000);
            text::megabytes_and_tenths(tenths / 10, tenths % 10)
        }
        _ => text::megabytes(bytes.div_ceil(1_000_000)),
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn sizes_read_as_people_say_them() {
        let said: Vec<String> = [
            0,
            1,
            1_000,
            999_000,
            999_001,
            3_210_000,
            9_900_000,
            9_900_001,
            120_000_000,
        ]
        .into_iter()
        .map(readable)
        .collect();
        assert_eq!(
            said,
            ["0 MB", "1 KB", "1 KB", "999 KB", "1.0 MB", "3.3 MB", "9.9 MB", "10 MB", "120 MB"]
        );
    }
}
