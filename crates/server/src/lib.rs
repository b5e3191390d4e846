//! hush-server: the Hush relay. It stores and forwards ciphertext it cannot read and serves the
//! web app, the WebSocket and the HTTP API on one origin.
//!
//! Tests and tools build a [`Server`], bind a listener on port 0 and call [`Server::serve`] with
//! their own shutdown future; `main.rs` does the same with Ctrl-C / SIGTERM. Prometheus metrics
//! are served on a listener of their own ([`Server::serve_with_metrics`]), never on the public
//! one.

mod app_shell;
mod blobs;
mod byte_queue;
mod client_addr;
pub mod config;
mod connection;
mod correspondents;
mod device_lists;
mod disk;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod guests;
mod headers;
mod hub;
mod limits;
mod links;
mod metrics;
mod names;
mod push;
mod requests;
pub mod store;
mod ws;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::Config;

/// How long shutdown waits for open WebSockets to say goodbye.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait after a failed accept before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// The longest wait between two looks for expired envelopes (and blobs).
const EXPIRY_EVERY: Duration = Duration::from_secs(3600);

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

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
    /// The database could not be opened.
    Store(store::StoreError),
    /// The PostgreSQL database (`--database`) could not be reached or migrated.
    Database(store::StoreError),
    /// The Web Push (VAPID) key could not be read or made.
    Vapid {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        message: String,
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
            Self::Store(e) => write!(f, "cannot open the database in HUSH_DATA: {e}"),
            Self::Database(e) => write!(f, "cannot open the database at HUSH_DATABASE: {e}"),
            Self::Vapid { path, message } => write!(
                f,
                "cannot load the Web Push key {} ({message}); delete it to make a new one \
                 (existing push subscriptions then stop working)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::DataDir { source, .. } => Some(source),
            Self::Store(e) | Self::Database(e) => Some(e),
            Self::Vapid { .. } => None,
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
    store: Arc<dyn store::Store>,
    /// Unauthenticated connections per address.
    guests: Arc<guests::Guests>,
    /// How long a guest has to authenticate or open a link.
    guest_deadline: Duration,
    /// Proxies whose forwarding headers name the client.
    trusted_proxies: Arc<[config::Cidr]>,
    /// Origins besides the relay's own whose pages may open the WebSocket.
    allowed_origins: Arc<[String]>,
    /// The store's device lists, cached for the send path.
    device_lists: Arc<device_lists::DeviceLists>,
    hub: Arc<hub::Hub>,
    metrics: Arc<metrics::Metrics>,
    /// Rate limits per device and per client address, kept across connections.
    limits: Arc<limits::Limits>,
    /// One-time prekeys kept per device.
    max_one_time_prekeys: u32,
    /// Queued envelopes older than this are dropped and their senders told.
    envelope_lifetime: Duration,
    /// Whether push endpoints on loopback or private networks are accepted (tests only).
    push_allow_private: bool,
    /// How long a client may take to send request headers, or between two pieces of a body.
    http_timeout: Duration,
    /// How long a connection's socket may take to accept a frame before it is closed.
    write_deadline: Duration,
    /// Encrypted attachments.
    blobs: Arc<blobs::Blobs>,
    /// The data directory's free space, and the floor under which sends and uploads stop.
    disk: Arc<disk::Disk>,
    /// What one device may have queued, and one account stored for others.
    queue_limits: store::QueueLimits,
    /// Provisioning addresses of browsers being linked.
    links: Arc<links::Links>,
    /// Web Push wake-ups for offline devices.
    push: Arc<push::Pusher>,
}

/// Creates the data directory (server keys and blobs live there whatever the store).
fn create_data_dir(config: &Config) -> Result<(), StartError> {
    std::fs::create_dir_all(&config.data).map_err(|source| StartError::DataDir {
        path: config.data.clone(),
        source,
    })
}

/// A configured relay, ready to serve.
pub struct Server {
    state: AppState,
}

impl Server {
    /// Prepares the data directory and loads the web app's shell, with the SQLite store in the
    /// data directory (`config.database` is not looked at: [`Server::open`] does).
    pub fn new(config: &Config) -> Result<Self, StartError> {
        create_data_dir(config)?;
        let hub = Arc::new(hub::Hub::default());
        let store = store::sqlite::SqliteStore::open_with_listener(
            &config.data.join("hush.db"),
            Some(hub.clone()),
        )
        .map_err(StartError::Store)?;
        Self::with_store(
            config,
            hub,
            Arc::new(store),
            device_lists::DeviceLists::default(),
        )
    }

    /// [`Server::new`], with the store `config` chooses: PostgreSQL at `config.database` if
    /// given (connected and migrated here), else SQLite in the data directory. The one place
    /// the backend is chosen.
    pub async fn open(config: &Config) -> Result<Self, StartError> {
        let Some(url) = &config.database else {
            return Self::new(config);
        };
        create_data_dir(config)?;
        let hub = Arc::new(hub::Hub::default());
        let store = store::postgres::PostgresStore::connect_with_listener(url, Some(hub.clone()))
            .await
            .map_err(StartError::Database)?;
        // Other relays write this database's device lists too: none is kept in memory.
        let lists = device_lists::DeviceLists::uncached();
        Self::with_store(config, hub, Arc::new(store), lists)
    }

    fn with_store(
        config: &Config,
        hub: Arc<hub::Hub>,
        store: Arc<dyn store::Store>,
        device_lists: device_lists::DeviceLists,
    ) -> Result<Self, StartError> {
        let window = Duration::from_millis(config.push_window_ms);
        let push =
            push::Pusher::open(&config.data, window, config.push_allow_private).map_err(|e| {
                StartError::Vapid {
                    path: e.path,
                    message: e.message,
                }
            })?;
        let blob_limits = blobs::BlobLimits {
            quota: config.blob_quota_bytes,
            max_bytes: config.max_blob_bytes,
            lifetime: Duration::from_secs(config.blob_lifetime_days.saturating_mul(24 * 3600)),
        };
        let blobs = blobs::Blobs::open(&config.data, blob_limits).map_err(|source| {
            StartError::DataDir {
                path: config.data.join("blobs"),
                source,
            }
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
                store,
                device_lists: Arc::new(device_lists),
                guests: Arc::new(guests::Guests::new(
                    config.max_guests_per_ip,
                    config.max_guests,
                )),
                guest_deadline: Duration::from_millis(config.guest_deadline_ms),
                trusted_proxies: config.trusted_proxies.clone().into(),
                allowed_origins: config.allowed_origins.clone().into(),
                hub,
                metrics: Arc::new(metrics::Metrics::default()),
                limits: Arc::new(limits::Limits::new(
                    config.frames_per_second,
                    config.registrations_per_minute,
                    config.fetches_per_account_per_address,
                )),
                max_one_time_prekeys: config.max_one_time_prekeys,
                envelope_lifetime: Duration::from_secs(config.envelope_lifetime_secs),
                push_allow_private: config.push_allow_private,
                http_timeout: Duration::from_millis(config.http_timeout_ms),
                write_deadline: Duration::from_millis(config.write_deadline_ms),
                blobs: Arc::new(blobs),
                disk: Arc::new(disk::Disk::new(&config.data, config.min_free_disk_bytes)),
                queue_limits: store::QueueLimits {
                    per_device: config.max_queued_bytes_per_device,
                    per_sender: config.max_queued_bytes_per_account,
                },
                links: Arc::new(links::Links::new(config.max_links_per_ip as usize)),
                push: Arc::new(push),
            },
        })
    }

    /// Every public route: health, the WebSocket, and the web app.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route(
                "/blobs/{id}",
                // Bodies are streamed and limited by their grant (`blobs::upload`).
                axum::routing::put(blobs::upload).get(blobs::fetch),
            )
            // Uploads in pieces (`blobs::resumable`), each checked against its grant first.
            .route(
                "/uploads/{id}",
                axum::routing::head(blobs::upload_offset).patch(blobs::continue_upload),
            )
            .route(
                "/uploads/{id}/commit",
                axum::routing::post(blobs::commit_upload),
            )
            .route("/vapid-public-key", get(vapid_public_key))
            .route("/ws", get(ws::upgrade))
            .merge(app_shell::routes(&self.state))
            .layer(axum::middleware::from_fn(headers::set_response_headers))
            // A body that stalls (a slow-loris upload) ends the request.
            .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
                self.state.http_timeout,
            ))
            .with_state(self.state.clone())
    }

    /// The operator's routes: `GET /metrics` (Prometheus text), from counters in memory.
    pub fn metrics_router(&self) -> Router {
        Router::new()
            .route("/metrics", get(metrics_text))
            .with_state(self.state.clone())
    }

    /// Serves `listener` until `shutdown` resolves, then stops accepting, closes WebSockets with
    /// "going away" and waits (briefly) for them and for HTTP requests in progress.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        self.serve_with_metrics(listener, None, shutdown).await
    }

    /// [`Server::serve`], with the metrics on `metrics` (until the same shutdown).
    pub async fn serve_with_metrics(
        self,
        listener: TcpListener,
        metrics: Option<TcpListener>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let token = self.state.shutdown.clone();
        let metrics = metrics.map(|listener| {
            let stopped = token.clone().cancelled_owned();
            let router = self.metrics_router();
            tokio::spawn(async move {
                axum::serve(listener, router)
                    .with_graceful_shutdown(stopped)
                    .await
            })
        });
        let expiry = tokio::spawn(expire_forever(self.state.clone()));
        let router = self.router();
        let http = TaskTracker::new();
        tokio::pin!(shutdown);
        loop {
            let (tcp, peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, mostly: give connections time to close.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
            };
            let timeout = self.state.http_timeout;
            http.spawn(serve_http(
                tcp,
                peer,
                router.clone(),
                timeout,
                token.clone(),
            ));
        }
        token.cancel();
        expiry.abort();
        http.close();
        if let Some(metrics) = metrics {
            // The metrics listener failing never stopped the relay; it is only logged.
            if let Ok(Err(error)) = metrics.await {
                tracing::warn!(%error, "the metrics listener failed");
            }
        }
        let connections = &self.state.connections;
        connections.close();
        let drained = async {
            http.wait().await;
            connections.wait().await;
        };
        if tokio::time::timeout(DRAIN_TIMEOUT, drained).await.is_err() {
            tracing::warn!(
                open = connections.len(),
                "connections still open after the drain timeout"
            );
        }
        Ok(())
    }
}

/// One HTTP connection: requests (with the peer's address for [`ws`]) until it closes, is
/// upgraded, or the server shuts down. Headers must arrive within `timeout`.
async fn serve_http(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    timeout: Duration,
    shutdown: CancellationToken,
) {
    // Small frames should leave at once, not wait for Nagle's algorithm.
    let _ = tcp.set_nodelay(true);
    let service =
        tower_http::add_extension::AddExtension::new(router, axum::extract::ConnectInfo(peer));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(timeout);
    let connection = builder
        .serve_connection(
            hyper_util::rt::TokioIo::new(tcp),
            hyper_util::service::TowerToHyperService::new(service),
        )
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// The Web Push application server key (base64url, uncompressed P-256 point) for
/// `pushManager.subscribe({ applicationServerKey })`.
async fn vapid_public_key(axum::extract::State(state): axum::extract::State<AppState>) -> String {
    state.push.public_key().to_owned()
}

async fn metrics_text(axum::extract::State(state): axum::extract::State<AppState>) -> String {
    // Kept up to date by the store (in memory, and a one-row table): no scan per scrape.
    let disk = state.disk.clone();
    // statvfs blocks (at most once a second; see `disk`).
    let free_disk = tokio::task::spawn_blocking(move || disk.free()).await;
    let storage = match free_disk {
        Ok(free_disk) => metrics::Storage {
            queue_depth: state.store.queue_depth().await.ok(),
            queue_bytes: state.store.queue_bytes().await.ok(),
            free_disk,
        },
        Err(_) => metrics::Storage::default(),
    };
    state.metrics.render(&storage)
}

/// Drops envelopes nobody fetched within the envelope lifetime; their senders get a notice
/// that is stored until acknowledged (and sent at once to those online).
async fn expire_forever(state: AppState) {
    // A few looks per lifetime, so nothing outlives it by much; at least every hour.
    let every = (state.envelope_lifetime / 4).clamp(Duration::from_millis(100), EXPIRY_EVERY);
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = state.blobs.expire(&*state.store, now_ms()).await {
            tracing::warn!(error = %e, "expiring blobs failed");
        }
        let lifetime = state.envelope_lifetime.as_millis() as u64;
        expire_envelopes(&state, now_ms().saturating_sub(lifetime)).await;
    }
}

/// Expires what was received before `cutoff`, one bounded batch (one short transaction) at a
/// time, so a backlog (after a long stop, at startup) neither fills memory nor holds the writer.
async fn expire_envelopes(state: &AppState, cutoff: u64) {
    loop {
        let batch = state.store.expire_batch(cutoff, store::EXPIRY_BATCH).await;
        let expired = match batch {
            Ok(expired) => expired,
            Err(e) => {
                state.metrics.store_errors.inc();
                tracing::warn!(error = %e, "expiring envelopes failed");
                return;
            }
        };
        for notice in expired.notices {
            let sender = hub::DeviceKey {
                account: notice.account.clone(),
                device: notice.device,
            };
            if let Some(frame) = requests::expired_frame(notice) {
                state.hub.tell_device(&sender, frame);
            }
        }
        if expired.deleted < store::EXPIRY_BATCH {
            return;
        }
    }
}
