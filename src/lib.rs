//! Hush in the browser: the Leptos UI and the browser adapters (WebSocket, IndexedDB, the
//! service worker's engine) around the `hush-client` engine.
//!
//! Everything that touches the DOM only exists on wasm32; pure logic such as [`backoff`] also
//! builds natively so its unit tests run with the rest of the workspace.

pub mod backoff;
pub mod status;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod groups;
#[cfg(target_arch = "wasm32")]
mod linking;
#[cfg(target_arch = "wasm32")]
mod messenger;
#[cfg(target_arch = "wasm32")]
mod owner;
#[cfg(target_arch = "wasm32")]
pub mod push;
#[cfg(target_arch = "wasm32")]
pub mod relay;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
mod ui;
#[cfg(target_arch = "wasm32")]
pub mod wake;

/// Mounts the Hush app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn mount() {
    leptos::mount::mount_to_body(app::App);
}
