//! The screens: onboarding, and the chat list beside the open conversation.

mod chat_actions;
mod chats;
mod conversation;
mod devices;
mod focus_back;
mod groups;
mod onboarding;
mod qr;
mod search;
mod settings;
mod starred;
mod time;

pub(crate) use chats::Chats;
pub(crate) use onboarding::Onboarding;
