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
use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
    coalescer: Coalescer,
}

impl Pusher {
    /// Loads (or makes, the first time) the VAPID key in `data`.
    pub(crate) fn open(data: &Path, window: Duration) -> Result<Self, VapidKeyError> {
        let path = data.join("vapid.pem");
        let vapid = load_or_create_key(&path)?;
        let public_b64 =
            URL_SAFE_NO_PAD.encode(vapid.public_key().public_key().to_bytes_uncompressed());
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            // Push services answer directly; a redirect is not followed anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| VapidKeyError {
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
        reqwest::Request::try_from(request).map_err(|e| format!("cannot send the push: {e}"))
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
    let store = state.store.clone();
    let (account, id) = (device.account.clone(), device.device);
    matches!(
        tokio::task::spawn_blocking(move || store.pending(&account, id, 0, 1)).await,
        Ok(Ok(queued)) if !queued.is_empty()
    )
}

/// Sends one wake-up to the device's subscription, if it has one.
async fn push_now(state: &AppState, device: &DeviceKey) {
    let (account, id) = (device.account.clone(), device.device);
    let store = state.store.clone();
    let sub = match tokio::task::spawn_blocking(move || store.push_subscription(&account, id)).await
    {
        Ok(Ok(Some(sub))) => sub,
        Ok(Ok(None)) => return,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reading a push subscription failed");
            return;
        }
        Err(_) => return,
    };
    let request = match state.push.request(&sub) {
        Ok(request) => request,
        Err(e) => {
            state.metrics.pushes_failed.inc();
            tracing::warn!(error = %e, "push not sent");
            return;
        }
    };
    match state.push.client.execute(request).await {
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
    let store = state.store.clone();
    let (account, id) = (device.account.clone(), device.device);
    let _ = tokio::task::spawn_blocking(move || {
        if store.push_subscription(&account, id)?.as_ref() == Some(&sub) {
            store.delete_push_subscription(&account, id)?;
        }
        Ok::<_, crate::store::StoreError>(())
    })
    .await;
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
mod tests {
    use super::*;

    fn key(device: u32) -> DeviceKey {
        DeviceKey {
            account: "bob".to_owned(),
            device,
        }
    }

    #[test]
    fn pushes_are_delayed_to_the_end_of_the_window_not_dropped() {
        let c = Coalescer::new(COALESCE);
        let t0 = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(c.admit(&key(1), t0), Admission::Now);
        assert_eq!(
            c.admit(&key(1), t0 + second),
            Admission::Later(COALESCE - second)
        );
        assert_eq!(c.admit(&key(1), t0 + second * 2), Admission::Pending);
        assert_eq!(c.admit(&key(2), t0 + second), Admission::Now);
        // The delayed push went at the end of the window: the next window starts then.
        c.settle(&key(1));
        c.sent(&key(1), t0 + COALESCE);
        assert_eq!(
            c.admit(&key(1), t0 + COALESCE + second),
            Admission::Later(COALESCE - second)
        );
        // A new subscription starts afresh.
        c.forget(&key(2));
        assert_eq!(c.admit(&key(2), t0 + second * 2), Admission::Now);
        // Nothing was queued at the end of the window: no push, and the old window ends.
        assert_eq!(c.admit(&key(3), t0), Admission::Now);
        assert_eq!(
            c.admit(&key(3), t0 + second),
            Admission::Later(COALESCE - second)
        );
        c.settle(&key(3));
        assert_eq!(c.admit(&key(3), t0 + COALESCE), Admission::Now);
    }

    #[test]
    fn the_vapid_key_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = Pusher::open(dir.path(), COALESCE).unwrap();
        let again = Pusher::open(dir.path(), COALESCE).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        let point = URL_SAFE_NO_PAD.decode(first.public_key()).unwrap();
        assert_eq!(point.len(), 65);
        assert_eq!(point[0], 4);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("vapid.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("vapid.pem"), "junk").unwrap();
        assert!(Pusher::open(dir.path(), COALESCE).is_err());
    }
}

/// Whether a push endpoint may be contacted: `https`, and a host that is a name or a public IP
/// address. Refuses loopback, private, link-local and unspecified addresses and `localhost`,
/// so a client cannot make the relay POST into its own network. (A public name that resolves
/// to a private address is not caught here.)
pub(crate) fn is_public_endpoint(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host == "localhost" || host.ends_with(".localhost") {
        return false;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some())
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod endpoint_tests {
    use super::is_public_endpoint;

    #[test]
    fn only_public_https_endpoints_are_contacted() {
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com:443/wpush/v2/x",
            "https://8.8.8.8/x",
        ] {
            assert!(is_public_endpoint(ok), "{ok}");
        }
        for bad in [
            "http://push.example/x",
            "https://localhost/x",
            "https://127.0.0.1:8080/x",
            "https://10.1.2.3/x",
            "https://192.168.0.1/x",
            "https://169.254.169.254/latest",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://user@evil/x",
            "https:///x",
        ] {
            assert!(!is_public_endpoint(bad), "{bad}");
        }
    }
}
