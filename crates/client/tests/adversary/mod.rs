//! A scripted relay for adversarial tests: engines wired by hand (the engine is sans-IO), the
//! relay's every choice made by the test. It answers bundle fetches with each account's
//! current signed list, delivers every envelope to whichever engine holds that address (a
//! device unlinked or replaced keeps receiving: the relay colludes with it), and keeps every
//! envelope it ever carried so a test can replay or misaddress it.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use hush_client::loopback::registered;
use hush_client::store::memory::MemoryStore;
use hush_client::store::{Changes, Store};
use hush_client::{ChatId, Engine, Event, Output};
use hush_protocol::devices::{DeviceList, ListedDevice};
use hush_protocol::keys::SignedPreKeyPair;
use hush_protocol::relay::{ClientFrame, SendOutcome, ServerFrame};
use hush_protocol::wire::PreKeyBundle;
use hush_protocol::{DeviceAddress, IdentityKeyPair, Username};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

pub const NOW: u64 = 1_800_000_000_000;

pub type Core = Engine<MemoryStore, ChaCha20Rng>;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// One device: its engine, its store, every message it showed (chat, body) and every list or
/// sender it refused.
pub struct Device {
    pub account: String,
    pub id: u32,
    pub engine: Core,
    pub store: MemoryStore,
    pub bundle: PreKeyBundle,
    pub shown: Vec<(ChatId, String)>,
    pub refusals: Vec<Event>,
}

/// An envelope the relay carried: who it says sent it, to which device, the bytes.
#[derive(Clone, Debug)]
pub struct Carried {
    pub sender: String,
    pub sender_device: u32,
    pub to: String,
    pub to_device: u32,
    pub payload: Vec<u8>,
}

/// The relay: accounts' keys and current lists, the devices, what it carried.
pub struct Relay {
    pub devices: Vec<Device>,
    /// (account, account key, current list).
    pub lists: Vec<(String, [u8; 32], DeviceList)>,
    pub carried: Vec<Carried>,
    /// Mismatch{extra} the relay answers the next send to `account` with (device ids).
    pub forge_extra: Vec<(String, Vec<u32>)>,
    next_id: u64,
}

fn bundle_from(out: &Output, address: DeviceAddress, identity: &IdentityKeyPair) -> PreKeyBundle {
    let signed_prekey = out
        .frames
        .iter()
        .find_map(|f| match f {
            ClientFrame::UploadPreKeys { signed_prekey, .. } => Some(*signed_prekey),
            _ => None,
        })
        .expect("a prekey upload");
    PreKeyBundle {
        identity: identity.public(),
        address,
        signed_prekey,
        // Without a one-time prekey: first messages can be replayed against the signed one.
        one_time_prekey: None,
    }
}

impl Relay {
    pub fn new() -> Self {
        Self {
            devices: Vec::new(),
            lists: Vec::new(),
            carried: Vec::new(),
            forge_extra: Vec::new(),
            next_id: 1,
        }
    }

    /// A new account with its first device (number 1).
    pub async fn register(&mut self, name: &str, seed: u64) {
        let store = MemoryStore::new();
        let (engine, published) = registered(store.clone(), rng(seed), name, NOW)
            .await
            .unwrap();
        let list = DeviceList::decode(&published.device_list).unwrap();
        self.lists
            .push((name.to_owned(), published.account_key, list));
        let mut bundle = published.bundle;
        bundle.one_time_prekey = None;
        self.devices.push(Device {
            account: name.to_owned(),
            id: 1,
            engine,
            store,
            bundle,
            shown: Vec::new(),
            refusals: Vec::new(),
        });
    }

    pub fn device(&mut self, account: &str, id: u32) -> &mut Device {
        let index = self.index(account, id);
        &mut self.devices[index]
    }

    fn list(&self, account: &str) -> &DeviceList {
        &self.lists.iter().find(|(a, _, _)| a == account).unwrap().2
    }

    /// Whether `account`'s current list names device `id` with `identity`.
    pub fn listed(&self, account: &str, id: u32, identity: &hush_protocol::IdentityKey) -> bool {
        self.list(account)
            .device(id)
            .is_some_and(|d| d.identity == *identity)
    }

    /// `account` links (or re-links, with a new identity) device `id`, and signs a list of its
    /// current devices without `unlinked`. The device's engine holds the account's keys (as a
    /// linked device would); every listed device is shown the new list. An engine with the
    /// same address stays around (stolen): the relay still delivers to the newest one only.
    pub async fn link(&mut self, account: &str, id: u32, unlinked: &[u32], seed: u64) {
        let mut holder = self
            .devices
            .iter()
            .find(|d| d.account == account)
            .unwrap()
            .engine
            .account()
            .unwrap()
            .clone();
        let mut rng = rng(seed);
        holder.device_id = id;
        holder.identity = IdentityKeyPair::generate(&mut rng);
        holder.signed_prekey = SignedPreKeyPair::generate(1, &holder.identity, &mut rng);
        holder.signed_prekey_since_ms = None;
        holder.retired_prekeys.clear();
        holder.next_prekey_id = 1;
        holder.registered = true;
        let identity = holder.identity.clone();
        let key = holder.account_key.clone();
        let store = MemoryStore::new();
        store
            .commit(Changes {
                account: Some(holder),
                ..Changes::default()
            })
            .await
            .unwrap();
        let mut engine = Core::open(store.clone(), rng).await.unwrap();
        engine
            .handle(ServerFrame::Challenge { nonce: [7; 32] }, NOW)
            .await
            .unwrap();
        let out = engine
            .handle(
                ServerFrame::Authenticated {
                    one_time_prekeys: 0,
                },
                NOW,
            )
            .await
            .unwrap();
        let address = DeviceAddress::new(account, id).unwrap();
        let bundle = bundle_from(&out, address, &identity);
        let old = self.list(account).clone();
        let mut devices: Vec<ListedDevice> = old
            .devices
            .iter()
            .filter(|d| d.device_id != id && !unlinked.contains(&d.device_id))
            .cloned()
            .collect();
        devices.push(
            ListedDevice::certify(account, id, identity.public(), "Linked", 0, &key).unwrap(),
        );
        let list = DeviceList::sign(account, old.version + 1, devices, &key).unwrap();
        for slot in &mut self.lists {
            if slot.0 == account {
                slot.2 = list.clone();
            }
        }
        self.devices.push(Device {
            account: account.to_owned(),
            id,
            engine,
            store,
            bundle,
            shown: Vec::new(),
            refusals: Vec::new(),
        });
        // Every device the new list names learns it (the stolen ones are not asked).
        let frame = ServerFrame::OwnDevices {
            device_list: list.encode(),
            last_active: Vec::new(),
        };
        let ids: Vec<u32> = list.devices.iter().map(|d| d.device_id).collect();
        for device_id in ids {
            let out = self.handle(account, device_id, frame.clone()).await;
            self.run(account, device_id, out).await;
        }
    }

    /// Hands `frame` to engine `index`; what it shows is recorded.
    pub async fn handle_at(&mut self, index: usize, frame: ServerFrame) -> Output {
        let device = &mut self.devices[index];
        let out = device.engine.handle(frame, NOW).await.unwrap();
        for event in &out.events {
            match event {
                // Received texts and our other devices' transcripts alike.
                Event::Message(m) => device.shown.push((m.chat.clone(), m.body.clone())),
                Event::DevicesRefused { .. } => device.refusals.push(event.clone()),
                _ => {}
            }
        }
        out
    }

    /// Hands `frame` to the newest engine with that address.
    pub async fn handle(&mut self, account: &str, id: u32, frame: ServerFrame) -> Output {
        let index = self.index(account, id);
        self.handle_at(index, frame).await
    }

    /// The newest engine with that address.
    pub fn index(&self, account: &str, id: u32) -> usize {
        self.devices
            .iter()
            .rposition(|d| d.account == account && d.id == id)
            .expect("such a device")
    }

    /// Carries `out`'s frames from device `(account, id)` and everything they cause, until
    /// quiet. Only the newest engine at an address sends; older ones (stolen) only receive.
    pub async fn run(&mut self, account: &str, id: u32, out: Output) {
        let index = self.index(account, id);
        self.run_at(index, out).await;
    }

    async fn run_at(&mut self, index: usize, out: Output) {
        let mut queue: Vec<(usize, ClientFrame)> =
            out.frames.into_iter().map(|f| (index, f)).collect();
        let mut steps = 0;
        while !queue.is_empty() {
            let (from, frame) = queue.remove(0);
            steps += 1;
            assert!(steps < 10_000, "the engines never went quiet");
            for (to, answer) in self.carry(from, frame) {
                let out = self.handle_at(to, answer).await;
                if self.is_newest(to) {
                    queue.extend(out.frames.into_iter().map(|f| (to, f)));
                }
            }
        }
    }

    fn is_newest(&self, index: usize) -> bool {
        let d = &self.devices[index];
        self.index(&d.account, d.id) == index
    }

    /// What the relay does with one frame from engine `from`: frames to hand to engines.
    fn carry(&mut self, from: usize, frame: ClientFrame) -> Vec<(usize, ServerFrame)> {
        let (account, device) = (self.devices[from].account.clone(), self.devices[from].id);
        match frame {
            ClientFrame::FetchBundles {
                request,
                account: of,
            } => {
                let Some((_, key, list)) = self.lists.iter().find(|(a, _, _)| a == of.as_str())
                else {
                    return Vec::new();
                };
                let bundles = self
                    .devices
                    .iter()
                    .filter(|d| d.account == of.as_str())
                    .filter(|d| {
                        list.device(d.id)
                            .is_some_and(|l| l.identity == d.bundle.identity)
                    })
                    .map(|d| d.bundle.clone())
                    .collect();
                let answer = ServerFrame::Bundles {
                    request,
                    account_key: *key,
                    device_list: list.encode(),
                    bundles,
                };
                vec![(from, answer)]
            }
            ClientFrame::Send {
                client_id,
                recipient,
                envelopes,
            } => {
                let mut out: Vec<(usize, ServerFrame)> = Vec::new();
                for envelope in envelopes {
                    let carried = Carried {
                        sender: account.clone(),
                        sender_device: device,
                        to: recipient.as_str().to_owned(),
                        to_device: envelope.device,
                        payload: envelope.payload,
                    };
                    // Every engine at that address gets it: the relay colludes with a stolen
                    // device (unlinked, or replaced by a new identity).
                    let targets: Vec<usize> = (self.devices.iter().enumerate())
                        .filter(|(_, d)| d.account == carried.to && d.id == carried.to_device)
                        .map(|(i, _)| i)
                        .collect();
                    for i in targets {
                        out.push((i, self.envelope(&carried)));
                    }
                    self.carried.push(carried);
                }
                let forged = self
                    .forge_extra
                    .iter()
                    .position(|(a, _)| a == recipient.as_str())
                    .map(|i| self.forge_extra.remove(i).1);
                let outcome = match forged {
                    Some(extra) => SendOutcome::Mismatch {
                        missing: Vec::new(),
                        extra,
                    },
                    None => SendOutcome::Stored,
                };
                out.push((from, ServerFrame::Sent { client_id, outcome }));
                out
            }
            _ => Vec::new(),
        }
    }

    fn has(&self, account: &str, id: u32) -> bool {
        self.devices
            .iter()
            .any(|d| d.account == account && d.id == id)
    }

    /// `carried` as an envelope (a new relay id).
    pub fn envelope(&mut self, carried: &Carried) -> ServerFrame {
        self.next_id += 1;
        ServerFrame::Envelope {
            id: self.next_id,
            sender: Username::parse(&carried.sender).unwrap(),
            sender_device: carried.sender_device,
            received_ms: NOW,
            payload: carried.payload.clone(),
        }
    }

    /// Delivers `carried` again (as it was, or misaddressed) to the newest engine at `to`.
    pub async fn deliver(&mut self, carried: &Carried) {
        let frame = self.envelope(carried);
        let index = self.index(&carried.to, carried.to_device);
        let out = self.handle_at(index, frame).await;
        self.run_at(index, out).await;
    }

    /// Device `(account, id)` writes `body` to `to` (a person's chat).
    pub async fn send(&mut self, account: &str, id: u32, to: &str, body: &str) {
        let chat = ChatId::parse(to).unwrap();
        let index = self.index(account, id);
        let (_, out) = (self.devices[index].engine)
            .send_text(&chat, body, NOW)
            .await
            .unwrap();
        self.run(account, id, out).await;
    }
}
