//! What goes back to the client, and how a refused request is answered.

use futures::future::BoxFuture;
use hush_protocol::relay::{ClientFrame, ErrorCode, SendOutcome, ServerFrame};

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
        | ClientFrame::Provision { request, .. }
        | ClientFrame::SetPresenceVisibility { request, .. } => *request,
        _ => 0,
    }
}

/// What names the request an answer is for: a send's client id, else its request id.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Named {
    /// A request with an id (0 when it has none).
    Request(u32),
    /// A send: refusals come back as `Sent` with its client id.
    Send([u8; 16]),
}

impl Named {
    /// What an answer to `frame` names.
    pub(crate) fn of(frame: &ClientFrame) -> Self {
        match frame {
            ClientFrame::Send { client_id, .. } | ClientFrame::GroupSend { client_id, .. } => {
                Self::Send(*client_id)
            }
            other => Self::Request(request_id(other)),
        }
    }

    /// The refusal as the client hears it: about this request.
    pub(crate) fn refused(self, (code, message): Refusal) -> Reply {
        match self {
            Self::Request(request) => Reply::Error(request, code, message),
            Self::Send(client_id) => Reply::Frames(vec![ServerFrame::Sent {
                client_id,
                outcome: SendOutcome::Refused { code, message },
            }]),
        }
    }
}

/// The refusal of `frame`, named after it.
pub(crate) fn refuse(frame: &ClientFrame, refusal: Refusal) -> Reply {
    Named::of(frame).refused(refusal)
}

/// The reply to the request named `named`: its answer, or its refusal.
pub(super) fn answer(named: Named, result: Result<Reply, Refusal>) -> Reply {
    result.unwrap_or_else(|refusal| named.refused(refusal))
}

/// A store failure, as the client hears it.
pub(super) fn internal(_: StoreError) -> Refusal {
    (
        ErrorCode::Internal,
        "the relay could not complete the request; try again".to_owned(),
    )
}
