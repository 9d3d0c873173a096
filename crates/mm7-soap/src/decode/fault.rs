//! The SOAP 1.1 Fault (TS 23.140 §9.2: an MM7 error travels as a Fault whose `detail` holds an
//! `RSErrorRsp` or a `VASPErrorRsp`).
//!
//! A Fault is itself the report of an error, so it is read as leniently as can be: losing it
//! to a second error would hide what the peer said. Nothing in it is refused. A missing
//! `faultcode` or `faultstring` is read as empty, an error response in `detail` that cannot
//! be read is kept as the raw inner XML of `detail` ([`FaultDetail::Other`]), and each of
//! these is reported as a warning.

use mm7_model::{FaultDetail, Operation, RsErrorRsp, SoapFault, VaspErrorRsp};

use super::{Cx, Node, responses};
use crate::envelope::is_soap_envelope_ns;
use crate::error::{Context, DecodeError, Warning};
use crate::xml::TrimExt;

/// Decodes a SOAP `Fault` element. Returns the fault and the namespace of the error response
/// in its `detail` (the MM7 namespace the peer used), when there is one.
///
/// The children are matched by local name, ignoring ASCII case (`faultcode`, `faultstring`,
/// `faultactor`, `detail`), whatever their namespace: SOAP 1.1 wants them unqualified, and
/// peers qualify them with the envelope prefix anyway. `faultcode` is a QName and is kept by
/// meaning (see [`SoapFault`]): `env:Client`, `soapenv:Client` and an unprefixed `Client`
/// all read as `Client`, a code whose prefix is bound to another namespace as
/// `{namespace}local`, so that encoding the fault again (with any prefix) reads back the same.
/// A prefix bound nowhere is read as the envelope's, with a warning. Values are trimmed like
/// `faultstring` and `faultactor`. Other children are skipped without a warning: SOAP 1.1
/// §4.4 lets a Fault carry further qualified elements.
// `DecodeError` is the crate's public error type, shared by every decoding step; its size
// is a crate-wide choice, not this function's.
pub(crate) fn decode_fault<'a>(
    root: Node<'_, 'a>,
    _context: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<(SoapFault, Option<&'a str>), DecodeError> {
    let mut cx = Cx::new(None, warnings);
    let mut faultcode = None;
    let mut faultstring = None;
    let mut faultactor = None;
    let mut detail = None;
    let mut namespace = None;
    for child in root.children() {
        let local = child.local();
        let slot = if local.eq_ignore_ascii_case("faultcode") {
            &mut faultcode
        } else if local.eq_ignore_ascii_case("faultstring") {
            &mut faultstring
        } else if local.eq_ignore_ascii_case("faultactor") {
            &mut faultactor
        } else if local.eq_ignore_ascii_case("detail") {
            if detail.is_some() {
                cx.lenient(child, format_args!("repeated <{local}> ignored"));
            } else {
                let (read, ns) = fault_detail(&mut cx, child);
                detail = Some(read);
                namespace = ns;
            }
            continue;
        } else {
            continue;
        };
        if slot.is_some() {
            cx.lenient(child, format_args!("repeated <{local}> ignored"));
        } else if local.eq_ignore_ascii_case("faultcode") {
            *slot = Some(fault_code(&mut cx, child));
        } else {
            *slot = Some(child.text().trim_fast().to_owned());
        }
    }
    for (absent, name) in [
        (faultcode.is_none(), "faultcode"),
        (faultstring.is_none(), "faultstring"),
    ] {
        if absent {
            cx.lenient(root, format_args!("<Fault> without <{name}> read as empty"));
        }
    }
    cx.finish();
    let fault = SoapFault {
        faultcode: faultcode.unwrap_or_default(),
        faultstring: faultstring.unwrap_or_default(),
        faultactor,
        detail,
    };
    Ok((fault, namespace))
}

/// The `faultcode` of `node` by meaning: the local name for the envelope namespace (or no
/// prefix), `{namespace}local` for another one.
fn fault_code(cx: &mut Cx<'_, '_>, node: Node<'_, '_>) -> String {
    let code = node.text().trim_fast();
    // Not a QName (no colon, or more than one) is kept as received: an encoder writes the
    // former with its envelope prefix and refuses the latter.
    let Some((prefix, local)) = code.split_once(':').filter(|(_, l)| !l.contains(':')) else {
        return code.to_owned();
    };
    match node.namespace_of(prefix) {
        Some(ns) if !is_soap_envelope_ns(ns) => format!("{{{ns}}}{local}"),
        Some(_) => local.to_owned(),
        None => {
            cx.lenient(
                node,
                format_args!("<faultcode> prefix {prefix:?} bound nowhere, read as the envelope's"),
            );
            local.to_owned()
        }
    }
}

/// The content of `detail`: the first `RSErrorRsp` or `VASPErrorRsp` in it (name matched
/// ignoring ASCII case) with its namespace, or else the raw inner XML.
fn fault_detail<'a>(cx: &mut Cx<'_, '_>, detail: Node<'_, 'a>) -> (FaultDetail, Option<&'a str>) {
    let raw = || FaultDetail::Other(detail.inner_xml().to_owned());
    let response = detail.children().find_map(|c| {
        if c.local().eq_ignore_ascii_case("RSErrorRsp") {
            Some((c, Operation::RsErrorRsp))
        } else if c.local().eq_ignore_ascii_case("VASPErrorRsp") {
            Some((c, Operation::VaspErrorRsp))
        } else {
            None
        }
    });
    let Some((node, op)) = response else {
        return (raw(), None);
    };
    let read = if op == Operation::RsErrorRsp {
        responses::generic(cx, node, op, RsErrorRsp::new).map(FaultDetail::RsErrorRsp)
    } else {
        responses::generic(cx, node, op, VaspErrorRsp::new).map(FaultDetail::VaspErrorRsp)
    };
    match read {
        Ok(read) => (read, node.element().namespace),
        Err(failure) => {
            cx.lenient(
                node,
                format_args!(
                    "<{}> in the Fault detail kept as text: {}",
                    node.local(),
                    failure.kind
                ),
            );
            (raw(), None)
        }
    }
}
