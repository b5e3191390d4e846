//! Load on the real relay over loopback, with a bare WebSocket relay as the same-run reference.
//!
//! `cargo run --release -p hush-server --example relay_load [-- FLAGS]` (also `cargo xtask bench
//! relay`). The relays run in child processes (this program again, with `--serve`): ours is the
//! real [`Server`] on a fresh SQLite database in a temporary directory, the reference a bare
//! tokio-tungstenite relay that forwards each frame of a sender to its paired receiver (no
//! storage, no authentication). With two CPUs or more the relay is pinned to one CPU and this
//! generator to another. For each relay:
//!
//! 1. idle connections: C connections (ours: each registers its own account and stays
//!    authenticated), the relay's RSS before and after → KB per idle connection;
//! 2. throughput: P sender/receiver pairs, senders pipelining `Send`s of 256-byte payloads
//!    (a window of W unanswered sends each), receivers acking every envelope, for T seconds;
//! 3. latency: the same pairs rate-limited to half the measured throughput, payloads
//!    timestamped, p50/p99 from send to receipt.
//!
//! Flags: `--connections C` (10000) `--pairs P` (200) `--window W` (32) `--seconds T` (10)
//! `--latency-seconds L` (6) `--ack-batch N` (1: one `Ack` per envelope; more: envelopes already
//! received are acked together) `--no-pin`; for the reference only, `--bare-nagle` (leave
//! TCP_NODELAY off; by default the reference sets it, as ours does, since with Nagle's algorithm
//! and delayed ACKs its figures are stall-bound and vary severalfold run to run) and
//! `--bare-read-buffer BYTES` (tungstenite's read buffer, 128 KiB by default; ours uses 4 KiB).
//! Only loopback addresses; every loop is bounded in count and time.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::stream::{SplitSink, SplitStream};
use futures::{FutureExt, SinkExt, StreamExt};
use hush_protocol::devices::{AccountKey, DeviceList, ListedDevice};
use hush_protocol::relay::{auth_message, ClientFrame, OutgoingEnvelope, SendOutcome, ServerFrame};
use hush_protocol::IdentityKeyPair;
use hush_server::{Config, Server};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

type Failure = Box<dyn std::error::Error + Send + Sync>;
type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = SplitSink<Ws, Message>;
type Stream = SplitStream<Ws>;

/// One frame or handshake step may take this long.
const WAIT: Duration = Duration::from_secs(10);
/// Connections being opened at once.
const OPENING: usize = 128;
/// The most time spent opening the idle connections.
const IDLE_BUDGET: Duration = Duration::from_secs(45);
/// Counted from the start of a phase, before its measurement window opens.
const WARM_UP: Duration = Duration::from_secs(1);
/// After sending stops: how long answers and deliveries may still take.
const DRAIN: Duration = Duration::from_secs(10);
/// Envelope payload bytes (the first 8 are the send time).
const PAYLOAD: usize = 256;
/// Latency samples kept per receiver.
const MAX_SAMPLES: usize = 1 << 16;
/// Open files wanted by both processes.
const FILES: u64 = 65_536;
/// Linux reports CPU time in these (USER_HZ).
const TICKS_PER_SECOND: f64 = 100.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("--serve") {
        serve(&args[1..])
    } else {
        generate(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("relay_load: {error}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Process setup: open-file limit and CPU pinning.

/// Raises the open-file limit towards `want`; returns the soft limit in force.
#[allow(unsafe_code)]
fn raise_file_limit(want: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read or write one plain `rlimit` we own.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 1024;
        }
        if limit.rlim_cur >= want {
            return limit.rlim_cur;
        }
        let raised = libc::rlimit {
            rlim_cur: want,
            rlim_max: want.max(limit.rlim_max),
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
            return want;
        }
        let soft = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &soft) == 0 {
            limit.rlim_max
        } else {
            limit.rlim_cur
        }
    }
}

/// The CPUs this process may run on.
#[allow(unsafe_code)]
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: `cpu_set_t` is plain data; sched_getaffinity writes at most its size.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
            .collect()
    }
}

/// Pins the calling thread (and the threads it starts later) to `cpu`.
#[allow(unsafe_code)]
fn pin_to(cpu: usize) -> bool {
    // SAFETY: `cpu_set_t` is plain data; sched_setaffinity only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

// ---------------------------------------------------------------------------------------------
// The relays (child processes).

/// `--serve hush DIR [--cpu N]` or `--serve bare [--cpu N]`: prints `listening ADDR`, serves
/// until stdin closes.
fn serve(args: &[String]) -> Result<(), Failure> {
    raise_file_limit(FILES);
    if let Some(cpu) = flag(args, "--cpu")? {
        pin_to(cpu);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("hush") => {
            let dir = args.get(1).ok_or("--serve hush needs a directory")?;
            runtime.block_on(serve_hush(PathBuf::from(dir)))
        }
        Some("bare") => {
            let nodelay = args.iter().any(|a| a == "--nodelay");
            let config = flag(args, "--read-buffer")?
                .map(|bytes| WebSocketConfig::default().read_buffer_size(bytes));
            runtime.block_on(serve_bare(nodelay, config))
        }
        _ => Err("--serve hush DIR | --serve bare".into()),
    }
}

fn announce(addr: SocketAddr) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening {addr}")?;
    out.flush()?;
    Ok(())
}

/// Resolves when stdin closes (the generator dropped it or died).
fn stdin_closed() -> impl std::future::Future<Output = ()> {
    let (closed, wait) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    async move {
        let _ = wait.await;
    }
}

async fn serve_hush(data: PathBuf) -> Result<(), Failure> {
    // Parsed like the binary's flags, so fields added later keep their defaults. The per-device
    // frame limit and the per-address limit on unauthenticated connections are lifted (every
    // client here is on 127.0.0.1): this measures capacity, not the policy.
    let config = <Config as clap::Parser>::try_parse_from([
        "hush-server".as_ref(),
        "--max-guests-per-ip".as_ref(),
        "1000000".as_ref(),
        "--addr".as_ref(),
        "127.0.0.1:0".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--static-dir".as_ref(),
        data.join("no-app").as_os_str(),
        "--frames-per-second".as_ref(),
        "1000000000".as_ref(),
    ])?;
    let server = Server::new(&config)?;
    let listener = TcpListener::bind(config.addr).await?;
    announce(listener.local_addr()?)?;
    server.serve(listener, stdin_closed()).await?;
    Ok(())
}

type Receivers = Arc<Mutex<HashMap<u32, mpsc::Sender<Message>>>>;

/// The reference: `/idle` holds a connection, `/r/K` is receiver K, `/s/K` sends to receiver K
/// (each binary frame forwarded as is, answered with a fixed `Sent`); receivers' frames (acks)
/// are read and dropped.
async fn serve_bare(nodelay: bool, config: Option<WebSocketConfig>) -> Result<(), Failure> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    announce(listener.local_addr()?)?;
    let receivers = Receivers::default();
    let stop = stdin_closed();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    if nodelay {
                        let _ = tcp.set_nodelay(true);
                    }
                    tokio::spawn(bare_connection(tcp, receivers.clone(), config));
                }
                // Out of files, most likely: let connections close.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

fn lock(receivers: &Receivers) -> std::sync::MutexGuard<'_, HashMap<u32, mpsc::Sender<Message>>> {
    receivers
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn bare_connection(tcp: TcpStream, receivers: Receivers, config: Option<WebSocketConfig>) {
    let mut path = String::new();
    // The signature is tungstenite's.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        path = request.uri().path().to_owned();
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, config).await
    else {
        return;
    };
    let (role, pair) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path.trim_start_matches('/'), ""));
    let pair: u32 = pair.parse().unwrap_or(0);
    match role {
        "r" => {
            let (tx, mut rx) = mpsc::channel::<Message>(512);
            lock(&receivers).insert(pair, tx);
            let (mut sink, mut stream) = ws.split();
            let writer = tokio::spawn(async move {
                while let Some(frame) = rx.recv().await {
                    if sink.send(frame).await.is_err() {
                        break;
                    }
                }
            });
            while let Some(Ok(_)) = stream.next().await {}
            lock(&receivers).remove(&pair);
            writer.abort();
        }
        "s" => {
            let sent = ServerFrame::Sent {
                client_id: [0; 16],
                outcome: SendOutcome::Stored,
            }
            .encode();
            let mut to: Option<mpsc::Sender<Message>> = None;
            while let Some(Ok(message)) = ws.next().await {
                if !message.is_binary() {
                    continue;
                }
                if to.is_none() {
                    // The receiver connects first; give its registration a moment.
                    for _ in 0..500 {
                        to = lock(&receivers).get(&pair).cloned();
                        if to.is_some() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                let Some(receiver) = &to else { return };
                if receiver.send(message).await.is_err()
                    || ws.send(Message::binary(sent.clone())).await.is_err()
                {
                    return;
                }
            }
        }
        _ => while let Some(Ok(_)) = ws.next().await {},
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Relay {
    Hush,
    Bare,
}

impl Relay {
    fn name(self) -> &'static str {
        match self {
            Self::Hush => "ours",
            Self::Bare => "bare",
        }
    }
}

struct Options {
    connections: usize,
    pairs: usize,
    window: usize,
    seconds: u64,
    latency_seconds: u64,
    ack_batch: usize,
    pin: bool,
    bare_nodelay: bool,
    bare_read_buffer: Option<usize>,
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>, Failure> {
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

fn options(args: &[String]) -> Result<Options, Failure> {
    let known = [
        "--connections",
        "--pairs",
        "--window",
        "--seconds",
        "--latency-seconds",
        "--ack-batch",
        "--bare-read-buffer",
    ];
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if known.contains(&arg.as_str()) {
            i += 2;
        } else if arg == "--no-pin" || arg == "--bare-nagle" {
            i += 1;
        } else {
            return Err(format!(
                "unknown argument {arg:?}; flags: {} --no-pin --bare-nagle",
                known.join(" ")
            )
            .into());
        }
    }
    let options = Options {
        connections: flag(args, "--connections")?.unwrap_or(10_000),
        pairs: flag(args, "--pairs")?.unwrap_or(200).max(1),
        window: flag(args, "--window")?.unwrap_or(32).max(1),
        seconds: flag(args, "--seconds")?.unwrap_or(10).clamp(1, 60),
        latency_seconds: flag(args, "--latency-seconds")?.unwrap_or(6).clamp(1, 60),
        ack_batch: flag(args, "--ack-batch")?.unwrap_or(1).clamp(1, 1000),
        pin: !args.iter().any(|a| a == "--no-pin"),
        bare_nodelay: !args.iter().any(|a| a == "--bare-nagle"),
        bare_read_buffer: flag(args, "--bare-read-buffer")?,
    };
    Ok(options)
}

/// A relay child process.
struct Relayed {
    child: Child,
    addr: SocketAddr,
    _data: Option<tempfile::TempDir>,
}

impl Relayed {
    fn start(relay: Relay, cpu: Option<usize>, options: &Options) -> Result<Self, Failure> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command.arg("--serve");
        let data = match relay {
            Relay::Hush => {
                let dir = tempfile::tempdir()?;
                command.arg("hush").arg(dir.path());
                Some(dir)
            }
            Relay::Bare => {
                command.arg("bare");
                if options.bare_nodelay {
                    command.arg("--nodelay");
                }
                if let Some(bytes) = options.bare_read_buffer {
                    command.args(["--read-buffer", &bytes.to_string()]);
                }
                None
            }
        };
        if let Some(cpu) = cpu {
            command.args(["--cpu", &cpu.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                return Err("the relay did not start".into());
            }
        };
        let Some(addr) = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|a| a.parse::<SocketAddr>().ok())
        else {
            let _ = child.kill();
            return Err(format!("the relay said {line:?}").into());
        };
        Ok(Self {
            child,
            addr,
            _data: data,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes stdin (a graceful stop), then kills it if it is still there after a while.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        for _ in 0..150 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, KB.
fn rss_kb(pid: u32) -> Result<u64, Failure> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS".into())
}

/// User + system CPU seconds of a process (`self` or a pid).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let Some((_, after)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / TICKS_PER_SECOND
}

/// Counters of the hush relay's `/metrics`.
async fn metrics(addr: SocketAddr) -> HashMap<String, f64> {
    let mut values = HashMap::new();
    let fetched = tokio::time::timeout(WAIT, async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = TcpStream::connect(addr).await?;
        tcp.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut text = String::new();
        tcp.read_to_string(&mut text).await?;
        Ok::<_, std::io::Error>(text)
    })
    .await;
    if let Ok(Ok(text)) = fetched {
        for line in text.lines().filter(|l| l.starts_with("hush_")) {
            if let Some((name, value)) = line.split_once(' ') {
                if let Ok(value) = value.trim().parse() {
                    values.insert(name.to_owned(), value);
                }
            }
        }
    }
    values
}

fn generate(args: &[String]) -> Result<(), Failure> {
    let options = options(args)?;
    let files = raise_file_limit(FILES);
    // Ours needs one file per connection in each process, plus a margin.
    let connections = options
        .connections
        .min(usize::try_from(files.saturating_sub(512)).unwrap_or(usize::MAX));
    let cpus = allowed_cpus();
    let (server_cpu, generator_cpu) = match cpus.as_slice() {
        [server, generator, ..] if options.pin => (Some(*server), Some(*generator)),
        _ => (None, None),
    };
    if let Some(cpu) = generator_cpu {
        // Before the runtime starts its threads, so they inherit it.
        pin_to(cpu);
    }
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
    match (server_cpu, generator_cpu) {
        (Some(s), Some(g)) => println!(
            "relay pinned to CPU {s}, generator to CPU {g} (of {})",
            cpus.len()
        ),
        _ => println!("not pinned ({} CPUs allowed)", cpus.len()),
    }
    println!("(the machine may be shared and noisy: figures vary run to run)");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut results = Vec::new();
    for relay in [Relay::Hush, Relay::Bare] {
        let server = Relayed::start(relay, server_cpu, &options)?;
        let same_rate = match relay {
            Relay::Hush => None,
            Relay::Bare => results.first().map(|ours: &Figures| ours.latency_rate),
        };
        let outcome = runtime.block_on(measure(relay, &server, &options, connections, same_rate));
        server.stop();
        results.push(outcome?);
    }
    if let [ours, bare] = results.as_slice() {
        report(ours, bare, connections);
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Figures {
    held: usize,
    idle_kb: f64,
    rss_before_kb: u64,
    rss_after_kb: u64,
    open_seconds: f64,
    pairs: usize,
    stored_per_s: f64,
    delivered_per_s: f64,
    server_cpu: f64,
    generator_cpu: f64,
    acks_per_s: Option<f64>,
    commit_ms: Option<f64>,
    latency_commit_ms: Option<f64>,
    errors: u64,
    latency_rate: f64,
    achieved_rate: f64,
    p50_us: f64,
    p99_us: f64,
    samples: usize,
    skipped: u64,
    same_rate_p50_us: f64,
    same_rate_p99_us: f64,
}

async fn measure(
    relay: Relay,
    server: &Relayed,
    options: &Options,
    connections: usize,
    same_rate: Option<f64>,
) -> Result<Figures, Failure> {
    let mut figures = Figures::default();
    println!("\n[{}] idle connections…", relay.name());
    idle_phase(relay, server, connections, &mut figures).await?;
    println!(
        "[{}] held {}/{connections} in {:.1} s; RSS {} → {} KB",
        relay.name(),
        figures.held,
        figures.open_seconds,
        figures.rss_before_kb,
        figures.rss_after_kb
    );
    let pairs = open_pairs(relay, server.addr, options.pairs).await?;
    figures.pairs = pairs.len();
    println!(
        "[{}] {} pairs connected; throughput…",
        relay.name(),
        pairs.len()
    );
    let seconds = options.seconds as f64;
    let (pairs, run) = run_phase(relay, server, pairs, options, None, seconds).await;
    figures.stored_per_s = run.stored as f64 / seconds;
    figures.delivered_per_s = run.delivered as f64 / seconds;
    figures.server_cpu = run.server_cpu / seconds;
    figures.generator_cpu = run.generator_cpu / seconds;
    figures.errors = run.errors;
    if relay == Relay::Hush {
        figures.acks_per_s = metric_delta(&run, "hush_acks_total").map(|a| a / seconds);
        figures.commit_ms = mean_commit_ms(&run);
    }
    println!(
        "[{}] stored {:.0}/s delivered {:.0}/s; relay CPU {:.0}%, generator CPU {:.0}%",
        relay.name(),
        figures.stored_per_s,
        figures.delivered_per_s,
        figures.server_cpu * 100.0,
        figures.generator_cpu * 100.0
    );
    let rate = figures.delivered_per_s / 2.0;
    figures.latency_rate = rate;
    let mut pairs = pairs;
    if rate >= 1.0 && !pairs.is_empty() {
        let (rest, latency) = latency_phase(relay, server, pairs, options, rate).await;
        pairs = rest;
        figures.latency_commit_ms = latency.commit_ms;
        figures.achieved_rate = latency.achieved;
        figures.errors += latency.errors;
        figures.skipped = latency.skipped;
        figures.samples = latency.samples;
        figures.p50_us = latency.p50_us;
        figures.p99_us = latency.p99_us;
    }
    // The reference again at our half rate: the same absolute load, so the latencies compare.
    if let Some(rate) = same_rate.filter(|r| *r >= 1.0 && !pairs.is_empty()) {
        let (_, latency) = latency_phase(relay, server, pairs, options, rate).await;
        figures.same_rate_p50_us = latency.p50_us;
        figures.same_rate_p99_us = latency.p99_us;
    }
    Ok(figures)
}

/// How much a relay metric grew over the phase.
fn metric_delta(run: &Run, name: &str) -> Option<f64> {
    Some(run.metrics_after.get(name)? - run.metrics_before.get(name)?)
}

/// The mean wait of a send for its group commit over the phase.
fn mean_commit_ms(run: &Run) -> Option<f64> {
    metric_delta(run, "hush_send_commit_seconds_sum")
        .zip(metric_delta(run, "hush_send_commit_seconds_count"))
        .filter(|(_, n)| *n > 0.0)
        .map(|(s, n)| s / n * 1000.0)
}

struct Latency {
    commit_ms: Option<f64>,
    achieved: f64,
    errors: u64,
    skipped: u64,
    samples: usize,
    p50_us: f64,
    p99_us: f64,
}

/// Senders rate-limited to `rate` envelopes/s in all; send→receive latency percentiles.
async fn latency_phase(
    relay: Relay,
    server: &Relayed,
    pairs: Vec<Pair>,
    options: &Options,
    rate: f64,
) -> (Vec<Pair>, Latency) {
    let every = Duration::from_secs_f64(pairs.len().max(1) as f64 / rate);
    let seconds = options.latency_seconds as f64;
    let (pairs, run) = run_phase(relay, server, pairs, options, Some(every), seconds).await;
    let commit_ms = mean_commit_ms(&run);
    let mut samples = run.samples;
    samples.sort_unstable();
    let latency = Latency {
        commit_ms,
        achieved: run.delivered as f64 / seconds,
        errors: run.errors,
        skipped: run.skipped,
        samples: samples.len(),
        p50_us: percentile(&samples, 0.50),
        p99_us: percentile(&samples, 0.99),
    };
    println!(
        "[{}] at {:.0}/s (asked {rate:.0}/s): p50 {:.2} ms, p99 {:.2} ms ({} samples)",
        relay.name(),
        latency.achieved,
        latency.p50_us / 1000.0,
        latency.p99_us / 1000.0,
        latency.samples
    );
    (pairs, latency)
}

fn percentile(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted.get(at).copied().map_or(f64::NAN, f64::from)
}

// ---------------------------------------------------------------------------------------------
// Accounts and connections.

struct Account {
    name: String,
    key: AccountKey,
    identity: IdentityKeyPair,
}

impl Account {
    fn new(name: String, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        Self {
            name,
            key: AccountKey::generate(&mut rng),
            identity: IdentityKeyPair::generate(&mut rng),
        }
    }

    fn register_frame(&self, nonce: &[u8; 32]) -> Result<ClientFrame, Failure> {
        let identity = self.identity.public();
        let device = ListedDevice::certify(&self.name, 1, identity, "Load bot", 0, &self.key)?;
        let list = DeviceList::sign(&self.name, 1, vec![device], &self.key)?;
        Ok(ClientFrame::Register {
            account_key: self.key.public(),
            device_list: list.encode(),
            device: 1,
            signature: self.identity.sign(&auth_message(nonce, &self.name, 1)),
        })
    }
}

async fn connect(addr: SocketAddr, path: &str) -> Result<Ws, Failure> {
    let (ws, _) =
        tokio_tungstenite::connect_async_with_config(format!("ws://{addr}{path}"), None, true)
            .await?;
    Ok(ws)
}

async fn next_frame(ws: &mut Ws) -> Result<ServerFrame, Failure> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await {
            Err(_) => return Err("no answer in time".into()),
            Ok(None) => return Err("the relay closed the connection".into()),
            Ok(Some(Err(e))) => return Err(e.into()),
            Ok(Some(Ok(Message::Binary(bytes)))) => return Ok(ServerFrame::decode(&bytes)?),
            Ok(Some(Ok(Message::Close(_)))) => return Err("the relay closed the connection".into()),
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// A connection of a fresh account (ours: registered and authenticated, queue drained) or a
/// bare connection on `bare_path`.
async fn open(
    relay: Relay,
    addr: SocketAddr,
    name: String,
    seed: u64,
    bare_path: &str,
) -> Result<Ws, Failure> {
    match relay {
        Relay::Bare => connect(addr, bare_path).await,
        Relay::Hush => {
            let account = Account::new(name, seed);
            let mut ws = connect(addr, "/ws").await?;
            let ServerFrame::Challenge { nonce } = next_frame(&mut ws).await? else {
                return Err("expected a challenge".into());
            };
            ws.send(Message::binary(account.register_frame(&nonce)?.encode()))
                .await?;
            match next_frame(&mut ws).await? {
                ServerFrame::Authenticated { .. } => {}
                other => return Err(format!("registration refused: {other:?}").into()),
            }
            loop {
                match next_frame(&mut ws).await? {
                    ServerFrame::QueueDrained => return Ok(ws),
                    ServerFrame::PreKeysLow { .. } => continue,
                    other => return Err(format!("unexpected {other:?}").into()),
                }
            }
        }
    }
}

async fn idle_phase(
    relay: Relay,
    server: &Relayed,
    count: usize,
    figures: &mut Figures,
) -> Result<(), Failure> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    figures.rss_before_kb = rss_kb(server.pid())?;
    let started = Instant::now();
    let deadline = started + IDLE_BUDGET;
    let addr = server.addr;
    let opened: Vec<Result<Ws, Failure>> = futures::stream::iter(0..count)
        .map(|i| async move {
            if Instant::now() > deadline {
                return Err(Failure::from("out of time"));
            }
            let name = format!("idle-{i:06}");
            match tokio::time::timeout(WAIT, open(relay, addr, name, 1_000_000 + i as u64, "/idle"))
                .await
            {
                Ok(result) => result,
                Err(_) => Err("timed out".into()),
            }
        })
        .buffer_unordered(OPENING)
        .collect()
        .await;
    figures.open_seconds = started.elapsed().as_secs_f64();
    let mut held = Vec::with_capacity(opened.len());
    let mut first_error = None;
    for result in opened {
        match result {
            Ok(ws) => held.push(ws),
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    if let Some(error) = first_error {
        println!(
            "[{}] {} connections failed, first: {error}",
            relay.name(),
            count - held.len()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    figures.rss_after_kb = rss_kb(server.pid())?;
    figures.held = held.len();
    if !held.is_empty() {
        figures.idle_kb =
            figures.rss_after_kb.saturating_sub(figures.rss_before_kb) as f64 / held.len() as f64;
    }
    // Close them all before the next phase.
    let closing = futures::stream::iter(held)
        .map(|mut ws| async move {
            let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
        })
        .buffer_unordered(1024)
        .collect::<Vec<()>>();
    let _ = tokio::time::timeout(Duration::from_secs(20), closing).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

struct Pair {
    index: usize,
    /// The receiver's account (ours).
    to: String,
    sender: (Sink, Stream),
    receiver: (Sink, Stream),
}

async fn open_pairs(relay: Relay, addr: SocketAddr, count: usize) -> Result<Vec<Pair>, Failure> {
    // Receivers first, so a bare sender finds its receiver.
    let open_all = |role: &'static str| {
        futures::stream::iter(0..count)
            .map(move |i| async move {
                let name = format!("load-{role}-{i:05}");
                let seed = if role == "r" { 2_000_000 } else { 3_000_000 } + i as u64;
                let path = format!("/{role}/{i}");
                match tokio::time::timeout(WAIT, open(relay, addr, name, seed, &path)).await {
                    Ok(result) => result,
                    Err(_) => Err("timed out".into()),
                }
            })
            .buffered(OPENING)
            .collect::<Vec<Result<Ws, Failure>>>()
    };
    let receivers = open_all("r").await;
    let senders = open_all("s").await;
    let mut pairs = Vec::with_capacity(count);
    for (index, (receiver, sender)) in receivers.into_iter().zip(senders).enumerate() {
        pairs.push(Pair {
            index,
            to: format!("load-r-{index:05}"),
            sender: sender?.split(),
            receiver: receiver?.split(),
        });
    }
    Ok(pairs)
}

// ---------------------------------------------------------------------------------------------
// Sending and receiving.

#[derive(Default)]
struct Counters {
    stored: AtomicU64,
    delivered: AtomicU64,
    errors: AtomicU64,
    skipped: AtomicU64,
}

struct Phase {
    relay: Relay,
    /// Distinguishes the phases' client ids.
    id: u64,
    /// Time zero of the send timestamps.
    base: Instant,
    window: usize,
    /// Envelopes acked per `Ack` at most.
    ack_batch: usize,
    /// Per sender, when rate-limited.
    every: Option<Duration>,
    stop_sending: Instant,
    /// Latency samples are taken from envelopes sent from then on (none when `None`).
    record_from: Option<Instant>,
}

impl Phase {
    fn now_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

#[derive(Default)]
struct Run {
    stored: u64,
    delivered: u64,
    errors: u64,
    skipped: u64,
    server_cpu: f64,
    generator_cpu: f64,
    metrics_before: HashMap<String, f64>,
    metrics_after: HashMap<String, f64>,
    samples: Vec<u32>,
}

/// Runs senders and receivers for a warm-up plus `seconds`, counting over those seconds; returns
/// the pairs (those still whole) for the next phase.
async fn run_phase(
    relay: Relay,
    server: &Relayed,
    pairs: Vec<Pair>,
    options: &Options,
    every: Option<Duration>,
    seconds: f64,
) -> (Vec<Pair>, Run) {
    let start = Instant::now();
    let window_start = start + WARM_UP;
    let window_end = window_start + Duration::from_secs_f64(seconds);
    let phase = Arc::new(Phase {
        relay,
        id: 1 + u64::from(every.is_some()),
        base: start,
        window: options.window,
        ack_batch: options.ack_batch,
        every,
        stop_sending: window_end,
        record_from: every.map(|_| window_start),
    });
    let counters = Arc::new(Counters::default());
    let stop_receiving = CancellationToken::new();
    let count = pairs.len().max(1) as u32;
    let mut tasks = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let (sink, stream) = pair.sender;
        let offset = every.map_or(Duration::ZERO, |e| e * (pair.index as u32 % count) / count);
        let sending = tokio::spawn(run_sender(
            sink,
            stream,
            pair.to.clone(),
            pair.index,
            offset,
            phase.clone(),
            counters.clone(),
        ));
        let (sink, stream) = pair.receiver;
        let receiving = tokio::spawn(run_receiver(
            sink,
            stream,
            phase.clone(),
            counters.clone(),
            stop_receiving.clone(),
        ));
        tasks.push((pair.index, pair.to, sending, receiving));
    }
    let mut run = Run::default();
    tokio::time::sleep_until(window_start).await;
    let (stored0, delivered0) = (
        counters.stored.load(Ordering::Relaxed),
        counters.delivered.load(Ordering::Relaxed),
    );
    let (server0, generator0) = (cpu_seconds(&server.pid().to_string()), cpu_seconds("self"));
    if relay == Relay::Hush {
        run.metrics_before = metrics(server.addr).await;
    }
    tokio::time::sleep_until(window_end).await;
    run.stored = counters.stored.load(Ordering::Relaxed) - stored0;
    run.delivered = counters.delivered.load(Ordering::Relaxed) - delivered0;
    run.server_cpu = cpu_seconds(&server.pid().to_string()) - server0;
    run.generator_cpu = cpu_seconds("self") - generator0;
    if relay == Relay::Hush {
        run.metrics_after = metrics(server.addr).await;
    }
    // Senders stop on their own; then wait for what was stored to arrive.
    let mut senders = Vec::with_capacity(tasks.len());
    let mut receivers = Vec::with_capacity(tasks.len());
    for (index, to, sending, receiving) in tasks {
        senders.push((index, to, sending.await.ok()));
        receivers.push(receiving);
    }
    let drained_by = Instant::now() + DRAIN;
    while counters.delivered.load(Ordering::Relaxed) < counters.stored.load(Ordering::Relaxed)
        && Instant::now() < drained_by
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_receiving.cancel();
    let mut pairs = Vec::with_capacity(senders.len());
    for ((index, to, sender), receiving) in senders.into_iter().zip(receivers) {
        let Ok((sink, stream, mut samples)) = receiving.await else {
            continue;
        };
        run.samples.append(&mut samples);
        if let Some(sender) = sender {
            pairs.push(Pair {
                index,
                to,
                sender,
                receiver: (sink, stream),
            });
        }
    }
    run.errors = counters.errors.load(Ordering::Relaxed);
    run.skipped = counters.skipped.load(Ordering::Relaxed);
    (pairs, run)
}

fn send_frame(phase: &Phase, to: &str, index: usize, seq: u64) -> Message {
    let mut payload = vec![0u8; PAYLOAD];
    payload[..8].copy_from_slice(&phase.now_ns().to_be_bytes());
    let mut client_id = [0u8; 16];
    client_id[..8].copy_from_slice(&(index as u64).to_be_bytes());
    client_id[8..].copy_from_slice(&seq.to_be_bytes());
    let frame = ClientFrame::Send {
        client_id,
        recipient: to.to_owned(),
        envelopes: vec![OutgoingEnvelope { device: 1, payload }],
    };
    Message::binary(frame.encode())
}

async fn next_tick(tick: &mut Option<tokio::time::Interval>) {
    if let Some(tick) = tick {
        tick.tick().await;
    }
}

/// Sends until the phase stops sending (a window of unanswered sends at most, and at the
/// phase's rate if it has one), then waits for the outstanding answers.
async fn run_sender(
    mut sink: Sink,
    mut stream: Stream,
    to: String,
    index: usize,
    offset: Duration,
    phase: Arc<Phase>,
    counters: Arc<Counters>,
) -> (Sink, Stream) {
    // Sequence numbers stay unique across phases (a resent client id is not stored twice).
    let mut seq = phase.id << 40;
    let mut outstanding = 0usize;
    let mut tick = phase.every.map(|every| {
        let mut tick = tokio::time::interval_at(Instant::now() + offset, every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Burst);
        tick
    });
    let give_up = phase.stop_sending + DRAIN;
    loop {
        let now = Instant::now();
        let sending = now < phase.stop_sending;
        if (!sending && outstanding == 0) || now >= give_up {
            break;
        }
        let wake = if sending { phase.stop_sending } else { give_up };
        let ready = sending && (tick.is_some() || outstanding < phase.window);
        tokio::select! {
            biased;
            reply = stream.next() => match reply {
                Some(Ok(Message::Binary(bytes))) => {
                    outstanding = outstanding.saturating_sub(1);
                    match ServerFrame::decode(&bytes) {
                        Ok(ServerFrame::Sent { outcome: SendOutcome::Stored, .. }) => {
                            counters.stored.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            () = next_tick(&mut tick), if ready => {
                let room = phase.window.saturating_sub(outstanding);
                let n = if tick.is_some() { room.min(1) } else { room };
                if n == 0 {
                    counters.skipped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let mut failed = false;
                for _ in 0..n {
                    seq += 1;
                    if sink.feed(send_frame(&phase, &to, index, seq)).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || sink.flush().await.is_err() {
                    break;
                }
                outstanding += n;
            }
            () = tokio::time::sleep_until(wake) => {}
        }
    }
    (sink, stream)
}

/// Counts envelopes, acks each, and samples latency, until told to stop. With an ack batch
/// above 1, envelopes already waiting are acked together (up to the batch per `Ack`).
async fn run_receiver(
    mut sink: Sink,
    mut stream: Stream,
    phase: Arc<Phase>,
    counters: Arc<Counters>,
    stop: CancellationToken,
) -> (Sink, Stream, Vec<u32>) {
    let mut samples = Vec::new();
    let mut ids = Vec::with_capacity(phase.ack_batch);
    loop {
        let message = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            message = stream.next() => message,
        };
        let mut open = true;
        match message {
            Some(Ok(Message::Binary(bytes))) => {
                ids.extend(take_envelope(&phase, &counters, &mut samples, &bytes));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        }
        while ids.len() < phase.ack_batch {
            match stream.next().now_or_never() {
                Some(Some(Ok(Message::Binary(bytes)))) => {
                    ids.extend(take_envelope(&phase, &counters, &mut samples, &bytes));
                }
                Some(Some(Ok(_))) => {}
                Some(Some(Err(_)) | None) => {
                    open = false;
                    break;
                }
                None => break,
            }
        }
        if !ids.is_empty() {
            let ack = ClientFrame::Ack {
                ids: std::mem::take(&mut ids),
            };
            if sink.send(Message::binary(ack.encode())).await.is_err() {
                break;
            }
        }
        if !open {
            break;
        }
    }
    (sink, stream, samples)
}

/// Counts one delivered envelope and samples its latency; returns the id to ack.
fn take_envelope(
    phase: &Phase,
    counters: &Counters,
    samples: &mut Vec<u32>,
    bytes: &[u8],
) -> Option<u64> {
    let (id, payload) = match phase.relay {
        Relay::Hush => match ServerFrame::decode(bytes) {
            Ok(ServerFrame::Envelope { id, payload, .. }) => (id, payload),
            Ok(_) => return None,
            Err(_) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        },
        Relay::Bare => match ClientFrame::decode(bytes) {
            Ok(ClientFrame::Send { envelopes, .. }) => (
                0,
                envelopes
                    .into_iter()
                    .next()
                    .map(|e| e.payload)
                    .unwrap_or_default(),
            ),
            _ => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                return None;
            }
        },
    };
    counters.delivered.fetch_add(1, Ordering::Relaxed);
    let sent = payload
        .get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes);
    let nanos = |at: Instant| u64::try_from(at.duration_since(phase.base).as_nanos()).unwrap_or(0);
    if let (Some(from), Some(sent)) = (phase.record_from, sent) {
        if sent >= nanos(from) && sent < nanos(phase.stop_sending) && samples.len() < MAX_SAMPLES {
            let micros = phase.now_ns().saturating_sub(sent) / 1000;
            samples.push(u32::try_from(micros).unwrap_or(u32::MAX));
        }
    }
    Some(id)
}

// ---------------------------------------------------------------------------------------------
// Report.

fn ratio(ours: f64, bare: f64) -> String {
    if bare > 0.0 && ours.is_finite() && bare.is_finite() {
        format!("{:.2}", ours / bare)
    } else {
        "n/a".to_owned()
    }
}

fn report(ours: &Figures, bare: &Figures, asked: usize) {
    println!("\nrelay under load (loopback, same run):");
    println!(
        "  {:<36} {:>12} {:>12} {:>10}",
        "", "ours", "bare", "ours/bare"
    );
    let row = |label: &str, o: f64, b: f64, digits: usize| {
        println!(
            "  {label:<36} {o:>12.digits$} {b:>12.digits$} {:>10}",
            ratio(o, b)
        );
    };
    println!(
        "  {:<36} {:>12} {:>12}",
        "idle connections held",
        format!("{}/{asked}", ours.held),
        format!("{}/{asked}", bare.held)
    );
    row("  opened in (s)", ours.open_seconds, bare.open_seconds, 1);
    row(
        "KB per idle connection (RSS)",
        ours.idle_kb,
        bare.idle_kb,
        1,
    );
    row(
        "envelopes/s delivered (+acked)",
        ours.delivered_per_s,
        bare.delivered_per_s,
        0,
    );
    row(
        "  stored (Sent) /s",
        ours.stored_per_s,
        bare.stored_per_s,
        0,
    );
    row("  relay CPU (cores)", ours.server_cpu, bare.server_cpu, 2);
    row(
        "  generator CPU (cores)",
        ours.generator_cpu,
        bare.generator_cpu,
        2,
    );
    row(
        "half-rate target /s",
        ours.latency_rate,
        bare.latency_rate,
        0,
    );
    row("  achieved /s", ours.achieved_rate, bare.achieved_rate, 0);
    row(
        "  p50 send→receive (ms)",
        ours.p50_us / 1000.0,
        bare.p50_us / 1000.0,
        2,
    );
    row(
        "  p99 send→receive (ms)",
        ours.p99_us / 1000.0,
        bare.p99_us / 1000.0,
        2,
    );
    if let Some(acks) = ours.acks_per_s {
        println!("  ours: acks applied {acks:.0}/s");
    }
    if let Some(ms) = ours.commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (throughput)");
    }
    if let Some(ms) = ours.latency_commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (half rate)");
    }
    println!(
        "  errors: ours {} bare {}; sends skipped at a full window (latency phase): ours {} bare {}",
        ours.errors, bare.errors, ours.skipped, bare.skipped
    );
    println!(
        "bench relay/connections ours={} bare={} asked={asked}",
        ours.held, bare.held
    );
    let line = |name: &str, o: f64, b: f64| {
        println!(
            "bench relay/{name} ours={o:.1} bare={b:.1} ratio={}",
            ratio(o, b)
        );
    };
    line("kb_per_idle_connection", ours.idle_kb, bare.idle_kb);
    line("throughput", ours.delivered_per_s, bare.delivered_per_s);
    line("p50_us_half_rate", ours.p50_us, bare.p50_us);
    line("p99_us_half_rate", ours.p99_us, bare.p99_us);
    line(
        "p50_us_at_our_half_rate",
        ours.p50_us,
        bare.same_rate_p50_us,
    );
    line(
        "p99_us_at_our_half_rate",
        ours.p99_us,
        bare.same_rate_p99_us,
    );
}
