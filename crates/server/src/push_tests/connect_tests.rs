use super::*;

/// The push client itself refuses loopback, whatever the endpoint's spelling: nothing
/// reaches a listener on 127.0.0.1.
#[tokio::test]
async fn the_push_client_never_connects_to_a_private_address() {
    let dir = tempfile::tempdir().unwrap();
    let pusher = Pusher::open(dir.path(), COALESCE, false).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    for host in ["localhost", "127.1", "2130706433", "[::ffff:127.0.0.1]"] {
        let url = format!("https://{host}:{port}/push");
        let request = pusher.client.post(&url).build().unwrap();
        let refused = pusher.send(request).await.unwrap_err();
        assert!(
            !refused.contains("/push"),
            "the URL is in the error: {refused}"
        );
        // A connection the client made would be waiting to be accepted by now.
        assert!(listener.accept().is_err(), "{url} was contacted");
    }
}

/// Names are checked when resolved: one with only loopback addresses resolves to nothing.
#[tokio::test]
async fn names_resolve_to_public_addresses_only() {
    use reqwest::dns::Resolve as _;
    let resolved = PublicOnly.resolve("localhost".parse().unwrap()).await;
    assert!(resolved.is_err());
}
