//! Which relay is under load: ours, ours as it was before the relay hardening, or the bare
//! reference.

/// The relay a run measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Relay {
    /// The real hush-server.
    Hush,
    /// The real hush-server built from the commit before issue 19's hardening (another build
    /// of this program, `--before-exe`), so its cost is measured in the same run.
    Before,
    /// The bare tokio-tungstenite relay (no storage, no authentication): the reference.
    Bare,
}

impl Relay {
    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hush => "ours",
            Self::Before => "before",
            Self::Bare => "bare",
        }
    }

    /// Whether it speaks Hush's relay protocol (accounts, `Send`, `Envelope`, `Ack`).
    pub fn speaks_hush(self) -> bool {
        matches!(self, Self::Hush | Self::Before)
    }
}
