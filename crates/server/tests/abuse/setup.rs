//! The cast of the abuse suite, made before the attack: honest pairs signed in, the attackers'
//! accounts registered, the slow readers' queues filled, the victim's prekeys uploaded.

use std::net::SocketAddr;

use hush_protocol::relay::{
    auth_message, ClientFrame, ErrorCode, OutgoingEnvelope, SendOutcome, ServerFrame, MAX_PAYLOAD,
};

use crate::support::{self, user, Account, Client, TestServer};

/// Honest pairs exchanging messages.
const PAIRS: usize = 3;
/// Devices that read nothing, each with a full queue.
pub const SLOTHS: usize = 3;
/// Accounts that fill each slow reader's queue (each up to its own account quota).
const FEEDERS_PER_SLOTH: usize = 2;
/// Accounts a group send names.
const MEMBERS: usize = 20;
/// Devices draining the victim's one-time prekeys from one address.
const DRAINERS: usize = 4;
/// The victim's one-time prekeys.
pub const VICTIM_PREKEYS: u32 = 100;

/// Everyone, ready for the attack.
pub struct Cast {
    /// Alice's and Bob's connections, and Bob's name.
    pub honest_clients: Vec<(Client, Client, String)>,
    pub hostile: Hostile,
    /// The account whose one-time prekeys are drained (offline).
    pub victim: Account,
}

/// The attackers' accounts (none connected).
pub struct Hostile {
    pub sloths: Vec<Account>,
    /// Names of accounts that exist, for the enumeration.
    pub known: Vec<String>,
    pub amplifier: Account,
    pub members: Vec<String>,
    pub hoarder: Account,
    pub resetter: Account,
    pub drainers: Vec<Account>,
}

/// Registers everyone (from loopback) and fills the slow readers' queues.
pub async fn cast(addr: SocketAddr) -> Cast {
    let mut seed = 50_000;
    let mut account = |name: String| {
        seed += 1;
        Account::new(&name, seed)
    };
    let mut honest_clients = Vec::new();
    for i in 0..PAIRS {
        let (alice, bob) = (account(format!("alice{i}")), account(format!("bob{i}")));
        let a = alice.register(addr).await;
        let b = bob.register(addr).await;
        honest_clients.push((a, b, bob.name.clone()));
    }
    let sloths: Vec<_> = (0..SLOTHS).map(|i| account(format!("sloth{i}"))).collect();
    for sloth in &sloths {
        drop(sloth.register(addr).await);
        for k in 0..FEEDERS_PER_SLOTH {
            let feeder = account(format!("feeder{}{k}", &sloth.name));
            feed(&mut feeder.register(addr).await, &sloth.name).await;
        }
    }
    let members: Vec<_> = (0..MEMBERS)
        .map(|i| account(format!("member{i}")))
        .collect();
    for member in &members {
        drop(member.register(addr).await);
    }
    let victim = account("victim".to_owned());
    upload_prekeys(addr, &victim).await;
    let hostile = Hostile {
        known: vec![
            "alice0".into(),
            "bob1".into(),
            "member3".into(),
            "victim".into(),
            "sloth0".into(),
        ],
        sloths,
        amplifier: registered(addr, account("amplifier".to_owned())).await,
        members: members.into_iter().map(|m| m.name).collect(),
        hoarder: registered(addr, account("hoarder".to_owned())).await,
        resetter: registered(addr, account("resetter".to_owned())).await,
        drainers: {
            let mut drainers = Vec::new();
            for i in 0..DRAINERS {
                drainers.push(registered(addr, account(format!("drainer{i}"))).await);
            }
            drainers
        },
    };
    Cast {
        honest_clients,
        hostile,
        victim,
    }
}

async fn registered(addr: SocketAddr, account: Account) -> Account {
    drop(account.register(addr).await);
    account
}

/// Sends `sloth` envelopes as large as they get until the relay refuses one past a quota.
async fn feed(feeder: &mut Client, sloth: &str) {
    // More than fit in a quota, all in flight at once (within the frame burst).
    let sends = (super::QUEUED_PER_ACCOUNT / MAX_PAYLOAD as u64) as u32 + 20;
    for n in 0..sends {
        let mut client_id = [0; 16];
        client_id[..4].copy_from_slice(&n.to_be_bytes());
        feeder
            .send(&ClientFrame::Send {
                client_id,
                recipient: user(sloth),
                envelopes: vec![OutgoingEnvelope {
                    device: 1,
                    payload: vec![0xEE; MAX_PAYLOAD - 64],
                }],
            })
            .await;
    }
    let mut over_quota = 0;
    for _ in 0..sends {
        match feeder.recv().await {
            ServerFrame::Sent {
                outcome: SendOutcome::Stored,
                ..
            } => {}
            ServerFrame::Sent {
                outcome:
                    SendOutcome::Refused {
                        code: ErrorCode::QuotaExceeded,
                        ..
                    },
                ..
            } => over_quota += 1,
            other => panic!("feeding a slow reader: {other:?}"),
        }
    }
    assert!(
        over_quota > 0,
        "a slow reader's queue was not filled to a quota"
    );
}

/// The victim of the prekey drain: one-time prekeys uploaded, then offline.
async fn upload_prekeys(addr: SocketAddr, victim: &Account) {
    let mut v = victim.register(addr).await;
    victim.upload(&mut v, VICTIM_PREKEYS).await;
    // Requests are answered in order: once this is, the upload is stored.
    v.send(&ClientFrame::FetchBundles {
        request: 1,
        account: user("nobody"),
    })
    .await;
    match v.recv().await {
        ServerFrame::Error {
            request: 1,
            code: ErrorCode::NotFound,
            ..
        } => {}
        other => panic!("the victim's upload: {other:?}"),
    }
}

/// After the attack, the victim has lost at most what one address may take.
pub async fn victim_kept_its_prekeys(addr: SocketAddr, victim: &Account, per_address: u32) {
    let mut client = Client::connect(addr).await;
    let signature = victim
        .identity
        .sign(&auth_message(&client.nonce, &victim.name, 1));
    client
        .send(&ClientFrame::Authenticate {
            account: user(&victim.name),
            device: 1,
            signature,
        })
        .await;
    match client.recv().await {
        ServerFrame::Authenticated { one_time_prekeys } => assert!(
            one_time_prekeys >= VICTIM_PREKEYS - per_address,
            "the victim has {one_time_prekeys} one-time prekeys left"
        ),
        other => panic!("the victim could not sign in: {other:?}"),
    }
}

/// The relay's counters of what it refused, for the report.
pub async fn refusal_metrics(server: &TestServer) -> String {
    let text = support::metrics(server).await;
    let names = [
        "hush_write_timeouts_total",
        "hush_guests_refused_total",
        "hush_guests_timed_out_total",
        "hush_links_refused_total",
        "hush_rate_limited_total",
        "hush_blob_refusals_total",
        "hush_queue_quota_refusals_total",
        "hush_auth_failures_total",
    ];
    let found: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let value = text
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))?;
            Some(format!("{name} {value}"))
        })
        .collect();
    format!("relay counters: {}", found.join(", "))
}
