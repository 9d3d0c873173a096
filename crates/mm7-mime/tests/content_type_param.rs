//! `Part::content_type_param` reads one parameter from the raw header without parsing the
//! whole Content-Type; it must give what the full parse gives (`content_type().param(name)`),
//! whatever the value: repeated names, names in any case, quoted values with escapes and
//! semicolons, RFC 2231 sections, garbage entries, folded values, no or a broken media type.

use bytes::Bytes;
use mm7_mime::Multipart;
use proptest::prelude::*;

/// One `; name=value` entry (or garbage) of a Content-Type value.
fn entry() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "charset",
        "CharSet",
        "name",
        "type",
        "start",
        "x",
        "charset*",
        "charset*0",
        "charset*1*",
        "name*",
    ]);
    let value = prop::sample::select(vec![
        "utf-8",
        "\"UTF-8\"",
        "\"a;b\"",
        "\"a\\\"b\"",
        "utf-8''%41b",
        "\"\"",
        "us-ascii ",
        "\"unterminated",
    ]);
    prop_oneof![
        4 => (name, value).prop_map(|(n, v)| format!("; {n}={v}")),
        1 => prop::sample::select(vec![";", "; junk", "; =x", "\r\n\t; a=1", ";;"])
            .prop_map(str::to_owned),
    ]
}

fn content_type() -> impl Strategy<Value = String> {
    let media = prop::sample::select(vec!["text/xml", " Text/XML", "text", "", "é/x"]);
    (media, prop::collection::vec(entry(), 0..5)).prop_map(|(m, e)| format!("{m}{}", e.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn one_parameter_read_from_the_header_is_the_full_parse(
        value in content_type(),
        wanted in prop::sample::select(vec!["charset", "CHARSET", "name", "type", "x", "none"]),
    ) {
        let body = format!("--b\r\nContent-Type: {value}\r\n\r\nx\r\n--b--\r\n");
        let multipart = Multipart::parse(Bytes::from(body), "multipart/mixed; boundary=b")
            .expect("one part");
        let part = &multipart.parts()[0];
        // Before the Content-Type is parsed (the header is read), then after (the parse is
        // used): both as the full parse.
        let first = part.content_type_param(wanted).map(|v| v.into_owned());
        let full = part.content_type().param(wanted).map(str::to_owned);
        let after = part.content_type_param(wanted).map(|v| v.into_owned());
        prop_assert_eq!(&first, &full, "{:?}", value);
        prop_assert_eq!(&after, &full);
    }
}
