//! Settings, in sections: profile, privacy, notifications, chats, storage, and about.

mod account;
mod chats;
mod notices;
mod privacy;
mod profile;
mod storage;

use leptos::prelude::*;

use super::notify_switch::NotificationSwitch;

/// The Settings dialog (non-modal, beside the chat list, like Linked devices).
#[component]
pub(crate) fn Settings() -> impl IntoView {
    view! {
        <section class="devices settings" role="dialog" aria-labelledby="settings-title">
            <h3 id="settings-title">"Settings"</h3>
            <h4>"Profile"</h4>
            <profile::Photo />
            <profile::DisplayName />
            <profile::About />
            <h4>"Privacy"</h4>
            <privacy::LastSeen />
            <privacy::ReadReceipts />
            <h4>"Notifications"</h4>
            <NotificationSwitch />
            <notices::NoticeSwitches />
            <h4>"Chats"</h4>
            <chats::ThemeChoice />
            <chats::EnterSends />
            <chats::DefaultTimer />
            <h4>"Storage"</h4>
            <storage::MediaSettings />
            <h4>"About"</h4>
            <About />
            <h4>"Account"</h4>
            <account::DeleteAccount />
        </section>
    }
}

/// Which Hush this is: its version and the commit it was built from.
#[component]
fn About() -> impl IntoView {
    let version = concat!("Hush ", env!("CARGO_PKG_VERSION"));
    view! {
        <p class="settings-note settings-about">
            {version} <br /> "Build " <code>{env!("HUSH_BUILD")}</code>
        </p>
    }
}
