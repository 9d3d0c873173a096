//! Arbitrary message → JSON → message is the identity, for every operation, and
//! JSON → model → JSON is the identity on what the model writes.
#![cfg(all(feature = "serde", feature = "proptest"))]

use mm7_model::{Envelope, Message, strategies};
use proptest::prelude::*;

fn json_round_trip<T>(value: &T) -> Result<(), TestCaseError>
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: T = serde_json::from_value(json.clone())
        .map_err(|e| TestCaseError::fail(format!("{e}\n{json:#}")))?;
    prop_assert_eq!(&back, value);
    let again = serde_json::to_value(&back).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(again, json);
    Ok(())
}

fn has_null(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.iter().any(has_null),
        serde_json::Value::Object(o) => o.values().any(has_null),
        _ => false,
    }
}

macro_rules! per_operation {
    ($($name:ident => $strategy:ident),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            $(
                #[test]
                fn $name(m in strategies::$strategy()) {
                    json_round_trip(&m)?;
                    json_round_trip(&Message::from(m))?;
                }
            )*
        }
    };
}

per_operation! {
    submit_req => submit_req,
    submit_rsp => submit_rsp,
    deliver_req => deliver_req,
    deliver_rsp => deliver_rsp,
    cancel_req => cancel_req,
    cancel_rsp => cancel_rsp,
    replace_req => replace_req,
    replace_rsp => replace_rsp,
    delivery_report_req => delivery_report_req,
    delivery_report_rsp => delivery_report_rsp,
    read_reply_req => read_reply_req,
    read_reply_rsp => read_reply_rsp,
    rs_error_rsp => rs_error_rsp,
    vasp_error_rsp => vasp_error_rsp,
    extended_cancel_req => extended_cancel_req,
    extended_cancel_rsp => extended_cancel_rsp,
    extended_replace_req => extended_replace_req,
    extended_replace_rsp => extended_replace_rsp,
    soap_fault => soap_fault,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn envelope_round_trip(env in strategies::envelope()) {
        json_round_trip(&env)?;
        let text = serde_json::to_string_pretty(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Envelope = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, env);
    }

    #[test]
    fn json_never_has_nulls(env in strategies::envelope()) {
        let v = serde_json::to_value(&env).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!has_null(&v), "{:#}", v);
    }

    #[test]
    fn parts_round_trip(p in strategies::part()) {
        json_round_trip(&p)?;
    }
}
