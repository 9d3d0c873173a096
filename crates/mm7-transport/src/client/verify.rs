//! [`ServerVerifier`]: the rustls server-certificate checks the client uses, for other
//! clients in the workspace (the gateway's TLS to PostgreSQL) that need the same ones.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{VerifierBuilderError, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

/// A rustls server-certificate verifier for a [`rustls::ClientConfig`] built by hand: which
/// certificates it accepts depends on how it was made. Whatever the check of the certificate,
/// the handshake's signatures are always checked against its key, so only the holder of the
/// private key passes.
///
/// ```
/// use std::sync::Arc;
///
/// use mm7_transport::client::ServerVerifier;
///
/// let provider = Arc::new(rustls::crypto::ring::default_provider());
/// let verifier = ServerVerifier::any_certificate(&provider);
/// let config = rustls::ClientConfig::builder_with_provider(provider)
///     .with_safe_default_protocol_versions()?
///     .dangerous()
///     .with_custom_certificate_verifier(Arc::new(verifier))
///     .with_no_client_auth();
/// # drop(config);
/// # Ok::<(), rustls::Error>(())
/// ```
#[derive(Debug)]
pub struct ServerVerifier {
    check: Check,
    algorithms: WebPkiSupportedAlgorithms,
}

/// What [`ServerVerifier`] checks of the certificate itself.
#[derive(Debug)]
enum Check {
    /// Exactly these end-entity certificates.
    Pinned(Vec<CertificateDer<'static>>),
    /// Any certificate.
    Nothing,
    /// The chain to the roots, and the server's name when `names`.
    Chain {
        webpki: Arc<WebPkiServerVerifier>,
        names: bool,
    },
}

impl ServerVerifier {
    /// Accepts exactly the `pins` end-entity certificates, whatever their issuer, name or
    /// dates: a peer with a self-signed certificate exchanged out of band is trusted for that
    /// certificate alone.
    #[must_use]
    pub fn pinned(pins: Vec<CertificateDer<'static>>, provider: &CryptoProvider) -> Self {
        ServerVerifier {
            check: Check::Pinned(pins),
            algorithms: provider.signature_verification_algorithms,
        }
    }

    /// Accepts any certificate (as libpq's `sslmode=require` without a CA does).
    #[must_use]
    pub fn any_certificate(provider: &CryptoProvider) -> Self {
        ServerVerifier {
            check: Check::Nothing,
            algorithms: provider.signature_verification_algorithms,
        }
    }

    /// Accepts a certificate whose chain leads to `roots` (WebPKI rules); its name must match
    /// the server's when `check_names` (`verify-full`), and is not looked at otherwise
    /// (`verify-ca`).
    ///
    /// # Errors
    ///
    /// When rustls cannot build a WebPKI verifier on `roots` (for example, none).
    pub fn chain(
        roots: RootCertStore,
        provider: Arc<CryptoProvider>,
        check_names: bool,
    ) -> Result<Self, VerifierBuilderError> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider).build()?;
        Ok(ServerVerifier {
            check: Check::Chain {
                webpki,
                names: check_names,
            },
            algorithms,
        })
    }
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.check {
            Check::Pinned(pins) => {
                if pins.iter().any(|pin| pin.as_ref() == end_entity.as_ref()) {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::ApplicationVerificationFailure,
                    ))
                }
            }
            Check::Nothing => Ok(ServerCertVerified::assertion()),
            Check::Chain { webpki, names } => {
                let verified = webpki.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                );
                match verified {
                    // The name is checked after the chain: a name error means the chain holds.
                    Err(rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. },
                    )) if !names => Ok(ServerCertVerified::assertion()),
                    other => other,
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.check {
            Check::Chain { webpki, .. } => webpki.verify_tls12_signature(message, cert, dss),
            _ => rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms),
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.check {
            Check::Chain { webpki, .. } => webpki.verify_tls13_signature(message, cert, dss),
            _ => rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms),
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        match &self.check {
            Check::Chain { webpki, .. } => webpki.supported_verify_schemes(),
            _ => self.algorithms.supported_schemes(),
        }
    }
}
