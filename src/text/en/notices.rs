//! Notice lines the engine keeps as data (`hush_client::model::Notice`): group changes, timer
//! changes, messages that need a newer Hush; and a message deleted for everyone. The log, the
//! chat list, search and starred all word them here.

use hush_client::model::{GroupNotice, Notice};

use super::timer_choice;

/// What a message deleted for everyone shows instead.
pub const MESSAGE_DELETED: &str = "This message was deleted";
/// A message came in another wire version than this build reads.
pub const UPDATE_TO_READ: &str = "Update Hush to read this message";
/// A kind of message a later build added came.
pub const UPDATE_TO_SEE: &str = "Update Hush to see this message";

/// A notice line as the account `me` reads it: "You" for what `me` did, "you" for what was
/// done to `me`, else what `name` calls the account (its display name, or its username).
pub fn notice_line(notice: &Notice, me: &str, name: &dyn Fn(&str) -> String) -> String {
    let who = |account: &str| match account == me {
        true => "You".to_owned(),
        false => name(account),
    };
    let whom = |account: &str| match account == me {
        true => "you".to_owned(),
        false => name(account),
    };
    match notice {
        Notice::Group { author, change } => {
            let author = who(author);
            match change {
                GroupNotice::Created { name } => {
                    format!("{author} created the group \u{201c}{name}\u{201d}")
                }
                GroupNotice::Added(a) => format!("{author} added {}", whom(a)),
                GroupNotice::Removed(a) => format!("{author} removed {}", whom(a)),
                GroupNotice::Promoted(a) => format!("{author} made {} an admin", whom(a)),
                GroupNotice::Demoted(a) => {
                    format!("{author} made {} a member, not an admin", whom(a))
                }
                GroupNotice::InfoEdited { name } => {
                    format!("{author} set the group info: \u{201c}{name}\u{201d}")
                }
                GroupNotice::Permissions {
                    only_admins_send,
                    only_admins_edit,
                } => format!(
                    "{author} set who may send ({}) and edit the info ({})",
                    who_may(*only_admins_send),
                    who_may(*only_admins_edit)
                ),
                GroupNotice::Left => format!("{author} left"),
            }
        }
        Notice::Timer {
            setter,
            timer_ms: 0,
        } => format!("{} turned off disappearing messages", who(setter)),
        Notice::Timer { setter, timer_ms } => format!(
            "{} set disappearing messages to {}",
            who(setter),
            timer_choice(*timer_ms)
        ),
        Notice::UpdateNeeded => UPDATE_TO_READ.to_owned(),
        Notice::UpdateToSee => UPDATE_TO_SEE.to_owned(),
    }
}

/// Who may send or edit a group's info, as a permissions notice says it.
fn who_may(only_admins: bool) -> &'static str {
    match only_admins {
        true => "only admins",
        false => "everyone",
    }
}

#[cfg(test)]
mod tests {
    use hush_client::model::{GroupNotice, Notice, TIMER_CHOICES};
    use hush_client::Username;

    use super::*;

    fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    /// Usernames as they are: what the engine's English body says too.
    fn plain(account: &str) -> String {
        account.to_owned()
    }

    fn group(author: &str, change: GroupNotice) -> Notice {
        Notice::Group {
            author: author.into(),
            change,
        }
    }

    /// Every group change, done by me, to me, and between others.
    fn every_group_change() -> Vec<Notice> {
        let mut all = Vec::new();
        for author in ["alice", "bob"] {
            for target in ["alice", "bob", "carol"] {
                all.extend([
                    group(author, GroupNotice::Added(target.into())),
                    group(author, GroupNotice::Removed(target.into())),
                    group(author, GroupNotice::Promoted(target.into())),
                    group(author, GroupNotice::Demoted(target.into())),
                ]);
            }
            all.extend([
                group(
                    author,
                    GroupNotice::Created {
                        name: "Climbing".into(),
                    },
                ),
                group(
                    author,
                    GroupNotice::InfoEdited {
                        name: "Bouldering".into(),
                    },
                ),
                group(author, GroupNotice::Left),
            ]);
            for (send, edit) in [(false, false), (true, false), (false, true), (true, true)] {
                let change = GroupNotice::Permissions {
                    only_admins_send: send,
                    only_admins_edit: edit,
                };
                all.push(group(author, change));
            }
        }
        all
    }

    #[test]
    fn group_changes_say_you_to_me_and_names_to_others() {
        let line = |notice: &Notice| notice_line(notice, "alice", &plain);
        let bob_added_me = group("bob", GroupNotice::Added("alice".into()));
        assert_eq!(line(&bob_added_me), "bob added you");
        let i_added_bob = group("alice", GroupNotice::Added("bob".into()));
        assert_eq!(line(&i_added_bob), "You added bob");
        let cases = [
            (
                GroupNotice::Created {
                    name: "Climbing".into(),
                },
                "You created the group “Climbing”",
            ),
            (GroupNotice::Removed("carol".into()), "You removed carol"),
            (GroupNotice::Promoted("bob".into()), "You made bob an admin"),
            (
                GroupNotice::Demoted("bob".into()),
                "You made bob a member, not an admin",
            ),
            (
                GroupNotice::InfoEdited {
                    name: "Crags".into(),
                },
                "You set the group info: “Crags”",
            ),
            (
                GroupNotice::Permissions {
                    only_admins_send: true,
                    only_admins_edit: false,
                },
                "You set who may send (only admins) and edit the info (everyone)",
            ),
            (GroupNotice::Left, "You left"),
        ];
        for (change, said) in cases {
            assert_eq!(line(&group("alice", change)), said);
        }
        assert_eq!(
            line(&group("bob", GroupNotice::Removed("alice".into()))),
            "bob removed you"
        );
        assert_eq!(
            line(&group("bob", GroupNotice::Promoted("alice".into()))),
            "bob made you an admin"
        );
        assert_eq!(line(&group("dave", GroupNotice::Left)), "dave left");
    }

    #[test]
    fn others_are_called_what_the_app_calls_them() {
        let name = |account: &str| match account {
            "bob" => "Bob B.".to_owned(),
            other => other.to_owned(),
        };
        let added = group("bob", GroupNotice::Added("carol".into()));
        assert_eq!(notice_line(&added, "alice", &name), "Bob B. added carol");
        // "You" is decided here, by the account this app is: the same notice on Bob's.
        assert_eq!(notice_line(&added, "bob", &name), "You added carol");
        assert_eq!(notice_line(&added, "carol", &name), "Bob B. added you");
        let timer = Notice::Timer {
            setter: user("bob"),
            timer_ms: 0,
        };
        assert_eq!(
            notice_line(&timer, "alice", &name),
            "Bob B. turned off disappearing messages"
        );
    }

    #[test]
    fn timers_and_updates_read_as_before() {
        const DAY_MS: u64 = 24 * 60 * 60 * 1000;
        let timer = |setter: &str, timer_ms| Notice::Timer {
            setter: user(setter),
            timer_ms,
        };
        let line = |notice: &Notice| notice_line(notice, "alice", &plain);
        assert_eq!(
            line(&timer("alice", DAY_MS)),
            "You set disappearing messages to 24 hours"
        );
        assert_eq!(
            line(&timer("dora", 7 * DAY_MS)),
            "dora set disappearing messages to 7 days"
        );
        assert_eq!(
            line(&timer("alice", 0)),
            "You turned off disappearing messages"
        );
        assert_eq!(
            line(&timer("dora", 0)),
            "dora turned off disappearing messages"
        );
        assert_eq!(
            line(&Notice::UpdateNeeded),
            "Update Hush to read this message"
        );
        assert_eq!(
            line(&Notice::UpdateToSee),
            "Update Hush to see this message"
        );
    }

    /// The catalogue words every notice as the engine's English body does (what builds
    /// before notices showed, and still show for rows stored before): the text people see did
    /// not change.
    #[test]
    fn the_catalogue_says_what_the_engine_body_says() {
        let mut notices = every_group_change();
        for setter in ["alice", "bob"] {
            for timer_ms in TIMER_CHOICES.into_iter().chain([5 * 60_000]) {
                notices.push(Notice::Timer {
                    setter: user(setter),
                    timer_ms,
                });
            }
        }
        notices.extend([Notice::UpdateNeeded, Notice::UpdateToSee]);
        for notice in &notices {
            for me in ["alice", "bob", "carol"] {
                assert_eq!(
                    notice_line(notice, me, &plain),
                    notice.english(me),
                    "{notice:?}"
                );
            }
        }
        assert_eq!(MESSAGE_DELETED, hush_client::model::DELETED);
        assert_eq!(UPDATE_TO_READ, hush_client::UPDATE_NEEDED);
        assert_eq!(UPDATE_TO_SEE, hush_client::UPDATE_TO_SEE);
    }
}
