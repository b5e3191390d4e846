//! Account names in frames. Every name the relay stores came in as a `Username` (and
//! registration checks the stricter username grammar too), so a stored name that is not one
//! is damaged data: it is logged, and the frame that would carry it is not sent.

use hush_protocol::Username;

/// `name`, read back from storage, as frames carry it.
pub(crate) fn stored(name: &str) -> Option<Username> {
    let parsed = Username::parse(name).ok();
    if parsed.is_none() {
        tracing::error!("a stored account name is not a valid username; its frame is dropped");
    }
    parsed
}
