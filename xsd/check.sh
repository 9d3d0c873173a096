#!/usr/bin/env bash
# Checks the MM7 schemas with xmllint and exits non-zero on any surprise:
#   1. the generated schemas match generate.py (when python3 is available);
#   2. every xsd/samples/*.valid.xml validates and every *.invalid.xml is rejected
#      (rejected means xmllint's "invalid" status, not a schema that fails to compile);
#   3. for each release, a set of small envelopes checks the element order and which
#      release first has each element (the table in README.md);
#   4. a body element is rejected under another release's namespace.
# With MM7_OFFICIAL_XSD_DIR set, steps 2-4 run against the official 3GPP files instead
# (see validate.sh); a failure in step 3 then means this project's choice differs from 3GPP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
validate=$here/validate.sh
command -v xmllint >/dev/null || { echo "check.sh: xmllint not found (apt-get install libxml2-utils)" >&2; exit 2; }

RELEASES=(REL-5-MM7-1-0 REL-5-MM7-1-1 REL-5-MM7-1-2 REL-5-MM7-1-3 REL-5-MM7-1-4 REL-5-MM7-1-5
          REL-6-MM7-1-0 REL-6-MM7-1-1 REL-6-MM7-1-2 REL-6-MM7-1-3 REL-6-MM7-1-4)
NS_BASE=http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/
work=$(mktemp -d "${TMPDIR:-/tmp}/mm7-xsd-check-XXXXXX")
trap 'rm -rf "$work"' EXIT
checks=0
failures=0

fail() { failures=$((failures + 1)); printf 'FAIL %s\n' "$*"; }

# validity FILE ID -> prints "valid", "invalid" or "error:<status>" and never fails.
validity() {
    local rc=0
    "$validate" "$1" "$2" >"$work/last.log" 2>&1 || rc=$?
    case $rc in
        0) echo valid ;;
        3 | 4) echo invalid ;;
        *) echo "error:$rc" ;;
    esac
}

echo "== schemas: ${MM7_OFFICIAL_XSD_DIR:-$here} =="

echo "== generated files =="
if [ -n "${MM7_OFFICIAL_XSD_DIR:-}" ]; then
    echo "skipped (official schemas in use)"
elif command -v python3 >/dev/null; then
    checks=$((checks + 1))
    if python3 "$here/generate.py" --check; then echo "ok"; else fail "generate.py --check"; fi
else
    echo "skipped (no python3)"
fi

echo "== samples =="
for file in "$here"/samples/*.xml; do
    name=${file##*/}
    case $name in
        *.valid.xml) want=valid ;;
        *.invalid.xml) want=invalid ;;
        *) fail "$name: name must end in .valid.xml or .invalid.xml"; continue ;;
    esac
    checks=$((checks + 1))
    id=$(grep -o -m 1 'schema/REL-[56]-MM7-1-[0-9]' "$file" || true)
    id=${id%%$'\n'*}
    id=${id#schema/}
    [ -n "$id" ] || { fail "$name: no MM7 namespace in the file"; continue; }
    got=$(validity "$file" "$id")
    if [ "$got" = "$want" ]; then
        printf 'ok   %-50s %-14s %s\n' "$name" "$id" "$got"
    else
        fail "$name ($id): expected $want, got $got"
        sed 's/^/       /' "$work/last.log"
    fi
done

# envelope NS BODY -> a SOAP envelope with a TransactionID header, BODY's @NS@ set to NS.
envelope() {
    cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
<env:Header><TransactionID xmlns="$1" env:mustUnderstand="1">check</TransactionID></env:Header>
<env:Body>${2//@NS@/$1}</env:Body>
</env:Envelope>
EOF
}

# submit AFTER_CHARGED_PARTY AFTER_DISTRIBUTION_INDICATOR BEFORE_CONTENT
submit() {
    printf '%s' '<SubmitReq xmlns="@NS@"><MM7Version>5.3.0</MM7Version>' \
        '<SenderIdentification><VASPID>v</VASPID></SenderIdentification>' \
        '<Recipients><To><Number>+15550100</Number></To></Recipients>' \
        '<Priority>Normal</Priority><Subject>s</Subject><ChargedParty>Sender</ChargedParty>' \
        "$1" '<DistributionIndicator>false</DistributionIndicator>' "$2" "$3" \
        '<Content href="cid:c"/></SubmitReq>'
}

ADDR='<Recipient><Number>+15550100</Number></Recipient><Sender><ShortCode>1234</ShortCode></Sender>'
DELIVERY_REPORT_HEAD="<DeliveryReportReq xmlns=\"@NS@\"><MM7Version>6.3.0</MM7Version><MessageID>m</MessageID>$ADDR<Date>2024-01-01T00:00:00Z</Date><MMStatus>Rejected</MMStatus>"
DELIVER_HEAD='<DeliverReq xmlns="@NS@"><MM7Version>6.3.0</MM7Version>'
DELIVER_TAIL='<Sender><Number>+15550100</Number></Sender><Subject>s</Subject>'
FAULT='<env:Fault><faultcode>env:Server</faultcode><faultstring>Server error</faultstring><detail><RSErrorRsp xmlns="@NS@"><MM7Version>5.3.0</MM7Version><Status><StatusCode>3000</StatusCode><StatusText>Server error</StatusText></Status></RSErrorRsp></detail></env:Fault>'

# Rows: label | first release that accepts it ("all", "none" or an id) | body
CASES=(
    "SubmitReq in schema order|all|$(submit '' '' '')"
    "SubmitReq, Subject before Priority|none|$(submit '' '' '' | sed 's#<Priority>Normal</Priority><Subject>s</Subject>#<Subject>s</Subject><Priority>Normal</Priority>#')"
    "SubmitReq, Content before DistributionIndicator|none|$(submit '' '' '' | sed 's#\(<DistributionIndicator>false</DistributionIndicator>\)\(<Content href="cid:c"/>\)#\2\1#')"
    "SubmitReq + ChargedPartyID|REL-6-MM7-1-0|$(submit '<ChargedPartyID>+15550199</ChargedPartyID>' '' '')"
    "SubmitReq ChargedParty=ThirdParty|REL-6-MM7-1-0|$(submit '' '' '' | sed 's#<ChargedParty>Sender#<ChargedParty>ThirdParty#')"
    "SubmitReq + DeliveryCondition|REL-6-MM7-1-1|$(submit '' '<DeliveryCondition><DC>1</DC></DeliveryCondition>' '')"
    "SubmitReq + ApplicID/ReplyApplicID/AuxApplicInfo|REL-6-MM7-1-2|$(submit '' '<ApplicID>a</ApplicID><ReplyApplicID>r</ReplyApplicID><AuxApplicInfo>x</AuxApplicInfo>' '')"
    "SubmitReq + ContentClass/DRMContent|REL-6-MM7-1-3|$(submit '' '' '<ContentClass>text</ContentClass><DRMContent>false</DRMContent>')"
    "SubmitReq + PreferredChannels|REL-6-MM7-1-4|$(submit '' '' '' | sed 's#</Recipients>#&<PreferredChannels><DeliverUsing>MMS</DeliverUsing><DeliverUsing>SMS</DeliverUsing></PreferredChannels>#')"
    "SubmitReq + ThirdPartyPayer|REL-6-MM7-1-4|$(submit '<ThirdPartyPayer><Number>+15550199</Number></ThirdPartyPayer>' '' '')"
    "SubmitReq + AdditionalInformation/MessageExtraData|REL-6-MM7-1-4|$(submit '' '' '' | sed 's#<Content href="cid:c"/>#&<AdditionalInformation href="cid:a"/><AdditionalInformation href="cid:b"/><MessageExtraData><element><key>k</key><value>v</value></element></MessageExtraData>#')"
    "SubmitReq, MessageExtraData before Content|none|$(submit '' '' '' | sed 's#<Content href="cid:c"/>#<MessageExtraData><element><key>k</key><value>v</value></element></MessageExtraData>&#')"
    "SubmitReq + Number addressCoding|REL-6-MM7-1-0|$(submit '' '' '' | sed 's#<Number>+15550100#<Number addressCoding="encrypted">+15550100#')"
    "DeliveryReportReq + MMStatusExtension|REL-6-MM7-1-0|${DELIVERY_REPORT_HEAD}<MMStatusExtension>RejectionByOtherRS</MMStatusExtension></DeliveryReportReq>"
    "DeliveryReportReq MMStatus=DeliveryConditionNotMet|REL-6-MM7-1-1|${DELIVERY_REPORT_HEAD/Rejected/DeliveryConditionNotMet}</DeliveryReportReq>"
    "DeliverReq + UACapabilities|REL-6-MM7-1-1|${DELIVER_HEAD}${DELIVER_TAIL}<UACapabilities UAProf=\"http://example.com/p.xml\"/></DeliverReq>"
    "DeliverReq + VASPID/VASID|REL-6-MM7-1-4|${DELIVER_HEAD}<VASPID>v</VASPID><VASID>s</VASID>${DELIVER_TAIL}</DeliverReq>"
    "DeliverReq + AdditionalInformation|REL-6-MM7-1-4|${DELIVER_HEAD}${DELIVER_TAIL}<Content href=\"cid:c\"/><AdditionalInformation href=\"cid:a\"/></DeliverReq>"
    "CancelReq + Recipients|REL-6-MM7-1-4|<CancelReq xmlns=\"@NS@\"><MM7Version>6.8.0</MM7Version><SenderIdentification/><MessageID>m</MessageID><Recipients><To><Number>+15550100</Number></To></Recipients></CancelReq>"
    "extendedCancelReq|REL-6-MM7-1-4|<extendedCancelReq xmlns=\"@NS@\"><MM7Version>6.8.0</MM7Version><SenderIdentification><VASPID>v</VASPID></SenderIdentification><CancelID>m</CancelID></extendedCancelReq>"
    "extendedCancelRsp|REL-6-MM7-1-4|<extendedCancelRsp xmlns=\"@NS@\"><MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode></Status></extendedCancelRsp>"
    "RSErrorRsp in a Fault|all|$FAULT"
)

index_of() {
    local i
    for i in "${!RELEASES[@]}"; do [ "${RELEASES[$i]}" = "$1" ] && { echo "$i"; return; }; done
    echo "check.sh: unknown release $1" >&2
    exit 2
}

echo "== releases (+ accepted, - rejected; columns ${RELEASES[0]} .. ${RELEASES[10]}) =="
for row in "${CASES[@]}"; do
    label=${row%%|*}
    rest=${row#*|}
    first=${rest%%|*}
    body=${rest#*|}
    case $first in
        all) from=0 ;;
        none) from=${#RELEASES[@]} ;;
        *) from=$(index_of "$first") ;;
    esac
    marks=""
    bad=""
    for i in "${!RELEASES[@]}"; do
        id=${RELEASES[$i]}
        envelope "$NS_BASE$id" "$body" >"$work/case.xml"
        checks=$((checks + 1))
        got=$(validity "$work/case.xml" "$id")
        if [ "$i" -ge "$from" ]; then want=valid; else want=invalid; fi
        if [ "$got" = valid ]; then marks+="+"; else marks+="-"; fi
        if [ "$got" != "$want" ]; then
            bad+=" $id($got)"
            cp "$work/last.log" "$work/mismatch.log"
        fi
    done
    if [ -z "$bad" ]; then
        printf 'ok   %s  %s\n' "$marks" "$label"
    else
        fail "$marks  $label: unexpected result for$bad"
        sed 's/^/       /' "$work/mismatch.log"
    fi
done

echo "== namespaces =="
checks=$((checks + 1))
got=$(validity "$here/samples/rel6-submit-req.valid.xml" REL-5-MM7-1-0)
if [ "$got" = invalid ]; then
    echo "ok   a REL-6-MM7-1-4 SubmitReq is rejected by the REL-5-MM7-1-0 envelope schema"
else
    fail "a REL-6-MM7-1-4 SubmitReq under REL-5-MM7-1-0: expected invalid, got $got"
fi

echo "== $checks checks, $failures failed =="
[ "$failures" -eq 0 ]
