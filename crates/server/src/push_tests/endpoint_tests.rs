use super::is_public_endpoint;

#[test]
fn only_public_https_endpoints_are_contacted() {
    for ok in [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com:443/wpush/v2/x",
        "https://8.8.8.8/x",
        "https://[2a00:1450:4001::1]/x",
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
        // Shorthand and integer IPv4 forms, as URL parsers read them.
        "https://127.1/x",
        "https://2130706433/x",
        "https://0x7f000001/x",
        "https://0.0.0.0/x",
        "https://0.1.2.3/x",
        "https://198.18.0.1/x",
        "https://[64:ff9b::7f00:1]/x",
        "https://[2002:7f00:1::]/x",
        "https://[fe80::1%25eth0]/x",
    ] {
        assert!(!is_public_endpoint(bad), "{bad}");
    }
}
