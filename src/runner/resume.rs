//! Uploads a reload (or a lost connection) interrupted, resumed from the pending uploads
//! ([`pending`]): each shows in its chat again and, when its turn comes, goes on from what the
//! relay holds (the first chunks are not sealed again), is committed, and its message sent.

use std::rc::Rc;

use hush_client::ChatId;
use hush_protocol::attachment::{sealed_len, AttachmentKey, Dimensions, Mime};
use leptos::task::spawn_local;

use super::tab::Tab;
use super::uploads;
use super::waiting::Waiting;
use crate::command::Forwarding;
use crate::platform::pending::{self, Pending};

/// Resumes every pending upload this tab is not sending already (on each connection to the
/// relay: at start, and after a lost connection).
pub(super) fn pending_uploads(tab: &Tab) {
    let (ui, messenger, turns) = (tab.ui, tab.messenger, Rc::clone(&tab.turns));
    spawn_local(async move {
        for record in pending::all().await {
            let id = record.id;
            let Some(waiting) = waiting_of(record) else {
                // A record this build cannot use (damaged): nothing to resume.
                pending::forget(&id).await;
                continue;
            };
            if !turns.claim(id) {
                continue;
            }
            let request = turns.resumed_request();
            uploads::show_transfer(ui, request, &waiting);
            let turns = Rc::clone(&turns);
            spawn_local(uploads::send_in_turn(
                ui, messenger, turns, request, waiting, id, true,
            ));
        }
    });
}

/// The upload a pending record describes (None if it is not one).
fn waiting_of(record: Pending) -> Option<Waiting> {
    let key: [u8; AttachmentKey::LEN] = record.key.as_slice().try_into().ok()?;
    let data_len = record.file.size();
    Some(Waiting {
        to: ChatId::parse(&record.chat).ok()?,
        key: AttachmentKey::from_bytes(&key),
        blob_len: sealed_len(data_len)?,
        data_len,
        file: record.file,
        name: record.name,
        mime: Mime::parse(&record.mime),
        caption: record.caption,
        dimensions: record
            .dimensions
            .map(|(width, height)| Dimensions { width, height }),
        thumbnail: record.thumbnail,
        duration_ms: record.duration_ms,
        waveform: record.waveform,
        forward: match record.forward {
            Some((id, chats)) => Some(forwarding_of(id, &chats)?),
            None => None,
        },
    })
}

/// The forward a resumed copy is for (None if a chat is not one).
fn forwarding_of(id: [u8; 16], chats: &[String]) -> Option<Forwarding> {
    let chats = chats.iter().map(|chat| ChatId::parse(chat).ok());
    Some(Forwarding {
        id,
        chats: chats.collect::<Option<Vec<_>>>()?,
    })
}
