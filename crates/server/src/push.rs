//! Web Push wake-ups (RFC 8030) for devices that are offline when envelopes arrive for them.
//!
//! The push says only "wake up": its payload (encrypted to the subscription, RFC 8291) is
//! `{"t":"wake","h":"<random hint>"}`, with no sender, no message and no count. The relay signs
//! each request with its VAPID key (RFC 8292), made once and kept in `HUSH_DATA/vapid.pem`; the
//! public half is served at `GET /vapid-public-key` for clients to subscribe with.
//!
//! Pushes are coalesced: at most one per device per window (`--push-window-ms`). A wake-up
//! inside the window is delayed, not dropped: one push goes when the window ends if the device
//! is still offline with envelopes queued (the woken device may have drained its queue before
//! they came). Requests are sent off the request path with a timeout; a subscription the push
//! service calls gone (404/410) is deleted.

use std::collections::HashMap;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Uri;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::{OsRng, RngCore};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike as _, ES256KeyPair};
use web_push_native::{p256, Auth, WebPushBuilder};

use crate::hub::DeviceKey;
use crate::store::PushSubscription;
use crate::AppState;

/// The default window, for the unit tests.
#[cfg(test)]
const COALESCE: Duration = Duration::from_secs(5);
/// How long the push service keeps an undelivered push (RFC 8030 `TTL`): four weeks, close to
/// how long the relay keeps envelopes.
const TTL_SECONDS: u64 = 28 * 24 * 3600;
/// How long the VAPID token is good for; push services refuse more than 24 hours (RFC 8292).
const VAPID_VALIDITY: Duration = Duration::from_secs(12 * 3600);
/// One push request, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Past this many remembered devices, entries older than the window are dropped.
const PRUNE_AT: usize = 10_000;
/// The VAPID `sub` claim when `HUSH_VAPID_SUBJECT` is unset.
const DEFAULT_SUBJECT: &str = "mailto:relay@hush.invalid";

/// Why the VAPID key could not be loaded or made.
#[derive(Debug)]
pub(crate) struct VapidKeyError {
    /// The key file.
    pub(crate) path: PathBuf,
    /// What went wrong.
    pub(crate) message: String,
}

/// Sends wake-ups; one per server.
pub(crate) struct Pusher {
    vapid: ES256KeyPair,
    /// The public key, base64url (no padding) of the uncompressed point.
    public_b64: String,
    subject: String,
    client: reqwest::Client,
    /// Whether endpoints on loopback and private networks may be contacted (tests only).
    allow_private: bool,
    coalescer: Coalescer,
}

impl Pusher {
    /// Loads (or makes, the first time) the VAPID key in `data`.
    /// `allow_private` (tests only) lets it push to loopback and private networks.
    pub(crate) fn open(
        data: &Path,
        window: Duration,
        allow_private: bool,
    ) -> Result<Self, VapidKeyError> {
        let path = data.join("vapid.pem");
        let vapid = load_or_create_key(&path)?;
        let public_b64 =
            URL_SAFE_NO_PAD.encode(vapid.public_key().public_key().to_bytes_uncompressed());
        let mut builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            // Push services answer directly; a redirect is not followed anywhere.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect wherever it is told: the address check would be moot.
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let client = builder.build().map_err(|e| VapidKeyError {
            path: path.clone(),
            message: format!("cannot make the push HTTP client: {e}"),
        })?;
        let subject = std::env::var("HUSH_VAPID_SUBJECT")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SUBJECT.to_owned());
        Ok(Self {
            vapid,
            public_b64,
            subject,
            client,
            allow_private,
            coalescer: Coalescer::new(window),
        })
    }

    /// The VAPID public key for `applicationServerKey` (base64url, uncompressed P-256 point).
    pub(crate) fn public_key(&self) -> &str {
        &self.public_b64
    }

    /// A new subscription starts a new coalescing window.
    pub(crate) fn forget(&self, device: &DeviceKey) {
        self.coalescer.forget(device);
    }

    /// The encrypted, VAPID-signed request for one wake-up.
    fn request(&self, sub: &PushSubscription) -> Result<reqwest::Request, String> {
        let endpoint: Uri = sub
            .endpoint
            .parse()
            .map_err(|e| format!("bad endpoint: {e}"))?;
        let ua_public = p256::PublicKey::from_sec1_bytes(&sub.p256dh)
            .map_err(|e| format!("bad p256dh: {e}"))?;
        let auth = Auth::clone_from_slice(&sub.auth);
        let mut hint = [0u8; 16];
        OsRng.fill_bytes(&mut hint);
        let payload = format!(r#"{{"t":"wake","h":"{}"}}"#, URL_SAFE_NO_PAD.encode(hint));
        let mut request = WebPushBuilder::new(endpoint, ua_public, auth)
            .with_valid_duration(VAPID_VALIDITY)
            .with_vapid(&self.vapid, &self.subject)
            .build(payload)
            .map_err(|e| format!("cannot build the push: {e}"))?;
        // The builder's TTL follows the token's validity; the push may wait longer than that.
        let headers = request.headers_mut();
        headers.insert("ttl", TTL_SECONDS.into());
        headers.insert("urgency", axum::http::HeaderValue::from_static("high"));
        reqwest::Request::try_from(request)
            .map_err(|e| format!("cannot send the push: {}", e.without_url()))
    }

    /// Sends `request` unless its host is an address that is not public. (Names are checked
    /// by [`PublicOnly`] when they are resolved; an address in the URL is not resolved.)
    async fn send(&self, request: reqwest::Request) -> Result<reqwest::Response, String> {
        // A fuzzed relay contacts nothing: its endpoints are made up, and a lookup would stall
        // the fuzzer.
        if cfg!(feature = "fuzzing") {
            return Err("no pushes while fuzzing".to_owned());
        }
        if !self.allow_private && !request.url().host_str().is_some_and(is_public_host) {
            return Err("the push endpoint is not a public address".to_owned());
        }
        // The error would name the URL, which is a capability: it stays out of the logs.
        self.client
            .execute(request)
            .await
            .map_err(|e| e.without_url().to_string())
    }
}

/// Resolves names to their public addresses only, so that a name pointing into the relay's
/// own network is never contacted (checked when connecting, not when subscribing).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = addrs.filter(|a| is_public_ip(a.ip())).collect();
            if public.is_empty() {
                return Err("the push endpoint's name has no public address".into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Wakes `device` with a push if it has a subscription: at once if it was not pushed within the
/// window, else once when the window ends (if something is still queued for it then). Returns
/// at once; the push is sent by a task of its own.
pub(crate) fn wake_offline(state: &AppState, device: DeviceKey) {
    let delay = match state.push.coalescer.admit(&device, Instant::now()) {
        Admission::Now => None,
        Admission::Later(delay) => Some(delay),
        Admission::Pending => return,
    };
    let state = state.clone();
    tokio::spawn(async move {
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
            // Cleared before the queue is read: a wake-up after this schedules its own push.
            state.push.coalescer.settle(&device);
            if !still_waiting(&state, &device).await {
                return;
            }
            state.push.coalescer.sent(&device, Instant::now());
        }
        push_now(&state, &device).await;
    });
}

/// Whether a delayed push is still wanted: the device is offline and has envelopes queued.
async fn still_waiting(state: &AppState, device: &DeviceKey) -> bool {
    if state.hub.is_online(device) {
        return false;
    }
    matches!(
        state.store.pending(&device.account, device.device, 0, 1).await,
        Ok(queued) if !queued.is_empty()
    )
}

/// Sends one wake-up to the device's subscription, if it has one.
async fn push_now(state: &AppState, device: &DeviceKey) {
    let sub = match (state.store)
        .push_subscription(&device.account, device.device)
        .await
    {
        Ok(Some(sub)) => sub,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "reading a push subscription failed");
            return;
        }
    };
    let request = match state.push.request(&sub) {
        Ok(request) => request,
        Err(e) => {
            state.metrics.pushes_failed.inc();
            tracing::warn!(error = %e, "push not sent");
            return;
        }
    };
    match state.push.send(request).await {
        Ok(response) if response.status().is_success() => state.metrics.pushes_sent.inc(),
        Ok(response) => {
            state.metrics.pushes_failed.inc();
            let status = response.status().as_u16();
            if matches!(status, 404 | 410) {
                drop_subscription(state, device, sub).await;
                tracing::info!(status, "push subscription gone; deleted");
            } else {
                tracing::warn!(status, "the push service refused a push");
            }
        }
        Err(e) => {
            state.metrics.pushes_failed.inc();
            tracing::warn!(error = %e, "push request failed");
        }
    }
}

/// Deletes the subscription the push service called gone, unless the device replaced it
/// meanwhile.
async fn drop_subscription(state: &AppState, device: &DeviceKey, sub: PushSubscription) {
    let (store, account, id) = (&state.store, &device.account, device.device);
    if let Ok(Some(current)) = store.push_subscription(account, id).await {
        if current == sub {
            let _ = store.delete_push_subscription(account, id).await;
        }
    }
}

/// What a wake-up leads to.
#[derive(Debug, PartialEq, Eq)]
enum Admission {
    /// Push now: the last push was a window ago or more.
    Now,
    /// Push after this long, when the window ends.
    Later(Duration),
    /// A push is already scheduled for the end of the window.
    Pending,
}

/// One device's window: when its last push went, and whether another is scheduled.
struct Window {
    started: Instant,
    pending: bool,
}

/// Each device's window (in memory only).
struct Coalescer {
    window: Duration,
    devices: Mutex<HashMap<DeviceKey, Window>>,
}

impl Coalescer {
    fn new(window: Duration) -> Self {
        Self {
            window,
            devices: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DeviceKey, Window>> {
        self.devices
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a push to `device` may go now, later, or is scheduled already (and remembers
    /// which).
    fn admit(&self, device: &DeviceKey, now: Instant) -> Admission {
        let mut devices = self.lock();
        if let Some(w) = devices.get_mut(device) {
            let elapsed = now.saturating_duration_since(w.started);
            if elapsed < self.window {
                if w.pending {
                    return Admission::Pending;
                }
                w.pending = true;
                return Admission::Later(self.window - elapsed);
            }
        }
        if devices.len() >= PRUNE_AT {
            let window = self.window;
            devices.retain(|_, w| w.pending || now.saturating_duration_since(w.started) < window);
        }
        devices.insert(
            device.clone(),
            Window {
                started: now,
                pending: false,
            },
        );
        Admission::Now
    }

    /// The scheduled push is due: wake-ups from now on are admitted afresh.
    fn settle(&self, device: &DeviceKey) {
        if let Some(w) = self.lock().get_mut(device) {
            w.pending = false;
        }
    }

    /// A delayed push goes now: a new window starts.
    fn sent(&self, device: &DeviceKey, now: Instant) {
        if let Some(w) = self.lock().get_mut(device) {
            w.started = w.started.max(now);
        }
    }

    fn forget(&self, device: &DeviceKey) {
        self.lock().remove(device);
    }
}

/// Reads the PEM key, or makes one and writes it readable by the owner only.
fn load_or_create_key(path: &Path) -> Result<ES256KeyPair, VapidKeyError> {
    let fail = |message: String| VapidKeyError {
        path: path.to_path_buf(),
        message,
    };
    match std::fs::read_to_string(path) {
        Ok(pem) => {
            return ES256KeyPair::from_pem(&pem)
                .map_err(|e| fail(format!("not a P-256 private key in PEM: {e}")))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(format!("cannot read: {e}"))),
    }
    let key = ES256KeyPair::generate();
    let pem = key
        .to_pem()
        .map_err(|e| fail(format!("cannot encode the new key: {e}")))?;
    // Written beside the final name and renamed, so a crash never leaves half a key.
    let tmp = path.with_extension("pem.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(pem.as_bytes())?;
        file.sync_all()
    });
    written
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| fail(format!("cannot write: {e}")))?;
    Ok(key)
}

#[cfg(test)]
#[path = "push_tests/tests.rs"]
mod tests;

/// Whether a push endpoint may be subscribed: `https`, no user name, and a host that is a name
/// or a public IP address, read as the HTTP client reads it (`127.1` and `2130706433` are
/// 127.0.0.1). A name that resolves to a private address is refused when connecting instead.
pub(crate) fn is_public_endpoint(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("https://") else {
        return false;
    };
    // URL parsers skip extra slashes after the scheme; such an endpoint is not a push service.
    if rest.starts_with(['/', '\\']) {
        return false;
    }
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    url.username().is_empty()
        && url.password().is_none()
        && url.host_str().is_some_and(is_public_host)
}

/// A URL's host (IPv6 in brackets) that is a name other than `localhost`, or a public address.
fn is_public_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return is_public_ip(ip);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    !(name.is_empty() || name == "localhost" || name.ends_with(".localhost"))
}

/// Whether `ip` is a public unicast address.
pub(crate) fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// Not "this network" (0/8), private (10/8, 172.16/12, 192.168/16), shared (100.64/10),
/// loopback, link-local, IETF (192.0.0/24), documentation, the 6to4 relay (192.88.99/24),
/// benchmarking (198.18/15), multicast, reserved or broadcast (224/3).
fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || a >= 224
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && (c == 0 || c == 2))
        || (a == 192 && b == 88 && c == 99)
        || (a == 198 && (b & 0xfe) == 18)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113))
}

/// Global unicast (2000::/3) only, which leaves out loopback, unspecified, IPv4-mapped and
/// -compatible, NAT64 (64:ff9b::/96), unique local, link-local and multicast; and within it
/// not the IETF block (2001::/23, Teredo included), documentation (2001:db8::/32) or 6to4
/// (2002::/16), which embed or stand for other addresses.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    (s[0] & 0xe000) == 0x2000
        && !(s[0] == 0x2001 && s[1] < 0x0200)
        && !(s[0] == 0x2001 && s[1] == 0x0db8)
        && s[0] != 0x2002
}

#[cfg(test)]
#[path = "push_tests/endpoint_tests.rs"]
mod endpoint_tests;

#[cfg(test)]
#[path = "push_tests/connect_tests.rs"]
mod connect_tests;
