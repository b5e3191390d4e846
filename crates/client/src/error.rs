//! Why an engine step failed, by concern. What the user can act on ([`InputError`],
//! [`GroupActionError`], [`DeviceActionError`]) is kept apart from broken invariants
//! ([`Broken`]); each has an English wording (`Display`) that a screen may show as it is or
//! replace with its own words. Whatever a step would have changed was not stored.

use crate::store::StoreError;

/// Why a step failed; nothing it would have changed was stored.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No account on this device yet.
    #[error("no account on this device yet")]
    NoAccount,
    /// This device already has a registered account.
    #[error("this device already has an account")]
    AlreadyRegistered,
    /// The step needs the relay, and the connection is not authenticated yet.
    #[error("not connected to the relay yet")]
    NotConnected,
    /// What the user typed or chose cannot be used.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A group action that the group as it is now does not allow.
    #[error(transparent)]
    Group(#[from] GroupActionError),
    /// A linking or device-list action that cannot go ahead now.
    #[error(transparent)]
    Devices(#[from] DeviceActionError),
    /// Something that should always hold did not (a bug, or damaged stored state).
    #[error(transparent)]
    Broken(#[from] Broken),
}

/// What the user typed or chose cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Not a username the relay could have given anyone.
    #[error("that username is not valid")]
    Username,
    /// One of a new group's members is not a valid username.
    #[error("a member's username is not valid")]
    MemberUsername,
    /// A chat with our own account.
    #[error("notes to self are not supported yet")]
    NoteToSelf,
    /// Empty, blank or too long.
    #[error("a message is 1 to 65,536 bytes of text")]
    TextLength,
    /// Not one clean line of at most 64 characters.
    #[error("a display name is 1 to 64 characters, on one line")]
    DisplayName,
    /// Not one clean line of at most 139 characters.
    #[error("an About line is at most 139 characters, on one line")]
    About,
    /// Not a still image, or larger than a profile photo may be.
    #[error("a profile photo is an image of at most 1 MB")]
    Photo,
    /// Not one clean line of at most 64 characters.
    #[error("a device name is 1 to 64 characters, on one line")]
    DeviceName,
    /// Not the shape of a link code.
    #[error("that is not a link code: check it and retry")]
    LinkCode,
    /// A group's name or member count is out of bounds.
    #[error("a group needs a name (1 to 100 characters) and at most 1,024 members")]
    NewGroup,
    /// An attachment larger than Hush carries, or a pointer that does not check.
    #[error("attachments are limited to 100 MiB")]
    AttachmentSize,
    /// Too many uploads are waiting for the relay's grant.
    #[error("too many uploads are waiting; try again soon")]
    TooManyUploads,
    /// Not a text or attachment this device holds.
    #[error("only texts and attachments can be forwarded")]
    NotForwardable,
    /// Not an emoji (or more than one).
    #[error("a reaction is one emoji")]
    Reaction,
    /// Not a text or attachment this device holds.
    #[error("only texts and attachments can have reactions")]
    NotReactable,
    /// Not a text or attachment of ours, or no longer editable.
    #[error("only your own messages can be edited, within 15 minutes of sending")]
    NotEditable,
    /// Not a text or attachment of ours, or too old to delete for everyone.
    #[error("only your own messages can be deleted for everyone, within 48 hours of sending")]
    NotDeletable,
    /// Not a text or attachment of ours.
    #[error("that is not a message of yours")]
    NotYours,
    /// More messages at once than one action covers.
    #[error("too many messages at once")]
    TooMany,
    /// Not one of the timers offered.
    #[error("disappearing messages last 24 hours, 7 days or 90 days")]
    Timer,
    /// A fourth chat pinned.
    #[error("you can pin up to 3 chats")]
    TooManyPinned,
    /// A forward goes to 1 to 5 chats.
    #[error("forward to 1 to 5 chats at once")]
    ForwardChats,
}

/// A group action that the group as it is now does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroupActionError {
    /// The chat is not a group this device knows.
    #[error("that is not a group")]
    NotAGroup,
    /// We are not (or no longer) a member.
    #[error("you are not a member of this group")]
    NotAMember,
    /// Only admins may send here.
    #[error("only admins can send in this group")]
    OnlyAdminsSend,
    /// Only admins may make this change.
    #[error("only admins can do that in this group")]
    OnlyAdmins,
    /// The change does not apply to the current state (a member already in, not there...).
    #[error("that change does not apply to the group as it is now")]
    DoesNotApply,
    /// The group's update would not fit in one message.
    #[error("that group is too large")]
    TooLarge,
}

/// A linking or device-list action that cannot go ahead now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeviceActionError {
    /// Our own signed list has not been seen yet (the relay sends it after authenticating).
    #[error("this device's list is not known yet")]
    ListUnknown,
    /// The account has its most devices.
    #[error("an account has at most 5 linked devices: unlink one first")]
    TooManyDevices,
    /// The list's versions (which number new devices) ran out.
    #[error("this account cannot link more devices")]
    NoDeviceNumberLeft,
    /// A device may be unlinked only from another one.
    #[error("this device cannot unlink itself")]
    UnlinkSelf,
    /// No device of the account has that number.
    #[error("no such device")]
    NoSuchDevice,
    /// "Allow" without a link waiting for it.
    #[error("no link is waiting for confirmation")]
    NoLinkWaiting,
    /// An upload result without an upload.
    #[error("no history upload is waiting")]
    NoUploadWaiting,
    /// This browser's name does not fit in a link announcement.
    #[error("this browser's name cannot be used")]
    BrowserName,
    /// The name the new browser gave cannot be certified.
    #[error("the new device's name cannot be used")]
    NewDeviceName,
    /// The history blob does not open with its key, or does not decode.
    #[error("the history from the other device could not be read")]
    History,
    /// The history blob could not be downloaded.
    #[error("the history could not be fetched")]
    HistoryUnavailable,
}

/// Something that should always hold did not: a bug, or damaged stored state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    /// The stored account's name does not make a device address.
    #[error("the account name is not valid")]
    AccountName,
    /// Our own device list could not be signed (more devices than a list holds).
    #[error("the device list could not be signed")]
    ListSigning,
    /// A device certificate could not be made.
    #[error("the device could not be certified")]
    Certificate,
    /// The provisioning message could not be sealed to the new browser.
    #[error("the provisioning message could not be sealed")]
    Provisioning,
    /// A registration made no prekey upload (see [`crate::loopback`]).
    #[error("the engine did not upload prekeys")]
    NoPrekeyUpload,
}
