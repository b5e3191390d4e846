//! Attacks with connections: a device that reads nothing, guests that never sign in, a flood
//! of link codes, and sign-ins that probe for accounts and devices. Each runs until its
//! target's end (and at most a fixed number of tries), asserts the refusal it should meet, and
//! returns a line for the report.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use hush_protocol::relay::{auth_message, ClientFrame, ErrorCode, ServerFrame};

use crate::net::{
    admitted, first_frame, next_frame, open, open_with, sign_in, until_closed, Opened, Target,
};
use crate::support::{user, Account, Client};

/// The slow reader's receive window: it takes almost nothing, so the relay stalls at once.
const SMALL_WINDOW: u32 = 4096;

/// Signs in as `sloth` (whose queue holds megabytes) again and again, reading nothing: each
/// connection must be closed by the relay's write deadline (`deadline`).
pub async fn slow_reader(target: Target, from: &str, sloth: Account, deadline: Duration) -> String {
    let mut closed = Vec::new();
    while target.on() && closed.len() < 20 {
        let client = match open_with(target.addr, from, Some(SMALL_WINDOW)).await {
            Opened::In(client) => *client,
            Opened::Refused(code) => panic!("the slow reader was refused a connection: {code:?}"),
        };
        let mut stuck = sign_in(client, &sloth).await;
        // Reads nothing for longer than the deadline, then reads what the socket holds: the
        // relay must have hung up by then (else this drains its queue and stays open).
        tokio::time::sleep(deadline + Duration::from_millis(500)).await;
        let took = until_closed(&mut stuck, Duration::from_secs(5)).await;
        assert!(
            took.is_some(),
            "the relay kept the connection of a device that reads nothing"
        );
        closed.push(());
    }
    assert!(!closed.is_empty());
    format!(
        "slow reader {}: {} connections reading nothing, each closed by the write deadline",
        sloth.name,
        closed.len()
    )
}

/// Opens guest sockets from one address and never signs in: past `per_address` at once they
/// are refused (`RateLimited`), and each let in is closed by the deadline.
pub async fn idle_guests(
    target: Target,
    from: &str,
    per_address: usize,
    deadline: Duration,
) -> String {
    let live = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (mut refused, mut watchers) = (0, Vec::new());
    for _ in 0..3_000 {
        if !target.on() {
            break;
        }
        match open(target.addr, from).await {
            Opened::In(client) => {
                let now = live.fetch_add(1, Relaxed) + 1;
                most.fetch_max(now, Relaxed);
                watchers.push(tokio::spawn(closed_in_time(
                    *client,
                    deadline,
                    live.clone(),
                )));
            }
            Opened::Refused(ErrorCode::RateLimited) => refused += 1,
            Opened::Refused(code) => panic!("a guest was refused with {code:?}"),
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let admitted = watchers.len();
    for watcher in watchers {
        watcher.await.unwrap();
    }
    let most = most.load(Relaxed);
    assert!(refused > 0, "no guest was ever refused");
    // The relay frees a place as it closes a guest, a moment before its watcher here sees
    // the close: a few more may look open at once.
    assert!(
        most <= per_address + 8,
        "{most} guests of one address were let in at once"
    );
    format!(
        "idle guests: {admitted} let in (at most {most} at once), {refused} refused, \
         every one closed by the deadline"
    )
}

/// Waits for the relay to close an idle guest: within its deadline and a margin.
async fn closed_in_time(mut client: Client, deadline: Duration, live: Arc<AtomicUsize>) {
    let took = until_closed(&mut client, deadline + Duration::from_secs(3)).await;
    live.fetch_sub(1, Relaxed);
    assert!(took.is_some(), "an idle guest outlived its deadline");
}

/// Opens link codes from one address: at most `per_address` open at once, the rest refused
/// (`RateLimited`). The open ones are held to the end.
pub async fn link_flood(target: Target, from: &str, per_address: usize) -> String {
    let (mut held, mut refused) = (Vec::new(), 0);
    for n in 0u32..400 {
        if !target.on() {
            break;
        }
        let mut guest = match open(target.addr, from).await {
            Opened::In(client) => *client,
            // Its guest places are full of refused link holders on their deadline.
            Opened::Refused(ErrorCode::RateLimited) => continue,
            Opened::Refused(code) => panic!("a link guest was refused with {code:?}"),
        };
        let mut address = [0xA0; 6];
        address[..4].copy_from_slice(&n.to_be_bytes());
        guest
            .send(&ClientFrame::OpenLink {
                address,
                announcement: vec![1; 64],
            })
            .await;
        match next_frame(&mut guest).await {
            Some(ServerFrame::LinkOpened { .. }) => held.push(guest),
            Some(ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => refused += 1,
            other => panic!("a link was answered {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused > 0, "no link was ever refused");
    assert!(
        held.len() <= per_address,
        "{} links open from one address",
        held.len()
    );
    format!("link flood: {} links open, {refused} refused", held.len())
}

/// Signs in as existing and made-up accounts and devices with a key that is none of theirs:
/// every answer must be the same `AuthFailed`, with no device list before it.
pub async fn enumerate(target: Target, from: &str, known: Vec<String>) -> String {
    let prober = Account::new("prober", 66_000);
    let mut answers: Vec<(bool, ServerFrame)> = Vec::new();
    for n in 0..1_000usize {
        if !target.on() {
            break;
        }
        let exists = n % 2 == 0;
        let name = if exists {
            known[n / 2 % known.len()].clone()
        } else {
            format!("ghost{n}")
        };
        let device = [1, 2, 7][n % 3];
        let mut client = admitted(target.addr, from).await;
        let signature = prober
            .identity
            .sign(&auth_message(&client.nonce, &name, device));
        client
            .send(&ClientFrame::Authenticate {
                account: user(&name),
                device,
                signature,
            })
            .await;
        let answer = first_frame(&mut client)
            .await
            .expect("an answer to a sign-in");
        answers.push((exists, answer));
    }
    let first = answers[0].1.clone();
    assert!(
        matches!(
            first,
            ServerFrame::Error {
                code: ErrorCode::AuthFailed,
                ..
            }
        ),
        "a probe was answered {first:?}"
    );
    for (exists, answer) in &answers {
        assert_eq!(
            *answer, first,
            "a probe (existing account: {exists}) was answered otherwise"
        );
    }
    format!(
        "enumeration: {} sign-ins as existing and made-up names and devices, every answer the same AuthFailed",
        answers.len()
    )
}
