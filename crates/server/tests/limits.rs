//! Issue 19: the relay's limits agree with the protocol's, and every refusal names the request
//! it answers and is counted.

use hush_protocol::relay::{ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};

mod support;

use support::{metric, metrics, start_relay, user, Account};

/// A send of one envelope per device in `devices`.
fn send(client_id: u8, devices: &[u32]) -> ClientFrame {
    ClientFrame::Send {
        client_id: [client_id; 16],
        recipient: user("bob"),
        envelopes: devices
            .iter()
            .map(|&device| OutgoingEnvelope {
                device,
                payload: vec![client_id],
            })
            .collect(),
    }
}

/// Finding 14: the protocol lets a group have `MAX_MEMBERS` members, so a group message to
/// all of them must fit the relay's burst (it was 1,000 tokens for 1,024 members).
#[tokio::test]
async fn a_group_as_large_as_the_protocol_allows_can_send() {
    let server = start_relay(500.0, false).await;
    let alice = Account::new("alice", 91);
    let mut a = alice.register(server.addr).await;
    let members = (0..hush_protocol::groups::MAX_MEMBERS)
        .map(|i| user(&format!("member{i}")))
        .collect();
    a.send(&ClientFrame::GroupSend {
        client_id: [9; 16],
        members,
        payload: b"to everyone".to_vec(),
    })
    .await;
    match a.recv().await {
        ServerFrame::Sent {
            client_id: [9, ..],
            outcome: SendOutcome::Stored,
        } => {}
        other => panic!("a full group could not send: {other:?}"),
    }
}

/// Finding 14: a refused send is answered with its client id (the client knows which message
/// failed), and a rate-limited one is counted.
#[tokio::test]
async fn a_refused_send_names_its_client_id_and_rate_limits_are_counted() {
    // One frame per 100 seconds: after the first, the next ones are refused.
    let server = start_relay(0.01, false).await;
    let (alice, bob) = (Account::new("alice", 92), Account::new("bob", 93));
    drop(bob.register(server.addr).await);
    let mut a = alice.register(server.addr).await;
    // Refused as invalid: two envelopes for one device.
    a.send(&send(1, &[1, 1])).await;
    match a.recv().await {
        ServerFrame::Sent {
            client_id: [1, ..], ..
        } => {}
        other => panic!("the refusal does not name the send: {other:?}"),
    }
    // The bucket is empty: refused as rate limited.
    a.send(&send(2, &[1])).await;
    a.send(&send(3, &[1])).await;
    let mut named = Vec::new();
    for _ in 0..2 {
        match a.recv().await {
            ServerFrame::Sent { client_id, .. } => named.push(client_id[0]),
            other => panic!("the refusal does not name the send: {other:?}"),
        }
    }
    assert_eq!(named, vec![2, 3]);
    let text = metrics(&server).await;
    assert!(
        metric(&text, "hush_rate_limited_total") >= 1,
        "the refusal is not counted:\n{text}"
    );
}
