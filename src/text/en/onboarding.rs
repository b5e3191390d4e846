//! Onboarding: creating an account, or linking this browser to one.

// ui/onboarding.rs
pub const ALREADY_USE_HUSH: &str = "Already use Hush on another device? ";
pub const LINK_TO_EXISTING_ACCOUNT: &str = "Link to existing account";
pub const WELCOME_TITLE: &str = "Private messages, right in your browser";
pub const WELCOME_PROMISE: &str =
    "End-to-end encrypted: only the people in a chat can read it. Not even our server.";
pub const USERNAME_RULES: &str =
    "3 to 32 characters: a letter first, then letters, digits, '.', '_' or '-'.";
pub const DISPLAY_NAME_OPTIONAL: &str = "Display name (optional)";
pub const DISPLAY_NAME_HINT: &str =
    "What the people you chat with see. Sent to them end-to-end encrypted.";
pub const CREATE_ACCOUNT: &str = "Create account";
