//! Test support for Polder: a real Yjs client over a real WebSocket.
//!
//! [`YClient`] behaves like y-websocket's `WebsocketProvider`: it opens with sync step 1,
//! answers the server's step 1 with a step 2, applies every update it receives to its own
//! yrs document and sends its local edits as updates. It also records what a test wants to
//! check: the close frame, permission-denied messages, and presence seen.

pub mod yclient;

pub use yclient::{CloseInfo, YClient};
