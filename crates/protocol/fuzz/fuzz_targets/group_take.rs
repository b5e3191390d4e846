//! Group change application (`GroupLog::take`) on arbitrary changes from a fixed set of keys:
//! the input scripts changes (signed properly on a member's view, on a stale view, with a
//! flipped byte, or raw bytes decoded as a change) and which of them the relay orders. It must
//! never panic, two members offered the same changes in opposite orders must end in the same
//! state, and that state must be what the chain held proves from the creation.
#![no_main]

use hush_protocol::devices::AccountKey;
use hush_protocol::groups::{Change, GroupLog, Op, Ordered};
use hush_protocol_fuzz::rng;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["alice", "bob", "carol", "mallory"];

fn keys() -> Vec<AccountKey> {
    let mut rng = rng(18);
    NAMES
        .iter()
        .map(|_| AccountKey::generate(&mut rng))
        .collect()
}

fn op(kind: u8, target: u8, n: u8) -> Op {
    let who = NAMES[usize::from(target) % NAMES.len()].to_owned();
    match kind % 8 {
        0 => Op::Add(who),
        1 => Op::Remove(who),
        2 => Op::Promote(who),
        3 => Op::Demote(who),
        4 => Op::EditInfo {
            name: format!("n{n}"),
            description: String::new(),
        },
        5 => Op::Permissions {
            only_admins_send: n & 1 == 1,
            only_admins_edit: n & 2 == 2,
        },
        6 => Op::Leave,
        _ => Op::Create {
            name: "x".into(),
            description: String::new(),
            members: vec![who],
        },
    }
}

/// The relay: the first change submitted for the epoch after its head.
fn submit(order: &mut Vec<Ordered>, change: &Change) {
    let next = order.last().map_or(1, |o| o.epoch.saturating_add(1));
    if change.epoch == next {
        order.push(Ordered {
            epoch: change.epoch,
            hash: change.hash(),
        });
    }
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    let key_of = |a: &str| {
        let i = NAMES.iter().position(|n| *n == a)?;
        Some(keys[i].public())
    };
    let create = Change::create(
        "alice",
        Op::Create {
            name: "Climbing".into(),
            description: String::new(),
            members: vec!["bob".into(), "carol".into(), "mallory".into()],
        },
        [1; 32],
        &keys[0],
    );
    let Ok(start) = GroupLog::create(create.clone(), &keys[0].public()) else {
        return;
    };
    let mut order = Vec::new();
    submit(&mut order, &create);
    // The view changes are signed on: the relay's chain as far as it goes.
    let mut view = start.clone();
    let mut offered = Vec::new();
    for (n, step) in data.chunks(4).enumerate() {
        let [how, author, kind, target] = [0, 1, 2, 3].map(|i| step.get(i).copied().unwrap_or(0));
        let author_i = usize::from(author) % NAMES.len();
        let change = Change::sign(
            view.state(),
            NAMES[author_i],
            op(kind, target, n as u8),
            &keys[author_i],
        );
        let change = match how % 4 {
            // A stale view: the creation's state.
            1 => Change::sign(start.state(), NAMES[author_i], change.op, &keys[author_i]),
            // One byte flipped.
            2 => {
                let mut bytes = change.encode();
                let at = usize::from(target) % bytes.len();
                bytes[at] ^= kind | 1;
                match Change::decode(&bytes) {
                    Ok(change) => change,
                    Err(_) => continue,
                }
            }
            3 => match Change::decode(step) {
                Ok(change) => change,
                Err(_) => continue,
            },
            _ => change,
        };
        if how & 0x10 == 0 {
            submit(&mut order, &change);
            let _ = view.take(std::slice::from_ref(&change), &order, &key_of);
        }
        offered.push(change);
    }
    let take_all = |changes: &[Change]| {
        let mut log = start.clone();
        let mut rest = changes.to_vec();
        loop {
            let taken = log.take(&rest, &order, &key_of);
            if taken.applied.is_empty() {
                return log;
            }
            rest = taken.held;
        }
    };
    let forward = take_all(&offered);
    offered.reverse();
    let backward = take_all(&offered);
    assert_eq!(
        forward.state(),
        backward.state(),
        "the order changes arrive in decided the state"
    );
    let proven = GroupLog::prove(forward.changes(), &key_of).expect("a chain taken proves");
    assert_eq!(proven.state(), forward.state());
    let bytes = forward.encode();
    assert_eq!(GroupLog::decode(&bytes).ok().as_ref(), Some(&forward));
});
