//! A QR code on screen, from the SVG path `crate::qr` draws.

use leptos::prelude::*;

/// A QR code from `crate::qr::svg_path`'s output, as an image named `label`.
#[component]
pub(crate) fn QrImage(width: i32, path: String, label: &'static str) -> impl IntoView {
    view! {
        <svg
            class="safety-qr"
            role="img"
            aria-label=label
            viewBox=format!("0 0 {width} {width}")
            shape-rendering="crispEdges"
        >
            <rect width="100%" height="100%" fill="#fff"></rect>
            <path d=path fill="#000"></path>
        </svg>
    }
}
