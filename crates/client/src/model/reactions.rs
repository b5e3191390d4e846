//! Reactions: one per account per message, the newest by the reactor's clock winning whatever
//! order they arrive in (an empty emoji removes one, and stays as a marker so an older
//! reaction arriving late cannot bring it back).

use hush_protocol::Username;

use super::MessageId;

/// The longest reaction (bytes of UTF-8): one emoji, with its modifiers and joiners.
pub const MAX_REACTION: usize = 32;

/// The most reactions one message keeps: one per account that may react (a group's members).
pub const MAX_REACTIONS: usize = hush_protocol::groups::MAX_MEMBERS;

/// Names a message by who wrote it and its id, as a reaction (or reply) names its target: an
/// id alone could be claimed for a message of someone else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRef {
    /// The account that wrote it.
    pub author: Username,
    /// Its id.
    pub id: MessageId,
}

/// One account's reaction to a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    /// Who reacted.
    pub by: Username,
    /// The emoji; empty once they took it back.
    pub emoji: String,
    /// When they reacted (their clock): the newest wins.
    pub sent_ms: u64,
}

/// Whether `emoji` may be a reaction: empty (taking one back), or at most [`MAX_REACTION`]
/// bytes of pictographs with their modifiers, none of them ASCII, a control, a space or a
/// direction override (a reaction must not reorder or hide the text around it).
pub fn is_reaction(emoji: &str) -> bool {
    emoji.len() <= MAX_REACTION
        && emoji.chars().all(|c| {
            !c.is_ascii()
                && !c.is_control()
                && !c.is_whitespace()
                && !matches!(
                    c,
                    '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}'
                )
                && !matches!(c, '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
        })
}

/// Puts `reaction` among a message's: it replaces the reactor's older one and is ignored if
/// theirs is newer (or if the message holds as many as it may). Returns whether anything
/// changed.
pub fn add_reaction(reactions: &mut Vec<Reaction>, reaction: Reaction) -> bool {
    let full = reactions.len() >= MAX_REACTIONS;
    match reactions.iter_mut().find(|r| r.by == reaction.by) {
        Some(held) if held.sent_ms > reaction.sent_ms || *held == reaction => false,
        Some(held) => {
            *held = reaction;
            true
        }
        None if full => false,
        None => {
            reactions.push(reaction);
            true
        }
    }
}

/// The reactions to show: emoji with how many chose each, in order of first use.
pub fn tally(reactions: &[Reaction]) -> Vec<(&str, usize)> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for reaction in reactions.iter().filter(|r| !r.emoji.is_empty()) {
        match counts.iter_mut().find(|(e, _)| *e == reaction.emoji) {
            Some((_, n)) => *n += 1,
            None => counts.push((&reaction.emoji, 1)),
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(name: &str, emoji: &str, sent_ms: u64) -> Reaction {
        Reaction {
            by: Username::new(name.to_owned()).unwrap(),
            emoji: emoji.to_owned(),
            sent_ms,
        }
    }

    #[test]
    fn the_newest_reaction_of_each_account_wins_in_any_order() {
        let mut held = Vec::new();
        assert!(add_reaction(&mut held, by("alice", "👍", 10)));
        assert!(add_reaction(&mut held, by("bob", "❤️", 11)));
        assert!(add_reaction(&mut held, by("alice", "😂", 12)));
        // Older than alice's: arrives late, changes nothing.
        assert!(!add_reaction(&mut held, by("alice", "😮", 11)));
        assert_eq!(tally(&held), vec![("😂", 1), ("❤️", 1)]);
        // Taken back, then an older one arrives: still taken back.
        assert!(add_reaction(&mut held, by("bob", "", 20)));
        assert!(!add_reaction(&mut held, by("bob", "❤️", 19)));
        assert_eq!(tally(&held), vec![("😂", 1)]);
    }

    #[test]
    fn emoji_only_no_text_controls_or_direction_overrides() {
        assert!(is_reaction(""));
        assert!(is_reaction("👍"));
        assert!(is_reaction("👍🏽"));
        assert!(is_reaction("❤️"));
        assert!(is_reaction("👩‍👩‍👧"));
        assert!(!is_reaction("lol"));
        assert!(!is_reaction("👍 "));
        assert!(!is_reaction("\u{202E}👍"));
        assert!(!is_reaction("\u{2066}"));
        assert!(!is_reaction(&"👍".repeat(9)));
    }

    #[test]
    fn a_message_keeps_one_reaction_per_member_at_most() {
        let mut held: Vec<Reaction> = (0..MAX_REACTIONS)
            .map(|i| by(&format!("member{i}"), "👍", 1))
            .collect();
        assert!(!add_reaction(&mut held, by("stranger", "👍", 2)));
        assert!(add_reaction(&mut held, by("member0", "🙏", 2)));
        assert_eq!(held.len(), MAX_REACTIONS);
    }
}
