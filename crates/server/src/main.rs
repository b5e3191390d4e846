//! `hush-server`: runs the relay until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use clap::Parser;
use hush_server::{Config, Server};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_env("HUSH_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hush-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::open(&config).await?;
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        format!(
            "cannot listen on {}: {e}; set HUSH_ADDR or --addr",
            config.addr
        )
    })?;
    let metrics = match config.metrics_addr {
        Some(at) => Some(TcpListener::bind(at).await.map_err(|e| {
            format!(
                "cannot listen on {at} for metrics: {e}; set HUSH_METRICS_ADDR or --metrics-addr"
            )
        })?),
        None => None,
    };
    let addr = listener.local_addr()?;
    // Tests and `cargo xtask` read this line (and only this one) to find the port.
    println!("Hush is running at http://{addr}/");
    tracing::info!(
        %addr,
        data = %config.data.display(),
        store = if config.database.is_some() { "postgres" } else { "sqlite" },
        app = %config.static_dir.display(),
        "listening"
    );
    if let Some(metrics) = &metrics {
        tracing::info!(addr = %metrics.local_addr()?, "metrics at /metrics");
    }
    server
        .serve_with_metrics(listener, metrics, shutdown_signal())
        .await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
