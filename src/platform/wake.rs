//! The service worker's side of Hush: woken by a push while no tab owns the engine, it does
//! what a tab would (open the database, connect, authenticate, receive and commit the queued
//! envelopes, ack them, send the delivery receipts) and says what to notify.
//!
//! The service worker calls [`wake`] holding the same Web Lock as the tabs (`hush-owner`), so
//! a tab and the worker never write ratchet state at once. It runs in a separate wasm binary
//! (`src/bin/hush-worker.rs`): none of this is in the page's first load.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::future::{select, Either};
use futures::StreamExt;
use hush_client::notices::{notices, Notice};
use hush_client::{ChatId, Engine, Event, Kind, MessageId, Store};
use rand_core::OsRng;
use wasm_bindgen::prelude::*;

use super::backoff::Backoff;
use super::clock;
use super::relay::Relay;
use super::timer::{function_of, set_timeout, sleep};
use crate::inbox;
use crate::status::ConnectionStatus;
use crate::store::{IdbStore, DATABASE};

/// A wake-up that has not read the queue by then stops reading (what was committed stays): a
/// push event may not hold the worker, or the tabs' lock, for long.
const WAKE_LIMIT_MS: i32 = 25_000;

/// A wake-up still not done by then (stuck anywhere, not only reading) gives up, saying where.
const GIVE_UP_MS: i32 = 28_000;

/// What a wake-up found: what to notify, and notifications to withdraw.
pub struct Woken {
    /// One notice per chat with new messages (muted chats left out).
    pub notices: Vec<Notice>,
    /// Messages deleted or expired, by chat: their notifications go.
    pub withdrawn: Vec<(ChatId, Vec<MessageId>)>,
}

/// Receives what waits on the relay and returns one notice per chat with new messages (muted
/// chats left out; a message deleted in the same wake-up is not announced) and the messages
/// whose notifications go. An error means nothing could be read: the caller shows a generic
/// notice. Each step is said on the worker's console, so a wake-up that never notifies tells
/// where it stopped.
pub async fn wake(relay_url: &str) -> Result<Woken, String> {
    let step = Rc::new(Cell::new("opening the store"));
    let work = std::pin::pin!(receive_and_notice(relay_url, Rc::clone(&step)));
    match select(work, std::pin::pin!(sleep(GIVE_UP_MS))).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => Err(format!(
            "gave up after {} s, still {}",
            GIVE_UP_MS / 1000,
            step.get()
        )),
    }
}

/// Says what the wake-up does now, on the console and in `step`.
fn enter(step: &Cell<&'static str>, now: &'static str) {
    step.set(now);
    say(&format!("Hush: wake: {now}"));
}

async fn receive_and_notice(
    relay_url: &str,
    step: Rc<Cell<&'static str>>,
) -> Result<Woken, String> {
    enter(&step, "opening the store");
    let store = IdbStore::open(DATABASE).await.map_err(|e| e.to_string())?;
    let mut engine = Engine::open(store, OsRng)
        .await
        .map_err(|e| e.to_string())?;
    engine.set_brief();
    if !engine.account().is_some_and(|a| a.registered) {
        return Ok(Woken {
            notices: Vec::new(),
            withdrawn: Vec::new(),
        });
    }
    enter(&step, "connecting to the relay");
    let (relay, mut frames) = connect(relay_url);
    let mut events: Vec<Event> = Vec::new();
    let mut drained = false;
    while let Some(first) = frames.next().await {
        enter(&step, "receiving");
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
    enter(
        &step,
        if drained {
            "done: the queue was read"
        } else {
            "done: the connection ended"
        },
    );
    if !drained && events.is_empty() {
        return Err("the relay closed the connection before the queue was read".to_owned());
    }
    enter(&step, "reading names and muted chats");
    let names = engine.store().names().await.map_err(|e| e.to_string())?;
    let muted = engine.store().muted().await.map_err(|e| e.to_string())?;
    let withdrawn = gone(engine.store(), &events).await?;
    // A message deleted (or expired) by the time it would be announced is not.
    events.retain(
        |e| !matches!(e, Event::Message(m) if withdrawn.iter().any(|(_, ids)| ids.contains(&m.id))),
    );
    let me = engine.account().map(|a| a.name.clone());
    Ok(Woken {
        notices: notices(&events, &names, &muted, None, me.as_ref()),
        withdrawn,
    })
}

/// The messages `events` amended that are now deleted (for everyone or for us) or expired,
/// by chat.
async fn gone(
    store: &impl Store,
    events: &[Event],
) -> Result<Vec<(ChatId, Vec<MessageId>)>, String> {
    let mut gone: Vec<(ChatId, Vec<MessageId>)> = Vec::new();
    for event in events {
        let Event::Amended { chat, id } = event else {
            continue;
        };
        let message = store.message(id).await.map_err(|e| e.to_string())?;
        if !message.is_some_and(|m| matches!(m.kind, Kind::Deleted | Kind::Hidden)) {
            continue;
        }
        match gone.iter_mut().find(|(c, _)| c == chat) {
            Some((_, ids)) => ids.push(*id),
            None => gone.push((chat.clone(), vec![*id])),
        }
    }
    Ok(gone)
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

/// Runs `end` after [`WAKE_LIMIT_MS`].
fn give_up_later(end: impl FnOnce() + 'static) {
    set_timeout(Closure::once_into_js(end), WAKE_LIMIT_MS);
}

/// `console.info(line)` in the worker (what the e2e tests' trace records).
fn say(line: &str) {
    let console = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("console"));
    if let Some(info) = console.ok().and_then(|c| function_of(&c, "info")) {
        let _ = info.call1(&JsValue::NULL, &JsValue::from_str(line));
    }
}
