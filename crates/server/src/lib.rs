//! hush-server: the Hush relay. It stores and forwards ciphertext it cannot read and serves the
//! web app, the WebSocket and the HTTP API on one origin.
//!
//! Tests and tools build a [`Server`], bind a listener on port 0 and call [`Server::serve`] with
//! their own shutdown future; `main.rs` does the same with Ctrl-C / SIGTERM.

mod app_shell;
pub mod config;
mod headers;
mod ws;

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::Config;

/// How long shutdown waits for open WebSockets to say goodbye.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The data directory could not be created.
    DataDir {
        /// The directory from the configuration.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DataDir { path, source } => write!(
                f,
                "cannot create the data directory {} ({source}); set HUSH_DATA or --data to a writable directory",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::DataDir { source, .. } => Some(source),
        }
    }
}

/// Shared by every request handler.
#[derive(Clone)]
pub(crate) struct AppState {
    shell: Arc<app_shell::AppShell>,
    /// Cancelled when the server shuts down: open WebSockets close with "going away".
    shutdown: CancellationToken,
    /// Every WebSocket task, so shutdown can wait for them.
    connections: TaskTracker,
}

/// A configured relay, ready to serve.
pub struct Server {
    state: AppState,
}

impl Server {
    /// Prepares the data directory and loads the web app's shell.
    pub fn new(config: &Config) -> Result<Self, StartError> {
        std::fs::create_dir_all(&config.data).map_err(|source| StartError::DataDir {
            path: config.data.clone(),
            source,
        })?;
        let shell = app_shell::AppShell::load(&config.static_dir);
        if !shell.is_built() {
            tracing::warn!(
                dir = %config.static_dir.display(),
                "no built web app found; `cargo xtask run` builds it"
            );
        }
        Ok(Self {
            state: AppState {
                shell: Arc::new(shell),
                shutdown: CancellationToken::new(),
                connections: TaskTracker::new(),
            },
        })
    }

    /// Every route: health, the WebSocket, and the web app.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route("/ws", get(ws::upgrade))
            .merge(app_shell::routes(&self.state))
            .layer(axum::middleware::from_fn(headers::set_response_headers))
            .with_state(self.state.clone())
    }

    /// Serves `listener` until `shutdown` resolves, then stops accepting, lets HTTP requests
    /// finish, closes WebSockets with "going away" and waits (briefly) for them.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let token = self.state.shutdown.clone();
        axum::serve(listener, self.router())
            .with_graceful_shutdown(async move {
                shutdown.await;
                token.cancel();
            })
            .await?;
        let connections = &self.state.connections;
        connections.close();
        if tokio::time::timeout(DRAIN_TIMEOUT, connections.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                open = connections.len(),
                "WebSockets still open after the drain timeout"
            );
        }
        Ok(())
    }
}

async fn healthz() -> &'static str {
    "ok"
}
