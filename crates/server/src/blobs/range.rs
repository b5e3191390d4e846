//! `GET /blobs/<id>`: the ciphertext streamed from disk in constant memory, whole or one byte
//! range (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`), so a client resumes a download or
//! fetches the chunk it needs. Cacheable forever: an id never changes content.

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::parse_id;
use crate::AppState;

/// What a request's `Range` asks of a blob of some length.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Wanted {
    /// All of it: no `Range`, or one this relay does not serve (several ranges, another unit,
    /// a malformed one), which HTTP says to ignore.
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// A range that starts past the end (416).
    Unsatisfiable,
}

/// Reads a `Range` header's value against a blob of `len` bytes.
pub(super) fn wanted(range: Option<&str>, len: u64) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |text: &str| text.trim().parse::<u64>().ok();
    let (start, end) = match (first.trim().is_empty(), number(first), number(last)) {
        // `bytes=-n`: the last n bytes.
        (true, _, Some(0)) => return Wanted::Unsatisfiable,
        (true, _, Some(n)) => (len.saturating_sub(n), len.saturating_sub(1)),
        (false, Some(start), None) if last.trim().is_empty() => (start, len.saturating_sub(1)),
        (false, Some(start), Some(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        _ => return Wanted::Whole,
    };
    if start >= len {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part { start, end }
}

/// `GET /blobs/<id>`.
pub(crate) async fn fetch(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such blob").into_response();
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    let files = state.blobs.files();
    let Some(len) = files.len(&id).await else {
        return not_found();
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, start, end) = match wanted(range, len) {
        Wanted::Whole => (StatusCode::OK, 0, len),
        Wanted::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end + 1),
        Wanted::Unsatisfiable => {
            let all = format!("bytes */{len}");
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, all)],
            )
                .into_response();
        }
    };
    let Ok(reader) = files.read(&id, start, end - start).await else {
        return not_found();
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reader));
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
            (header::ACCEPT_RANGES, "bytes".to_owned()),
            (header::CONTENT_LENGTH, (end - start).to_string()),
        ],
        body,
    )
        .into_response();
    if status == StatusCode::PARTIAL_CONTENT {
        let value = format!("bytes {start}-{}/{len}", end - 1);
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{wanted, Wanted};

    #[test]
    fn ranges_are_read_as_http_says() {
        let part = |start, end| Wanted::Part { start, end };
        assert_eq!(wanted(None, 100), Wanted::Whole);
        assert_eq!(wanted(Some("bytes=0-9"), 100), part(0, 9));
        assert_eq!(wanted(Some("bytes=90-"), 100), part(90, 99));
        assert_eq!(wanted(Some("bytes=90-500"), 100), part(90, 99));
        assert_eq!(wanted(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(wanted(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(wanted(Some("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=a-b",
            "bytes=",
            "bytes=-",
            "bytes=18446744073709551616-",
        ] {
            assert_eq!(wanted(Some(ignored), 100), Wanted::Whole, "{ignored}");
        }
    }
}
