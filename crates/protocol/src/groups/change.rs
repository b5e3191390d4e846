//! What a change does (its op) and the signed change itself.

use sha2::{Digest, Sha256};

use super::error::GroupError;
use super::limits::MAX_MEMBERS;
use super::state::GroupState;
use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::AccountKey;
use crate::keys::MAX_ACCOUNT_LEN;
use crate::text::{MAX_DESCRIPTION, MAX_GROUP_NAME};

/// Changes of the first form (forks decided by hash; any id): refused as outdated.
const TYPE_CHANGE_V1: u8 = 9;
/// Changes ordered by the relay, in groups whose id is derived from their creation.
const TYPE_CHANGE: u8 = 12;
const CHANGE_LABEL: &[u8] = b"Hush group change v2";
const GROUP_ID_LABEL: &[u8] = b"Hush group id v2";

/// What one change does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Makes the group: the author is its first admin, `members` the others.
    Create {
        /// The name.
        name: String,
        /// The description (may be empty).
        description: String,
        /// The other members.
        members: Vec<String>,
    },
    /// Adds a member (admins).
    Add(String),
    /// Removes a member (admins).
    Remove(String),
    /// Makes a member admin (admins).
    Promote(String),
    /// Makes an admin a member again (admins; never the last admin).
    Demote(String),
    /// Changes the name and description (admins, or anyone unless only admins may).
    EditInfo {
        /// The new name.
        name: String,
        /// The new description.
        description: String,
    },
    /// Restricts sending or editing the info to admins (admins).
    Permissions {
        /// Only admins may send.
        only_admins_send: bool,
        /// Only admins may edit the name and description.
        only_admins_edit: bool,
    },
    /// The author leaves (anyone). If the last admin leaves, the longest-standing member
    /// becomes admin.
    Leave,
}

/// A signed change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The group.
    pub group: [u8; 16],
    /// 1 for the creation, then one more per change.
    pub epoch: u64,
    /// The hash of the change before it; for the creation, the random salt its group id is
    /// derived from (see [`group_id`]).
    pub parent: [u8; 32],
    /// Who made it (an account; its account key signs).
    pub author: String,
    /// What it does.
    pub op: Op,
    /// Ed25519 by the author's account key over the label and everything above.
    pub signature: [u8; 64],
}

impl Op {
    fn write(&self, w: &mut Writer) {
        match self {
            Self::Create {
                name,
                description,
                members,
            } => {
                w.u8(0)
                    .var(name.as_bytes())
                    .var(description.as_bytes())
                    .u32(members.len() as u32);
                for member in members {
                    w.var(member.as_bytes());
                }
            }
            Self::Add(a) => {
                w.u8(1).var(a.as_bytes());
            }
            Self::Remove(a) => {
                w.u8(2).var(a.as_bytes());
            }
            Self::Promote(a) => {
                w.u8(3).var(a.as_bytes());
            }
            Self::Demote(a) => {
                w.u8(4).var(a.as_bytes());
            }
            Self::EditInfo { name, description } => {
                w.u8(5).var(name.as_bytes()).var(description.as_bytes());
            }
            Self::Permissions {
                only_admins_send,
                only_admins_edit,
            } => {
                w.u8(6)
                    .u8(u8::from(*only_admins_send))
                    .u8(u8::from(*only_admins_edit));
            }
            Self::Leave => {
                w.u8(7);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let account = |r: &mut Reader<'_>| r.string("member", MAX_ACCOUNT_LEN);
        Ok(match r.u8()? {
            0 => {
                let name = r.string("group name", MAX_GROUP_NAME)?;
                let description = r.string("description", MAX_DESCRIPTION)?;
                let n = r.count("members", MAX_MEMBERS, 5)?;
                let members = (0..n).map(|_| account(r)).collect::<Result<_, _>>()?;
                Self::Create {
                    name,
                    description,
                    members,
                }
            }
            1 => Self::Add(account(r)?),
            2 => Self::Remove(account(r)?),
            3 => Self::Promote(account(r)?),
            4 => Self::Demote(account(r)?),
            5 => Self::EditInfo {
                name: r.string("group name", MAX_GROUP_NAME)?,
                description: r.string("description", MAX_DESCRIPTION)?,
            },
            6 => Self::Permissions {
                only_admins_send: r.bool("permission")?,
                only_admins_edit: r.bool("permission")?,
            },
            7 => Self::Leave,
            _ => return Err(DecodeError::Invalid("group change")),
        })
    }
}

impl Change {
    /// A creation by `author`: its group id is derived from it (see [`group_id`]), so nobody
    /// else can make another creation for that group.
    pub fn create(author: &str, op: Op, salt: [u8; 32], key: &AccountKey) -> Self {
        let group = group_id(author, &salt, &op);
        Self::signed(group, 1, salt, author, op, key)
    }

    /// A change by `author`, signed with its account key, on top of `state`.
    pub fn sign(state: &GroupState, author: &str, op: Op, key: &AccountKey) -> Self {
        let epoch = state.epoch.saturating_add(1);
        Self::signed(state.group, epoch, state.head, author, op, key)
    }

    fn signed(
        group: [u8; 16],
        epoch: u64,
        parent: [u8; 32],
        author: &str,
        op: Op,
        key: &AccountKey,
    ) -> Self {
        let mut change = Self {
            group,
            epoch,
            parent,
            author: author.to_owned(),
            op,
            signature: [0; 64],
        };
        change.signature = key.sign(&change.message());
        change
    }

    fn signed_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128);
        w.signed_header(TYPE_CHANGE)
            .raw(&self.group)
            .u64(self.epoch)
            .raw(&self.parent)
            .var(self.author.as_bytes());
        self.op.write(&mut w);
        w.into_bytes()
    }

    fn message(&self) -> Vec<u8> {
        let mut message = CHANGE_LABEL.to_vec();
        message.extend_from_slice(&self.signed_bytes());
        message
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = self.signed_bytes();
        bytes.extend_from_slice(&self.signature);
        bytes
    }

    /// Decodes untrusted bytes (the signature is checked when the change is applied). A change
    /// of the first form (a peer on an older build) is [`GroupError::Outdated`].
    pub fn decode(bytes: &[u8]) -> Result<Self, GroupError> {
        if bytes.get(1) == Some(&TYPE_CHANGE_V1) {
            return Err(GroupError::Outdated);
        }
        Self::read(bytes, TYPE_CHANGE)
    }

    fn read(bytes: &[u8], kind: u8) -> Result<Self, GroupError> {
        let mut r = Reader::new(bytes);
        r.signed_header(kind)?;
        let change = Self {
            group: r.array()?,
            epoch: r.u64()?,
            parent: r.array()?,
            author: r.string("author", MAX_ACCOUNT_LEN)?,
            op: Op::read(&mut r)?,
            signature: r.array()?,
        };
        r.finish()?;
        Ok(change)
    }

    /// What later changes name as their parent.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.encode()).into()
    }

    /// Whether this is a creation whose group id is derived from it.
    pub fn creates_its_group(&self) -> bool {
        matches!(self.op, Op::Create { .. })
            && self.epoch == 1
            && self.group == group_id(&self.author, &self.parent, &self.op)
    }

    /// Whether `author_key` (the author's account key, as the member pinned it) signed it.
    pub fn verify(&self, author_key: &[u8; 32]) -> Result<(), GroupError> {
        crate::devices::verify_signature(author_key, &self.message(), &self.signature)
            .map_err(|_| GroupError::BadSignature)
    }
}

/// A group's id: derived from its creator, a random salt and the creation's op, so only the
/// creator's signed creation starts a chain for it (nobody else can make a counterfeit group
/// under that id, and the creator cannot make two different ones).
pub fn group_id(creator: &str, salt: &[u8; 32], op: &Op) -> [u8; 16] {
    let mut w = Writer::with_capacity(128);
    w.var(creator.as_bytes()).raw(salt);
    op.write(&mut w);
    let digest = Sha256::new()
        .chain_update(GROUP_ID_LABEL)
        .chain_update(w.into_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}
