//! What goes back to the client, and how a refused request is answered.

use futures::future::BoxFuture;
use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};

use crate::store::StoreError;

/// What goes back to the client.
pub(crate) enum Reply {
    /// Nothing.
    None,
    /// These frames, in order.
    Frames(Vec<ServerFrame>),
    /// An error answering the request with this id (0 when none).
    Error(u32, ErrorCode, String),
    /// The answer once a submitted write has committed (replies keep the requests' order).
    Later(BoxFuture<'static, Reply>),
}

/// Why a request was refused: the code and the text the client gets.
pub(crate) type Refusal = (ErrorCode, String);

/// The id an answer to `frame` (or an error about it) carries: the request's own for those
/// that have one, else 0.
pub(crate) fn request_id(frame: &ClientFrame) -> u32 {
    match frame {
        ClientFrame::FetchBundles { request, .. }
        | ClientFrame::RequestUpload { request, .. }
        | ClientFrame::RenewBlob { request, .. }
        | ClientFrame::PublishDeviceList { request, .. }
        | ClientFrame::FetchLink { request, .. }
        | ClientFrame::Provision { request, .. } => *request,
        _ => 0,
    }
}

/// The reply to the request with id `request` (0 when it has none): its answer, or its refusal.
pub(super) fn answer(request: u32, result: Result<Reply, Refusal>) -> Reply {
    result.unwrap_or_else(|(code, message)| Reply::Error(request, code, message))
}

/// A store failure, as the client hears it.
pub(super) fn internal(_: StoreError) -> Refusal {
    (
        ErrorCode::Internal,
        "the relay could not complete the request; try again".to_owned(),
    )
}
