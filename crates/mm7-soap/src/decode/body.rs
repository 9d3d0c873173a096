//! [`decode_body!`]: an operation's decoder declared as a table of its children, so that the
//! walk, the duplicate and unknown element handling and the required checks are written once.

/// Declares `fn name(cx, root) -> Result<Type, Failure>`, the decoder of the body `Type`.
///
/// It walks the children of `root` once, in document order, dispatching on the local name
/// (`MM7Version` is implied; an element not in the table is skipped with a warning), then
/// builds `Type` from the values in the order of the table and checks what the model's
/// table requires. Each row is `"Element" => kind field: read`, where `read` reads one
/// element (a `Cx` method or a closure) and `kind` is one of
///
/// * `opt`: at most once, the first kept and the others reported ([`Cx::once`]);
/// * `id`: a required identifier, read as `opt`; absent, it is empty and the check of
///   required elements refuses it;
/// * `req`: required, read as `opt`; absent, it is refused at once with
///   [`Failure::missing`];
/// * `vec`: repeatable, every one kept;
/// * `recipients`: `Recipients`, whose lists concatenate (no `read`).
///
/// [`Cx::once`]: super::Cx::once
/// [`Failure::missing`]: super::Failure::missing
macro_rules! decode_body {
    (
        $(#[$doc:meta])*
        fn $name:ident -> $ty:ident {
            $($elem:literal => $kind:ident $field:ident $(: $read:expr)?,)*
        }
    ) => {
        $(#[$doc])*
        pub(super) fn $name(
            cx: &mut $crate::decode::Cx<'_, '_>,
            root: $crate::decode::Node<'_, '_>,
        ) -> Result<$ty, $crate::decode::Failure> {
            let mut mm7_version = mm7_model::Mm7Version::default();
            $(let mut $field = $crate::decode::body::decode_body!(@init $kind);)*
            for c in root.children() {
                match c.local() {
                    "MM7Version" => cx.version(&mut mm7_version, c),
                    $($elem => {
                        $crate::decode::body::decode_body!(@read $kind cx c $field $($read)?)
                    })*
                    _ => cx.unknown(c, root),
                }
            }
            // The model's structs are `#[non_exhaustive]`: filled in field by field.
            let mut m = $ty::default();
            m.mm7_version = mm7_version;
            $(m.$field = $crate::decode::body::decode_body!(@take $kind $field $elem root);)*
            cx.check_required(&m, root)?;
            Ok(m)
        }
    };

    (@init vec) => { Vec::new() };
    (@init recipients) => { mm7_model::Recipients::default() };
    (@init $kind:ident) => { None };

    (@read vec $cx:ident $c:ident $field:ident $read:expr) => {
        $field.push(($read)($cx, $c)?)
    };
    (@read recipients $cx:ident $c:ident $field:ident) => { $cx.recipients($c, &mut $field)? };
    (@read $kind:ident $cx:ident $c:ident $field:ident $read:expr) => {
        $cx.once(&mut $field, $c, $read)?
    };

    (@take id $field:ident $elem:literal $root:ident) => { $field.unwrap_or_default() };
    (@take req $field:ident $elem:literal $root:ident) => {
        $field.ok_or_else(|| $crate::decode::Failure::missing($elem, $root))?
    };
    (@take opt $field:ident $elem:literal $root:ident) => { $field };
    (@take vec $field:ident $elem:literal $root:ident) => { $field };
    (@take recipients $field:ident $elem:literal $root:ident) => { $field };
}
pub(super) use decode_body;
