//! One command served: the engine step it asks for, and what it changes on screen. What the
//! step puts out is applied by the caller (opening a chat and sending apply theirs as they go).

use hush_client::error::InputError;
use hush_client::{ChatId, EngineError, Output, Username};
use hush_protocol::relay::ClientFrame;
use leptos::prelude::*;

use super::tab::Tab;
use super::{
    chat, downloads, events, forwarding, gallery, groups, linking, resume, uploads, voice,
};
use crate::command::Command;
use crate::platform::clock;
use crate::platform::push::Subscription;
use crate::state::Link;
use crate::text;

/// Serves one command (relay frames aside: the runner receives those in batches).
pub(super) async fn serve(tab: &mut Tab, command: Command) -> Result<Output, EngineError> {
    let ui = tab.ui;
    match command {
        Command::Connected | Command::Disconnected => {
            tab.engine.reset_connection();
            uploads::connection_lost(tab);
            linking::connection_lost(ui);
            if matches!(command, Command::Connected) {
                resume::pending_uploads(tab);
            }
            Ok(Output::default())
        }
        Command::Frame(_) | Command::UseHere => Ok(Output::default()),
        Command::CreateAccount { name, display_name } => {
            ui.problem.set(None);
            let name = Username::parse(&name).map_err(|_| InputError::Username)?;
            let mut out = tab.engine.create_account(&name).await?;
            let more = tab.engine.set_display_name(&display_name).await?;
            let kept = tab.engine.account().map(|a| a.display_name.clone());
            ui.my_name.set(kept.unwrap_or_default());
            out.frames.extend(more.frames);
            out.events.extend(more.events);
            Ok(out)
        }
        Command::Send { to, body } => send(tab, &to, &body).await,
        Command::SendFiles { to, files, caption } => uploads::start(tab, to, files, caption),
        Command::SendVoice { to, recording } => voice::send(tab, to, recording),
        Command::Uploaded {
            pointer,
            forward: Some(forwarding),
            ..
        } => forwarding::send(tab, forwarding, Some(*pointer)).await,
        Command::Renewed { request, renewed } => forwarding::renewed(tab, request, renewed).await,
        Command::Reupload {
            forwarding,
            file,
            caption,
        } => uploads::start_forward(tab, forwarding, file, caption),
        Command::Uploaded { to, pointer, .. } => {
            let (message, out) = tab
                .engine
                .send_attachment(&to, *pointer, clock::now_ms())
                .await?;
            events::apply(tab, out).await;
            chat::show_sent(tab, message).await;
            Ok(Output::default())
        }
        Command::CancelUpload(request) => {
            uploads::cancel(tab, request);
            Ok(Output::default())
        }
        Command::Download(id) => {
            downloads::save(tab, id).await;
            Ok(Output::default())
        }
        Command::ShowMedia(id) => {
            downloads::arrived(tab, id).await;
            Ok(Output::default())
        }
        Command::ClearMedia => {
            downloads::clear(ui).await;
            super::storage::measure(tab).await;
            Ok(Output::default())
        }
        Command::MeasureMedia => {
            super::storage::measure(tab).await;
            Ok(Output::default())
        }
        Command::ClearChatMedia(chat) => {
            super::storage::clear_chat_media(tab, &chat).await;
            Ok(Output::default())
        }
        Command::Search(search) => super::search::serve(tab, search).await,
        Command::LoadStarred => {
            chat::load_starred(&tab.engine, ui).await;
            Ok(Output::default())
        }
        Command::LoadGallery => {
            gallery::load(tab).await;
            Ok(Output::default())
        }
        Command::Open(chat) => super::open::open_chat(tab, chat).await,
        Command::LoadEarlier => {
            chat::load_earlier(&tab.engine, ui).await;
            Ok(Output::default())
        }
        Command::LoadLater => {
            chat::load_later(&tab.engine, ui).await;
            Ok(Output::default())
        }
        Command::JumpToNewest => {
            if let Some(chat) = ui.current.get_untracked() {
                chat::load_chat(&tab.engine, ui, &chat).await;
            }
            Ok(Output::default())
        }
        Command::Typing {
            to: ChatId::Direct(to),
            typing,
        } => Ok(tab.engine.typing(&to, typing)),
        Command::Typing { to, typing } => Ok(tab.engine.group_typing(&to, typing).await),
        Command::Message(command) => super::message_actions::serve(tab, command).await,
        Command::ChatAction { chat, action } => super::chat_list::serve(tab, chat, action).await,
        Command::Group(command) => {
            let (out, open) = groups::run(&mut tab.engine, ui, command, clock::now_ms()).await?;
            if let Some(chat) = open {
                tab.messenger.tell(Command::Open(chat));
            }
            Ok(out)
        }
        Command::Retry(id) => tab.engine.retry(id).await,
        Command::React { id, emoji } => tab.engine.react(&id, &emoji, clock::now_ms()).await,
        Command::ContactInfo(chat) => {
            chat::show_safety(&tab.engine, ui, &chat).await;
            Ok(Output::default())
        }
        Command::MarkVerified(chat) => {
            if let Err(e) = tab.engine.mark_verified(&chat).await {
                ui.problem.set(Some(text::engine_error(&e)));
            }
            chat::show_safety(&tab.engine, ui, &chat).await;
            Ok(Output::default())
        }
        Command::Close => {
            ui.current.set(None);
            Ok(Output::default())
        }
        Command::SetTimer { chat, timer_ms } => {
            let now = clock::now_ms();
            let (notice, out) = tab.engine.set_timer(&chat, timer_ms, now).await?;
            ui.timer.set(timer_ms);
            chat::show_sent(tab, notice).await;
            Ok(out)
        }
        Command::Expire => chat::expire(&mut tab.engine).await,
        Command::Mute { chat, muted } => {
            tab.engine.set_muted(&chat, muted).await?;
            ui.muted.update(|list| {
                list.retain(|c| *c != chat);
                if muted {
                    list.push(chat);
                }
            });
            Ok(Output::default())
        }
        Command::Push(subscription) => Ok(push_subscription(subscription)),
        setting @ (Command::SetAutoDownload(_)
        | Command::SetDefaultTimer(_)
        | Command::SetReadReceipts(_)
        | Command::SetDisplayName(_)
        | Command::SetAbout(_)
        | Command::ChangePhoto
        | Command::RemovePhoto
        | Command::PhotoUploaded(_)
        | Command::SetTheme(_)
        | Command::SetEnterSends(_)
        | Command::SetNoticeStyle(_)
        | Command::SetPresenceVisibility(_)) => super::settings::serve(tab, setting).await,
        link @ (Command::StartLink
        | Command::CancelLink
        | Command::FetchLink(_)
        | Command::AllowLink
        | Command::HistoryUploaded(_)
        | Command::ImportHistory { .. }
        | Command::Linked
        | Command::Unlink(_)
        | Command::DeleteAccount
        | Command::RenameDevice { .. }) => serve_link(tab, link).await,
    }
}

/// Sends a text: on its way first, then on screen (as "Sending" until the relay answers).
async fn send(tab: &mut Tab, to: &ChatId, body: &str) -> Result<Output, EngineError> {
    let (message, out) = tab.engine.send_text(to, body, clock::now_ms()).await?;
    events::apply(tab, out).await;
    chat::show_sent(tab, message).await;
    Ok(Output::default())
}

/// Serves a command of linking devices.
async fn serve_link(tab: &mut Tab, command: Command) -> Result<Output, EngineError> {
    let ui = tab.ui;
    match command {
        Command::StartLink => linking::start(tab),
        Command::CancelLink => {
            tab.engine.cancel_link();
            ui.link.set(Link::Idle);
            Ok(Output::default())
        }
        Command::FetchLink(code) => {
            ui.link.set(Link::Working(text::LOOKING_UP_CODE.to_owned()));
            tab.engine.fetch_link(&code)
        }
        Command::AllowLink => {
            ui.link
                .set(Link::Working(text::ENCRYPTING_HISTORY.to_owned()));
            tab.engine.allow_link(clock::now_ms()).await
        }
        Command::HistoryUploaded(ok) => linking::history_uploaded(tab, ok),
        Command::ImportHistory { history, blob } => {
            Ok(linking::import_history(tab, history, blob).await)
        }
        Command::Linked => {
            linking::linked(tab).await;
            Ok(Output::default())
        }
        Command::Unlink(id) => tab.engine.unlink(id),
        Command::DeleteAccount => tab.engine.delete_account(),
        Command::RenameDevice { id, name } => tab.engine.rename_device(id, &name),
        // Served by `serve`.
        _ => Ok(Output::default()),
    }
}

/// Gives the relay this device's push subscription, or takes it back.
fn push_subscription(subscription: Option<Subscription>) -> Output {
    Output {
        frames: vec![match subscription {
            Some(s) => ClientFrame::PushSubscribe {
                endpoint: s.endpoint,
                p256dh: s.p256dh,
                auth: s.auth,
            },
            None => ClientFrame::PushUnsubscribe,
        }],
        events: Vec::new(),
    }
}
