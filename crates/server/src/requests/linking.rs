//! Linking a new browser: the approving device fetches the announcement waiting at a link
//! code's address and hands the waiting browser its provisioning message.

use std::time::Instant;

use hush_protocol::linking::ADDRESS_LEN;
use hush_protocol::relay::{ErrorCode, ServerFrame};

use super::reply::{Refusal, Reply};
use crate::links::GONE;
use crate::AppState;

/// The announcement waiting at `address`.
pub(super) fn fetch_link(
    state: &AppState,
    request: u32,
    address: &[u8; ADDRESS_LEN],
) -> Result<Reply, Refusal> {
    match state.links.announcement(address, Instant::now()) {
        Some(announcement) => Ok(Reply::Frames(vec![ServerFrame::LinkAnnouncement {
            request,
            announcement,
        }])),
        None => Err((ErrorCode::NotFound, GONE.to_owned())),
    }
}

/// Hands the browser waiting at `address` its provisioning message (once).
pub(super) fn provision(
    state: &AppState,
    request: u32,
    address: &[u8; ADDRESS_LEN],
    sealed: Vec<u8>,
) -> Result<Reply, Refusal> {
    if state.links.provision(address, sealed, Instant::now()) {
        Ok(Reply::Frames(vec![ServerFrame::Provisioned { request }]))
    } else {
        Err((ErrorCode::NotFound, GONE.to_owned()))
    }
}
