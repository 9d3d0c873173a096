//! HTTPS for the server: a rustls configuration (ring, no OpenSSL) from a certificate chain
//! and its private key, for [`ServerConfig::with_tls`](crate::server::ServerConfig::with_tls).
//!
//! ```no_run
//! use mm7_transport::server::{Role, ServerConfig, tls};
//!
//! let chain = std::fs::read("/etc/mm7/cert.pem")?;
//! let key = std::fs::read("/etc/mm7/key.pem")?;
//! let config = ServerConfig::new(Role::Vasp).with_tls(tls::server_config(&chain, &key)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate or key that cannot make a TLS configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The PEM text holds no certificate.
    #[error("no certificate in the PEM text")]
    NoCertificate,
    /// The PEM text holds no private key (PKCS#8, PKCS#1 or SEC1).
    #[error("no private key in the PEM text")]
    NoPrivateKey,
    /// The PEM text cannot be read.
    #[error("PEM: {0}")]
    Pem(String),
    /// rustls refused the certificate or key (for example a key that does not match).
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// A server TLS configuration from a PEM certificate chain (the server's certificate first)
/// and a PEM private key. It offers TLS 1.3 and 1.2 and ALPN `http/1.1`.
///
/// # Errors
/// [`TlsError`] when the PEM holds no certificate or key, or rustls refuses them.
pub fn server_config(
    cert_chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<rustls::ServerConfig, TlsError> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::NoPrivateKey,
        other => TlsError::Pem(other.to_string()),
    })?;
    server_config_der(chain, key)
}

/// A server TLS configuration from a DER certificate chain and private key.
///
/// # Errors
/// [`TlsError`] when the chain is empty or rustls refuses the certificate or key.
pub fn server_config_der(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, TlsError> {
    if chain.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    // MM7 is SOAP over HTTP/1.1; a client offering h2 is told to use HTTP/1.1.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_from_a_generated_certificate() {
        let generated =
            rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
        let chain = generated.cert.pem();
        let key = generated.signing_key.serialize_pem();
        let config = server_config(chain.as_bytes(), key.as_bytes()).expect("config");
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(matches!(
            server_config(b"", key.as_bytes()),
            Err(TlsError::NoCertificate)
        ));
        assert!(matches!(
            server_config(chain.as_bytes(), b"nothing here"),
            Err(TlsError::NoPrivateKey)
        ));
        let other = rcgen::generate_simple_self_signed(vec!["other".to_string()]).expect("cert");
        assert!(matches!(
            server_config(
                chain.as_bytes(),
                other.signing_key.serialize_pem().as_bytes()
            ),
            Err(TlsError::Rustls(_))
        ));
    }
}
