//! What protects the values at rest: the passphrase's key (Argon2id) split into a sealing key
//! (XChaCha20-Poly1305, each value bound to its table and row) and a tag key (HMAC-SHA256 of
//! row keys and search terms, so lookups work without storing them in the clear) — or nothing,
//! for a store made explicitly without a passphrase.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use crate::OpenError;

/// Argon2id's cost, kept in the store's header so a store opens with what made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The most memory a store may ask for (4 GiB): the header is read before the passphrase
    /// is checked, so a damaged or hostile one must not make opening exhaust the machine.
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    /// The most passes a store may ask for.
    pub const MAX_ITERATIONS: u32 = 64;
    /// The most lanes a store may ask for.
    pub const MAX_PARALLELISM: u32 = 16;

    /// Whether these are within the bounds above.
    pub fn in_bounds(&self) -> bool {
        self.memory_kib <= Self::MAX_MEMORY_KIB
            && (1..=Self::MAX_ITERATIONS).contains(&self.iterations)
            && (1..=Self::MAX_PARALLELISM).contains(&self.parallelism)
    }
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: about a quarter of a second on a laptop core, once per open.
    fn default() -> Self {
        Self {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }
}

/// How a new store is protected.
pub enum Protection {
    /// Every secret and private value sealed under a key from this passphrase.
    Passphrase {
        /// The passphrase (zeroized when dropped).
        passphrase: Zeroizing<String>,
        /// Argon2id's cost.
        kdf: KdfParams,
    },
    /// Nothing sealed: only when the user said `--no-passphrase`.
    NoPassphrase,
}

impl core::fmt::Debug for Protection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Passphrase { kdf, .. } => f
                .debug_struct("Passphrase")
                .field("passphrase", &"<redacted>")
                .field("kdf", kdf)
                .finish(),
            Self::NoPassphrase => f.write_str("NoPassphrase"),
        }
    }
}

/// Length of a salt.
pub(crate) const SALT_LEN: usize = 16;
/// Nonce length of XChaCha20-Poly1305.
const NONCE_LEN: usize = 24;
/// Length of a tag (a truncated HMAC-SHA256): enough that two row keys never share one.
const TAG_LEN: usize = 20;
/// What the key check seals: opening it proves the passphrase before anything is touched.
const CHECK_TEXT: &[u8] = b"hush-store-sqlite key check v1";
const CHECK_AAD: &[u8] = b"header/key_check";

/// The keys of an open store, or none for a plain one.
pub(crate) enum Vault {
    Plain,
    Sealed {
        seal: Zeroizing<[u8; 32]>,
        tag: Zeroizing<[u8; 32]>,
    },
}

impl core::fmt::Debug for Vault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Plain => "Vault::Plain",
            Self::Sealed { .. } => "Vault::Sealed(<keys redacted>)",
        })
    }
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> Result<Zeroizing<[u8; 32]>, OpenError> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .map_err(|e| OpenError::Crypto(format!("hmac key: {e}")))?;
    for part in parts {
        mac.update(part);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Ok(out)
}

/// Random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], String> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(bytes)
}

impl Vault {
    /// The keys from `passphrase` with `salt` and `kdf`.
    pub(crate) fn derive(passphrase: &str, salt: &[u8], kdf: KdfParams) -> Result<Self, OpenError> {
        if !kdf.in_bounds() {
            return Err(OpenError::Crypto(format!(
                "Argon2id parameters out of bounds: {kdf:?}"
            )));
        }
        let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
            .map_err(|e| OpenError::Crypto(format!("Argon2id parameters: {e}")))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut master = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(passphrase.as_bytes(), salt, &mut *master)
            .map_err(|e| OpenError::Crypto(format!("Argon2id: {e}")))?;
        let seal = hmac(&*master, &[b"hush-store-sqlite seal key v1"])?;
        let tag = hmac(&*master, &[b"hush-store-sqlite tag key v1"])?;
        master.zeroize();
        Ok(Self::Sealed { seal, tag })
    }

    pub(crate) fn is_sealed(&self) -> bool {
        matches!(self, Self::Sealed { .. })
    }

    /// The key check value to keep in the header.
    pub(crate) fn key_check(&self) -> Result<Vec<u8>, String> {
        self.seal(CHECK_AAD, CHECK_TEXT)
    }

    /// Whether `check` was made by these keys.
    pub(crate) fn checks(&self, check: &[u8]) -> bool {
        self.open(CHECK_AAD, check)
            .is_ok_and(|text| text.as_slice() == CHECK_TEXT)
    }

    /// `plain` sealed for the row `aad` names (table and row key): nonce, then ciphertext.
    pub(crate) fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, String> {
        let Self::Sealed { seal, .. } = self else {
            return Ok(plain.to_vec());
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&**seal).map_err(|e| e.to_string())?;
        let nonce = random::<NONCE_LEN>()?;
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
            .map_err(|_| "sealing failed".to_owned())?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The value sealed for the row `aad` names; an error when it was sealed for another row,
    /// under other keys, or altered.
    pub(crate) fn open(&self, aad: &[u8], stored: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
        let Self::Sealed { seal, .. } = self else {
            return Ok(Zeroizing::new(stored.to_vec()));
        };
        let Some((nonce, sealed)) = stored.split_at_checked(NONCE_LEN) else {
            return Err("sealed value too short".to_owned());
        };
        let cipher = XChaCha20Poly1305::new_from_slice(&**seal).map_err(|e| e.to_string())?;
        let plain = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| {
                "a sealed value does not open for its row (altered or moved)".to_owned()
            })?;
        Ok(Zeroizing::new(plain))
    }

    /// The lookup key of `bytes` in `domain`: a keyed hash when sealed, else the bytes after
    /// the domain's byte.
    pub(crate) fn tag(&self, domain: u8, bytes: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            Self::Plain => Ok([&[domain], bytes].concat()),
            Self::Sealed { tag, .. } => {
                let full = hmac(&**tag, &[&[domain], bytes]).map_err(|e| e.to_string())?;
                Ok(full[..TAG_LEN].to_vec())
            }
        }
    }
}
