//! The relay child process (`relay_load --serve …`): ours or the bare reference.

use std::path::PathBuf;

use hush_bench::Failure;
use hush_server::{Config, Server};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::lifeline::{announce, stdin_closed};
use crate::options::flag;
use crate::os::{pin_to, raise_file_limit};
use crate::settings::FILES;

/// `--serve hush DIR [--cpu N]` or `--serve bare [--nodelay] [--read-buffer B] [--cpu N]`:
/// prints `listening ADDR`, serves until stdin closes.
pub fn serve(args: &[String]) -> Result<(), Failure> {
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
            runtime.block_on(crate::bare::serve_bare(nodelay, config))
        }
        _ => Err("--serve hush DIR | --serve bare".into()),
    }
}

async fn serve_hush(data: PathBuf) -> Result<(), Failure> {
    // Parsed like the binary's flags, so fields added later keep their defaults. The per-device
    // frame limit and the per-address limits (unauthenticated connections, registrations,
    // fetches of one account) are lifted (every client here is on 127.0.0.1): this measures
    // capacity, not the policy.
    let config = <Config as clap::Parser>::try_parse_from([
        "hush-server".as_ref(),
        "--max-guests-per-ip".as_ref(),
        "1000000".as_ref(),
        "--registrations-per-minute".as_ref(),
        "1000000000".as_ref(),
        "--fetches-per-account-per-address".as_ref(),
        "1000000000".as_ref(),
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
    // The relay's counters, read before and after each window, on a port of their own.
    let metrics = TcpListener::bind("127.0.0.1:0").await?;
    announce(listener.local_addr()?, Some(metrics.local_addr()?))?;
    server
        .serve_with_metrics(listener, Some(metrics), stdin_closed())
        .await?;
    Ok(())
}
