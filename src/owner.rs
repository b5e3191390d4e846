//! One owner per browser: only the tab holding the `hush-owner` Web Lock opens the engine, the
//! WebSocket and the database, so two tabs never write the same ratchet state. Another tab
//! offers "Use here", which steals the lock; the tab that loses it reloads into that offer.
//!
//! The service worker takes the same lock for the seconds it reads what a push announced, and
//! holds `hush-worker` too meanwhile: a tab that finds that waits for it instead of offering
//! "Use here".
//!
//! Web Locks are reached through `js_sys` (web-sys gates them behind an unstable cfg). A browser
//! without them has no way to coordinate tabs and is treated as the only one.

use futures::channel::oneshot;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

const LOCK: &str = "hush-owner";
/// Held by the service worker while it has [`LOCK`].
const WORKER_LOCK: &str = "hush-worker";

/// How a tab asks for the lock.
#[derive(Clone, Copy)]
enum Ask {
    /// Only if nobody has it.
    IfAvailable,
    /// Now, from whoever has it.
    Steal,
    /// When it is released.
    Wait,
}

/// Tries to become the owner: with `steal`, takes the lock from whichever tab has it.
/// `on_lost` runs if another tab steals it later.
pub(crate) async fn claim(steal: bool, on_lost: fn()) -> bool {
    if steal {
        return ask(Ask::Steal, on_lost).await;
    }
    ask(Ask::IfAvailable, on_lost).await || (worker_busy().await && ask(Ask::Wait, on_lost).await)
}

async fn ask(how: Ask, on_lost: fn()) -> bool {
    match request(how, on_lost) {
        Ok(Some(granted)) => granted.await.unwrap_or(false),
        Ok(None) => true,
        // A failing Web Locks call is as good as none: this tab goes on alone.
        Err(_) => true,
    }
}

/// `navigator.locks`, if the browser has Web Locks.
fn locks() -> Option<JsValue> {
    let locks = Reflect::get(&web_sys::window()?.navigator(), &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

/// Whether the service worker is the one holding the lock (it lets go within seconds).
async fn worker_busy() -> bool {
    let held = async {
        let locks = locks()?;
        let query: Function = Reflect::get(&locks, &JsValue::from_str("query"))
            .ok()?
            .dyn_into()
            .ok()?;
        let promise: Promise = query.call0(&locks).ok()?.dyn_into().ok()?;
        let state = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        let held: js_sys::Array = Reflect::get(&state, &JsValue::from_str("held"))
            .ok()?
            .dyn_into()
            .ok()?;
        Some(held.iter().any(|lock| {
            Reflect::get(&lock, &JsValue::from_str("name"))
                .ok()
                .and_then(|n| n.as_string())
                == Some(WORKER_LOCK.to_owned())
        }))
    };
    held.await.unwrap_or(false)
}

/// Starts the lock request; `None` when the browser has no Web Locks.
fn request(how: Ask, on_lost: fn()) -> Result<Option<oneshot::Receiver<bool>>, JsValue> {
    let Some(locks) = locks() else {
        return Ok(None);
    };
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request"))?.dyn_into()?;
    let options = Object::new();
    match how {
        Ask::IfAvailable => {
            Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE)?
        }
        Ask::Steal => Reflect::set(&options, &JsValue::from_str("steal"), &JsValue::TRUE)?,
        Ask::Wait => true,
    };

    let (granted, answer) = oneshot::channel::<bool>();
    // Runs once with the lock (or null when `ifAvailable` found it taken). Returning a promise
    // that never settles holds the lock for the life of the page.
    let holder = Closure::once_into_js(move |lock: JsValue| -> Promise {
        let held = !lock.is_null();
        let _ = granted.send(held);
        if held {
            Promise::new(&mut |_, _| {})
        } else {
            Promise::resolve(&JsValue::UNDEFINED)
        }
    });
    let outcome: Promise = request
        .call3(&locks, &JsValue::from_str(LOCK), &options, &holder)?
        .dyn_into()?;
    // The request's promise rejects (AbortError) when another tab steals the lock.
    let mut on_lost = Some(on_lost);
    let lost = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(on_lost) = on_lost.take() {
            on_lost();
        }
    });
    let _ = outcome.catch(&lost);
    // Lives as long as the page (the lock does too).
    lost.forget();
    Ok(Some(answer))
}
