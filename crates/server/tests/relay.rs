//! The relay over real WebSockets on port 0, driven by a native client built on hush-protocol's
//! frames: authentication, prekeys, delivery, acks, ordering, idempotency, bad input, and a
//! SIGKILL in the middle.

use std::net::SocketAddr;
use std::path::Path;

use futures::SinkExt;
use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::hex;
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::relay::{
    auth_message, ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame,
};
use hush_protocol::IdentityKeyPair;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

mod support;

use support::{get, metric, start_relay_with, user, Account, Client};

/// A relay with the default limits.
async fn start() -> support::TestServer {
    support::start_relay(500.0, false).await
}

async fn start_with_limit(frames_per_second: f64) -> support::TestServer {
    support::start_relay(frames_per_second, false).await
}

/// Requests are handled in order: once this answer arrives, everything sent before is done.
async fn barrier(client: &mut Client) {
    client
        .send(&ClientFrame::FetchBundles {
            request: 77,
            account: user("nobody"),
        })
        .await;
    // An unknown account is NotFound (not a store failure).
    assert!(matches!(
        client.recv().await,
        ServerFrame::Error {
            request: 77,
            code: ErrorCode::NotFound,
            ..
        }
    ));
}

fn message(to: &str, client_id: u8, payload: &[u8]) -> ClientFrame {
    ClientFrame::Send {
        client_id: [client_id; 16],
        recipient: user(to),
        envelopes: vec![OutgoingEnvelope {
            device: 1,
            payload: payload.to_vec(),
        }],
    }
}

#[allow(clippy::panic)]
async fn send_stored(client: &mut Client, frame: &ClientFrame) {
    client.send(frame).await;
    match client.recv().await {
        ServerFrame::Sent {
            outcome: SendOutcome::Stored,
            ..
        } => {}
        other => panic!("expected Stored, got {other:?}"),
    }
}

#[tokio::test]
async fn register_then_authenticate_on_a_new_connection() {
    let server = start().await;
    let alice = Account::new("alice", 1);
    drop(alice.register(server.addr).await);
    let mut again = alice.login(server.addr).await;
    assert_eq!(again.drain().await, vec![]);
}

#[tokio::test]
async fn bad_and_replayed_authentication_is_refused() {
    let server = start().await;
    let alice = Account::new("alice", 2);
    let first = alice.register(server.addr).await;
    let used_nonce = first.nonce;
    drop(first);

    // A signature from an earlier connection (another challenge) does not work again.
    let mut replay = Client::connect(server.addr).await;
    let old = alice.identity.sign(&auth_message(&used_nonce, "alice", 1));
    replay
        .send(&ClientFrame::Authenticate {
            account: user("alice"),
            device: 1,
            signature: old,
        })
        .await;
    assert!(matches!(
        replay.recv().await,
        ServerFrame::Error {
            code: ErrorCode::AuthFailed,
            ..
        }
    ));
    assert!(replay.closed().await);

    // Nor does another key, or another device number.
    let mallory = Account::new("mallory", 3);
    let mut forged = Client::connect(server.addr).await;
    let signature = mallory
        .identity
        .sign(&auth_message(&forged.nonce, "alice", 1));
    forged
        .send(&ClientFrame::Authenticate {
            account: user("alice"),
            device: 1,
            signature,
        })
        .await;
    assert!(matches!(
        forged.recv().await,
        ServerFrame::Error {
            code: ErrorCode::AuthFailed,
            ..
        }
    ));
    let mut other_device = Client::connect(server.addr).await;
    let signature = alice
        .identity
        .sign(&auth_message(&other_device.nonce, "alice", 2));
    other_device
        .send(&ClientFrame::Authenticate {
            account: user("alice"),
            device: 2,
            signature,
        })
        .await;
    // A device the list never named is refused like the rest: it learns nothing of the
    // account (a removed device that proves it is one is shown the list: tests/metadata.rs).
    assert!(matches!(
        other_device.recv_any().await,
        ServerFrame::Error {
            code: ErrorCode::AuthFailed,
            ..
        }
    ));
}

#[tokio::test]
async fn names_are_unique_and_validated_and_requests_need_authentication() {
    let server = start().await;
    Account::new("alice", 4).register(server.addr).await;
    let imposter = Account::new("alice", 5);
    let mut client = Client::connect(server.addr).await;
    client
        .send(&imposter.register_frame(&client.nonce.clone()))
        .await;
    assert!(matches!(
        client.recv().await,
        ServerFrame::Error {
            code: ErrorCode::NameTaken,
            ..
        }
    ));

    // A name outside the grammar cannot even be signed into a list: every address and
    // username is parsed in the relay's grammar (`hush_protocol::username`), so such a
    // registration does not decode.
    let bad = Account::new("No Spaces", 6);
    let identity = bad.identity.public();
    let device = ListedDevice::certify("No Spaces", 1, identity, "Test", 0, &bad.key).unwrap();
    assert!(DeviceList::sign("No Spaces", 1, vec![device], &bad.key).is_err());

    let mut anonymous = Client::connect(server.addr).await;
    anonymous.send(&message("alice", 1, b"hi")).await;
    assert!(matches!(
        anonymous.recv().await,
        ServerFrame::Error {
            code: ErrorCode::Unauthenticated,
            ..
        }
    ));
}

#[tokio::test]
async fn one_time_prekeys_are_handed_out_at_most_once_under_concurrent_fetches() {
    let server = start().await;
    let bob = Account::new("bob", 7);
    let mut bob_client = bob.register(server.addr).await;
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let spk = SignedPreKeyPair::generate(1, &bob.identity, &mut rng);
    let one_time: Vec<_> = (0..5)
        .map(|id| OneTimePreKeyPair::generate(id, &mut rng).public())
        .collect();
    bob_client
        .send(&ClientFrame::UploadPreKeys {
            signed_prekey: spk.public(),
            one_time,
        })
        .await;
    assert!(matches!(
        bob_client.recv().await,
        ServerFrame::PreKeysLow { remaining: 5 }
    ));

    let bob_key = bob.key.public();
    let mut fetchers = Vec::new();
    for i in 0..8u64 {
        let addr = server.addr;
        fetchers.push(tokio::spawn(async move {
            let fetcher = Account::new(&format!("fetcher{i}"), 100 + i);
            let mut client = fetcher.register(addr).await;
            client
                .send(&ClientFrame::FetchBundles {
                    request: 9,
                    account: user("bob"),
                })
                .await;
            match client.recv().await {
                ServerFrame::Bundles {
                    request: 9,
                    bundles,
                    device_list,
                    account_key,
                } => {
                    assert_eq!(DeviceList::decode(&device_list).unwrap().account, "bob");
                    assert_eq!(account_key, bob_key);
                    assert_eq!(bundles.len(), 1);
                    assert_eq!(bundles[0].signed_prekey, spk_public_of(&bundles[0]));
                    bundles[0].one_time_prekey.map(|k| k.id)
                }
                other => panic!("{other:?}"),
            }
        }));
    }
    let mut handed_out = Vec::new();
    for f in fetchers {
        handed_out.extend(f.await.unwrap());
    }
    handed_out.sort_unstable();
    assert_eq!(
        handed_out,
        vec![0, 1, 2, 3, 4],
        "each one-time prekey exactly once"
    );
}

fn spk_public_of(bundle: &hush_protocol::wire::PreKeyBundle) -> hush_protocol::keys::SignedPreKey {
    assert!(bundle.signed_prekey.verify(&bundle.identity));
    bundle.signed_prekey
}

#[tokio::test]
async fn a_signed_prekey_not_signed_by_the_device_is_refused() {
    let server = start().await;
    let bob = Account::new("bob", 9);
    let mut client = bob.register(server.addr).await;
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let someone_else = IdentityKeyPair::generate(&mut rng);
    let spk = SignedPreKeyPair::generate(1, &someone_else, &mut rng);
    client
        .send(&ClientFrame::UploadPreKeys {
            signed_prekey: spk.public(),
            one_time: vec![],
        })
        .await;
    assert!(matches!(
        client.recv().await,
        ServerFrame::Error {
            code: ErrorCode::Invalid,
            ..
        }
    ));
}

#[tokio::test]
async fn live_delivery_then_ack_means_never_again() {
    live_delivery_then_ack(&start().await).await;
}

/// The same on a relay whose store is PostgreSQL.
#[tokio::test]
async fn live_delivery_then_ack_on_postgres() {
    let Some(url) = support::postgres::database("live delivery on postgres").await else {
        return;
    };
    live_delivery_then_ack(&start_relay_with(|c| c.database = Some(url)).await).await;
}

#[allow(clippy::panic)]
async fn live_delivery_then_ack(server: &support::TestServer) {
    let (alice, bob) = (Account::new("alice", 11), Account::new("bob", 12));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    send_stored(&mut a, &message("bob", 1, b"ciphertext 1")).await;
    let id = match b.recv().await {
        ServerFrame::Envelope {
            id,
            sender,
            sender_device,
            payload,
            ..
        } => {
            assert_eq!(
                (sender.as_str(), sender_device, payload.as_slice()),
                ("alice", 1, &b"ciphertext 1"[..])
            );
            id
        }
        other => panic!("{other:?}"),
    };
    b.send(&ClientFrame::Ack { ids: vec![id] }).await;
    barrier(&mut b).await;
    drop(b);
    let mut b = bob.login(server.addr).await;
    assert_eq!(b.drain().await, vec![]);
}

#[tokio::test]
async fn offline_queue_arrives_in_order_and_unacked_envelopes_come_back() {
    offline_queue_in_order(&start().await).await;
}

/// The same on a relay whose store is PostgreSQL.
#[tokio::test]
async fn offline_queue_on_postgres_arrives_in_order() {
    let Some(url) = support::postgres::database("offline queue on postgres").await else {
        return;
    };
    offline_queue_in_order(&start_relay_with(|c| c.database = Some(url)).await).await;
}

async fn offline_queue_in_order(server: &support::TestServer) {
    let (alice, bob) = (Account::new("alice", 13), Account::new("bob", 14));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    for i in 0..5u8 {
        send_stored(&mut a, &message("bob", i, &[i])).await;
    }
    let mut b = bob.login(server.addr).await;
    let got = b.drain().await;
    assert_eq!(
        got.iter().map(|(_, _, p)| p[0]).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    b.send(&ClientFrame::Ack {
        ids: vec![got[0].0, got[1].0],
    })
    .await;
    barrier(&mut b).await;
    drop(b);
    let mut b = bob.login(server.addr).await;
    let again = b.drain().await;
    assert_eq!(
        again.iter().map(|(_, _, p)| p[0]).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
}

#[tokio::test]
async fn a_resend_with_the_same_client_id_is_stored_once() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 15), Account::new("bob", 16));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    send_stored(&mut a, &message("bob", 7, b"once")).await;
    send_stored(&mut a, &message("bob", 7, b"once")).await;
    let mut b = bob.login(server.addr).await;
    assert_eq!(b.drain().await.len(), 1);
}

#[tokio::test]
async fn a_send_that_does_not_match_the_device_list_is_answered_with_the_difference() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 17), Account::new("bob", 18));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    bob.upload(&mut b, 0).await;
    assert!(matches!(b.recv().await, ServerFrame::PreKeysLow { .. }));
    a.send(&ClientFrame::Send {
        client_id: [1; 16],
        recipient: user("bob"),
        envelopes: vec![OutgoingEnvelope {
            device: 2,
            payload: b"x".to_vec(),
        }],
    })
    .await;
    match a.recv().await {
        ServerFrame::Sent {
            outcome: SendOutcome::Mismatch { missing, extra },
            ..
        } => assert_eq!((missing, extra), (vec![1], vec![2])),
        other => panic!("{other:?}"),
    }
    a.send(&message("nobody", 2, b"x")).await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Sent {
            outcome: SendOutcome::UnknownRecipient,
            ..
        }
    ));
    let mut b = bob.login(server.addr).await;
    assert_eq!(
        b.drain().await,
        vec![],
        "nothing was stored for a mismatched send"
    );
}

#[tokio::test]
async fn malformed_and_unknown_frames_get_errors_and_nobody_else_notices() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 19), Account::new("bob", 20));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    for garbage in [
        vec![],
        vec![1],
        vec![2, 0x2f],
        vec![9, 9, 9],
        vec![2, 0x24, 0xff, 0xff],
    ] {
        a.ws.send(Message::binary(garbage)).await.unwrap();
        assert!(matches!(
            a.recv().await,
            ServerFrame::Error {
                code: ErrorCode::Malformed,
                ..
            }
        ));
    }
    a.ws.send(Message::text("hello")).await.unwrap();
    assert!(matches!(
        a.recv().await,
        ServerFrame::Error {
            code: ErrorCode::Malformed,
            ..
        }
    ));
    // An oversized frame closes that connection only.
    let mut big = alice.login(server.addr).await;
    let _ = big.ws.send(Message::binary(vec![0u8; 300 * 1024])).await;
    assert!(big.closed().await);
    // The others are served as before.
    b.send(&message("alice", 3, b"still here")).await;
    assert!(matches!(
        b.recv().await,
        ServerFrame::Sent {
            outcome: SendOutcome::Stored,
            ..
        }
    ));
    // A message to one's own account goes to its other devices: the sender's own is extra.
    b.send(&message("bob", 4, b"to myself")).await;
    match b.recv().await {
        ServerFrame::Sent {
            outcome: SendOutcome::Mismatch { missing, extra },
            ..
        } => assert_eq!((missing, extra), (vec![], vec![1])),
        other => panic!("{other:?}"),
    }
}

/// A recipient that stops reading falls behind its live envelopes; once it reads again it gets
/// every one, in order, exactly once (its connection re-reads the queue from the store).
#[tokio::test]
async fn a_backed_up_recipient_gets_everything_in_order() {
    const COUNT: u32 = 4000;
    let server = start_with_limit(1e9).await;
    let (alice, bob) = (Account::new("alice", 41), Account::new("bob", 42));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    // 32 MiB in all: more than bob's socket buffers, outgoing queue and notices together hold.
    for n in 0..COUNT {
        let mut payload = vec![0u8; 8192];
        payload[..4].copy_from_slice(&n.to_be_bytes());
        let mut client_id = [0u8; 16];
        client_id[..4].copy_from_slice(&n.to_be_bytes());
        a.ws.feed(Message::binary(
            ClientFrame::Send {
                client_id,
                recipient: user("bob"),
                envelopes: vec![OutgoingEnvelope { device: 1, payload }],
            }
            .encode(),
        ))
        .await
        .unwrap();
    }
    a.ws.flush().await.unwrap();
    for _ in 0..COUNT {
        assert!(matches!(
            a.recv().await,
            ServerFrame::Sent {
                outcome: SendOutcome::Stored,
                ..
            }
        ));
    }
    let mut last_id = 0;
    for n in 0..COUNT {
        match b.recv().await {
            ServerFrame::Envelope { id, payload, .. } => {
                assert!(id > last_id, "ids increase");
                assert_eq!(payload[..4], n.to_be_bytes(), "envelope {n} in order");
                last_id = id;
            }
            other => panic!("expected envelope {n}, got {other:?}"),
        }
    }
    assert!(b.quiet(300).await, "nothing twice");
    let metrics = get(server.metrics_addr, "/metrics").await;
    assert!(
        metric(&metrics, "hush_delivery_catch_ups_total") >= 1,
        "the catch-up path ran"
    );
}

/// Frames up to `QueueDrained` after a login: (envelope ids, expiry notices as (id, client id)).
#[allow(clippy::panic)]
async fn queue_and_notices(client: &mut Client) -> (Vec<u64>, Vec<(u64, [u8; 16])>) {
    let (mut envelopes, mut notices) = (Vec::new(), Vec::new());
    loop {
        match client.recv().await {
            ServerFrame::Envelope { id, .. } => envelopes.push(id),
            ServerFrame::Expired { id, client_id, .. } => notices.push((id, client_id)),
            ServerFrame::QueueDrained => return (envelopes, notices),
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// An envelope nobody fetches expires; its sender is told at once if online, else when it next
/// connects, and again on every connection until it acknowledges the notice.
#[tokio::test]
async fn senders_are_told_of_expired_envelopes_until_they_ack() {
    let server = start_relay_with(|config| config.envelope_lifetime_secs = 1).await;
    let (alice, bob) = (Account::new("alice", 43), Account::new("bob", 44));
    drop(bob.register(server.addr).await);
    let mut a = alice.register(server.addr).await;

    send_stored(&mut a, &message("bob", 1, b"never fetched")).await;
    let first = match a.recv().await {
        ServerFrame::Expired {
            id,
            client_id,
            recipient,
            device,
        } => {
            assert_eq!((client_id, recipient.as_str(), device), ([1; 16], "bob", 1));
            id
        }
        other => panic!("expected an expiry notice, got {other:?}"),
    };

    // Offline when the second one expires: told on the next connection, with the first again.
    send_stored(&mut a, &message("bob", 2, b"also never fetched")).await;
    drop(a);
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    let mut a = alice.login(server.addr).await;
    let (envelopes, notices) = queue_and_notices(&mut a).await;
    assert!(envelopes.is_empty());
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert_eq!(notices[0], (first, [1; 16]));
    assert_eq!(notices[1].1, [2; 16]);

    a.send(&ClientFrame::AckExpired {
        ids: notices.iter().map(|(id, _)| *id).collect(),
    })
    .await;
    assert!(a.quiet(300).await);
    drop(a);
    let mut a = alice.login(server.addr).await;
    assert_eq!(queue_and_notices(&mut a).await, (vec![], vec![]));
    // Bob's queue is empty: the envelopes are gone, not just hidden.
    let mut b = bob.login(server.addr).await;
    assert_eq!(queue_and_notices(&mut b).await, (vec![], vec![]));
}

/// One address may hold only so many unauthenticated connections; authenticating frees a place.
#[tokio::test]
async fn unauthenticated_connections_are_limited_per_address() {
    let server = start_relay_with(|config| config.max_guests_per_ip = 2).await;
    let alice = Account::new("alice", 45);
    let mut first = Client::connect(server.addr).await;
    let _second = Client::connect(server.addr).await;
    // The third is told why (a frame the app can show), then closed.
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", server.addr))
        .await
        .unwrap();
    let mut refused = Client { ws, nonce: [0; 32] };
    assert!(matches!(
        refused.recv().await,
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            ..
        }
    ));
    assert!(refused.closed().await);
    // Registering turns the first into an account's connection: its place is free again.
    first
        .send(&alice.register_frame(&first.nonce.clone()))
        .await;
    assert!(matches!(
        first.recv().await,
        ServerFrame::Authenticated { .. }
    ));
    let _third = Client::connect(server.addr).await;
}

#[tokio::test]
async fn typing_and_presence_are_relayed() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 21), Account::new("bob", 22));
    let mut a = alice.register(server.addr).await;
    a.send(&ClientFrame::Subscribe {
        accounts: vec![user("bob")],
    })
    .await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Presence { online: false, .. }
    ));
    let mut b = bob.register(server.addr).await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Presence { online: true, .. }
    ));
    // Typing reaches Alice from accounts she exchanged an envelope with.
    send_stored(&mut b, &message("alice", 1, b"hi")).await;
    assert!(matches!(a.recv().await, ServerFrame::Envelope { .. }));
    b.send(&ClientFrame::Typing {
        to: user("alice"),
        typing: true,
    })
    .await;
    match a.recv().await {
        ServerFrame::Typing { from, typing } => assert_eq!((from.as_str(), typing), ("bob", true)),
        other => panic!("{other:?}"),
    }
    drop(b);
    match a.recv().await {
        ServerFrame::Presence {
            online,
            last_seen_ms,
            ..
        } => assert!(!online && last_seen_ms > 0),
        other => panic!("{other:?}"),
    }
    assert!(a.quiet(200).await);
}

#[tokio::test]
async fn metrics_count_what_happened() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 23), Account::new("bob", 24));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    send_stored(&mut a, &message("bob", 1, b"x")).await;
    let text = http_get(server.metrics_addr, "/metrics").await;
    assert!(text.contains("hush_envelopes_in_total 1"), "{text}");
    assert!(text.contains("hush_queue_depth 1"), "{text}");
    assert!(text.contains("hush_connections 1"), "{text}");
}

#[allow(clippy::unwrap_used)]
async fn http_get(addr: SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    raw
}

/// The real binary, killed with SIGKILL mid-conversation and restarted on the same data.
struct Process {
    child: std::process::Child,
    addr: SocketAddr,
}

/// A test that fails half way still stops its relay (a relay left running kept, among other
/// things, the file locks its test run's parent held).
impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The relay binary with its state in `data`, listening on `addr`, with `extra` flags.
#[allow(clippy::unwrap_used)]
fn spawn_server_with(data: &Path, addr: &str, extra: &[&str]) -> Process {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hush-server"))
        .args(extra)
        .args(["--addr", addr, "--data"])
        .arg(data)
        .arg("--static-dir")
        .arg(data.join("no-app"))
        .env("HUSH_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    Process { child, addr }
}

#[tokio::test]
async fn sigkill_and_restart_loses_nothing_that_was_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    sigkill_and_restart(data.path(), &[]).await;
}

/// The relay binary on PostgreSQL (`--database`): a message goes from alice to bob, and
/// nothing acknowledged is lost when the relay is SIGKILLed and started again.
#[tokio::test]
async fn sigkill_and_restart_on_postgres_loses_nothing_that_was_acknowledged() {
    let Some(url) = support::postgres::database("relay sigkill on postgres").await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    sigkill_and_restart(data.path(), &["--database", &url]).await;
}

#[allow(clippy::unwrap_used)]
async fn sigkill_and_restart(data: &Path, extra: &[&str]) {
    let mut server = spawn_server_with(data, "127.0.0.1:0", extra);
    let (alice, bob) = (Account::new("alice", 25), Account::new("bob", 26));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    for i in 0..50u8 {
        send_stored(&mut a, &message("bob", i, &[i])).await;
    }
    server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.child.wait().unwrap();
    let addr = server.addr.to_string();
    let mut server = spawn_server_with(data, &addr, extra);
    let mut b = bob.login(server.addr).await;
    let got = b.drain().await;
    assert_eq!(
        got.iter().map(|(_, _, p)| p[0]).collect::<Vec<_>>(),
        (0..50).collect::<Vec<_>>()
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn bundle_fetches_have_a_budget_of_their_own_as_large_as_a_group() {
    // Frames are not what limits here: only the fetches' own budget.
    let server = start_with_limit(1_000_000.0).await;
    let (alice, bob) = (Account::new("alice", 29), Account::new("bob", 30));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    // Each fetch takes one of the account's one-time prekeys: one account only a few times a
    // minute.
    let mut limited = 0;
    for request in 0..10 {
        a.send(&ClientFrame::FetchBundles {
            request,
            account: user("bob"),
        })
        .await;
        match a.recv().await {
            ServerFrame::Bundles { .. } => {}
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                request: r,
                ..
            } => {
                assert_eq!(r, request);
                limited += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(limited, 5);
    // Many accounts at once (making a group fetches every member's bundles): a group's worth,
    // then no more.
    let group = hush_protocol::groups::MAX_MEMBERS as u32;
    let (mut answered, mut limited) = (0, 0);
    for request in 0..group + 100 {
        a.send(&ClientFrame::FetchBundles {
            request,
            account: user(&format!("member{request}")),
        })
        .await;
        match a.recv().await {
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                ..
            } => answered += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(answered >= group, "only {answered} fetches answered");
    assert!(limited >= 20, "only {limited} fetches limited");
}

#[tokio::test]
async fn rate_limits_bite_without_closing_the_connection() {
    // 50 frames per second (100 in a burst), so the flood below outruns it however slow the
    // machine is.
    let server = start_with_limit(50.0).await;
    let (alice, bob) = (Account::new("alice", 27), Account::new("bob", 28));
    let mut a = alice.register(server.addr).await;
    drop(bob.register(server.addr).await);
    // A flood of sends: some are refused, none of the refused ones is stored, and the
    // connection keeps working.
    let (mut stored, mut refused) = (0, 0);
    for i in 0..400u32 {
        a.send(&ClientFrame::Send {
            client_id: [
                (i % 251) as u8,
                (i / 251) as u8,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
            ],
            recipient: user("bob"),
            envelopes: vec![OutgoingEnvelope {
                device: 1,
                payload: i.to_be_bytes().to_vec(),
            }],
        })
        .await;
    }
    for _ in 0..400 {
        match a.recv().await {
            ServerFrame::Sent {
                outcome: SendOutcome::Stored,
                ..
            } => stored += 1,
            ServerFrame::Sent {
                outcome:
                    SendOutcome::Refused {
                        code: ErrorCode::RateLimited,
                        ..
                    },
                ..
            } => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        refused > 0 && stored > 0,
        "stored {stored}, refused {refused}"
    );
    let mut b = bob.login(server.addr).await;
    assert_eq!(b.drain().await.len(), stored);
}

#[tokio::test]
async fn push_endpoints_inside_the_network_are_refused() {
    let server = start().await;
    let bob = Account::new("bob", 29);
    let mut b = bob.register(server.addr).await;
    for endpoint in [
        "https://127.0.0.1:9/x",
        "https://169.254.169.254/latest",
        "http://push.example/x",
    ] {
        b.send(&ClientFrame::PushSubscribe {
            endpoint: endpoint.into(),
            p256dh: [4; 65],
            auth: [1; 16],
        })
        .await;
        assert!(
            matches!(
                b.recv().await,
                ServerFrame::Error {
                    code: ErrorCode::Invalid,
                    ..
                }
            ),
            "{endpoint}"
        );
    }
}

#[allow(clippy::unwrap_used)]
async fn http(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&raw[9..12]).parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

#[tokio::test]
async fn attachments_upload_once_with_a_grant_and_fetch_by_id() {
    let server = start().await;
    let alice = Account::new("alice", 30);
    let mut a = alice.register(server.addr).await;
    a.send(&ClientFrame::RequestUpload {
        request: 5,
        size: 11,
    })
    .await;
    let id = match a.recv().await {
        ServerFrame::UploadGranted { request: 5, id } => id,
        other => panic!("{other:?}"),
    };
    let path = format!("/blobs/{}", hex::encode(&id));
    // Without a grant, or bigger than granted: refused.
    let (status, _) = http(
        server.addr,
        "PUT",
        &format!("/blobs/{}", hex::encode(&[7; 32])),
        b"x",
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = http(server.addr, "PUT", &path, b"twelve bytes").await;
    assert_eq!(status, 413);
    // A refused upload used up its grant: ask again.
    a.send(&ClientFrame::RequestUpload {
        request: 6,
        size: 11,
    })
    .await;
    let id = match a.recv().await {
        ServerFrame::UploadGranted { request: 6, id } => id,
        other => panic!("{other:?}"),
    };
    let path = format!("/blobs/{}", hex::encode(&id));
    assert_eq!(http(server.addr, "PUT", &path, b"ciphertext!").await.0, 201);
    assert_eq!(
        http(server.addr, "PUT", &path, b"overwrite!!").await.0,
        403,
        "a grant works once"
    );
    assert_eq!(
        http(server.addr, "GET", &path, b"").await,
        (200, b"ciphertext!".to_vec())
    );
    assert_eq!(
        http(server.addr, "GET", "/blobs/..%2F..%2Fetc%2Fpasswd", b"")
            .await
            .0,
        404
    );
    a.send(&ClientFrame::RequestUpload {
        request: 7,
        size: 100 * 1024 * 1024 + 1,
    })
    .await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Error {
            request: 7,
            code: ErrorCode::Invalid,
            ..
        }
    ));
}

/// Publishes `list` on `client` and returns the answer.
async fn publish(client: &mut Client, request: u32, list: &DeviceList) -> ServerFrame {
    client
        .send(&ClientFrame::PublishDeviceList {
            request,
            device_list: list.encode(),
        })
        .await;
    client.recv().await
}

#[tokio::test]
async fn only_newer_device_lists_signed_by_the_account_key_are_published() {
    let server = start().await;
    let alice = Account::new("alice", 31);
    let mut a = alice.register(server.addr).await;
    let mut rng = ChaCha20Rng::seed_from_u64(32);
    let second = IdentityKeyPair::generate(&mut rng);
    let devices = vec![
        ListedDevice::certify("alice", 1, alice.identity.public(), "One", 0, &alice.key).unwrap(),
        ListedDevice::certify("alice", 2, second.public(), "Two", 0, &alice.key).unwrap(),
    ];
    // Signed by someone else's key: refused.
    let forged =
        DeviceList::sign("alice", 2, devices.clone(), &AccountKey::generate(&mut rng)).unwrap();
    assert!(matches!(
        publish(&mut a, 1, &forged).await,
        ServerFrame::Error {
            request: 1,
            code: ErrorCode::Invalid,
            ..
        }
    ));
    // Not newer: refused.
    let same = DeviceList::sign("alice", 1, devices.clone(), &alice.key).unwrap();
    assert!(matches!(
        publish(&mut a, 2, &same).await,
        ServerFrame::Error {
            request: 2,
            code: ErrorCode::Invalid,
            ..
        }
    ));
    // Newer and signed: stored, and senders now must address both devices.
    let newer = DeviceList::sign("alice", 2, devices, &alice.key).unwrap();
    assert!(matches!(
        publish(&mut a, 3, &newer).await,
        ServerFrame::DeviceListPublished {
            request: 3,
            version: 2
        }
    ));
    a_listed_device_counts_once_set_up(server.addr, &second, &mut rng).await;
}

/// Alice's device 2 (`second`) is listed but has not set itself up (a link in progress, or one
/// never finished): it does not hold up messages to device 1. Once it has its signed prekey,
/// senders must address it too.
#[allow(clippy::panic)]
async fn a_listed_device_counts_once_set_up(
    addr: SocketAddr,
    second: &IdentityKeyPair,
    rng: &mut ChaCha20Rng,
) {
    let bob = Account::new("bob", 33);
    let mut b = bob.register(addr).await;
    b.send(&message("alice", 1, b"only device 1")).await;
    assert!(matches!(
        b.recv().await,
        ServerFrame::Sent {
            outcome: SendOutcome::Stored,
            ..
        }
    ));
    let mut two = Client::connect(addr).await;
    two.send(&ClientFrame::Authenticate {
        account: user("alice"),
        device: 2,
        signature: second.sign(&auth_message(&two.nonce, "alice", 2)),
    })
    .await;
    assert!(matches!(
        two.recv().await,
        ServerFrame::Authenticated { .. }
    ));
    two.send(&ClientFrame::UploadPreKeys {
        signed_prekey: SignedPreKeyPair::generate(1, second, rng).public(),
        one_time: vec![],
    })
    .await;
    assert!(matches!(two.recv().await, ServerFrame::QueueDrained));
    assert!(matches!(two.recv().await, ServerFrame::PreKeysLow { .. }));
    b.send(&message("alice", 2, b"only device 1")).await;
    match b.recv().await {
        ServerFrame::Sent {
            outcome: SendOutcome::Mismatch { missing, extra },
            ..
        } => assert_eq!((missing, extra), (vec![2], vec![])),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_group_message_is_stored_once_per_member_device_and_not_for_the_sender() {
    let server = start().await;
    let (alice, bob, carol) = (
        Account::new("alice", 61),
        Account::new("bob", 62),
        Account::new("carol", 63),
    );
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    let mut c = carol.register(server.addr).await;
    let group = |members: &[&str], id: u8| ClientFrame::GroupSend {
        client_id: [id; 16],
        members: members.iter().map(|m| user(m)).collect(),
        payload: b"one ciphertext for all".to_vec(),
    };
    // "nobody" is not an account: skipped (the relay does not know who is in a group).
    send_stored(&mut a, &group(&["alice", "bob", "carol", "nobody"], 1)).await;
    for member in [&mut b, &mut c] {
        match member.recv().await {
            ServerFrame::Envelope {
                sender,
                sender_device,
                payload,
                ..
            } => {
                assert_eq!((sender.as_str(), sender_device), ("alice", 1));
                assert_eq!(payload, b"one ciphertext for all");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(a.quiet(200).await, "the sender's own device gets nothing");
    // The same client id again is stored once.
    send_stored(&mut a, &group(&["bob"], 1)).await;
    assert!(b.quiet(200).await);
    // A member named twice is refused, and the refusal names the send.
    a.send(&group(&["bob", "bob"], 2)).await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Sent {
            client_id: [2, ..],
            outcome: SendOutcome::Refused {
                code: ErrorCode::Invalid,
                ..
            },
        }
    ));
}

/// Finding 9 (issue 18): a device replaces its signed prekey and the relay serves the new one;
/// a bundle served without a one-time prekey (the device ran out) is counted, so an operator
/// sees when users run out.
#[tokio::test]
async fn a_rotated_signed_prekey_is_served_and_bundles_without_one_time_prekeys_are_counted() {
    let server = start().await;
    let (alice, bob) = (Account::new("alice", 31), Account::new("bob", 32));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    bob.upload(&mut b, 1).await;
    let mut rng = ChaCha20Rng::seed_from_u64(33);
    let rotated = SignedPreKeyPair::generate(2, &bob.identity, &mut rng).public();
    b.send(&ClientFrame::UploadPreKeys {
        signed_prekey: rotated,
        one_time: Vec::new(),
    })
    .await;
    // Both uploads are stored once Bob's connection answers what came after them (each
    // upload leaves the stock low, and says so first).
    b.send(&ClientFrame::FetchBundles {
        request: 77,
        account: user("nobody"),
    })
    .await;
    let mut lows = 0;
    loop {
        match b.recv().await {
            ServerFrame::PreKeysLow { remaining: 1 } => lows += 1,
            ServerFrame::Error { request: 77, .. } => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(lows, 2);
    let mut served = Vec::new();
    for request in 0..2 {
        a.send(&ClientFrame::FetchBundles {
            request,
            account: user("bob"),
        })
        .await;
        match a.recv().await {
            ServerFrame::Bundles { bundles, .. } => served.extend(bundles),
            other => panic!("{other:?}"),
        }
    }
    // Both carry the rotated signed prekey; the first took the one one-time prekey.
    assert!(served.iter().all(|b| b.signed_prekey == rotated));
    let one_time: Vec<bool> = served.iter().map(|b| b.one_time_prekey.is_some()).collect();
    assert_eq!(one_time, [true, false]);
    let text = get(server.metrics_addr, "/metrics").await;
    assert!(
        text.contains("hush_bundles_without_one_time_prekey_total 1"),
        "the bundle without a one-time prekey is missing from metrics:\n{text}"
    );
}

/// Two relays on one PostgreSQL database: a device unlinked through one relay can no longer
/// sign in on the other, which must not answer from a list it kept in memory (it did: the list
/// relay A had cached let the removed device back in).
#[tokio::test]
#[allow(clippy::panic)]
async fn a_device_unlinked_through_one_relay_cannot_sign_in_on_another() {
    let Some(url) = support::postgres::database("unlinked across relays").await else {
        return;
    };
    let relay_a = start_relay_with(|c| c.database = Some(url.clone())).await;
    let relay_b = start_relay_with(|c| c.database = Some(url)).await;
    let alice = Account::new("alice", 21);
    let second = IdentityKeyPair::generate(&mut ChaCha20Rng::seed_from_u64(22));
    let certify = |device: u32, identity: &IdentityKeyPair| {
        ListedDevice::certify("alice", device, identity.public(), "Test", 0, &alice.key).unwrap()
    };
    let both = vec![certify(1, &alice.identity), certify(2, &second)];
    let two_devices = DeviceList::sign("alice", 1, both, &alice.key).unwrap();
    let mut first = Client::connect(relay_b.addr).await;
    first
        .send(&ClientFrame::Register {
            account_key: alice.key.public(),
            device_list: two_devices.encode(),
            device: 1,
            signature: alice.identity.sign(&auth_message(&first.nonce, "alice", 1)),
        })
        .await;
    assert!(matches!(
        first.recv().await,
        ServerFrame::Authenticated { .. }
    ));
    // Device 2 signs in on relay A, which reads (and once kept) the two-device list.
    let sign_in_second = || async {
        let mut client = Client::connect(relay_a.addr).await;
        let signature = second.sign(&auth_message(&client.nonce, "alice", 2));
        client
            .send(&ClientFrame::Authenticate {
                account: user("alice"),
                device: 2,
                signature,
            })
            .await;
        loop {
            match client.recv_any().await {
                ServerFrame::Authenticated { .. } => return true,
                ServerFrame::Error { code, .. } => {
                    assert_eq!(code, ErrorCode::AuthFailed);
                    return false;
                }
                _ => continue,
            }
        }
    };
    assert!(sign_in_second().await, "device 2 is listed");
    // Through relay B, device 1 unlinks device 2.
    let only_first = DeviceList::sign("alice", 2, vec![certify(1, &alice.identity)], &alice.key);
    first
        .send(&ClientFrame::PublishDeviceList {
            request: 1,
            device_list: only_first.unwrap().encode(),
        })
        .await;
    loop {
        match first.recv_any().await {
            ServerFrame::DeviceListPublished { request: 1, .. } => break,
            ServerFrame::Error { code, message, .. } => panic!("{code:?}: {message}"),
            _ => continue,
        }
    }
    assert!(
        !sign_in_second().await,
        "an unlinked device signed in on the other relay"
    );
}
