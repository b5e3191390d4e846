//! Mentions in a group's composer (issue 21): typing `@` offers the members whose names start
//! with what follows, in a `listbox` named `Mention` (arrow keys and Enter, or a click); the
//! chosen name goes into the text as `@Name`, and the message carries whom it mentions.

use hush_client::Username;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::mentions::{insert, offered, query};
use crate::state::Ui;
use crate::text;

/// The most members offered at once.
const MAX_OFFERED: usize = 8;

/// A member the composer may mention: their username and the name shown (and put in).
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    account: Username,
    name: String,
}

/// The composer's mentions: what is offered, which option is active, who was chosen.
#[derive(Clone, Copy)]
pub(super) struct Mentions {
    /// Members offered for the `@` being typed (empty: the list is closed).
    offered: RwSignal<Vec<Candidate>>,
    /// The active option.
    active: RwSignal<usize>,
    /// Members chosen in this draft, with the name put in.
    chosen: RwSignal<Vec<Candidate>>,
}

impl Mentions {
    pub(super) fn new() -> Self {
        Self {
            offered: RwSignal::new(Vec::new()),
            active: RwSignal::new(0),
            chosen: RwSignal::new(Vec::new()),
        }
    }

    /// Follows the draft: in a group, offers the members (not us) for the `@` being typed.
    pub(super) fn follow(&self, ui: Ui, draft: &str) {
        let group = ui.current.get_untracked().and_then(|chat| ui.group(&chat));
        let me = ui.me.get_untracked();
        let candidates = match (query(draft), group) {
            (Some(typed), Some(group)) => (group.members.iter())
                .filter(|m| me.as_ref().is_none_or(|me| me.as_str() != m.account))
                .filter_map(|m| Username::parse(&m.account).ok())
                .map(|account| Candidate {
                    name: ui.name_of(account.as_str()),
                    account,
                })
                .filter(|c| offered(typed, &c.name, c.account.as_str()))
                .take(MAX_OFFERED)
                .collect(),
            _ => Vec::new(),
        };
        self.active.set(0);
        self.offered.set(candidates);
    }

    /// While members are offered: the arrow keys move, Enter or Tab chooses, Escape closes.
    /// True if the key was the list's (the composer does nothing more with it).
    pub(super) fn key(&self, ev: &KeyboardEvent, draft: RwSignal<String>) -> bool {
        let n = self.offered.with_untracked(Vec::len);
        if n == 0 {
            return false;
        }
        match ev.key().as_str() {
            "ArrowDown" => self.active.update(|a| *a = (*a + 1) % n),
            "ArrowUp" => self.active.update(|a| *a = (*a + n - 1) % n),
            "Enter" | "Tab" => self.choose(self.active.get_untracked(), draft),
            "Escape" => self.offered.set(Vec::new()),
            _ => return false,
        }
        ev.prevent_default();
        true
    }

    /// Puts the offered member `at` into the draft.
    fn choose(&self, at: usize, draft: RwSignal<String>) {
        let Some(candidate) = self.offered.with_untracked(|o| o.get(at).cloned()) else {
            return;
        };
        draft.update(|text| *text = insert(text, &candidate.name));
        self.chosen.update(|chosen| {
            if !chosen.contains(&candidate) {
                chosen.push(candidate);
            }
        });
        self.offered.set(Vec::new());
    }

    /// Starts the draft's choices with `accounts` (those an edited message mentions), under
    /// the names shown for them now.
    pub(super) fn keep(&self, ui: Ui, accounts: &[Username]) {
        let kept = accounts.iter().map(|account| Candidate {
            name: ui.name_of(account.as_str()),
            account: account.clone(),
        });
        self.chosen.set(kept.collect());
    }

    /// Forgets the draft's choices (the draft was dropped, or the chat left).
    pub(super) fn clear(&self) {
        self.chosen.set(Vec::new());
        self.offered.set(Vec::new());
    }

    /// Whom `body` mentions (chosen, their `@Name` still in it); the draft's choices go.
    pub(super) fn take(&self, body: &str) -> Vec<Username> {
        let chosen = self.chosen.get_untracked();
        self.chosen.set(Vec::new());
        self.offered.set(Vec::new());
        chosen
            .into_iter()
            .filter(|c| body.contains(&format!("@{}", c.name)))
            .map(|c| c.account)
            .collect()
    }

    /// The active option's element id while the list is open (for `aria-activedescendant`).
    pub(super) fn active_id(&self) -> Option<String> {
        let open = self.offered.with(|o| !o.is_empty());
        open.then(|| format!("mention-{}", self.active.get()))
    }
}

/// The members offered, while there are any.
#[component]
pub(super) fn MentionList(mentions: Mentions, draft: RwSignal<String>) -> impl IntoView {
    let options = move || {
        (mentions.offered.get().into_iter().enumerate())
            .map(|(at, candidate)| {
                let active = move || mentions.active.get() == at;
                view! {
                    <li
                        role="option"
                        id=format!("mention-{at}")
                        class:active=active
                        aria-selected=move || active().to_string()
                        // Keeps the focus in the composer.
                        on:mousedown=|ev| ev.prevent_default()
                        on:click=move |_| mentions.choose(at, draft)
                    >
                        {candidate.name}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || mentions.offered.with(|o| !o.is_empty())>
            <ul class="mentions" role="listbox" id="mention-list" aria-label=text::MENTION>
                {options}
            </ul>
        </Show>
    }
}
