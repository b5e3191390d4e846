//! An account's name as it crosses a boundary (relay frame, stored record, what the user typed):
//! parsed once into a [`Username`], so what holds one never has to check it again.

use core::fmt;

use crate::DecodeError;

/// The longest username (the relay's grammar).
pub const MAX_USERNAME_LEN: usize = 32;

/// The relay's username grammar: 3 to 32 bytes, a lowercase ASCII letter first, then lowercase
/// letters, digits, `.`, `_` or `-`. (So no name is spelled like a group chat, `#` and hex.)
pub fn is_valid(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=MAX_USERNAME_LEN).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && (bytes.iter()).all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

/// A valid account name, in the relay's grammar ([`is_valid`]).
///
/// It derefs to `str` and compares with `str`, so it reads like the name it holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// `name` as a username, if it is one.
    pub fn parse(name: &str) -> Result<Self, DecodeError> {
        Self::new(name.to_owned())
    }

    /// `name` as a username, if it is one (without copying it).
    pub fn new(name: String) -> Result<Self, DecodeError> {
        if !is_valid(&name) {
            return Err(DecodeError::Invalid("account name"));
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl crate::DeviceAddress {
    /// The account this device belongs to (an address holds a valid name).
    pub fn username(&self) -> Username {
        Username(self.account().to_owned())
    }
}

impl core::ops::Deref for Username {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl core::borrow::Borrow<str> for Username {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::str::FromStr for Username {
    type Err = DecodeError;

    fn from_str(name: &str) -> Result<Self, DecodeError> {
        Self::parse(name)
    }
}

impl TryFrom<String> for Username {
    type Error = DecodeError;

    fn try_from(name: String) -> Result<Self, DecodeError> {
        Self::new(name)
    }
}

impl TryFrom<&str> for Username {
    type Error = DecodeError;

    fn try_from(name: &str) -> Result<Self, DecodeError> {
        Self::parse(name)
    }
}

impl From<Username> for String {
    fn from(name: Username) -> String {
        name.0
    }
}

impl PartialEq<str> for Username {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Username {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Username {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Username> for str {
    fn eq(&self, other: &Username) -> bool {
        self == other.0
    }
}

impl PartialEq<Username> for &str {
    fn eq(&self, other: &Username) -> bool {
        *self == other.0
    }
}

impl PartialEq<Username> for String {
    fn eq(&self, other: &Username) -> bool {
        *self == other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_the_names_an_address_accepts() {
        for name in ["bob", "x.y_z-1", &"x".repeat(MAX_USERNAME_LEN)] {
            assert!(Username::parse(name).is_ok(), "{name}");
            assert!(crate::DeviceAddress::new(name, 1).is_ok(), "{name}");
        }
        for name in [
            "",
            "a",
            "#notagroup",
            "Bob",
            &"x".repeat(MAX_USERNAME_LEN + 1),
        ] {
            assert!(Username::parse(name).is_err(), "{name}");
            assert!(crate::DeviceAddress::new(name, 1).is_err(), "{name}");
        }
        let bob = Username::parse("bob").unwrap();
        assert_eq!(bob, "bob");
        assert_eq!(bob.to_string(), "bob");
        assert_eq!(&*bob, "bob");
    }
}
