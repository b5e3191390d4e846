//! The open conversation: its header, log, composer, search and contact info.

// ui/conversation/composer.rs
pub const NO_LONGER_A_MEMBER: &str = "You are no longer a member of this group.";
pub const ONLY_ADMINS_SEND_HERE: &str = "Only admins can send messages in this group.";
pub const MESSAGE_FIELD: &str = "Message";
pub const SEND: &str = "Send";
pub const CANCEL_EDIT: &str = "Cancel edit";
pub const SAVE_EDIT: &str = "Save edit";
pub const CANCEL_REPLY: &str = "Cancel reply";

// ui/conversation/contact_info.rs
pub const SAFETY_NUMBER: &str = "Safety number";
pub const SAFETY_NUMBER_QR_CODE: &str = "Safety number QR code";
pub const SAFETY_NUMBER_HINT: &str = "Compare it with the one on their screen, or scan their code. If they match, nobody is in the middle.";
pub const VERIFIED: &str = "Verified";
pub const MARK_AS_VERIFIED: &str = "Mark as verified";

// ui/conversation/find.rs
pub const SEARCH_IN_CHAT: &str = "Search in chat";
pub const IN_THIS_CHAT: &str = "In this chat";
pub const PREVIOUS_RESULT: &str = "Previous result";
pub const NEXT_RESULT: &str = "Next result";
pub const NO_RESULTS: &str = "No results";

// ui/conversation/header.rs
pub const GROUP_INFO: &str = "Group info";
pub const CONTACT_INFO: &str = "Contact info";
pub const MUTE: &str = "Mute";

// ui/conversation/log.rs
pub const LOAD_EARLIER_MESSAGES: &str = "Load earlier messages";
pub const LOAD_NEWER_MESSAGES: &str = "Load newer messages";
pub const JUMP_TO_NEWEST: &str = "Jump to newest";

// ui/conversation/mention.rs
pub const MENTION: &str = "Mention";

// ui/conversation/mod.rs
pub const CONVERSATION: &str = "Conversation";
pub const NO_CHAT_OPEN: &str = "No chat open";
pub const NO_CHAT_OPEN_HINT: &str =
    "Choose a chat, or start a new one with New chat. Everything you send is end-to-end encrypted.";

// ui/conversation/timer.rs
pub const DISAPPEARING_MESSAGES: &str = "Disappearing messages";

/// A direct chat's header while the contact types.
pub const TYPING: &str = "typing…";
/// A direct chat's header while the contact is connected.
pub const ONLINE: &str = "online";

/// A group's header while `names` (joined by ", ") type.
pub fn typing_in_group(names: &str) -> String {
    format!("{names} typing…")
}

/// A direct chat's header: when the contact was last connected ("14:05").
pub fn last_seen(time: &str) -> String {
    format!("last seen {time}")
}

/// Where the search in the chat is: the `at`th (from 1) of `count` matches, "+" after the
/// count when only the newest messages were searched.
pub fn result_of(at: usize, count: usize, complete: bool) -> String {
    let more = if complete { "" } else { "+" };
    format!("{at} of {count}{more}")
}

/// The name of the bar above the composer: the message being answered is `name`'s.
pub fn replying_to(name: &str) -> String {
    format!("Replying to {name}")
}

/// After the count beside "Jump to newest", for screen readers.
pub fn new_messages_after_count(count: usize) -> &'static str {
    if count == 1 {
        " new message"
    } else {
        " new messages"
    }
}
