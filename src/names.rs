//! Accessible names that must differ on one screen: two visible controls of one role never
//! share a name, even when the things they act on do (two groups called "Book club").

use hush_client::MessageId;

use crate::text;

/// `labels` in order, each copy of an earlier one numbered ("Clear media of Book club", then
/// "Clear media of Book club (2)"), so that no two are the same.
pub fn told_apart(labels: Vec<String>) -> Vec<String> {
    let mut taken = std::collections::HashSet::with_capacity(labels.len());
    let mut named = Vec::with_capacity(labels.len());
    for label in labels {
        let mut name = label.clone();
        let mut nth = 1;
        while taken.contains(&name) {
            nth += 1;
            name = text::nth_of_name(&label, nth);
        }
        taken.insert(name.clone());
        named.push(name);
    }
    named
}

/// How the attachments of one log are told apart: for each message with one, the name its
/// file shows under in this log ([`told_apart`] over the log's file names, so a second
/// "report.pdf" is "report.pdf (2)", skipping a number a file of that very name takes) and,
/// for a voice note, its number among voice notes (1 for the first, which keeps the plain
/// name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaNames(std::collections::HashMap<MessageId, (String, usize)>);

impl MediaNames {
    /// For `shown` in log order: each message's id, its attachment's shown name, and whether it
    /// is a voice note (`None` for a message without an attachment).
    pub fn of<'a>(shown: impl IntoIterator<Item = (MessageId, Option<(&'a str, bool)>)>) -> Self {
        let mut files = Vec::new();
        let mut voice_notes = 0;
        for (id, attachment) in shown {
            let Some((name, is_voice)) = attachment else {
                continue;
            };
            voice_notes += usize::from(is_voice);
            files.push((id, name.to_owned(), if is_voice { voice_notes } else { 0 }));
        }
        let names = told_apart(files.iter().map(|(_, name, _)| name.clone()).collect());
        let told = files
            .into_iter()
            .zip(names)
            .map(|((id, _, voice), name)| (id, (name, voice)));
        Self(told.collect())
    }

    /// The name message `id`'s file (shown as `shown`) goes by in this log.
    pub fn file_name(&self, id: &MessageId, shown: &str) -> String {
        self.0
            .get(id)
            .map_or_else(|| shown.to_owned(), |(name, _)| name.clone())
    }

    /// `label` (about message `id`'s voice note, such as "Play voice note") as this log shows
    /// it: numbered from the second voice note.
    pub fn voice_label(&self, id: &MessageId, label: &str) -> String {
        match self.0.get(id).map_or(1, |(_, nth)| *nth) {
            0 | 1 => label.to_owned(),
            nth => text::nth_of_name(label, nth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_one_name_and_voice_notes_are_numbered_from_the_second() {
        let shown = [
            ([1; 16], Some(("report.pdf", false))),
            ([2; 16], None),
            ([3; 16], Some(("voice.ogg", true))),
            ([4; 16], Some(("report.pdf", false))),
            ([5; 16], Some(("voice.ogg", true))),
            ([6; 16], Some(("notes.txt", false))),
        ];
        let names = MediaNames::of(shown);
        let download =
            |id: u8, name: &str| format!("Download {}", names.file_name(&[id; 16], name));
        assert_eq!(download(1, "report.pdf"), "Download report.pdf");
        assert_eq!(download(4, "report.pdf"), "Download report.pdf (2)");
        assert_eq!(download(6, "notes.txt"), "Download notes.txt");
        assert_eq!(download(5, "voice.ogg"), "Download voice.ogg (2)");
        assert_eq!(
            names.voice_label(&[3; 16], "Play voice note"),
            "Play voice note"
        );
        assert_eq!(
            names.voice_label(&[5; 16], "Play voice note"),
            "Play voice note (2)"
        );
        // A message the log does not know keeps the plain name.
        assert_eq!(names.voice_label(&[9; 16], "Position"), "Position");
    }

    #[test]
    fn a_file_named_like_a_number_keeps_its_name_apart() {
        let shown = [
            ([1; 16], Some(("report.pdf", false))),
            ([2; 16], Some(("report.pdf (2)", false))),
            ([3; 16], Some(("report.pdf", false))),
        ];
        let names = MediaNames::of(shown);
        let named: Vec<_> = [(1, "report.pdf"), (2, "report.pdf (2)"), (3, "report.pdf")]
            .iter()
            .map(|(id, shown)| names.file_name(&[*id; 16], shown))
            .collect();
        assert_eq!(named, ["report.pdf", "report.pdf (2)", "report.pdf (3)"]);
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn copies_are_numbered_from_the_second() {
        assert_eq!(
            told_apart(strings(&["Book club", "Alice", "Book club", "Book club"])),
            strings(&["Book club", "Alice", "Book club (2)", "Book club (3)"])
        );
    }

    #[test]
    fn a_number_already_taken_is_skipped() {
        assert_eq!(
            told_apart(strings(&["X (2)", "X", "X"])),
            strings(&["X (2)", "X", "X (3)"])
        );
    }

    #[test]
    fn distinct_labels_stay_as_they_are() {
        let labels = strings(&["a", "b", "c"]);
        assert_eq!(told_apart(labels.clone()), labels);
    }
}
