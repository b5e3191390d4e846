//! Issue 19, finding 7: limits outlive connections. Reconnecting does not reset a device's
//! limits, several accounts on one address share that address's limits, registrations are
//! limited per address, and a device's one-time prekeys are capped.
// Helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use clap::Parser;
use hush_protocol::relay::{ClientFrame, ErrorCode, ServerFrame};
use hush_server::Config;

mod support;

use support::{metric, metrics, start_relay_with, user, Account, Client};

/// The relay's defaults, as the binary parses them (`Config::local` lifts the per-address
/// limits for tests that do not test them).
fn defaults() -> Config {
    Config::try_parse_from(["hush-server"]).unwrap()
}

/// Requests are answered in order: every frame up to this fetch's `NotFound`.
async fn frames_until_barrier(client: &mut Client) -> Vec<ServerFrame> {
    client
        .send(&ClientFrame::FetchBundles {
            request: 9_999,
            account: user("nobody"),
        })
        .await;
    let mut frames = Vec::new();
    loop {
        match client.recv().await {
            ServerFrame::Error {
                request: 9_999,
                code: ErrorCode::NotFound,
                ..
            } => return frames,
            frame => frames.push(frame),
        }
    }
}

/// Bob with `count` one-time prekeys, offline.
async fn offline_bob(server: &support::TestServer, count: u32) -> Account {
    let bob = Account::new("bob", 701);
    let mut b = bob.register(server.addr).await;
    bob.upload_ids(&mut b, 0..count).await;
    frames_until_barrier(&mut b).await;
    bob
}

/// Bob's one-time prekeys left, as his next connection hears.
async fn prekeys_left(server: &support::TestServer, bob: &Account) -> u32 {
    let mut client = Client::connect(server.addr).await;
    let signature = bob.identity.sign(&hush_protocol::relay::auth_message(
        &client.nonce,
        &bob.name,
        1,
    ));
    client
        .send(&ClientFrame::Authenticate {
            account: user(&bob.name),
            device: 1,
            signature,
        })
        .await;
    match client.recv().await {
        ServerFrame::Authenticated { one_time_prekeys } => one_time_prekeys,
        other => panic!("login failed: {other:?}"),
    }
}

/// Fetches Bob's bundles `times` times on `client`: how many one-time prekeys it got, and
/// how many fetches were refused as rate limited.
async fn fetch_bob(client: &mut Client, times: u32) -> (u32, u32) {
    let (mut taken, mut limited) = (0, 0);
    for request in 1..=times {
        client
            .send(&ClientFrame::FetchBundles {
                request,
                account: user("bob"),
            })
            .await;
        match client.recv().await {
            ServerFrame::Bundles { bundles, .. } => {
                taken += bundles
                    .iter()
                    .filter(|b| b.one_time_prekey.is_some())
                    .count() as u32;
            }
            ServerFrame::Error {
                request: r,
                code: ErrorCode::RateLimited,
                ..
            } if r == request => limited += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    (taken, limited)
}

#[tokio::test]
async fn reconnecting_does_not_reset_how_often_a_device_may_fetch_an_account() {
    let server = start_relay_with(|_| {}).await;
    let bob = offline_bob(&server, 50).await;
    let mallory = Account::new("mallory", 702);
    drop(mallory.register(server.addr).await);
    let (mut taken, mut limited) = (0, 0);
    for _ in 0..4 {
        let mut m = mallory.login(server.addr).await;
        assert_eq!(m.drain().await, vec![]);
        let (t, l) = fetch_bob(&mut m, 5).await;
        (taken, limited) = (taken + t, limited + l);
    }
    assert_eq!(
        taken, 5,
        "reconnecting let one device take more of Bob's one-time prekeys"
    );
    assert_eq!(limited, 15);
    assert_eq!(prekeys_left(&server, &bob).await, 45);
}

#[tokio::test]
async fn accounts_on_one_address_cannot_drain_an_offline_users_one_time_prekeys() {
    let limit = defaults().fetches_per_account_per_address;
    let server = start_relay_with(|config| config.fetches_per_account_per_address = limit).await;
    let bob = offline_bob(&server, 100).await;
    let (mut taken, mut limited) = (0, 0);
    // Enough accounts that each one's own limit (5 a minute) lets through more than the
    // address may take.
    let accounts = limit / 5 + 3;
    for i in 0..accounts {
        let mallory = Account::new(&format!("mallory{i}"), 800 + u64::from(i));
        let mut m = mallory.register(server.addr).await;
        let (t, l) = fetch_bob(&mut m, 5).await;
        (taken, limited) = (taken + t, limited + l);
    }
    assert_eq!(
        taken, limit,
        "accounts on one address took more of Bob's one-time prekeys than its limit"
    );
    assert_eq!(limited, accounts * 5 - limit);
    assert_eq!(prekeys_left(&server, &bob).await, 100 - limit);
    let text = metrics(&server).await;
    assert!(metric(&text, "hush_rate_limited_total") >= u64::from(limited));
}

/// Fetches `count` accounts that do not exist: how many fetches were rate limited.
async fn fetch_many(a: &mut Client, from: u32, count: u32) -> u32 {
    let mut limited = 0;
    for request in from..from + count {
        a.send(&ClientFrame::FetchBundles {
            request,
            account: user(&format!("member{request}")),
        })
        .await;
        match a.recv().await {
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                ..
            } => {}
            other => panic!("{other:?}"),
        }
    }
    limited
}

#[tokio::test]
async fn the_bundle_fetch_burst_outlives_the_connection() {
    // Frames are not what limits here: only the fetches' own budget.
    let server = start_relay_with(|config| config.frames_per_second = 1_000_000.0).await;
    let alice = Account::new("alice", 703);
    let mut a = alice.register(server.addr).await;
    let group = hush_protocol::groups::MAX_MEMBERS as u32 + 100;
    assert!(
        fetch_many(&mut a, 0, group).await > 0,
        "the burst never ran out"
    );
    drop(a);
    // Refilled at 2 a second: 20 more fetches right after reconnecting are not all allowed.
    let mut a = alice.login(server.addr).await;
    assert_eq!(a.drain().await, vec![]);
    assert!(
        fetch_many(&mut a, group, 20).await > 0,
        "reconnecting refilled the bundle-fetch burst"
    );
}

#[tokio::test]
async fn registrations_from_one_address_are_limited_and_told() {
    let server = start_relay_with(|config| config.registrations_per_minute = 3).await;
    for i in 0..3 {
        drop(
            Account::new(&format!("user{i}"), 710 + i)
                .register(server.addr)
                .await,
        );
    }
    let late = Account::new("late", 720);
    let mut client = Client::connect(server.addr).await;
    client
        .send(&late.register_frame(&client.nonce.clone()))
        .await;
    match client.recv().await {
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            ..
        } => {}
        other => panic!("a fourth registration from one address in a minute: {other:?}"),
    }
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_registrations_refused_total"), 1);
}

#[tokio::test]
async fn one_time_prekeys_past_the_cap_are_not_kept_and_the_upload_is_told() {
    let server = start_relay_with(|config| config.max_one_time_prekeys = 150).await;
    let alice = Account::new("alice", 730);
    let mut a = alice.register(server.addr).await;
    alice.upload_ids(&mut a, 0..100).await;
    alice.upload_ids(&mut a, 100..200).await;
    let answers = frames_until_barrier(&mut a).await;
    drop(a);
    assert_eq!(
        prekeys_left(&server, &alice).await,
        150,
        "the relay kept one-time prekeys past the cap"
    );
    assert!(
        answers.iter().any(|f| matches!(
            f,
            ServerFrame::Error {
                code: ErrorCode::QuotaExceeded,
                ..
            }
        )),
        "the upload past the cap was not told: {answers:?}"
    );
    let text = metrics(&server).await;
    assert_eq!(metric(&text, "hush_prekeys_refused_total"), 1);
}
