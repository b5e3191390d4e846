//! Settings, in sections: profile, privacy, notifications, chats, storage, and about.

mod account;
mod chats;
mod notices;
mod privacy;
mod profile;
mod storage;

use leptos::prelude::*;

use super::notify_switch::NotificationSwitch;
use crate::text;

/// The Settings dialog (non-modal, beside the chat list, like Linked devices).
#[component]
pub(crate) fn Settings() -> impl IntoView {
    view! {
        <section class="devices settings" role="dialog" aria-labelledby="settings-title">
            <h3 id="settings-title">{text::SETTINGS}</h3>
            <h4>{text::PROFILE}</h4>
            <profile::Photo />
            <profile::DisplayName />
            <profile::About />
            <h4>{text::PRIVACY}</h4>
            <privacy::LastSeen />
            <privacy::ReadReceipts />
            <h4>{text::NOTIFICATIONS}</h4>
            <NotificationSwitch />
            <notices::NoticeSwitches />
            <h4>{text::CHATS}</h4>
            <chats::ThemeChoice />
            <chats::EnterSends />
            <chats::DefaultTimer />
            <h4>{text::STORAGE}</h4>
            <storage::MediaSettings />
            <h4>{text::ABOUT}</h4>
            <About />
            <h4>{text::ACCOUNT}</h4>
            <account::DeleteAccount />
        </section>
    }
}

/// Which Hush this is: its version and the commit it was built from.
#[component]
fn About() -> impl IntoView {
    let version = text::hush_version(env!("CARGO_PKG_VERSION"));
    view! {
        <p class="settings-note settings-about">
            {version} <br /> {text::BUILD_LABEL} <code>{env!("HUSH_BUILD")}</code>
        </p>
    }
}
