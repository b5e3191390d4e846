//! Linked devices: linking a new browser, the list of devices, and linking's progress.

use core::fmt::Display;

// ui/devices.rs
pub const LINK_TO_YOUR_ACCOUNT: &str = "Link to your account";
pub const LINK_HOW_TO: &str = "On a device where you use Hush, open Linked devices, choose Link a device, and type or scan this code.";
pub const LINK_CODE: &str = "Link code";
pub const LINK_QR_CODE: &str = "QR code to scan with your other device";
pub const OR_OPEN: &str = "Or open ";
pub const WAITING_FOR_OTHER_DEVICE: &str =
    "Waiting for your other device… The code works once, for 5 minutes.";
pub const HISTORY_PROGRESS: &str = "History";
pub const NEW_CODE: &str = "New code";
pub const MAKING_A_CODE: &str = "Making a code…";
pub const BACK: &str = "Back";
pub const LINK_A_DEVICE: &str = "Link a device";
pub const CAMERA_FAILED: &str = "The camera could not be used.";
pub const LINK_CODE_HINT: &str = "Shown on the new browser under Link to existing account.";
pub const LINK: &str = "Link";
pub const STOP_SCANNING: &str = "Stop scanning";
pub const SCAN_QR_CODE: &str = "Scan QR code";
pub const CAMERA: &str = "Camera";
pub const ALLOW_THIS_DEVICE: &str = "Allow this device?";
pub const WANTS_TO_JOIN: &str = " wants to join your account.";
pub const NEW_DEVICE_CAN_READ_ALL: &str =
    "This browser will be able to read and send all your messages.";
pub const ALLOW: &str = "Allow";
pub const CREATED_THE_ACCOUNT: &str = "Created the account";
pub const ACTIVE_NOW: &str = "Active now";
pub const NOT_CONNECTED_YET: &str = "Not connected yet";
pub const THIS_BROWSER: &str = "This browser";
pub const UNLINK: &str = "Unlink";
pub const DEVICE_NAME: &str = "Device name";
pub const SAVE: &str = "Save";

// platform/page.rs
pub const DEFAULT_DEVICE_NAME: &str = "Browser";
/// A browser where its name or system is unknown.
pub const UNKNOWN_SYSTEM: &str = "this device";
/// What this browser is called in the device list: "Chrome on Linux".
pub fn browser_on(browser: &str, system: &str) -> String {
    format!("{browser} on {system}")
}

// runner/commands.rs
pub const LOOKING_UP_CODE: &str = "Looking up the code…";
pub const ENCRYPTING_HISTORY: &str = "Encrypting your recent history…";

// runner/linking.rs
pub const LINK_CONNECTION_DROPPED: &str = "The connection dropped. Link the device again.";
pub const ADDING_DEVICE: &str = "Adding the device…";

/// When a device was linked, `day` as a date separator says it ("Today", "Sun 22 Nov 2026").
pub fn linked_on(day: &str) -> String {
    format!("Linked {day}")
}

/// When a device was last connected.
pub fn last_active(day: &str) -> String {
    format!("Last active {day}")
}

/// The name of the button renaming the device `name`.
pub fn rename_device(name: &str) -> String {
    format!("Rename {name}")
}

/// The name of the button unlinking the device `name`.
pub fn unlink_device(name: &str) -> String {
    format!("Unlink {name}")
}

// runner/linking.rs
/// Linking worked but the history could not be brought over, and why.
pub fn linked_without_history(why: impl Display) -> String {
    format!("Linked, but without history: {why}")
}

/// The old device sends `kilobytes` of history to the new one.
pub fn sending_history(kilobytes: usize) -> String {
    format!("Sending your history ({kilobytes} KB)…")
}

/// The new device `name` is part of the account now.
pub fn device_is_linked(name: &str) -> String {
    format!("{name} is linked.")
}

/// The new device receives `kilobytes` of history.
pub fn receiving_history(kilobytes: usize) -> String {
    format!("Receiving your history ({kilobytes} KB)…")
}

/// Unlinked, this browser's data could not be wiped, and why.
pub fn could_not_clear_data(why: impl Display) -> String {
    format!("Hush could not clear its data: {why}")
}
