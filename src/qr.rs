//! QR codes drawn as one SVG path (a square per dark module), for safety numbers and link
//! codes.

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of light margin around the code (the standard's quiet zone).
const QUIET: i32 = 4;

/// A QR code: its width in modules, quiet zone included, and the SVG path of its dark
/// modules. `None` if the bytes are too many for any QR version (never for a safety number).
pub(crate) fn svg_path(bytes: &[u8]) -> Option<(i32, String)> {
    let code = QrCode::encode_binary(bytes, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::with_capacity((size * size * 6) as usize);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some((size + 2 * QUIET, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_safety_number_payload_becomes_a_code_with_its_finder_patterns() {
        let payload = [7u8; 66];
        let (width, path) = svg_path(&payload).expect("66 bytes fit a QR code");
        let size = width - 2 * QUIET;
        assert!((21..=177).contains(&size) && size % 4 == 1, "size {size}");
        // The top-left finder pattern: a dark 7×7 ring, its corners included.
        for (x, y) in [(0, 0), (6, 0), (0, 6), (6, 6), (3, 0)] {
            let square = format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET);
            assert!(path.contains(&square), "module {x},{y} is dark");
        }
        // Its light ring inside.
        let light = format!("M{} {}h1v1h-1z", 1 + QUIET, 1 + QUIET);
        assert!(!path.contains(&light));
        assert_ne!(svg_path(&[1u8; 66]).map(|c| c.1), Some(path));
    }
}
