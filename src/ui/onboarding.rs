//! Choosing a username: the account's keys are made on this device and registered with the
//! relay.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::devices::LinkThisBrowser;
use crate::command::{Command, Messenger};
use crate::state::Ui;
use crate::text;

/// A new account, or linking this browser to one the user has.
#[component]
pub(crate) fn Onboarding() -> impl IntoView {
    let messenger = expect_context::<Messenger>();
    let linking = RwSignal::new(false);
    let link = move |_| {
        messenger.tell(Command::StartLink);
        linking.set(true);
    };
    move || {
        if linking.get() {
            view! { <LinkThisBrowser on_back=move || linking.set(false) /> }.into_any()
        } else {
            view! {
                <NewAccount />
                <p class="onboarding link-offer">
                    {text::ALREADY_USE_HUSH}
                    <button type="button" class="secondary" on:click=link>
                        {text::LINK_TO_EXISTING_ACCOUNT}
                    </button>
                </p>
            }
            .into_any()
        }
    }
}

#[component]
fn NewAccount() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let name = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let chosen = name.get_untracked().trim().to_ascii_lowercase();
        if !chosen.is_empty() {
            messenger.tell(Command::CreateAccount {
                name: chosen,
                display_name: display_name.get_untracked(),
            });
        }
    };
    view! {
        <main class="onboarding">
            <h2>{text::WELCOME_TITLE}</h2>
            <p>{text::WELCOME_PROMISE}</p>
            <form on:submit=create>
                <label for="username">{text::USERNAME}</label>
                <input
                    id="username"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <p class="hint">{text::USERNAME_RULES}</p>
                <label for="display-name">{text::DISPLAY_NAME_OPTIONAL}</label>
                <input
                    id="display-name"
                    autocomplete="name"
                    maxlength="64"
                    prop:value=display_name
                    on:input=move |ev| display_name.set(event_target_value(&ev))
                />
                <p class="hint">{text::DISPLAY_NAME_HINT}</p>
                <button type="submit">{text::CREATE_ACCOUNT}</button>
            </form>
            <p role="alert" class="problem">{move || ui.problem.get()}</p>
        </main>
    }
}
