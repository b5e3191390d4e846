//! The browser adapters: everything in the web app that calls browser APIs itself (web-sys,
//! js-sys, the page's JS glue in `public/pwa.js`), behind plain Rust functions and types. The
//! rest of the app (state, runner, screens) only calls these. The IndexedDB store is the one
//! other adapter, in `store/`.
//!
//! [`backoff`] is pure and also builds natively, so its unit tests run with the workspace.

pub mod backoff;

#[cfg(target_arch = "wasm32")]
pub(crate) mod badge;
#[cfg(target_arch = "wasm32")]
pub(crate) mod blobs;
#[cfg(target_arch = "wasm32")]
pub(crate) mod clipboard;
#[cfg(target_arch = "wasm32")]
pub(crate) mod clock;
#[cfg(target_arch = "wasm32")]
pub(crate) mod file_slices;
#[cfg(target_arch = "wasm32")]
pub(crate) mod files;
#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
pub(crate) mod media;
#[cfg(target_arch = "wasm32")]
pub(crate) mod owner;
#[cfg(target_arch = "wasm32")]
pub(crate) mod page;
#[cfg(target_arch = "wasm32")]
pub(crate) mod pending;
#[cfg(target_arch = "wasm32")]
pub(crate) mod preferences;
#[cfg(target_arch = "wasm32")]
pub mod push;
#[cfg(target_arch = "wasm32")]
pub(crate) mod pwa;
#[cfg(target_arch = "wasm32")]
pub mod relay;
#[cfg(target_arch = "wasm32")]
pub(crate) mod reveal;
#[cfg(target_arch = "wasm32")]
pub(crate) mod scan;
#[cfg(target_arch = "wasm32")]
pub(crate) mod timer;
#[cfg(target_arch = "wasm32")]
pub(crate) mod video;
#[cfg(target_arch = "wasm32")]
pub(crate) mod voice;
#[cfg(target_arch = "wasm32")]
pub mod wake;
#[cfg(target_arch = "wasm32")]
pub mod withdraw;
