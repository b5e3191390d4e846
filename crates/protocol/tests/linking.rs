//! Link codes, announcements and provisioning messages: what the new browser and the approving
//! device exchange through the relay, and what the relay (or a typo) can do to it.
// On wasm32 the tests are #[wasm_bindgen_test] functions: clippy.toml's test allowances
// do not reach them.
#![cfg_attr(target_arch = "wasm32", allow(clippy::unwrap_used))]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::rng;
use hush_protocol::devices::AccountKey;
use hush_protocol::linking::{
    self, Announcement, HistoryBlob, LinkCode, LinkError, LinkKey, Provisioning,
};
use hush_protocol::{DeviceAddress, IdentityKeyPair};
use zeroize::Zeroizing;

struct NewBrowser {
    code: LinkCode,
    key: LinkKey,
    announcement: Announcement,
}

#[allow(clippy::unwrap_used)]
fn new_browser(seed: u64) -> NewBrowser {
    let mut rng = rng(seed);
    let code = LinkCode::generate(&mut rng);
    let key = LinkKey::generate(&mut rng);
    let identity = IdentityKeyPair::generate(&mut rng);
    let announcement =
        Announcement::new(&code, &key, identity.public(), "Firefox on Linux").unwrap();
    NewBrowser {
        code,
        key,
        announcement,
    }
}

#[allow(clippy::unwrap_used)]
fn provisioning(seed: u64) -> Provisioning {
    let mut rng = rng(seed);
    Provisioning {
        address: DeviceAddress::new("alice", 2).unwrap(),
        account_key: AccountKey::generate(&mut rng),
        display_name: "Alice".to_owned(),
        history: Some(HistoryBlob {
            blob: [7; 32],
            key: Zeroizing::new([9; 32]),
            size: 12_345,
        }),
        device_list: vec![3; 600],
    }
}

#[test]
fn a_code_survives_being_read_aloud_and_retyped() {
    let code = LinkCode::generate(&mut rng(1));
    let text = code.to_text();
    assert_eq!(
        text.len(),
        26 + 6,
        "26 characters in groups of four: {}",
        *text
    );
    assert_eq!(text.split('-').count(), 7);
    // Lower case, spaces instead of dashes, O for 0 and l for 1 all read the same code.
    let retyped: String = text
        .replace('-', " ")
        .to_lowercase()
        .replace('0', "o")
        .replace('1', "l");
    let read = LinkCode::parse(&retyped).unwrap();
    assert_eq!(read.address, code.address);
    assert_eq!(*read.to_text(), *text);
    // Every code reads back as itself.
    for seed in 0..500 {
        let code = LinkCode::generate(&mut rng(1000 + seed));
        let read = LinkCode::parse(&code.to_text()).unwrap();
        assert_eq!(
            (read.address, read.to_text()),
            (code.address, code.to_text())
        );
    }
}

#[test]
fn a_malformed_code_is_refused_clearly() {
    let text = LinkCode::generate(&mut rng(2)).to_text();
    let short = &text[..text.len() - 1];
    assert_eq!(LinkCode::parse(short).unwrap_err(), LinkError::BadCode);
    assert_eq!(
        LinkCode::parse(&format!("{}7", *text)).unwrap_err(),
        LinkError::BadCode
    );
    assert_eq!(
        LinkCode::parse(&text.replace(|c: char| c.is_ascii_digit(), "U")).unwrap_err(),
        LinkError::BadCode,
        "U is not in the alphabet"
    );
    assert_eq!(LinkCode::parse("").unwrap_err(), LinkError::BadCode);
    // The last character carries 3 bits of the code and 2 spare ones, which must be zero.
    let mut ending_in_1 = text.to_string();
    ending_in_1.pop();
    ending_in_1.push('1');
    assert_eq!(
        LinkCode::parse(&ending_in_1).unwrap_err(),
        LinkError::BadCode
    );
}

#[test]
fn provisioning_reaches_the_new_browser_intact() {
    let browser = new_browser(3);
    // The approving device has the code (typed) and the announcement (from the relay).
    let typed = LinkCode::parse(&browser.code.to_text()).unwrap();
    let announcement = Announcement::decode(&browser.announcement.encode()).unwrap();
    announcement.verify(&typed).unwrap();
    assert_eq!(announcement.name, "Firefox on Linux");
    let sent = provisioning(4);
    let sealed = linking::seal(&typed, &announcement, &sent, &mut rng(5)).unwrap();

    let opened = linking::open(&browser.code, &browser.key, &sealed).unwrap();
    assert_eq!(opened.address, sent.address);
    assert_eq!(opened.account_key.public(), sent.account_key.public());
    assert_eq!(opened.display_name, "Alice");
    assert_eq!(opened.history, sent.history);
}

#[test]
fn an_announcement_the_relay_swapped_is_refused() {
    let browser = new_browser(6);
    // The relay replaces the link key (or the identity, or the name) with its own.
    let mut swapped = browser.announcement.clone();
    swapped.link_key = LinkKey::generate(&mut rng(7)).public();
    assert_eq!(swapped.verify(&browser.code), Err(LinkError::NotAnnounced));
    assert!(linking::seal(&browser.code, &swapped, &provisioning(8), &mut rng(9)).is_err());
    let mut renamed = browser.announcement.clone();
    renamed.name = "Alice's phone".to_owned();
    assert_eq!(renamed.verify(&browser.code), Err(LinkError::NotAnnounced));
    let mut other_identity = browser.announcement.clone();
    other_identity.identity = IdentityKeyPair::generate(&mut rng(10)).public();
    assert_eq!(
        other_identity.verify(&browser.code),
        Err(LinkError::NotAnnounced)
    );
    // And a wrong code (another browser's) does not verify it either.
    let other = new_browser(11);
    assert_eq!(
        browser.announcement.verify(&other.code),
        Err(LinkError::NotAnnounced)
    );
}

#[test]
fn a_tampered_or_misdirected_provisioning_message_fails() {
    let browser = new_browser(12);
    let sealed = linking::seal(
        &browser.code,
        &browser.announcement,
        &provisioning(13),
        &mut rng(14),
    )
    .unwrap();
    for i in [0, 31, 32, sealed.len() / 2, sealed.len() - 1] {
        let mut changed = sealed.clone();
        changed[i] ^= 1;
        assert!(
            linking::open(&browser.code, &browser.key, &changed).is_err(),
            "byte {i} changed"
        );
    }
    assert!(linking::open(&browser.code, &browser.key, &sealed[..40]).is_err());
    assert!(linking::open(&browser.code, &browser.key, &[]).is_err());
    // Another browser (other code, other key) cannot open it.
    let other = new_browser(15);
    assert!(linking::open(&other.code, &other.key, &sealed).is_err());
    assert!(linking::open(&other.code, &browser.key, &sealed).is_err());
}

#[test]
fn names_are_one_clean_line_and_secrets_stay_out_of_debug() {
    let mut rng = rng(16);
    let code = LinkCode::generate(&mut rng);
    let key = LinkKey::generate(&mut rng);
    let identity = IdentityKeyPair::generate(&mut rng).public();
    for bad in [
        "",
        "   ",
        "two\nlines",
        "\u{202e}evil",
        "evil\u{2069}",
        "ev\u{061c}il",
        &"x".repeat(65),
    ] {
        assert_eq!(
            Announcement::new(&code, &key, identity, bad).unwrap_err(),
            LinkError::BadName
        );
    }
    assert_eq!(
        format!("{code:?}"),
        format!("LinkCode {{ address: {:?}, .. }}", code.address)
    );
    assert_eq!(format!("{key:?}"), "LinkKey(<secret>)");
    let printed = format!("{:?}", provisioning(17));
    assert!(!printed.contains("9, 9"), "no history key: {printed}");
    assert!(
        printed.contains("alice") && printed.contains("12345"),
        "{printed}"
    );
}
