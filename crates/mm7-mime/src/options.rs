//! Parse limits and strictness.

/// Resource limits for parsing. Passing one is an [`Error`](crate::Error),
/// never a panic, a hang or an unbounded allocation.
///
/// ```
/// use mm7_mime::Limits;
/// let limits = Limits::default().with_max_parts(10).with_max_depth(2);
/// assert_eq!(limits.max_parts, 10);
/// assert_eq!(limits.max_header_block, 16 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Body parts allowed in one multipart (default 1000).
    pub max_parts: usize,
    /// Multipart levels allowed, the outermost counting as 1 (default 8).
    pub max_depth: usize,
    /// Bytes allowed in one header block, its terminating blank line included
    /// (default 16 KiB; values past `u32::MAX` count as `u32::MAX`).
    pub max_header_block: usize,
}

impl Limits {
    /// The defaults: 1000 parts, 8 levels, 16 KiB header blocks.
    pub const DEFAULT: Limits = Limits {
        max_parts: 1000,
        max_depth: 8,
        max_header_block: 16 * 1024,
    };

    /// Sets [`max_parts`](Self::max_parts).
    #[must_use]
    pub fn with_max_parts(mut self, max_parts: usize) -> Self {
        self.max_parts = max_parts;
        self
    }

    /// Sets [`max_depth`](Self::max_depth).
    #[must_use]
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets [`max_header_block`](Self::max_header_block).
    #[must_use]
    pub fn with_max_header_block(mut self, max_header_block: usize) -> Self {
        self.max_header_block = max_header_block;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How to parse: the [`Limits`] and whether to be strict.
///
/// Lenient (the default) accepts what real MMSCs and provider documents send
/// and reports a [`Warning`](crate::Warning) instead of failing: a missing close
/// delimiter, a part header block that ends without a blank line. Strict turns
/// those into errors. Limits apply in both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// The resource limits.
    pub limits: Limits,
    /// Fail instead of warning on recoverable syntax problems.
    pub strict: bool,
}

impl ParseOptions {
    /// Lenient parsing with default limits.
    pub fn lenient() -> Self {
        Self::default()
    }

    /// Strict parsing with default limits.
    pub fn strict() -> Self {
        Self {
            strict: true,
            ..Self::default()
        }
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
