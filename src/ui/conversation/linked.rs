//! A message's text with its web and mail addresses as links ([`crate::links`]) and the
//! `@Name`s of whom it mentions marked ([`crate::mentions`]). Everything stays text: the links
//! and marks are elements made here, never HTML from the message.

use leptos::prelude::*;

use crate::links::{pieces, Piece};
use crate::mentions::{marked, Marked};

/// `text`, with its links (they open in a new tab that learns nothing about Hush) and each
/// `@Name` for a name in `mentions` marked.
#[component]
pub(super) fn Linked(text: String, #[prop(optional)] mentions: Vec<String>) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => marked(text, &mentions)
                .into_iter()
                .map(|part| match part {
                    Marked::Text(text) => text.to_owned().into_any(),
                    Marked::Mention(name) => {
                        view! { <mark class="mention">{name.to_owned()}</mark> }.into_any()
                    }
                })
                .collect_view()
                .into_any(),
            Piece::Link(link) => view! {
                <a href=link.to_owned() target="_blank" rel="noopener noreferrer">{link.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
}
