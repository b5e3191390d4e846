//! How a relay child and the generator talk: the child prints its address on stdout and
//! serves until its stdin closes (the generator dropped it, or died).

use std::io::Write;
use std::net::SocketAddr;

use hush_bench::Failure;

/// Prints `listening ADDR` (then ` metrics ADDR` if it serves metrics): the line
/// [`crate::child::Relayed::start`] waits for.
pub fn announce(addr: SocketAddr, metrics: Option<SocketAddr>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match metrics {
        Some(metrics) => writeln!(out, "listening {addr} metrics {metrics}")?,
        None => writeln!(out, "listening {addr}")?,
    }
    out.flush()?;
    Ok(())
}

/// Resolves when stdin closes.
pub fn stdin_closed() -> impl std::future::Future<Output = ()> {
    let (closed, wait) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = closed.send(());
    });
    async move {
        let _ = wait.await;
    }
}
