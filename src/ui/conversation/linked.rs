//! A message's text with its web and mail addresses as links ([`crate::links`]). Everything
//! stays text: the links are elements made here, never HTML from the message.

use leptos::prelude::*;

use crate::links::{pieces, Piece};

/// `text`, with its links; they open in a new tab that learns nothing about Hush.
#[component]
pub(super) fn Linked(text: String) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned().into_any(),
            Piece::Link(link) => view! {
                <a href=link.to_owned() target="_blank" rel="noopener noreferrer">{link.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
}
