//! Accessible names that must differ on one screen: two visible controls of one role never
//! share a name, even when the things they act on do (two groups called "Book club").

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

#[cfg(test)]
mod tests {
    use super::*;

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
