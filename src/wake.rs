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
use hush_protocol::relay::ServerFrame;
use rand_core::OsRng;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use crate::store::{IdbStore, DATABASE};

/// A wake-up that has not read the queue by then gives up (the socket closes, what was
/// committed stays): a push event may not hold the worker, or the tabs' lock, for long.
const WAKE_LIMIT_MS: i32 = 25_000;

/// Receives what waits on the relay and returns one notice per chat with new messages (muted
/// chats left out). An error means nothing could be read: the caller shows a generic notice.
pub async fn wake(relay_url: &str) -> Result<Vec<Notice>, String> {
    let store = IdbStore::open(DATABASE).await.map_err(|e| e.to_string())?;
    let mut engine = Engine::open(store, OsRng)
        .await
        .map_err(|e| e.to_string())?;
    if !engine.account().is_some_and(|a| a.registered) {
        return Ok(Vec::new());
    }
    let (socket, mut frames) = Socket::open(relay_url)?;
    let mut events: Vec<Event> = Vec::new();
    let mut drained = false;
    while let Some(first) = frames.next().await {
        let mut batch = vec![first];
        while let Ok(more) = frames.try_recv() {
            batch.push(more);
        }
        let batch: Vec<ServerFrame> = batch
            .iter()
            .filter_map(|bytes| ServerFrame::decode(bytes).ok())
            .collect();
        drained = batch.iter().any(|f| matches!(f, ServerFrame::QueueDrained));
        let out = engine
            .handle_all(batch, js_sys::Date::now() as u64)
            .await
            .map_err(|e| e.to_string())?;
        for frame in &out.frames {
            socket.send(&frame.encode());
        }
        events.extend(out.events);
        if drained {
            break;
        }
    }
    socket.close();
    if !drained && events.is_empty() {
        return Err("the relay closed the connection before the queue was read".to_owned());
    }
    let names = engine.store().names().await.map_err(|e| e.to_string())?;
    let muted = engine.store().muted().await.map_err(|e| e.to_string())?;
    Ok(notices(&events, &names, &muted, None))
}

/// Closes `socket` after [`WAKE_LIMIT_MS`] (a worker has no `window`: `setTimeout` is the
/// global scope's).
fn give_up_later(socket: &WebSocket) {
    let socket = socket.clone();
    let close = Closure::once_into_js(move || {
        let _ = socket.close();
    });
    let set_timeout = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(set_timeout) = set_timeout {
        let _ = set_timeout.call2(&JsValue::NULL, &close, &JsValue::from(WAKE_LIMIT_MS));
    }
}

/// One WebSocket to the relay for one wake-up: no reconnecting, frames handed over in order,
/// the stream ending when the socket closes.
struct Socket {
    socket: WebSocket,
    _handlers: [Closure<dyn FnMut(JsValue)>; 2],
}

impl Socket {
    fn open(url: &str) -> Result<(Self, UnboundedReceiver<Vec<u8>>), String> {
        let socket = WebSocket::new(url).map_err(|_| format!("cannot connect to {url}"))?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let (frames, received) = unbounded();
        let frames = Rc::new(RefCell::new(Some(frames)));
        let on_message = {
            let frames = Rc::clone(&frames);
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let data = event.unchecked_into::<MessageEvent>().data();
                if let (Some(buffer), Some(frames)) = (
                    data.dyn_ref::<js_sys::ArrayBuffer>(),
                    frames.borrow().as_ref(),
                ) {
                    let _ = frames.unbounded_send(js_sys::Uint8Array::new(buffer).to_vec());
                }
            })
        };
        // Closing ends the stream (an error is always followed by a close).
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            frames.borrow_mut().take();
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        give_up_later(&socket);
        Ok((
            Self {
                socket,
                _handlers: [on_message, on_close],
            },
            received,
        ))
    }

    fn send(&self, frame: &[u8]) {
        // A frame that cannot go is sent again by the next connection (the outbox keeps it).
        let _ = self.socket.send_with_u8_array(frame);
    }

    /// Closes after what was sent (the browser flushes it first).
    fn close(&self) {
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}
