//! The crash suite's parts: the relay as a killable process (`relay`), devices that reconnect
//! to whichever relay runs (`net`), and the ledger of what was sent and what every device
//! showed (`ledger`).

pub mod ledger;
pub mod net;
pub mod relay;
