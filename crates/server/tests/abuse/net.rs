//! Connections for the abuse suite: each attacker comes from an address of its own (named in
//! `X-Forwarded-For`, the relay trusting loopback as its proxy), so the per-address limits
//! each attack is meant to hit are its own and honest clients (plain loopback) keep theirs.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

use futures::StreamExt;
use hush_protocol::relay::{auth_message, ClientFrame, ErrorCode, ServerFrame};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::MaybeTlsStream;

use crate::support::{user, Account, Client, WAIT};

/// Where an attacker aims, and when it stops.
#[derive(Clone, Copy)]
pub struct Target {
    /// The relay.
    pub addr: SocketAddr,
    /// The end of the attack.
    pub until: Instant,
}

impl Target {
    /// Whether the attack is still on.
    pub fn on(&self) -> bool {
        Instant::now() < self.until
    }
}

/// How opening a WebSocket went.
pub enum Opened {
    /// Let in: the challenge came.
    In(Box<Client>),
    /// Refused with this code (the guest limits).
    Refused(ErrorCode),
}

/// Opens a WebSocket as the client at `from` (an address in `X-Forwarded-For`).
pub async fn open(addr: SocketAddr, from: &str) -> Opened {
    open_with(addr, from, None).await
}

/// Opens a WebSocket from `from`, its receive buffer set to `window` bytes if given: a small
/// one (which also turns off the kernel's autotuning, up to 32 MiB here) makes a client that
/// reads nothing stall the relay after a little, not after tens of megabytes.
pub async fn open_with(addr: SocketAddr, from: &str, window: Option<u32>) -> Opened {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("x-forwarded-for", from.parse().unwrap());
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(window) = window {
        socket.set_recv_buffer_size(window).unwrap();
    }
    let connecting = async {
        let tcp = socket.connect(addr).await.unwrap();
        tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(tcp)).await
    };
    let (ws, _) = tokio::time::timeout(WAIT, connecting)
        .await
        .expect("the upgrade in time")
        .unwrap();
    let mut client = Client { ws, nonce: [0; 32] };
    match client.recv_any().await {
        ServerFrame::Challenge { nonce } => {
            client.nonce = nonce;
            Opened::In(Box::new(client))
        }
        ServerFrame::Error { code, .. } => Opened::Refused(code),
        other => panic!("expected a challenge, got {other:?}"),
    }
}

/// Opens a WebSocket from `from` that must be let in.
pub async fn admitted(addr: SocketAddr, from: &str) -> Client {
    match open(addr, from).await {
        Opened::In(client) => *client,
        Opened::Refused(code) => panic!("{from} was refused a connection: {code:?}"),
    }
}

/// Signs `account`'s device 1 in from `from`; its queue follows
/// and is read (attackers' queues are empty but for what other attacks leave).
pub async fn login_from(addr: SocketAddr, from: &str, account: &Account) -> Client {
    let mut client = sign_in(admitted(addr, from).await, account).await;
    loop {
        match next_frame(&mut client).await {
            Some(ServerFrame::QueueDrained) => return client,
            Some(_) => {}
            None => panic!("{} lost its connection reading its queue", account.name),
        }
    }
}

/// Signs `account`'s device 1 in on `client`, let in already.
pub async fn sign_in(mut client: Client, account: &Account) -> Client {
    let signature = account
        .identity
        .sign(&auth_message(&client.nonce, &account.name, 1));
    client
        .send(&ClientFrame::Authenticate {
            account: user(&account.name),
            device: 1,
            signature,
        })
        .await;
    match client.recv().await {
        ServerFrame::Authenticated { .. } => client,
        other => panic!("{} could not sign in: {other:?}", account.name),
    }
}

/// Reads (and drops) whatever comes until the relay closes the connection: how long that
/// took, or `None` if it was still open after `limit`.
pub async fn until_closed(client: &mut Client, limit: Duration) -> Option<Duration> {
    let start = tokio::time::Instant::now();
    let closed = tokio::time::timeout(limit, async {
        loop {
            match client.ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    closed.ok().map(|()| start.elapsed())
}

/// The next frame but the account's own device list (its devices' comings and goings), or
/// `None` when the connection closes or nothing comes within [`WAIT`].
pub async fn next_frame(client: &mut Client) -> Option<ServerFrame> {
    loop {
        match first_frame(client).await? {
            ServerFrame::OwnDevices { .. } => {}
            frame => return Some(frame),
        }
    }
}

/// The next frame, whatever it is, or `None` when the connection closes or nothing comes
/// within [`WAIT`].
pub async fn first_frame(client: &mut Client) -> Option<ServerFrame> {
    loop {
        let message = tokio::time::timeout(WAIT, client.ws.next()).await.ok()??;
        match message.ok()? {
            Message::Binary(bytes) => return ServerFrame::decode(&bytes).ok(),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}
