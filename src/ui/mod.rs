//! The screens: onboarding, and the chat list beside the open conversation.

mod avatar;
mod chat_actions;
mod chats;
mod conversation;
mod devices;
mod focus_back;
mod groups;
mod notify_switch;
mod onboarding;
mod pwa;
mod qr;
mod search;
mod settings;
mod shell;
mod shortcuts;
mod starred;
mod switch;
mod time;

pub(crate) use chats::Chats;
pub(crate) use onboarding::Onboarding;
pub(crate) use pwa::{InstallButton, UpdateBanner};
