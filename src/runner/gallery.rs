//! "Media, links and docs" in Contact info and Group info: the open chat's messages that
//! carry a file, newest first, found by reading the chat back a page at a time (bounded, so a
//! long chat costs a few reads, not all of them).

use hush_client::{ChatMessage, Store};
use leptos::prelude::*;

use super::tab::Tab;

/// Messages read per page.
const PAGE: usize = 500;
/// Messages read at most, from the newest.
const MAX_READ: usize = 20_000;
/// Files shown at most.
const MAX_FILES: usize = 300;

/// Fills `ui.gallery` with the open chat's files.
pub(super) async fn load(tab: &Tab) {
    let Some(chat) = tab.ui.current.get_untracked() else {
        return;
    };
    let mut files: Vec<ChatMessage> = Vec::new();
    let mut before = None;
    let mut read = 0;
    while read < MAX_READ && files.len() < MAX_FILES {
        let Ok(page) = tab
            .engine
            .store()
            .messages(&chat, before.as_ref(), PAGE)
            .await
        else {
            break;
        };
        read += page.len();
        let full = page.len() == PAGE;
        before = page.first().map(|m| m.id);
        files.extend(page.into_iter().rev().filter(|m| m.attachment.is_some()));
        if !full {
            break;
        }
    }
    files.truncate(MAX_FILES);
    // The chat may have changed meanwhile: only its own files are shown.
    if tab.ui.current.get_untracked().as_ref() == Some(&chat) {
        tab.ui.gallery.set(files);
    }
}
