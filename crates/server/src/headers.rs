//! Headers every response gets: caching that suits trunk's hashed file names, and the usual
//! browser hardening.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Adds cache and hardening headers unless the handler chose its own.
pub(crate) async fn set_response_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if status != StatusCode::SWITCHING_PROTOCOLS {
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(cache_control(&path, status)));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Hashed assets never change, so browsers keep them for a year; everything else (the index,
/// the service worker, icons) is revalidated so a new build is picked up at once.
pub(crate) fn cache_control(path: &str, status: StatusCode) -> &'static str {
    if !status.is_success() || path == "/healthz" {
        "no-store"
    } else if is_hashed_asset(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// trunk names assets `name-<hash>.ext` (the wasm `name-<hash>_bg.wasm`), the hash being 8 to 16
/// lowercase hex digits.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let Some((_, tail)) = file.rsplit_once('-') else {
        return false;
    };
    let hash = tail.split(['.', '_']).next().unwrap_or("");
    (8..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && tail.len() > hash.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: StatusCode = StatusCode::OK;

    #[test]
    fn trunk_hashed_assets_are_immutable() {
        for path in [
            "/hush-1a2b3c4d5e6f7a8b.js",
            "/hush-1a2b3c4d5e6f7a8b_bg.wasm",
            "/main-0123abcd.css",
        ] {
            assert_eq!(
                cache_control(path, OK),
                "public, max-age=31536000, immutable",
                "{path}"
            );
        }
    }

    #[test]
    fn everything_else_is_revalidated() {
        for path in [
            "/",
            "/index.html",
            "/sw.js",
            "/favicon.svg",
            "/hush-abc.js",
            "/x-1a2b3c4d",
        ] {
            assert_eq!(cache_control(path, OK), "no-cache", "{path}");
        }
    }

    #[test]
    fn errors_and_health_are_never_cached() {
        assert_eq!(
            cache_control("/hush-1a2b3c4d5e6f7a8b.js", StatusCode::NOT_FOUND),
            "no-store"
        );
        assert_eq!(cache_control("/healthz", OK), "no-store");
    }
}
