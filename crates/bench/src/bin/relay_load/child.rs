//! A relay in a child process (this program again, with `--serve`), started and stopped by
//! the generator.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hush_bench::Failure;

use crate::options::Options;
use crate::relay_kind::Relay;

/// How long a relay may take to say where it listens.
const START_WAIT: Duration = Duration::from_secs(30);

/// A running relay child.
pub struct Relayed {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Where it serves its metrics (ours only).
    pub metrics: Option<SocketAddr>,
    _data: Option<tempfile::TempDir>,
}

impl Relayed {
    /// Starts `relay`, pinned to `cpu` if given, and waits for its address.
    pub fn start(relay: Relay, cpu: Option<usize>, options: &Options) -> Result<Self, Failure> {
        let (mut command, data) = command(relay, options)?;
        if let Some(cpu) = cpu {
            command.args(["--cpu", &cpu.to_string()]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        match listening_on(&mut child) {
            Ok((addr, metrics)) => Ok(Self {
                child,
                addr,
                metrics,
                _data: data,
            }),
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(error)
            }
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes stdin (a graceful stop), then kills it if it is still there after a while.
    pub fn stop(mut self) {
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

/// `relay_load --serve …` for `relay`, with ours' data directory.
fn command(
    relay: Relay,
    options: &Options,
) -> Result<(Command, Option<tempfile::TempDir>), Failure> {
    let exe = match (relay, &options.before_exe) {
        (Relay::Before, Some(exe)) => exe.clone(),
        (Relay::Before, None) => {
            return Err("the relay before the hardening needs --before-exe".into())
        }
        _ => std::env::current_exe()?,
    };
    let mut command = Command::new(exe);
    command.arg("--serve");
    let data = match relay {
        // The build before the hardening serves `--serve hush DIR` the same way.
        Relay::Hush | Relay::Before => {
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
    Ok((command, data))
}

/// Reads the child's `listening ADDR [metrics ADDR]` line.
fn listening_on(child: &mut Child) -> Result<(SocketAddr, Option<SocketAddr>), Failure> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(START_WAIT)
        .map_err(|_| "the relay did not start")?;
    let said = || format!("the relay said {line:?}");
    let rest = line.trim().strip_prefix("listening ").ok_or_else(said)?;
    let (addr, metrics) = match rest.split_once(" metrics ") {
        Some((addr, metrics)) => (addr, Some(metrics.parse().map_err(|_| said())?)),
        None => (rest, None),
    };
    Ok((addr.parse().map_err(|_| said())?, metrics))
}
