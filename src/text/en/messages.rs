//! Messages: their delivery states, actions, reactions, quotes, and delete and forward.

use core::fmt::Display;

// ui/conversation/actions.rs
pub const MESSAGE_ACTIONS: &str = "Message actions";
pub const REACTIONS_TO_CHOOSE: &str = "Reactions to choose";
pub const COPY_FAILED: &str = "Could not copy the message.";

// ui/conversation/delete_dialog.rs
pub const DELETE_MESSAGE: &str = "Delete message?";
pub const DELETE_FOR_EVERYONE_EXPLAINED: &str =
    "It will be deleted for everyone in this chat, on all their devices.";
pub const DELETE_FOR_EVERYONE: &str = "Delete for everyone";

// ui/conversation/extras.rs
pub const FORWARDED_MANY_TIMES: &str = "Forwarded many times";
pub const FORWARDED: &str = "Forwarded";
pub const EDITED: &str = "Edited";

// ui/conversation/forward_dialog.rs
pub const FORWARD_TO: &str = "Forward to";
pub const FORWARD: &str = "Forward";

// ui/conversation/message_action.rs
pub const REACT: &str = "React";
pub const EDIT: &str = "Edit";
pub const DELETE_FOR_ME: &str = "Delete for me";
pub const STAR: &str = "Star";
pub const UNSTAR: &str = "Unstar";
pub const COPY: &str = "Copy";
pub const INFO: &str = "Info";

// ui/conversation/reactions.rs
pub const REACTIONS: &str = "Reactions";

// ui/conversation/row.rs
pub const MESSAGE_SENDING: &str = "Sending";
pub const MESSAGE_SENT: &str = "Sent";
pub const MESSAGE_DELIVERED: &str = "Delivered";
pub const MESSAGE_READ: &str = "Read";
pub const MESSAGE_FAILED: &str = "Failed";
pub const RETRY: &str = "Retry";

// runner/forwarding.rs
pub const FORWARD_FILE_GONE: &str = "Could not forward: this file is no longer available.";

/// A quote's name: who wrote the quoted message and its start.
pub fn quote_of(author: &str, preview: &str) -> String {
    format!("Quote of {author}: {preview}")
}

/// The name of the quick reaction button with `emoji`.
pub fn react_with(emoji: &str) -> String {
    format!("React {emoji}")
}

/// The name of the list of who reacted with `emoji`.
pub fn reacted_with(emoji: &str) -> String {
    format!("Reacted with {emoji}")
}

/// The notice when the contact `name`'s security code changed.
pub fn security_code_changed(name: impl Display) -> String {
    format!("{name}'s security code changed. Compare safety numbers to be sure it is still them.")
}

/// The notice when the contact `name` linked a device.
pub fn linked_a_new_device(name: &str) -> String {
    format!("{name} linked a new device.")
}

/// The notice when the contact `name` deleted their account.
pub fn deleted_their_account(name: &str) -> String {
    format!("{name} deleted their account. Messages to them cannot be sent.")
}

// runner/forwarding.rs
/// A forward did not reach the chats `names` (joined by ", "), the first for `why`.
pub fn could_not_forward_to(names: &str, why: impl Display) -> String {
    format!("Could not forward to {names}: {why}")
}
