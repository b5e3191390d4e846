//! The app shell: the Hush name and the live connection status.

use leptos::prelude::*;

use crate::backoff::Backoff;
use crate::relay::Relay;
use crate::status::ConnectionStatus;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let (status, set_status) = signal(ConnectionStatus::Connecting);
    match Relay::same_origin_url() {
        Some(url) => {
            let relay = Relay::connect(url, Backoff::RELAY, move |s| set_status.set(s));
            // Owned by the app's reactive owner: the socket lives exactly as long as the app.
            let _ = StoredValue::new_local(relay);
        }
        None => set_status.set(ConnectionStatus::Offline),
    }

    view! {
        <header class="topbar">
            <h1 class="brand">"Hush"</h1>
            <ConnectionBadge status />
        </header>
        <main class="welcome">
            <h2>"Private messages, right in your browser"</h2>
            <p>"End-to-end encrypted: only the people in a chat can read it. Not even our server."</p>
        </main>
    }
}

/// The connection status, announced politely to screen readers.
#[component]
fn ConnectionBadge(status: ReadSignal<ConnectionStatus>) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite" class="connection" data-state=move || status.get().key()>
            {move || status.get().label()}
        </p>
    }
}
