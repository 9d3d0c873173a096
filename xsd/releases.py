"""The MM7 schema releases and what each one contains, as data for generate.py.

Each release id maps to the MM7Version of the TS 23.140 edition that published it; each
feature maps to the first release that has it. Body types list their elements in schema
order, each tagged with the feature that brings it (None: present in every release).
README.md gives the evidence and the confidence for every choice made here.
"""

NS_BASE = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

# (schema id, MM7Version of the TS 23.140 edition that published it)
RELEASES = [
    ("REL-5-MM7-1-0", "5.3.0"),
    ("REL-5-MM7-1-1", "5.4.0"),
    ("REL-5-MM7-1-2", "5.5.0"),
    ("REL-5-MM7-1-3", "5.6.0"),
    ("REL-5-MM7-1-4", "5.8.0"),
    ("REL-5-MM7-1-5", "5.10.0"),
    ("REL-6-MM7-1-0", "6.3.0"),
    ("REL-6-MM7-1-1", "6.4.0"),
    ("REL-6-MM7-1-2", "6.5.0"),
    ("REL-6-MM7-1-3", "6.6.0"),
    ("REL-6-MM7-1-4", "6.8.0"),
]

# Feature -> first schema id that has it. Everything without a feature is in every release.
FEATURES = {
    # ChargedPartyID element and the ThirdParty value of ChargedParty.
    "charged_party_id": "REL-6-MM7-1-0",
    # addressCoding (encrypted|obfuscated) and id attributes on addresses.
    "address_coding": "REL-6-MM7-1-0",
    # MMStatusExtension in DeliveryReportReq.
    "status_extension": "REL-6-MM7-1-0",
    # DeliveryCondition in SubmitReq and the DeliveryConditionNotMet delivery status.
    "delivery_condition": "REL-6-MM7-1-1",
    # UACapabilities in DeliverReq and DeliveryReportReq.
    "ua_capabilities": "REL-6-MM7-1-1",
    # ApplicID, ReplyApplicID, AuxApplicInfo (application addressing).
    "applic": "REL-6-MM7-1-2",
    # ContentClass and DRMContent in SubmitReq and ReplaceReq.
    "content_class": "REL-6-MM7-1-3",
    # extendedCancelReq/Rsp and extendedReplaceReq/Rsp.
    "extended_ops": "REL-6-MM7-1-4",
    # Recipients in CancelReq (cancel for some recipients only).
    "cancel_recipients": "REL-6-MM7-1-4",
    # VASPID and VASID directly under DeliverReq.
    "deliver_vasp": "REL-6-MM7-1-4",
    # The next three are known from one public transcription of the REL-6-MM7-1-4 schema
    # only (README.md): PreferredChannels (DeliverUsing channels) in SubmitReq;
    "preferred_channels": "REL-6-MM7-1-4",
    # ThirdPartyPayer (the address that pays when ChargedParty is ThirdParty) in SubmitReq;
    "third_party_payer": "REL-6-MM7-1-4",
    # AdditionalInformation (further attachments by href) and MessageExtraData (key/value
    # pairs) after Content in SubmitReq, DeliverReq, ReplaceReq and extendedReplaceReq.
    "extra_data": "REL-6-MM7-1-4",
}

# Particles of a body or helper type: (element name, type, minOccurs, maxOccurs, feature).
# Element names and their order follow TS 23.140's MM7 message definitions; the order is
# the one every schema release keeps, later releases only insert optional elements.
VERSION = ("MM7Version", "mm7:VersionString", 1, 1, None)
RELAY_ID = ("MMSRelayServerID", "mm7:EntityId", 0, 1, None)
APPLIC = [
    ("ApplicID", "xs:string", 0, 1, "applic"),
    ("ReplyApplicID", "xs:string", 0, 1, "applic"),
    ("AuxApplicInfo", "xs:string", 0, 1, "applic"),
]
CONTENT_EXTRAS = [
    ("AdditionalInformation", "mm7:AttachmentReference", 0, "unbounded", "extra_data"),
    ("MessageExtraData", "mm7:ExtraData", 0, 1, "extra_data"),
]

BODY_TYPES = [
    (
        "SubmitReqBody",
        "MM7_submit.REQ: a VASP submits a multimedia message.",
        [
            VERSION,
            ("SenderIdentification", "mm7:SenderIdentity", 1, 1, None),
            ("Recipients", "mm7:RecipientSet", 1, 1, None),
            ("PreferredChannels", "mm7:ChannelPreference", 0, 1, "preferred_channels"),
            ("ServiceCode", "xs:string", 0, 1, None),
            ("LinkedID", "mm7:MessageIdString", 0, 1, None),
            ("MessageClass", "mm7:MessageClassValue", 0, 1, None),
            ("TimeStamp", "xs:dateTime", 0, 1, None),
            ("ReplyCharging", "mm7:ReplyChargingInfo", 0, 1, None),
            ("EarliestDeliveryTime", "mm7:DateOrDuration", 0, 1, None),
            ("ExpiryDate", "mm7:DateOrDuration", 0, 1, None),
            ("DeliveryReport", "xs:boolean", 0, 1, None),
            ("ReadReply", "xs:boolean", 0, 1, None),
            ("Priority", "mm7:PriorityValue", 0, 1, None),
            ("Subject", "xs:string", 0, 1, None),
            ("ChargedParty", "mm7:ChargedPartyValue", 0, 1, None),
            ("ChargedPartyID", "xs:string", 0, 1, "charged_party_id"),
            ("ThirdPartyPayer", "mm7:SingleAddress", 0, 1, "third_party_payer"),
            ("DistributionIndicator", "xs:boolean", 0, 1, None),
            ("DeliveryCondition", "mm7:DeliveryConditionList", 0, 1, "delivery_condition"),
            *APPLIC,
            ("ContentClass", "mm7:ContentClassValue", 0, 1, "content_class"),
            ("DRMContent", "xs:boolean", 0, 1, "content_class"),
            ("Content", "mm7:ContentReference", 0, 1, None),
            *CONTENT_EXTRAS,
        ],
    ),
    (
        "SubmitRspBody",
        "MM7_submit.RES. MessageID is optional because an MMSC that refuses the message "
        "has none to give (TS 23.140: conditional on success).",
        [
            VERSION,
            ("Status", "mm7:RequestStatus", 1, 1, None),
            ("MessageID", "mm7:MessageIdString", 0, 1, None),
        ],
    ),
    (
        "DeliverReqBody",
        "MM7_deliver.REQ: the MMSC delivers a message sent by a user to the VASP.",
        [
            VERSION,
            RELAY_ID,
            ("VASPID", "mm7:EntityId", 0, 1, "deliver_vasp"),
            ("VASID", "mm7:EntityId", 0, 1, "deliver_vasp"),
            ("LinkedID", "mm7:MessageIdString", 0, 1, None),
            ("Sender", "mm7:SingleAddress", 1, 1, None),
            ("Recipients", "mm7:RecipientSet", 0, 1, None),
            ("Previouslysentby", "mm7:PreviouslySentBy", 0, 1, None),
            ("Previouslysentdateandtime", "mm7:PreviouslySentAt", 0, 1, None),
            ("SenderSPI", "xs:string", 0, 1, None),
            ("RecipientSPI", "xs:string", 0, 1, None),
            ("TimeStamp", "xs:dateTime", 0, 1, None),
            ("ReplyChargingID", "mm7:MessageIdString", 0, 1, None),
            ("Priority", "mm7:PriorityValue", 0, 1, None),
            ("Subject", "xs:string", 0, 1, None),
            *APPLIC,
            ("UACapabilities", "mm7:UaCapabilities", 0, 1, "ua_capabilities"),
            ("Content", "mm7:ContentReference", 0, 1, None),
            *CONTENT_EXTRAS,
        ],
    ),
    (
        "DeliverRspBody",
        "MM7_deliver.RES.",
        [
            VERSION,
            ("Status", "mm7:RequestStatus", 1, 1, None),
            ("ServiceCode", "xs:string", 0, 1, None),
        ],
    ),
    (
        "CancelReqBody",
        "MM7_cancel.REQ: a VASP cancels a message it submitted.",
        [
            VERSION,
            ("SenderIdentification", "mm7:SenderIdentity", 1, 1, None),
            ("MessageID", "mm7:MessageIdString", 1, 1, None),
            ("Recipients", "mm7:RecipientSet", 0, 1, "cancel_recipients"),
            *APPLIC,
        ],
    ),
    (
        "ReplaceReqBody",
        "MM7_replace.REQ: a VASP replaces a message it submitted.",
        [
            VERSION,
            ("SenderIdentification", "mm7:SenderIdentity", 1, 1, None),
            ("MessageID", "mm7:MessageIdString", 1, 1, None),
            ("ServiceCode", "xs:string", 0, 1, None),
            ("TimeStamp", "xs:dateTime", 0, 1, None),
            ("ReadReply", "xs:boolean", 0, 1, None),
            ("EarliestDeliveryTime", "mm7:DateOrDuration", 0, 1, None),
            ("DistributionIndicator", "xs:boolean", 0, 1, None),
            ("ContentClass", "mm7:ContentClassValue", 0, 1, "content_class"),
            ("DRMContent", "xs:boolean", 0, 1, "content_class"),
            *APPLIC,
            ("Content", "mm7:ContentReference", 0, 1, None),
            *CONTENT_EXTRAS,
        ],
    ),
    (
        "ExtendedCancelReqBody",
        "MM7_extended_cancel.REQ. Unlike every other request its root element name starts "
        "with a lower-case letter.",
        [
            VERSION,
            ("SenderIdentification", "mm7:SenderIdentity", 1, 1, None),
            ("CancelID", "mm7:MessageIdString", 1, 1, None),
        ],
    ),
    (
        "ExtendedCancelRspBody",
        "MM7_extended_cancel.RES: the status carries a StatusCode only.",
        [
            VERSION,
            ("Status", "mm7:ExtendedStatus", 1, 1, None),
        ],
    ),
    (
        "ExtendedReplaceReqBody",
        "MM7_extended_replace.REQ: VASPID and VASID sit directly under the request "
        "(there is no SenderIdentification).",
        [
            VERSION,
            ("VASPID", "mm7:EntityId", 0, 1, None),
            ("VASID", "mm7:EntityId", 0, 1, None),
            ("ServiceCode", "xs:string", 0, 1, None),
            ("ReplaceID", "mm7:MessageIdString", 1, 1, None),
            ("TimeStamp", "xs:dateTime", 0, 1, None),
            ("EarliestDeliveryTime", "mm7:DateOrDuration", 0, 1, None),
            ("ExpiryDate", "mm7:DateOrDuration", 0, 1, None),
            ("ReadReply", "xs:boolean", 0, 1, None),
            ("DeliveryReport", "xs:boolean", 0, 1, None),
            ("Content", "mm7:ContentReference", 0, 1, None),
            *CONTENT_EXTRAS,
        ],
    ),
    (
        "ExtendedReplaceRspBody",
        "MM7_extended_replace.RES: MessageID comes before Status here.",
        [
            VERSION,
            ("MessageID", "mm7:MessageIdString", 1, 1, None),
            ("Status", "mm7:ExtendedStatus", 1, 1, None),
        ],
    ),
    (
        "DeliveryReportReqBody",
        "MM7_delivery_report.REQ: the MMSC reports the delivery status of a submitted message.",
        [
            VERSION,
            RELAY_ID,
            ("MessageID", "mm7:MessageIdString", 1, 1, None),
            ("Recipient", "mm7:SingleAddress", 1, 1, None),
            ("Sender", "mm7:SingleAddress", 1, 1, None),
            ("Date", "xs:dateTime", 1, 1, None),
            ("MMStatus", "mm7:DeliveryStatusValue", 1, 1, None),
            ("MMStatusExtension", "mm7:StatusExtensionValue", 0, 1, "status_extension"),
            ("StatusText", "xs:string", 0, 1, None),
            *APPLIC,
            ("UACapabilities", "mm7:UaCapabilities", 0, 1, "ua_capabilities"),
        ],
    ),
    (
        "ReadReplyReqBody",
        "MM7_read_reply.REQ: the MMSC forwards a recipient's read report.",
        [
            VERSION,
            RELAY_ID,
            ("MessageID", "mm7:MessageIdString", 1, 1, None),
            ("Recipient", "mm7:SingleAddress", 1, 1, None),
            ("Sender", "mm7:SingleAddress", 1, 1, None),
            ("TimeStamp", "xs:dateTime", 1, 1, None),
            ("MMStatus", "mm7:ReadStatusValue", 1, 1, None),
            ("StatusText", "xs:string", 0, 1, None),
            *APPLIC,
        ],
    ),
    (
        "GenericRspBody",
        "The responses that carry nothing but a status: CancelRsp, ReplaceRsp, "
        "DeliveryReportRsp, ReadReplyRsp, and the RSErrorRsp/VASPErrorRsp that travel in a "
        "SOAP Fault's detail.",
        [
            VERSION,
            ("Status", "mm7:RequestStatus", 1, 1, None),
        ],
    ),
]

# Global (root) elements: (name, type, feature).
ROOTS = [
    ("SubmitReq", "SubmitReqBody", None),
    ("SubmitRsp", "SubmitRspBody", None),
    ("DeliverReq", "DeliverReqBody", None),
    ("DeliverRsp", "DeliverRspBody", None),
    ("CancelReq", "CancelReqBody", None),
    ("CancelRsp", "GenericRspBody", None),
    ("ReplaceReq", "ReplaceReqBody", None),
    ("ReplaceRsp", "GenericRspBody", None),
    ("extendedCancelReq", "ExtendedCancelReqBody", "extended_ops"),
    ("extendedCancelRsp", "ExtendedCancelRspBody", "extended_ops"),
    ("extendedReplaceReq", "ExtendedReplaceReqBody", "extended_ops"),
    ("extendedReplaceRsp", "ExtendedReplaceRspBody", "extended_ops"),
    ("DeliveryReportReq", "DeliveryReportReqBody", None),
    ("DeliveryReportRsp", "GenericRspBody", None),
    ("ReadReplyReq", "ReadReplyReqBody", None),
    ("ReadReplyRsp", "GenericRspBody", None),
    ("RSErrorRsp", "GenericRspBody", None),
    ("VASPErrorRsp", "GenericRspBody", None),
]

# Enumerations: name -> (documentation, [(value, feature)]).
ENUMS = {
    "MessageClassValue": (
        "Message class of a submitted message.",
        [(v, None) for v in ("Personal", "Informational", "Advertisement", "Auto")],
    ),
    "PriorityValue": ("Message priority.", [(v, None) for v in ("Normal", "High", "Low")]),
    "ChargedPartyValue": (
        "Who pays for a submitted message.",
        [(v, None) for v in ("Sender", "Recipient", "Both", "Neither")]
        + [("ThirdParty", "charged_party_id")],
    ),
    "DeliveryStatusValue": (
        "MMStatus of a delivery report. Strict on purpose: it checks what this project sends; "
        "the decoder keeps values real MMSCs send outside this list (NotSupported, "
        "Unreachable, Unrecognized...).",
        [
            (v, None)
            for v in (
                "Expired",
                "Retrieved",
                "Rejected",
                "Indeterminate",
                "Forwarded",
                "Unrecognised",
                "Deferred",
            )
        ]
        + [("DeliveryConditionNotMet", "delivery_condition")],
    ),
    "ReadStatusValue": (
        "MMStatus of a read reply.",
        [(v, None) for v in ("Indeterminate", "Read", "Deleted")],
    ),
    "StatusExtensionValue": (
        "Why a message was rejected (MMStatusExtension).",
        [(v, "status_extension") for v in ("RejectionByMMSRecipient", "RejectionByOtherRS")],
    ),
    "ContentClassValue": (
        "Content class of the message content.",
        [
            (v, "content_class")
            for v in (
                "text",
                "image-basic",
                "image-rich",
                "video-basic",
                "video-rich",
                "megapixel",
                "content-basic",
                "content-rich",
            )
        ],
    ),
    "ChannelValue": (
        "A delivery channel of PreferredChannels (DeliverUsing).",
        [(v, "preferred_channels") for v in ("SMS", "MMS", "WAPPUSH")],
    ),
    "AddressCodingValue": (
        "How an address value is hidden from the other party.",
        [(v, "address_coding") for v in ("encrypted", "obfuscated")],
    ),
}
