//! Which relay is under load: ours or the bare reference.

/// The relay a run measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Relay {
    /// The real hush-server.
    Hush,
    /// The bare tokio-tungstenite relay (no storage, no authentication): the reference.
    Bare,
}

impl Relay {
    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hush => "ours",
            Self::Bare => "bare",
        }
    }
}
