use super::*;

fn key(device: u32) -> DeviceKey {
    DeviceKey {
        account: "bob".to_owned(),
        device,
    }
}

#[test]
fn pushes_are_delayed_to_the_end_of_the_window_not_dropped() {
    let c = Coalescer::new(COALESCE);
    let t0 = Instant::now();
    let second = Duration::from_secs(1);
    assert_eq!(c.admit(&key(1), t0), Admission::Now);
    assert_eq!(
        c.admit(&key(1), t0 + second),
        Admission::Later(COALESCE - second)
    );
    assert_eq!(c.admit(&key(1), t0 + second * 2), Admission::Pending);
    assert_eq!(c.admit(&key(2), t0 + second), Admission::Now);
    // The delayed push went at the end of the window: the next window starts then.
    c.settle(&key(1));
    c.sent(&key(1), t0 + COALESCE);
    assert_eq!(
        c.admit(&key(1), t0 + COALESCE + second),
        Admission::Later(COALESCE - second)
    );
    // A new subscription starts afresh.
    c.forget(&key(2));
    assert_eq!(c.admit(&key(2), t0 + second * 2), Admission::Now);
    // Nothing was queued at the end of the window: no push, and the old window ends.
    assert_eq!(c.admit(&key(3), t0), Admission::Now);
    assert_eq!(
        c.admit(&key(3), t0 + second),
        Admission::Later(COALESCE - second)
    );
    c.settle(&key(3));
    assert_eq!(c.admit(&key(3), t0 + COALESCE), Admission::Now);
}

#[test]
fn the_vapid_key_is_made_once_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let first = Pusher::open(dir.path(), COALESCE, false).unwrap();
    let again = Pusher::open(dir.path(), COALESCE, false).unwrap();
    assert_eq!(first.public_key(), again.public_key());
    let point = URL_SAFE_NO_PAD.decode(first.public_key()).unwrap();
    assert_eq!(point.len(), 65);
    assert_eq!(point[0], 4);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("vapid.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::write(dir.path().join("vapid.pem"), "junk").unwrap();
    assert!(Pusher::open(dir.path(), COALESCE, false).is_err());
}
