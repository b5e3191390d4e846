//! How notifications look on this device: `Message preview` (the words, or "New message")
//! and `Notification sound`.

use leptos::prelude::*;

use crate::choices::NoticeStyle;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;
use crate::ui::switch::Switch;

/// The two switches, each changing its half of the style.
#[component]
pub(super) fn NoticeSwitches() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let style = ui.notice_style;
    let change = move |edit: fn(&mut NoticeStyle, bool)| {
        // Shown at once, so that a second switch flipped before the runner served the first
        // builds on it rather than on the style before.
        move |on: bool| {
            let mut next = style.get_untracked();
            edit(&mut next, on);
            style.set(next);
            messenger.tell(Command::SetNoticeStyle(next));
        }
    };
    view! {
        <Switch
            name=text::MESSAGE_PREVIEW
            on=Signal::derive(move || style.get().preview)
            set=change(|s, on| s.preview = on)
            note=text::MESSAGE_PREVIEW_OFF_NOTE
        />
        <Switch
            name=text::NOTIFICATION_SOUND
            on=Signal::derive(move || style.get().sound)
            set=change(|s, on| s.sound = on)
        />
    }
}
