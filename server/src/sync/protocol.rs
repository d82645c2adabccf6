//! y-websocket frames: decoding what clients send, encoding what the server sends.
//!
//! The codec is yrs's own (`yrs::sync::Message`); this module only adds the server's rules on
//! top: one message per frame, unknown message types are errors (not silently skipped), and a
//! sync payload must decode as a Yjs v1 update before anything else sees it.

use bytes::Bytes;
use yrs::sync::{AwarenessUpdate, Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{StateVector, Update};

use super::SyncError;

/// A Yjs update that has been checked to decode, with its original bytes.
pub struct ValidUpdate {
    /// The decoded update, ready to apply.
    pub update: Update,
    /// The bytes as the client sent them; stored and relayed as they are.
    pub raw: Bytes,
}

impl ValidUpdate {
    /// Decodes `raw` as a Yjs v1 update, after [`super::scan`] has checked it is safe to.
    ///
    /// # Errors
    /// [`SyncError::InvalidUpdate`] when the bytes are not a Yjs update, [`SyncError::Scan`]
    /// when the scan refuses them.
    pub fn decode(raw: Vec<u8>) -> Result<Self, SyncError> {
        super::scan::scan(&raw, |_| {}).map_err(|error| match error {
            super::scan::ScanError::Malformed(error) => SyncError::InvalidUpdate(error),
            other => SyncError::Scan(other),
        })?;
        let update = Update::decode_v1(&raw).map_err(SyncError::InvalidUpdate)?;
        Ok(Self {
            update,
            raw: Bytes::from(raw),
        })
    }

    /// Whether the update carries neither insertions nor deletions (a no-op sync step 2).
    pub fn is_empty(&self) -> bool {
        self.update.is_empty()
    }
}

/// A message a client may send.
pub enum Inbound {
    /// "Here is my state vector; send me what I lack."
    SyncStep1(StateVector),
    /// The client's answer to the server's step 1: what the server lacks.
    SyncStep2(ValidUpdate),
    /// A live edit.
    Update(ValidUpdate),
    /// Presence: cursor, name, colour of one or more Yjs clients.
    Awareness(AwarenessUpdate),
    /// "Send me everyone's presence."
    AwarenessQuery,
    /// An auth message; clients have nothing to say with it, so the server ignores it.
    Auth,
}

/// Decodes one frame.
///
/// # Errors
/// [`SyncError::Malformed`] for bytes that are not a message, [`SyncError::UnknownMessageType`]
/// for a message type the protocol does not define, [`SyncError::InvalidUpdate`] for a sync
/// payload that is not a Yjs update.
pub fn decode_frame(frame: &[u8]) -> Result<Inbound, SyncError> {
    check_client_ids(frame)?;
    Ok(match Message::decode_v1(frame)? {
        Message::Sync(SyncMessage::SyncStep1(sv)) => Inbound::SyncStep1(sv),
        Message::Sync(SyncMessage::SyncStep2(raw)) => Inbound::SyncStep2(ValidUpdate::decode(raw)?),
        Message::Sync(SyncMessage::Update(raw)) => Inbound::Update(ValidUpdate::decode(raw)?),
        Message::Awareness(update) => Inbound::Awareness(update),
        Message::AwarenessQuery => Inbound::AwarenessQuery,
        Message::Auth(_) => Inbound::Auth,
        Message::Custom(tag, _) => return Err(SyncError::UnknownMessageType(tag)),
    })
}

/// Message types and the sync step whose payloads hold client ids that yrs decodes itself.
const MESSAGE_SYNC: u32 = 0;
const MESSAGE_AWARENESS: u32 = 1;
const SYNC_STEP1: u32 = 0;

/// Refuses a sync step 1 (a state vector) or presence frame naming a client id beyond Yjs's 53
/// bits, which yrs would silently truncate (and asserts on in debug builds). Anything else
/// that does not parse is left for yrs to report.
fn check_client_ids(frame: &[u8]) -> Result<(), SyncError> {
    use yrs::encoding::read::{Cursor, Read};
    let mut outer = Cursor::new(frame);
    let payload = match outer.read_var::<u32>() {
        Ok(MESSAGE_SYNC) if outer.read_var::<u32>().ok() == Some(SYNC_STEP1) => outer.read_buf(),
        Ok(MESSAGE_AWARENESS) => outer.read_buf(),
        _ => return Ok(()),
    };
    let Ok(payload) = payload else {
        return Ok(());
    };
    let awareness = frame.first() == Some(&1);
    let mut inner = Cursor::new(payload);
    let Ok(entries) = inner.read_var::<u32>() else {
        return Ok(());
    };
    for _ in 0..entries {
        match super::scan::read_client(&mut inner) {
            Ok(_) => {}
            Err(super::scan::ScanError::BadClient) => {
                return Err(SyncError::Scan(super::scan::ScanError::BadClient))
            }
            Err(_) => return Ok(()),
        }
        if inner.read_var::<u32>().is_err() || (awareness && inner.read_string().is_err()) {
            return Ok(());
        }
    }
    Ok(())
}

/// Encodes a sync-update frame carrying `update` (a Yjs v1 update).
pub fn encode_update(update: &[u8]) -> Bytes {
    Bytes::from(Message::Sync(SyncMessage::Update(update.to_vec())).encode_v1())
}

/// Encodes the server's sync step 1 (its state vector).
pub fn encode_sync_step1(sv: StateVector) -> Bytes {
    Bytes::from(Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1())
}

/// Encodes a sync step 2 carrying what the client lacks.
pub fn encode_sync_step2(update: Vec<u8>) -> Bytes {
    Bytes::from(Message::Sync(SyncMessage::SyncStep2(update)).encode_v1())
}

/// Encodes an awareness frame.
pub fn encode_awareness(update: AwarenessUpdate) -> Bytes {
    Bytes::from(Message::Awareness(update).encode_v1())
}

/// Encodes a permission-denied auth frame; y-websocket clients report its reason.
pub fn encode_permission_denied(reason: &str) -> Bytes {
    Bytes::from(Message::Auth(Some(reason.to_owned())).encode_v1())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Doc, ReadTxn, Text, Transact};

    fn some_update() -> Vec<u8> {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("t");
        text.push(&mut doc.transact_mut(), "hallo");
        let update = doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        update
    }

    #[test]
    fn decodes_an_update_frame_and_keeps_its_bytes() {
        let raw = some_update();
        let frame = encode_update(&raw);
        match decode_frame(&frame).unwrap() {
            Inbound::Update(valid) => {
                assert_eq!(valid.raw.as_ref(), raw.as_slice());
                assert!(!valid.is_empty());
            }
            _ => panic!("expected an update"),
        }
    }

    #[test]
    fn rejects_unknown_message_types() {
        // message type 9, followed by a length-prefixed payload
        assert!(matches!(
            decode_frame(&[9, 1, 0]),
            Err(SyncError::UnknownMessageType(9))
        ));
    }

    #[test]
    fn rejects_truncated_and_garbage_frames() {
        let frame = encode_update(&some_update());
        assert!(decode_frame(&frame[..frame.len() - 3]).is_err());
        assert!(decode_frame(&[]).is_err());
        // sync message with an unknown sync sub-type
        assert!(decode_frame(&[0, 7, 0]).is_err());
    }

    #[test]
    fn rejects_sync_payloads_that_are_not_updates() {
        let frame = encode_update(&[0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
        assert!(matches!(
            decode_frame(&frame),
            Err(SyncError::InvalidUpdate(_))
        ));
    }

    #[test]
    fn an_empty_step2_is_recognised_as_empty() {
        let frame = encode_sync_step2(Update::EMPTY_V1.to_vec());
        match decode_frame(&frame).unwrap() {
            Inbound::SyncStep2(valid) => assert!(valid.is_empty()),
            _ => panic!("expected step 2"),
        }
    }
}
