//! The frames a client sends, and their encoding.

use super::fields::{
    open_frame, read_account, read_acks, read_endpoint, read_members, write_acks, write_members,
    write_str,
};
use super::limits::{
    MAX_ANNOUNCEMENT, MAX_PAYLOAD, MAX_PREKEYS_PER_UPLOAD, MAX_PROVISIONING, MAX_SUBSCRIPTIONS,
};
use super::presence_visibility::PresenceVisibility;
use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::{MAX_DEVICES, MAX_DEVICE_LIST};
use crate::keys::{OneTimePreKey, SignedPreKey};
use crate::Username;

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
        /// The device identity's signature over [`crate::relay::auth_message`].
        signature: [u8; 64],
    },
    /// Authenticates this connection as an existing device.
    Authenticate {
        /// The account.
        account: Username,
        /// The device.
        device: u32,
        /// The device identity's signature over [`crate::relay::auth_message`].
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
        account: Username,
    },
    /// One message to every device of one account.
    Send {
        /// Chosen by the sender; a resend with the same id is not stored twice.
        client_id: [u8; 16],
        /// The recipient account.
        recipient: Username,
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
        to: Username,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// Typing started or stopped in a group: told to the members' connected devices.
    GroupTyping {
        /// The group (members check the sender is in it).
        group: [u8; 16],
        /// The members' accounts (as for [`ClientFrame::GroupSend`]).
        members: Vec<Username>,
        /// Started (true) or stopped.
        typing: bool,
    },
    /// Presence updates wanted for these accounts.
    Subscribe {
        /// Accounts.
        accounts: Vec<Username>,
    },
    /// Asks the relay to wake this device with a Web Push (RFC 8030) while it is offline. The
    /// push carries no message content and no sender. Replaces an earlier subscription.
    PushSubscribe {
        /// The push service's endpoint: an `https://` (or `http://`) URL of at most
        /// [`crate::relay::MAX_PUSH_ENDPOINT`] bytes.
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
    /// The [`ServerFrame::Expired`](crate::relay::ServerFrame::Expired) notices are recorded on this device and may be deleted.
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
    /// Keeps a blob this device uploaded for another blob lifetime (30 days) from now.
    RenewBlob {
        /// Echoed in the answer.
        request: u32,
        /// The blob's id.
        id: [u8; 32],
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
        members: Vec<Username>,
        /// The same for every device.
        payload: Vec<u8>,
    },
    /// Asks the relay to order a signed group change: the first hash submitted for a group's
    /// next epoch is accepted ([`ServerFrame::GroupCommitted`](crate::relay::ServerFrame::GroupCommitted)),
    /// any other refused. Only then is the change sent to the members.
    GroupCommit {
        /// The group.
        group: [u8; 16],
        /// The change's epoch.
        epoch: u64,
        /// The hash of the signed change (the change itself never goes to the relay).
        hash: [u8; 32],
    },
    /// Asks which change hashes the relay accepted for a group's epochs after `after`.
    GroupOrder {
        /// The group.
        group: [u8; 16],
        /// The epoch the member holds.
        after: u64,
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
    /// Sets who sees the account's presence, for all its devices; answered with
    /// [`ServerFrame::PresenceVisibility`](crate::relay::ServerFrame::PresenceVisibility).
    SetPresenceVisibility {
        /// Echoed in the answer.
        request: u32,
        /// The new setting.
        visibility: PresenceVisibility,
    },
}

impl ClientFrame {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(128);
        w.u8(crate::WIRE_VERSION);
        match self {
            Self::Register { .. }
            | Self::Authenticate { .. }
            | Self::UploadPreKeys { .. }
            | Self::FetchBundles { .. }
            | Self::PublishDeviceList { .. } => self.write_session(&mut w),
            Self::Send { .. }
            | Self::GroupSend { .. }
            | Self::Ack { .. }
            | Self::AckExpired { .. }
            | Self::RequestUpload { .. }
            | Self::RenewBlob { .. } => self.write_messages(&mut w),
            Self::Typing { .. }
            | Self::GroupTyping { .. }
            | Self::Subscribe { .. }
            | Self::PushSubscribe { .. }
            | Self::PushUnsubscribe => self.write_presence(&mut w),
            Self::OpenLink { .. } | Self::FetchLink { .. } | Self::Provision { .. } => {
                self.write_linking(&mut w)
            }
            Self::GroupCommit { .. } | Self::GroupOrder { .. } => self.write_group_order(&mut w),
            Self::SetPresenceVisibility { .. } => self.write_presence_visibility(&mut w),
        }
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (mut r, kind) = open_frame(bytes)?;
        let frame = match kind {
            0x20..=0x23 | 0x2B => Self::read_session(kind, &mut r)?,
            0x24 | 0x25 | 0x2A | 0x2C | 0x30 | 0x34 => Self::read_messages(kind, &mut r)?,
            0x26..=0x29 | 0x31 => Self::read_presence(kind, &mut r)?,
            0x2D..=0x2F => Self::read_linking(kind, &mut r)?,
            0x32 | 0x33 => Self::read_group_order(kind, &mut r)?,
            0x35 => Self::read_presence_visibility(kind, &mut r)?,
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(frame)
    }

    /// Authentication, prekeys and device lists (`encode` routes only these here).
    fn write_session(&self, w: &mut Writer) {
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
                write_str(w, account);
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
                write_str(w, account);
            }
            Self::PublishDeviceList {
                request,
                device_list,
            } => {
                w.u8(0x2B).u32(*request).var(device_list);
            }
            _ => {}
        }
    }

    fn read_session(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x20 => Self::Register {
                account_key: r.array()?,
                device_list: r.var("device list", MAX_DEVICE_LIST)?.to_vec(),
                device: r.u32()?,
                signature: r.array()?,
            },
            0x21 => Self::Authenticate {
                account: read_account(r)?,
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
                account: read_account(r)?,
            },
            0x2B => Self::PublishDeviceList {
                request: r.u32()?,
                device_list: r.var("device list", MAX_DEVICE_LIST)?.to_vec(),
            },
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Sends, acks and attachment grants (`encode` routes only these here).
    fn write_messages(&self, w: &mut Writer) {
        match self {
            Self::Send {
                client_id,
                recipient,
                envelopes,
            } => {
                w.u8(0x24).raw(client_id);
                write_str(w, recipient);
                w.u32(envelopes.len() as u32);
                for e in envelopes {
                    w.u32(e.device).var(&e.payload);
                }
            }
            Self::GroupSend {
                client_id,
                members,
                payload,
            } => {
                w.u8(0x30).raw(client_id);
                write_members(w, members);
                w.var(payload);
            }
            Self::Ack { ids } => {
                w.u8(0x25);
                write_acks(w, ids);
            }
            Self::AckExpired { ids } => {
                w.u8(0x2C);
                write_acks(w, ids);
            }
            Self::RequestUpload { request, size } => {
                w.u8(0x2A).u32(*request).u32(*size);
            }
            Self::RenewBlob { request, id } => {
                w.u8(0x34).u32(*request).raw(id);
            }
            _ => {}
        }
    }

    fn read_messages(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x24 => {
                let client_id = r.array()?;
                let recipient = read_account(r)?;
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
            0x30 => Self::GroupSend {
                client_id: r.array()?,
                members: read_members(r)?,
                payload: r.var("payload", MAX_PAYLOAD)?.to_vec(),
            },
            0x25 => Self::Ack { ids: read_acks(r)? },
            0x2C => Self::AckExpired { ids: read_acks(r)? },
            0x2A => Self::RequestUpload {
                request: r.u32()?,
                size: r.u32()?,
            },
            0x34 => Self::RenewBlob {
                request: r.u32()?,
                id: r.array()?,
            },
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Typing, presence and push subscriptions (`encode` routes only these here).
    fn write_presence(&self, w: &mut Writer) {
        match self {
            Self::Typing { to, typing } => {
                w.u8(0x26);
                write_str(w, to);
                w.u8(u8::from(*typing));
            }
            Self::GroupTyping {
                group,
                members,
                typing,
            } => {
                w.u8(0x31).raw(group);
                write_members(w, members);
                w.u8(u8::from(*typing));
            }
            Self::Subscribe { accounts } => {
                w.u8(0x27).u32(accounts.len() as u32);
                for a in accounts {
                    write_str(w, a);
                }
            }
            Self::PushSubscribe {
                endpoint,
                p256dh,
                auth,
            } => {
                w.u8(0x28);
                write_str(w, endpoint);
                w.raw(p256dh).raw(auth);
            }
            Self::PushUnsubscribe => {
                w.u8(0x29);
            }
            _ => {}
        }
    }

    fn read_presence(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x26 => Self::Typing {
                to: read_account(r)?,
                typing: r.bool("typing flag")?,
            },
            0x31 => Self::GroupTyping {
                group: r.array()?,
                members: read_members(r)?,
                typing: r.bool("typing flag")?,
            },
            0x27 => {
                let n = r.count("subscriptions", MAX_SUBSCRIPTIONS, 5)?;
                let accounts = (0..n).map(|_| read_account(r)).collect::<Result<_, _>>()?;
                Self::Subscribe { accounts }
            }
            0x28 => Self::PushSubscribe {
                endpoint: read_endpoint(r)?,
                p256dh: r.array()?,
                auth: r.array()?,
            },
            0x29 => Self::PushUnsubscribe,
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Linking a new browser (`encode` routes only these here).
    fn write_linking(&self, w: &mut Writer) {
        match self {
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
            _ => {}
        }
    }

    fn read_linking(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
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
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }
}
