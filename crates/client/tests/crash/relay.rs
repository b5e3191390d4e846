//! The relay as a process of its own, so it can be SIGKILLed: this test binary run again with
//! only [`CHILD_TEST`] selected and [`DATA_VAR`] naming the relay's data directory. That test
//! starts the real relay (`hush_server::Server`, as `hush-server` does) on a free loopback
//! port, prints the port and serves until killed.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use hush_server::{Config, Server};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::net::TcpListener;
use tokio::process::{Child, ChildStdout, Command};

/// The test that is the relay process (it does nothing without [`DATA_VAR`]).
pub const CHILD_TEST: &str = "relay_process";
/// The data directory of the relay process.
pub const DATA_VAR: &str = "HUSH_CRASH_RELAY_DATA";
/// What the relay process prints before its port.
const PORT_LINE: &str = "HUSH_CRASH_RELAY_PORT=";

/// Runs the relay on `data` until the process is killed (the child's side).
pub fn serve(data: &Path) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let config = Config::local(data);
        let server = Server::new(&config).expect("relay starts on its data");
        let listener = TcpListener::bind(config.addr).await.expect("loopback port");
        let port = listener.local_addr().expect("bound").port();
        println!("\n{PORT_LINE}{port}");
        server
            .serve(listener, std::future::pending())
            .await
            .expect("relay serves");
    });
}

/// A relay process (the parent's side); killed when dropped.
pub struct RelayProcess {
    child: Child,
    /// Kept open: the relay never writes after its port, but a closed pipe would fail a write.
    _stdout: Lines<BufReader<ChildStdout>>,
    pub addr: SocketAddr,
}

impl RelayProcess {
    /// Starts a relay process on `data` and waits for its port.
    pub async fn start(data: &Path) -> Self {
        let exe = std::env::current_exe().expect("test binary path");
        let mut child = Command::new(exe)
            .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
            .env(DATA_VAR, data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("relay process starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let next = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line());
            let line = next
                .await
                .expect("the relay process printed its port within a minute")
                .expect("relay process output")
                .expect("relay process printed its port before ending");
            // The test harness may print the test's name on the same line first.
            if let Some((_, port)) = line.split_once(PORT_LINE) {
                break port.trim().parse::<u16>().expect("a port number");
            }
        };
        Self {
            child,
            _stdout: lines,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), and waits for the process to be gone.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("relay process killed");
    }
}
