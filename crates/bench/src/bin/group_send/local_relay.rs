//! The real relay in this process, on a free loopback port with a throw-away data directory.

use std::net::SocketAddr;

use hush_bench::Failure;
use hush_server::{Config, Server};
use tokio::net::TcpListener;

/// A running relay; it stops (and its data goes) when dropped.
pub struct LocalRelay {
    /// Where it listens.
    pub addr: SocketAddr,
    _data: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts a relay that lets each device send `frames_per_second`.
pub async fn start(frames_per_second: f64) -> Result<LocalRelay, Failure> {
    let data = tempfile::tempdir()?;
    let mut config = Config::local(data.path());
    config.frames_per_second = frames_per_second;
    let server = Server::new(&config)?;
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    Ok(LocalRelay {
        addr,
        _data: data,
        _stop: stop,
    })
}
