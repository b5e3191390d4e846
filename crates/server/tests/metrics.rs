//! Issue 19, finding 10: the relay's metrics are served on an address of their own, from
//! counters kept in memory.

use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};

mod support;

use support::{metric, metrics, start_relay, user, Account};

/// One envelope for bob's device 1.
fn send(client_id: u8) -> ClientFrame {
    ClientFrame::Send {
        client_id: [client_id; 16],
        recipient: user("bob"),
        envelopes: vec![OutgoingEnvelope {
            device: 1,
            payload: vec![client_id],
        }],
    }
}

/// Finding 10: the relay's numbers are for its operator, not for anyone who can reach the app.
#[tokio::test]
async fn metrics_are_not_served_on_the_public_address() {
    let server = start_relay(500.0, false).await;
    let response = reqwest::get(format!("http://{}/metrics", server.addr))
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("hush_connections"),
        "the public address serves metrics:\n{text}"
    );
    // The operator's address has them, the queue depth included (kept in memory).
    let (alice, bob) = (Account::new("alice", 94), Account::new("bob", 95));
    drop(bob.register(server.addr).await);
    let mut a = alice.register(server.addr).await;
    a.send(&send(1)).await;
    assert!(matches!(
        a.recv().await,
        ServerFrame::Sent {
            outcome: SendOutcome::Stored,
            ..
        }
    ));
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_queue_depth"), 1);
    assert_eq!(metric(&text, "hush_connections"), 1);
    let mut b = bob.login(server.addr).await;
    let ids: Vec<u64> = b.drain().await.into_iter().map(|(id, ..)| id).collect();
    b.send(&ClientFrame::Ack { ids }).await;
    // Requests are answered in order: once the next one is, the ack is committed.
    b.send(&ClientFrame::FetchBundles {
        request: 5,
        account: user("nobody"),
    })
    .await;
    assert!(matches!(
        b.recv().await,
        ServerFrame::Error { request: 5, .. }
    ));
    assert_eq!(metric(&metrics(&server).await, "hush_queue_depth"), 0);
}
