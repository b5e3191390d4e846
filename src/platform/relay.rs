//! The browser side of the relay link: one WebSocket to the relay, reopened with backoff when it
//! drops, reporting a [`ConnectionStatus`] on every change and handing over every binary frame.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use hush_protocol::relay::ClientFrame;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, Event, MessageEvent, WebSocket};

use super::backoff::Backoff;
use crate::status::ConnectionStatus;

/// A self-healing WebSocket to the relay. Dropping it stops reconnecting and closes the socket.
pub struct Relay {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    url: String,
    backoff: Backoff,
    on_status: Rc<dyn Fn(ConnectionStatus)>,
    on_frame: Rc<dyn Fn(Vec<u8>)>,
    socket: Option<WebSocket>,
    retry_timer: Option<i32>,
    closed: bool,
    handlers: Option<Handlers>,
}

/// The JS callbacks, created once and shared by every socket, so none is ever dropped while it
/// runs. Events from a socket that is no longer current are ignored.
struct Handlers {
    on_open: Closure<dyn FnMut(Event)>,
    on_close: Closure<dyn FnMut(Event)>,
    on_message: Closure<dyn FnMut(Event)>,
    on_online: Closure<dyn FnMut(Event)>,
}

impl Relay {
    /// The relay endpoint on the page's own origin (`wss:` when the page is `https:`).
    pub fn same_origin_url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = match location.protocol().ok()?.as_str() {
            "https:" => "wss",
            _ => "ws",
        };
        Some(format!("{scheme}://{}/ws", location.host().ok()?))
    }

    /// Starts connecting to `url` at once, calling `on_status` on every status change and
    /// handing every binary frame the relay sends to `on_frame`.
    pub fn connect_with_frames(
        url: impl Into<String>,
        backoff: Backoff,
        on_status: impl Fn(ConnectionStatus) + 'static,
        on_frame: impl Fn(Vec<u8>) + 'static,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            url: url.into(),
            backoff,
            on_status: Rc::new(on_status),
            on_frame: Rc::new(on_frame),
            socket: None,
            retry_timer: None,
            closed: false,
            handlers: None,
        }));
        let handlers = Handlers {
            on_open: handler(&inner, on_open),
            on_close: handler(&inner, on_close),
            on_message: handler(&inner, on_message),
            on_online: handler(&inner, on_online),
        };
        if let Some(window) = web_sys::window() {
            // Without the listener we still reconnect, just on the backoff schedule.
            let _ = window.add_event_listener_with_callback(
                "online",
                handlers.on_online.as_ref().unchecked_ref(),
            );
        }
        inner.borrow_mut().handlers = Some(handlers);
        open(&inner);
        Self { inner }
    }

    /// Sends one binary frame if the socket is open; false if it is not (the caller keeps what
    /// it wanted to send and sends it again after reconnecting).
    pub fn send(&self, frame: &[u8]) -> bool {
        let me = self.inner.borrow();
        match &me.socket {
            Some(socket) if socket.ready_state() == WebSocket::OPEN => {
                socket.send_with_u8_array(frame).is_ok()
            }
            _ => false,
        }
    }

    /// Sends what an engine step put out, in order. A closed socket drops the frames: the
    /// engine's outbox sends them again after reconnecting.
    pub fn send_all(&self, frames: &[ClientFrame]) {
        for frame in frames {
            self.send(&frame.encode());
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let mut me = self.inner.borrow_mut();
        me.closed = true;
        cancel_retry(&mut me);
        if let Some(socket) = me.socket.take() {
            detach(&socket);
            let _ = socket.close();
        }
        if let (Some(window), Some(handlers)) = (web_sys::window(), me.handlers.as_ref()) {
            let _ = window.remove_event_listener_with_callback(
                "online",
                handlers.on_online.as_ref().unchecked_ref(),
            );
        }
    }
}

fn handler(
    inner: &Rc<RefCell<Inner>>,
    f: fn(&Rc<RefCell<Inner>>, Event),
) -> Closure<dyn FnMut(Event)> {
    let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
    Closure::new(move |event: Event| {
        if let Some(inner) = weak.upgrade() {
            f(&inner, event);
        }
    })
}

fn open(inner: &Rc<RefCell<Inner>>) {
    let opened = {
        let mut me = inner.borrow_mut();
        if me.closed {
            return;
        }
        cancel_retry(&mut me);
        match WebSocket::new(&me.url) {
            Ok(socket) => {
                socket.set_binary_type(BinaryType::Arraybuffer);
                if let Some(h) = &me.handlers {
                    socket.set_onopen(Some(h.on_open.as_ref().unchecked_ref()));
                    socket.set_onclose(Some(h.on_close.as_ref().unchecked_ref()));
                    socket.set_onmessage(Some(h.on_message.as_ref().unchecked_ref()));
                }
                me.socket = Some(socket);
                true
            }
            // A malformed URL throws at once; treat it like a refused connection.
            Err(_) => false,
        }
    };
    if opened {
        notify(inner, ConnectionStatus::Connecting);
    } else {
        notify(inner, ConnectionStatus::Offline);
        schedule_retry(inner);
    }
}

fn on_open(inner: &Rc<RefCell<Inner>>, event: Event) {
    {
        let mut me = inner.borrow_mut();
        if !is_current(&me, &event) {
            return;
        }
        me.backoff.reset();
    }
    notify(inner, ConnectionStatus::Connected);
}

fn on_close(inner: &Rc<RefCell<Inner>>, event: Event) {
    {
        let mut me = inner.borrow_mut();
        if !is_current(&me, &event) {
            return;
        }
        if let Some(socket) = me.socket.take() {
            detach(&socket);
        }
    }
    notify(inner, ConnectionStatus::Offline);
    schedule_retry(inner);
}

/// The browser regained a network: waiting out the backoff would only delay the user.
fn on_online(inner: &Rc<RefCell<Inner>>, _event: Event) {
    {
        let mut me = inner.borrow_mut();
        if me.socket.is_some() || me.closed {
            return;
        }
        me.backoff.reset();
    }
    open(inner);
}

fn schedule_retry(inner: &Rc<RefCell<Inner>>) {
    let mut me = inner.borrow_mut();
    if me.closed || me.retry_timer.is_some() {
        return;
    }
    let delay = me.backoff.next_delay(js_sys::Math::random());
    let weak = Rc::downgrade(inner);
    // `once_into_js` frees the closure after it runs, so the timer needs no bookkeeping.
    let retry = Closure::once_into_js(move || {
        if let Some(inner) = weak.upgrade() {
            inner.borrow_mut().retry_timer = None;
            open(&inner);
        }
    });
    let millis = i32::try_from(delay.as_millis()).unwrap_or(i32::MAX);
    me.retry_timer = web_sys::window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), millis)
            .ok()
    });
}

fn cancel_retry(me: &mut Inner) {
    if let (Some(id), Some(window)) = (me.retry_timer.take(), web_sys::window()) {
        window.clear_timeout_with_handle(id);
    }
}

fn is_current(me: &Inner, event: &Event) -> bool {
    match (&me.socket, event.target()) {
        (Some(socket), Some(target)) => {
            let (socket, target): (&JsValue, &JsValue) = (socket.as_ref(), target.as_ref());
            socket == target
        }
        _ => false,
    }
}

fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onclose(None);
    socket.set_onmessage(None);
}

fn on_message(inner: &Rc<RefCell<Inner>>, event: Event) {
    let on_frame = {
        let me = inner.borrow();
        if !is_current(&me, &event) {
            return;
        }
        Rc::clone(&me.on_frame)
    };
    let Some(message) = event.dyn_ref::<MessageEvent>() else {
        return;
    };
    // Binary frames only (the relay sends nothing else); a text frame is ignored.
    if let Some(buffer) = message.data().dyn_ref::<js_sys::ArrayBuffer>() {
        on_frame(js_sys::Uint8Array::new(buffer).to_vec());
    }
}

fn notify(inner: &Rc<RefCell<Inner>>, status: ConnectionStatus) {
    // Called with no borrow held, so the callback may do anything.
    let on_status = Rc::clone(&inner.borrow().on_status);
    on_status(status);
}
