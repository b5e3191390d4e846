//! A stored message's notice (the tail of its seventh form): a tag, then what that notice
//! names. Bounded like the rest of a stored message; bad bytes are refused, never a panic.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::groups::MAX_GROUP_NAME;
use hush_protocol::keys::MAX_ACCOUNT_LEN;
use hush_protocol::{DecodeError, Username};

use crate::model::{GroupNotice, Notice};

const GROUP: u8 = 1;
const TIMER: u8 = 2;
const UPDATE_NEEDED: u8 = 3;
const UPDATE_TO_SEE: u8 = 4;

const CREATED: u8 = 0;
const ADDED: u8 = 1;
const REMOVED: u8 = 2;
const PROMOTED: u8 = 3;
const DEMOTED: u8 = 4;
const INFO_EDITED: u8 = 5;
const PERMISSIONS: u8 = 6;
const LEFT: u8 = 7;

/// Writes `notice`.
pub(super) fn write_notice(w: &mut Writer, notice: &Notice) {
    match notice {
        Notice::Group { author, change } => {
            w.u8(GROUP).var(author.as_bytes());
            write_group(w, change);
        }
        Notice::Timer { setter, timer_ms } => {
            w.u8(TIMER).var(setter.as_bytes()).u64(*timer_ms);
        }
        Notice::UpdateNeeded => {
            w.u8(UPDATE_NEEDED);
        }
        Notice::UpdateToSee => {
            w.u8(UPDATE_TO_SEE);
        }
    }
}

fn write_group(w: &mut Writer, change: &GroupNotice) {
    match change {
        GroupNotice::Created { name } => w.u8(CREATED).var(name.as_bytes()),
        GroupNotice::Added(a) => w.u8(ADDED).var(a.as_bytes()),
        GroupNotice::Removed(a) => w.u8(REMOVED).var(a.as_bytes()),
        GroupNotice::Promoted(a) => w.u8(PROMOTED).var(a.as_bytes()),
        GroupNotice::Demoted(a) => w.u8(DEMOTED).var(a.as_bytes()),
        GroupNotice::InfoEdited { name } => w.u8(INFO_EDITED).var(name.as_bytes()),
        GroupNotice::Permissions {
            only_admins_send,
            only_admins_edit,
        } => w
            .u8(PERMISSIONS)
            .u8(u8::from(*only_admins_send))
            .u8(u8::from(*only_admins_edit)),
        GroupNotice::Left => w.u8(LEFT),
    };
}

/// Reads what [`write_notice`] wrote.
pub(super) fn read_notice(r: &mut Reader<'_>) -> Result<Notice, DecodeError> {
    Ok(match r.u8()? {
        GROUP => Notice::Group {
            author: account(r, "notice author")?,
            change: read_group(r)?,
        },
        TIMER => Notice::Timer {
            setter: user(r, "timer setter")?,
            timer_ms: r.u64()?,
        },
        UPDATE_NEEDED => Notice::UpdateNeeded,
        UPDATE_TO_SEE => Notice::UpdateToSee,
        _ => return Err(DecodeError::Invalid("notice")),
    })
}

fn read_group(r: &mut Reader<'_>) -> Result<GroupNotice, DecodeError> {
    Ok(match r.u8()? {
        CREATED => GroupNotice::Created {
            name: r.string("group name", MAX_GROUP_NAME)?,
        },
        ADDED => GroupNotice::Added(account(r, "member")?),
        REMOVED => GroupNotice::Removed(account(r, "member")?),
        PROMOTED => GroupNotice::Promoted(account(r, "member")?),
        DEMOTED => GroupNotice::Demoted(account(r, "member")?),
        INFO_EDITED => GroupNotice::InfoEdited {
            name: r.string("group name", MAX_GROUP_NAME)?,
        },
        PERMISSIONS => GroupNotice::Permissions {
            only_admins_send: r.bool("send permission")?,
            only_admins_edit: r.bool("edit permission")?,
        },
        LEFT => GroupNotice::Left,
        _ => return Err(DecodeError::Invalid("group notice")),
    })
}

/// A group change's account: 1 to [`MAX_ACCOUNT_LEN`] bytes.
fn account(r: &mut Reader<'_>, field: &'static str) -> Result<String, DecodeError> {
    let account = r.string(field, MAX_ACCOUNT_LEN)?;
    match account.is_empty() {
        true => Err(DecodeError::Invalid(field)),
        false => Ok(account),
    }
}

fn user(r: &mut Reader<'_>, field: &'static str) -> Result<Username, DecodeError> {
    Username::new(r.string(field, MAX_ACCOUNT_LEN)?)
}
