//! [`decode_body!`]: an operation's decoder declared as a table of its children, so that the
//! reading of the events, the duplicate and unknown element handling and the required checks
//! are written once.

/// Declares `fn name(walker, cx, root, m: &mut Type) -> Result<(), Stop>`, the decoder of the
/// body `Type`, reading the content of the operation element `root` from the walker into `m`
/// (a default `Type` where it will stay: a message is large, and one built here and returned
/// would be copied on each step of its way into the caller's slot).
///
/// It reads the children of `root` once, in document order, dispatching on the local name
/// (`MM7Version` is implied; an element not in the table is skipped with a warning), then
/// sets the fields of `m` from the values in the order of the table and checks what the
/// model's table requires. On an error `m` is left partly set, for the caller to drop. Each
/// row is `"Element" => kind field: how read`, where `read` reads one element (a `Cx` method
/// or a closure), `how` says what it reads it from (`text`: a
/// [`Leaf`](super::stream::Leaf), for text-only elements; `tree`: a tree of the element, for
/// structured ones; `stream`: the walker itself, for the structured elements read from the
/// events, whose `read` is a `Walker` method; `status`: a response's `Status`, whose `read` is
/// the operation), and `kind` is one of
///
/// * `opt`: at most once, the first kept and the others reported and skipped (as
///   [`Cx::once`]);
/// * `id`: a required identifier, read as `opt`; absent, it is empty and the check of
///   required elements refuses it;
/// * `req`: required, read as `opt`; absent, it is refused with [`Failure::missing`];
/// * `vec`: repeatable, every one kept;
/// * `recipients`: `Recipients`, whose lists concatenate (no `how` and `read`).
///
/// [`Cx::once`]: super::Cx::once
/// [`Failure::missing`]: super::Failure::missing
macro_rules! decode_body {
    (
        $(#[$doc:meta])*
        fn $name:ident -> $ty:ident {
            $($elem:literal => $kind:ident $field:ident $(: $how:ident $read:expr)?,)*
        }
    ) => {
        $(#[$doc])*
        pub(super) fn $name<'a>(
            w: &mut $crate::decode::stream::Walker<'_, 'a>,
            cx: &mut $crate::decode::Cx<'_, '_>,
            root: $crate::xml::Element<'a>,
            m: &mut $ty,
        ) -> Result<(), $crate::decode::stream::Stop> {
            let mut mm7_version = mm7_model::Mm7Version::default();
            $(let mut $field = $crate::decode::body::decode_body!(@init $kind);)*
            let mut own = None;
            while let Some(c) = w.next_child(&mut own)? {
                match c.local {
                    "MM7Version" => w.version(cx, &mut mm7_version, c)?,
                    $($elem => {
                        $crate::decode::body::decode_body!(
                            @read $kind w cx c $field $($how $read)?
                        )
                    })*
                    _ => {
                        cx.unknown(c, root);
                        w.skip()?;
                    }
                }
            }
            // The model's structs are `#[non_exhaustive]`: filled in field by field.
            m.mm7_version = mm7_version;
            $(m.$field = $crate::decode::body::decode_body!(@take $kind $field $elem root);)*
            cx.check_required(m, root)?;
            Ok(())
        }
    };

    (@init vec) => { Vec::new() };
    (@init recipients) => { mm7_model::Recipients::default() };
    (@init $kind:ident) => { None };

    (@value text $w:ident $cx:ident $c:ident $read:expr) => {{
        let leaf = $w.leaf($c)?;
        ($read)($cx, &leaf)?
    }};
    (@value stream $w:ident $cx:ident $c:ident $read:expr) => {
        ($read)($w, $cx, $c)?
    };
    (@value status $w:ident $cx:ident $c:ident $op:expr) => {
        $w.status($cx, $c, $op)?
    };
    (@value tree $w:ident $cx:ident $c:ident $read:expr) => {{
        let node = $w.subtree($c)?;
        ($read)($cx, node)?
    }};

    (@read vec $w:ident $cx:ident $c:ident $field:ident $how:ident $read:expr) => {
        $field.push($crate::decode::body::decode_body!(@value $how $w $cx $c $read))
    };
    (@read recipients $w:ident $cx:ident $c:ident $field:ident) => {
        $w.recipients($cx, $c, &mut $field)?
    };
    (@read $kind:ident $w:ident $cx:ident $c:ident $field:ident $how:ident $read:expr) => {
        if $field.is_some() {
            $cx.lenient($c, format_args!("repeated <{}> ignored", $c.local));
            $w.skip()?;
        } else {
            $field = Some($crate::decode::body::decode_body!(@value $how $w $cx $c $read));
        }
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
