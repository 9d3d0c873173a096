//! A small vector: its first `N` entries live inline, more move it to the heap.
//!
//! The reader keeps three stacks (open elements, namespace bindings, the attributes of the
//! current start tag). An MM7 envelope nests six deep and declares a namespace or two, so
//! inline storage makes reading one allocation-free; a document past `N` still reads, on the
//! heap.

/// See the module documentation. `T: Copy` keeps it free of unsafe code: the inline slots are
/// filled with a placeholder value instead of left uninitialised.
#[derive(Debug, Clone)]
pub(crate) struct InlineVec<T: Copy, const N: usize> {
    inline: [T; N],
    len: usize,
    heap: Vec<T>,
    spilled: bool,
}

impl<T: Copy, const N: usize> InlineVec<T, N> {
    /// An empty vector; `fill` occupies the unused inline slots.
    pub(crate) fn new(fill: T) -> Self {
        InlineVec {
            inline: [fill; N],
            len: 0,
            heap: Vec::new(),
            spilled: false,
        }
    }

    /// Pushes the entry `make` returns, made where it is stored. An entry passed by value
    /// (`push(entry)`) was built on the stack field by field and then copied into its slot
    /// in wider moves, and on the reader's path those copies waited for the stores just made
    /// (a store-to-load forwarding stall per push, invisible in instruction counts).
    #[inline(always)]
    pub(crate) fn push_with(&mut self, make: impl FnOnce() -> T) {
        if !self.spilled
            && let Some(slot) = self.inline.get_mut(self.len)
        {
            *slot = make();
            self.len += 1;
            return;
        }
        self.push_heap(make());
    }

    /// [`push_with`](Self::push_with) past the inline slots, kept out of the reader's loop.
    #[cold]
    #[inline(never)]
    fn push_heap(&mut self, value: T) {
        if !self.spilled {
            self.heap.clear();
            self.heap.reserve(N * 2);
            self.heap.extend_from_slice(&self.inline);
            self.spilled = true;
        }
        self.heap.push(value);
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.spilled {
            return self.heap.pop();
        }
        self.len = self.len.checked_sub(1)?;
        self.inline.get(self.len).copied()
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        if self.spilled {
            &self.heap
        } else {
            self.inline.get(..self.len).unwrap_or(&[])
        }
    }

    #[inline]
    pub(crate) fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        if self.spilled {
            self.heap.len()
        } else {
            self.len
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Empties the vector; storage already on the heap is kept for reuse.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.heap.clear();
        self.spilled = false;
    }
}

#[cfg(test)]
mod tests {
    use super::InlineVec;

    #[test]
    fn spills_to_the_heap_and_back() {
        let mut v: InlineVec<u32, 2> = InlineVec::new(0);
        assert!(v.is_empty());
        v.push_with(|| 1);
        v.push_with(|| 2);
        assert_eq!(v.as_slice(), [1, 2]);
        v.push_with(|| 3);
        assert_eq!(v.as_slice(), [1, 2, 3]);
        assert_eq!(v.len(), 3);
        assert_eq!(v.last(), Some(&3));
        assert_eq!(v.pop(), Some(3));
        assert_eq!(v.pop(), Some(2));
        assert_eq!(v.pop(), Some(1));
        assert_eq!(v.pop(), None);
        v.clear();
        v.push_with(|| 7);
        assert_eq!(v.as_slice(), [7]);
        assert_eq!(v.pop(), Some(7));
        assert_eq!(v.pop(), None);
    }
}
