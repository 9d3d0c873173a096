//! `RSErrorRsp`, `VASPErrorRsp` and the SOAP 1.1 Fault that carries them.
//!
//! TS 23.140 §9.2: an MM7 error is answered with an HTTP 500 whose body is a SOAP Fault,
//! `faultcode` `Client` or `Server`, and the error response (`RSErrorRsp` from the MMSC,
//! `VASPErrorRsp` from the VASP) inside `detail`.

use crate::status::{Status, StatusClass, StatusCode};
use crate::version::Mm7Version;

super::generic_response! {
    /// `RSErrorRsp`: the MMSC could not process a request at all.
    RsErrorRsp
}

super::generic_response! {
    /// `VASPErrorRsp`: the VASP could not process a request at all.
    VaspErrorRsp
}

/// What a fault's `detail` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FaultDetail {
    /// `RSErrorRsp`.
    #[cfg_attr(feature = "serde", serde(rename = "RSErrorRsp"))]
    RsErrorRsp(RsErrorRsp),
    /// `VASPErrorRsp`.
    #[cfg_attr(feature = "serde", serde(rename = "VASPErrorRsp"))]
    VaspErrorRsp(VaspErrorRsp),
    /// Anything else, as the inner XML of `detail`, verbatim (some MMSCs put plain text or
    /// their own elements there).
    #[cfg_attr(feature = "serde", serde(rename = "Other"))]
    Other(String),
}

impl FaultDetail {
    /// The status of the error response, if the detail is one.
    pub fn status(&self) -> Option<&Status> {
        match self {
            FaultDetail::RsErrorRsp(r) => Some(&r.status),
            FaultDetail::VaspErrorRsp(r) => Some(&r.status),
            FaultDetail::Other(_) => None,
        }
    }

    /// The `MM7Version` of the error response, if the detail is one.
    pub fn mm7_version(&self) -> Option<&Mm7Version> {
        match self {
            FaultDetail::RsErrorRsp(r) => Some(&r.mm7_version),
            FaultDetail::VaspErrorRsp(r) => Some(&r.mm7_version),
            FaultDetail::Other(_) => None,
        }
    }
}

/// A SOAP 1.1 `Fault`.
///
/// `faultcode` is an `xs:QName` (SOAP 1.1 §4.4.1); the model keeps its meaning, not the
/// prefix it was written with: a code in the SOAP envelope namespace is its local name
/// (`Client`, `Server.Busy`, whatever prefix the peer bound), a code in another namespace is
/// written `{namespace}local` (James Clark's notation). An encoder qualifies a local name with
/// its envelope prefix. A code written `prefix:local` by hand is read as in the envelope
/// namespace.
///
/// ```
/// use mm7_model::{SoapFault, Status, StatusCode};
/// let fault = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::ADDRESS_ERROR));
/// assert!(fault.is_client());
/// assert_eq!(fault.status().map(|s| s.code), Some(StatusCode::ADDRESS_ERROR));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct SoapFault {
    /// `faultcode`.
    pub faultcode: String,
    /// `faultstring`.
    pub faultstring: String,
    /// `faultactor`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub faultactor: Option<String>,
    /// `detail`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub detail: Option<FaultDetail>,
}

impl SoapFault {
    /// The `faultcode` for a status: `Server` for 3xxx (the server failed a valid request)
    /// and for 4006 Service unavailable (the server cannot take requests now: SOAP 1.1
    /// §4.4.1's "could succeed at a later point in time"), `Client` otherwise (the request or
    /// the client's rights were wrong).
    pub fn faultcode_for(status: &Status) -> &'static str {
        if status.code == StatusCode::SERVICE_UNAVAILABLE {
            return "Server";
        }
        match status.code.class() {
            StatusClass::Server | StatusClass::Other => "Server",
            _ => "Client",
        }
    }

    /// A fault from the MMSC carrying an `RSErrorRsp`; `faultstring` is the status text.
    pub fn rs_error(mm7_version: impl Into<Mm7Version>, status: Status) -> SoapFault {
        SoapFault::with_detail(FaultDetail::RsErrorRsp(RsErrorRsp::new(
            mm7_version,
            status,
        )))
    }

    /// A fault from the VASP carrying a `VASPErrorRsp`; `faultstring` is the status text.
    pub fn vasp_error(mm7_version: impl Into<Mm7Version>, status: Status) -> SoapFault {
        SoapFault::with_detail(FaultDetail::VaspErrorRsp(VaspErrorRsp::new(
            mm7_version,
            status,
        )))
    }

    fn with_detail(detail: FaultDetail) -> SoapFault {
        let (code, text) = match detail.status() {
            Some(s) => (
                SoapFault::faultcode_for(s),
                s.text.clone().unwrap_or_else(|| s.code.to_string()),
            ),
            None => ("Server", String::new()),
        };
        SoapFault {
            faultcode: code.to_owned(),
            faultstring: text,
            faultactor: None,
            detail: Some(detail),
        }
    }

    /// The local part of `faultcode` (after any prefix or `{namespace}`).
    pub fn local_code(&self) -> &str {
        let code = self.faultcode.trim();
        if let Some((_, local)) = code.strip_prefix('{').and_then(|c| c.rsplit_once('}')) {
            return local;
        }
        code.rsplit_once(':').map_or(code, |(_, local)| local)
    }

    /// The namespace of a code written `{namespace}local` (one outside the SOAP envelope
    /// namespace); `None` for a code in the envelope namespace.
    pub fn code_namespace(&self) -> Option<&str> {
        let code = self.faultcode.trim();
        code.strip_prefix('{')
            .and_then(|c| c.rsplit_once('}'))
            .map(|(ns, _)| ns)
    }

    /// Whether the fault code is the SOAP `Client` or a `Client.*` subcode.
    pub fn is_client(&self) -> bool {
        self.code_namespace().is_none() && is_code(self.local_code(), "Client")
    }

    /// Whether the fault code is the SOAP `Server` or a `Server.*` subcode.
    pub fn is_server(&self) -> bool {
        self.code_namespace().is_none() && is_code(self.local_code(), "Server")
    }

    /// The status of the error response in `detail`, if any.
    pub fn status(&self) -> Option<&Status> {
        self.detail.as_ref().and_then(FaultDetail::status)
    }
}

fn is_code(local: &str, class: &str) -> bool {
    local == class
        || local
            .strip_prefix(class)
            .is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::StatusCode;

    #[test]
    fn fault_codes() {
        let mut f = SoapFault::vasp_error("5.3.0", Status::from_code(StatusCode::SERVER_ERROR));
        assert!(f.is_server() && !f.is_client());
        assert_eq!(f.faultstring, "Server Error");
        f.faultcode = "soapenv:Client.Authentication".into();
        assert!(f.is_client());
        assert_eq!(f.local_code(), "Client.Authentication");
        f.faultcode = "env:Clientele".into();
        assert!(!f.is_client());
        f.faultcode = "{urn:x:y}Client".into();
        assert_eq!(f.local_code(), "Client");
        assert_eq!(f.code_namespace(), Some("urn:x:y"));
        assert!(!f.is_client());
        let f = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::new(4004)));
        assert_eq!(f.faultcode, "Client");
        let f = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::new(5000)));
        assert_eq!(f.faultcode, "Server");
        let f = SoapFault::rs_error("6.8.0", Status::from_code(StatusCode::SERVICE_UNAVAILABLE));
        assert!(
            f.is_server(),
            "4006 is the server's state, not the request's fault"
        );
    }
}
