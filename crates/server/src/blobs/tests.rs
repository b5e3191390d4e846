use super::*;
use crate::store::sqlite::SqliteStore;
use crate::store::BlobRecord;

/// The files of a relay whose data directory is `dir`.
fn local(dir: &tempfile::TempDir) -> LocalDir {
    LocalDir::open(dir.path().join("blobs")).unwrap()
}

fn device(n: u32) -> DeviceKey {
    DeviceKey {
        account: "alice".to_owned(),
        device: n,
    }
}

#[test]
fn ids_round_trip_as_hex_and_junk_is_refused() {
    let id = [0xabu8; 32];
    assert_eq!(parse_id(&hex::encode(&id)), Some(id));
    for junk in [
        "",
        "zz",
        &"g".repeat(64),
        &"a".repeat(63),
        &"AB".repeat(32),
        "../../etc/passwd",
    ] {
        assert_eq!(parse_id(junk), None, "{junk}");
    }
}

#[test]
fn a_grant_works_once_and_only_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(dir.path(), BlobLimits::default()).unwrap();
    assert_eq!(
        blobs.grant(&device(1), DEFAULT_MAX_BLOB_BYTES + 1, 0),
        Err(Refused::TooLarge)
    );
    let id = blobs.grant(&device(1), 10, 0).unwrap();
    assert_eq!(blobs.take_grant(&id).map(|g| g.size), Some(10));
    assert!(blobs.take_grant(&id).is_none());
}

#[test]
fn a_device_holds_few_grants_and_its_quota_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(
        dir.path(),
        BlobLimits {
            quota: 1_000,
            ..BlobLimits::default()
        },
    )
    .unwrap();
    let ids: Vec<_> = (0..MAX_GRANTS_PER_DEVICE)
        .map(|_| blobs.grant(&device(1), 10, 0).unwrap())
        .collect();
    assert_eq!(blobs.grant(&device(1), 10, 0), Err(Refused::TooManyGrants));
    // Another device is not held up; a used grant frees its slot.
    assert!(blobs.grant(&device(2), 10, 0).is_ok());
    blobs.take_grant(&ids[0]).unwrap();
    assert!(blobs.grant(&device(1), 10, 0).is_ok());
    // Quota (1,000): what is stored, plus what is granted and not yet uploaded.
    assert_eq!(blobs.grant(&device(3), 30, 990), Err(Refused::Quota));
    assert!(blobs.grant(&device(3), 10, 990).is_ok());
    assert!(blobs.grant(&device(4), 500, 0).is_ok());
    assert_eq!(blobs.grant(&device(4), 450, 100), Err(Refused::Quota));
    assert!(blobs.grant(&device(4), 400, 100).is_ok());
}

#[tokio::test]
async fn expired_blobs_go_in_batches_and_renewed_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = Blobs::open(dir.path(), BlobLimits::default()).unwrap();
    let store = SqliteStore::open(&dir.path().join("hush.db")).unwrap();
    register_alice(&store).await;
    let now = crate::now_ms();
    let count = EXPIRY_BATCH + 3;
    for n in 0..count {
        let mut id = [0u8; 32];
        id[..4].copy_from_slice(&(n as u32).to_be_bytes());
        std::fs::write(local(&dir).blob_path(&id), b"x").unwrap();
        let record = BlobRecord {
            id,
            account: "alice".to_owned(),
            device: 1,
            size: 1,
            expires_ms: if n == 0 { now + 10_000 } else { now - 1 },
        };
        store.add_blob(&record).await.unwrap();
    }
    assert_eq!(blobs.expire(&store, now).await.unwrap(), count - 1);
    let left: Vec<_> = std::fs::read_dir(dir.path().join("blobs"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1);
    assert_eq!(store.blob_bytes("alice", 1, now).await.unwrap(), 1);
}

#[test]
fn an_unfinished_upload_keeps_its_grant_across_a_restart_and_a_used_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, used) = {
        let blobs = Blobs::open(dir.path(), BlobLimits::default()).unwrap();
        let kept = blobs.grant(&device(1), 10, 0).unwrap();
        let used = blobs.grant(&device(1), 20, 0).unwrap();
        blobs.take_grant(&used).unwrap();
        (kept, used)
    };
    let blobs = Blobs::open(dir.path(), BlobLimits::default()).unwrap();
    let grant = blobs.grant_of(&kept).unwrap();
    assert_eq!((grant.owner, grant.size), (device(1), 10));
    assert!(blobs.grant_of(&used).is_none());
    // It still counts towards the device's grants.
    for _ in 1..MAX_GRANTS_PER_DEVICE {
        blobs.grant(&device(1), 1, 0).unwrap();
    }
    assert_eq!(blobs.grant(&device(1), 1, 0), Err(Refused::TooManyGrants));
}

#[test]
fn a_grant_file_that_is_junk_is_dropped_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let blobs_dir = dir.path().join("blobs");
    let files = local(&dir);
    let id = [3u8; 32];
    std::fs::write(files.grant_path(&id), "alice\nnot a number\n").unwrap();
    std::fs::write(files.part_path(&id), b"partial").unwrap();
    let blobs = Blobs::open(dir.path(), BlobLimits::default()).unwrap();
    assert!(blobs.grant_of(&id).is_none());
    assert_eq!(std::fs::read_dir(&blobs_dir).unwrap().count(), 0);
}

/// Registers `alice` with device 1 (blobs are recorded only for listed devices).
async fn register_alice(store: &SqliteStore) {
    use crate::store::{AccountRecord, DeviceRecord, SignedDeviceList, Store as _};
    let account = AccountRecord {
        name: "alice".to_owned(),
        account_key: [1; 32],
        created_ms: 0,
    };
    let list = SignedDeviceList {
        version: 1,
        bytes: b"alice's list".to_vec(),
        devices: vec![DeviceRecord {
            device_id: 1,
            identity: [2; 64],
        }],
    };
    store.create_account(&account, &list).await.unwrap();
}
