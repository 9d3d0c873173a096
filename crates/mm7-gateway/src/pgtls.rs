//! TLS to PostgreSQL (rustls, no OpenSSL): the libpq `sslmode` values in the URL, with the CA
//! and client certificate from the URL (`sslrootcert`, `sslcert`, `sslkey`: file paths, as
//! libpq takes them) or from the configuration file.
//!
//! | `sslmode` | encrypted | the server's certificate |
//! |---|---|---|
//! | none given, `disable` | never: plain TCP, for a database on the same host or a private network | – |
//! | `prefer` | when the server offers it, else plain | not checked (a passive eavesdropper is kept out, not an impostor) |
//! | `require` | always, or the connection fails | not checked, unless a CA is given: then as `verify-ca` (as libpq does) |
//! | `verify-ca` | always | signed by the CA (else the system's roots) |
//! | `verify-full` | always | signed by the CA (else the system's roots) and naming the host |
//!
//! Unlike libpq, no `sslmode` means `disable`, not `prefer`: what is not asked for is not
//! half-done. `hostaddr=127.0.0.1` connects to that address while the host name of the URL is
//! the name checked under `verify-full`.

use std::path::Path;
use std::sync::Arc;

use mm7_transport::client::ServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use crate::error::GatewayError;

/// The CA and client certificate for TLS to PostgreSQL, from the configuration file; the
/// URL's `sslrootcert`, `sslcert` and `sslkey` take precedence.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct DatabaseTls {
    /// The CA certificates (PEM) the server's certificate must be signed by.
    pub ca_certificate: Option<Vec<u8>>,
    /// A client certificate chain and its private key (PEM), for a server that asks for one.
    pub client_certificate: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for DatabaseTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key is not shown.
        f.debug_struct("DatabaseTls")
            .field("ca_certificate", &self.ca_certificate.is_some())
            .field("client_certificate", &self.client_certificate.is_some())
            .finish()
    }
}

/// What the URL's `sslmode` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A URL made ready to connect: the configuration tokio-postgres parses (the TLS parameters
/// it does not know taken out) and the TLS connector, `None` for plain TCP.
pub(crate) struct Prepared {
    pub(crate) config: tokio_postgres::Config,
    pub(crate) tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
}

fn config_error(text: String) -> GatewayError {
    GatewayError::Config(text)
}

fn read(path: &str, what: &str) -> Result<Vec<u8>, GatewayError> {
    std::fs::read(Path::new(path))
        .map_err(|e| config_error(format!("the PostgreSQL URL's {what} {path}: {e}")))
}

/// Takes the TLS parameters out of `url` and builds its connector.
///
/// # Errors
/// An unknown `sslmode`, a certificate or key that cannot be read or parsed, a URL that does
/// not parse (its text, which may hold a password, is never in the error).
pub(crate) fn prepare(url: &str, file: &DatabaseTls) -> Result<Prepared, GatewayError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut root, mut cert, mut key) = (None, None, None, None);
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "sslmode" => {
                mode = Some(match value {
                    "disable" => Mode::Disable,
                    "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    other => {
                        return Err(config_error(format!(
                            "the PostgreSQL URL's sslmode {other:?}: disable, prefer, require, \
                             verify-ca or verify-full"
                        )));
                    }
                });
            }
            "sslrootcert" => root = Some(read(&percent_decode(value), "sslrootcert")?),
            "sslcert" => cert = Some(read(&percent_decode(value), "sslcert")?),
            "sslkey" => key = Some(read(&percent_decode(value), "sslkey")?),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config = rest.parse().map_err(|e| {
        // The parser's message names the part it refused, never the password.
        config_error(format!("the PostgreSQL URL: {e}"))
    })?;
    let mode = mode.unwrap_or(Mode::Disable);
    if mode == Mode::Disable {
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        return Ok(Prepared { config, tls: None });
    }
    config.ssl_mode(if mode == Mode::Prefer {
        tokio_postgres::config::SslMode::Prefer
    } else {
        tokio_postgres::config::SslMode::Require
    });
    let ca = root.or_else(|| file.ca_certificate.clone());
    let identity = match (cert, key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => file.client_certificate.clone(),
        _ => {
            return Err(config_error(
                "the PostgreSQL URL's sslcert and sslkey go together".into(),
            ));
        }
    };
    let check = match (mode, &ca) {
        (Mode::Prefer, _) | (Mode::Require, None) => Check::Nothing,
        (Mode::VerifyFull, _) => Check::Full,
        _ => Check::Chain,
    };
    let tls = client_config(check, ca.as_deref(), identity.as_ref())?;
    Ok(Prepared {
        config,
        tls: Some(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
    })
}

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    Full,
}

fn client_config(
    check: Check,
    ca: Option<&[u8]>,
    identity: Option<&(Vec<u8>, Vec<u8>)>,
) -> Result<ClientConfig, GatewayError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| GatewayError::Internal(format!("TLS to PostgreSQL: {e}")))?;
    // `prefer`, and `require` without a CA (as libpq): any certificate; `verify-ca` and
    // `verify-full`: the chain to the roots, and under `verify-full` the name. The handshake's
    // signatures are checked against the certificate in every case.
    let verifier = if check == Check::Nothing {
        ServerVerifier::any_certificate(&provider)
    } else {
        let mut roots = RootCertStore::empty();
        match ca {
            Some(pem) => {
                let certs = CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| config_error(format!("the PostgreSQL CA certificate: {e}")))?;
                if certs.is_empty() {
                    return Err(config_error(
                        "the PostgreSQL CA certificate: no PEM certificate in it".into(),
                    ));
                }
                for cert in certs {
                    roots
                        .add(cert)
                        .map_err(|e| config_error(format!("the PostgreSQL CA certificate: {e}")))?;
                }
            }
            None => {
                let native = rustls_native_certs::load_native_certs();
                for error in &native.errors {
                    tracing::debug!(%error, "system trust store");
                }
                roots.add_parsable_certificates(native.certs);
            }
        }
        ServerVerifier::chain(roots, provider, check == Check::Full)
            .map_err(|e| config_error(format!("the PostgreSQL CA certificate: {e}")))?
    };
    let builder = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    match identity {
        Some((chain, key)) => {
            let chain = CertificateDer::pem_slice_iter(chain)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| config_error(format!("the PostgreSQL client certificate: {e}")))?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| {
                // The parser's error is not shown: it may quote the key.
                config_error("the PostgreSQL client key: not a PEM private key".into())
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| config_error(format!("the PostgreSQL client certificate: {e}")))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

/// `%XX` escapes undone (RFC 3986 §2.1); bytes that are not UTF-8 replaced.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_parameters_are_taken_out_of_the_url() {
        let plain = prepare("postgres://u:secret@db.example/gw", &DatabaseTls::default()).unwrap();
        assert!(plain.tls.is_none());
        assert_eq!(
            plain.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Disable
        );
        let full = prepare(
            "postgres://u:secret@db.example/gw?sslmode=verify-full&application_name=gw",
            &DatabaseTls::default(),
        )
        .unwrap();
        assert!(full.tls.is_some());
        assert_eq!(
            full.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
        assert_eq!(full.config.get_application_name(), Some("gw"));
        let prefer = prepare("postgres://u@h/d?sslmode=prefer", &DatabaseTls::default()).unwrap();
        assert_eq!(
            prefer.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Prefer
        );
    }

    #[test]
    fn what_cannot_work_is_refused_without_the_password() {
        let error = |url: &str| match prepare(url, &DatabaseTls::default()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{url} was taken"),
        };
        let mode = error("postgres://u:secret@h/d?sslmode=verify-everything");
        assert!(mode.contains("verify-full"), "{mode}");
        let missing =
            error("postgres://u:secret@h/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem");
        assert!(missing.contains("/nonexistent/ca.pem"), "{missing}");
        let alone = error("postgres://u:secret@h/d?sslmode=require&sslcert=/dev/null");
        assert!(alone.contains("go together"), "{alone}");
        let file = DatabaseTls {
            ca_certificate: Some(b"not a certificate".to_vec()),
            ..DatabaseTls::default()
        };
        let Err(bad) = prepare("postgres://u:secret@h/d?sslmode=verify-full", &file) else {
            panic!("a CA without a certificate was taken");
        };
        assert!(bad.to_string().contains("no PEM certificate"), "{bad}");
        for text in [mode, missing, alone, bad.to_string()] {
            assert!(!text.contains("secret"), "{text}");
        }
    }

    #[test]
    fn percent_escapes_of_paths() {
        assert_eq!(percent_decode("/a%20b/c.pem"), "/a b/c.pem");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
