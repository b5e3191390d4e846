//! The installable app's two offers: "Install Hush" while the browser offers to install it,
//! and "Update available" with "Reload" while a new build waits (`platform::pwa` tells when
//! either changes).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::platform::pwa;
use crate::text;

/// "Install Hush", shown while the browser offers it (not once installed).
#[component]
pub(crate) fn InstallButton() -> impl IntoView {
    let offered = RwSignal::new(pwa::install_offered());
    let listener = window_event_listener_untyped(pwa::INSTALL_CHANGED, move |_| {
        offered.set(pwa::install_offered());
    });
    on_cleanup(move || listener.remove());
    let install = move |_| {
        spawn_local(async move {
            let _accepted = pwa::install().await;
            offered.set(pwa::install_offered());
        });
    };
    view! {
        <Show when=move || offered.get()>
            <button type="button" class="install" on:click=install>
                {text::INSTALL_HUSH}
            </button>
        </Show>
    }
}

/// "Update available" and "Reload", once a new build waits to take over (it never takes over
/// an open page by itself).
#[component]
pub(crate) fn UpdateBanner() -> impl IntoView {
    let waiting = RwSignal::new(pwa::update_waiting());
    let listener = window_event_listener_untyped(pwa::UPDATE_WAITING, move |_| {
        waiting.set(pwa::update_waiting());
    });
    on_cleanup(move || listener.remove());
    view! {
        <Show when=move || waiting.get()>
            <div class="update" role="alert">
                <span>{text::UPDATE_AVAILABLE}</span>
                <button type="button" on:click=move |_| pwa::apply_update()>
                    {text::RELOAD}
                </button>
            </div>
        </Show>
    }
}
