//! Linked devices: what the link screens show, the history blob's trip through the relay, and
//! wiping this browser when another device unlinks it. The engine does the protocol; this
//! turns its events into screens.

use hush_client::error::DeviceActionError;
use hush_client::{EngineError, Event, Output, Store};
use hush_protocol::linking::HistoryBlob;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::tab::{AppEngine, Tab};
use super::{chat, groups};
use crate::command::{Command, Messenger};
use crate::platform::{blobs, clock, media, page, pending, preferences, push};
use crate::state::{DeviceRow, Link, Phase, Ui};
use crate::store::{IdbStore, DATABASE};
use crate::text;

/// The account's devices as the engine last verified them.
pub(super) fn devices(engine: &AppEngine) -> Vec<DeviceRow> {
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

/// Shows a link code on this browser, to be linked.
pub(super) fn start(tab: &mut Tab) -> Result<Output, EngineError> {
    let (code, out) = tab.engine.start_link()?;
    let url = format!("{}/?link={}", page::origin(), code.replace(' ', "-"));
    tab.ui.link.set(Link::Showing {
        code: code.as_str().to_owned(),
        qr: crate::qr::svg_path(url.as_bytes()),
        url,
    });
    Ok(out)
}

/// The connection dropped: a link being approved waited for answers that will not come.
pub(super) fn connection_lost(ui: Ui) {
    let approving = matches!(
        ui.link.get_untracked(),
        Link::Asking { .. } | Link::Working(_)
    );
    if approving && ui.phase.get_untracked() == Phase::Ready {
        ui.link
            .set(Link::Failed(text::LINK_CONNECTION_DROPPED.to_owned()));
    }
}

/// Imports the history fetched for this newly linked browser (it is linked either way).
pub(super) async fn import_history(
    tab: &mut Tab,
    history: HistoryBlob,
    blob: Option<Vec<u8>>,
) -> Output {
    let imported = match blob {
        Some(blob) => tab.engine.import_history(&history, &blob).await,
        None => Err(DeviceActionError::HistoryUnavailable.into()),
    };
    tab.messenger.tell(Command::Linked);
    match imported {
        Ok((_, out)) => out,
        Err(e) => {
            tab.ui
                .problem
                .set(Some(text::linked_without_history(text::engine_error(&e))));
            Output::default()
        }
    }
}

/// This browser is linked: on to its chats.
pub(super) async fn linked(tab: &Tab) {
    let ui = tab.ui;
    ui.link.set(Link::Idle);
    ui.me.set(tab.engine.account().map(|a| a.name.clone()));
    groups::load(&tab.engine, ui).await;
    chat::refresh_chats(&tab.engine, ui).await;
    if let Ok(names) = tab.engine.store().names().await {
        ui.names.set(names);
    }
    ui.phase.set(Phase::Ready);
}

/// Shows a link event; the history's upload and download run beside the engine and come back
/// as commands.
pub(super) fn show(ui: Ui, messenger: Messenger, event: Event) {
    match event {
        Event::LinkOpened { .. } => {}
        Event::LinkRequest { device_name } => ui.link.set(Link::Asking { device_name }),
        Event::UploadHistory { id, blob } => {
            let size = blob.len().div_ceil(1024);
            ui.link.set(Link::Working(text::sending_history(size)));
            spawn_local(async move {
                let ok = blobs::put(&id, &blob).await;
                messenger.tell(Command::HistoryUploaded(ok));
            });
        }
        Event::LinkDone { device_name } => {
            ui.link
                .set(Link::Done(text::device_is_linked(&device_name)));
        }
        Event::LinkFailed(why) => ui.link.set(Link::Failed(why)),
        Event::Linked { history } => match history {
            Some(history) => {
                let size = (history.size as usize).div_ceil(1024);
                ui.link.set(Link::Working(text::receiving_history(size)));
                spawn_local(async move {
                    let blob = blobs::get(&history.blob, u64::from(history.size)).await;
                    messenger.tell(Command::ImportHistory { history, blob });
                });
            }
            None => messenger.tell(Command::Linked),
        },
        _ => {}
    }
}

/// Wipes this browser's Hush data after it was unlinked (or the account deleted), and starts
/// over at onboarding.
pub(super) async fn wipe(tab: Tab) {
    let ui = tab.ui;
    tab.engine.into_store().close();
    push::disable().await;
    media::remove().await;
    pending::remove().await;
    preferences::clear().await;
    if let Err(e) = IdbStore::delete(DATABASE).await {
        ui.problem.set(Some(text::could_not_clear_data(e)));
        ui.phase.set(Phase::Broken);
        return;
    }
    page::restart_unlinked();
}

/// The history for the new device was uploaded (or the upload failed): the link goes on.
pub(super) fn history_uploaded(tab: &mut Tab, ok: bool) -> Result<Output, EngineError> {
    tab.ui
        .link
        .set(Link::Working(text::ADDING_DEVICE.to_owned()));
    tab.engine.history_uploaded(ok, clock::now_ms())
}
