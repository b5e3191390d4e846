//! Forwards (issue 21), and what an older attachment needs before it is forwarded (issue 20,
//! see `hush_client::ForwardMedia`): a young one, or a text, goes at once; an old one of ours
//! waits for the relay to renew its blob; one the relay will not renew for us (someone else's,
//! or another of our devices') is fetched again (kept on this device, or downloaded and
//! checked), uploaded as a new blob under a fresh key ([`super::uploads::start_forward`]), and
//! the forward points at that.

use hush_client::{ChatId, EngineError, ForwardMedia, Output, Store};
use hush_protocol::attachment::AttachmentPointer;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::events;
use super::stream_download;
use super::tab::Tab;
use crate::command::{Command, Forwarding};
use crate::platform::clock;
use crate::platform::files::PickedFile;
use crate::platform::media;
use crate::text;

/// Forwards waiting for a renewal at once (the engine asks for at most 16; answers lost with
/// a connection are forgotten the oldest first).
const MAX_RENEWING: usize = 16;

/// `Forward`: message `forwarding.id` to its chats, once its file is fit to point at.
pub(super) async fn start(tab: &mut Tab, forwarding: Forwarding) -> Result<Output, EngineError> {
    let now = clock::now_ms();
    match tab.engine.forward_media(&forwarding.id, now).await? {
        ForwardMedia::Reuse => send(tab, forwarding, None).await,
        ForwardMedia::Renew(blob) => {
            let (request, out) = tab.engine.renew_blob(blob)?;
            if tab.renewing.len() >= MAX_RENEWING {
                tab.renewing.remove(0);
            }
            tab.renewing.push((request, forwarding));
            Ok(out)
        }
        ForwardMedia::Reupload(pointer) => {
            fetch_again(tab, forwarding, pointer);
            Ok(Output::default())
        }
    }
}

/// The relay answered renewal `request`: its forward goes (renewed), or its file is uploaded
/// again (not ours to renew).
pub(super) async fn renewed(
    tab: &mut Tab,
    request: u32,
    renewed: bool,
) -> Result<Output, EngineError> {
    let Some(at) = tab.renewing.iter().position(|(r, _)| *r == request) else {
        return Ok(Output::default());
    };
    let (_, forwarding) = tab.renewing.remove(at);
    if renewed {
        return send(tab, forwarding, None).await;
    }
    let message = tab.engine.store().message(&forwarding.id).await?;
    if let Some(pointer) = message.and_then(|m| m.attachment) {
        fetch_again(tab, forwarding, pointer);
    }
    Ok(Output::default())
}

/// The file `pointer` names, from this device's media or downloaded and checked, handed back
/// to the runner to upload again for `forwarding`.
fn fetch_again(tab: &Tab, forwarding: Forwarding, pointer: Box<AttachmentPointer>) {
    let (ui, messenger) = (tab.ui, tab.messenger);
    spawn_local(async move {
        let blob = match media::blob(&forwarding.id).await {
            Some(blob) => blob,
            None => match stream_download::fetch(&pointer, |_| {}).await {
                Ok(blob) => blob,
                Err(_) => {
                    ui.problem.set(Some(text::FORWARD_FILE_GONE.to_owned()));
                    return;
                }
            },
        };
        let file = PickedFile {
            name: pointer.file_name.clone(),
            mime: pointer.mime.as_str().to_owned(),
            blob,
            dimensions: pointer.dimensions.map(|d| (d.width, d.height)),
            thumbnail: pointer.thumbnail.clone(),
            duration_ms: pointer.duration_ms,
            waveform: pointer.waveform.clone(),
        };
        messenger.tell(Command::Reupload {
            forwarding,
            file,
            caption: pointer.caption.clone(),
        });
    });
}

/// Forwards message `forwarding.id` to its chats (pointing at `copy` if its file was uploaded
/// again); each new message shows in the chat list and, if open, in its chat.
pub(super) async fn send(
    tab: &mut Tab,
    forwarding: Forwarding,
    copy: Option<AttachmentPointer>,
) -> Result<Output, EngineError> {
    let now = clock::now_ms();
    let Forwarding { id, chats } = forwarding;
    let (done, out) = match copy {
        Some(copy) => tab.engine.forward_copy(&id, copy, &chats, now).await?,
        None => tab.engine.forward(&id, &chats, now).await?,
    };
    events::apply(tab, out).await;
    let ui = tab.ui;
    if let Some(problem) = forward_problem(&ui, &done.failed) {
        ui.problem.set(Some(problem));
    }
    let open = ui.current.get_untracked();
    for message in done.sent {
        ui.chats
            .update(|list| hush_client::model::add_to_chats(list, &message));
        if open.as_ref() == Some(&message.chat) {
            ui.show_in_chat(&message);
        }
    }
    Ok(Output::default())
}

/// What to tell the user of the chats a forward could not reach, if any: their names and the
/// first reason.
fn forward_problem(ui: &crate::state::Ui, failed: &[(ChatId, EngineError)]) -> Option<String> {
    let (_, first) = failed.first()?;
    let names: Vec<String> = failed.iter().map(|(chat, _)| ui.display(chat)).collect();
    Some(text::could_not_forward_to(
        &names.join(", "),
        text::engine_error(first),
    ))
}
