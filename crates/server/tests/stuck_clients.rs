//! Issue 19, finding 4: a client that reads nothing holds nothing for ever. Its connection is
//! closed once a frame waits past the write deadline, and its envelopes stay queued.

use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};

mod support;

use support::{metric, metrics, start_relay_with, user, Account, TestServer};

/// Envelopes sent to the device that reads nothing: more than the socket buffers hold.
const ENVELOPES: usize = 200;
/// About as large as an envelope gets.
const PAYLOAD: usize = 60 * 1024;

fn payload(i: usize) -> Vec<u8> {
    let mut bytes = vec![(i % 251) as u8; PAYLOAD];
    bytes[..8].copy_from_slice(&(i as u64).to_be_bytes());
    bytes
}

/// Waits (generously) until the relay holds `n` device connections; false if it never does.
async fn connections_become(server: &TestServer, n: u64) -> bool {
    for _ in 0..300 {
        if metric(&metrics(server).await, "hush_connections") == n {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_device_that_reads_nothing_is_closed_and_loses_no_envelope() {
    let server = start_relay_with(|config| config.write_deadline_ms = 500).await;
    let (alice, bob) = (Account::new("alice", 401), Account::new("bob", 402));
    drop(bob.register(server.addr).await);
    let mut a = alice.register(server.addr).await;
    // Bob connects, then never reads again.
    let stuck = bob.login(server.addr).await;
    for i in 0..ENVELOPES {
        a.send(&ClientFrame::Send {
            client_id: [(i % 256) as u8; 16],
            recipient: user("bob"),
            envelopes: vec![OutgoingEnvelope {
                device: 1,
                payload: payload(i),
            }],
        })
        .await;
    }
    for _ in 0..ENVELOPES {
        match a.recv().await {
            ServerFrame::Sent {
                outcome: SendOutcome::Stored,
                ..
            } => {}
            other => panic!("a send was not stored: {other:?}"),
        }
    }
    assert!(
        connections_become(&server, 1).await,
        "the relay still holds the connection of a device that reads nothing"
    );
    drop(stuck);
    let mut b = bob.login(server.addr).await;
    let got = b.drain().await;
    let payloads: Vec<Vec<u8>> = got.iter().map(|(_, _, p)| p.clone()).collect();
    assert_eq!(payloads.len(), ENVELOPES, "envelopes were lost");
    assert!(payloads.iter().enumerate().all(|(i, p)| *p == payload(i)));
    let text = metrics(&server).await;
    assert!(
        metric(&text, "hush_write_timeouts_total") >= 1,
        "the closed connection is not counted:\n{text}"
    );
}
