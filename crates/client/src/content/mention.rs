//! A group text that mentions members (issue 21): a [`Rich`] message (quote and forwards as
//! there, both optional here) with the usernames it mentions. The text itself holds `@Name`
//! as the sender wrote it; the usernames say who is meant, whatever names the receiver knows.

use hush_protocol::codec::{Reader, Writer};
use hush_protocol::{DecodeError, Username};

use super::{Rich, MAX_CHAT_NAME};

/// The most members one message mentions.
pub const MAX_MENTIONS: usize = 32;

/// A text (or caption) that mentions members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mentioned {
    /// The message, as a rich one (a plain text is allowed here).
    pub rich: Rich,
    /// Whom it mentions: 1 to [`MAX_MENTIONS`] usernames, each once.
    pub mentions: Vec<Username>,
}

impl Mentioned {
    /// The bytes it takes after its type.
    pub(super) fn encoded_len(&self) -> usize {
        let names: usize = self.mentions.iter().map(|m| 4 + m.as_str().len()).sum();
        self.rich.encoded_len() + 1 + names
    }

    pub(super) fn write(&self, w: &mut Writer) {
        self.rich.write(w);
        write_mentions(w, &self.mentions);
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let rich = Rich::read_fields(r)?;
        let mentions = read_mentions(r)?;
        Ok(Self { rich, mentions })
    }
}

/// A list of mentions: its length (u8), then each username. Written as given (senders keep
/// at most [`MAX_MENTIONS`]); a receiver refuses a longer list.
pub(super) fn write_mentions(w: &mut Writer, mentions: &[Username]) {
    let kept = &mentions[..mentions.len().min(usize::from(u8::MAX))];
    w.u8(u8::try_from(kept.len()).unwrap_or(u8::MAX));
    for mention in kept {
        w.var(mention.as_bytes());
    }
}

/// What [`write_mentions`] wrote: 1 to [`MAX_MENTIONS`] usernames, none twice.
pub(super) fn read_mentions(r: &mut Reader<'_>) -> Result<Vec<Username>, DecodeError> {
    let n = usize::from(r.u8()?);
    if n == 0 || n > MAX_MENTIONS {
        return Err(DecodeError::Invalid("mentions"));
    }
    let mut mentions: Vec<Username> = Vec::with_capacity(n);
    for _ in 0..n {
        let mention = Username::new(r.string("mention", MAX_CHAT_NAME)?)?;
        if mentions.contains(&mention) {
            return Err(DecodeError::Invalid("mentions"));
        }
        mentions.push(mention);
    }
    Ok(mentions)
}

#[cfg(test)]
mod tests {
    use super::super::Content;
    use super::*;

    fn mentioned(names: &[&str]) -> Content {
        Content::Mentioned(Box::new(Mentioned {
            rich: Rich {
                id: [1; 16],
                sent_ms: 5,
                body: "@Carol hi".into(),
                attachment: None,
                quote: None,
                forwards: 0,
            },
            mentions: names.iter().map(|n| Username::parse(n).unwrap()).collect(),
        }))
    }

    #[test]
    fn mentions_travel_and_bad_lists_are_refused() {
        let content = mentioned(&["carol", "dave"]);
        let bytes = content.encode();
        assert_eq!(Content::decode(&bytes), Ok(content));
        for cut in 0..bytes.len() {
            assert!(Content::decode(&bytes[..cut]).is_err());
        }
        assert!(Content::decode(&mentioned(&[]).encode()).is_err(), "no one");
        let twice = mentioned(&["carol", "carol"]);
        assert!(Content::decode(&twice.encode()).is_err(), "someone twice");
        let many: Vec<String> = (0..=MAX_MENTIONS).map(|n| format!("user{n}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(
            Content::decode(&mentioned(&many).encode()).is_err(),
            "too many"
        );
    }

    /// A build that knows no mentions reads one as a message of a later kind (id and time,
    /// "Update Hush to see this message") instead of refusing it; what builds sent as 0x22
    /// before still reads.
    #[test]
    fn an_older_build_sees_a_mention_came_and_the_first_type_still_reads() {
        let content = mentioned(&["carol"]);
        let mut bytes = content.encode();
        assert!(crate::content::SHOWN_KINDS_AHEAD.contains(&bytes[1]));
        assert_eq!(&bytes[2..18], &[1; 16], "the id comes first");
        assert_eq!(&bytes[18..26], &5u64.to_be_bytes(), "then the time");
        bytes[1] = 0x22;
        assert_eq!(Content::decode(&bytes), Ok(content));
    }
}
