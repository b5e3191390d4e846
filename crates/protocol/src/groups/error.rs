//! Why a change was refused.

use crate::codec::DecodeError;

/// Why a change was refused (the state is unchanged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupError {
    /// Not a valid encoding, or names and sizes out of bounds.
    Decode(DecodeError),
    /// The author's account key did not sign it.
    BadSignature,
    /// The author may not do this in the state it applies to.
    NotAllowed,
    /// It does not make sense in that state (adding a member twice, removing a stranger,
    /// demoting the last admin, too many members).
    Invalid,
    /// For another group.
    WrongGroup,
    /// It builds on changes not seen yet (ask for them).
    Gap,
    /// Older than what is held: nothing to do.
    Stale,
    /// Not the change the relay ordered for its epoch (a concurrent one that lost, or one
    /// never submitted to the relay): nothing to do.
    NotOrdered,
    /// A chain that does not start at its group's creation, or does not contain what we hold.
    Unproven,
    /// A change of the first form, from a peer on an older build.
    Outdated,
}

impl core::fmt::Display for GroupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "group change: {e}"),
            Self::BadSignature => f.write_str("the group change was not signed by its author"),
            Self::NotAllowed => f.write_str("the author may not make that group change"),
            Self::Invalid => f.write_str("that group change does not apply"),
            Self::WrongGroup => f.write_str("a change for another group"),
            Self::Gap => f.write_str("earlier group changes are missing"),
            Self::Stale => f.write_str("an older group change"),
            Self::NotOrdered => f.write_str("a group change the relay did not order"),
            Self::Unproven => f.write_str("a group chain that is not proven from its creation"),
            Self::Outdated => f.write_str("a group change from an older version of Hush"),
        }
    }
}

impl std::error::Error for GroupError {}

impl From<DecodeError> for GroupError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}
