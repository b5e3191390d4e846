//! Crash safety (issue 19): the relay, a process of its own running the real `hush-server` code
//! on a SQLite database, is SIGKILLed at random points and started again on the same database
//! while real engines (each device an engine on a memory store with its own WebSocket,
//! reconnecting to the new relay) send texts among 20 accounts, one to one and in groups; five
//! accounts have a second linked device, so copies to one's own other devices are covered. At
//! the end every text must have been shown exactly once on every device it was for (the
//! recipients' and the sender's other devices), and each device must show one sending device's
//! texts in one chat in the order they were written: none lost, none duplicated, none out of
//! order, none failed. A `Mismatch` from the relay is a normal retry path.
//!
//! Knobs (environment): `HUSH_CRASH_SEED` (default 19; the run is drawn from it, so a
//! failure can be run again), `HUSH_CRASH_MESSAGES` (default 10,000), `HUSH_CRASH_KILLS`
//! (default 50). The full size is the default: it takes about 35 to 50 s in a debug test build
//! on the project's 2-core machines. It prints its figures (texts, kills, deliveries checked,
//! lost, duplicated, out of order, failed, `Mismatch` answers, elapsed). Loopback only, port 0
//! only.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crash;
mod support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crash::net::Net;
use crash::relay::{RelayProcess, CHILD_TEST, DATA_VAR};
use hush_client::{ChatId, Username};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use support::{now, Device};

const ACCOUNTS: usize = 20;
/// Accounts (the first ones) with a second, linked device.
const LINKED: usize = 5;
const GROUPS: usize = 4;
/// Texts written and not yet `Sent` before the writing waits for the relay.
const WINDOW: usize = 64;

fn knob(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {value:?}")),
        Err(_) => default,
    }
}

fn below(rng: &mut ChaCha20Rng, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

/// The relay process: a no-op unless the crash test started this binary as one.
#[test]
fn relay_process() {
    if let Some(data) = std::env::var_os(DATA_VAR) {
        crash::relay::serve(std::path::Path::new(&data));
    }
}

/// A group: its chat and its member accounts.
struct Group {
    chat: ChatId,
    members: Vec<usize>,
}

#[tokio::test(flavor = "current_thread")]
async fn every_text_arrives_exactly_once_and_in_order_across_relay_kills() {
    assert_eq!(CHILD_TEST, "relay_process");
    let seed = knob("HUSH_CRASH_SEED", 19);
    let messages = knob("HUSH_CRASH_MESSAGES", 10_000) as usize;
    let kills = knob("HUSH_CRASH_KILLS", 50) as usize;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let started = Instant::now();

    let data = tempfile::tempdir().unwrap();
    let relay = RelayProcess::start(data.path()).await;
    let addr = relay.addr;
    let mut net = Net::new(relay, data.path().to_path_buf());

    // Accounts; the first LINKED get a second device. Devices by index in `net.nodes`.
    let names: Vec<String> = (0..ACCOUNTS).map(|i| format!("acct{i:02}")).collect();
    let mut primaries = Vec::new();
    for (i, name) in names.iter().enumerate() {
        primaries.push(Device::register(&addr, name, seed * 1000 + i as u64).await);
    }
    let mut seconds = Vec::new();
    for (i, primary) in primaries.iter_mut().enumerate().take(LINKED) {
        let seed = seed * 1000 + 500 + i as u64;
        let (second, _) = Device::link(&addr, primary, "second", seed).await;
        seconds.push(second);
    }
    let mut devices_of: Vec<Vec<usize>> = vec![Vec::new(); ACCOUNTS];
    for (i, device) in primaries.into_iter().enumerate() {
        devices_of[i].push(net.nodes.len());
        net.adopt(device, &names[i]);
    }
    for (i, device) in seconds.into_iter().enumerate() {
        devices_of[i].push(net.nodes.len());
        net.adopt(device, &names[i]);
    }
    let account_of: Vec<usize> = (0..net.nodes.len())
        .map(|d| devices_of.iter().position(|ds| ds.contains(&d)).unwrap())
        .collect();

    // Groups of 4 to 7 accounts, made by their first member's first device.
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let size = 4 + below(&mut rng, 4);
        let mut members: Vec<usize> = Vec::new();
        while members.len() < size {
            let a = below(&mut rng, ACCOUNTS);
            if !members.contains(&a) {
                members.push(a);
            }
        }
        let invited: Vec<Username> = members[1..]
            .iter()
            .map(|a| Username::parse(&names[*a]).unwrap())
            .collect();
        let creator = devices_of[members[0]][0];
        let (chat, out) = net.nodes[creator]
            .engine
            .create_group(&format!("group {g}"), "", &invited, now())
            .await
            .unwrap();
        net.output(creator, out).await;
        groups.push(Group { chat, members });
    }
    assert!(
        net.settle(Duration::from_millis(500), Duration::from_secs(30))
            .await,
        "the set-up did not settle"
    );
    for group in &groups {
        for account in &group.members {
            for device in &devices_of[*account] {
                let state = net.nodes[*device].engine.group(&group.chat).await.unwrap();
                assert!(
                    state.is_some_and(|s| s.member(&names[*account]).is_some()),
                    "device {device} of {} does not hold {}",
                    names[*account],
                    group.chat
                );
            }
        }
    }
    let set_up = started.elapsed();
    eprintln!(
        "crash safety: set up {} devices and {GROUPS} groups in {:.1} s; {messages} texts, \
         {kills} kills",
        net.nodes.len(),
        set_up.as_secs_f64()
    );

    // Kill points: distinct texts before which the relay dies.
    let mut kill_at = HashSet::new();
    while kill_at.len() < kills.min(messages.saturating_sub(1)) {
        kill_at.insert(1 + below(&mut rng, messages - 1));
    }

    let mut one_to_one = 0usize;
    for n in 0..messages {
        net.drain().await;
        while net.pending.len() >= WINDOW {
            if !net.step(Duration::from_secs(30)).await {
                panic!(
                    "nothing heard for 30 s with {} texts waiting for the relay",
                    net.pending.len()
                );
            }
        }
        if n % 1000 == 0 && n > 0 {
            eprintln!(
                "crash safety: {n} texts written, {} kills, {:.1} s; {}",
                net.kills,
                started.elapsed().as_secs_f64(),
                net.ledger
            );
        }
        if kill_at.contains(&n) {
            // At a random point of the traffic: after a random number of frames more.
            for _ in 0..below(&mut rng, 40) {
                if !net.step(Duration::from_millis(200)).await {
                    break;
                }
            }
            net.crash().await;
        }
        let sender = below(&mut rng, net.nodes.len());
        let account = account_of[sender];
        let in_groups: Vec<&Group> = groups
            .iter()
            .filter(|g| g.members.contains(&account))
            .collect();
        let to_group = !in_groups.is_empty() && below(&mut rng, 10) < 4;
        let (chat, mut expected) = if to_group {
            let group = in_groups[below(&mut rng, in_groups.len())];
            let devices = group.members.iter().flat_map(|a| devices_of[*a].clone());
            (group.chat.clone(), devices.collect::<Vec<usize>>())
        } else {
            one_to_one += 1;
            let mut to = below(&mut rng, ACCOUNTS - 1);
            if to >= account {
                to += 1;
            }
            let mut devices = devices_of[to].clone();
            devices.extend(devices_of[account].iter().copied());
            (ChatId::parse(&names[to]).unwrap(), devices)
        };
        expected.retain(|d| *d != sender);
        let body = format!("text {n} from {}", names[account]);
        let node = &mut net.nodes[sender];
        let (message, out) = match node.engine.send_text(&chat, &body, now()).await {
            Ok(sent) => sent,
            Err(error) => panic!("device {sender} cannot send to {chat}: {error}"),
        };
        net.ledger.wrote(message.id, sender, expected);
        net.pending.push(message.id);
        net.output(sender, out).await;
    }

    // Until everything was shown and every outbox is empty (or nothing more comes).
    let settled = net
        .settle(Duration::from_secs(1), Duration::from_secs(60))
        .await;
    let elapsed = started.elapsed();
    let ledger = &net.ledger;
    println!(
        "crash safety (seed {seed}): {} texts ({} one to one, {} in {} groups) among {} \
         accounts on {} devices, relay SIGKILLed {} times; {ledger}; {} sends answered \
         Mismatch, {} relay errors, {} undecryptable, {} frames handled; settled: {settled}; \
         set-up {:.1} s, elapsed {:.1} s",
        ledger.texts(),
        one_to_one,
        ledger.texts() - one_to_one,
        GROUPS,
        ACCOUNTS,
        net.nodes.len(),
        net.kills,
        net.counts.mismatches,
        net.counts.relay_errors,
        net.counts.undecryptable,
        net.counts.frames_handled,
        set_up.as_secs_f64(),
        elapsed.as_secs_f64(),
    );
    if !ledger.complete() {
        println!(
            "some lost (text, sender, device): {:?}",
            ledger.some_lost(20)
        );
    }
    assert_eq!(ledger.duplicated, 0, "texts shown twice");
    assert_eq!(ledger.lost(), 0, "texts lost");
    assert_eq!(ledger.out_of_order, 0, "texts out of order");
    assert_eq!(ledger.unexpected, 0, "texts shown where they were not sent");
    assert_eq!(ledger.failed, 0, "texts marked failed");
    assert_eq!(net.kills as usize, kill_at.len());
    assert!(settled, "outboxes still hold something");
}
