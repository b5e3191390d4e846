//! Mentions in a group over the real relay on loopback (issue 21): the message carries whom
//! it mentions (members only, not the sender, each once), every member's device keeps them,
//! and a mention of the receiver notifies even where the group is muted.
// clippy.toml's allow-*-in-tests does not reach the helpers outside #[test] functions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use hush_client::notices::notices;
use hush_client::{Event, Store};
use support::*;

#[tokio::test]
async fn a_mention_reaches_every_member_and_notifies_the_mentioned_one_when_muted() {
    let relay = relay().await;
    let (mut members, group) = group_of(&relay, 3, "lunch").await;
    let wanted = [
        user("member1"),
        user("stranger"),
        user("member0"),
        user("member1"),
    ];
    let (sent, out) = members[0]
        .engine
        .send_mentioning(&group, "@member1 are you in?", &wanted, now())
        .await
        .unwrap();
    members[0].output(out).await;
    assert_eq!(
        sent.meta.mentions,
        [user("member1")],
        "members only, not me, once"
    );
    members[0].settle().await;

    let me_in = |name: &'static str| {
        let group = group.clone();
        move |e: &Event| matches!(e, Event::Message(m) if m.chat == group && m.body == "@member1 are you in?" && m.meta.mentions == [user(name)])
    };
    for (at, name) in [(1, "member1"), (2, "member2")] {
        let event = members[at].expect(me_in("member1")).await;
        let stored = members[at].store.message(&sent.id).await.unwrap().unwrap();
        assert_eq!(stored.meta.mentions, [user("member1")]);
        // Muted, the group stays silent, but for the member it mentions.
        let muted = [group.clone()];
        let shown = notices(&[event], &[], &muted, None, Some(&user(name)));
        assert_eq!(shown.len(), usize::from(name == "member1"), "{name}");
    }

    // A text mentioning no member travels as a plain one.
    let (plain, out) = members[0]
        .engine
        .send_mentioning(&group, "@nobody here", &[user("stranger")], now())
        .await
        .unwrap();
    members[0].output(out).await;
    assert!(plain.meta.mentions.is_empty());
    members[1].expect(message_from("@nobody here")).await;
}

#[tokio::test]
async fn replies_mention_and_edits_change_whom_a_message_mentions() {
    let relay = relay().await;
    let (mut members, group) = group_of(&relay, 3, "plans").await;
    let (question, out) = (members[1]
        .engine
        .send_text(&group, "who drives?", now())
        .await)
        .unwrap();
    members[1].output(out).await;
    settle_all(&mut members).await;

    let (reply, out) = members[0]
        .engine
        .reply_mentioning(&question.id, "@member2 does", &[user("member2")], now())
        .await
        .unwrap();
    members[0].output(out).await;
    settle_all(&mut members).await;
    for member in &members[1..] {
        let shown = member.store.message(&reply.id).await.unwrap().unwrap();
        assert_eq!(shown.meta.mentions, [user("member2")]);
        let quoted = shown.meta.quote.as_ref().map(|q| q.target.id);
        assert_eq!(quoted, Some(question.id), "still a reply");
    }
    // Muted, the group stays silent but for the member the reply mentions.
    let arrived = Event::Message(members[2].store.message(&reply.id).await.unwrap().unwrap());
    let (muted, me) = ([group.clone()], Some(user("member2")));
    assert_eq!(notices(&[arrived], &[], &muted, None, me.as_ref()).len(), 1);

    let out = members[0]
        .engine
        .edit_mentioning(&reply.id, "@member1 does", &[user("member1")], now())
        .await
        .unwrap();
    members[0].output(out).await;
    settle_all(&mut members).await;
    for member in &members {
        let stored = member.store.message(&reply.id).await.unwrap().unwrap();
        assert_eq!(stored.body, "@member1 does");
        assert_eq!(stored.meta.mentions, [user("member1")]);
    }

    // An edit mentioning no one leaves no one mentioned.
    let out = (members[0]
        .engine
        .edit(&reply.id, "someone does", now() + 1)
        .await)
        .unwrap();
    members[0].output(out).await;
    settle_all(&mut members).await;
    for member in &members {
        let stored = member.store.message(&reply.id).await.unwrap().unwrap();
        assert!(stored.meta.mentions.is_empty(), "{stored:?}");
    }
}
