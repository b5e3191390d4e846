//! English, the app's first language.

mod chats;
mod common;
mod conversation;
mod devices;
mod errors;
mod groups;
mod media;
mod messages;
mod notices;
mod onboarding;
mod problems;
mod settings;
mod shell;
mod shortcuts;
mod status;
mod time;

pub use self::chats::*;
pub use self::common::*;
pub use self::conversation::*;
pub use self::devices::*;
pub use self::errors::*;
pub use self::groups::*;
pub use self::media::*;
pub use self::messages::*;
pub use self::notices::*;
pub use self::onboarding::*;
pub use self::problems::*;
pub use self::settings::*;
pub use self::shell::*;
pub use self::shortcuts::*;
pub use self::status::*;
pub use self::time::*;
