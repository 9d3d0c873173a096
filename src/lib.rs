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
//! # Features
//!
//! - `json` (off by default): `mm7::json` turns a decoded message into the JSON report that
//!   `mm7 decode` prints.
//! - `fuzzing` (off by default): the fuzz targets' entry points, for the fuzz crate. Not part of
//!   the API: no semver promise.
//! - `unstable-xml` (off by default): `mm7_soap::xml`'s pull reader, for the benchmarks. Not
//!   part of the API either.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub use mm7_mime as mime;
pub use mm7_model as model;
pub use mm7_soap as soap;
pub use mm7_transport as transport;

#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub mod json;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz;
