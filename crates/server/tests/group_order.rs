//! The relay orders group changes over real WebSockets: the first change hash submitted for a
//! group's next epoch wins, later ones for that epoch are refused with the head, and members
//! read the order back.

use hush_protocol::groups::Ordered;
use hush_protocol::relay::{ClientFrame, ServerFrame};

mod support;

use support::Account;

fn commit(epoch: u64, hash: u8) -> ClientFrame {
    ClientFrame::GroupCommit {
        group: [4; 16],
        epoch,
        hash: [hash; 32],
    }
}

#[tokio::test]
async fn the_first_change_for_each_epoch_wins_and_members_read_the_order() {
    let server = support::start_relay(500.0, false).await;
    let (alice, bob) = (Account::new("alice", 31), Account::new("bob", 32));
    let mut a = alice.register(server.addr).await;
    let mut b = bob.register(server.addr).await;
    a.send(&commit(2, 1)).await;
    let accepted = ServerFrame::GroupCommitted {
        group: [4; 16],
        epoch: 2,
        hash: [1; 32],
    };
    assert_eq!(a.recv().await, accepted);
    // Bob's concurrent change for the same epoch is refused; he learns the head.
    b.send(&commit(2, 2)).await;
    let refused = ServerFrame::GroupCommitRefused {
        group: [4; 16],
        epoch: 2,
        head: 2,
    };
    assert_eq!(b.recv().await, refused);
    // Alice's again (a resend after a reconnect) is accepted again; skipping ahead is not.
    a.send(&commit(2, 1)).await;
    assert_eq!(a.recv().await, accepted);
    b.send(&commit(4, 3)).await;
    let skipped = ServerFrame::GroupCommitRefused {
        group: [4; 16],
        epoch: 4,
        head: 2,
    };
    assert_eq!(b.recv().await, skipped);
    // Bob signs again on the new head: accepted; both read the same order.
    b.send(&commit(3, 3)).await;
    assert!(matches!(
        b.recv().await,
        ServerFrame::GroupCommitted { epoch: 3, .. }
    ));
    let order = ServerFrame::GroupOrder {
        group: [4; 16],
        entries: vec![
            Ordered {
                epoch: 2,
                hash: [1; 32],
            },
            Ordered {
                epoch: 3,
                hash: [3; 32],
            },
        ],
    };
    for client in [&mut a, &mut b] {
        client
            .send(&ClientFrame::GroupOrder {
                group: [4; 16],
                after: 1,
            })
            .await;
        assert_eq!(client.recv().await, order);
    }
}
