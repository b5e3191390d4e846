//! A real hush-server in a child process, on a free loopback port with a throw-away data dir,
//! its per-address limits on registrations and bundle fetches lifted: every test client is on
//! loopback, one address.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::Result;

/// Killed (and its data removed) when dropped.
pub(crate) struct RelayProcess {
    child: Child,
    http_url: String,
    _data: tempfile::TempDir,
}

impl RelayProcess {
    /// Starts the relay; `extra` are more flags (`--allowed-origin` for a test page served
    /// elsewhere).
    pub(crate) fn start(binary: &Path, extra: &[String]) -> Result<Self> {
        let data = tempfile::Builder::new().prefix("hush-relay-").tempdir()?;
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--data"])
            .arg(data.path())
            .arg("--static-dir")
            .arg(data.path().join("no-app"))
            .args(["--registrations-per-minute", "1000000"])
            .args(["--fetches-per-account-per-address", "1000000"])
            .args(extra)
            .env("HUSH_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        // The server's first stdout line is "Hush is running at http://ADDR/".
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            let _ = child.kill();
            return Err(format!("hush-server did not report its address (got {line:?})").into());
        };
        Ok(Self {
            http_url: url.trim_end_matches('/').to_owned(),
            child,
            _data: data,
        })
    }

    /// `ws://127.0.0.1:PORT/ws`.
    pub(crate) fn ws_url(&self) -> String {
        format!("{}/ws", self.http_url.replacen("http://", "ws://", 1))
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
