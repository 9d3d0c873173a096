//! End-to-end tests of the `mm7` binary: each spawns the built command, with a time bound,
//! on 127.0.0.1 only, with temporary directories for anything written.

mod answers;
mod browser;
mod crash;
mod decode;
mod disk;
mod encode;
mod gateway;
mod gateway_crash;
mod gateway_inbox;
mod gateway_pg_tls;
mod gateway_support;
mod inbox;
mod net;
mod outbox;
mod profile;
mod retries;
mod senders;
mod support;
mod tls;
