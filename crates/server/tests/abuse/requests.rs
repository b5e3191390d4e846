//! Attacks by signed-in devices: group sends naming many accounts, a flood of uploads, a device
//! reconnecting to reset its rate limit, and devices draining one account's one-time prekeys.
//! Each runs until its target's end (and at most a fixed number of tries), asserts the refusal
//! it should meet, and returns a line for the report.

use std::time::Duration;

use hush_protocol::hex;
use hush_protocol::relay::{ClientFrame, ErrorCode, SendOutcome, ServerFrame, MAX_PAYLOAD};
use tokio::time::Instant;

use crate::net::{login_from, next_frame, Target};
use crate::support::{user, Account, Client};

/// Sends one large group message after another to `members` (each its own account): stored
/// until the per-device rate (one token per device reached) and the sender's queue quota stop
/// it; every refusal typed.
pub async fn amplify(
    target: Target,
    from: &str,
    sender: Account,
    members: Vec<String>,
    quota: u64,
) -> String {
    let mut a = login_from(target.addr, from, &sender).await;
    let members: Vec<_> = members.iter().map(|m| user(m)).collect();
    let payload = vec![0x5A; MAX_PAYLOAD - 64];
    let (mut stored, mut limited, mut over_quota) = (0u64, 0, 0);
    for n in 0u32..5_000 {
        if !target.on() {
            break;
        }
        let mut client_id = [0; 16];
        client_id[..4].copy_from_slice(&n.to_be_bytes());
        a.send(&ClientFrame::GroupSend {
            client_id,
            members: members.clone(),
            payload: payload.clone(),
        })
        .await;
        match next_frame(&mut a).await {
            Some(ServerFrame::Sent {
                outcome: SendOutcome::Stored,
                ..
            }) => stored += 1,
            Some(ServerFrame::Sent {
                outcome: SendOutcome::Refused { code, .. },
                ..
            }) => match code {
                ErrorCode::RateLimited => limited += 1,
                ErrorCode::QuotaExceeded => over_quota += 1,
                other => panic!("a group send was refused with {other:?}"),
            },
            other => panic!("a group send was answered {other:?}"),
        }
    }
    let bytes = stored * payload.len() as u64;
    assert!(limited + over_quota > 0, "no group send was ever refused");
    assert!(
        bytes <= quota,
        "{bytes} bytes stored past the sender's quota"
    );
    format!(
        "group sends to {} accounts: {stored} stored ({} KiB), {limited} rate limited, \
         {over_quota} past the quota",
        members.len(),
        bytes / 1024
    )
}

/// Each upload's size: the quota holds eight.
const SIZE: u32 = 128 * 1024;

/// Asks for upload grants and fills them, past the device's quota: refused with
/// `QuotaExceeded` (or `RateLimited` for too many grants), never more kept than the quota.
pub async fn blob_flood(target: Target, from: &str, hoarder: Account, quota: u64) -> String {
    let mut h = login_from(target.addr, from, &hoarder).await;
    let http = reqwest::Client::new();
    let (mut uploaded, mut over_quota, mut limited) = (0u64, 0, 0);
    for request in 1u32..2_000 {
        if !target.on() {
            break;
        }
        h.send(&ClientFrame::RequestUpload {
            request,
            size: SIZE,
        })
        .await;
        match next_frame(&mut h).await {
            Some(ServerFrame::UploadGranted { id, .. }) => {
                let url = format!("http://{}/blobs/{}", target.addr, hex::encode(&id));
                let put = http.put(url).body(vec![7; SIZE as usize]).send();
                let status = tokio::time::timeout(Duration::from_secs(10), put)
                    .await
                    .expect("an upload in time")
                    .unwrap()
                    .status();
                assert_eq!(status.as_u16(), 201, "a granted upload failed");
                uploaded += u64::from(SIZE);
            }
            Some(ServerFrame::Error {
                code: ErrorCode::QuotaExceeded,
                ..
            }) => over_quota += 1,
            Some(ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => limited += 1,
            other => panic!("an upload grant was answered {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(over_quota > 0, "the blob quota never refused a grant");
    assert!(
        uploaded <= quota,
        "{uploaded} bytes of blobs kept past the quota"
    );
    format!(
        "blob flood: {} KiB uploaded, {over_quota} grants past the quota, {limited} rate limited",
        uploaded / 1024
    )
}

/// Sends twice its burst of frames, reconnects and does it again: across all its connections
/// it gets no more than one burst and the refill (`per_second`).
pub async fn reconnect_to_reset(
    target: Target,
    from: &str,
    resetter: Account,
    per_second: f64,
) -> String {
    let burst = (2.0 * per_second) as u64;
    let started = Instant::now();
    let (mut allowed, mut refused, mut connections) = (0u64, 0u64, 0);
    while target.on() && connections < 50 {
        let mut r = login_from(target.addr, from, &resetter).await;
        connections += 1;
        let sent = 2 * burst;
        for _ in 0..sent {
            r.send(&ClientFrame::Typing {
                to: user("victim"),
                typing: true,
            })
            .await;
        }
        let limited = refusals_until_barrier(&mut r).await;
        // The barrier is a frame too.
        allowed += sent + 1 - limited;
        refused += limited;
    }
    let most = burst as f64 + per_second * started.elapsed().as_secs_f64() + 1.0;
    assert!(refused > 0, "reconnecting never met the limit");
    assert!(
        allowed as f64 <= most,
        "{connections} connections got {allowed} frames through, more than {most:.0}"
    );
    format!(
        "reconnect to reset: {connections} connections, {allowed} frames let through \
         (at most {most:.0}), {refused} refused"
    )
}

/// Reads up to the answer to a fetch of an account that does not exist (requests are answered
/// in order): how many frames before it, or it, were refused as rate limited.
async fn refusals_until_barrier(client: &mut Client) -> u64 {
    client
        .send(&ClientFrame::FetchBundles {
            request: 9_999,
            account: user("nobody"),
        })
        .await;
    let mut limited = 0;
    loop {
        match next_frame(client).await.expect("the barrier's answer") {
            ServerFrame::Error {
                request: 0,
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            ServerFrame::Error {
                request: 9_999,
                code,
                ..
            } => return limited + u64::from(code == ErrorCode::RateLimited),
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Devices on one address fetch `victim`'s bundles over and over, reconnecting: they take at
/// most `per_address` of its one-time prekeys; the rest are refused `RateLimited`.
pub async fn prekey_drain(
    target: Target,
    from: &str,
    drainers: Vec<Account>,
    per_address: u32,
) -> String {
    let (mut taken, mut limited, mut fetches) = (0u32, 0, 0u32);
    'attack: for round in 0..20 {
        for drainer in &drainers {
            if !target.on() {
                break 'attack;
            }
            let mut d = login_from(target.addr, from, drainer).await;
            for i in 0..10 {
                let request = round * 100 + i + 1;
                d.send(&ClientFrame::FetchBundles {
                    request,
                    account: user("victim"),
                })
                .await;
                fetches += 1;
                match next_frame(&mut d).await {
                    Some(ServerFrame::Bundles { bundles, .. }) => {
                        taken += bundles
                            .iter()
                            .filter(|b| b.one_time_prekey.is_some())
                            .count() as u32;
                    }
                    Some(ServerFrame::Error {
                        code: ErrorCode::RateLimited,
                        ..
                    }) => limited += 1,
                    other => panic!("a bundle fetch was answered {other:?}"),
                }
            }
        }
    }
    assert!(limited > 0, "the drain was never limited");
    assert!(
        taken <= per_address,
        "{taken} one-time prekeys taken from one address"
    );
    format!("prekey drain: {fetches} fetches took {taken} one-time prekeys, {limited} refused")
}
