//! Recording a voice note in the composer: `Record voice note` (shown while the text box is
//! empty) starts the microphone; a running timer, `Stop recording` and `Cancel recording`
//! show meanwhile; once stopped, `Send voice note` sends it (`Cancel recording` still drops
//! it). Held down instead of clicked, it records until let go and then sends
//! (`hold.rs`). It stops by itself at [`MAX_VOICE_MS`]. The recorder's script loads on first use.
//! The timer starts with the microphone's first sound; if the microphone sends none, or
//! nothing was recorded, the conversation's alert says so.

use hush_client::ChatId;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::command::{Command, Messenger};
use crate::platform::timer::sleep;
use crate::platform::voice::{self, Recording};
use crate::runner::{MAX_VOICE_BYTES, MAX_VOICE_MS};
use crate::state::Ui;
use crate::text;
use crate::ui::time::{duration, now};

/// How often the timer is redrawn (and the recorder asked whether it stopped by itself).
const TICK_MS: i32 = 250;

/// Where the voice note being made is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Idle,
    Starting,
    Recording,
    Stopping,
    Recorded,
}

/// A voice note being made: its stage, how long it is, the chat it is for and, once stopped,
/// the recording itself (kept out of the reactive graph).
#[derive(Clone, Copy)]
pub(super) struct Recorder {
    pub(super) stage: RwSignal<Stage>,
    elapsed_ms: RwSignal<u32>,
    /// Counts the recordings started. A task of an earlier one (its timer asleep, its stop
    /// awaited) acts only while that recording is still the one being made: a timer left
    /// over from the last note would otherwise count on, and stop, the next.
    take: StoredValue<u32>,
    to: StoredValue<Option<ChatId>>,
    recorded: StoredValue<Option<Recording>>,
    /// Sent as soon as it stops (a held `Record voice note` was let go).
    send_when_stopped: StoredValue<Option<Messenger>>,
}

impl Recorder {
    pub(super) fn new() -> Self {
        Self {
            stage: RwSignal::new(Stage::Idle),
            elapsed_ms: RwSignal::new(0),
            take: StoredValue::new(0),
            to: StoredValue::new(None),
            recorded: StoredValue::new(None),
            send_when_stopped: StoredValue::new(None),
        }
    }

    /// Whether recording `take` is the one being made and at `stage`.
    fn is_at(self, take: u32, stage: Stage) -> bool {
        self.take.try_get_value() == Some(take) && self.stage.try_get_untracked() == Some(stage)
    }

    /// `Record voice note`: asks for the microphone and records for the open chat.
    pub(super) fn start(self, ui: Ui) {
        let Some(to) = ui.current.get_untracked() else {
            return;
        };
        let take = self
            .take
            .try_get_value()
            .unwrap_or_default()
            .wrapping_add(1);
        self.take.set_value(take);
        self.to.set_value(Some(to));
        self.elapsed_ms.set(0);
        self.stage.set(Stage::Starting);
        spawn_local(async move {
            let started = voice::start(MAX_VOICE_MS, MAX_VOICE_BYTES).await;
            if !self.is_at(take, Stage::Starting) {
                // Cancelled while the microphone was being asked for.
                if started.is_ok() && self.take.try_get_value() == Some(take) {
                    voice::cancel();
                }
                return;
            }
            match started {
                Ok(()) => {
                    self.stage.set(Stage::Recording);
                    self.run_timer(ui, take).await;
                }
                Err(why) => {
                    ui.problem.set(Some(text::cannot_record(why)));
                    self.stage.set(Stage::Idle);
                }
            }
        });
    }

    /// Counts the time recorded until recording `take` stops; stops it at the limit, or when
    /// the recorder stopped by itself.
    async fn run_timer(self, ui: Ui, take: u32) {
        let started = now();
        while self.is_at(take, Stage::Recording) {
            let elapsed = (now() - started).clamp(0.0, f64::from(MAX_VOICE_MS)) as u32;
            self.elapsed_ms.set(elapsed);
            if elapsed >= MAX_VOICE_MS || !voice::active() {
                self.stop(ui);
                return;
            }
            sleep(TICK_MS).await;
        }
    }

    /// `Stop recording`: the recording is kept until sent or cancelled; if there is none
    /// (nothing was recorded), the composer says why.
    pub(super) fn stop(self, ui: Ui) {
        let take = self.take.try_get_value().unwrap_or_default();
        if self.stage.get_untracked() != Stage::Recording {
            return;
        }
        self.stage.set(Stage::Stopping);
        spawn_local(async move {
            let stopped = voice::stop().await;
            if !self.is_at(take, Stage::Stopping) {
                return;
            }
            match stopped {
                Ok(recording) => {
                    self.elapsed_ms.set(recording.duration_ms);
                    self.recorded.set_value(Some(recording));
                    self.stage.set(Stage::Recorded);
                    if let Some(messenger) = self
                        .send_when_stopped
                        .try_update_value(Option::take)
                        .flatten()
                    {
                        self.send(messenger);
                    }
                }
                Err(why) => {
                    ui.problem.set(Some(text::could_not_keep_voice_note(why)));
                    self.stage.set(Stage::Idle);
                }
            }
        });
    }

    /// `Cancel recording` (or the chat closed): nothing is sent.
    pub(super) fn cancel(self) {
        voice::cancel();
        self.recorded.set_value(None);
        self.send_when_stopped.set_value(None);
        self.stage.set(Stage::Idle);
    }

    /// A held `Record voice note` let go: the note goes as soon as it is recorded (if the
    /// microphone never started, there is nothing to send).
    pub(super) fn finish(self, ui: Ui, messenger: Messenger) {
        match self.stage.get_untracked() {
            Stage::Recording => {
                self.send_when_stopped.set_value(Some(messenger));
                self.stop(ui);
            }
            Stage::Stopping => self.send_when_stopped.set_value(Some(messenger)),
            Stage::Recorded => self.send(messenger),
            Stage::Starting => self.cancel(),
            Stage::Idle => {}
        }
    }

    /// `Send voice note`.
    fn send(self, messenger: Messenger) {
        let recording = self.recorded.try_update_value(Option::take).flatten();
        let to = self.to.try_update_value(Option::take).flatten();
        self.stage.set(Stage::Idle);
        if let (Some(to), Some(recording)) = (to, recording) {
            messenger.tell(Command::SendVoice { to, recording });
        }
    }
}

/// A microphone.
pub(super) fn microphone() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path
                fill="currentColor"
                d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z"
            ></path>
        </svg>
    }
}

/// The composer while a voice note is being made: its timer and what can be done with it.
#[component]
pub(super) fn RecordingBar(recorder: Recorder) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let stage = recorder.stage;
    let shown = move || duration(u64::from(recorder.elapsed_ms.get() / 1000));
    // The next control takes the focus as the stage moves on (the one pressed is gone).
    let next = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        stage.track();
        if let Some(button) = next.get() {
            let _ = button.focus();
        }
    });
    let said = move || match stage.get() {
        Stage::Recorded => text::voice_note_recorded(&shown()),
        Stage::Starting => text::STARTING_THE_MICROPHONE.to_owned(),
        _ => text::RECORDING_A_VOICE_NOTE.to_owned(),
    };
    view! {
        <div class="recorder" role="group" aria-label=text::VOICE_NOTE>
            <span class="recording-dot" class:live=move || stage.get() == Stage::Recording aria-hidden="true"></span>
            <span class="record-timer" role="timer">{shown}</span>
            <span class="visually-hidden" role="status">{said}</span>
            <button type="button" class="cancel-recording" on:click=move |_| recorder.cancel()>
                {text::CANCEL_RECORDING}
            </button>
            {move || if stage.get() == Stage::Recorded {
                view! {
                    <button type="button" class="send-voice" node_ref=next on:click=move |_| recorder.send(messenger)>
                        {text::SEND_VOICE_NOTE}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="stop-recording"
                        node_ref=next
                        disabled=move || stage.get() != Stage::Recording
                        on:click=move |_| recorder.stop(ui)
                    >
                        {text::STOP_RECORDING}
                    </button>
                }.into_any()
            }}
        </div>
    }
}
