//! Property test against a malicious relay (issue 18, "Also"): **no plaintext reaches a device
//! that was not a listed member device at the time it was sent.**
//!
//! Actors, all driven through the scripted relay in `adversary/`:
//! - honest accounts `alice` and `bob`, whose devices are linked, unlinked and replaced (a new
//!   identity at the same address) at random; the engine that was unlinked or replaced stays
//!   around as a stolen device, and the relay keeps delivering to it (it colludes);
//! - the relay itself, which forges `Mismatch{extra}` naming a listed device, replays any
//!   envelope it carried (first messages included), delivers an envelope to another device
//!   than its addressee, and hands an envelope over under a forged sender;
//! - a malicious member `carol` (another account) who writes to both and re-sends envelopes
//!   she was handed as her own; and stolen devices, which hold their old identity key and keep
//!   writing as if still listed.
//!
//! Each send records which engines were listed devices of the sender's or the recipient's
//! account (with that identity) at that moment, in the relay's current list or in the list the
//! sender has pinned (the relay may withhold a newer list; docs/protocol.md says so); the author's own engine may show its text too.
//! After every step, every engine's shown messages may contain only texts of sends it was
//! listed for. Bodies are unique (`s<number>`), so each shown text names its send.
//!
//! A failure prints the seed, the step and the action list; to reproduce, set `SEEDS` to that
//! single seed (e.g. `SEEDS: std::ops::Range<u64> = 17..18`) and run
//! `cargo test -p hush-client --test adversary_property`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod adversary;

use adversary::{Carried, Relay};
use futures::executor::block_on;
use hush_client::ChatId;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

const SEEDS: std::ops::Range<u64> = 0..24;
const STEPS: usize = 30;
const HONEST: [&str; 2] = ["alice", "bob"];
const ALL: [&str; 3] = ["alice", "bob", "carol"];

/// One run: the relay, which engines each send was allowed to reach, the actions taken.
struct Run {
    relay: Relay,
    rng: ChaCha20Rng,
    /// Per send (body `s<k>`): the engine indices listed for it at send time.
    allowed: Vec<Vec<usize>>,
    actions: Vec<String>,
    next_id: [u32; 2],
    /// Whether devices may be given a new identity at the same address.
    replace: bool,
}

impl Run {
    fn pick(&mut self, n: usize) -> usize {
        (self.rng.next_u32() as usize) % n
    }

    /// Engines that are listed devices of `account` right now (the newest ones only can be).
    fn listed(&self, account: &str) -> Vec<usize> {
        (self.relay.devices.iter().enumerate())
            .filter(|(_, d)| {
                d.account == account && self.relay.listed(account, d.id, &d.bundle.identity)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Engines that are the newest at their address (only those send).
    fn senders(&self) -> Vec<usize> {
        (0..self.relay.devices.len())
            .filter(|&i| {
                let d = &self.relay.devices[i];
                self.relay.index(&d.account, d.id) == i
            })
            .collect()
    }

    async fn send(&mut self) {
        let senders = self.senders();
        let from = senders[self.pick(senders.len())];
        let (account, id) = {
            let d = &self.relay.devices[from];
            (d.account.clone(), d.id)
        };
        let others: Vec<&str> = ALL.iter().copied().filter(|a| *a != account).collect();
        let to = others[self.pick(others.len())];
        let k = self.allowed.len();
        let body = format!("s{k}");
        let mut allowed = self.listed(&account);
        allowed.extend(self.listed(to));
        allowed.push(from);
        self.allowed.push(allowed);
        self.actions
            .push(format!("{account}.{id}#{from} sends {body} to {to}"));
        self.allow_pinned(from, to, k).await;
        let chat = ChatId::parse(to).unwrap();
        let sent = self.relay.devices[from]
            .engine
            .send_text(&chat, &body, adversary::NOW)
            .await;
        match sent {
            Ok((_, out)) => self.relay.run(&account, id, out).await,
            Err(e) => self.actions.push(format!("  (refused to send: {e:?})")),
        }
        self.allow_pinned(from, to, k).await;
    }

    /// The relay may withhold a newer list from the sender (a documented limit): a device the
    /// sender's pinned list names (before or after its send) counts as listed for send `k`.
    async fn allow_pinned(&mut self, from: usize, to: &str, k: usize) {
        use hush_client::store::Store;
        let pinned = self.relay.devices[from]
            .store
            .pinned_devices(to)
            .await
            .unwrap();
        let Some(p) = pinned else { return };
        for (i, d) in self.relay.devices.iter().enumerate() {
            let named = p
                .list
                .device(d.id)
                .is_some_and(|l| l.identity == d.bundle.identity);
            if d.account == to && named {
                self.allowed[k].push(i);
            }
        }
    }

    /// An honest account unlinks a listed device (by linking a new one) or gives one a new
    /// identity; the old engine stays (stolen).
    async fn relink(&mut self) {
        let a = self.pick(2);
        let account = HONEST[a];
        let listed: Vec<u32> = (self.listed(account).iter())
            .map(|&i| self.relay.devices[i].id)
            .collect();
        let seed = u64::from(self.rng.next_u32());
        if self.pick(2) == 0 || listed.len() < 2 || !self.replace {
            self.next_id[a] += 1;
            let new = self.next_id[a];
            let gone: Vec<u32> = if listed.len() >= 2 {
                vec![listed[self.pick(listed.len())]]
            } else {
                vec![]
            };
            self.actions
                .push(format!("{account} links {new}, unlinks {gone:?}"));
            self.relay.link(account, new, &gone, seed).await;
        } else {
            let id = listed[self.pick(listed.len())];
            self.actions
                .push(format!("{account} gives device {id} a new identity"));
            self.relay.link(account, id, &[], seed).await;
        }
    }

    fn forge_mismatch(&mut self) {
        let account = HONEST[self.pick(2)];
        let listed: Vec<u32> = (self.listed(account).iter())
            .map(|&i| self.relay.devices[i].id)
            .collect();
        let id = listed[self.pick(listed.len())];
        self.actions.push(format!(
            "relay will answer Mismatch{{extra: [{id}]}} for {account}"
        ));
        self.relay.forge_extra.push((account.to_owned(), vec![id]));
    }

    fn carried(&mut self) -> Option<Carried> {
        let n = self.relay.carried.len();
        if n == 0 {
            return None;
        }
        let i = self.pick(n);
        Some(self.relay.carried[i].clone())
    }

    /// A random existing address of any account.
    fn address(&mut self) -> (String, u32) {
        let n = self.relay.devices.len();
        let i = self.pick(n);
        let d = &self.relay.devices[i];
        (d.account.clone(), d.id)
    }

    async fn tamper(&mut self, how: usize) {
        let Some(mut c) = self.carried() else { return };
        let what = format!("{}.{}->{}.{}", c.sender, c.sender_device, c.to, c.to_device);
        match how {
            0 => self.actions.push(format!("relay replays {what}")),
            1 => {
                (c.to, c.to_device) = self.address();
                self.actions.push(format!(
                    "relay misaddresses {what} to {}.{}",
                    c.to, c.to_device
                ));
            }
            2 => {
                (c.sender, c.sender_device) = self.address();
                self.actions.push(format!(
                    "relay forges {what} as from {}.{}",
                    c.sender, c.sender_device
                ));
            }
            _ => {
                // Carol re-sends what she was handed, as her own, to anyone.
                c.sender = "carol".to_owned();
                c.sender_device = 1;
                (c.to, c.to_device) = self.address();
                self.actions
                    .push(format!("carol re-sends {what} to {}.{}", c.to, c.to_device));
            }
        }
        self.relay.deliver(&c).await;
    }

    /// Every shown text came from a send its engine was listed for.
    fn check(&self, seed: u64, step: usize) {
        for (i, d) in self.relay.devices.iter().enumerate() {
            for (_, body) in &d.shown {
                // Placeholders (no body of ours) carry no plaintext.
                let Some(k) = body.strip_prefix('s').and_then(|n| n.parse::<usize>().ok()) else {
                    continue;
                };
                assert!(
                    self.allowed[k].contains(&i),
                    "seed {seed}, step {step}: {}.{} (engine #{i}) shows {body}, sent when it was \
                     not listed\nactions:\n{}",
                    d.account,
                    d.id,
                    self.actions.join("\n")
                );
            }
        }
    }
}

async fn run(seed: u64, replace: bool) {
    let mut relay = Relay::new();
    for (n, account) in ALL.iter().enumerate() {
        relay.register(account, seed * 10 + n as u64).await;
    }
    let mut run = Run {
        relay,
        rng: ChaCha20Rng::seed_from_u64(seed),
        allowed: Vec::new(),
        actions: Vec::new(),
        next_id: [1, 1],
        replace,
    };
    for step in 0..STEPS {
        match run.pick(10) {
            0..=3 => run.send().await,
            4 => run.relink().await,
            5 => run.forge_mismatch(),
            n => run.tamper(n - 6).await,
        }
        run.check(seed, step);
    }
}

#[test]
fn no_plaintext_reaches_a_device_unlisted_when_it_was_sent() {
    for seed in SEEDS {
        block_on(run(seed, true));
    }
}
