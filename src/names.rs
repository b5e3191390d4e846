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

/// How the attachments of one log are told apart: for each message with one, its number among
/// the log's attachments of the same shown name and, for a voice note, among voice notes (1 for
/// the first of each, which keeps the plain name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaNames(std::collections::HashMap<MessageId, (usize, usize)>);

impl MediaNames {
    /// For `shown` in log order: each message's id, its attachment's shown name, and whether it
    /// is a voice note (`None` for a message without an attachment).
    pub fn of<'a>(shown: impl IntoIterator<Item = (MessageId, Option<(&'a str, bool)>)>) -> Self {
        let mut by_name = std::collections::HashMap::<&str, usize>::new();
        let mut voice_notes = 0;
        let mut names = std::collections::HashMap::new();
        for (id, attachment) in shown {
            let Some((name, is_voice)) = attachment else {
                continue;
            };
            let nth_name = by_name.entry(name).or_insert(0);
            *nth_name += 1;
            voice_notes += usize::from(is_voice);
            names.insert(id, (*nth_name, if is_voice { voice_notes } else { 0 }));
        }
        Self(names)
    }

    /// `label` (about message `id`'s file, such as "Download report.pdf") as this log shows
    /// it: numbered from the second file of that name.
    pub fn file_label(&self, id: &MessageId, label: String) -> String {
        numbered(label, self.0.get(id).map_or(1, |(nth, _)| *nth))
    }

    /// `label` (about message `id`'s voice note, such as "Play voice note") as this log shows
    /// it: numbered from the second voice note.
    pub fn voice_label(&self, id: &MessageId, label: &str) -> String {
        numbered(label.to_owned(), self.0.get(id).map_or(1, |(_, nth)| *nth))
    }
}

fn numbered(label: String, nth: usize) -> String {
    match nth {
        0 | 1 => label,
        nth => text::nth_of_name(&label, nth),
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
        let download = |id: u8, name: &str| names.file_label(&[id; 16], format!("Download {name}"));
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
