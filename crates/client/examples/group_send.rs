//! `cargo xtask bench group`: one message to a group of 100 over a real relay on loopback.
//! The sender encrypts it once with its sender key and the relay stores a copy for each of the
//! 99 other members; timed from the send until the relay's `Sent`. The reference, measured in
//! the same run: the same text sent to the same 99 people one by one as 1:1 messages (99
//! encryptions, 99 sends), as a client without sender keys would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use hush_client::{Event, Status, Store};
use support::{now, relay_at_rate, Device};

const MEMBERS: usize = 100;
const ROUNDS: usize = 30;

fn sent(id: [u8; 16]) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Status(i, Status::Sent) if *i == id)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs until the sender's outbox is empty (everything it sent was stored by the relay).
async fn drain(device: &mut Device) {
    for _ in 0..600 {
        if device.store.outbox().await.unwrap().is_empty() {
            return;
        }
        device
            .pump_until(|_| false, Duration::from_millis(100))
            .await;
    }
    panic!("the outbox did not empty");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The default rate (500 envelopes a second per device) would pace the sends: lifted so the
    // figures are the work, not the limit.
    let relay = relay_at_rate(1_000_000.0).await;
    let started = Instant::now();
    let mut people = Vec::with_capacity(MEMBERS);
    for i in 0..MEMBERS {
        people.push(Device::register(&relay, &format!("member{i:03}"), 1_000 + i as u64).await);
    }
    let names: Vec<hush_client::Username> = (1..MEMBERS)
        .map(|i| hush_client::Username::parse(&format!("member{i:03}")).unwrap())
        .collect();
    let sender = &mut people[0];
    let (chat, out) = sender
        .engine
        .create_group("Hundred", "", &names, now())
        .await
        .unwrap();
    sender.output(out).await;
    drain(sender).await;
    // The first message also hands our sender key to the 99 (over their pairwise sessions).
    let (first, out) = sender
        .engine
        .send_text(&chat, "warm-up", now())
        .await
        .unwrap();
    sender.output(out).await;
    sender.expect(sent(first.id)).await;
    drain(sender).await;
    println!(
        "group of {MEMBERS}: {} accounts registered, group made, sender key given out in {:.1} s",
        MEMBERS,
        started.elapsed().as_secs_f64()
    );

    let mut group = Vec::with_capacity(ROUNDS);
    let mut encrypt = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let start = Instant::now();
        let (message, out) = sender
            .engine
            .send_text(&chat, &format!("group message {round}"), now())
            .await
            .unwrap();
        encrypt.push(start.elapsed().as_secs_f64() * 1e3);
        sender.output(out).await;
        sender.expect(sent(message.id)).await;
        group.push(start.elapsed().as_secs_f64() * 1e3);
    }

    // The reference: 1:1 to each of them (sessions exist already, from the group's set-up).
    let mut pairwise = Vec::with_capacity(ROUNDS / 5);
    for round in 0..ROUNDS / 5 {
        let start = Instant::now();
        let mut ids = Vec::with_capacity(names.len());
        for name in &names {
            let (message, out) = sender
                .engine
                .send_text(&name.clone().into(), &format!("one by one {round}"), now())
                .await
                .unwrap();
            sender.output(out).await;
            ids.push(message.id);
        }
        for id in ids {
            sender.expect(sent(id)).await;
        }
        pairwise.push(start.elapsed().as_secs_f64() * 1e3);
    }

    for list in [&mut group, &mut encrypt, &mut pairwise] {
        list.sort_by(f64::total_cmp);
    }
    let (g50, g99) = (percentile(&group, 0.5), percentile(&group, 0.99));
    let e50 = percentile(&encrypt, 0.5);
    let p50 = percentile(&pairwise, 0.5);
    println!("one message to a group of {MEMBERS} (send to the relay's Sent, {ROUNDS} rounds):");
    println!("  sender key (encrypt once, fan-out by the relay): p50 {g50:.2} ms, p99 {g99:.2} ms");
    println!("    of which the engine's step (encrypt, store): p50 {e50:.2} ms");
    println!(
        "  reference, 1:1 to each of the {} others:         p50 {p50:.2} ms",
        MEMBERS - 1
    );
    println!("  ratio (group / one by one): {:.3}", g50 / p50);
}
