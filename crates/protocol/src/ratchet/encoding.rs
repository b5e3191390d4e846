//! A session as stored: every key and counter, secrets included (zeroized when dropped).

use zeroize::Zeroizing;

use super::*;
use crate::codec::{DecodeError, Reader, Writer};

impl Session {
    /// The whole session, for storage (secrets included, so zeroized when dropped).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::with_capacity(512 + self.skipped.len() * 72);
        w.u8(crate::WIRE_VERSION)
            .u8(STATE_TYPE)
            .u8(u8::from(self.parties.initiator));
        w.raw(&self.parties.local_identity.to_bytes())
            .raw(&self.parties.remote_identity.to_bytes());
        self.parties.local.write(&mut w);
        self.parties.remote.write(&mut w);
        w.raw(self.parties.base_key.as_bytes())
            .u32(self.parties.prekeys.signed)
            .opt_u32(self.parties.prekeys.one_time)
            .u8(u8::from(self.confirmed))
            .raw(&self.root.0)
            .raw(self.sending.secret.as_bytes());
        match &self.send_chain {
            Some(chain) => w.u8(1).raw(&chain.0),
            None => w.u8(0),
        };
        w.u32(self.send_index).u32(self.previous_send_len);
        match &self.receiving {
            Some(r) => w
                .u8(1)
                .raw(r.ratchet_key.as_bytes())
                .raw(&r.chain.0)
                .u32(r.next_index),
            None => w.u8(0),
        };
        w.u32(self.skipped.len() as u32);
        for s in &self.skipped {
            w.raw(&s.ratchet_key).u32(s.index).raw(&s.key.0).u32(s.step);
        }
        w.u32(self.previous_remote_keys.len() as u32);
        for key in &self.previous_remote_keys {
            w.raw(key);
        }
        w.u32(self.steps);
        Zeroizing::new(core::mem::take(&mut w.buf))
    }

    /// Restores a stored session; anything malformed or out of bounds is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let session = Self::read(&mut r)?;
        r.finish()?;
        Ok(session)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.stored_header(STATE_TYPE)?;
        let initiator = r.bool("initiator flag")?;
        let parties = Parties {
            initiator,
            local_identity: IdentityKey::read(r)?,
            remote_identity: IdentityKey::read(r)?,
            local: DeviceAddress::read(r)?,
            remote: DeviceAddress::read(r)?,
            base_key: PublicKey::from(r.array::<32>()?),
            prekeys: PreKeyIds {
                signed: r.u32()?,
                one_time: r.opt_u32("one-time prekey flag")?,
            },
        };
        let confirmed = r.bool("confirmed flag")?;
        let root = RootKey(r.array()?);
        let sending = RatchetKeyPair::from_secret(*Zeroizing::new(r.array::<32>()?));
        let send_chain = if r.bool("send chain flag")? {
            Some(ChainKey(r.array()?))
        } else {
            None
        };
        let send_index = r.u32()?;
        let previous_send_len = r.u32()?;
        let receiving = if r.bool("receiving chain flag")? {
            Some(ReceivingChain {
                ratchet_key: PublicKey::from(r.array::<32>()?),
                chain: ChainKey(r.array()?),
                next_index: r.u32()?,
            })
        } else {
            None
        };
        let n = r.count("skipped keys", MAX_SKIPPED_KEYS, 72)?;
        let mut skipped = VecDeque::with_capacity(n);
        for _ in 0..n {
            skipped.push_back(SkippedKey {
                ratchet_key: r.array()?,
                index: r.u32()?,
                key: Box::new(MessageKey(r.array()?)),
                step: r.u32()?,
            });
        }
        let n = r.count("previous ratchet keys", MAX_SKIPPED_AGE as usize, 32)?;
        let mut previous_remote_keys = VecDeque::with_capacity(n);
        for _ in 0..n {
            previous_remote_keys.push_back(r.array()?);
        }
        let steps = r.u32()?;
        Ok(Self {
            ad: parties.associated_data(),
            parties,
            root,
            sending,
            send_chain,
            send_index,
            previous_send_len,
            receiving,
            skipped,
            previous_remote_keys,
            steps,
            confirmed,
        })
    }
}
