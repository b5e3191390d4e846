//! Sender/receiver pairs: sender K sends to receiver K.

use std::net::SocketAddr;

use futures::StreamExt;
use hush_bench::Failure;
use hush_protocol::Username;

use crate::account::open;
use crate::connect::{Sink, Stream, Ws};
use crate::relay_kind::Relay;
use crate::settings::{OPENING, WAIT};

/// One sender and its receiver.
pub struct Pair {
    /// K.
    pub index: usize,
    /// The receiver's account (ours).
    pub to: Username,
    /// The sender's connection.
    pub sender: (Sink, Stream),
    /// The receiver's connection.
    pub receiver: (Sink, Stream),
}

/// The receiver's account name of pair `index`.
fn receiver_name(index: usize) -> Result<Username, Failure> {
    Ok(Username::parse(&format!("load-r-{index:05}"))?)
}

/// Opens `count` pairs; fails if any connection fails.
pub async fn open_pairs(
    relay: Relay,
    addr: SocketAddr,
    count: usize,
) -> Result<Vec<Pair>, Failure> {
    // Receivers first, so a bare sender finds its receiver.
    let receivers = open_role(relay, addr, count, "r").await;
    let senders = open_role(relay, addr, count, "s").await;
    let mut pairs = Vec::with_capacity(count);
    for (index, (receiver, sender)) in receivers.into_iter().zip(senders).enumerate() {
        pairs.push(Pair {
            index,
            to: receiver_name(index)?,
            sender: sender?.split(),
            receiver: receiver?.split(),
        });
    }
    Ok(pairs)
}

/// `count` connections of one role (`r` or `s`), in order.
async fn open_role(
    relay: Relay,
    addr: SocketAddr,
    count: usize,
    role: &'static str,
) -> Vec<Result<Ws, Failure>> {
    futures::stream::iter(0..count)
        .map(move |i| async move {
            let name = format!("load-{role}-{i:05}");
            let seed = if role == "r" { 2_000_000 } else { 3_000_000 } + i as u64;
            let path = format!("/{role}/{i}");
            match tokio::time::timeout(WAIT, open(relay, addr, name, seed, &path)).await {
                Ok(result) => result,
                Err(_) => Err("timed out".into()),
            }
        })
        .buffered(OPENING)
        .collect()
        .await
}
