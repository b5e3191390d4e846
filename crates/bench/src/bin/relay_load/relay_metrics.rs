//! The hush relay's `/metrics` counters, fetched over plain HTTP/1.1.

use std::collections::HashMap;
use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::settings::WAIT;

/// Every `hush_*` value, by name; empty when the relay did not answer in time.
pub async fn metrics(addr: SocketAddr) -> HashMap<String, f64> {
    let mut values = HashMap::new();
    let fetched = tokio::time::timeout(WAIT, async {
        let mut tcp = TcpStream::connect(addr).await?;
        tcp.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut text = String::new();
        tcp.read_to_string(&mut text).await?;
        Ok::<_, std::io::Error>(text)
    })
    .await;
    if let Ok(Ok(text)) = fetched {
        for line in text.lines().filter(|l| l.starts_with("hush_")) {
            if let Some((name, value)) = line.split_once(' ') {
                if let Ok(value) = value.trim().parse() {
                    values.insert(name.to_owned(), value);
                }
            }
        }
    }
    values
}
