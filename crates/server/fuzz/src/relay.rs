//! The relay every run starts from: fresh, in a scratch directory, with alice and bob
//! registered and holding prekeys.

use std::path::Path;

use hush_protocol::relay::ServerFrame;
use hush_server::fuzzing::Relay;
use hush_server::Config;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::{Account, NONCE};

/// A fresh relay where alice and bob are registered, each with prekeys to fetch, and its
/// directory (removed when dropped).
pub fn fresh(runtime: &Runtime) -> (Relay, TempDir) {
    // tmpfs where there is one: the store fsyncs every commit, which costs nothing there.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("a scratch directory");
    let mut config = Config::local(dir.path());
    // Rate limits depend on the clock: a fuzz input must do the same thing every run.
    config.frames_per_second = 1e12;
    config.min_free_disk_bytes = 0;
    let relay = Relay::open(&config).expect("the relay opens");
    for account in [Account::alice(), Account::bob()] {
        let frames = [account.register().encode(), account.upload().encode()];
        let said =
            runtime.block_on(relay.connection(&NONCE, None, frames.iter().map(Vec::as_slice)));
        let authenticated = said.iter().any(|bytes| {
            matches!(
                ServerFrame::decode(bytes),
                Ok(ServerFrame::Authenticated { .. })
            )
        });
        assert!(authenticated, "{} could not register", account.name);
    }
    (relay, dir)
}

/// A runtime like the target's: one thread, timers and I/O.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}
