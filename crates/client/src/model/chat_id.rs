//! Which chat: one with an account, or a group's. Stored and shown as it always was spelled (a
//! username, or `#` and the group id in hex), so no stored record changes.

use core::fmt;

use hush_protocol::{DecodeError, Username};

/// A group's id (chosen at random by its creator).
pub type GroupId = [u8; 16];

/// Which chat a message, an outbox entry or a setting belongs to. (Not ordered: stores sort
/// chats by their spelling.)
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ChatId {
    /// The chat with one account.
    Direct(Username),
    /// A group's chat.
    Group(GroupId),
}

impl ChatId {
    /// A chat as spelled: `#` and 32 lower-case hex digits for a group, anything else a
    /// username.
    pub fn parse(text: &str) -> Result<Self, DecodeError> {
        match text
            .strip_prefix('#')
            .and_then(hush_protocol::hex::decode::<16>)
        {
            Some(id) => Ok(Self::Group(id)),
            None => Username::parse(text).map(Self::Direct),
        }
    }

    /// The account, for a chat with one.
    pub fn account(&self) -> Option<&Username> {
        match self {
            Self::Direct(account) => Some(account),
            Self::Group(_) => None,
        }
    }

    /// The group, for a group's chat.
    pub fn group(&self) -> Option<GroupId> {
        match self {
            Self::Direct(_) => None,
            Self::Group(id) => Some(*id),
        }
    }

    /// Whether this is the chat with `account`.
    pub fn is_with(&self, account: &str) -> bool {
        self.account().is_some_and(|a| a.as_str() == account)
    }
}

impl From<Username> for ChatId {
    fn from(account: Username) -> Self {
        Self::Direct(account)
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct(account) => f.write_str(account),
            Self::Group(id) => write!(f, "#{}", hush_protocol::hex::encode(id)),
        }
    }
}

impl core::str::FromStr for ChatId {
    type Err = DecodeError;

    fn from_str(text: &str) -> Result<Self, DecodeError> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_as_stored_before() {
        let group = ChatId::Group([0xab; 16]);
        assert_eq!(group.to_string(), format!("#{}", "ab".repeat(16)));
        assert_eq!(ChatId::parse(&group.to_string()).unwrap(), group);
        let bob = ChatId::parse("bob").unwrap();
        assert_eq!(bob, ChatId::Direct(Username::parse("bob").unwrap()));
        assert_eq!(bob.to_string(), "bob");
        // Not the one spelling of a group, and no username either (the relay's grammar has no
        // `#`): nothing can be confused with a group's chat.
        let upper = format!("#{}", "AB".repeat(16));
        assert!(ChatId::parse(&upper).is_err());
        assert!(ChatId::parse("").is_err());
    }
}
