//! The measured rounds: to the group (encrypt once, the relay fans out) and the reference, one
//! by one to each member; and their report.

use std::time::Instant;

use hush_bench::{percentile, Failure};
use hush_client::{ChatId, Event, MessageId, Status, Username};

use crate::device::{now, Device};

/// How big a run is.
pub struct Sizes {
    /// Group members, the sender included.
    pub members: usize,
    /// Messages to the group; a fifth as many rounds one by one.
    pub rounds: usize,
}

/// What the rounds took, ms each.
#[derive(Default)]
pub struct Timings {
    group: Vec<f64>,
    encrypt: Vec<f64>,
    pairwise: Vec<f64>,
}

/// Matches the `Sent` status of message `id`.
pub fn sent(id: MessageId) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::Status(i, Status::Sent) if *i == id)
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Each round: one message to the group, timed until the relay's `Sent`.
pub async fn to_the_group(
    sender: &mut Device,
    chat: &ChatId,
    sizes: &Sizes,
    timings: &mut Timings,
) -> Result<(), Failure> {
    for round in 0..sizes.rounds {
        let start = Instant::now();
        let (message, out) = sender
            .engine
            .send_text(chat, &format!("group message {round}"), now())
            .await?;
        timings.encrypt.push(ms_since(start));
        sender.output(out).await?;
        sender.expect(sent(message.id)).await?;
        timings.group.push(ms_since(start));
    }
    Ok(())
}

/// Each round: the same text 1:1 to every other member, timed until the last `Sent`.
pub async fn one_by_one(
    sender: &mut Device,
    names: &[Username],
    sizes: &Sizes,
    timings: &mut Timings,
) -> Result<(), Failure> {
    for round in 0..(sizes.rounds / 5).max(1) {
        let start = Instant::now();
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            let (message, out) = sender
                .engine
                .send_text(
                    &ChatId::Direct(name.clone()),
                    &format!("one by one {round}"),
                    now(),
                )
                .await?;
            sender.output(out).await?;
            ids.push(message.id);
        }
        for id in ids {
            sender.expect(sent(id)).await?;
        }
        timings.pairwise.push(ms_since(start));
    }
    Ok(())
}

impl Timings {
    /// Prints the percentiles and the ratio.
    pub fn report(mut self, sizes: &Sizes) {
        for list in [&mut self.group, &mut self.encrypt, &mut self.pairwise] {
            list.sort_by(f64::total_cmp);
        }
        let (g50, g99) = (percentile(&self.group, 0.5), percentile(&self.group, 0.99));
        let e50 = percentile(&self.encrypt, 0.5);
        let p50 = percentile(&self.pairwise, 0.5);
        let (members, rounds) = (sizes.members, sizes.rounds);
        println!(
            "one message to a group of {members} (send to the relay's Sent, {rounds} rounds):"
        );
        println!(
            "  sender key (encrypt once, fan-out by the relay): p50 {g50:.2} ms, p99 {g99:.2} ms"
        );
        println!("    of which the engine's step (encrypt, store): p50 {e50:.2} ms");
        println!(
            "  reference, 1:1 to each of the {} others:         p50 {p50:.2} ms",
            members - 1
        );
        println!("  ratio (group / one by one): {:.3}", g50 / p50);
    }
}
