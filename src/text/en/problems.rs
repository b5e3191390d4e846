//! Problems the runner reports that belong to no one screen.

use core::fmt::Display;

// runner/chat.rs
pub const NO_SAFETY_NUMBER_YET: &str =
    "There is no safety number yet: send or receive a message first.";

// runner/events.rs
pub const USERNAME_TAKEN: &str = "That username is taken. Try another one.";

// runner/mod.rs
pub const TAKE_OVER_FAILED: &str = "Hush could not take over from the other tab.";

// runner/search.rs
pub const MESSAGE_GONE: &str = "That message is no longer here.";

// store/error.rs
pub const DATA_FROM_NEWER_VERSION: &str =
    "a newer version of Hush has updated this browser's data: reload to use it";

// runner/events.rs
/// A message from `from` could not be decrypted.
pub fn could_not_decrypt(from: impl Display) -> String {
    format!("A message from {from} could not be decrypted.")
}

/// The devices of `account` were refused, and why.
pub fn devices_refused(account: impl Display, why: impl Display) -> String {
    format!("{account}: {why}")
}

/// The username `name` asked for does not exist.
pub fn no_one_called(name: impl Display) -> String {
    format!("There is no one called {name} on Hush.")
}

// runner/mod.rs
/// The browser's storage (IndexedDB) could not be opened, and why.
pub fn cannot_use_storage(why: impl Display) -> String {
    format!("Hush cannot use this browser's storage: {why}")
}
