//! `cargo xtask bench group`: one message to a group of 100 over a real relay on loopback.
//! The sender encrypts it once with its sender key and the relay stores a copy for each of the
//! 99 other members; timed from the send until the relay's `Sent`. The reference, measured in
//! the same run: the same text sent to the same 99 people one by one as 1:1 messages (99
//! encryptions, 99 sends), as a client without sender keys would.
//!
//! `cargo run --release -p hush-bench --bin group_send`; with `HUSH_BENCH_SMOKE=1`, a group
//! of 5 and a few rounds (does it still work?).

mod device;
mod local_relay;
mod rounds;

use std::process::ExitCode;
use std::time::Instant;

use hush_bench::Failure;
use hush_client::Username;

use crate::device::{now, Device};
use crate::rounds::{one_by_one, to_the_group, Sizes, Timings};

/// The full run: a group of 100, 30 rounds.
const FULL: Sizes = Sizes {
    members: 100,
    rounds: 30,
};

/// A smoke run.
const SMOKE: Sizes = Sizes {
    members: 5,
    rounds: 5,
};

fn main() -> ExitCode {
    let ran = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Failure::from)
        .and_then(|runtime| runtime.block_on(run()));
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("group_send: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Failure> {
    let sizes = if hush_bench::smoke() { SMOKE } else { FULL };
    // The default rate (500 envelopes a second per device) would pace the sends: lifted so the
    // figures are the work, not the limit.
    let relay = local_relay::start(1_000_000.0).await?;
    let started = Instant::now();
    let mut people = Vec::with_capacity(sizes.members);
    for i in 0..sizes.members {
        people.push(Device::register(relay.addr, &member(i), 1_000 + i as u64).await?);
    }
    let names: Vec<Username> = (1..sizes.members)
        .map(|i| Username::parse(&member(i)))
        .collect::<Result<_, _>>()?;
    let sender = people.first_mut().ok_or("a group needs members")?;
    let (chat, out) = sender
        .engine
        .create_group("Hundred", "", &names, now())
        .await?;
    sender.output(out).await?;
    sender.drain().await?;
    // The first message also hands our sender key to the others (over their pairwise sessions).
    let (first, out) = sender.engine.send_text(&chat, "warm-up", now()).await?;
    sender.output(out).await?;
    sender.expect(rounds::sent(first.id)).await?;
    sender.drain().await?;
    println!(
        "group of {}: {} accounts registered, group made, sender key given out in {:.1} s",
        sizes.members,
        sizes.members,
        started.elapsed().as_secs_f64()
    );
    let mut timings = Timings::default();
    to_the_group(sender, &chat, &sizes, &mut timings).await?;
    // The reference: 1:1 to each of them (sessions exist already, from the group's set-up).
    one_by_one(sender, &names, &sizes, &mut timings).await?;
    timings.report(&sizes);
    Ok(())
}

/// Member `i`'s account name.
fn member(i: usize) -> String {
    format!("member{i:03}")
}
