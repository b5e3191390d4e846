//! Linked devices: on the new browser, the code to link it with; on a device of the account,
//! the list of its devices (rename, unlink) and "Link a device" (code in, who asks, Allow).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::qr::QrImage;
use super::time::{day, now};
use crate::command::{Command, Messenger};
use crate::platform::scan;
use crate::state::{DeviceRow, Link, Ui};
use crate::text;

/// The new browser: its link code as text, QR code and URL, until another device allows it.
#[component]
pub(crate) fn LinkThisBrowser(on_back: impl Fn() + Copy + 'static) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let back = move |_| {
        messenger.tell(Command::CancelLink);
        on_back();
    };
    view! {
        <main class="onboarding link">
            <h2>{text::LINK_TO_YOUR_ACCOUNT}</h2>
            <p>
                {text::LINK_HOW_TO}
            </p>
            {move || match ui.link.get() {
                Link::Showing { code, url, qr } => view! {
                    <p class="link-code" aria-label=text::LINK_CODE>{code}</p>
                    {qr.map(|(width, path)| view! {
                        <QrImage width path label=text::LINK_QR_CODE />
                    })}
                    <p class="hint">{text::OR_OPEN} <span class="link-url">{url}</span></p>
                    <p role="status">{text::WAITING_FOR_OTHER_DEVICE}</p>
                }
                .into_any(),
                Link::Working(what) => view! {
                    <p role="status">{what}</p>
                    <progress class="transfer" max="1" aria-label=text::HISTORY_PROGRESS></progress>
                }
                .into_any(),
                Link::Failed(why) => view! {
                    <p role="alert" class="problem">{why}</p>
                    <button type="button" on:click=move |_| messenger.tell(Command::StartLink)>
                        {text::NEW_CODE}
                    </button>
                }
                .into_any(),
                _ => view! { <p role="status">{text::MAKING_A_CODE}</p> }.into_any(),
            }}
            <button type="button" class="secondary" on:click=back>{text::BACK}</button>
            <p role="alert" class="problem">{move || ui.problem.get()}</p>
        </main>
    }
}

/// The account's devices and linking another one.
#[component]
pub(crate) fn LinkedDevices(code: Option<String>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let adding = RwSignal::new(code.is_some());
    let typed = RwSignal::new(code.unwrap_or_default());
    view! {
        <section class="devices" aria-label=text::LINKED_DEVICES>
            <h3>{text::LINKED_DEVICES}</h3>
            <ul class="device-list">
                <For each=move || ui.devices.get() key=|d| d.clone() let:device>
                    <DeviceItem device=device />
                </For>
            </ul>
            <button type="button" on:click=move |_| {
                adding.set(true);
                ui.link.set(Link::Idle);
            }>{text::LINK_A_DEVICE}</button>
            <Show when=move || adding.get()>
                <LinkForm typed />
            </Show>
            <LinkProgress />
        </section>
    }
}

/// "Link a device": the code shown on the new browser, typed or scanned (into `typed`).
#[component]
fn LinkForm(typed: RwSignal<String>) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    let scanning = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    let can_scan = scan::available();
    // The camera runs while the video is on the page; a code found is looked up at once.
    Effect::new(move |_| {
        let Some(element) = video.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let found = scan::scan(element).await;
            scanning.set(false);
            match found {
                Ok(Some(code)) => {
                    typed.set(code.clone());
                    messenger.tell(Command::FetchLink(code));
                }
                Ok(None) => {}
                Err(scan::CameraFailed) => ui.link.set(Link::Failed(text::CAMERA_FAILED.into())),
            }
        });
    });
    let link = move |ev: SubmitEvent| {
        ev.prevent_default();
        let code = typed.get_untracked();
        if !code.trim().is_empty() {
            messenger.tell(Command::FetchLink(code));
        }
    };
    view! {
        <form class="new-chat" on:submit=link>
            <label for="link-code">{text::LINK_CODE}</label>
            <input
                id="link-code"
                autocapitalize="characters"
                autocomplete="off"
                spellcheck="false"
                required
                prop:value=typed
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <p class="hint">{text::LINK_CODE_HINT}</p>
            <button type="submit">{text::LINK}</button>
            {can_scan.then(|| view! {
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| scanning.update(|s| *s = !*s)
                >
                    {move || if scanning.get() { text::STOP_SCANNING } else { text::SCAN_QR_CODE }}
                </button>
            })}
        </form>
        <Show when=move || scanning.get()>
            <video class="scanner" node_ref=video muted=true playsinline=true aria-label=text::CAMERA></video>
        </Show>
    }
}

/// Where linking a new device is: the browser asking to join, a step running, or how it ended.
#[component]
fn LinkProgress() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let messenger = expect_context::<Messenger>();
    move || match ui.link.get() {
        Link::Asking { device_name } => view! {
            <div class="confirm" role="group" aria-label=text::ALLOW_THIS_DEVICE>
                <p><strong>{device_name}</strong>{text::WANTS_TO_JOIN}</p>
                <p>{text::NEW_DEVICE_CAN_READ_ALL}</p>
                <button type="button" on:click=move |_| messenger.tell(Command::AllowLink)>
                    {text::ALLOW}
                </button>
                <button type="button" class="secondary" on:click=move |_| {
                    messenger.tell(Command::CancelLink);
                }>{text::CANCEL}</button>
            </div>
        }
        .into_any(),
        Link::Working(what) => view! {
            <p role="status">{what}</p>
            <progress class="transfer" max="1" aria-label=text::HISTORY_PROGRESS></progress>
        }
        .into_any(),
        Link::Done(what) => view! { <p role="status">{what}</p> }.into_any(),
        Link::Failed(why) => view! { <p role="alert" class="problem">{why}</p> }.into_any(),
        Link::Idle | Link::Showing { .. } => ().into_any(),
    }
}

/// One device: its name, when it was linked, and (for the others) rename and unlink.
#[component]
fn DeviceItem(device: DeviceRow) -> impl IntoView {
    let messenger = expect_context::<Messenger>();
    let renaming = RwSignal::new(false);
    let name = RwSignal::new(device.name.clone());
    let id = device.id;
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        messenger.tell(Command::RenameDevice {
            id,
            name: name.get_untracked(),
        });
        renaming.set(false);
    };
    let since = if device.linked_ms == 0 {
        text::CREATED_THE_ACCOUNT.to_owned()
    } else {
        text::linked_on(&day(device.linked_ms, now()))
    };
    let now = now();
    let active = if device.this || now - (device.last_active_ms as f64) < 120_000.0 {
        text::ACTIVE_NOW.to_owned()
    } else if device.last_active_ms == 0 {
        text::NOT_CONNECTED_YET.to_owned()
    } else {
        text::last_active(&day(device.last_active_ms, now))
    };
    let label = device.name.clone();
    view! {
        <li class="device" data-device=id>
            <span class="name">{device.name.clone()}</span>
            {device.this.then(|| view! { <span class="handle">{text::THIS_BROWSER}</span> })}
            <span class="hint">{since}" · "{active}</span>
            <button
                type="button"
                class="secondary"
                aria-label=text::rename_device(&label)
                on:click=move |_| renaming.update(|r| *r = !*r)
            >
                {text::RENAME}
            </button>
            {(!device.this).then(|| view! {
                <button
                    type="button"
                    class="secondary"
                    aria-label=text::unlink_device(&device.name)
                    on:click=move |_| messenger.tell(Command::Unlink(id))
                >
                    {text::UNLINK}
                </button>
            })}
            <Show when=move || renaming.get()>
                <form on:submit=save>
                    <label for=format!("device-name-{id}")>{text::DEVICE_NAME}</label>
                    <input
                        id=format!("device-name-{id}")
                        maxlength="64"
                        required
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <button type="submit">{text::SAVE}</button>
                </form>
            </Show>
        </li>
    }
}
