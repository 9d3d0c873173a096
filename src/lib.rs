//! # mm7
//!
//! 3GPP MM7 (TS 23.140), the SOAP-over-HTTP interface between a value-added
//! service provider (VASP) and an MMS relay/server (MMSC).
//!
//! This facade re-exports the layers, each of which is also usable on its own:
//!
//! | module | crate | what it does |
//! |---|---|---|
//! | [`mime`] | `mm7-mime` | multipart/related parse (zero copy) and write |
//! | [`model`] | `mm7-model` | typed MM7 messages, status codes, versions |
//! | [`soap`] | `mm7-soap` | SOAP 1.1 codec per schema version; SOAP with attachments |
//! | [`transport`] | `mm7-transport` | hyper client and server for both roles, auth, limits, TLS |
//!
//! [`json`] turns a decoded message into the JSON report that `mm7 decode` prints.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use mm7_mime as mime;
pub use mm7_model as model;
pub use mm7_soap as soap;
pub use mm7_transport as transport;

pub mod json;

pub mod fuzz;
