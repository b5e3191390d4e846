//! Where blob bytes live, behind [`BlobFiles`] so that several relays can share a storage
//! later. [`LocalDir`] (files under the data directory) is the one backend today, chosen once,
//! in `Blobs::open`. Everything above it (grants, quotas, HTTP) is the same whatever holds the
//! bytes.

use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures::future::BoxFuture;
use futures::FutureExt;
use hush_protocol::hex;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite};

/// Bytes going into an upload in progress.
pub(crate) type Writer = Box<dyn AsyncWrite + Send + Unpin>;
/// Bytes coming out of a blob.
pub(crate) type Reader = Box<dyn AsyncRead + Send + Unpin>;

/// A storage for blobs, their uploads in progress, and the grants of those uploads (kept so an
/// upload resumes after a restart).
pub(crate) trait BlobFiles: Send + Sync {
    /// Bytes held of `id`'s upload in progress (0 before its first).
    fn held(&self, id: &[u8; 32]) -> BoxFuture<'_, u64>;
    /// A writer at byte `at` of `id`'s upload in progress, what lies from there on dropped
    /// (`at` 0 starts it over). Each writer writes at its own place, so a late write of an
    /// abandoned request lands where it was meant to, never after a newer request's bytes.
    fn writer(&self, id: &[u8; 32], at: u64) -> BoxFuture<'_, io::Result<Writer>>;
    /// Makes `id`'s upload in progress the blob `id`, durable before it returns.
    fn commit(&self, id: &[u8; 32]) -> BoxFuture<'_, io::Result<()>>;
    /// The blob's length, if it is there.
    fn len(&self, id: &[u8; 32]) -> BoxFuture<'_, Option<u64>>;
    /// `count` bytes of the blob from `start`.
    fn read(&self, id: &[u8; 32], start: u64, count: u64) -> BoxFuture<'_, io::Result<Reader>>;
    /// Deletes the blob; whether it was there.
    fn remove(&self, id: &[u8; 32]) -> bool;
    /// Deletes `id`'s upload in progress and its saved grant.
    fn discard(&self, id: &[u8; 32]);
    /// Marks the blob as written now (a renewal), so [`BlobFiles::sweep`] agrees with the store.
    fn touch(&self, id: &[u8; 32]);
    /// Keeps an upload's grant (an opaque record) until it is used or discarded. Best effort.
    fn save_grant(&self, id: &[u8; 32], record: &str);
    /// Forgets a grant saved for `id` (its upload, if any, stays).
    fn forget_grant(&self, id: &[u8; 32]);
    /// The grants saved, each with when its upload was last used.
    fn saved_grants(&self) -> Vec<([u8; 32], String, SystemTime)>;
    /// Deletes blobs last written before `blobs_before`, and uploads in progress (with their
    /// grants) last used before `uploads_before`; returns how many files went.
    fn sweep(&self, blobs_before: Option<SystemTime>, uploads_before: Option<SystemTime>) -> usize;
}

/// Blobs as files in one directory: `<id>` (the blob), `<id>.part` (its upload in progress,
/// renamed to `<id>` once synced, the directory synced after), `<id>.grant` (its grant).
pub(crate) struct LocalDir {
    dir: PathBuf,
}

impl LocalDir {
    pub(crate) fn open(dir: PathBuf) -> io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    pub(super) fn blob_path(&self, id: &[u8; 32]) -> PathBuf {
        self.dir.join(hex::encode(id))
    }

    pub(super) fn part_path(&self, id: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.part", hex::encode(id)))
    }

    pub(super) fn grant_path(&self, id: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.grant", hex::encode(id)))
    }

    async fn commit_part(&self, id: &[u8; 32]) -> io::Result<()> {
        let (part, blob) = (self.part_path(id), self.blob_path(id));
        tokio::fs::File::open(&part).await?.sync_all().await?;
        tokio::fs::rename(&part, &blob).await?;
        // Renamed: the blob goes unless its directory entry is durable.
        if let Err(error) = sync_dir(self.dir.clone()).await {
            let _ = tokio::fs::remove_file(&blob).await;
            return Err(error);
        }
        Ok(())
    }
}

impl BlobFiles for LocalDir {
    fn held(&self, id: &[u8; 32]) -> BoxFuture<'_, u64> {
        let part = self.part_path(id);
        async move { tokio::fs::metadata(part).await.map_or(0, |m| m.len()) }.boxed()
    }

    fn writer(&self, id: &[u8; 32], at: u64) -> BoxFuture<'_, io::Result<Writer>> {
        let part = self.part_path(id);
        async move {
            // Not `append`: that puts every write at the end, wherever it was meant to go.
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(part)
                .await?;
            file.set_len(at).await?;
            file.seek(io::SeekFrom::Start(at)).await?;
            Ok(Box::new(file) as Writer)
        }
        .boxed()
    }

    fn commit(&self, id: &[u8; 32]) -> BoxFuture<'_, io::Result<()>> {
        let id = *id;
        async move { self.commit_part(&id).await }.boxed()
    }

    fn len(&self, id: &[u8; 32]) -> BoxFuture<'_, Option<u64>> {
        let blob = self.blob_path(id);
        async move { tokio::fs::metadata(blob).await.ok().map(|m| m.len()) }.boxed()
    }

    fn read(&self, id: &[u8; 32], start: u64, count: u64) -> BoxFuture<'_, io::Result<Reader>> {
        let blob = self.blob_path(id);
        async move {
            let mut file = tokio::fs::File::open(blob).await?;
            file.seek(io::SeekFrom::Start(start)).await?;
            Ok(Box::new(file.take(count)) as Reader)
        }
        .boxed()
    }

    fn remove(&self, id: &[u8; 32]) -> bool {
        std::fs::remove_file(self.blob_path(id)).is_ok()
    }

    fn discard(&self, id: &[u8; 32]) {
        let _ = std::fs::remove_file(self.part_path(id));
        self.forget_grant(id);
    }

    fn touch(&self, id: &[u8; 32]) {
        let file = std::fs::File::options()
            .write(true)
            .open(self.blob_path(id));
        if let Ok(file) = file {
            let _ = file.set_modified(SystemTime::now());
        }
    }

    fn save_grant(&self, id: &[u8; 32], record: &str) {
        let _ = std::fs::write(self.grant_path(id), record);
    }

    fn forget_grant(&self, id: &[u8; 32]) {
        let _ = std::fs::remove_file(self.grant_path(id));
    }

    fn saved_grants(&self) -> Vec<([u8; 32], String, SystemTime)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut saved = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "grant") {
                continue;
            }
            let id = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(hex::decode);
            let record = std::fs::read_to_string(&path).ok();
            let used = [path.clone(), path.with_extension("part")]
                .iter()
                .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
                .max();
            match (id, record, used) {
                (Some(id), Some(record), Some(used)) => saved.push((id, record, used)),
                // Not one of ours, or unreadable: it goes.
                _ => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        saved
    }

    fn sweep(&self, blobs_before: Option<SystemTime>, uploads_before: Option<SystemTime>) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let upload = entry
                .path()
                .extension()
                .is_some_and(|e| e == "part" || e == "grant");
            let cutoff = if upload { uploads_before } else { blobs_before };
            if is_older(&entry.path(), cutoff) && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

fn is_older(path: &Path, cutoff: Option<SystemTime>) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|modified| cutoff.is_some_and(|c| modified < c))
}

/// Syncs `dir`, so a rename in it survives a power cut.
async fn sync_dir(dir: PathBuf) -> io::Result<()> {
    tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// A request cut off mid-body may still have a write in flight when the next one starts
    /// (tokio's file writes finish on a blocking thread). That late write carries the same
    /// bytes for the same place, so it must land there, not after the next request's bytes.
    #[tokio::test]
    async fn a_late_write_of_an_abandoned_request_lands_at_its_own_offset() {
        let dir = tempfile::tempdir().unwrap();
        let files = LocalDir::open(dir.path().to_owned()).unwrap();
        let id = [7u8; 32];
        let mut abandoned = files.writer(&id, 0).await.unwrap();
        abandoned.write_all(b"abcd").await.unwrap();
        abandoned.flush().await.unwrap();
        // The client asks where to go on (4) and sends the rest again.
        assert_eq!(files.held(&id).await, 4);
        let mut next = files.writer(&id, 4).await.unwrap();
        next.write_all(b"efgh").await.unwrap();
        next.flush().await.unwrap();
        // The abandoned request's last piece lands now.
        abandoned.write_all(b"efgh").await.unwrap();
        abandoned.flush().await.unwrap();
        let part = std::fs::read(files.part_path(&id)).unwrap();
        assert_eq!(part, b"abcdefgh");
    }
}
