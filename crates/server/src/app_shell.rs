//! The web app: trunk's `dist` directory, with the index held in memory so its Content Security
//! Policy can name the exact hash of trunk's inline loader script.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use crate::AppState;

const NOT_BUILT: &str = "The Hush web app is not built. Run `cargo xtask run`, or point \
                         --static-dir / HUSH_STATIC at trunk's dist directory.";

/// The app's files, its index page and the policy that goes with it.
pub(crate) struct AppShell {
    dir: PathBuf,
    index: Option<String>,
    csp: HeaderValue,
}

impl AppShell {
    /// Reads `dir/index.html`; a missing build is not fatal (the page says how to build it).
    pub(crate) fn load(dir: &Path) -> Self {
        let index = std::fs::read_to_string(dir.join("index.html")).ok();
        let csp = content_security_policy(index.as_deref().unwrap_or(""));
        Self {
            dir: dir.to_path_buf(),
            index,
            // Built from base64 and fixed ASCII, so always a valid header value.
            csp: HeaderValue::from_str(&csp)
                .unwrap_or(HeaderValue::from_static("default-src 'self'")),
        }
    }

    pub(crate) fn is_built(&self) -> bool {
        self.index.is_some()
    }
}

/// `/`, `/index.html`, the static files, and the index again for client-side routes.
pub(crate) fn routes(state: &AppState) -> Router<AppState> {
    let files = ServeDir::new(&state.shell.dir)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(get(client_route).with_state(state.clone()));
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .fallback_service(files)
}

async fn index(State(state): State<AppState>) -> Response {
    let shell = &state.shell;
    match &shell.index {
        Some(html) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (header::CONTENT_SECURITY_POLICY, shell.csp.clone()),
            ],
            html.clone(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT).into_response(),
    }
}

/// A path with no file behind it: a client-side route gets the app, a missing file a 404.
async fn client_route(state: State<AppState>, uri: Uri) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        (StatusCode::NOT_FOUND, "Not found").into_response()
    } else {
        index(state).await
    }
}

/// Only our own origin may run code, and inline scripts only when they are exactly the ones
/// trunk wrote into this index (by hash): an injected script never runs.
fn content_security_policy(index_html: &str) -> String {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attrs.contains("src=")).then_some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script src="/a.js"></script><script type="module">boot()</script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["boot()"]);
    }

    #[test]
    fn policy_names_the_sha256_of_each_inline_script() {
        // echo -n 'boot()' | openssl dgst -sha256 -binary | base64
        let csp = content_security_policy("<script>boot()</script>");
        assert!(
            csp.contains("'sha256-MeZS89WlF0u+o0hCvHTBt4q1WHU+U+sJKgbdRUc36mY='"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn media_play_from_blob_urls_only_where_media_need_them() {
        // Voice notes, videos and audio play from the page's own `blob:` URLs; nothing else
        // (scripts, frames, connections) may use one.
        let csp = content_security_policy("");
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.split_whitespace().next() == Some(name))
                .map(str::to_owned)
        };
        assert_eq!(
            directive("media-src").as_deref(),
            Some("media-src 'self' blob:")
        );
        assert_eq!(
            directive("img-src").as_deref(),
            Some("img-src 'self' data: blob:")
        );
        for other in ["default-src", "script-src", "connect-src", "worker-src"] {
            let found = directive(other).unwrap_or_default();
            assert!(!found.contains("blob:"), "{found}");
        }
    }

    #[test]
    fn unterminated_script_is_ignored_not_a_panic() {
        assert_eq!(inline_scripts("<script>oops").count(), 0);
        assert_eq!(inline_scripts("<script").count(), 0);
    }
}
