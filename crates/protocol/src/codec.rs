//! Bounded binary reading and writing. Every length is checked against an explicit limit before
//! anything is allocated, and reading past the end is an error, never a panic. Public so the
//! client's own encodings (message content, stored state) share the same rules.

/// The version byte of formats whose bytes are signed or hashed (device lists, group changes,
/// states and logs, link announcements): fixed at the first version, so what earlier builds
/// signed still verifies and hashes still chain. A change to one of them takes a new type byte.
pub const SIGNED_VERSION: u8 = 1;

/// Bytes that are not a valid encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended early.
    Truncated,
    /// Bytes were left over after a complete value.
    TrailingBytes,
    /// The version byte is not one this build understands.
    UnsupportedVersion(u8),
    /// A peer's message in another wire version than this build's ([`crate::WIRE_VERSION`]):
    /// one side must update. Shown to the user, never dropped silently.
    Outdated(u8),
    /// The type byte does not name the expected kind of message.
    UnexpectedType(u8),
    /// A length field is larger than the limit for that field.
    TooLong {
        /// The field.
        field: &'static str,
        /// Its limit in bytes (or items).
        limit: usize,
    },
    /// A field holds a value that is not allowed (a bad key, a bad flag, bad UTF-8...).
    Invalid(&'static str),
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Truncated => f.write_str("input ends early"),
            Self::TrailingBytes => f.write_str("unexpected bytes after the end"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported version {v}"),
            Self::Outdated(v) => write!(f, "message of wire version {v}: update Hush"),
            Self::UnexpectedType(t) => write!(f, "unexpected message type {t}"),
            Self::TooLong { field, limit } => write!(f, "{field} is longer than {limit}"),
            Self::Invalid(field) => write!(f, "invalid {field}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Appends big-endian fields to a buffer.
#[derive(Default)]
pub struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    /// An empty buffer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n),
        }
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    /// A big-endian u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Bytes as they are (fixed-size fields).
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    /// A u32 length, then the bytes. Callers only write values that respect the read limits.
    pub fn var(&mut self, v: &[u8]) -> &mut Self {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.u32(len).raw(v)
    }
    /// A big-endian u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_be_bytes())
    }
    /// The version byte and a type byte: what [`Reader::header`] (or, stored,
    /// [`Reader::stored_header`]) checks.
    pub fn header(&mut self, kind: u8) -> &mut Self {
        self.u8(crate::WIRE_VERSION).u8(kind)
    }
    /// [`SIGNED_VERSION`] and a type byte, for formats whose bytes are signed or hashed.
    pub fn signed_header(&mut self, kind: u8) -> &mut Self {
        self.u8(SIGNED_VERSION).u8(kind)
    }
    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
    /// A presence byte, then the u32 if present.
    pub fn opt_u32(&mut self, v: Option<u32>) -> &mut Self {
        match v {
            Some(x) => self.u8(1).u32(x),
            None => self.u8(0),
        }
    }
}

/// Reads big-endian fields from a slice.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads `buf` from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    /// An X25519 public key in its one canonical encoding: X25519 ignores the top bit, so a
    /// key with it set would be a second encoding of another (and a message a second accepted
    /// form); it is refused.
    pub fn x25519(&mut self, field: &'static str) -> Result<x25519_dalek::PublicKey, DecodeError> {
        let bytes: [u8; 32] = self.array()?;
        if bytes[31] & 0x80 != 0 {
            return Err(DecodeError::Invalid(field));
        }
        Ok(x25519_dalek::PublicKey::from(bytes))
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    /// A big-endian u32.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    /// A big-endian u64.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    /// A u32 length (at most `limit`), then that many bytes of UTF-8.
    pub fn string(&mut self, field: &'static str, limit: usize) -> Result<String, DecodeError> {
        core::str::from_utf8(self.var(field, limit)?)
            .map(str::to_owned)
            .map_err(|_| DecodeError::Invalid(field))
    }
    /// A byte that must be 0 or 1.
    pub fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid(field)),
        }
    }
    /// A u32 length (at most `limit`), then that many bytes.
    pub fn var(&mut self, field: &'static str, limit: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.u32()? as usize;
        if len > limit {
            return Err(DecodeError::TooLong { field, limit });
        }
        self.take(len)
    }
    /// A u32 item count, checked against `limit` and against the bytes left (each item takes at
    /// least `min_item` bytes), so a forged count cannot make the caller allocate.
    pub fn count(
        &mut self,
        field: &'static str,
        limit: usize,
        min_item: usize,
    ) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > limit {
            return Err(DecodeError::TooLong { field, limit });
        }
        if n.saturating_mul(min_item.max(1)) > self.buf.len() {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }
    /// A presence byte, then the u32 if present.
    pub fn opt_u32(&mut self, field: &'static str) -> Result<Option<u32>, DecodeError> {
        Ok(if self.bool(field)? {
            Some(self.u32()?)
        } else {
            None
        })
    }
    /// The version byte and the type byte of a peer's message: any other version than
    /// [`crate::WIRE_VERSION`] is [`DecodeError::Outdated`].
    pub fn header(&mut self, expected_type: u8) -> Result<(), DecodeError> {
        let version = self.u8()?;
        if version != crate::WIRE_VERSION {
            return Err(DecodeError::Outdated(version));
        }
        self.kind(expected_type)
    }
    /// The header of a stored record: any version from the first to this build's is read
    /// (older stores stay readable); returns the version.
    pub fn stored_header(&mut self, expected_type: u8) -> Result<u8, DecodeError> {
        let version = self.u8()?;
        if !(1..=crate::WIRE_VERSION).contains(&version) {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        self.kind(expected_type)?;
        Ok(version)
    }
    /// The header of a signed or hashed format ([`SIGNED_VERSION`]).
    pub fn signed_header(&mut self, expected_type: u8) -> Result<(), DecodeError> {
        let version = self.u8()?;
        if version != SIGNED_VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        self.kind(expected_type)
    }
    fn kind(&mut self, expected_type: u8) -> Result<(), DecodeError> {
        let kind = self.u8()?;
        if kind != expected_type {
            return Err(DecodeError::UnexpectedType(kind));
        }
        Ok(())
    }
    /// Succeeds only if every byte was read.
    pub fn finish(self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}
