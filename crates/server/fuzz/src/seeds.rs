//! The seed inputs: one valid request of each kind, as each kind of connection sends it. The
//! committed files in `seeds/relay_requests` are these (`cargo test` in crates/server/fuzz
//! checks that they still are; `HUSH_WRITE_SEEDS=1 cargo test` writes them again).

use hush_protocol::linking::ADDRESS_LEN;
use hush_protocol::relay::{ClientFrame, OutgoingEnvelope};

use crate::{join, Account, Who};

/// Every seed input, by file name.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    let (alice, bob, carol) = (Account::alice(), Account::bob(), Account::carol());
    let group = [7; 16];
    vec![
        (
            "guest_register",
            join(
                Who::Guest,
                &[carol.register(), carol.upload(), fetch(&alice)],
            ),
        ),
        (
            "guest_authenticate_send",
            join(Who::Guest, &[alice.authenticate(), send(&bob, 1)]),
        ),
        ("guest_link", join(Who::Guest, &[open_link()])),
        (
            "alice_fetch_send",
            join(Who::Alice, &[fetch(&bob), send(&bob, 1), typing(&bob)]),
        ),
        (
            "alice_group",
            join(
                Who::Alice,
                &[
                    group_send(&[&alice, &bob], group),
                    ClientFrame::GroupCommit {
                        group,
                        epoch: 1,
                        hash: [3; 32],
                    },
                    ClientFrame::GroupOrder { group, after: 0 },
                    ClientFrame::GroupTyping {
                        group,
                        members: vec![bob.username()],
                        typing: true,
                    },
                ],
            ),
        ),
        (
            "alice_devices",
            join(
                Who::Alice,
                &[
                    ClientFrame::PublishDeviceList {
                        request: 4,
                        device_list: alice.list(2).encode(),
                    },
                    send(&bob, 2),
                    ClientFrame::Subscribe {
                        accounts: vec![bob.username()],
                    },
                ],
            ),
        ),
        (
            "bob_ack_push_upload",
            join(
                Who::Bob,
                &[
                    ClientFrame::Ack { ids: vec![1, 2] },
                    ClientFrame::AckExpired { ids: vec![1] },
                    push_subscribe(),
                    ClientFrame::RequestUpload {
                        request: 5,
                        size: 1000,
                    },
                    ClientFrame::RenewBlob {
                        request: 6,
                        id: [9; 32],
                    },
                    ClientFrame::FetchLink {
                        request: 7,
                        address: [1; ADDRESS_LEN],
                    },
                    ClientFrame::Provision {
                        request: 8,
                        address: [1; ADDRESS_LEN],
                        sealed: vec![0; 64],
                    },
                    ClientFrame::PushUnsubscribe,
                ],
            ),
        ),
    ]
}

fn fetch(account: &Account) -> ClientFrame {
    ClientFrame::FetchBundles {
        request: 1,
        account: account.username(),
    }
}

/// A 1:1 send to `to`'s `devices` first devices.
fn send(to: &Account, devices: u32) -> ClientFrame {
    ClientFrame::Send {
        client_id: [1; 16],
        recipient: to.username(),
        envelopes: (1..=devices)
            .map(|device| OutgoingEnvelope {
                device,
                payload: vec![0xab; 48],
            })
            .collect(),
    }
}

fn group_send(members: &[&Account], group: [u8; 16]) -> ClientFrame {
    let mut payload = group.to_vec();
    payload.extend_from_slice(&[0xcd; 48]);
    ClientFrame::GroupSend {
        client_id: [2; 16],
        members: members.iter().map(|m| m.username()).collect(),
        payload,
    }
}

fn typing(to: &Account) -> ClientFrame {
    ClientFrame::Typing {
        to: to.username(),
        typing: true,
    }
}

fn open_link() -> ClientFrame {
    ClientFrame::OpenLink {
        address: [1; ADDRESS_LEN],
        announcement: vec![0; 32],
    }
}

fn push_subscribe() -> ClientFrame {
    ClientFrame::PushSubscribe {
        endpoint: "https://push.example.com/send/abc".to_owned(),
        p256dh: [4; 65],
        auth: [5; 16],
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use hush_protocol::relay::{ErrorCode, ServerFrame};

    /// What the relay says to each seed: the seeds reach the handlers behind authentication,
    /// which arbitrary bytes alone would not.
    #[test]
    fn seeds_are_served() {
        let runtime = crate::relay::runtime();
        let (relay, _dir) = crate::relay::fresh(&runtime);
        for (name, input) in super::all() {
            let (who, frames) = crate::split(&input).unwrap();
            let said: Vec<ServerFrame> = runtime
                .block_on(relay.connection(&crate::NONCE, who.device(), frames))
                .iter()
                .map(|bytes| ServerFrame::decode(bytes).unwrap())
                .collect();
            let kinds: Vec<String> = said
                .iter()
                .map(|frame| format!("{frame:?}").chars().take(40).collect())
                .collect();
            let refused = said.iter().any(|frame| {
                matches!(
                    frame,
                    ServerFrame::Error {
                        code: ErrorCode::Malformed | ErrorCode::Unauthenticated,
                        ..
                    }
                )
            });
            assert!(!refused, "{name}: {kinds:#?}");
            let expected = match name {
                "guest_register" | "alice_fetch_send" => "Bundles",
                "guest_authenticate_send" => "Sent",
                "guest_link" => "LinkOpened",
                "alice_group" => "GroupCommitted",
                "alice_devices" => "DeviceListPublished",
                _ => "PushSubscribed",
            };
            assert!(
                kinds.iter().any(|kind| kind.starts_with(expected)),
                "{name}: no {expected} in {kinds:#?}"
            );
        }
        runtime.block_on(relay.close()).unwrap();
    }

    /// The committed seeds are the current encodings (or are written again on request).
    #[test]
    fn committed_seeds_are_current() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/relay_requests");
        let write = std::env::var_os("HUSH_WRITE_SEEDS").is_some();
        for (name, input) in super::all() {
            let path = dir.join(name);
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &input).unwrap();
            }
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == input,
                "{name} is stale: HUSH_WRITE_SEEDS=1 cargo test"
            );
        }
    }
}
