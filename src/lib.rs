//! Hush in the browser: the Leptos UI and the browser adapters (WebSocket, IndexedDB, the
//! service worker's engine) around the `hush-client` engine.
//!
//! The shape, from the screens down:
//! - `app` and `ui/`: the components. They read [`state`]'s signals and send `command`s.
//! - `runner/`: the one task that owns the engine, serves commands and writes the state.
//! - `inbox`: frames from the relay handled as one step (the runner's and the service
//!   worker's).
//! - [`text`]: every text the app shows, in one catalogue (English for now).
//! - [`platform`]: the browser adapters (relay socket, push, Web Locks, the page), and
//!   [`store`]: the engine's storage in IndexedDB.
//!
//! Everything that touches the DOM only exists on wasm32; pure logic (the reconnect
//! [`platform::backoff`], what a [`store`] commit writes, [`status`], [`size`], [`duration`],
//! the [`links`] and [`mentions`] in a message, the log's [`runs`], what a message's [`lines`]
//! say) also builds natively so its unit tests run with the rest of the workspace.

pub mod duration;
pub mod lines;
pub mod links;
pub mod mentions;
pub mod names;
pub mod platform;
pub mod runs;
pub mod shortcuts;
pub mod size;
pub mod status;
pub mod store;
pub mod text;
pub mod unread;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod choices;
#[cfg(target_arch = "wasm32")]
mod command;
#[cfg(target_arch = "wasm32")]
mod inbox;
#[cfg(target_arch = "wasm32")]
mod qr;
#[cfg(target_arch = "wasm32")]
mod runner;
#[cfg(target_arch = "wasm32")]
mod search;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod ui;

/// Mounts the Hush app on the page's `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn mount() {
    // index.html's splash: the app draws the same in its place (app.rs's `Splash`).
    let splash = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("splash"));
    if let Some(splash) = splash {
        splash.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
