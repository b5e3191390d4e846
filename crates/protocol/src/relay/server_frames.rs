//! The frames the relay sends, and their encoding.

use super::fields::{open_frame, read_account, read_str, truncate, write_str};
use super::limits::{MAX_ANNOUNCEMENT, MAX_BUNDLE, MAX_ERROR_TEXT, MAX_PAYLOAD, MAX_PROVISIONING};
use super::outcomes::{ErrorCode, SendOutcome};
use super::presence_visibility::PresenceVisibility;
use crate::codec::{DecodeError, Reader, Writer};
use crate::devices::{MAX_DEVICES, MAX_DEVICE_LIST};
use crate::wire::PreKeyBundle;
use crate::Username;

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
        sender: Username,
        /// Sender device.
        sender_device: u32,
        /// When the relay accepted it (ms since the epoch).
        received_ms: u64,
        /// The encrypted message.
        payload: Vec<u8>,
    },
    /// Every queued envelope has been sent; what follows is live.
    QueueDrained,
    /// The answer to [`ClientFrame::FetchBundles`](crate::relay::ClientFrame::FetchBundles).
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
        from: Username,
        /// Started or stopped.
        typing: bool,
    },
    /// Someone is typing in a group this account is in (as the sender says).
    GroupTyping {
        /// The group.
        group: [u8; 16],
        /// Who.
        from: Username,
        /// Started or stopped.
        typing: bool,
    },
    /// A subscribed account came online or went offline.
    Presence {
        /// Which account.
        account: Username,
        /// Whether any of its devices is connected.
        online: bool,
        /// When it was last connected (ms since the epoch; 0 if never).
        last_seen_ms: u64,
    },
    /// Envelopes of a send expired undelivered (after 30 days) for one device. Kept by the
    /// relay until acknowledged with [`ClientFrame::AckExpired`](crate::relay::ClientFrame::AckExpired), and sent again on every
    /// connection until then.
    Expired {
        /// The notice's id (for [`ClientFrame::AckExpired`](crate::relay::ClientFrame::AckExpired)).
        id: u64,
        /// The send's id.
        client_id: [u8; 16],
        /// Recipient account.
        recipient: Username,
        /// Recipient device.
        device: u32,
    },
    /// The answer to [`ClientFrame::PushSubscribe`](crate::relay::ClientFrame::PushSubscribe) and [`ClientFrame::PushUnsubscribe`](crate::relay::ClientFrame::PushUnsubscribe).
    PushSubscribed,
    /// The answer to [`ClientFrame::PublishDeviceList`](crate::relay::ClientFrame::PublishDeviceList): the list is stored.
    DeviceListPublished {
        /// The request it answers.
        request: u32,
        /// The stored version.
        version: u64,
    },
    /// The answer to [`ClientFrame::RequestUpload`](crate::relay::ClientFrame::RequestUpload): `PUT /blobs/<id>` (hex) within ten
    /// minutes, once; the same id fetches it afterwards.
    UploadGranted {
        /// The request it answers.
        request: u32,
        /// The blob's unguessable id.
        id: [u8; 32],
    },
    /// The answer to [`ClientFrame::RenewBlob`](crate::relay::ClientFrame::RenewBlob): the
    /// blob is kept for another blob lifetime from now.
    BlobRenewed {
        /// The request it answers.
        request: u32,
    },
    /// The answer to [`ClientFrame::OpenLink`](crate::relay::ClientFrame::OpenLink): the address is open.
    LinkOpened {
        /// Seconds until it closes.
        expires_in_s: u32,
    },
    /// The answer to [`ClientFrame::FetchLink`](crate::relay::ClientFrame::FetchLink).
    LinkAnnouncement {
        /// The request it answers.
        request: u32,
        /// The encoded [`crate::linking::Announcement`], to verify with the code.
        announcement: Vec<u8>,
    },
    /// The answer to [`ClientFrame::Provision`](crate::relay::ClientFrame::Provision): the waiting browser has it.
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
    /// The answer to [`ClientFrame::GroupCommit`](crate::relay::ClientFrame::GroupCommit): this
    /// hash is the group's change for that epoch (the first submitted, or this one again).
    GroupCommitted {
        /// The group.
        group: [u8; 16],
        /// The epoch.
        epoch: u64,
        /// The accepted hash.
        hash: [u8; 32],
    },
    /// The answer to [`ClientFrame::GroupCommit`](crate::relay::ClientFrame::GroupCommit): not
    /// accepted (another change holds that epoch, or it does not follow the head); the author
    /// catches up to `head` and signs its change again on top.
    GroupCommitRefused {
        /// The group.
        group: [u8; 16],
        /// The epoch submitted.
        epoch: u64,
        /// The newest epoch the relay ordered.
        head: u64,
    },
    /// The answer to [`ClientFrame::GroupOrder`](crate::relay::ClientFrame::GroupOrder): the
    /// hashes accepted for the epochs asked for, oldest first (at most
    /// [`crate::relay::MAX_ORDERED`], the newest kept).
    GroupOrder {
        /// The group.
        group: [u8; 16],
        /// Epoch and hash, oldest first.
        entries: Vec<crate::groups::Ordered>,
    },
    /// Who sees the account's presence: the answer to
    /// [`ClientFrame::SetPresenceVisibility`](crate::relay::ClientFrame::SetPresenceVisibility),
    /// and (request 0) just before `Authenticated` and whenever another device changes it.
    PresenceVisibility {
        /// The request it answers (0 when none).
        request: u32,
        /// The account's setting.
        visibility: PresenceVisibility,
    },
}

impl ServerFrame {
    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(64);
        w.u8(crate::WIRE_VERSION);
        match self {
            Self::Challenge { .. }
            | Self::Authenticated { .. }
            | Self::Error { .. }
            | Self::Bundles { .. }
            | Self::PreKeysLow { .. }
            | Self::DeviceListPublished { .. }
            | Self::OwnDevices { .. } => self.write_session(&mut w),
            Self::Sent { .. }
            | Self::Envelope { .. }
            | Self::QueueDrained
            | Self::Expired { .. }
            | Self::UploadGranted { .. }
            | Self::BlobRenewed { .. } => self.write_messages(&mut w),
            Self::Typing { .. }
            | Self::GroupTyping { .. }
            | Self::Presence { .. }
            | Self::PushSubscribed => self.write_presence(&mut w),
            Self::LinkOpened { .. }
            | Self::LinkAnnouncement { .. }
            | Self::Provisioned { .. }
            | Self::Provisioning { .. } => self.write_linking(&mut w),
            Self::GroupCommitted { .. }
            | Self::GroupCommitRefused { .. }
            | Self::GroupOrder { .. } => self.write_group_order(&mut w),
            Self::PresenceVisibility { .. } => self.write_presence_visibility(&mut w),
        }
        w.buf
    }

    /// Decodes untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (mut r, kind) = open_frame(bytes)?;
        let frame = match kind {
            0x40..=0x42 | 0x46 | 0x47 | 0x4D | 0x52 => Self::read_session(kind, &mut r)?,
            0x43..=0x45 | 0x4A | 0x4C | 0x57 => Self::read_messages(kind, &mut r)?,
            0x48 | 0x49 | 0x4B | 0x53 => Self::read_presence(kind, &mut r)?,
            0x4E..=0x51 => Self::read_linking(kind, &mut r)?,
            0x54..=0x56 => Self::read_group_order(kind, &mut r)?,
            0x58 => Self::read_presence_visibility(kind, &mut r)?,
            other => return Err(DecodeError::UnexpectedType(other)),
        };
        r.finish()?;
        Ok(frame)
    }

    /// Authentication, errors, bundles and device lists (`encode` routes only these here).
    fn write_session(&self, w: &mut Writer) {
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
                write_str(w, text);
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
            Self::DeviceListPublished { request, version } => {
                w.u8(0x4D).u32(*request).raw(&version.to_be_bytes());
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
            _ => {}
        }
    }

    fn read_session(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x40 => Self::Challenge { nonce: r.array()? },
            0x41 => Self::Authenticated {
                one_time_prekeys: r.u32()?,
            },
            0x42 => Self::Error {
                request: r.u32()?,
                code: ErrorCode::from_u16(u16::from_be_bytes(r.array()?))?,
                message: read_str(r, "error text", MAX_ERROR_TEXT)?,
            },
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
            0x4D => Self::DeviceListPublished {
                request: r.u32()?,
                version: u64::from_be_bytes(r.array()?),
            },
            0x52 => {
                let device_list = r.var("device list", MAX_DEVICE_LIST)?.to_vec();
                let n = r.count("devices", MAX_DEVICES, 12)?;
                let last_active = (0..n)
                    .map(|_| Ok((r.u32()?, r.u64()?)))
                    .collect::<Result<_, DecodeError>>()?;
                Self::OwnDevices {
                    device_list,
                    last_active,
                }
            }
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Envelopes, send outcomes, expiry notices and upload grants (`encode` routes only these
    /// here).
    fn write_messages(&self, w: &mut Writer) {
        match self {
            Self::Sent { client_id, outcome } => {
                w.u8(0x43).raw(client_id);
                outcome.write(w);
            }
            Self::Envelope {
                id,
                sender,
                sender_device,
                received_ms,
                payload,
            } => {
                w.u8(0x44).raw(&id.to_be_bytes());
                write_str(w, sender);
                w.u32(*sender_device)
                    .raw(&received_ms.to_be_bytes())
                    .var(payload);
            }
            Self::QueueDrained => {
                w.u8(0x45);
            }
            Self::Expired {
                id,
                client_id,
                recipient,
                device,
            } => {
                w.u8(0x4A).raw(&id.to_be_bytes()).raw(client_id);
                write_str(w, recipient);
                w.u32(*device);
            }
            Self::UploadGranted { request, id } => {
                w.u8(0x4C).u32(*request).raw(id);
            }
            Self::BlobRenewed { request } => {
                w.u8(0x57).u32(*request);
            }
            _ => {}
        }
    }

    fn read_messages(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x43 => Self::Sent {
                client_id: r.array()?,
                outcome: SendOutcome::read(r)?,
            },
            0x44 => Self::Envelope {
                id: u64::from_be_bytes(r.array()?),
                sender: read_account(r)?,
                sender_device: r.u32()?,
                received_ms: u64::from_be_bytes(r.array()?),
                payload: r.var("payload", MAX_PAYLOAD)?.to_vec(),
            },
            0x45 => Self::QueueDrained,
            0x4A => Self::Expired {
                id: u64::from_be_bytes(r.array()?),
                client_id: r.array()?,
                recipient: read_account(r)?,
                device: r.u32()?,
            },
            0x4C => Self::UploadGranted {
                request: r.u32()?,
                id: r.array()?,
            },
            0x57 => Self::BlobRenewed { request: r.u32()? },
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Typing, presence and push (`encode` routes only these here).
    fn write_presence(&self, w: &mut Writer) {
        match self {
            Self::Typing { from, typing } => {
                w.u8(0x48);
                write_str(w, from);
                w.u8(u8::from(*typing));
            }
            Self::GroupTyping {
                group,
                from,
                typing,
            } => {
                w.u8(0x53).raw(group);
                write_str(w, from);
                w.u8(u8::from(*typing));
            }
            Self::Presence {
                account,
                online,
                last_seen_ms,
            } => {
                w.u8(0x49);
                write_str(w, account);
                w.u8(u8::from(*online)).raw(&last_seen_ms.to_be_bytes());
            }
            Self::PushSubscribed => {
                w.u8(0x4B);
            }
            _ => {}
        }
    }

    fn read_presence(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
            0x48 => Self::Typing {
                from: read_account(r)?,
                typing: r.bool("typing flag")?,
            },
            0x53 => Self::GroupTyping {
                group: r.array()?,
                from: read_account(r)?,
                typing: r.bool("typing flag")?,
            },
            0x49 => Self::Presence {
                account: read_account(r)?,
                online: r.bool("online flag")?,
                last_seen_ms: u64::from_be_bytes(r.array()?),
            },
            0x4B => Self::PushSubscribed,
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }

    /// Linking a new browser (`encode` routes only these here).
    fn write_linking(&self, w: &mut Writer) {
        match self {
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
            Self::Provisioning { sealed } => {
                w.u8(0x51).var(sealed);
            }
            _ => {}
        }
    }

    fn read_linking(kind: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match kind {
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
            other => return Err(DecodeError::UnexpectedType(other)),
        })
    }
}
