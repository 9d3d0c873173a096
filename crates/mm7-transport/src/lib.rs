//! # mm7-transport
//!
//! MM7 over HTTP (hyper 1.x): a [`client`] for either role (a VASP submitting to an MMSC, an
//! MMSC pushing callbacks to a VASP) and a [`server`] for either role, with Basic
//! authentication, limits, TLS through rustls, and the callback retry policy MMSCs use.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod client;
pub mod profile;
pub mod server;
