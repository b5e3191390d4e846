//! Contact info: the safety number to compare with the contact, "Mark as verified", the chat's
//! disappearing-message timer, and its media and files.

use hush_client::ChatId;
use leptos::prelude::*;

use super::gallery::Gallery;
use super::timer::DisappearingMessages;
use crate::command::{Command, Messenger};
use crate::state::{Safety, Ui};
use crate::text;
use crate::ui::qr::QrImage;

/// The open contact's safety number and the rest of Contact info (the side panel holds it).
#[component]
pub(super) fn ContactInfo() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    view! {
            <div class="contact-info">
                {move || {
                    let ChatId::Direct(contact) = ui.current.get()? else { return None };
                    let about = ui.abouts.with(|abouts| abouts.get(&contact).cloned())?;
                    (!about.is_empty()).then(|| view! {
                        <h3>{text::ABOUT}</h3>
                        <p class="contact-about" dir="auto">{about}</p>
                    })
                }}
                <h3>{text::SAFETY_NUMBER}</h3>
                <p class="safety-number">
                    {move || ui.safety.get().map(|safety| safety.groups.join(" "))}
                </p>
                {move || {
                    ui.safety.get().and_then(|safety| safety.qr).map(|(width, path)| {
                        view! { <QrImage width path label=text::SAFETY_NUMBER_QR_CODE /> }
                    })
                }}
                <p>
                    {text::SAFETY_NUMBER_HINT}
                </p>
                {move || match ui.safety.get() {
                    Some(Safety { verified: true, .. }) => {
                        view! { <p class="verified">{text::VERIFIED}</p> }.into_any()
                    }
                    _ => view! {
                        <button
                            type="button"
                            on:click=move |_| {
                                if let Some(ChatId::Direct(contact)) = ui.current.get_untracked() {
                                    messenger.tell(Command::MarkVerified(contact));
                                }
                            }
                        >
                            {text::MARK_AS_VERIFIED}
                        </button>
                    }
                    .into_any(),
                }}
                <DisappearingMessages />
                <Gallery />
            </div>
    }
}
