//! The frames client and relay exchange over the WebSocket (one binary message each). Same
//! rules as [`crate::wire`]: version byte, type byte, big-endian, every length bounded, strict
//! decoding. The relay sees only these envelopes; payloads are end-to-end encrypted messages.

use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::MAX_DEVICES;
pub use crate::devices::MAX_DEVICE_LIST;
use crate::keys::{OneTimePreKey, SignedPreKey, MAX_ACCOUNT_LEN};
use crate::wire::{PreKeyBundle, MAX_CIPHERTEXT};

/// The largest frame either side sends.
pub const MAX_FRAME: usize = 256 * 1024;
/// The largest envelope payload (a prekey message around the largest ciphertext).
pub const MAX_PAYLOAD: usize = MAX_CIPHERTEXT + 1024;
/// One-time prekeys per upload.
pub const MAX_PREKEYS_PER_UPLOAD: usize = 100;
/// Envelope ids per ack.
pub const MAX_ACKS: usize = 1000;
/// Accounts per presence subscription.
pub const MAX_SUBSCRIPTIONS: usize = 256;
/// Below this many one-time prekeys on the relay a device uploads more (the relay says
/// `PreKeysLow` under it, and a device checks it on each connection).
pub const LOW_PREKEYS: u32 = 20;
/// The largest link announcement (`crate::linking::Announcement`).
pub const MAX_ANNOUNCEMENT: usize = 256;
/// The largest sealed provisioning message.
pub const MAX_PROVISIONING: usize = 1024 + MAX_DEVICE_LIST;
/// The longest push endpoint URL.
pub const MAX_PUSH_ENDPOINT: usize = 1024;
const MAX_ERROR_TEXT: usize = 256;
const MAX_BUNDLE: usize = 300;

/// Domain separation of the connection-authentication signature.
const AUTH_LABEL: &[u8] = b"Hush relay auth v1";

/// What a device signs with its identity key to authenticate a connection: the label, the
/// relay's fresh challenge, the account and the device. A signature is good for one
/// connection only (the challenge is new each time) and says which device it is for.
pub fn auth_message(challenge: &[u8; 32], account: &str, device: u32) -> Vec<u8> {
    let mut w = Writer::with_capacity(AUTH_LABEL.len() + 32 + 8 + account.len());
    w.raw(AUTH_LABEL)
        .raw(challenge)
        .var(account.as_bytes())
        .u32(device);
    w.buf
}

/// One envelope of a send: the ciphertext for one device of the recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEnvelope {
    /// The recipient's device.
    pub device: u32,
    /// The encrypted message for it.
    pub payload: Vec<u8>,
}

/// A frame from a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientFrame {
    /// Creates an account and authenticates this connection as its first device.
    Register {
        /// The account's Ed25519 key.
        account_key: [u8; 32],
        /// The first device list (encoded [`crate::devices::DeviceList`]), signed by that key.
        device_list: Vec<u8>,
        /// Which listed device this connection is.
        device: u32,
        /// The device identity's signature over [`auth_message`].
        signature: [u8; 64],
    },
    /// Authenticates this connection as an existing device.
    Authenticate {
        /// The account.
        account: String,
        /// The device.
        device: u32,
        /// The device identity's signature over [`auth_message`].
        signature: [u8; 64],
    },
    /// Publishes a signed prekey and one-time prekeys.
    UploadPreKeys {
        /// The new signed prekey.
        signed_prekey: SignedPreKey,
        /// More one-time prekeys.
        one_time: Vec<OneTimePreKey>,
    },
    /// Asks for the device list and a prekey bundle per device of an account.
    FetchBundles {
        /// Echoed in the answer.
        request: u32,
        /// The account.
        account: String,
    },
    /// One message to every device of one account.
    Send {
        /// Chosen by the sender; a resend with the same id is not stored twice.
        client_id: [u8; 16],
        /// The recipient account.
        recipient: String,
        /// One per recipient device.
        envelopes: Vec<OutgoingEnvelope>,
    },
    /// The envelopes are committed on this device and may be deleted.
    Ack {
        /// Envelope ids.
        ids: Vec<u64>,
    },
    /// Typing started or stopped in a chat with `to`.
    Typing {
        /// The other account.
        to: String,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// Typing started or stopped in a group: told to the members' connected devices.
    GroupTyping {
        /// The group (members check the sender is in it).
        group: [u8; 16],
        /// The members' accounts (as for [`ClientFrame::GroupSend`]).
        members: Vec<String>,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// Presence updates wanted for these accounts.
    Subscribe {
        /// Accounts.
        accounts: Vec<String>,
    },
    /// Asks the relay to wake this device with a Web Push (RFC 8030) while it is offline. The
    /// push carries no message content and no sender. Replaces an earlier subscription.
    PushSubscribe {
        /// The push service's endpoint: an `https://` (or `http://`) URL of at most
        /// [`MAX_PUSH_ENDPOINT`] bytes.
        endpoint: String,
        /// The subscription's P-256 public key (uncompressed point, RFC 8291).
        p256dh: [u8; 65],
        /// The subscription's authentication secret (RFC 8291).
        auth: [u8; 16],
    },
    /// Drops this device's push subscription.
    PushUnsubscribe,
    /// Replaces the account's device list with a newer one signed by the account key.
    PublishDeviceList {
        /// Echoed in the answer.
        request: u32,
        /// The encoded [`crate::devices::DeviceList`].
        device_list: Vec<u8>,
    },
    /// The [`ServerFrame::Expired`] notices are recorded on this device and may be deleted.
    AckExpired {
        /// Notice ids.
        ids: Vec<u64>,
    },
    /// Asks for a one-time grant to upload one encrypted attachment of at most `size` bytes.
    RequestUpload {
        /// Echoed in the answer.
        request: u32,
        /// The blob's size in bytes.
        size: u32,
    },
    /// A browser to be linked (not authenticated) waits at `address` with its announcement,
    /// for one provisioning message, for a few minutes.
    OpenLink {
        /// The link code's address.
        address: [u8; crate::linking::ADDRESS_LEN],
        /// The encoded [`crate::linking::Announcement`].
        announcement: Vec<u8>,
    },
    /// Asks for the announcement waiting at a link code's address.
    FetchLink {
        /// Echoed in the answer.
        request: u32,
        /// The link code's address.
        address: [u8; crate::linking::ADDRESS_LEN],
    },
    /// One group message, encrypted once with the sender's sender key, for every device of
    /// every member (the sender's own other devices included). The relay does not know who is
    /// in a group: the sender names the members, and only they hold the sender key.
    GroupSend {
        /// Chosen by the sender; a resend with the same id is not stored twice.
        client_id: [u8; 16],
        /// The members' accounts (at most [`crate::groups::MAX_MEMBERS`], each once).
        members: Vec<String>,
        /// The same for every device.
        payload: Vec<u8>,
    },
    /// Hands the browser waiting at `address` its provisioning message (once).
    Provision {
        /// Echoed in the answer.
        request: u32,
        /// The link code's address.
        address: [u8; crate::linking::ADDRESS_LEN],
        /// `crate::linking::seal`'s output.
        sealed: Vec<u8>,
    },
}

/// What became of a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// Durably stored for every device (and delivered to those online).
    Stored,
    /// Nothing was stored: the envelopes do not match the recipient's current device list.
    Mismatch {
        /// Listed devices with no envelope.
        missing: Vec<u32>,
        /// Envelopes for devices not listed.
        extra: Vec<u32>,
    },
    /// No such account.
    UnknownRecipient,
}

/// Error codes of [`ServerFrame::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum ErrorCode {
    /// The frame could not be decoded.
    Malformed = 1,
    /// The connection must authenticate first.
    Unauthenticated = 2,
    /// Authentication failed.
    AuthFailed = 3,
    /// The username is taken.
    NameTaken = 4,
    /// The request is invalid (a bad signature, a bad list...).
    Invalid = 5,
    /// Too many requests: slow down.
    RateLimited = 6,
    /// No such account or device.
    NotFound = 7,
    /// The relay failed; try again later.
    Internal = 8,
}

impl ErrorCode {
    fn from_u16(v: u16) -> Result<Self, DecodeError> {
        Ok(match v {
            1 => Self::Malformed,
            2 => Self::Unauthenticated,
            3 => Self::AuthFailed,
            4 => Self::NameTaken,
            5 => Self::Invalid,
            6 => Self::RateLimited,
            7 => Self::NotFound,
            8 => Self::Internal,
            _ => return Err(DecodeError::Invalid("error code")),
        })
    }
}

/// A frame from the relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerFrame {
    /// Sent first on every connection.
    Challenge {
        /// Fresh random bytes to sign.
        nonce: [u8; 32],
    },
    /// The connection now acts for the device.
    Authenticated {
        /// One-time prekeys the device has left on the relay.
        one_time_prekeys: u32,
    },
    /// A request failed.
    Error {
        /// The request it answers (0 when none).
        request: u32,
        /// What went wrong.
        code: ErrorCode,
        /// For logs and developers.
        message: String,
    },
    /// The answer to a send.
    Sent {
        /// The send's id.
        client_id: [u8; 16],
        /// What happened.
        outcome: SendOutcome,
    },
    /// A message for this device. Ack it once it is committed locally.
    Envelope {
        /// The relay's id, to ack.
        id: u64,
        /// Sender account.
        sender: String,
        /// Sender device.
        sender_device: u32,
        /// When the relay accepted it (ms since the epoch).
        received_ms: u64,
        /// The encrypted message.
        payload: Vec<u8>,
    },
    /// Every queued envelope has been sent; what follows is live.
    QueueDrained,
    /// The answer to [`ClientFrame::FetchBundles`].
    Bundles {
        /// The request it answers.
        request: u32,
        /// The account key the relay holds for the account (senders pin the first one they
        /// see, and compare safety numbers to confirm it).
        account_key: [u8; 32],
        /// The account's signed device list, to verify before using the bundles.
        device_list: Vec<u8>,
        /// One bundle per device with prekeys.
        bundles: Vec<PreKeyBundle>,
    },
    /// The device should upload more one-time prekeys.
    PreKeysLow {
        /// How many are left.
        remaining: u32,
    },
    /// Someone is typing to this account.
    Typing {
        /// Who.
        from: String,
        /// Started or stopped.
        typing: bool,
    },
    /// Someone is typing in a group this account is in (as the sender says).
    GroupTyping {
        /// The group.
        group: [u8; 16],
        /// Who.
        from: String,
        /// Started or stopped.
        typing: bool,
    },
    /// A subscribed account came online or went offline.
    Presence {
        /// Which account.
        account: String,
        /// Whether any of its devices is connected.
        online: bool,
        /// When it was last connected (ms since the epoch; 0 if never).
        last_seen_ms: u64,
    },
    /// Envelopes of a send expired undelivered (after 30 days) for one device. Kept by the
    /// relay until acknowledged with [`ClientFrame::AckExpired`], and sent again on every
    /// connection until then.
    Expired {
        /// The notice's id (for [`ClientFrame::AckExpired`]).
        id: u64,
        /// The send's id.
        client_id: [u8; 16],
        /// Recipient account.
        recipient: String,
        /// Recipient device.
        device: u32,
    },
    /// The answer to [`ClientFrame::PushSubscribe`] and [`ClientFrame::PushUnsubscribe`].
    PushSubscribed,
    /// The answer to [`ClientFrame::PublishDeviceList`]: the list is stored.
    DeviceListPublished {
        /// The request it answers.
        request: u32,
        /// The stored version.
        version: u64,
    },
    /// The answer to [`ClientFrame::RequestUpload`]: `PUT /blobs/<id>` (hex) within ten
    /// minutes, once; the same id fetches it afterwards.
    UploadGranted {
        /// The request it answers.
        request: u32,
        /// The blob's unguessable id.
        id: [u8; 32],
    },
    /// The answer to [`ClientFrame::OpenLink`]: the address is open.
    LinkOpened {
        /// Seconds until it closes.
        expires_in_s: u32,
    },
    /// The answer to [`ClientFrame::FetchLink`].
    LinkAnnouncement {
        /// The request it answers.
        request: u32,
        /// The encoded [`crate::linking::Announcement`], to verify with the code.
        announcement: Vec<u8>,
    },
    /// The answer to [`ClientFrame::Provision`]: the waiting browser has it.
    Provisioned {
        /// The request it answers.
        request: u32,
    },
    /// To the browser waiting at a link address: its provisioning message.
    Provisioning {
        /// `crate::linking::seal`'s output.
        sealed: Vec<u8>,
    },
    /// The device's own account's signed list: just before `Authenticated`, whenever a device of the
    /// account publishes a new one, and to a device that tries to authenticate but is no longer
    /// listed (it verifies the list with its account key before believing it was unlinked).
    OwnDevices {
        /// The encoded [`crate::devices::DeviceList`].
        device_list: Vec<u8>,
        /// When each listed device was last connected, as the relay saw it (ms since the
        /// epoch; 0: never; now for a connected one), by device id.
        last_active: Vec<(u32, u64)>,
    },
}

fn write_str(w: &mut Writer, s: &str) {
    w.var(s.as_bytes());
}

fn read_str(r: &mut Reader<'_>, field: &'static str, limit: usize) -> Result<String, DecodeError> {
    let bytes = r.var(field, limit)?;
    core::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| DecodeError::Invalid(field))
}

/// A group's member list (as `GroupSend` and `GroupTyping` name it).
fn write_members(w: &mut Writer, members: &[String]) {
    w.u32(members.len() as u32);
    for member in members {
        write_str(w, member);
    }
}

fn read_members(r: &mut Reader<'_>) -> Result<Vec<String>, DecodeError> {
    let n = r.count("members", crate::groups::MAX_MEMBERS, 5)?;
    (0..n).map(|_| read_account(r)).collect()
}

fn read_account(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let name = read_str(r, "account name", MAX_ACCOUNT_LEN)?;
    if name.is_empty() {
        return Err(DecodeError::Invalid("account name"));
    }
    Ok(name)
}

fn write_ids(w: &mut Writer, ids: &[u32]) {
    w.u32(ids.len() as u32);
    for id in ids {
        w.u32(*id);
    }
}

fn read_ids(r: &mut Reader<'_>) -> Result<Vec<u32>, DecodeError> {
    let n = r.count("device ids", MAX_DEVICES, 4)?;
    (0..n).map(|_| r.u32()).collect()
}

/// A push endpoint: `https://` or `http://` then a host, printable ASCII only.
fn read_endpoint(r: &mut Reader<'_>) -> Result<String, DecodeError> {
    let url = read_str(r, "push endpoint", MAX_PUSH_ENDPOINT)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(DecodeError::Invalid("push endpoint"))?;
    if rest.is_empty() || rest.starts_with('/') || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(DecodeError::Invalid("push endpoint"));
    }
    Ok(url)
}

/// Checks a frame's size and version; returns a reader past them and the type byte.
fn open_frame(bytes: &[u8]) -> Result<(Reader<'_>, u8), DecodeError> {
    if bytes.len() > MAX_FRAME {
        return Err(DecodeError::TooLong {
            field: "frame",
            limit: MAX_FRAME,
        });
    }
    let mut r = Reader::new(bytes);
    let version = r.u8()?;
    if version != crate::WIRE_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let kind = r.u8()?;
    Ok((r, kind))
}

impl ClientFrame {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128);
        w.u8(crate::WIRE_VERSION);
        match self {
            Self::Register {
                account_key,
                device_list,
                device,
                signature,
            } => {
                w.u8(0x20)
                    .raw(account_key)
                    .var(device_list)
                    .u32(*device)
                    .raw(signature);
            }
            Self::Authenticate {
                account,
                device,
                signature,
            } => {
                w.u8(0x21);
                write_str(&mut w, account);
                w.u32(*device).raw(signature);
            }
            Self::UploadPreKeys {
                signed_prekey,
                one_time,
            } => {
                w.u8(0x22)
                    .u32(signed_prekey.id)
                    .raw(signed_prekey.public.as_bytes())
                    .raw(&signed_prekey.signature)
                    .u32(one_time.len() as u32);
                for k in one_time {
                    w.u32(k.id).raw(k.public.as_bytes());
                }
            }
            Self::FetchBundles { request, account } => {
                w.u8(0x23).u32(*request);
                write_str(&mut w, account);
            }
            Self::Send {
                client_id,
                recipient,
                envelopes,
            } => {
                w.u8(0x24).raw(client_id);
                write_str(&mut w, recipient);
                w.u32(envelopes.len() as u32);
                for e in envelopes {
                    w.u32(e.device).var(&e.payload);
                }
            }
            Self::Ack { ids } => {
                w.u8(0x25).u32(ids.len() as u32);
                for id in ids {
                    w.raw(&id.to_be_bytes());
                }
            }
            Self::Typing { to, typing } => {
                w.u8(0x26);
                write_str(&mut w, to);
                w.u8(u8::from(*typing));
            }
            Self::GroupTyping {
                group,
                members,
                typing,
            } => {
                w.u8(0x31).raw(group);
                write_members(&mut w, members);
                w.u8(u8::from(*typing));
            }
            Self::Subscribe { accounts } => {
                w.u8(0x27).u32(accounts.len() as u32);
                for a in accounts {
                    write_str(&mut w, a);
                }
            }
            Self::PushSubscribe {
                endpoint,
                p256dh,
                auth,
            } => {
                w.u8(0x28);
                write_str(&mut w, endpoint);
                w.raw(p256dh).raw(auth);
            }
            Self::PushUnsubscribe => {
                w.u8(0x29);
            }
            Self::RequestUpload { request, size } => {
                w.u8(0x2A).u32(*request).u32(*size);
            }
            Self::PublishDeviceList {
                request,
                device_list,
            } => {
                w.u8(0x2B).u32(*request).var(device_list);
            }
            Self::AckExpired { ids } => {
                w.u8(0x2C).u32(ids.len() as u32);
                for id in ids {
                    w.raw(&id.to_be_bytes());
                }
            }
            Self::OpenLink {
                address,
                announcement,
            } => {
                w.u8(0x2D).raw(address).var(announcement);
            }
            Self::FetchLink { request, address } => {
                w.u8(0x2E).u32(*request).raw(address);
            }
            Self::Provision {
                request,
                address,
                sealed,
            } => {
                w.u8(0x2F).u32(*request).raw(address).var(sealed);
            }
            Self::GroupSend {
                client_id,
                members,
                payload,
            } => {
                w.u8(0x30).raw(client_id);
                write_members(&mut w, members);
                w.var(payload);
            }
        }
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (mut r, kind) = open_frame(bytes)?;
        let frame = match kind {
            0x20 => Self::Register {
                account_key: r.array()?,
                device_list: r.var("device list", MAX_DEVICE_LIST)?.to_vec(),
                device: r.u32()?,
                signature: r.array()?,
            },
            0x21 => Self::Authenticate {
                account: read_account(&mut r)?,
                device: r.u32()?,
                signature: r.array()?,
            },
            0x22 => {
                let signed_prekey = SignedPreKey {
                    id: r.u32()?,
                    public: r.x25519("signed prekey")?,
                    signature: r.array()?,
                };
                let n = r.count("one-time prekeys", MAX_PREKEYS_PER_UPLOAD, 36)?;
                let mut one_time = Vec::with_capacity(n);
                for _ in 0..n {
                    one_time.push(OneTimePreKey {
                        id: r.u32()?,
                        public: r.x25519("one-time prekey")?,
                    });
                }
                Self::UploadPreKeys {
                    signed_prekey,
                    one_time,
                }
            }
            0x23 => Self::FetchBundles {
                request: r.u32()?,
                account: read_account(&mut r)?,
            },
            0x24 => {
                let client_id = r.array()?;
                let recipient = read_account(&mut r)?;
                let n = r.count("envelopes", MAX_DEVICES, 8)?;
                let mut envelopes = Vec::with_capacity(n);
                for _ in 0..n {
                    envelopes.push(OutgoingEnvelope {
                        device: r.u32()?,
                        payload: r.var("payload", MAX_PAYLOAD)?.to_vec(),
                    });
                }
                Self::Send {
                    client_id,
                    recipient,
                    envelopes,
                }
            }
            0x25 => {
                let n = r.count("acks", MAX_ACKS, 8)?;
                let ids = (0..n)
                    .map(|_| r.array().map(u64::from_be_bytes))
                    .collect::<Result<_, _>>()?;
                Self::Ack { ids }
            }
            0x26 => Self::Typing {
                to: read_account(&mut r)?,
                typing: r.bool("typing flag")?,
            },
            0x31 => Self::GroupTyping {
                group: r.array()?,
                members: read_members(&mut r)?,
                typing: r.bool("typing flag")?,
            },
            0x27 => {
                let n = r.count("subscriptions", MAX_SUBSCRIPTIONS, 5)?;
                let accounts = (0..n)
                    .map(|_| read_account(&mut r))
                    .collect::<Result<_, _>>()?;
                Self::Subscribe { accounts }
            }
            0x28 => Self::PushSubscribe {
                endpoint: read_endpoint(&mut r)?,
                p256dh: r.array()?,
                auth: r.array()?,
            },
            0x29 => Self::PushUnsubscribe,
            0x2A => Self::RequestUpload {
                request: r.u32()?,
                size: r.u32()?,
            },
            0x2B => Self::PublishDeviceList {
                request: r.u32()?,
                device_list: r.var("device list", MAX_DEVICE_LIST)?.to_vec(),
            },
            0x2C => {
                let n = r.count("acks", MAX_ACKS, 8)?;
                let ids = (0..n)
                    .map(|_| r.array().map(u64::from_be_bytes))
                    .collect::<Result<_, _>>()?;
                Self::AckExpired { ids }
            }
            0x2D => Self::OpenLink {
                address: r.array()?,
                announcement: r.var("announcement", MAX_ANNOUNCEMENT)?.to_vec(),
            },
            0x2E => Self::FetchLink {
                request: r.u32()?,
                address: r.array()?,
            },
            0x2F => Self::Provision {
                request: r.u32()?,
                address: r.array()?,
                sealed: r.var("provisioning", MAX_PROVISIONING)?.to_vec(),
            },
            0x30 => Self::GroupSend {
                client_id: r.array()?,
                members: read_members(&mut r)?,
                payload: r.var("payload", MAX_PAYLOAD)?.to_vec(),
            },
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(frame)
    }
}

impl ServerFrame {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        w.u8(crate::WIRE_VERSION);
        match self {
            Self::Challenge { nonce } => {
                w.u8(0x40).raw(nonce);
            }
            Self::Authenticated { one_time_prekeys } => {
                w.u8(0x41).u32(*one_time_prekeys);
            }
            Self::Error {
                request,
                code,
                message,
            } => {
                let text = truncate(message, MAX_ERROR_TEXT);
                w.u8(0x42).u32(*request).raw(&(*code as u16).to_be_bytes());
                write_str(&mut w, text);
            }
            Self::Sent { client_id, outcome } => {
                w.u8(0x43).raw(client_id);
                match outcome {
                    SendOutcome::Stored => {
                        w.u8(0);
                    }
                    SendOutcome::Mismatch { missing, extra } => {
                        w.u8(1);
                        write_ids(&mut w, missing);
                        write_ids(&mut w, extra);
                    }
                    SendOutcome::UnknownRecipient => {
                        w.u8(2);
                    }
                }
            }
            Self::Envelope {
                id,
                sender,
                sender_device,
                received_ms,
                payload,
            } => {
                w.u8(0x44).raw(&id.to_be_bytes());
                write_str(&mut w, sender);
                w.u32(*sender_device)
                    .raw(&received_ms.to_be_bytes())
                    .var(payload);
            }
            Self::QueueDrained => {
                w.u8(0x45);
            }
            Self::Bundles {
                request,
                account_key,
                device_list,
                bundles,
            } => {
                w.u8(0x46)
                    .u32(*request)
                    .raw(account_key)
                    .var(device_list)
                    .u32(bundles.len() as u32);
                for b in bundles {
                    w.var(&b.encode());
                }
            }
            Self::PreKeysLow { remaining } => {
                w.u8(0x47).u32(*remaining);
            }
            Self::Typing { from, typing } => {
                w.u8(0x48);
                write_str(&mut w, from);
                w.u8(u8::from(*typing));
            }
            Self::GroupTyping {
                group,
                from,
                typing,
            } => {
                w.u8(0x53).raw(group);
                write_str(&mut w, from);
                w.u8(u8::from(*typing));
            }
            Self::Presence {
                account,
                online,
                last_seen_ms,
            } => {
                w.u8(0x49);
                write_str(&mut w, account);
                w.u8(u8::from(*online)).raw(&last_seen_ms.to_be_bytes());
            }
            Self::Expired {
                id,
                client_id,
                recipient,
                device,
            } => {
                w.u8(0x4A).raw(&id.to_be_bytes()).raw(client_id);
                write_str(&mut w, recipient);
                w.u32(*device);
            }
            Self::PushSubscribed => {
                w.u8(0x4B);
            }
            Self::UploadGranted { request, id } => {
                w.u8(0x4C).u32(*request).raw(id);
            }
            Self::DeviceListPublished { request, version } => {
                w.u8(0x4D).u32(*request).raw(&version.to_be_bytes());
            }
            Self::LinkOpened { expires_in_s } => {
                w.u8(0x4E).u32(*expires_in_s);
            }
            Self::LinkAnnouncement {
                request,
                announcement,
            } => {
                w.u8(0x4F).u32(*request).var(announcement);
            }
            Self::Provisioned { request } => {
                w.u8(0x50).u32(*request);
            }
            Self::OwnDevices {
                device_list,
                last_active,
            } => {
                w.u8(0x52).var(device_list).u32(last_active.len() as u32);
                for (device, ms) in last_active {
                    w.u32(*device).u64(*ms);
                }
            }
            Self::Provisioning { sealed } => {
                w.u8(0x51).var(sealed);
            }
        }
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (mut r, kind) = open_frame(bytes)?;
        let frame = match kind {
            0x40 => Self::Challenge { nonce: r.array()? },
            0x41 => Self::Authenticated {
                one_time_prekeys: r.u32()?,
            },
            0x42 => Self::Error {
                request: r.u32()?,
                code: ErrorCode::from_u16(u16::from_be_bytes(r.array()?))?,
                message: read_str(&mut r, "error text", MAX_ERROR_TEXT)?,
            },
            0x43 => {
                let client_id = r.array()?;
                let outcome = match r.u8()? {
                    0 => SendOutcome::Stored,
                    1 => SendOutcome::Mismatch {
                        missing: read_ids(&mut r)?,
                        extra: read_ids(&mut r)?,
                    },
                    2 => SendOutcome::UnknownRecipient,
                    _ => return Err(DecodeError::Invalid("send outcome")),
                };
                Self::Sent { client_id, outcome }
            }
            0x44 => Self::Envelope {
                id: u64::from_be_bytes(r.array()?),
                sender: read_account(&mut r)?,
                sender_device: r.u32()?,
                received_ms: u64::from_be_bytes(r.array()?),
                payload: r.var("payload", MAX_PAYLOAD)?.to_vec(),
            },
            0x45 => Self::QueueDrained,
            0x46 => {
                let request = r.u32()?;
                let account_key = r.array()?;
                let device_list = r.var("device list", MAX_DEVICE_LIST)?.to_vec();
                let n = r.count("bundles", MAX_DEVICES, 4)?;
                let mut bundles = Vec::with_capacity(n);
                for _ in 0..n {
                    bundles.push(PreKeyBundle::decode(r.var("bundle", MAX_BUNDLE)?)?);
                }
                Self::Bundles {
                    request,
                    account_key,
                    device_list,
                    bundles,
                }
            }
            0x47 => Self::PreKeysLow {
                remaining: r.u32()?,
            },
            0x48 => Self::Typing {
                from: read_account(&mut r)?,
                typing: r.bool("typing flag")?,
            },
            0x53 => Self::GroupTyping {
                group: r.array()?,
                from: read_account(&mut r)?,
                typing: r.bool("typing flag")?,
            },
            0x49 => Self::Presence {
                account: read_account(&mut r)?,
                online: r.bool("online flag")?,
                last_seen_ms: u64::from_be_bytes(r.array()?),
            },
            0x4A => Self::Expired {
                id: u64::from_be_bytes(r.array()?),
                client_id: r.array()?,
                recipient: read_account(&mut r)?,
                device: r.u32()?,
            },
            0x4B => Self::PushSubscribed,
            0x4C => Self::UploadGranted {
                request: r.u32()?,
                id: r.array()?,
            },
            0x4D => Self::DeviceListPublished {
                request: r.u32()?,
                version: u64::from_be_bytes(r.array()?),
            },
            0x4E => Self::LinkOpened {
                expires_in_s: r.u32()?,
            },
            0x4F => Self::LinkAnnouncement {
                request: r.u32()?,
                announcement: r.var("announcement", MAX_ANNOUNCEMENT)?.to_vec(),
            },
            0x50 => Self::Provisioned { request: r.u32()? },
            0x51 => Self::Provisioning {
                sealed: r.var("provisioning", MAX_PROVISIONING)?.to_vec(),
            },
            0x52 => {
                let device_list = r.var("device list", MAX_DEVICE_LIST)?.to_vec();
                let n = r.count("devices", crate::devices::MAX_DEVICES, 12)?;
                let last_active = (0..n)
                    .map(|_| Ok((r.u32()?, r.u64()?)))
                    .collect::<Result<_, DecodeError>>()?;
                Self::OwnDevices {
                    device_list,
                    last_active,
                }
            }
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(frame)
    }
}

/// At most `limit` bytes, cut on a character boundary.
fn truncate(s: &str, limit: usize) -> &str {
    if s.len() <= limit {
        return s;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
