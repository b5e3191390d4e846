//! Bounded binary reading and writing. Every length is checked against an explicit limit before
//! anything is allocated, and reading past the end is an error, never a panic.

/// Bytes that are not a valid encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended early.
    Truncated,
    /// Bytes were left over after a complete value.
    TrailingBytes,
    /// The version byte is not one this build understands.
    UnsupportedVersion(u8),
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
            Self::UnexpectedType(t) => write!(f, "unexpected message type {t}"),
            Self::TooLong { field, limit } => write!(f, "{field} is longer than {limit}"),
            Self::Invalid(field) => write!(f, "invalid {field}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Appends big-endian fields to a buffer.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            buf: Vec::with_capacity(n),
        }
    }
    pub(crate) fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub(crate) fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub(crate) fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    /// A u32 length, then the bytes. Callers only write values that respect the read limits.
    pub(crate) fn var(&mut self, v: &[u8]) -> &mut Self {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.u32(len).raw(v)
    }
    pub(crate) fn opt_u32(&mut self, v: Option<u32>) -> &mut Self {
        match v {
            Some(x) => self.u8(1).u32(x),
            None => self.u8(0),
        }
    }
}

/// Reads big-endian fields from a slice.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub(crate) fn bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid(field)),
        }
    }
    /// A u32 length (at most `limit`), then that many bytes.
    pub(crate) fn var(
        &mut self,
        field: &'static str,
        limit: usize,
    ) -> Result<&'a [u8], DecodeError> {
        let len = self.u32()? as usize;
        if len > limit {
            return Err(DecodeError::TooLong { field, limit });
        }
        self.take(len)
    }
    /// A u32 item count, checked against `limit` and against the bytes left (each item takes at
    /// least `min_item` bytes), so a forged count cannot make the caller allocate.
    pub(crate) fn count(
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
    pub(crate) fn opt_u32(&mut self, field: &'static str) -> Result<Option<u32>, DecodeError> {
        Ok(if self.bool(field)? {
            Some(self.u32()?)
        } else {
            None
        })
    }
    /// The version byte and the type byte every encoding starts with.
    pub(crate) fn header(&mut self, expected_type: u8) -> Result<(), DecodeError> {
        let version = self.u8()?;
        if version != crate::WIRE_VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let kind = self.u8()?;
        if kind != expected_type {
            return Err(DecodeError::UnexpectedType(kind));
        }
        Ok(())
    }
    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}
