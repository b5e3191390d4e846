//! Safety numbers: what two people compare (60 digits, or a QR code) to know that no one sits
//! between them. Signal's numeric fingerprint construction, version 1 layout: per side, SHA-512
//! iterated 5200 times over a key and a stable id, 30 digits from 30 bytes. Hush compares
//! account keys ([`SafetyNumber::of_accounts`]): every device of an account shows the same
//! number, and linking a device does not change it.

use sha2::{Digest, Sha512};

use crate::keys::IdentityKey;

const VERSION: u16 = 0;
/// The fingerprint version for account keys (a different input than identity keys).
const ACCOUNT_VERSION: u16 = 1;
const ITERATIONS: usize = 5200;
/// First byte of the QR payload.
const QR_VERSION: u8 = 1;

/// The safety number of a pair of identities; equal on both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafetyNumber {
    digits: String,
    local: [u8; 32],
    remote: [u8; 32],
}

impl SafetyNumber {
    /// `stable_id`s are the account names; the keys are the identities being compared.
    pub fn new(local_id: &str, local: &IdentityKey, remote_id: &str, remote: &IdentityKey) -> Self {
        let local_fp = fingerprint(VERSION, local_id, &local.to_bytes());
        let remote_fp = fingerprint(VERSION, remote_id, &remote.to_bytes());
        Self::of_fingerprints(local_fp, remote_fp)
    }

    /// The safety number of two accounts (names and account keys), the same on every device
    /// of either.
    pub fn of_accounts(
        local_id: &str,
        local: &[u8; 32],
        remote_id: &str,
        remote: &[u8; 32],
    ) -> Self {
        let local_fp = fingerprint(ACCOUNT_VERSION, local_id, local);
        let remote_fp = fingerprint(ACCOUNT_VERSION, remote_id, remote);
        Self::of_fingerprints(local_fp, remote_fp)
    }

    fn of_fingerprints(local_fp: [u8; 32], remote_fp: [u8; 32]) -> Self {
        let (a, b) = if local_fp <= remote_fp {
            (&local_fp, &remote_fp)
        } else {
            (&remote_fp, &local_fp)
        };
        let digits = format!("{}{}", digits_of(a), digits_of(b));
        Self {
            digits,
            local: local_fp,
            remote: remote_fp,
        }
    }

    /// 60 digits, the same on both devices.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// The digits in 12 groups of 5, as shown.
    pub fn display_groups(&self) -> Vec<&str> {
        (0..12)
            .filter_map(|i| self.digits.get(i * 5..i * 5 + 5))
            .collect()
    }

    /// What the QR code holds: version, then this side's and the other side's fingerprint.
    pub fn qr_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(65);
        out.push(QR_VERSION);
        out.extend_from_slice(&self.local);
        out.extend_from_slice(&self.remote);
        out
    }

    /// Whether a QR payload scanned from the other device matches: its "local" must be our
    /// "remote" and the other way round.
    pub fn matches_scanned(&self, payload: &[u8]) -> bool {
        payload.len() == 65
            && payload[0] == QR_VERSION
            && payload[1..33] == self.remote
            && payload[33..] == self.local
    }
}

fn fingerprint(version: u16, stable_id: &str, key: &[u8]) -> [u8; 32] {
    let mut hash = Sha512::new()
        .chain_update(version.to_be_bytes())
        .chain_update(key)
        .chain_update(stable_id.as_bytes())
        .finalize();
    for _ in 0..ITERATIONS {
        hash = Sha512::new()
            .chain_update(hash)
            .chain_update(key)
            .finalize();
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&hash[..32]);
    out
}

/// 30 digits: six 5-byte chunks, each as a big-endian number mod 100000.
fn digits_of(fp: &[u8; 32]) -> String {
    fp[..30]
        .chunks(5)
        .map(|chunk| {
            let n = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            format!("{:05}", n % 100_000)
        })
        .collect()
}
