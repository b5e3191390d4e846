//! What a notice line says, as data (issue 22): who changed what in a group, who set a chat's
//! timer, that a message needs a newer build. The app words it in its own language at render
//! time, "You" included (by comparing usernames with its account); the engine keeps an
//! English wording of its own ([`Notice::english`]) as the message's body: all that rows
//! stored before notices were kept have, and what the app shows for them.

use hush_protocol::groups::{Change, Op};
use hush_protocol::Username;

use super::timer::timer_notice;
use super::{UPDATE_NEEDED, UPDATE_TO_SEE};

/// What a notice line says, in no language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A group change ([`super::Kind::GroupChange`]).
    Group {
        /// The account that made it (accounts in a group change are names of 1 to
        /// [`hush_protocol::keys::MAX_ACCOUNT_LEN`] bytes, usernames in practice).
        author: String,
        /// What it did.
        change: GroupNotice,
    },
    /// A chat's disappearing-messages timer was set ([`super::Kind::TimerChanged`]).
    Timer {
        /// The account that set it.
        setter: Username,
        /// The new timer, 0 for off.
        timer_ms: u64,
    },
    /// A message came in another wire version ([`UPDATE_NEEDED`]).
    UpdateNeeded,
    /// A kind of message a later build added came ([`UPDATE_TO_SEE`]).
    UpdateToSee,
}

/// What a group change did (a [`hush_protocol::groups::Op`] with what its line names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupNotice {
    /// Made the group, called `name`.
    Created {
        /// The group's name.
        name: String,
    },
    /// Added a member.
    Added(String),
    /// Removed a member.
    Removed(String),
    /// Made a member admin.
    Promoted(String),
    /// Made an admin a member again.
    Demoted(String),
    /// Set the group's name (and description).
    InfoEdited {
        /// The new name.
        name: String,
    },
    /// Set who may send and who may edit the info.
    Permissions {
        /// Only admins may send.
        only_admins_send: bool,
        /// Only admins may edit the name and description.
        only_admins_edit: bool,
    },
    /// The author left.
    Left,
}

impl Notice {
    /// The notice of a group change.
    pub fn of_change(change: &Change) -> Self {
        let change_notice = match &change.op {
            Op::Create { name, .. } => GroupNotice::Created { name: name.clone() },
            Op::Add(a) => GroupNotice::Added(a.clone()),
            Op::Remove(a) => GroupNotice::Removed(a.clone()),
            Op::Promote(a) => GroupNotice::Promoted(a.clone()),
            Op::Demote(a) => GroupNotice::Demoted(a.clone()),
            Op::EditInfo { name, .. } => GroupNotice::InfoEdited { name: name.clone() },
            Op::Permissions {
                only_admins_send,
                only_admins_edit,
            } => GroupNotice::Permissions {
                only_admins_send: *only_admins_send,
                only_admins_edit: *only_admins_edit,
            },
            Op::Leave => GroupNotice::Left,
        };
        Self::Group {
            author: change.author.clone(),
            change: change_notice,
        }
    }

    /// The line in English as the account `me` reads it ("You added bob", "alice added
    /// you"), with usernames for names: what the message's body keeps, for builds and rows
    /// that have no notice. The app words notices from its own catalogue instead.
    pub fn english(&self, me: &str) -> String {
        match self {
            Self::Group { author, change } => group_english(author, change, me),
            Self::Timer { setter, timer_ms } => {
                let who = if setter.as_str() == me { "You" } else { setter };
                timer_notice(who, *timer_ms)
            }
            Self::UpdateNeeded => UPDATE_NEEDED.to_owned(),
            Self::UpdateToSee => UPDATE_TO_SEE.to_owned(),
        }
    }
}

/// A group change's line in English, as `me` reads it.
fn group_english(author: &str, change: &GroupNotice, me: &str) -> String {
    let who = |a: &str| match a == me {
        true => "You".to_owned(),
        false => a.to_owned(),
    };
    let whom = |a: &str| match a == me {
        true => "you".to_owned(),
        false => a.to_owned(),
    };
    let author = who(author);
    match change {
        GroupNotice::Created { name } => {
            format!("{author} created the group \u{201c}{name}\u{201d}")
        }
        GroupNotice::Added(a) => format!("{author} added {}", whom(a)),
        GroupNotice::Removed(a) => format!("{author} removed {}", whom(a)),
        GroupNotice::Promoted(a) => format!("{author} made {} an admin", whom(a)),
        GroupNotice::Demoted(a) => format!("{author} made {} a member, not an admin", whom(a)),
        GroupNotice::InfoEdited { name } => {
            format!("{author} set the group info: \u{201c}{name}\u{201d}")
        }
        GroupNotice::Permissions {
            only_admins_send,
            only_admins_edit,
        } => {
            let who_may = |only: bool| if only { "only admins" } else { "everyone" };
            format!(
                "{author} set who may send ({}) and edit the info ({})",
                who_may(*only_admins_send),
                who_may(*only_admins_edit)
            )
        }
        GroupNotice::Left => format!("{author} left"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    #[test]
    fn english_says_you_only_to_the_account_named() {
        let added = Notice::Group {
            author: "alice".into(),
            change: GroupNotice::Added("bob".into()),
        };
        assert_eq!(added.english("alice"), "You added bob");
        assert_eq!(added.english("bob"), "alice added you");
        assert_eq!(added.english("carol"), "alice added bob");
        let timer = Notice::Timer {
            setter: user("dora"),
            timer_ms: 0,
        };
        assert_eq!(
            timer.english("dora"),
            "You turned off disappearing messages"
        );
        assert_eq!(
            timer.english("eve"),
            "dora turned off disappearing messages"
        );
        assert_eq!(Notice::UpdateNeeded.english("eve"), UPDATE_NEEDED);
        assert_eq!(Notice::UpdateToSee.english("eve"), UPDATE_TO_SEE);
    }
}
