//! A voice note in its bubble: `Play voice note` / `Pause`, a seek bar named `Position`, the
//! time (its length, or where it is while played) and its waveform as bars. One plays at a
//! time ([`Ui::voice_playing`]); when one ends, the chat's next voice note plays.

use hush_client::{ChatMessage, MessageId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::media_names::LogMedia;
use crate::state::Ui;
use crate::text;
use crate::ui::time::duration;

/// Whether `message` is a voice note (audio with a waveform, as the recorder sends it).
pub(super) fn is_voice_note(message: &ChatMessage) -> bool {
    message
        .attachment
        .as_ref()
        .is_some_and(|p| p.mime.is_audio() && !p.waveform.is_empty())
}

/// The voice note after message `id` in the open chat, if any.
fn next_voice_note(ui: Ui, id: MessageId) -> Option<MessageId> {
    ui.messages.with_untracked(|all| {
        let at = all.iter().position(|m| m.id == id)?;
        all.get(at + 1..)?
            .iter()
            .find(|m| is_voice_note(m))
            .map(|m| m.id)
    })
}

/// Voice note `id`, `duration_ms` long, with its `waveform` (peaks 0-255).
#[component]
pub(super) fn VoiceNote(id: MessageId, duration_ms: u32, waveform: Vec<u8>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let audio = NodeRef::<leptos::html::Audio>::new();
    // Where it is, in tenths of a second (whole numbers: no float formatting or parsing in
    // the page's wasm, which would cost the first load kilobytes).
    let position = RwSignal::new(0u32);
    let length = duration_ms / 100;
    let playing = move || ui.voice_playing.get() == Some(id);
    // The audio follows `voice_playing` (it may arrive after Play was pressed).
    Effect::new(move |_| {
        let (Some(element), on) = (audio.get(), playing()) else {
            return;
        };
        if !on {
            let _ = element.pause();
        } else if let Ok(started) = element.play() {
            spawn_local(async move {
                // Refused (no user gesture yet, or nothing playable): not playing.
                if JsFuture::from(started).await.is_err()
                    && ui.voice_playing.get_untracked() == Some(id)
                {
                    ui.voice_playing.set(None);
                }
            });
        }
    });
    let toggle = move |_| ui.voice_playing.set((!playing()).then_some(id));
    // Several voice notes in the log are numbered, so no two controls share a name.
    let named = use_context::<LogMedia>().map(|LogMedia(names)| names);
    let voice_label = move |label: &str| match named {
        Some(names) => names.with(|names| names.voice_label(&id, label)),
        None => label.to_owned(),
    };
    let seek = move |ev| {
        let to = event_target_value(&ev)
            .parse::<u32>()
            .unwrap_or(0)
            .min(length);
        position.set(to);
        if let Some(element) = audio.get_untracked() {
            element.set_current_time(f64::from(to) / 10.0);
        }
    };
    let on_ended = move |_| {
        position.set(0);
        ui.voice_playing.set(next_voice_note(ui, id));
    };
    let on_pause = move |_| {
        if ui.voice_playing.get_untracked() == Some(id) {
            ui.voice_playing.set(None);
        }
    };
    let on_time = move |_| {
        if let Some(element) = audio.get_untracked() {
            let at = (element.current_time() * 10.0).clamp(0.0, f64::from(length));
            position.set(at as u32);
        }
    };
    let secs = |tenths: u32| duration(u64::from(tenths / 10));
    let shown = move || {
        let at = position.get();
        secs(if playing() || at > 0 { at } else { length })
    };
    let said = move || text::position_of(&secs(position.get()), &secs(length));
    let bars = waveform.len().max(1) as u64;
    let drawn = waveform
        .into_iter()
        .enumerate()
        .map(|(n, peak)| {
            let height = format!("{}%", 12 + u32::from(peak) * 88 / 255);
            // Bar n is played once the position passes its middle.
            let played = move || {
                (2 * n as u64 + 1) * u64::from(length) <= 2 * bars * u64::from(position.get())
            };
            view! { <span class="bar" class:played=played style:height=height></span> }
        })
        .collect_view();
    view! {
        <div class="voice-note">
            {move || ui.media_url(id).map(|src| view! {
                <audio
                    node_ref=audio
                    src=src
                    preload="auto"
                    on:timeupdate=on_time
                    on:ended=on_ended
                    on:pause=on_pause
                ></audio>
            })}
            <button
                type="button"
                class="play"
                class:playing=playing
                aria-label=move || if playing() { text::PAUSE.to_owned() } else { voice_label(text::PLAY_VOICE_NOTE) }
                on:click=toggle
            >
                <span aria-hidden="true">{move || if playing() { "❚❚" } else { "▶" }}</span>
            </button>
            <div class="voice-track">
                <div class="waveform" aria-hidden="true">{drawn}</div>
                <input
                    type="range"
                    class="seek"
                    aria-label=move || voice_label(text::POSITION)
                    min="0"
                    max=length
                    step="1"
                    prop:value=move || position.get()
                    aria-valuetext=said
                    on:input=seek
                />
            </div>
            <span class="voice-time">{shown}</span>
        </div>
    }
}
