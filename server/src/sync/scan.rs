//! A pass over a Yjs v1 update's bytes, before yrs decodes them.
//!
//! yrs reads values (`Any`: nested arrays and maps) recursively, and encodes and drops them
//! recursively too, so a value nested a few hundred thousand levels deep exhausts a thread's
//! stack and aborts the process. [`scan`] walks the same format without recursion, refuses
//! values nested deeper than [`MAX_VALUE_DEPTH`], and reports each item's id, length, kind and
//! how it names its parent, which [`super::nesting`] needs and yrs does not expose.
//!
//! The scan follows yrs's own decoder (`Update::decode` and `ItemContent::decode` in yrs 0.28)
//! step by step and uses yrs's primitives for everything but values, so both agree on where
//! each item starts and how long it is. It is linear in the input and allocates nothing per
//! value; it allocates only what the caller's visitor keeps.

use yrs::block::ItemContent;
use yrs::encoding::read::{Cursor, Error as ReadError, Read};
use yrs::updates::decoder::{Decode, Decoder, DecoderV1};
use yrs::{ClientID, Update, ID};

/// Deepest nesting of arrays and maps inside one value of an update; deeper values are refused.
/// Default: 128, the limit serde_json uses for JSON.
pub const MAX_VALUE_DEPTH: usize = 128;

/// Item content kinds, as numbered by the Yjs encoding.
const CONTENT_TYPE: u8 = 7;
const CONTENT_ANY: u8 = 8;
const CONTENT_DOC: u8 = 9;
/// Block kinds that are not items.
const BLOCK_GC: u8 = 0;
const BLOCK_SKIP: u8 = 10;
/// Flags of an item's info byte.
const HAS_ORIGIN: u8 = 0x80;
const HAS_RIGHT_ORIGIN: u8 = 0x40;
const HAS_PARENT_SUB: u8 = 0x20;

/// Why an update's bytes were refused before yrs saw them.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The bytes are not a Yjs v1 update.
    #[error("not a Yjs update: {0}")]
    Malformed(#[from] ReadError),
    /// A block has length zero, or a client's clocks run past the largest Yjs clock.
    #[error("not a Yjs update: a block has an impossible length")]
    BadLength,
    /// A client id does not fit the 53 bits Yjs allows.
    #[error("not a Yjs update: a client id is out of range")]
    BadClient,
    /// A value nests arrays and maps deeper than [`MAX_VALUE_DEPTH`].
    #[error("a value in the update is nested deeper than {MAX_VALUE_DEPTH} levels")]
    ValueTooDeep,
}

/// How an item says where it belongs. yrs takes the parent from the left origin when that item
/// exists, else from the right origin; only an item with neither names its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Directly inside a root type (one named at the document level).
    Root,
    /// Inside the shared type created by the item with this id.
    Parent(ID),
    /// Garbage-collected: deleted content of which only the id range is left.
    Collected,
    /// Next to these neighbours, in whatever type holds them.
    Neighbours {
        /// The item to the left when this one was inserted.
        origin: Option<ID>,
        /// The item to the right when this one was inserted.
        right: Option<ID>,
    },
}

/// One item of an update, as far as nesting is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScannedItem {
    /// The item's first id.
    pub id: ID,
    /// How many clock values it spans.
    pub len: u32,
    /// Where it belongs.
    pub link: Link,
    /// Whether it creates a shared type (an XML element or text, a map, an array, …), which
    /// other items can be nested in.
    pub is_type: bool,
}

/// Scans `raw` as a Yjs v1 update, calling `visit` for every item and garbage-collected range
/// in encoding order (skipped ranges are left out).
///
/// # Errors
/// [`ScanError`] when the bytes are not an update or hold a value nested too deeply.
pub fn scan(raw: &[u8], mut visit: impl FnMut(ScannedItem)) -> Result<(), ScanError> {
    let mut decoder = DecoderV1::new(Cursor::new(raw));
    let clients: u32 = decoder.read_var()?;
    for _ in 0..clients {
        let blocks: u32 = decoder.read_var()?;
        let client = read_client(&mut decoder)?;
        let mut clock: u32 = decoder.read_var()?;
        for _ in 0..blocks {
            let info = decoder.read_info()?;
            let len = match info {
                BLOCK_SKIP => non_zero(decoder.read_var()?)?,
                BLOCK_GC => {
                    let len = non_zero(decoder.read_len()?)?;
                    visit(ScannedItem {
                        id: ID::new(client, clock),
                        len,
                        link: Link::Collected,
                        is_type: false,
                    });
                    len
                }
                _ => {
                    let item = read_item(&mut decoder, ID::new(client, clock), info)?;
                    if item.len == 0 {
                        continue; // yrs drops empty items without advancing the clock
                    }
                    visit(item);
                    item.len
                }
            };
            clock = clock.checked_add(len).ok_or(ScanError::BadLength)?;
        }
    }
    // the delete set: per client, ranges of clocks
    let clients: u32 = decoder.read_var()?;
    for _ in 0..clients {
        read_client(&mut decoder)?;
        let ranges: u32 = decoder.read_var()?;
        for _ in 0..ranges {
            let start: u32 = decoder.read_ds_clock()?;
            let len: u32 = decoder.read_ds_len()?;
            start.checked_add(len).ok_or(ScanError::BadLength)?;
        }
    }
    Ok(())
}

/// Largest Yjs client id plus one: ids have 53 bits, so JavaScript numbers hold them.
const CLIENT_LIMIT: u64 = 1 << 53;

/// Reads a client id, refusing what yrs would silently truncate.
pub(crate) fn read_client(decoder: &mut impl Read) -> Result<ClientID, ScanError> {
    let client: u64 = decoder.read_var()?;
    if client >= CLIENT_LIMIT {
        return Err(ScanError::BadClient);
    }
    Ok(ClientID::new(client))
}

fn read_id(decoder: &mut DecoderV1<'_>) -> Result<ID, ScanError> {
    let client = read_client(decoder)?;
    let clock: u32 = decoder.read_var()?;
    Ok(ID::new(client, clock))
}

/// Checks that `raw` is an update yrs can decode without risk, then decodes it.
///
/// # Errors
/// [`ScanError`] as [`scan`] does, or when yrs refuses the bytes.
pub fn decode_update(raw: &[u8]) -> Result<Update, ScanError> {
    scan(raw, |_| {})?;
    Ok(Update::decode_v1(raw)?)
}

fn non_zero(len: u32) -> Result<u32, ScanError> {
    if len == 0 {
        Err(ScanError::BadLength)
    } else {
        Ok(len)
    }
}

fn read_item(decoder: &mut DecoderV1<'_>, id: ID, info: u8) -> Result<ScannedItem, ScanError> {
    let origin = if info & HAS_ORIGIN != 0 {
        Some(read_id(decoder)?)
    } else {
        None
    };
    let right = if info & HAS_RIGHT_ORIGIN != 0 {
        Some(read_id(decoder)?)
    } else {
        None
    };
    let link = if origin.is_none() && right.is_none() {
        let link = if decoder.read_parent_info()? {
            decoder.read_string()?;
            Link::Root
        } else {
            Link::Parent(read_id(decoder)?)
        };
        if info & HAS_PARENT_SUB != 0 {
            decoder.read_string()?;
        }
        link
    } else {
        Link::Neighbours { origin, right }
    };
    let kind = info & 0b1111;
    let len = match kind {
        CONTENT_ANY => {
            let count = decoder.read_len()?;
            for _ in 0..count {
                skip_value(decoder)?;
            }
            count
        }
        CONTENT_DOC => {
            decoder.read_string()?; // the subdocument's guid, then its options
            skip_value(decoder)?;
            1
        }
        _ => ItemContent::decode(decoder, info)?.len_utf16(),
    };
    Ok(ScannedItem {
        id,
        len,
        link,
        is_type: kind == CONTENT_TYPE,
    })
}

/// Value tags of the lib0 `Any` encoding.
mod tag {
    pub const UNDEFINED: u8 = 127;
    pub const NULL: u8 = 126;
    pub const INTEGER: u8 = 125;
    pub const FLOAT32: u8 = 124;
    pub const FLOAT64: u8 = 123;
    pub const BIGINT: u8 = 122;
    pub const FALSE: u8 = 121;
    pub const TRUE: u8 = 120;
    pub const STRING: u8 = 119;
    pub const MAP: u8 = 118;
    pub const ARRAY: u8 = 117;
    pub const BUFFER: u8 = 116;
}

/// Reads past one value without building it, with an explicit stack of open arrays and maps
/// (entries left in each; a map entry is a key and a value).
fn skip_value(decoder: &mut DecoderV1<'_>) -> Result<(), ScanError> {
    struct Open {
        left: usize,
        map: bool,
    }
    let mut open: Vec<Open> = Vec::new();
    loop {
        // The next value: the top-level one first, then the next entry of the innermost open
        // container, closing every container that has no entries left.
        if let Some(top) = open.last_mut() {
            if top.left == 0 {
                open.pop();
                if open.is_empty() {
                    return Ok(());
                }
                continue;
            }
            top.left -= 1;
            if top.map {
                decoder.read_string()?;
            }
        }
        match decoder.read_u8()? {
            tag::UNDEFINED | tag::NULL | tag::FALSE | tag::TRUE => {}
            tag::INTEGER => {
                decoder.read_var::<i64>()?;
            }
            tag::FLOAT32 => {
                decoder.read_f32()?;
            }
            tag::FLOAT64 => {
                decoder.read_f64()?;
            }
            tag::BIGINT => {
                decoder.read_i64()?;
            }
            tag::STRING => {
                decoder.read_string()?;
            }
            tag::BUFFER => {
                decoder.read_buf()?;
            }
            tag @ (tag::MAP | tag::ARRAY) => {
                let left: usize = decoder.read_var()?;
                if open.len() >= MAX_VALUE_DEPTH {
                    return Err(ScanError::ValueTooDeep);
                }
                open.push(Open {
                    left,
                    map: tag == tag::MAP,
                });
                continue;
            }
            _ => return Err(ReadError::UnexpectedValue.into()),
        }
        if open.is_empty() {
            return Ok(());
        }
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
