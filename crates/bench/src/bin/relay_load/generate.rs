//! The generator: starts each relay in turn, loads it, and prints the comparison.

use hush_bench::Failure;

use crate::child::Relayed;
use crate::measure::{measure, Figures};
use crate::options::{self, Options};
use crate::os::{allowed_cpus, pin_to, raise_file_limit};
use crate::relay_kind::Relay;
use crate::report::report;
use crate::settings::{FILES, PAYLOAD};

/// Where the relay and the generator run: a CPU each, when pinned.
struct Placement {
    server: Option<usize>,
    generator: Option<usize>,
    allowed: usize,
}

/// Runs the whole load with the flags in `args`.
pub fn generate(args: &[String]) -> Result<(), Failure> {
    let options = options::parse(args, hush_bench::smoke())?;
    let files = raise_file_limit(FILES);
    // Ours needs one file per connection in each process, plus a margin.
    let connections = options
        .connections
        .min(usize::try_from(files.saturating_sub(512)).unwrap_or(usize::MAX));
    let placement = place(&options);
    if let Some(cpu) = placement.generator {
        // Before the runtime starts its threads, so they inherit it.
        pin_to(cpu);
    }
    describe(&options, connections, files, &placement);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut results: Vec<Figures> = Vec::new();
    for relay in relays(&options) {
        let server = Relayed::start(relay, placement.server, &options)?;
        // The others are measured again at our half rate, so the latencies compare.
        let same_rate = match relay {
            Relay::Hush => None,
            Relay::Before | Relay::Bare => results.first().map(|ours| ours.latency_rate),
        };
        let outcome = runtime.block_on(measure(relay, &server, &options, connections, same_rate));
        server.stop();
        results.push(outcome?);
    }
    match results.as_slice() {
        [ours, bare] => report(ours, None, bare, connections),
        [ours, before, bare] => report(ours, Some(before), bare, connections),
        _ => {}
    }
    Ok(())
}

/// Ours, then ours before the hardening when its build was given, then the reference.
fn relays(options: &Options) -> Vec<Relay> {
    match options.before_exe {
        Some(_) => vec![Relay::Hush, Relay::Before, Relay::Bare],
        None => vec![Relay::Hush, Relay::Bare],
    }
}

/// The first two allowed CPUs, relay then generator, unless told not to pin.
fn place(options: &Options) -> Placement {
    let cpus = allowed_cpus();
    let (server, generator) = match cpus.as_slice() {
        [server, generator, ..] if options.pin => (Some(*server), Some(*generator)),
        _ => (None, None),
    };
    Placement {
        server,
        generator,
        allowed: cpus.len(),
    }
}

/// The run's header.
fn describe(options: &Options, connections: usize, files: u64, placement: &Placement) {
    println!(
        "relay load on loopback: {connections} idle connections (asked {}), {} pairs, window {}, \
         {} s throughput, {} s latency at half rate, payload {PAYLOAD} B; open-file limit {files}",
        options.connections,
        options.pairs,
        options.window,
        options.seconds,
        options.latency_seconds
    );
    println!(
        "receivers ack up to {} envelope(s) per Ack; bare relay TCP_NODELAY: {} (ours: true), \
         read buffer: {} (tungstenite's default: 128 KiB; ours: 4 KiB)",
        options.ack_batch,
        options.bare_nodelay,
        options
            .bare_read_buffer
            .map_or_else(|| "default".to_owned(), |b| format!("{b} B"))
    );
    match (placement.server, placement.generator) {
        (Some(s), Some(g)) => println!(
            "relay pinned to CPU {s}, generator to CPU {g} (of {})",
            placement.allowed
        ),
        _ => println!("not pinned ({} CPUs allowed)", placement.allowed),
    }
    if hush_bench::smoke() {
        println!(
            "smoke run ({}): tiny sizes, figures not meaningful",
            hush_bench::SMOKE_ENV
        );
    }
    println!("(the machine may be shared and noisy: figures vary run to run)");
}
