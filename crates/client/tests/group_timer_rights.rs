//! Who may change a group's disappearing-message timer, over the real relay on loopback
//! (issue 21): where only admins may edit the group's settings, a member's change is refused
//! on their own device and, from a member who had not heard of the rule yet, by every
//! receiver; an admin's still goes through.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use hush_client::model::TIMER_CHOICES;
use hush_client::{ChatId, Store};
use support::*;

const DAY: u64 = TIMER_CHOICES[1];
const WEEK: u64 = TIMER_CHOICES[2];

async fn timer(device: &Device, chat: &ChatId) -> u64 {
    let timer = device.engine.timer_of(chat).await.unwrap();
    timer.map_or(0, |t| t.timer_ms)
}

/// Whether `device` holds the rule that only admins edit the group's settings.
async fn restricted(device: &Device, chat: &ChatId) -> bool {
    let group = device.store.group(&chat.group().unwrap()).await.unwrap();
    group.is_some_and(|g| g.log.state().only_admins_edit)
}

#[tokio::test]
async fn only_admins_change_the_timer_where_only_admins_edit_the_group() {
    let relay = relay().await;
    let (mut members, group) = group_of(&relay, 3, "rules").await;
    let out = members[0]
        .engine
        .set_group_permissions(&group, false, true, now())
        .await
        .unwrap();
    members[0].output(out).await;
    members[0].settle().await;
    // Member 2 hears of the rule; member 1 not yet.
    for _ in 0..100 {
        if restricted(&members[2], &group).await {
            break;
        }
        members[2]
            .pump_until(|_| false, Duration::from_millis(50))
            .await;
    }
    assert!(restricted(&members[2], &group).await);
    assert!(!restricted(&members[1], &group).await);

    // Member 1, unaware, sets a timer and then writes: the others refuse the timer.
    let (_, out) = members[1]
        .engine
        .set_timer(&group, DAY, now())
        .await
        .unwrap();
    members[1].output(out).await;
    members[1]
        .deliver(&group.to_string(), "after my timer")
        .await;
    for at in [0, 2] {
        members[at].expect(message_from("after my timer")).await;
        assert_eq!(
            timer(&members[at], &group).await,
            0,
            "member {at} refused it"
        );
    }

    // Now aware, member 1's own device refuses; the admin's change goes through.
    assert!(restricted(&members[1], &group).await);
    assert!(members[1]
        .engine
        .set_timer(&group, WEEK, now())
        .await
        .is_err());
    // Later than member 1's own setting (the tests' clock stands still).
    let (_, out) = members[0]
        .engine
        .set_timer(&group, WEEK, now() + 1000)
        .await
        .unwrap();
    members[0].output(out).await;
    members[0].settle().await;
    for at in [1, 2] {
        members[at]
            .expect(message_from("member0 set disappearing messages to 7 days"))
            .await;
        for _ in 0..100 {
            if timer(&members[at], &group).await == WEEK {
                break;
            }
            members[at]
                .pump_until(|_| false, Duration::from_millis(50))
                .await;
        }
        assert_eq!(timer(&members[at], &group).await, WEEK, "member {at}");
    }
}
