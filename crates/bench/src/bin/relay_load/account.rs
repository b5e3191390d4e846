//! A load account: registered on ours (its own account key and one device) and ready to send
//! and receive; on the bare relay, just a connection.

use std::net::SocketAddr;

use futures::SinkExt;
use hush_bench::Failure;
use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::relay::{auth_message, ClientFrame, ServerFrame};
use hush_protocol::IdentityKeyPair;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio_tungstenite::tungstenite::Message;

use crate::connect::{connect, next_frame, Ws};
use crate::relay_kind::Relay;

/// A fresh account's keys, from a seed.
struct Account {
    name: String,
    key: AccountKey,
    identity: IdentityKeyPair,
}

impl Account {
    fn new(name: String, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Self {
            name,
            key: AccountKey::generate(&mut rng),
            identity: IdentityKeyPair::generate(&mut rng),
        }
    }

    /// `Register` with a list of one device, signed for `nonce`.
    fn register_frame(&self, nonce: &[u8; 32]) -> Result<ClientFrame, Failure> {
        let identity = self.identity.public();
        let device = ListedDevice::certify(&self.name, 1, identity, "Load bot", 0, &self.key)?;
        let list = DeviceList::sign(&self.name, 1, vec![device], &self.key)?;
        Ok(ClientFrame::Register {
            account_key: self.key.public(),
            device_list: list.encode(),
            device: 1,
            signature: self.identity.sign(&auth_message(nonce, &self.name, 1)),
        })
    }
}

/// A connection of a fresh account `name` (ours: registered and authenticated, queue
/// drained) or a bare connection on `bare_path`.
pub async fn open(
    relay: Relay,
    addr: SocketAddr,
    name: String,
    seed: u64,
    bare_path: &str,
) -> Result<Ws, Failure> {
    if relay.speaks_hush() {
        register(addr, Account::new(name, seed)).await
    } else {
        connect(addr, bare_path).await
    }
}

/// Registers `account` on ours and waits until its (empty) queue is drained.
async fn register(addr: SocketAddr, account: Account) -> Result<Ws, Failure> {
    let mut ws = connect(addr, "/ws").await?;
    let ServerFrame::Challenge { nonce } = next_frame(&mut ws).await? else {
        return Err("expected a challenge".into());
    };
    ws.send(Message::binary(account.register_frame(&nonce)?.encode()))
        .await?;
    loop {
        match next_frame(&mut ws).await? {
            ServerFrame::Authenticated { .. } => break,
            // The account's own device list and presence setting come just before
            // `Authenticated`.
            frame if is_notice(&frame) => continue,
            other => return Err(format!("registration refused: {other:?}").into()),
        }
    }
    loop {
        match next_frame(&mut ws).await? {
            ServerFrame::QueueDrained => return Ok(ws),
            frame if is_notice(&frame) => continue,
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
}

/// Frames the relay tells a device of its own accord, which a load bot has no use for.
fn is_notice(frame: &ServerFrame) -> bool {
    matches!(
        frame,
        ServerFrame::OwnDevices { .. }
            | ServerFrame::PresenceVisibility { .. }
            | ServerFrame::PreKeysLow { .. }
    )
}

#[cfg(test)]
mod tests {
    use hush_server::{Config, Server};
    use tokio::net::TcpListener;

    use super::*;

    /// Since linking, the relay sends the account's own list (`OwnDevices`) before
    /// `Authenticated`: that is no refusal.
    #[tokio::test]
    async fn a_load_account_registers_on_the_real_relay() {
        let data = tempfile::tempdir().unwrap();
        let config = Config::local(data.path());
        let server = Server::new(&config).unwrap();
        let listener = TcpListener::bind(config.addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        for i in 0..3 {
            open(Relay::Hush, addr, format!("bot-{i}"), i, "/idle")
                .await
                .unwrap();
        }
        drop(stop);
        serving.await.unwrap().unwrap();
    }
}
