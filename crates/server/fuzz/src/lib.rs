//! What the hush-server fuzz target shares: the accounts every fresh relay starts with (fixed
//! keys, so committed seed inputs stay valid), the input format, and the seed inputs.
//!
//! Input format: the first byte chooses who the connection is ([`Who`]); the rest is a list of
//! frames, each a big-endian u16 length then that many bytes (a last frame shorter than its
//! length takes what is left). At most [`MAX_FRAMES`] frames are served.
// A fuzz harness: a broken fixture is a bug to stop on, not an error to handle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod relay;
pub mod seeds;

use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::keys::{OneTimePreKeyPair, SignedPreKeyPair};
use hush_protocol::relay::{auth_message, ClientFrame};
use hush_protocol::{IdentityKeyPair, Username};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The challenge every replayed connection answers (a real relay makes a random one).
pub const NONCE: [u8; 32] = [0x5a; 32];
/// Frames served per input at most: longer inputs teach the fuzzer nothing a few frames don't.
pub const MAX_FRAMES: usize = 32;
/// One-time prekeys each seeded account uploads.
pub const PREKEYS: u32 = 4;

/// Who an input's connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Not authenticated: it must register or sign in (the nonce is [`NONCE`]).
    Guest,
    /// Device 1 of `alice`, signed in.
    Alice,
    /// Device 1 of `bob`, signed in.
    Bob,
}

impl Who {
    fn of(byte: u8) -> Self {
        match byte % 3 {
            0 => Self::Guest,
            1 => Self::Alice,
            _ => Self::Bob,
        }
    }

    /// The byte that selects it.
    pub fn byte(self) -> u8 {
        match self {
            Self::Guest => 0,
            Self::Alice => 1,
            Self::Bob => 2,
        }
    }

    /// The signed-in device, if any.
    pub fn device(self) -> Option<(&'static str, u32)> {
        match self {
            Self::Guest => None,
            Self::Alice => Some(("alice", 1)),
            Self::Bob => Some(("bob", 1)),
        }
    }
}

/// An input as who it is and its frames.
pub fn split(input: &[u8]) -> Option<(Who, Vec<&[u8]>)> {
    let (&first, mut rest) = input.split_first()?;
    let mut frames = Vec::new();
    while rest.len() >= 2 && frames.len() < MAX_FRAMES {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let body = &rest[2..];
        let (frame, after) = body.split_at(len.min(body.len()));
        frames.push(frame);
        rest = after;
    }
    Some((Who::of(first), frames))
}

/// The input that [`split`] reads as `who` sending `frames`.
pub fn join(who: Who, frames: &[ClientFrame]) -> Vec<u8> {
    let mut input = vec![who.byte()];
    for frame in frames {
        let bytes = frame.encode();
        let len = u16::try_from(bytes.len()).expect("seed frames fit a u16 length");
        input.extend_from_slice(&len.to_be_bytes());
        input.extend_from_slice(&bytes);
    }
    input
}

/// A test account with one device (device 1), from a fixed seed.
pub struct Account {
    pub name: &'static str,
    pub key: AccountKey,
    pub identity: IdentityKeyPair,
}

impl Account {
    pub fn new(name: &'static str, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Self {
            name,
            key: AccountKey::generate(&mut rng),
            identity: IdentityKeyPair::generate(&mut rng),
        }
    }

    pub fn alice() -> Self {
        Self::new("alice", 1)
    }

    pub fn bob() -> Self {
        Self::new("bob", 2)
    }

    /// An account no fresh relay has: a seed registers it.
    pub fn carol() -> Self {
        Self::new("carol", 3)
    }

    pub fn username(&self) -> Username {
        Username::parse(self.name).unwrap()
    }

    /// The account's list at `version`: device 1, and device 2 from version 2 on.
    pub fn list(&self, version: u64) -> DeviceList {
        let mut devices = vec![self.listed(1, &self.identity)];
        if version > 1 {
            let second = IdentityKeyPair::generate(&mut ChaCha20Rng::seed_from_u64(version));
            devices.push(self.listed(2, &second));
        }
        DeviceList::sign(self.name, version, devices, &self.key).unwrap()
    }

    fn listed(&self, device: u32, identity: &IdentityKeyPair) -> ListedDevice {
        ListedDevice::certify(self.name, device, identity.public(), "Fuzz", 0, &self.key).unwrap()
    }

    pub fn register(&self) -> ClientFrame {
        ClientFrame::Register {
            account_key: self.key.public(),
            device_list: self.list(1).encode(),
            device: 1,
            signature: self.identity.sign(&auth_message(&NONCE, self.name, 1)),
        }
    }

    pub fn authenticate(&self) -> ClientFrame {
        ClientFrame::Authenticate {
            account: self.username(),
            device: 1,
            signature: self.identity.sign(&auth_message(&NONCE, self.name, 1)),
        }
    }

    /// A signed prekey and [`PREKEYS`] one-time prekeys for device 1.
    pub fn upload(&self) -> ClientFrame {
        let mut rng = ChaCha20Rng::seed_from_u64(99);
        ClientFrame::UploadPreKeys {
            signed_prekey: SignedPreKeyPair::generate(1, &self.identity, &mut rng).public(),
            one_time: (0..PREKEYS)
                .map(|id| OneTimePreKeyPair::generate(id, &mut rng).public())
                .collect(),
        }
    }
}
