//! The app shell: the Hush name, the live connection status, and the screen for where the user
//! is (onboarding or chats). The runner owns all state; components read its signals and send
//! it commands through the [`Messenger`] in context.

use leptos::prelude::*;

use crate::command::Command;
use crate::platform::push;
use crate::state::{Phase, Ui};
use crate::status::ConnectionStatus;
use crate::text;
use crate::ui::{Chats, InstallButton, Onboarding, UpdateBanner};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let ui = Ui::new(push::state());
    let messenger = crate::runner::start(ui);
    provide_context(ui);
    provide_context(messenger);

    view! {
        <header class="topbar">
            <h1 class="brand">{text::APP_NAME}</h1>
            <ConnectionBadge status=ui.connection />
            <InstallButton />
        </header>

        {move || match ui.phase.get() {
            Phase::Loading => view! { <Splash /> }.into_any(),
            Phase::Onboarding => view! { <Onboarding /> }.into_any(),
            Phase::Ready => view! { <Chats /> }.into_any(),
            Phase::Elsewhere => view! {
                <main class="welcome">
                    <h2>{text::OPEN_IN_ANOTHER_TAB}</h2>
                    <p>{text::ONE_TAB_AT_A_TIME}</p>
                    <button type="button" on:click=move |_| messenger.tell(Command::UseHere)>
                        {text::USE_HERE}
                    </button>
                    <p role="alert" class="problem">{move || ui.problem.get()}</p>
                </main>
            }
            .into_any(),
            Phase::Broken => view! {
                <main class="welcome">
                    <p role="alert">{move || ui.problem.get()}</p>
                </main>
            }
            .into_any(),
        }}
        <UpdateBanner />
    }
}

/// While the store opens: the welcome that Onboarding shows first (and index.html before the
/// code arrives), so that a new user's screen does not change under them.
#[component]
fn Splash() -> impl IntoView {
    view! {
        <main class="onboarding">
            <h2>{text::WELCOME_TITLE}</h2>
            <p>{text::WELCOME_PROMISE}</p>
            <p class="hint">{text::OPENING_HUSH}</p>
        </main>
    }
}

/// The connection status, announced politely to screen readers.
#[component]
fn ConnectionBadge(status: RwSignal<ConnectionStatus>) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite" class="connection" data-state=move || status.get().key()>
            {move || status.get().label()}
        </p>
    }
}
