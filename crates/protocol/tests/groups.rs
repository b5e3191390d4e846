//! Group membership changes: signed by the author's account key, allowed by the state before
//! them, applied in the relay's order only, and proven from the group's creation.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::collections::HashMap;

use common::*;
use hush_protocol::devices::AccountKey;
use hush_protocol::groups::{Change, GroupError, GroupLog, Op, Ordered, Role};

/// Accounts and their keys (what each member has pinned for the others).
struct People {
    keys: HashMap<String, AccountKey>,
}

impl People {
    fn new(names: &[&str], seed: u64) -> Self {
        let mut rng = rng(seed);
        Self {
            keys: names
                .iter()
                .map(|n| (n.to_string(), AccountKey::generate(&mut rng)))
                .collect(),
        }
    }
    fn key(&self, name: &str) -> [u8; 32] {
        self.keys[name].public()
    }
    fn change(&self, log: &GroupLog, author: &str, op: Op) -> Change {
        Change::sign(log.state(), author, op, &self.keys[author])
    }
    fn accept(&self, log: &mut GroupLog, change: Change) -> Result<(), GroupError> {
        let key = self.key(&change.author);
        log.accept(change, &key)
    }
    fn key_of(&self) -> impl Fn(&str) -> Option<[u8; 32]> + '_ {
        |a: &str| self.keys.get(a).map(AccountKey::public)
    }
}

#[allow(clippy::unwrap_used)]
fn created(people: &People, members: &[&str]) -> (Change, GroupLog) {
    let create = Change::create(
        "alice",
        Op::Create {
            name: "Climbing".into(),
            description: "Thursdays".into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        },
        [7; 32],
        &people.keys["alice"],
    );
    let log = GroupLog::create(create.clone(), &people.key("alice")).unwrap();
    (create, log)
}

fn members(log: &GroupLog) -> Vec<(String, Role)> {
    log.state()
        .members
        .iter()
        .map(|m| (m.account.clone(), m.role))
        .collect()
}

#[test]
fn admins_change_the_group_and_members_may_only_leave_or_edit_when_allowed() {
    let people = People::new(&["alice", "bob", "carol", "dave"], 1);
    let (_, mut log) = created(&people, &["bob"]);
    assert_eq!(log.state().name, "Climbing");
    assert!(log.state().is_admin("alice") && !log.state().is_admin("bob"));

    // Bob is not an admin: he cannot add, remove or restrict.
    for op in [
        Op::Add("carol".into()),
        Op::Remove("alice".into()),
        Op::Promote("bob".into()),
        Op::Permissions {
            only_admins_send: true,
            only_admins_edit: true,
        },
    ] {
        let change = people.change(&log, "bob", op);
        assert_eq!(people.accept(&mut log, change), Err(GroupError::NotAllowed));
    }
    let before = log.clone();

    let add = people.change(&log, "alice", Op::Add("carol".into()));
    assert_eq!(people.accept(&mut log, add), Ok(()));
    let edit = people.change(
        &log,
        "bob",
        Op::EditInfo {
            name: "Bouldering".into(),
            description: String::new(),
        },
    );
    assert_eq!(people.accept(&mut log, edit), Ok(()));
    assert_eq!(log.state().name, "Bouldering");
    let restrict = people.change(
        &log,
        "alice",
        Op::Permissions {
            only_admins_send: true,
            only_admins_edit: true,
        },
    );
    people.accept(&mut log, restrict).unwrap();
    assert!(log.state().may_send("alice") && !log.state().may_send("bob"));
    let edit = people.change(
        &log,
        "bob",
        Op::EditInfo {
            name: "Mine now".into(),
            description: String::new(),
        },
    );
    assert_eq!(people.accept(&mut log, edit), Err(GroupError::NotAllowed));

    let promote = people.change(&log, "alice", Op::Promote("bob".into()));
    people.accept(&mut log, promote).unwrap();
    let remove = people.change(&log, "bob", Op::Remove("carol".into()));
    people.accept(&mut log, remove).unwrap();
    assert_eq!(
        members(&log),
        [("alice".into(), Role::Admin), ("bob".into(), Role::Admin)]
    );
    assert!(!log.state().may_send("carol"));

    // The last admin cannot be demoted; when the last admin leaves, the longest-standing
    // member takes over.
    let demote = people.change(&log, "alice", Op::Demote("bob".into()));
    people.accept(&mut log, demote).unwrap();
    let demote_self = people.change(&log, "alice", Op::Demote("alice".into()));
    assert_eq!(
        people.accept(&mut log, demote_self),
        Err(GroupError::Invalid)
    );
    let add_dave = people.change(&log, "alice", Op::Add("dave".into()));
    people.accept(&mut log, add_dave).unwrap();
    let leave = people.change(&log, "alice", Op::Leave);
    people.accept(&mut log, leave).unwrap();
    assert_eq!(
        members(&log),
        [("bob".into(), Role::Admin), ("dave".into(), Role::Member)]
    );
    assert_ne!(log, before);
}

#[test]
fn group_texts_that_could_break_or_reorder_what_is_around_them_are_refused() {
    let people = People::new(&["alice", "bob"], 9);
    let create = |name: &str, description: &str| {
        let op = Op::Create {
            name: name.into(),
            description: description.into(),
            members: vec!["bob".into()],
        };
        let change = Change::create("alice", op, [7; 32], &people.keys["alice"]);
        GroupLog::create(change, &people.key("alice"))
    };
    let (_, log) = created(&people, &["bob"]);
    let edit = |name: &str, description: &str| {
        let op = Op::EditInfo {
            name: name.into(),
            description: description.into(),
        };
        people.accept(&mut log.clone(), people.change(&log, "alice", op))
    };
    for bad in [
        "\u{202e}txt",
        "a\u{2066}b",
        "\u{200e}x",
        "x\u{061c}",
        "tab\tbed",
    ] {
        assert_eq!(create(bad, "").err(), Some(GroupError::Invalid), "{bad:?}");
        assert_eq!(create("Climbing", bad).err(), Some(GroupError::Invalid));
        assert_eq!(edit(bad, ""), Err(GroupError::Invalid), "{bad:?}");
        assert_eq!(edit("Climbing", bad), Err(GroupError::Invalid));
    }
    // A name is one line; a description may have paragraphs.
    assert_eq!(create("two\nlines", "").err(), Some(GroupError::Invalid));
    assert_eq!(edit("two\nlines", ""), Err(GroupError::Invalid));
    assert!(create("Climbing", "Thursdays.\nBring shoes.").is_ok());
    assert!(create("Escalade 🧗 مساء", "Jeudis, 18 h").is_ok());
    assert_eq!(edit("Klettern", "Donnerstags"), Ok(()));
}

#[test]
fn the_relay_cannot_forge_replay_or_skip_changes() {
    let people = People::new(&["alice", "bob", "mallory"], 2);
    let (create, mut log) = created(&people, &["bob"]);
    let add = people.change(&log, "alice", Op::Add("carol".into()));

    // Signed by another key than the author's (the relay's own, say): refused.
    let mut forged = add.clone();
    forged.signature = people
        .change(&log, "mallory", Op::Add("carol".into()))
        .signature;
    assert_eq!(
        people.accept(&mut log, forged.clone()),
        Err(GroupError::BadSignature)
    );
    let mut relabelled = people.change(&log, "mallory", Op::Add("mallory".into()));
    relabelled.author = "alice".into();
    assert_eq!(
        people.accept(&mut log, relabelled),
        Err(GroupError::BadSignature)
    );
    // By someone who is not a member: not allowed, even signed.
    let stranger = people.change(&log, "mallory", Op::Add("mallory".into()));
    assert_eq!(
        people.accept(&mut log, stranger),
        Err(GroupError::NotAllowed)
    );
    // A changed byte anywhere breaks it.
    let bytes = add.encode();
    for i in 0..bytes.len() {
        let mut tampered = bytes.clone();
        tampered[i] ^= 1;
        if let Ok(change) = Change::decode(&tampered) {
            let mut copy = log.clone();
            let key = people.key("alice");
            assert!(copy.accept(change, &key).is_err(), "flip at {i} accepted");
        }
    }
    assert!(Change::decode(&bytes[..bytes.len() - 1]).is_err());
    assert_eq!(Change::decode(&bytes).unwrap(), add);

    people.accept(&mut log, add.clone()).unwrap();
    // Replayed: stale. The creation again: stale. Another group's change: refused.
    assert_eq!(people.accept(&mut log, add), Err(GroupError::Stale));
    assert_eq!(people.accept(&mut log, create), Err(GroupError::Stale));
    let mut elsewhere = people.change(&log, "alice", Op::Add("dave".into()));
    elsewhere.group = [9; 16];
    assert_eq!(
        people.accept(&mut log, elsewhere),
        Err(GroupError::WrongGroup)
    );
    // Skipping one: a gap, until the missing change is there.
    let next = people.change(&log, "alice", Op::Add("dave".into()));
    let mut ahead = log.clone();
    people.accept(&mut ahead, next.clone()).unwrap();
    let after_next = people.change(&ahead, "alice", Op::Add("erin".into()));
    assert_eq!(
        people.accept(&mut log, after_next.clone()),
        Err(GroupError::Gap)
    );
    people.accept(&mut log, next).unwrap();
    people.accept(&mut log, after_next.clone()).unwrap();
    people.accept(&mut ahead, after_next).unwrap();
    assert_eq!(log.state(), ahead.state());
}

/// The relay's order for one group (as `crates/server` keeps it): the first change submitted
/// for the epoch after its head is accepted, any other refused.
#[derive(Default)]
struct Relay {
    order: Vec<Ordered>,
    /// The accepted changes, as their authors then send them to the members.
    delivered: Vec<Change>,
}

impl Relay {
    fn submit(&mut self, change: &Change) -> bool {
        let next = self.order.last().map_or(change.epoch, |o| o.epoch + 1);
        if change.epoch != next {
            return false;
        }
        self.order.push(Ordered {
            epoch: change.epoch,
            hash: change.hash(),
        });
        self.delivered.push(change.clone());
        true
    }
}

/// Takes `changes` (and what it held) until nothing more applies; returns what is still held.
fn take_all(log: &mut GroupLog, changes: &[Change], relay: &Relay, people: &People) -> usize {
    let key_of = people.key_of();
    let mut offered = changes.to_vec();
    loop {
        let taken = log.take(&offered, &relay.order, &key_of);
        if taken.applied.is_empty() {
            return taken.held.len();
        }
        offered = taken.held;
    }
}

/// An edit by `author` on `state`, its hash ground below `below` (what the old fork rule let
/// an author win with).
fn ground_edit(people: &People, on: &GroupLog, author: &str, below: &Change) -> Change {
    let mut n = 0;
    loop {
        n += 1;
        let op = Op::EditInfo {
            name: "Climbing".into(),
            description: format!("try {n}"),
        };
        let change = people.change(on, author, op);
        if change.hash() < below.hash() {
            return change;
        }
    }
}

#[test]
fn a_removed_admin_cannot_undo_its_removal() {
    let people = People::new(&["alice", "bob", "carol", "mallory"], 44);
    let (create, mut log) = created(&people, &["bob", "carol", "mallory"]);
    let mut relay = Relay::default();
    assert!(relay.submit(&create));
    let promote = people.change(&log, "alice", Op::Promote("mallory".into()));
    assert!(relay.submit(&promote));
    people.accept(&mut log, promote).unwrap();
    let before = log.clone();
    // Admin alice removes admin mallory; the relay orders it.
    let remove = people.change(&log, "alice", Op::Remove("mallory".into()));
    assert!(relay.submit(&remove));
    // Mallory signs [EditInfo(ground), Remove(alice)] on the state before its removal.
    let ground = ground_edit(&people, &before, "mallory", &remove);
    let mut branch = before.clone();
    people.accept(&mut branch, ground.clone()).unwrap();
    let hit = people.change(&branch, "mallory", Op::Remove("alice".into()));
    assert!(
        !relay.submit(&ground),
        "the relay holds a change for that epoch"
    );
    // Mallory sends its branch to the members anyway: Bob after the removal, Carol before.
    let (mut bob, mut carol) = (before.clone(), before.clone());
    take_all(&mut bob, std::slice::from_ref(&remove), &relay, &people);
    take_all(&mut bob, &[ground.clone(), hit.clone()], &relay, &people);
    take_all(&mut carol, &[ground.clone(), hit.clone()], &relay, &people);
    take_all(&mut carol, &[remove, ground, hit], &relay, &people);
    // Signed again on the new head (and ordered by a relay that lets it): no member takes it.
    let again = people.change(&bob, "mallory", Op::Remove("alice".into()));
    assert!(relay.submit(&again));
    assert_eq!(
        people.accept(&mut bob.clone(), again.clone()),
        Err(GroupError::NotAllowed)
    );
    take_all(&mut bob, std::slice::from_ref(&again), &relay, &people);
    take_all(&mut carol, std::slice::from_ref(&again), &relay, &people);
    for member in [&bob, &carol] {
        assert!(
            member.state().member("mallory").is_none(),
            "{:?}",
            members(member)
        );
        assert!(member.state().is_admin("alice"));
    }
    assert_eq!(bob.state(), carol.state());
}

#[test]
fn a_member_who_may_edit_cannot_undo_an_admins_removal_of_a_colluder() {
    let people = People::new(&["alice", "bob", "carol", "mallory"], 46);
    let (create, log) = created(&people, &["bob", "carol", "mallory"]);
    let mut relay = Relay::default();
    assert!(relay.submit(&create));
    let before = log.clone();
    let remove = people.change(&log, "alice", Op::Remove("mallory".into()));
    assert!(relay.submit(&remove));
    // Bob, allowed to edit the info, grinds an edit on the state before the removal.
    let ground = ground_edit(&people, &before, "bob", &remove);
    assert!(!relay.submit(&ground));
    let (mut bob, mut carol) = (before.clone(), before.clone());
    take_all(&mut bob, &[ground.clone(), remove.clone()], &relay, &people);
    take_all(&mut carol, std::slice::from_ref(&ground), &relay, &people);
    assert_eq!(carol.state(), before.state(), "an unordered change applied");
    take_all(&mut carol, &[remove, ground], &relay, &people);
    for member in [&bob, &carol] {
        assert!(
            member.state().member("mallory").is_none(),
            "{:?}",
            members(member)
        );
    }
    assert_eq!(bob.state(), carol.state());
}

#[test]
fn members_holding_different_history_reach_the_same_state() {
    let people = People::new(&["alice", "bob", "carol", "dave", "mallory"], 47);
    let (create, mut log) = created(&people, &["bob", "carol", "dave"]);
    let mut relay = Relay::default();
    assert!(relay.submit(&create));
    let promote = people.change(&log, "alice", Op::Promote("bob".into()));
    assert!(relay.submit(&promote));
    people.accept(&mut log, promote).unwrap();
    let early = log.clone();
    let mut concurrent = Vec::new();
    for round in 0..4 {
        // Alice and Bob act on the same state; the relay takes Alice's, Bob signs again.
        let a = people.change(&log, "alice", Op::Add(format!("a{round}")));
        let b = people.change(&log, "bob", Op::Add(format!("b{round}")));
        assert!(relay.submit(&a) && !relay.submit(&b));
        people.accept(&mut log, a).unwrap();
        let again = people.change(&log, "bob", b.op.clone());
        assert!(relay.submit(&again));
        people.accept(&mut log, again).unwrap();
        concurrent.push(b);
    }
    // Carol saw only the start; Dave saw half and the losing changes first.
    let mut carol = early.clone();
    let mut dave = early.clone();
    let half = relay.delivered.len() / 2;
    let mut first = concurrent.clone();
    first.extend_from_slice(&relay.delivered[..half]);
    take_all(&mut dave, &first, &relay, &people);
    let mut everything = concurrent;
    everything.extend(relay.delivered.iter().rev().cloned());
    take_all(&mut carol, &everything, &relay, &people);
    take_all(&mut dave, &everything, &relay, &people);
    assert_eq!(carol.state(), log.state());
    assert_eq!(dave.state(), log.state());
    let names: Vec<_> = members(&log).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"a3".to_owned()) && names.contains(&"b3".to_owned()));
}

/// The property test over random concurrent changes (native only: proptest).
#[cfg(not(target_arch = "wasm32"))]
mod property {
    use proptest::prelude::{any, prop, prop_assert, prop_assert_eq, proptest, ProptestConfig};
    use rand_chacha::rand_core::RngCore;

    use super::{created, rng, take_all, Change, GroupLog, Op, People, Relay};

    const NAMES: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];

    /// Op `kind` by nobody in particular on `target`.
    fn op(kind: u8, target: usize, n: usize) -> Op {
        let who = NAMES[target % NAMES.len()].to_owned();
        match kind % 7 {
            0 => Op::Add(who),
            1 => Op::Remove(who),
            2 => Op::Promote(who),
            3 => Op::Demote(who),
            4 => Op::EditInfo {
                name: format!("n{n}"),
                description: String::new(),
            },
            5 => Op::Permissions {
                only_admins_send: n.is_multiple_of(2),
                only_admins_edit: n.is_multiple_of(3),
            },
            _ => Op::Leave,
        }
    }

    #[allow(clippy::unwrap_used)]
    /// Submits `op` by `author` until the relay takes it (catching up and signing again on the
    /// new head after each refusal), or until it no longer applies.
    fn submit(people: &People, relay: &mut Relay, log: &mut GroupLog, author: &str, op: Op) {
        loop {
            take_all(log, &relay.delivered, relay, people);
            let change = people.change(log, author, op.clone());
            if log
                .clone()
                .accept(change.clone(), &people.key(author))
                .is_err()
            {
                return;
            }
            if relay.submit(&change) {
                log.accept(change, &people.key(author)).unwrap();
                return;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn random_concurrent_changes_through_the_relay_end_in_one_state(
            rounds in prop::collection::vec(
                prop::collection::vec((0..6usize, any::<u8>(), 0..6usize), 1..4), 1..16),
            seed in any::<u64>(),
        ) {
            let people = People::new(&NAMES, 48);
            let (create, mut start) = created(&people, &["bob", "carol", "dave"]);
            let mut relay = Relay::default();
            prop_assert!(relay.submit(&create));
            let promote = people.change(&start, "alice", Op::Promote("bob".into()));
            prop_assert!(relay.submit(&promote));
            people.accept(&mut start, promote).unwrap();
            let mut replicas: Vec<GroupLog> = NAMES.iter().map(|_| start.clone()).collect();
            let mut inboxes: Vec<Vec<Change>> = NAMES.iter().map(|_| Vec::new()).collect();
            let mut rng = rng(seed);
            let mut n = 0;
            for round in rounds {
                // Each author signs on the state it holds now, all at once; some also send the
                // signed change straight to the members without the relay.
                let mut signed = Vec::new();
                for (author, kind, target) in round {
                    n += 1;
                    let change = people.change(&replicas[author], NAMES[author], op(kind, target, n));
                    signed.push((author, change));
                }
                for (author, change) in signed {
                    if rng.next_u32().is_multiple_of(3) {
                        inboxes.iter_mut().for_each(|i| i.push(change.clone()));
                    }
                    let name = NAMES[author];
                    submit(&people, &mut relay, &mut replicas[author], name, change.op);
                }
                // Some members hear some of what was delivered, in any order.
                for (i, replica) in replicas.iter_mut().enumerate() {
                    if rng.next_u32().is_multiple_of(2) {
                        let mut heard = inboxes[i].clone();
                        heard.extend(relay.delivered.iter().filter(|_| rng.next_u32().is_multiple_of(2)).cloned());
                        take_all(replica, &heard, &relay, &people);
                    }
                }
            }
            let mut reference = start.clone();
            take_all(&mut reference, &relay.delivered, &relay, &people);
            for (i, replica) in replicas.iter_mut().enumerate() {
                let mut all = inboxes[i].clone();
                all.extend(relay.delivered.iter().rev().cloned());
                take_all(replica, &all, &relay, &people);
                prop_assert_eq!(replica.state(), reference.state(), "{}", NAMES[i]);
            }
            prop_assert_eq!(reference.state().epoch as usize, relay.order.len());
        }
    }
}

#[test]
fn a_chain_is_proven_from_its_creation_and_nothing_else_is() {
    let people = People::new(&["alice", "bob", "carol", "mallory"], 45);
    let (_, mut log) = created(&people, &["bob", "mallory"]);
    let add = people.change(&log, "alice", Op::Add("carol".into()));
    people.accept(&mut log, add).unwrap();
    let key_of = people.key_of();
    let proven = GroupLog::prove(log.changes(), &key_of).unwrap();
    assert_eq!(proven.state(), log.state());
    assert!(proven.from_creation() && proven.extended_by(&log) && log.extended_by(&proven));
    // Not from the creation: unproven.
    assert_eq!(
        GroupLog::prove(&log.changes()[1..], &key_of).err(),
        Some(GroupError::Unproven)
    );
    // A non-admin's add inside: refused.
    let mut forged = log.changes()[..1].to_vec();
    let (_, mut short) = created(&people, &["bob", "mallory"]);
    let by_mallory = people.change(&short, "mallory", Op::Add("carol".into()));
    people.accept(&mut short, by_mallory.clone()).unwrap_err();
    forged.push(by_mallory);
    assert_eq!(
        GroupLog::prove(&forged, &key_of).err(),
        Some(GroupError::NotAllowed)
    );
    // Mallory's own creation under Alice's group id: refused (the id is derived from it).
    let op = Op::Create {
        name: "Climbing".into(),
        description: "Thursdays".into(),
        members: vec!["bob".into(), "carol".into()],
    };
    let mut counterfeit = Change::create("mallory", op, [7; 32], &people.keys["mallory"]);
    assert_ne!(counterfeit.group, log.state().group);
    assert!(GroupLog::prove(std::slice::from_ref(&counterfeit), &key_of).is_ok());
    counterfeit.group = log.state().group;
    assert_eq!(
        GroupLog::prove(std::slice::from_ref(&counterfeit), &key_of).err(),
        Some(GroupError::Unproven)
    );
}

#[test]
fn a_log_of_the_first_form_reads_back_as_its_state() {
    // A stored log of the first form (type 11): one creation and the state after it.
    let people = People::new(&["alice", "bob"], 49);
    let (_, log) = created(&people, &["bob"]);
    let mut old = vec![1u8, 11, 0, 0, 0, 1];
    let change = log.changes()[0].encode();
    let state = log.state().encode();
    for part in [&change, &state] {
        old.extend_from_slice(&(part.len() as u32).to_be_bytes());
        old.extend_from_slice(part);
    }
    let back = GroupLog::decode(&old).unwrap();
    assert_eq!(back.state(), log.state());
    assert!(back.changes().is_empty() && !back.from_creation());
    assert_eq!(GroupLog::decode(&back.encode()).unwrap(), back);
    // A change of the first form from a peer: outdated, not silently dropped.
    let mut v1 = change.clone();
    v1[1] = 9;
    assert_eq!(Change::decode(&v1).err(), Some(GroupError::Outdated));
}
