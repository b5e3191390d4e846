//! Press and hold on `Record voice note`: a pointer held down on it longer than [`HOLD_MS`]
//! records (the recording bar takes the button's place) until it is let go, and then the
//! note is sent. Let go outside the recording bar, or on its `Cancel recording`, or Escape
//! pressed meanwhile: nothing is sent. A shorter press is a click (recording until `Stop
//! recording`), and so is the keyboard.

use leptos::ev::{self, KeyboardEvent, PointerEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::record::{microphone, Recorder, Stage};
use crate::command::Messenger;
use crate::platform::timer::sleep;
use crate::state::Ui;
use crate::text;

/// How long a press lasts before it is a hold (ms).
pub(super) const HOLD_MS: i32 = 300;

/// Where a press on `Record voice note` is: the number of the press going on (counted so a
/// press's hold timer acts only for that press), and whether it became a hold.
#[derive(Clone, Copy)]
pub(super) struct Hold {
    pressing: StoredValue<Option<u32>>,
    presses: StoredValue<u32>,
    held: StoredValue<bool>,
}

impl Hold {
    pub(super) fn new() -> Self {
        Self {
            pressing: StoredValue::new(None),
            presses: StoredValue::new(0),
            held: StoredValue::new(false),
        }
    }
}

/// A pointer went down on `Record voice note`: unless let go first, recording starts after
/// [`HOLD_MS`].
fn press(recorder: Recorder, hold: Hold, ui: Ui, event: &PointerEvent) {
    if event.button() != 0 || !event.is_primary() {
        return;
    }
    let number = hold.presses.get_value().wrapping_add(1);
    hold.presses.set_value(number);
    hold.pressing.set_value(Some(number));
    spawn_local(async move {
        sleep(HOLD_MS).await;
        if hold.pressing.try_get_value().flatten() != Some(number)
            || recorder.stage.try_get_untracked() != Some(Stage::Idle)
        {
            return;
        }
        hold.held.set_value(true);
        recorder.start(ui);
    });
}

/// Listens, while the composer is here, for the end of a press: a hold let go sends (or
/// cancels) its note; Escape cancels a hold.
pub(super) fn watch(recorder: Recorder, hold: Hold) {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let up = window_event_listener(ev::pointerup, move |event: PointerEvent| {
        if let_go(hold) {
            if lands_on_bar(&event) {
                recorder.finish(ui, messenger);
            } else {
                recorder.cancel();
            }
        }
    });
    let lost = window_event_listener(ev::pointercancel, move |_: PointerEvent| {
        if let_go(hold) {
            recorder.cancel();
        }
    });
    let escape = window_event_listener(ev::keydown, move |event: KeyboardEvent| {
        if event.key() == "Escape" && let_go(hold) {
            recorder.cancel();
        }
    });
    on_cleanup(move || {
        up.remove();
        lost.remove();
        escape.remove();
    });
}

/// Ends the press going on; whether it was a hold (whose note is to be dealt with), not a
/// click or no press at all.
fn let_go(hold: Hold) -> bool {
    hold.pressing.try_set_value(None);
    hold.held
        .try_update_value(|held| std::mem::replace(held, false))
        .unwrap_or(false)
}

/// Whether `event` ended over the recording bar, and not on its `Cancel recording`.
fn lands_on_bar(event: &PointerEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let within = |selector: &str| element.closest(selector).ok().flatten().is_some();
    within(".recorder") && !within(".cancel-recording")
}

/// `Record voice note`: clicked, or held down ([`press`]).
#[component]
pub(super) fn RecordButton(recorder: Recorder, hold: Hold) -> impl IntoView {
    let ui = expect_context::<Ui>();
    view! {
        <button
            type="button"
            class="record"
            aria-label=text::RECORD_VOICE_NOTE
            title=text::RECORD_VOICE_NOTE
            on:click=move |_| recorder.start(ui)
            on:pointerdown=move |ev| press(recorder, hold, ui, &ev)
            on:contextmenu=|ev| ev.prevent_default()
        >
            {microphone()}
        </button>
    }
}
