//! Focus back to an opener: when what a button opened closes and takes the focus with it (the
//! field it held is gone, the focus fell to the page), the button takes it again.

use leptos::html::Button;
use leptos::prelude::*;

/// Whether the focus is on no control (the page itself, or nothing).
fn focus_lost() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match (document.active_element(), document.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => active == *body.as_ref(),
        (Some(_), None) => false,
    }
}

/// Whenever `open` turns false and the focus was lost, focuses `opener`.
pub(crate) fn return_focus(
    open: impl Fn() -> bool + Send + Sync + 'static,
    opener: NodeRef<Button>,
) {
    Effect::new(move |was_open: Option<bool>| {
        let now_open = open();
        if was_open == Some(true) && !now_open {
            // Once what it opened has left the page.
            set_timeout(
                move || {
                    // try_: the opener may have left with what it opened.
                    let opener = opener.try_get_untracked().flatten();
                    if let Some(button) = opener.filter(|_| focus_lost()) {
                        let _ = button.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
        now_open
    });
}
