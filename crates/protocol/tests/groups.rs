//! Group membership changes: signed by the author's account key, allowed by the state before
//! them, and converging when two admins act at once.
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
use hush_protocol::groups::{Accepted, Change, GroupError, GroupLog, Op, Role};
use rand_chacha::rand_core::RngCore;

const GROUP: [u8; 16] = [7; 16];

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
        Change::sign(Some(log.state()), GROUP, author, op, &self.keys[author])
    }
    fn accept(&self, log: &mut GroupLog, change: Change) -> Result<Accepted, GroupError> {
        let key = self.key(&change.author);
        log.accept(change, &key)
    }
}

#[allow(clippy::unwrap_used)]
fn created(people: &People, members: &[&str]) -> (Change, GroupLog) {
    let create = Change::sign(
        None,
        GROUP,
        "alice",
        Op::Create {
            name: "Climbing".into(),
            description: "Thursdays".into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        },
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
    assert_eq!(people.accept(&mut log, add), Ok(Accepted::Applied));
    let edit = people.change(
        &log,
        "bob",
        Op::EditInfo {
            name: "Bouldering".into(),
            description: String::new(),
        },
    );
    assert_eq!(people.accept(&mut log, edit), Ok(Accepted::Applied));
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
        let change = Change::sign(None, GROUP, "alice", op, &people.keys["alice"]);
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
    assert_eq!(edit("Klettern", "Donnerstags"), Ok(Accepted::Applied));
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

#[test]
fn concurrent_changes_by_two_admins_converge_everywhere() {
    let people = People::new(&["alice", "bob", "carol"], 3);
    let (_, mut base) = created(&people, &["bob", "carol"]);
    let promote = people.change(&base, "alice", Op::Promote("bob".into()));
    people.accept(&mut base, promote).unwrap();

    let mut rng = rng(4);
    for round in 0..20u64 {
        // Alice and Bob, both admins, each change the group on the same state.
        let mut logs = vec![base.clone(), base.clone(), base.clone()];
        let a = people.change(&logs[0], "alice", Op::Add(format!("a{round}")));
        let b = people.change(&logs[1], "bob", Op::Add(format!("b{round}")));
        // Each author has applied its own; the third replica gets both, in either order.
        people.accept(&mut logs[0], a.clone()).unwrap();
        people.accept(&mut logs[1], b.clone()).unwrap();
        let (first, second) = if rng.next_u32().is_multiple_of(2) {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        let _ = people.accept(&mut logs[2], first);
        let _ = people.accept(&mut logs[2], second);
        // Everyone gets the other author's change; a loser's author issues it again on top.
        let mut reissued = Vec::new();
        for (i, other) in [(0, b.clone()), (1, a.clone())] {
            if let Ok(Accepted::Replaced(undone)) = people.accept(&mut logs[i], other) {
                for change in undone {
                    let again = people.change(&logs[i], &change.author, change.op);
                    people.accept(&mut logs[i], again.clone()).unwrap();
                    reissued.push(again);
                }
            }
        }
        for again in reissued {
            for log in &mut logs {
                let _ = people.accept(log, again.clone());
            }
        }
        let heads: Vec<_> = logs.iter().map(|l| l.state().clone()).collect();
        assert_eq!(heads[0], heads[1], "round {round}");
        assert_eq!(heads[1], heads[2], "round {round}");
        let names: Vec<String> = heads[0].members.iter().map(|m| m.account.clone()).collect();
        assert!(names.contains(&format!("a{round}")) && names.contains(&format!("b{round}")));
    }
}

#[test]
fn a_stored_log_reads_back_and_damage_is_an_error() {
    let people = People::new(&["alice", "bob", "carol"], 41);
    let (_, mut log) = created(&people, &["bob"]);
    let add = people.change(&log, "alice", Op::Add("carol".into()));
    people.accept(&mut log, add).unwrap();
    let bytes = log.encode();
    let back = GroupLog::decode(&bytes).unwrap();
    assert_eq!(back, log);
    for cut in 0..bytes.len() {
        assert!(GroupLog::decode(&bytes[..cut]).is_err());
    }
    let state = log.state().encode();
    assert_eq!(
        hush_protocol::groups::GroupState::decode(&state).unwrap(),
        *log.state()
    );
}

#[test]
fn an_invited_member_starts_from_the_inviters_state_and_only_a_signed_one() {
    let people = People::new(&["alice", "bob", "carol", "mallory"], 42);
    let (_, mut log) = created(&people, &["bob"]);
    let add = people.change(&log, "alice", Op::Add("carol".into()));
    people.accept(&mut log, add.clone()).unwrap();
    let state = log.state().clone();
    let mut joined = GroupLog::joined(add.clone(), state.clone(), &people.key("alice")).unwrap();
    // Carol follows what comes next like everyone else.
    let next = people.change(&log, "alice", Op::Promote("bob".into()));
    people.accept(&mut log, next.clone()).unwrap();
    people.accept(&mut joined, next).unwrap();
    assert_eq!(joined.state(), log.state());
    // Under the wrong key, or with a state that does not follow the change, it is refused.
    assert!(GroupLog::joined(add.clone(), state.clone(), &people.key("mallory")).is_err());
    let mut padded = state.clone();
    padded.members.push(hush_protocol::groups::Member {
        account: "mallory".into(),
        role: Role::Admin,
    });
    let forged = people.change(&log, "mallory", Op::Add("eve".into()));
    assert!(GroupLog::joined(forged, padded, &people.key("mallory")).is_err());
}

#[test]
fn a_removed_member_cannot_undo_its_removal_with_a_concurrent_change() {
    let people = People::new(&["alice", "bob", "mallory"], 43);
    let (_, mut log) = created(&people, &["bob", "mallory"]);
    let before = log.clone();
    let edit = people.change(
        &log,
        "alice",
        Op::EditInfo {
            name: "Climbing".into(),
            description: "Fridays now".into(),
        },
    );
    people.accept(&mut log, edit.clone()).unwrap();
    let remove = people.change(&log, "alice", Op::Remove("mallory".into()));
    people.accept(&mut log, remove.clone()).unwrap();
    // Mallory answers with a change on the state before both, its hash ground below the
    // edit's (any member may edit the info here).
    let mut n = 0;
    let forked = loop {
        n += 1;
        let change = people.change(
            &before,
            "mallory",
            Op::EditInfo {
                name: "Climbing".into(),
                description: format!("try {n}"),
            },
        );
        if change.hash() < edit.hash() {
            break change;
        }
    };
    let key_of = |a: &str| Some(people.key(a));
    // Where the removal is held, the fork is refused.
    let mut removed = log.clone();
    assert_eq!(
        people.accept(&mut removed, forked.clone()),
        Err(GroupError::Stale)
    );
    let taken = removed.take(std::slice::from_ref(&forked), &key_of);
    assert!(taken.applied.is_empty() && taken.undone.is_empty());
    assert_eq!(removed.state(), log.state());
    // Where the fork came first, the branch that removes its author wins when it arrives.
    let mut other = before.clone();
    people.accept(&mut other, forked).unwrap();
    let taken = other.take(&[edit, remove], &key_of);
    assert_eq!(taken.applied.len(), 2);
    assert_eq!(taken.undone.len(), 1);
    assert_eq!(other.state(), log.state());
    assert!(other.state().member("mallory").is_none());
}
