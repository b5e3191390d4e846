//! What was sent, to which devices, and what each device showed: every text must be shown
//! exactly once on every device it was for, and a device must show one sender's texts in one
//! chat in the order they were written.

use std::collections::HashMap;
use std::fmt;

use hush_client::{ChatMessage, Kind, MessageId};

/// One text as written.
struct Written {
    /// Its place in the order of writing (across every device).
    seq: u64,
    /// The writing device (an index into the devices).
    sender: usize,
    /// The devices that must show it: the recipients' and the sender's other devices.
    expected: Vec<usize>,
}

#[derive(Default)]
pub struct Ledger {
    written: HashMap<MessageId, Written>,
    /// How many times each device showed each text.
    shown: HashMap<(usize, MessageId), u32>,
    /// The last text shown on a device from one sending device in one chat (as that device
    /// names the chat): (device, sender, chat) → seq.
    last: HashMap<(usize, usize, String), u64>,
    next_seq: u64,
    pub expected_total: u64,
    /// Shown: first showings of an expected text on an expected device.
    pub delivered: u64,
    /// Shown again.
    pub duplicated: u64,
    /// Shown after a later text of the same sender in the same chat.
    pub out_of_order: u64,
    /// Shown where it was not sent, or a text never written.
    pub unexpected: u64,
    /// Texts their sender marked failed.
    pub failed: u64,
}

impl Ledger {
    /// `sender` wrote text `id` for `expected`.
    pub fn wrote(&mut self, id: MessageId, sender: usize, expected: Vec<usize>) {
        self.expected_total += expected.len() as u64;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.written.insert(
            id,
            Written {
                seq,
                sender,
                expected,
            },
        );
    }

    /// Device `device` showed `message`.
    pub fn shown(&mut self, device: usize, message: &ChatMessage) {
        if message.kind != Kind::Text {
            return;
        }
        let Some(written) = self.written.get(&message.id) else {
            self.unexpected += 1;
            return;
        };
        if !written.expected.contains(&device) {
            self.unexpected += 1;
            return;
        }
        let count = self.shown.entry((device, message.id)).or_insert(0);
        *count += 1;
        if *count > 1 {
            self.duplicated += 1;
            return;
        }
        self.delivered += 1;
        let key = (device, written.sender, message.chat.to_string());
        match self.last.get(&key) {
            Some(last) if *last > written.seq => self.out_of_order += 1,
            _ => {
                self.last.insert(key, written.seq);
            }
        }
    }

    /// The sender marked one of its texts failed.
    pub fn failed(&mut self, id: &MessageId) {
        if self.written.contains_key(id) {
            self.failed += 1;
        }
    }

    /// Expected showings not seen.
    pub fn lost(&self) -> u64 {
        self.expected_total - self.delivered
    }

    /// Whether everything written was shown everywhere it was for.
    pub fn complete(&self) -> bool {
        self.delivered == self.expected_total
    }

    /// A few of the lost showings, for the report: (text seq, sender, device).
    pub fn some_lost(&self, at_most: usize) -> Vec<(u64, usize, usize)> {
        let mut lost: Vec<(u64, usize, usize)> = self
            .written
            .iter()
            .flat_map(|(id, w)| {
                w.expected
                    .iter()
                    .filter(|d| !self.shown.contains_key(&(**d, *id)))
                    .map(|d| (w.seq, w.sender, *d))
            })
            .collect();
        lost.sort_unstable();
        lost.truncate(at_most);
        lost
    }

    pub fn texts(&self) -> usize {
        self.written.len()
    }
}

impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "deliveries expected {}, delivered exactly once {}, lost {}, duplicated {}, \
             out of order {}, unexpected {}, failed {}",
            self.expected_total,
            self.delivered,
            self.lost(),
            self.duplicated,
            self.out_of_order,
            self.unexpected,
            self.failed
        )
    }
}
