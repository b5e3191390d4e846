//! The relay's request handling on arbitrary frames: one connection per input (a guest, or
//! alice or bob signed in; see `hush_server_fuzz::split`) served by the real handlers over the
//! real SQLite store. Nothing may panic, every request must be answered (a hang is a libFuzzer
//! timeout), everything the relay sends must decode as a `ServerFrame`, and each relay, closed
//! after `INPUTS_PER_RELAY` inputs, must open again holding no more envelopes than it counted.
#![no_main]

use std::cell::RefCell;

use hush_protocol::hex;
use hush_protocol::relay::ServerFrame;
use hush_server::fuzzing::Relay;
use hush_server_fuzz::{split, NONCE};
use libfuzzer_sys::fuzz_target;
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// Inputs one relay serves before it is checked and replaced by a fresh one: what the store
/// keeps (group orders, queued envelopes) only grows, and a big store is a slow one.
const INPUTS_PER_RELAY: u32 = 20_000;

/// One relay in a scratch directory, and how many inputs it served.
struct Live {
    relay: Relay,
    /// Removed when the relay is replaced.
    _dir: TempDir,
    served: u32,
}

struct Harness {
    runtime: Runtime,
    live: Option<Live>,
}

thread_local! {
    static HARNESS: RefCell<Option<Harness>> = const { RefCell::new(None) };
}

/// A fresh relay for the next `INPUTS_PER_RELAY` inputs.
fn fresh(runtime: &Runtime) -> Live {
    let (relay, dir) = hush_server_fuzz::relay::fresh(runtime);
    Live {
        relay,
        _dir: dir,
        served: 0,
    }
}

fn serve(harness: &mut Harness, input: &[u8]) {
    let Some((who, frames)) = split(input) else {
        return;
    };
    let runtime = &harness.runtime;
    let live = harness.live.get_or_insert_with(|| fresh(runtime));
    let said = runtime.block_on(live.relay.connection(&NONCE, who.device(), frames));
    for bytes in &said {
        if let Err(e) = ServerFrame::decode(bytes) {
            panic!(
                "the relay sent a frame that does not decode ({e}): {}",
                hex::encode(bytes)
            );
        }
    }
    live.served += 1;
    if live.served >= INPUTS_PER_RELAY {
        if let Some(done) = harness.live.take() {
            if let Err(e) = runtime.block_on(done.relay.close()) {
                panic!("the store is inconsistent after {INPUTS_PER_RELAY} inputs: {e}");
            }
        }
    }
}

fuzz_target!(|input: &[u8]| {
    HARNESS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let harness = cell.get_or_insert_with(|| Harness {
            runtime: hush_server_fuzz::relay::runtime(),
            live: None,
        });
        serve(harness, input);
    });
});
