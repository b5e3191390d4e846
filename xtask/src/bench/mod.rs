//! `cargo xtask bench [--smoke] [NAME..]`: every benchmark, each printing its figures and its
//! ratios against a reference measured in the same run. `--smoke` runs each with tiny sizes
//! (`cargo xtask test` does, so that none stops working unseen).

mod before;
mod browser;
mod media;
mod mode;
mod native;
mod size;
mod ux;

use std::time::{Duration, Instant};

use crate::builds::Builds;
use crate::timing::minutes;
use crate::{setup, Result};

pub(crate) use mode::Mode;

/// A benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bench {
    /// ours vs vodozemac vs the primitive floor, natively.
    Protocol,
    /// The same scenarios in headless Chromium.
    ProtocolWasm,
    /// Catch-up and a long chat in IndexedDB, in Chromium.
    Catchup,
    /// The relay under load against a bare WebSocket relay (and, in a full run, against
    /// itself before the hardening).
    Relay,
    /// The relay's SQLite store: envelopes in, acks.
    Store,
    /// One message to a group against one by one.
    Group,
    /// Browser to browser through a local relay.
    Latency,
    /// A large file and a photo through the web app, against plain fetch and the crypto alone.
    Media,
    /// Search in IndexedDB against a scan, and what its index costs a catch-up.
    Search,
    /// The app's first-load bytes.
    Size,
    /// Lighthouse on the release build against a bare page.
    Ux,
}

impl Bench {
    /// Every benchmark, in the order they run.
    pub(crate) const ALL: [Bench; 11] = [
        Bench::Protocol,
        Bench::ProtocolWasm,
        Bench::Catchup,
        Bench::Relay,
        Bench::Store,
        Bench::Group,
        Bench::Latency,
        Bench::Media,
        Bench::Search,
        Bench::Size,
        Bench::Ux,
    ];

    /// Its name on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Bench::Protocol => "protocol",
            Bench::ProtocolWasm => "protocol-wasm",
            Bench::Catchup => "catchup",
            Bench::Relay => "relay",
            Bench::Store => "store",
            Bench::Group => "group",
            Bench::Latency => "latency",
            Bench::Media => "media",
            Bench::Search => "search",
            Bench::Size => "size",
            Bench::Ux => "ux",
        }
    }

    fn run(self, mode: Mode, builds: &mut Builds) -> Result {
        match self {
            Bench::Protocol => native::protocol(mode, builds),
            Bench::ProtocolWasm => browser::protocol_wasm(mode, builds),
            Bench::Catchup => browser::catchup(mode, builds),
            Bench::Relay => native::relay(mode, builds),
            Bench::Store => native::load_tool("store_throughput", mode, builds),
            Bench::Group => native::load_tool("group_send", mode, builds),
            Bench::Latency => browser::latency(mode, builds),
            Bench::Media => media::media(mode, builds),
            Bench::Search => browser::search(mode, builds),
            Bench::Size => size::first_load_size(&builds.release_app()?),
            Bench::Ux => ux::lighthouse(mode, builds),
        }
    }
}

/// How one benchmark's run went.
pub(crate) struct Outcome {
    /// Which.
    pub bench: Bench,
    /// Its wall time, builds included.
    pub took: Duration,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

pub(crate) fn run(args: &[String]) -> Result {
    let (mode, benches) = parse(args)?;
    let tools = setup::ensure()?;
    let mut builds = Builds::new(&tools);
    let outcomes = run_all(&benches, mode, &mut builds);
    println!("\n{}", summary(&outcomes, mode));
    match outcomes.iter().filter(|o| o.failure.is_some()).count() {
        0 => Ok(()),
        failed => Err(format!("{failed} benchmark(s) failed").into()),
    }
}

/// `[--smoke] [NAME..]`: no name is all of them.
fn parse(args: &[String]) -> Result<(Mode, Vec<Bench>)> {
    let mut mode = Mode::Full;
    let mut benches = Vec::new();
    for arg in args {
        if arg == "--smoke" {
            mode = Mode::Smoke;
            continue;
        }
        let Some(bench) = Bench::ALL.into_iter().find(|b| b.name() == arg) else {
            let names: Vec<&str> = Bench::ALL.iter().map(|b| b.name()).collect();
            return Err(format!(
                "unknown benchmark {arg:?}; benchmarks: {}",
                names.join(", ")
            )
            .into());
        };
        if !benches.contains(&bench) {
            benches.push(bench);
        }
    }
    if benches.is_empty() {
        benches = Bench::ALL.to_vec();
    }
    Ok((mode, benches))
}

/// Runs each benchmark in turn, going on after a failure.
pub(crate) fn run_all(benches: &[Bench], mode: Mode, builds: &mut Builds) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(benches.len());
    for &bench in benches {
        println!("\nxtask: bench {}{}", bench.name(), mode.label());
        let started = Instant::now();
        let failure = bench.run(mode, builds).err().map(|e| e.to_string());
        let took = started.elapsed();
        match &failure {
            None => println!("xtask: bench {} ran in {}", bench.name(), minutes(took)),
            Some(why) => eprintln!("xtask: bench {} failed: {why}", bench.name()),
        }
        outcomes.push(Outcome {
            bench,
            took,
            failure,
        });
    }
    outcomes
}

/// One line per benchmark: ran or failed, and how long it took.
fn summary(outcomes: &[Outcome], mode: Mode) -> String {
    let mut text = format!("benchmarks{}:", mode.label());
    for outcome in outcomes {
        let state = if outcome.failure.is_some() {
            "FAILED"
        } else {
            "ran"
        };
        text.push_str(&format!(
            "\n  {:<14} {state:<7} {}",
            outcome.bench.name(),
            minutes(outcome.took)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn names_pick_benchmarks_and_smoke_picks_the_mode() {
        let (mode, all) = parse(&[]).unwrap();
        assert_eq!((mode, all), (Mode::Full, Bench::ALL.to_vec()));
        let (mode, some) = parse(&args("--smoke relay size relay")).unwrap();
        assert_eq!((mode, some), (Mode::Smoke, vec![Bench::Relay, Bench::Size]));
        assert!(parse(&args("relays")).is_err());
    }

    #[test]
    fn every_benchmark_is_named_once() {
        for bench in Bench::ALL {
            let (_, picked) = parse(&[bench.name().to_owned()]).unwrap();
            assert_eq!(picked, vec![bench]);
        }
    }

    #[test]
    fn the_summary_says_what_ran_failed_and_took() {
        let outcomes = [
            Outcome {
                bench: Bench::Relay,
                took: Duration::from_secs(30),
                failure: None,
            },
            Outcome {
                bench: Bench::Size,
                took: Duration::from_secs(6),
                failure: Some("trunk failed".to_owned()),
            },
        ];
        assert_eq!(
            summary(&outcomes, Mode::Smoke),
            "benchmarks (smoke):\n  relay          ran     0.50 min\n  size           FAILED  0.10 min"
        );
    }
}
