#!/usr/bin/env bash
# Validates one MM7 document (a whole SOAP envelope, or a bare MM7 body element such as
# SubmitReq) against the schema of one MM7 release, with xmllint.
#
#   xsd/validate.sh FILE [ID]
#
# ID is a schema release id such as REL-6-MM7-1-4; without it, the first MM7 namespace found
# in FILE decides. The schemas are this project's (xsd/<ID>.xsd), or the official 3GPP files
# when MM7_OFFICIAL_XSD_DIR names a folder holding them as <ID>.xsd.
#
# Exit status is xmllint's: 0 valid, 3 or 4 invalid, 5 schema could not be compiled;
# 64 for a usage error of this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { echo "usage: $0 FILE [REL-5-MM7-1-0 .. REL-6-MM7-1-4]" >&2; exit 64; }

[ $# -ge 1 ] && [ $# -le 2 ] || usage
file=$1
[ -f "$file" ] || { echo "$0: no such file: $file" >&2; exit 64; }
command -v xmllint >/dev/null || { echo "$0: xmllint not found (apt-get install libxml2-utils)" >&2; exit 64; }

if [ $# -eq 2 ]; then
    id=$2
else
    # No `| head` here: with pipefail, grep killed by SIGPIPE would fail the script.
    id=$(grep -o -m 1 'schema/REL-[56]-MM7-1-[0-9]' "$file" || true)
    id=${id%%$'\n'*}
    id=${id#schema/}
    [ -n "$id" ] || { echo "$0: no MM7 namespace in $file; give the release id" >&2; exit 64; }
fi
case $id in
    REL-5-MM7-1-[0-5] | REL-6-MM7-1-[0-4]) ;;
    *) echo "$0: unknown release id: $id" >&2; exit 64 ;;
esac

if [ -z "${MM7_OFFICIAL_XSD_DIR:-}" ]; then
    exec xmllint --noout --nonet --schema "$here/envelope-$id.xsd" "$file"
fi

official=$(cd "$MM7_OFFICIAL_XSD_DIR" && pwd)/$id.xsd
[ -f "$official" ] || { echo "$0: $official not found (MM7_OFFICIAL_XSD_DIR)" >&2; exit 64; }
# Same wrapper as xsd/envelope-<ID>.xsd, pointing at the official file. The local SOAP schema
# is imported first, so an official schema's own import of the SOAP namespace (a network
# location) is skipped by libxml2 instead of fetched.
wrapper=$(mktemp "${TMPDIR:-/tmp}/mm7-envelope-XXXXXX.xsd")
trap 'rm -f "$wrapper"' EXIT
cat >"$wrapper" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://schemas.xmlsoap.org/soap/envelope/" schemaLocation="$here/soap-envelope.xsd"/>
  <xs:import namespace="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/$id" schemaLocation="$official"/>
</xs:schema>
EOF
rc=0
xmllint --noout --nonet --schema "$wrapper" "$file" || rc=$?
exit "$rc"
