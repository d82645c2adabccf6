//! Test support for Polder: a real Yjs client over a real WebSocket, and real server and
//! Redis processes for the multi-process tests.
//!
//! [`YClient`] behaves like y-websocket's `WebsocketProvider`: it opens with sync step 1,
//! answers the server's step 1 with a step 2, applies every update it receives to its own
//! yrs document and sends its local edits as updates. It also records what a test wants to
//! check: the close frame, permission-denied messages, and presence seen.
//!
//! [`process::Node`] runs `polder serve` as a child process that can be killed and started
//! again on the same port; [`redis::PrivateRedis`] does the same for a `redis-server`.

pub mod pdfa;
pub mod process;
pub mod redis;
pub mod yclient;

pub use pdfa::{assert_pdf_a, pdf_text};
pub use process::{free_port, Node, ServerSpec};
pub use redis::PrivateRedis;
pub use yclient::{CloseInfo, YClient};
