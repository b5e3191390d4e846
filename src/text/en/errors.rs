//! The engine's refusals, in the user's words (`hush_client::error`). Every variant is named
//! here, without a catch-all: a new one does not build until it has its words.

use hush_client::devices::Refusal;
use hush_client::error::{Broken, DeviceActionError, GroupActionError, InputError};
use hush_client::{EngineError, StoreError};

/// Why an engine step failed, for the user.
pub fn engine_error(error: &EngineError) -> String {
    match error {
        EngineError::Store(error) => store_error(error),
        EngineError::NoAccount => "no account on this device yet".to_owned(),
        EngineError::AlreadyRegistered => "this device already has an account".to_owned(),
        EngineError::NotConnected => "not connected to the relay yet".to_owned(),
        EngineError::Input(error) => input_error(*error).to_owned(),
        EngineError::Group(error) => group_error(*error).to_owned(),
        EngineError::Devices(error) => device_error(*error).to_owned(),
        EngineError::Broken(error) => broken(*error).to_owned(),
    }
}

/// Why a device list (or a message's sender) the relay served was refused.
pub fn list_refusal(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unsigned => "the relay served a device list the account did not sign".to_owned(),
        Refusal::KeyChanged => {
            "the relay served a different account key than before: messages are held".to_owned()
        }
        Refusal::RolledBack => "the relay served an older device list than before".to_owned(),
        Refusal::Unlisted(device) => format!(
            "the relay offered device {device}, which the account did not sign: it gets nothing"
        ),
        Refusal::Reopened => {
            "the relay served a list for an account that was deleted: refused".to_owned()
        }
        Refusal::Misaddressed(claimed) => format!(
            "the relay delivered a message of {}'s device {} as another's: it was not read",
            claimed.account(),
            claimed.device()
        ),
    }
}

/// Storage that failed, with the browser's own detail (what it says is not ours to word).
pub fn store_error(error: &StoreError) -> String {
    match error {
        StoreError::Backend(why) => format!("storage failed: {why}"),
        StoreError::Corrupt(why) => format!("stored data is damaged: {why}"),
    }
}

/// What the user typed or chose cannot be used.
pub fn input_error(error: InputError) -> &'static str {
    match error {
        InputError::Username => "that username is not valid",
        InputError::MemberUsername => "a member's username is not valid",
        InputError::NoteToSelf => "notes to self are not supported yet",
        InputError::TextLength => "a message is 1 to 65,536 bytes of text",
        InputError::DisplayName => "a display name is 1 to 64 characters, on one line",
        InputError::About => "an About line is at most 139 characters, on one line",
        InputError::Photo => "a profile photo is an image of at most 1 MB",
        InputError::DeviceName => "a device name is 1 to 64 characters, on one line",
        InputError::LinkCode => "that is not a link code: check it and retry",
        InputError::NewGroup => {
            "a group needs a name (1 to 100 characters) and at most 1,024 members"
        }
        InputError::AttachmentSize => "attachments are limited to 100 MiB",
        InputError::TooManyUploads => "too many uploads are waiting; try again soon",
        InputError::NotForwardable => "only texts and attachments can be forwarded",
        InputError::Reaction => "a reaction is one emoji",
        InputError::NotReactable => "only texts and attachments can have reactions",
        InputError::NotEditable => {
            "only your own messages can be edited, within 15 minutes of sending"
        }
        InputError::NotDeletable => {
            "only your own messages can be deleted for everyone, within 48 hours of sending"
        }
        InputError::NotYours => "that is not a message of yours",
        InputError::TooMany => "too many messages at once",
        InputError::Timer => "disappearing messages last 24 hours, 7 days or 90 days",
        InputError::TooManyPinned => "you can pin up to 3 chats",
        InputError::ForwardChats => "forward to 1 to 5 chats at once",
    }
}

/// A group action the group as it is now does not allow.
pub fn group_error(error: GroupActionError) -> &'static str {
    match error {
        GroupActionError::NotAGroup => "that is not a group",
        GroupActionError::NotAMember => "you are not a member of this group",
        GroupActionError::OnlyAdminsSend => "only admins can send in this group",
        GroupActionError::OnlyAdmins => "only admins can do that in this group",
        GroupActionError::DoesNotApply => "that change does not apply to the group as it is now",
        GroupActionError::TooLarge => "that group is too large",
    }
}

/// A linking or device-list action that cannot go ahead now.
pub fn device_error(error: DeviceActionError) -> &'static str {
    match error {
        DeviceActionError::ListUnknown => "this device's list is not known yet",
        DeviceActionError::TooManyDevices => {
            "an account has at most 5 linked devices: unlink one first"
        }
        DeviceActionError::NoDeviceNumberLeft => "this account cannot link more devices",
        DeviceActionError::UnlinkSelf => "this device cannot unlink itself",
        DeviceActionError::NoSuchDevice => "no such device",
        DeviceActionError::NoLinkWaiting => "no link is waiting for confirmation",
        DeviceActionError::NoUploadWaiting => "no history upload is waiting",
        DeviceActionError::BrowserName => "this browser's name cannot be used",
        DeviceActionError::NewDeviceName => "the new device's name cannot be used",
        DeviceActionError::History => "the history from the other device could not be read",
        DeviceActionError::HistoryUnavailable => "the history could not be fetched",
    }
}

/// Something that should always hold did not.
pub fn broken(error: Broken) -> &'static str {
    match error {
        Broken::AccountName => "the account name is not valid",
        Broken::ListSigning => "the device list could not be signed",
        Broken::Certificate => "the device could not be certified",
        Broken::Provisioning => "the provisioning message could not be sealed",
        Broken::NoPrekeyUpload => "the engine did not upload prekeys",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the engine's own English for now (what the user reads did not change).
    #[test]
    fn every_refusal_reads_as_the_engine_words_it() {
        let errors: Vec<EngineError> = vec![
            EngineError::NoAccount,
            EngineError::AlreadyRegistered,
            EngineError::NotConnected,
            StoreError::Backend("quota".to_owned()).into(),
            StoreError::Corrupt("a record".to_owned()).into(),
            InputError::Username.into(),
            InputError::MemberUsername.into(),
            InputError::NoteToSelf.into(),
            InputError::TextLength.into(),
            InputError::DisplayName.into(),
            InputError::About.into(),
            InputError::Photo.into(),
            InputError::DeviceName.into(),
            InputError::LinkCode.into(),
            InputError::NewGroup.into(),
            InputError::AttachmentSize.into(),
            InputError::TooManyUploads.into(),
            InputError::NotForwardable.into(),
            InputError::Reaction.into(),
            InputError::NotReactable.into(),
            InputError::NotEditable.into(),
            InputError::NotDeletable.into(),
            InputError::NotYours.into(),
            InputError::TooMany.into(),
            InputError::Timer.into(),
            InputError::TooManyPinned.into(),
            InputError::ForwardChats.into(),
            GroupActionError::NotAGroup.into(),
            GroupActionError::NotAMember.into(),
            GroupActionError::OnlyAdminsSend.into(),
            GroupActionError::OnlyAdmins.into(),
            GroupActionError::DoesNotApply.into(),
            GroupActionError::TooLarge.into(),
            DeviceActionError::ListUnknown.into(),
            DeviceActionError::TooManyDevices.into(),
            DeviceActionError::NoDeviceNumberLeft.into(),
            DeviceActionError::UnlinkSelf.into(),
            DeviceActionError::NoSuchDevice.into(),
            DeviceActionError::NoLinkWaiting.into(),
            DeviceActionError::NoUploadWaiting.into(),
            DeviceActionError::BrowserName.into(),
            DeviceActionError::NewDeviceName.into(),
            DeviceActionError::History.into(),
            DeviceActionError::HistoryUnavailable.into(),
            Broken::AccountName.into(),
            Broken::ListSigning.into(),
            Broken::Certificate.into(),
            Broken::Provisioning.into(),
            Broken::NoPrekeyUpload.into(),
        ];
        for error in &errors {
            assert_eq!(engine_error(error), error.to_string());
        }
    }

    #[test]
    fn every_list_refusal_reads_as_the_engine_words_it() {
        let claimed = hush_protocol::DeviceAddress::new("bob", 2).unwrap();
        let refusals = [
            Refusal::Unsigned,
            Refusal::KeyChanged,
            Refusal::RolledBack,
            Refusal::Unlisted(3),
            Refusal::Reopened,
            Refusal::Misaddressed(claimed),
        ];
        for refusal in &refusals {
            assert_eq!(list_refusal(refusal), refusal.to_string());
        }
    }
}
