//! The `Notifications` switch in Settings: notifications on this device, on or off, or why
//! they cannot be.

use leptos::prelude::*;

use crate::command::{Command, Messenger};
use crate::platform::push::{self, Notifications};
use crate::state::Ui;
use crate::text;

/// The switch, or the reason there is none.
#[component]
pub(crate) fn NotificationSwitch() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    // From the click: browsers ask for permission only while a user gesture is fresh.
    let toggle = move |_| {
        let on = ui.notifications.get_untracked() == Notifications::On;
        leptos::task::spawn_local(async move {
            if on {
                push::disable().await;
                ui.notifications.set(Notifications::Off);
                messenger.tell(Command::Push(None));
            } else {
                match push::enable().await {
                    Ok(subscription) => {
                        ui.notifications.set(Notifications::On);
                        messenger.tell(Command::Push(Some(subscription)));
                    }
                    Err(why) => ui.notifications.set(Notifications::Unavailable(why)),
                }
            }
        });
    };
    move || match ui.notifications.get() {
        Notifications::Unavailable(why) => view! { <p class="settings-note">{why}</p> }.into_any(),
        state => {
            let on = state == Notifications::On;
            view! {
                <button
                    type="button"
                    role="switch"
                    class="switch"
                    aria-checked=on.to_string()
                    on:click=toggle
                >
                    {text::NOTIFICATIONS}
                </button>
            }
            .into_any()
        }
    }
}
