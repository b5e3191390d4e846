//! What a device signs to authenticate a connection.

use crate::codec::Writer;

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
