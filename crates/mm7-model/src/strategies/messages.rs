//! Strategies for each operation's message type.

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

use super::{
    additional_information, address, applic, channel, charged_party, content_class, content_ref,
    date_time, extra_data, message_class, mm_status, mm_status_extension, mm7_version, opt_text,
    priority, recipients, relative_or_absolute, sender_identification, status, status_code, text,
    ua_capabilities,
};
use crate::address::{Recipients, UserAgent};
use crate::messages::cancel::{CancelReq, CancelRsp};
use crate::messages::common::{
    DeliveryCondition, PreferredChannels, PreviouslySentBy, PreviouslySentDateAndTime,
    ReplyCharging, SequencedDateTime,
};
use crate::messages::deliver::{DeliverReq, DeliverRsp};
use crate::messages::extended::{
    ExtendedCancelReq, ExtendedCancelRsp, ExtendedReplaceReq, ExtendedReplaceRsp,
};
use crate::messages::fault::{FaultDetail, RsErrorRsp, SoapFault, VaspErrorRsp};
use crate::messages::read_reply::{ReadReplyReq, ReadReplyRsp};
use crate::messages::replace::{ReplaceReq, ReplaceRsp};
use crate::messages::report::{DeliveryReportReq, DeliveryReportRsp};
use crate::messages::submit::{SubmitReq, SubmitRsp};
use crate::status::Status;

/// A `SubmitReq`.
pub fn submit_req() -> impl Strategy<Value = SubmitReq> {
    let a = (
        mm7_version(),
        of(sender_identification()),
        recipients(),
        of(vec(channel(), 1..3).prop_map(|deliver_using| PreferredChannels { deliver_using })),
        opt_text(),
        opt_text(),
        of(message_class()),
        of(date_time()),
    );
    let b = (
        of(
            (of(1..100_000u64), of(relative_or_absolute())).prop_map(|(s, d)| ReplyCharging {
                reply_charging_size: s,
                reply_deadline: d,
            }),
        ),
        of(relative_or_absolute()),
        of(relative_or_absolute()),
        of(any::<bool>()),
        of(any::<bool>()),
        of(priority()),
        opt_text(),
        of(charged_party()),
        opt_text(),
        of(address()),
    );
    let c = (
        of(any::<bool>()),
        of(vec(1..1000u64, 0..3).prop_map(|dc| DeliveryCondition { dc })),
        applic(),
        of(content_class()),
        of(any::<bool>()),
        of(content_ref()),
        additional_information(),
        of(extra_data()),
    );
    (a, b, c).prop_map(|(a, b, c)| SubmitReq {
        mm7_version: a.0,
        sender_identification: a.1,
        recipients: a.2,
        preferred_channels: a.3,
        service_code: a.4,
        linked_id: a.5,
        message_class: a.6,
        time_stamp: a.7,
        reply_charging: b.0,
        earliest_delivery_time: b.1,
        expiry_date: b.2,
        delivery_report: b.3,
        read_reply: b.4,
        priority: b.5,
        subject: b.6,
        charged_party: b.7,
        charged_party_id: b.8,
        third_party_payer: b.9,
        distribution_indicator: c.0,
        delivery_condition: c.1,
        applic_id: c.2.0,
        reply_applic_id: c.2.1,
        aux_applic_info: c.2.2,
        content_class: c.3,
        drm_content: c.4,
        content: c.5,
        additional_information: c.6,
        message_extra_data: c.7,
    })
}

/// A `SubmitRsp`.
pub fn submit_rsp() -> impl Strategy<Value = SubmitRsp> {
    (mm7_version(), status(), opt_text()).prop_map(|(v, status, message_id)| SubmitRsp {
        message_id,
        ..SubmitRsp::new(v, status)
    })
}

/// A `DeliverReq`.
pub fn deliver_req() -> impl Strategy<Value = DeliverReq> {
    let user_agent =
        (address(), of(1..10u64)).prop_map(|(address, sequence)| UserAgent { address, sequence });
    let dated = (relative_or_absolute(), of(1..10u64))
        .prop_map(|(value, sequence)| SequencedDateTime { value, sequence });
    let a = (
        mm7_version(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
        address(),
        prop_oneof![Just(Recipients::default()), recipients()],
        of(vec(user_agent, 0..3).prop_map(|user_agents| PreviouslySentBy { user_agents })),
        of(vec(dated, 0..3).prop_map(|date_times| PreviouslySentDateAndTime { date_times })),
    );
    let b = (
        opt_text(),
        opt_text(),
        of(date_time()),
        opt_text(),
        of(priority()),
        opt_text(),
        applic(),
        of(ua_capabilities()),
        of(content_ref()),
        additional_information(),
        of(extra_data()),
    );
    (a, b).prop_map(|(a, b)| DeliverReq {
        mm7_version: a.0,
        mms_relay_server_id: a.1,
        vasp_id: a.2,
        vas_id: a.3,
        linked_id: a.4,
        sender: Some(a.5),
        recipients: a.6,
        previously_sent_by: a.7,
        previously_sent_date_and_time: a.8,
        sender_spi: b.0,
        recipient_spi: b.1,
        time_stamp: b.2,
        reply_charging_id: b.3,
        priority: b.4,
        subject: b.5,
        applic_id: b.6.0,
        reply_applic_id: b.6.1,
        aux_applic_info: b.6.2,
        ua_capabilities: b.7,
        content: b.8,
        additional_information: b.9,
        message_extra_data: b.10,
    })
}

/// A `DeliverRsp`.
pub fn deliver_rsp() -> impl Strategy<Value = DeliverRsp> {
    (mm7_version(), status(), opt_text()).prop_map(|(v, status, service_code)| DeliverRsp {
        service_code,
        ..DeliverRsp::new(v, status)
    })
}

/// A `CancelReq`.
pub fn cancel_req() -> impl Strategy<Value = CancelReq> {
    (
        mm7_version(),
        of(sender_identification()),
        text(),
        prop_oneof![Just(Recipients::default()), recipients()],
        applic(),
    )
        .prop_map(
            |(mm7_version, sender_identification, message_id, recipients, ap)| CancelReq {
                mm7_version,
                sender_identification,
                message_id,
                recipients,
                applic_id: ap.0,
                reply_applic_id: ap.1,
                aux_applic_info: ap.2,
            },
        )
}

/// A `ReplaceReq`.
pub fn replace_req() -> impl Strategy<Value = ReplaceReq> {
    let a = (
        mm7_version(),
        of(sender_identification()),
        text(),
        opt_text(),
        of(date_time()),
        of(any::<bool>()),
        of(relative_or_absolute()),
        of(any::<bool>()),
    );
    let b = (
        of(content_class()),
        of(any::<bool>()),
        applic(),
        of(content_ref()),
        additional_information(),
        of(extra_data()),
    );
    (a, b).prop_map(|(a, b)| ReplaceReq {
        mm7_version: a.0,
        sender_identification: a.1,
        message_id: a.2,
        service_code: a.3,
        time_stamp: a.4,
        read_reply: a.5,
        earliest_delivery_time: a.6,
        distribution_indicator: a.7,
        content_class: b.0,
        drm_content: b.1,
        applic_id: b.2.0,
        reply_applic_id: b.2.1,
        aux_applic_info: b.2.2,
        content: b.3,
        additional_information: b.4,
        message_extra_data: b.5,
    })
}

/// A `DeliveryReportReq`.
pub fn delivery_report_req() -> impl Strategy<Value = DeliveryReportReq> {
    let a = (
        mm7_version(),
        opt_text(),
        text(),
        address(),
        address(),
        date_time(),
        mm_status(),
    );
    let b = (
        of(mm_status_extension()),
        opt_text(),
        applic(),
        of(ua_capabilities()),
    );
    (a, b).prop_map(|(a, b)| DeliveryReportReq {
        mms_relay_server_id: a.1,
        mm_status_extension: b.0,
        status_text: b.1,
        applic_id: b.2.0,
        reply_applic_id: b.2.1,
        aux_applic_info: b.2.2,
        ua_capabilities: b.3,
        ..DeliveryReportReq::new(a.0, a.2, a.3, a.4, a.5, a.6)
    })
}

/// A `ReadReplyReq`.
pub fn read_reply_req() -> impl Strategy<Value = ReadReplyReq> {
    let a = (
        mm7_version(),
        opt_text(),
        text(),
        address(),
        address(),
        date_time(),
        mm_status(),
    );
    (a, opt_text(), applic()).prop_map(|(a, status_text, ap)| ReadReplyReq {
        mms_relay_server_id: a.1,
        status_text,
        applic_id: ap.0,
        reply_applic_id: ap.1,
        aux_applic_info: ap.2,
        ..ReadReplyReq::new(a.0, a.2, a.3, a.4, a.5, a.6)
    })
}

/// An `extendedCancelReq`.
pub fn extended_cancel_req() -> impl Strategy<Value = ExtendedCancelReq> {
    (mm7_version(), of(sender_identification()), text()).prop_map(
        |(mm7_version, sender_identification, cancel_id)| ExtendedCancelReq {
            mm7_version,
            sender_identification,
            cancel_id,
        },
    )
}

/// An `extendedCancelRsp` (a status without text, as the schema has it).
pub fn extended_cancel_rsp() -> impl Strategy<Value = ExtendedCancelRsp> {
    (mm7_version(), status_code()).prop_map(|(v, code)| {
        ExtendedCancelRsp::new(
            v,
            Status {
                code,
                text: None,
                details: None,
            },
        )
    })
}

/// An `extendedReplaceReq`.
pub fn extended_replace_req() -> impl Strategy<Value = ExtendedReplaceReq> {
    let a = (
        mm7_version(),
        opt_text(),
        opt_text(),
        opt_text(),
        text(),
        of(date_time()),
    );
    let b = (
        of(relative_or_absolute()),
        of(relative_or_absolute()),
        of(any::<bool>()),
        of(any::<bool>()),
        of(content_ref()),
        additional_information(),
        of(extra_data()),
    );
    (a, b).prop_map(|(a, b)| ExtendedReplaceReq {
        mm7_version: a.0,
        vasp_id: a.1,
        vas_id: a.2,
        service_code: a.3,
        replace_id: a.4,
        time_stamp: a.5,
        earliest_delivery_time: b.0,
        expiry_date: b.1,
        read_reply: b.2,
        delivery_report: b.3,
        content: b.4,
        additional_information: b.5,
        message_extra_data: b.6,
    })
}

/// An `extendedReplaceRsp`.
pub fn extended_replace_rsp() -> impl Strategy<Value = ExtendedReplaceRsp> {
    (mm7_version(), text(), status_code()).prop_map(|(v, id, code)| {
        ExtendedReplaceRsp::new(
            v,
            id,
            Status {
                code,
                text: None,
                details: None,
            },
        )
    })
}

/// A SOAP Fault carrying an error response (or, rarely, other detail).
pub fn soap_fault() -> impl Strategy<Value = SoapFault> {
    let detail = prop_oneof![
        (mm7_version(), status()).prop_map(|(v, s)| FaultDetail::RsErrorRsp(RsErrorRsp::new(v, s))),
        (mm7_version(), status())
            .prop_map(|(v, s)| FaultDetail::VaspErrorRsp(VaspErrorRsp::new(v, s))),
        "[A-Za-z0-9 ]{0,8}[A-Za-z0-9]".prop_map(FaultDetail::Other),
    ];
    (
        prop_oneof![Just("Client"), Just("Server"), Just("env:Client")],
        text(),
        opt_text(),
        of(detail),
    )
        .prop_map(|(code, faultstring, faultactor, detail)| SoapFault {
            faultcode: code.to_owned(),
            faultstring,
            faultactor,
            detail,
        })
}

macro_rules! generic_rsp_strategy {
    ($($fn:ident => $ty:ident),* $(,)?) => {
        $(
            #[doc = concat!("A `", stringify!($ty), "`.")]
            pub fn $fn() -> impl Strategy<Value = $ty> {
                (mm7_version(), status()).prop_map(|(v, s)| $ty::new(v, s))
            }
        )*
    };
}

generic_rsp_strategy! {
    cancel_rsp => CancelRsp,
    replace_rsp => ReplaceRsp,
    delivery_report_rsp => DeliveryReportRsp,
    read_reply_rsp => ReadReplyRsp,
    rs_error_rsp => RsErrorRsp,
    vasp_error_rsp => VaspErrorRsp,
}
