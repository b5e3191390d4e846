//! The generator's flags, and their defaults (tiny ones in a smoke run).

use hush_bench::Failure;

/// Flags that take a value.
const VALUED: [&str; 8] = [
    "--connections",
    "--pairs",
    "--window",
    "--seconds",
    "--latency-seconds",
    "--ack-batch",
    "--bare-read-buffer",
    "--before-exe",
];

/// Flags on their own.
const SWITCHES: [&str; 2] = ["--no-pin", "--bare-nagle"];

/// What the generator was asked for.
pub struct Options {
    /// Idle connections to open.
    pub connections: usize,
    /// Sender/receiver pairs.
    pub pairs: usize,
    /// Unanswered sends per sender at most.
    pub window: usize,
    /// Length of the throughput phase.
    pub seconds: u64,
    /// Length of the latency phase.
    pub latency_seconds: u64,
    /// Envelopes acked per `Ack` at most.
    pub ack_batch: usize,
    /// Pin the relay and the generator to a CPU each.
    pub pin: bool,
    /// TCP_NODELAY on the reference relay's sockets.
    pub bare_nodelay: bool,
    /// The reference relay's read buffer, when not tungstenite's default.
    pub bare_read_buffer: Option<usize>,
    /// This program built from the commit before the relay hardening: its relay is measured
    /// too, between ours and the reference.
    pub before_exe: Option<std::path::PathBuf>,
}

/// The sizes of a run, before flags change them.
struct Defaults {
    connections: usize,
    pairs: usize,
    window: usize,
    seconds: u64,
    latency_seconds: u64,
}

impl Defaults {
    const FULL: Self = Self {
        connections: 10_000,
        pairs: 200,
        window: 32,
        seconds: 10,
        latency_seconds: 6,
    };
    /// Seconds in all: every phase runs, on a few connections.
    const SMOKE: Self = Self {
        connections: 50,
        pairs: 4,
        window: 8,
        seconds: 1,
        latency_seconds: 1,
    };
}

/// The value of `--name VALUE`, if given.
pub fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>, Failure> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(at) => {
            let value = args.get(at + 1).ok_or(format!("{name} needs a value"))?;
            value
                .parse()
                .map(Some)
                .map_err(|_| format!("bad value for {name}: {value:?}").into())
        }
    }
}

/// Refuses anything that is not a known flag.
fn check_known(args: &[String]) -> Result<(), Failure> {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if VALUED.contains(&arg.as_str()) {
            i += 2;
        } else if SWITCHES.contains(&arg.as_str()) {
            i += 1;
        } else {
            return Err(format!(
                "unknown argument {arg:?}; flags: {} {}",
                VALUED.join(" "),
                SWITCHES.join(" ")
            )
            .into());
        }
    }
    Ok(())
}

/// Parses the generator's flags; `smoke` picks the tiny defaults.
pub fn parse(args: &[String], smoke: bool) -> Result<Options, Failure> {
    check_known(args)?;
    let defaults = if smoke {
        Defaults::SMOKE
    } else {
        Defaults::FULL
    };
    Ok(Options {
        connections: flag(args, "--connections")?.unwrap_or(defaults.connections),
        pairs: flag(args, "--pairs")?.unwrap_or(defaults.pairs).max(1),
        window: flag(args, "--window")?.unwrap_or(defaults.window).max(1),
        seconds: flag(args, "--seconds")?
            .unwrap_or(defaults.seconds)
            .clamp(1, 60),
        latency_seconds: flag(args, "--latency-seconds")?
            .unwrap_or(defaults.latency_seconds)
            .clamp(1, 60),
        ack_batch: flag(args, "--ack-batch")?.unwrap_or(1).clamp(1, 1000),
        pin: !args.iter().any(|a| a == "--no-pin"),
        bare_nodelay: !args.iter().any(|a| a == "--bare-nagle"),
        bare_read_buffer: flag(args, "--bare-read-buffer")?,
        before_exe: flag(args, "--before-exe")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn flags_override_the_defaults_of_either_size() {
        let full = parse(&[], false).unwrap();
        assert_eq!(
            (full.connections, full.pairs, full.seconds),
            (10_000, 200, 10)
        );
        let smoke = parse(&args("--pairs 2 --no-pin"), true).unwrap();
        assert_eq!((smoke.connections, smoke.pairs, smoke.pin), (50, 2, false));
        assert_eq!(smoke.before_exe, None);
        let before = parse(&args("--before-exe /tmp/old"), false).unwrap();
        assert_eq!(before.before_exe, Some("/tmp/old".into()));
    }

    #[test]
    fn unknown_flags_and_bad_values_are_refused() {
        assert!(parse(&args("--conections 5"), false).is_err());
        assert!(parse(&args("--pairs many"), false).is_err());
        assert!(parse(&args("--pairs"), false).is_err());
    }
}
