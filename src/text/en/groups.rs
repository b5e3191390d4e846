//! Groups: creating one, its members and admins, and who read a message.

// ui/groups.rs
pub const GROUP_NAME: &str = "Group name";
pub const MEMBERS: &str = "Members";
pub const CREATE_GROUP: &str = "Create group";
pub const ADD_MEMBER: &str = "Add member";
pub const ADD: &str = "Add";
pub const GROUP_MEMBERS: &str = "Group members";
pub const ADMIN: &str = "Admin";
pub const DISMISS_AS_ADMIN: &str = "Dismiss as admin";
pub const MAKE_ADMIN: &str = "Make admin";
pub const REMOVE: &str = "Remove";
pub const ONLY_ADMINS_CAN_SEND: &str = "Only admins can send";
pub const ONLY_ADMINS_CAN_EDIT_INFO: &str = "Only admins can edit the group info";
pub const NEW_GROUP_NAME: &str = "New group name";
pub const LEAVE_GROUP: &str = "Leave group";
pub const NOBODY_YET: &str = "nobody yet";
pub const MESSAGE_INFO: &str = "Message info";
pub const READ_BY: &str = "Read by";
pub const DELIVERED_TO: &str = "Delivered to";

/// A group's size. (Said "1 members" for one, as it always was.)
pub fn member_count(members: usize) -> String {
    format!("{members} members")
}
