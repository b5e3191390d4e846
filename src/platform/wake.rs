//! The service worker's side of Hush: woken by a push while no tab owns the engine, it does
//! what a tab would (open the database, connect, authenticate, receive and commit the queued
//! envelopes, ack them, send the delivery receipts) and says what to notify.
//!
//! The service worker calls [`wake`] holding the same Web Lock as the tabs (`hush-owner`), so
//! a tab and the worker never write ratchet state at once. It runs in a separate wasm binary
//! (`src/bin/hush-worker.rs`): none of this is in the page's first load.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use hush_client::notices::{notices, Notice};
use hush_client::{Engine, Event, Store};
use rand_core::OsRng;
use wasm_bindgen::prelude::*;

use super::backoff::Backoff;
use super::clock;
use super::relay::Relay;
use crate::inbox;
use crate::status::ConnectionStatus;
use crate::store::{IdbStore, DATABASE};

/// A wake-up that has not read the queue by then gives up (what was committed stays): a push
/// event may not hold the worker, or the tabs' lock, for long.
const WAKE_LIMIT_MS: i32 = 25_000;

/// Receives what waits on the relay and returns one notice per chat with new messages (muted
/// chats left out). An error means nothing could be read: the caller shows a generic notice.
pub async fn wake(relay_url: &str) -> Result<Vec<Notice>, String> {
    let store = IdbStore::open(DATABASE).await.map_err(|e| e.to_string())?;
    let mut engine = Engine::open(store, OsRng)
        .await
        .map_err(|e| e.to_string())?;
    engine.set_brief();
    if !engine.account().is_some_and(|a| a.registered) {
        return Ok(Vec::new());
    }
    let (relay, mut frames) = connect(relay_url);
    let mut events: Vec<Event> = Vec::new();
    let mut drained = false;
    while let Some(first) = frames.next().await {
        let mut batch = vec![first];
        while let Ok(more) = frames.try_recv() {
            batch.push(more);
        }
        let received = inbox::receive(&mut engine, &batch, clock::now_ms())
            .await
            .map_err(|e| e.to_string())?;
        // A frame that cannot go is sent again by the next connection (the outbox keeps it).
        relay.send_all(&received.out.frames);
        events.extend(received.out.events);
        drained = received.drained;
        if drained {
            break;
        }
    }
    // Closes the socket after what was sent (the browser flushes it first).
    drop(relay);
    if !drained && events.is_empty() {
        return Err("the relay closed the connection before the queue was read".to_owned());
    }
    let names = engine.store().names().await.map_err(|e| e.to_string())?;
    let muted = engine.store().muted().await.map_err(|e| e.to_string())?;
    Ok(notices(&events, &names, &muted, None))
}

/// The relay's frames, in order, until the connection closes or [`WAKE_LIMIT_MS`] pass. It
/// is the tabs' [`Relay`]: in a worker (no `window`) it never reconnects, which is what one
/// wake-up wants.
fn connect(url: &str) -> (Relay, UnboundedReceiver<Vec<u8>>) {
    let (frames, received) = unbounded();
    // Dropping the sender ends the stream.
    let frames = Rc::new(RefCell::new(Some(frames)));
    let end = {
        let frames = Rc::clone(&frames);
        move || drop(frames.borrow_mut().take())
    };
    let on_status = {
        let end = end.clone();
        move |status| {
            if status == ConnectionStatus::Offline {
                end();
            }
        }
    };
    let relay = Relay::connect_with_frames(url, Backoff::RELAY, on_status, move |bytes| {
        if let Some(frames) = frames.borrow().as_ref() {
            let _ = frames.unbounded_send(bytes);
        }
    });
    give_up_later(end);
    (relay, received)
}

/// Runs `end` after [`WAKE_LIMIT_MS`] (a worker has no `window`: `setTimeout` is the global
/// scope's).
fn give_up_later(end: impl FnOnce() + 'static) {
    let end = Closure::once_into_js(end);
    let set_timeout = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(set_timeout) = set_timeout {
        let _ = set_timeout.call2(&JsValue::NULL, &end, &JsValue::from(WAKE_LIMIT_MS));
    }
}
