//! Keyboard shortcuts: which keys do what (shown in the `Keyboard shortcuts` dialog), and the
//! chat Alt+↑/↓ move to. None takes a key browsers or screen readers use alone: each needs
//! Ctrl (⌘ on a Mac) or Alt.

use hush_client::ChatId;

use crate::text;

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// Ctrl+K: to the `Search messages` field.
    Search,
    /// Ctrl+Alt+N: `New chat` (Chrome keeps Ctrl+N for itself).
    NewChat,
    /// Alt+↑: the chat above the open one.
    PreviousChat,
    /// Alt+↓: the chat below the open one.
    NextChat,
    /// Ctrl+Alt+Shift+U: mark the open chat unread.
    MarkUnread,
    /// Ctrl+/: the `Keyboard shortcuts` dialog.
    Help,
}

/// The keys of one keydown (Ctrl or ⌘ as `ctrl`).
#[derive(Clone, Copy, Debug)]
pub struct Keys<'a> {
    /// What the key types (`KeyboardEvent.key`).
    pub key: &'a str,
    /// Where the key sits (`KeyboardEvent.code`): Ctrl+Alt types other letters on some layouts.
    pub code: &'a str,
    /// Ctrl, or ⌘ on a Mac.
    pub ctrl: bool,
    /// Alt (Option on a Mac).
    pub alt: bool,
    /// Shift.
    pub shift: bool,
    /// AltGr (which Windows also reports as Ctrl+Alt): it types characters, never a shortcut.
    pub alt_graph: bool,
}

/// Every shortcut with its keys and what it does, as the dialog lists them.
pub const LIST: [(Option<Shortcut>, &str, &str); 8] = [
    (
        Some(Shortcut::Search),
        text::SEARCH_KEYS,
        text::SEARCH_MESSAGES,
    ),
    (Some(Shortcut::NewChat), text::NEW_CHAT_KEYS, text::NEW_CHAT),
    (
        Some(Shortcut::PreviousChat),
        text::PREVIOUS_CHAT_KEYS,
        text::PREVIOUS_CHAT,
    ),
    (
        Some(Shortcut::NextChat),
        text::NEXT_CHAT_KEYS,
        text::NEXT_CHAT,
    ),
    (
        Some(Shortcut::MarkUnread),
        text::MARK_UNREAD_KEYS,
        text::MARK_OPEN_CHAT_UNREAD,
    ),
    (
        Some(Shortcut::Help),
        text::HELP_KEYS,
        text::SHOW_THESE_SHORTCUTS,
    ),
    (None, text::CLOSE_KEYS, text::CLOSE_PANEL_OR_MENU),
    (None, text::NEW_LINE_KEYS, text::NEW_LINE_IN_MESSAGE),
];

/// The shortcut these keys make, if any.
pub fn shortcut(keys: &Keys<'_>) -> Option<Shortcut> {
    if keys.alt_graph {
        return None;
    }
    let letter = |c: &str| keys.key.eq_ignore_ascii_case(c) || keys.code == format!("Key{c}");
    match (keys.ctrl, keys.alt, keys.shift) {
        (true, false, false) if letter("K") => Some(Shortcut::Search),
        (true, false, false) if keys.key == "/" || keys.code == "Slash" => Some(Shortcut::Help),
        (true, true, false) if letter("N") => Some(Shortcut::NewChat),
        (true, true, true) if letter("U") => Some(Shortcut::MarkUnread),
        (false, true, false) if keys.key == "ArrowUp" => Some(Shortcut::PreviousChat),
        (false, true, false) if keys.key == "ArrowDown" => Some(Shortcut::NextChat),
        _ => None,
    }
}

/// The chat above (`PreviousChat`) or below (`NextChat`) `current` in `chats`, as listed; from
/// no open chat, the first or the last. None past either end.
pub fn neighbour(chats: &[ChatId], current: Option<&ChatId>, way: Shortcut) -> Option<ChatId> {
    let at = current.and_then(|c| chats.iter().position(|listed| listed == c));
    let to = match (way, at) {
        (Shortcut::NextChat, Some(at)) => at.checked_add(1)?,
        (Shortcut::NextChat, None) => 0,
        (Shortcut::PreviousChat, Some(at)) => at.checked_sub(1)?,
        (Shortcut::PreviousChat, None) => chats.len().checked_sub(1)?,
        _ => return None,
    };
    chats.get(to).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hush_client::Username;

    fn keys(key: &str, code: &str, ctrl: bool, alt: bool, shift: bool) -> Option<Shortcut> {
        shortcut(&Keys {
            key,
            code,
            ctrl,
            alt,
            shift,
            alt_graph: false,
        })
    }

    #[test]
    fn each_shortcut_takes_its_keys_and_no_bare_key() {
        assert_eq!(
            keys("k", "KeyK", true, false, false),
            Some(Shortcut::Search)
        );
        assert_eq!(
            keys("K", "KeyK", true, false, false),
            Some(Shortcut::Search)
        );
        // Ctrl+Alt types another character on some layouts: the key's place decides.
        assert_eq!(
            keys("ñ", "KeyN", true, true, false),
            Some(Shortcut::NewChat)
        );
        assert_eq!(
            keys("U", "KeyU", true, true, true),
            Some(Shortcut::MarkUnread)
        );
        assert_eq!(keys("/", "Slash", true, false, false), Some(Shortcut::Help));
        assert_eq!(
            keys("ArrowUp", "ArrowUp", false, true, false),
            Some(Shortcut::PreviousChat)
        );
        assert_eq!(
            keys("ArrowDown", "ArrowDown", false, true, false),
            Some(Shortcut::NextChat)
        );
        // Left to the browser and screen readers: bare keys, Ctrl+N, arrows without Alt.
        assert_eq!(keys("k", "KeyK", false, false, false), None);
        assert_eq!(keys("n", "KeyN", true, false, false), None);
        assert_eq!(keys("ArrowUp", "ArrowUp", false, false, false), None);
        assert_eq!(keys("ArrowUp", "ArrowUp", true, true, false), None);
        assert_eq!(keys("u", "KeyU", true, true, false), None);
        // AltGr+N types ń on a Polish layout (Windows reports Ctrl+Alt): left to typing.
        let alt_gr = Keys {
            key: "ń",
            code: "KeyN",
            ctrl: true,
            alt: true,
            shift: false,
            alt_graph: true,
        };
        assert_eq!(shortcut(&alt_gr), None);
    }

    #[test]
    fn alt_arrows_move_through_the_list_and_stop_at_its_ends() {
        let chats: Vec<ChatId> = ["ann", "ben", "cyd"]
            .iter()
            .map(|n| ChatId::Direct(Username::parse(n).unwrap()))
            .collect();
        let next = |at: Option<usize>| neighbour(&chats, at.map(|i| &chats[i]), Shortcut::NextChat);
        let previous =
            |at: Option<usize>| neighbour(&chats, at.map(|i| &chats[i]), Shortcut::PreviousChat);
        assert_eq!(next(None), Some(chats[0].clone()));
        assert_eq!(next(Some(0)), Some(chats[1].clone()));
        assert_eq!(next(Some(2)), None);
        assert_eq!(previous(None), Some(chats[2].clone()));
        assert_eq!(previous(Some(1)), Some(chats[0].clone()));
        assert_eq!(previous(Some(0)), None);
        assert_eq!(neighbour(&[], None, Shortcut::NextChat), None);
        assert_eq!(neighbour(&chats, None, Shortcut::Search), None);
    }
}
