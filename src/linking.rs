//! Linked devices in the page: what the link screens show, this browser's name, and the
//! history blob's trip through the relay (`PUT`/`GET /blobs/<id>`, in `pwa.js`). The engine
//! does the protocol; this turns its events into screens.

use hush_client::{Engine, Event, Store};
use hush_protocol::Rng;
use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::glue;
use crate::messenger::{Command, Messenger, Ui};

/// Where a link is, on either side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    Idle,
    /// The new browser shows its code (as text, QR and URL) and waits.
    Showing {
        code: String,
        url: String,
        qr: Option<(i32, String)>,
    },
    /// A device of the account asks the user to allow the browser that gave its name.
    Asking {
        device_name: String,
    },
    /// A step is running (what it is, for the user).
    Working(String),
    /// Finished (what happened).
    Done(String),
    /// Stopped (why).
    Failed(String),
}

/// One row of the device list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DeviceRow {
    pub(crate) id: u32,
    pub(crate) name: String,
    /// When it was linked (ms since the epoch; 0 for the account's first device).
    pub(crate) linked_ms: u64,
    /// The browser this page runs in.
    pub(crate) this: bool,
    /// When it was last connected, as the relay said (ms since the epoch; 0 if unknown).
    pub(crate) last_active_ms: u64,
}

/// The account's devices as the engine last verified them.
pub(crate) fn devices<S: Store, R: Rng>(engine: &Engine<S, R>) -> Vec<DeviceRow> {
    let me = engine.account().map(|a| a.device_id);
    engine
        .own_devices()
        .map(|list| {
            list.devices
                .iter()
                .map(|d| DeviceRow {
                    id: d.device_id,
                    name: d.name.clone(),
                    linked_ms: d.linked_ms,
                    this: Some(d.device_id) == me,
                    last_active_ms: engine.last_active(d.device_id),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// "Chrome on Linux": what this browser is called in the account's device list.
pub(crate) fn browser_name() -> String {
    glue::call("hushDevice", "name", &JsValue::UNDEFINED)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "Browser".to_owned())
}

/// The link code in this page's URL (`/?link=<code>`), opened by scanning a QR code.
pub(crate) fn code_in_url() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let code = search.strip_prefix("?link=")?;
    (!code.is_empty() && code.len() <= 64).then(|| code.to_owned())
}

/// What the new browser shows for `code`.
pub(crate) fn showing(code: &str) -> Link {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let url = format!("{origin}/?link={}", code.replace(' ', "-"));
    Link::Showing {
        code: code.to_owned(),
        qr: crate::ui::qr_svg_path(url.as_bytes()),
        url,
    }
}

fn hex(id: &[u8; 32]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shows a link event; the history's upload and download run beside the engine and come back
/// as commands.
pub(crate) fn show(ui: Ui, messenger: Messenger, event: Event) {
    match event {
        Event::LinkOpened { .. } => {}
        Event::LinkRequest { device_name } => ui.link.set(Link::Asking { device_name }),
        Event::UploadHistory { id, blob } => {
            let size = blob.len().div_ceil(1024);
            ui.link
                .set(Link::Working(format!("Sending your history ({size} KB)…")));
            leptos::task::spawn_local(async move {
                let argument = Array::of2(
                    &JsValue::from_str(&hex(&id)),
                    &Uint8Array::from(blob.as_slice()),
                );
                let ok = glue::call_async("hushBlobs", "put", &argument)
                    .await
                    .ok()
                    .and_then(|v| v.as_bool())
                    == Some(true);
                messenger.tell(Command::HistoryUploaded(ok));
            });
        }
        Event::LinkDone { device_name } => {
            ui.link.set(Link::Done(format!("{device_name} is linked.")));
        }
        Event::LinkFailed(why) => ui.link.set(Link::Failed(why)),
        Event::Linked { history } => match history {
            Some(history) => {
                let size = (history.size as usize).div_ceil(1024);
                ui.link.set(Link::Working(format!(
                    "Receiving your history ({size} KB)…"
                )));
                leptos::task::spawn_local(async move {
                    let id = JsValue::from_str(&hex(&history.blob));
                    let blob = glue::call_async("hushBlobs", "get", &id)
                        .await
                        .ok()
                        .map(|bytes| Uint8Array::new(&bytes).to_vec());
                    messenger.tell(Command::ImportHistory { history, blob });
                });
            }
            None => messenger.tell(Command::Linked),
        },
        _ => {}
    }
}
