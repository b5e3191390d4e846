//! Keeps a reused target directory from growing without end. Every change to a crate's source
//! links its test executables anew under a new hash (`debug/deps/<name>-<hash>`) and cargo
//! never removes the old ones: 34 GB of them once filled the disk of a machine whose target
//! dir lives on between runs (CI's, under ~/.cache). Before the tests, all but the newest two
//! of each name are removed, if not written in the last hour (a build under way elsewhere
//! keeps what it has just made).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How many executables of one name are kept, newest first.
const KEPT_PER_NAME: usize = 2;
/// An executable written within this long is kept whatever its age rank.
const FRESH: Duration = Duration::from_secs(60 * 60);

/// One linked executable found in `deps`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Linked {
    path: PathBuf,
    name: String,
    written: SystemTime,
    bytes: u64,
}

/// Removes stale test executables from `target`'s `debug/deps`; says how much it freed.
pub(crate) fn stale_test_binaries(target: &Path) {
    let deps = target.join("debug").join("deps");
    let Ok(found) = linked_in(&deps) else {
        return;
    };
    let stale = stale(found, SystemTime::now());
    let (mut removed, mut freed) = (0, 0);
    for linked in &stale {
        if std::fs::remove_file(&linked.path).is_ok() {
            removed += 1;
            freed += linked.bytes;
        }
    }
    if removed > 0 {
        println!(
            "xtask: removed {removed} old test executables ({} MB) from {}",
            freed / 1_000_000,
            deps.display()
        );
    }
}

/// The executables `<name>-<16 hex digits>` in `deps` (no extension: not an rlib or a .d).
fn linked_in(deps: &Path) -> std::io::Result<Vec<Linked>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(deps)? {
        let entry = entry?;
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(name) = executable_name(&file) else {
            continue;
        };
        let meta = entry.metadata()?;
        if !meta.is_file() || !is_executable(&meta) {
            continue;
        }
        found.push(Linked {
            path: entry.path(),
            name: name.to_owned(),
            written: meta.modified()?,
            bytes: meta.len(),
        });
    }
    Ok(found)
}

/// `name` of `name-0123456789abcdef`, if `file` is shaped so.
fn executable_name(file: &str) -> Option<&str> {
    let (name, hash) = file.rsplit_once('-')?;
    let hex = hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && !file.contains('.')).then_some(name)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// What to remove at `now`: per name, all but the [`KEPT_PER_NAME`] newest, unless fresh.
fn stale(found: Vec<Linked>, now: SystemTime) -> Vec<Linked> {
    let mut by_name: HashMap<String, Vec<Linked>> = HashMap::new();
    for linked in found {
        by_name.entry(linked.name.clone()).or_default().push(linked);
    }
    let mut stale = Vec::new();
    for mut same in by_name.into_values() {
        same.sort_by_key(|l| std::cmp::Reverse(l.written));
        let old = same.into_iter().skip(KEPT_PER_NAME);
        stale.extend(old.filter(|l| now.duration_since(l.written).unwrap_or_default() > FRESH));
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(name: &str, hash: u8, minutes_ago: u64, now: SystemTime) -> Linked {
        Linked {
            path: PathBuf::from(format!("{name}-{hash:016x}")),
            name: name.to_owned(),
            written: now - Duration::from_secs(minutes_ago * 60),
            bytes: 1,
        }
    }

    #[test]
    fn keeps_the_two_newest_of_each_name_and_anything_fresh() {
        let now = SystemTime::now();
        let found = vec![
            linked("relay", 1, 300, now),
            linked("relay", 2, 200, now),
            linked("relay", 3, 100, now),
            linked("relay", 4, 10, now),
            linked("store", 5, 500, now),
            linked("store", 6, 400, now),
            linked("web", 7, 30, now),
            linked("web", 8, 20, now),
            linked("web", 9, 5, now),
        ];
        let mut gone: Vec<_> = stale(found, now).into_iter().map(|l| l.path).collect();
        gone.sort();
        assert_eq!(
            gone,
            [
                PathBuf::from("relay-0000000000000001"),
                PathBuf::from("relay-0000000000000002")
            ]
        );
    }

    #[test]
    fn only_hashed_executables_are_considered() {
        assert_eq!(executable_name("relay-0123456789abcdef"), Some("relay"));
        assert_eq!(
            executable_name("store_conformance-0123456789abcdef"),
            Some("store_conformance")
        );
        assert_eq!(executable_name("librelay-0123456789abcdef.rlib"), None);
        assert_eq!(executable_name("relay-0123456789abcdef.d"), None);
        assert_eq!(executable_name("relay-xyz"), None);
    }
}
