//! Settings changed: this device's choices (kept in the browser) and the account's (through
//! the engine).

use hush_client::{EngineError, Output};
use leptos::prelude::*;

use super::tab::Tab;
use crate::command::Command;
use crate::platform::preferences;

/// Serves a command of Settings.
pub(super) async fn serve(tab: &mut Tab, command: Command) -> Result<Output, EngineError> {
    let ui = tab.ui;
    match command {
        Command::SetAutoDownload(choice) => {
            preferences::set_auto_download(choice);
            ui.auto_download.set(choice);
        }
        Command::SetDefaultTimer(timer_ms) => {
            preferences::set_default_timer(timer_ms);
            ui.default_timer.set(timer_ms);
        }
        Command::SetTheme(theme) => {
            preferences::set_theme(theme);
            ui.theme.set(theme);
        }
        Command::SetEnterSends(on) => {
            preferences::set_enter_sends(on);
            ui.enter_sends.set(on);
        }
        Command::SetNoticeStyle(style) => {
            preferences::set_notice_style(style);
            ui.notice_style.set(style);
        }
        Command::SetReadReceipts(on) => {
            let out = tab.engine.set_read_receipts(on).await?;
            ui.read_receipts.set(on);
            return Ok(out);
        }
        Command::SetDisplayName(name) => {
            let out = tab.engine.set_display_name(&name).await?;
            let kept = tab.engine.account().map(|a| a.display_name.clone());
            ui.my_name.set(kept.unwrap_or_default());
            return Ok(out);
        }
        Command::SetAbout(about) => return super::profile::set_about(tab, &about).await,
        Command::ChangePhoto => return super::profile::change_photo(tab).await,
        Command::RemovePhoto => return super::profile::remove_photo(tab).await,
        Command::PhotoUploaded(photo) => {
            return super::profile::photo_uploaded(tab, photo).await;
        }
        Command::SetPresenceVisibility(visibility) => {
            return tab.engine.set_presence_visibility(visibility).await;
        }
        // Served by `commands::serve`.
        _ => {}
    }
    Ok(Output::default())
}
