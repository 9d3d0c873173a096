//! [`message_struct!`]: one table per operation body gives its struct, the JSON view's names
//! and [`MessageElements`](crate::schema::MessageElements), so that the three cannot disagree.

#[cfg(feature = "serde")]
pub(crate) use absent::is_absent;

#[cfg(feature = "serde")]
mod absent {
    use crate::address::Recipients;
    use crate::version::Mm7Version;

    /// Whether the JSON view leaves a field out: the value of an element absent from the XML.
    pub(crate) trait Absent {
        /// `true` when the element is absent.
        fn is_absent(&self) -> bool;
    }

    impl<T> Absent for Option<T> {
        fn is_absent(&self) -> bool {
            self.is_none()
        }
    }

    impl<T> Absent for Vec<T> {
        fn is_absent(&self) -> bool {
            self.is_empty()
        }
    }

    impl Absent for Mm7Version {
        fn is_absent(&self) -> bool {
            self.is_empty()
        }
    }

    impl Absent for Recipients {
        fn is_absent(&self) -> bool {
            self.is_empty()
        }
    }

    /// The `skip_serializing_if` of every element the JSON view may omit.
    pub(crate) fn is_absent<T: Absent>(value: &T) -> bool {
        value.is_absent()
    }
}

/// Declares an operation body: `pub struct Name { rows }`, where `Name` is also the
/// [`Operation`](crate::schema::Operation) variant. `MM7Version` (`mm7_version`) comes first
/// in every body and is implied; each row is
///
/// ```text
/// /// doc
/// "ElementName" => kind field: Type,
/// ```
///
/// in schema order, `kind` being one of [`impl_elements!`](crate::schema::impl_elements)'s
/// or `id` (a required identifier such as `MessageID`, missing when empty). The kind also
/// gives the JSON view: `req` and `id` fields are always written and must be present; the
/// others default when missing and are left out when `None` or empty. The row
/// `..applic_ids,` stands for the REL-6 application addressing elements (`ApplicID`,
/// `ReplyApplicID`, `AuxApplicInfo`) with their usual documentation.
macro_rules! message_struct {
    (
        $(#[$attr:meta])*
        pub struct $name:ident { $($rows:tt)* }
    ) => {
        $crate::messages::declare::message_struct!(
            @rows [$(#[$attr])* $name] [] $($rows)*
        );
    };

    // Groups: their rows are put back in the input.
    (@rows $head:tt $done:tt ..applic_ids, $($rest:tt)*) => {
        $crate::messages::declare::message_struct!(@rows $head $done
            /// `ApplicID` (REL-6).
            "ApplicID" => opt applic_id: Option<String>,
            /// `ReplyApplicID` (REL-6).
            "ReplyApplicID" => opt reply_applic_id: Option<String>,
            /// `AuxApplicInfo` (REL-6).
            "AuxApplicInfo" => opt aux_applic_info: Option<String>,
            $($rest)*
        );
    };

    // The JSON view of each kind: present-always for `req` and `id`, omitted-when-absent
    // for the others.
    (@rows $head:tt [$($done:tt)*]
        $(#[$doc:meta])* $elem:literal => req $field:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::messages::declare::message_struct!(@rows $head
            [$($done)* {[$(#[$doc])*] [] $elem req $field $ty}] $($rest)*
        );
    };
    (@rows $head:tt [$($done:tt)*]
        $(#[$doc:meta])* $elem:literal => id $field:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::messages::declare::message_struct!(@rows $head
            [$($done)* {[$(#[$doc])*] [] $elem id $field $ty}] $($rest)*
        );
    };
    (@rows $head:tt [$($done:tt)*]
        $(#[$doc:meta])* $elem:literal => $kind:ident $field:ident: $ty:ty, $($rest:tt)*
    ) => {
        $crate::messages::declare::message_struct!(@rows $head
            [$($done)* {
                [$(#[$doc])*]
                [, default, skip_serializing_if = "crate::messages::declare::is_absent"]
                $elem $kind $field $ty
            }]
            $($rest)*
        );
    };

    (@rows [$(#[$attr:meta])* $name:ident] [$({
        [$(#[$doc:meta])*] [$($serde:tt)*] $elem:literal $kind:ident $field:ident $ty:ty
    })*]) => {
        $(#[$attr])*
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
        // Later schema versions add elements: a new field must not break a user's code.
        #[non_exhaustive]
        pub struct $name {
            /// `MM7Version`.
            #[cfg_attr(
                feature = "serde",
                serde(
                    rename = "MM7Version",
                    default,
                    skip_serializing_if = "crate::messages::declare::is_absent"
                )
            )]
            pub mm7_version: $crate::version::Mm7Version,
            $(
                $(#[$doc])*
                #[cfg_attr(feature = "serde", serde(rename = $elem $($serde)*))]
                pub $field: $ty,
            )*
        }

        $crate::schema::impl_elements!($name, $crate::schema::Operation::$name, {
            "MM7Version" => text mm7_version,
            $($elem => $kind $field,)*
        });
    };
}
pub(crate) use message_struct;
