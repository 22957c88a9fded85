//! Growable byte lists of many terms in one arena: the segment builder
//! appends each term's postings to a [`Chain`] of blocks that double in
//! size, carved from large pages, so a new term or a longer list costs no
//! allocation of its own and nothing is copied as a list grows.
//!
//! A block holds `cap` bytes of the list and then, once the list goes on,
//! the 8-byte address of the next block. Addresses are `page << PAGE_BITS |
//! offset`.

/// Pages of at most `1 << PAGE_BITS` bytes...
const PAGE_BITS: u32 = 20;
const PAGE: usize = 1 << PAGE_BITS;
/// ... the first of this many, each next one twice as large as the last.
const FIRST_PAGE: usize = 1 << 14;
/// The first block of a list holds this many bytes...
const FIRST_BLOCK: u32 = 8;
/// ... each next block twice as many, up to this.
const MAX_BLOCK: u32 = 1 << 15;
/// The bytes of a block's link to the next block.
const LINK: usize = 8;

/// Where one list lives in an [`Arena`]. The default is the empty list.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Chain {
    /// The address of the first block.
    head: u64,
    /// The address of the next byte to write.
    tail: u64,
    /// The bytes left in the current block.
    left: u32,
    /// The capacity of the current block (0: no block yet).
    cap: u32,
}

/// The pages the chains are carved from.
#[derive(Default)]
pub(super) struct Arena {
    pages: Vec<Box<[u8]>>,
    /// Bytes used in the last page.
    used: usize,
    /// The bytes of the pages.
    held: usize,
}

impl Arena {
    /// The memory the arena holds.
    #[cfg(test)]
    pub(super) fn heap(&self) -> usize {
        self.held
    }

    /// A new zeroed block of `n` bytes (at most a page); its address.
    fn alloc(&mut self, n: usize) -> u64 {
        if self.pages.last().is_none_or(|p| self.used + n > p.len()) {
            let size = (FIRST_PAGE << self.pages.len().min(8)).min(PAGE).max(n);
            self.pages.push(vec![0u8; size].into_boxed_slice());
            self.held += size;
            self.used = 0;
        }
        let addr = ((self.pages.len() as u64 - 1) << PAGE_BITS) | self.used as u64;
        self.used += n;
        addr
    }

    fn at(&mut self, addr: u64, n: usize) -> &mut [u8] {
        let off = (addr & (PAGE as u64 - 1)) as usize;
        &mut self.pages[(addr >> PAGE_BITS) as usize][off..off + n]
    }

    fn get(&self, addr: u64, n: usize) -> &[u8] {
        let off = (addr & (PAGE as u64 - 1)) as usize;
        &self.pages[(addr >> PAGE_BITS) as usize][off..off + n]
    }

    /// Appends `bytes` to the list `c`.
    pub(super) fn extend(&mut self, c: &mut Chain, mut bytes: &[u8]) {
        loop {
            if c.left == 0 {
                if bytes.is_empty() {
                    return;
                }
                // A first block, or the next one linked from the end of the full one.
                let cap = if c.cap == 0 {
                    FIRST_BLOCK
                } else {
                    (c.cap * 2).min(MAX_BLOCK)
                };
                let addr = self.alloc(cap as usize + LINK);
                if c.cap == 0 {
                    c.head = addr;
                } else {
                    self.at(c.tail, LINK).copy_from_slice(&addr.to_le_bytes());
                }
                (c.tail, c.left, c.cap) = (addr, cap, cap);
            }
            let n = bytes.len().min(c.left as usize);
            self.at(c.tail, n).copy_from_slice(&bytes[..n]);
            c.tail += n as u64;
            c.left -= n as u32;
            bytes = &bytes[n..];
            if bytes.is_empty() {
                return;
            }
        }
    }

    /// Appends the `len` bytes of the list `c` (all it holds) to `out`.
    pub(super) fn read(&self, c: &Chain, mut len: usize, out: &mut Vec<u8>) {
        let (mut addr, mut cap) = (c.head, FIRST_BLOCK as usize);
        while len > 0 {
            let n = len.min(cap);
            out.extend_from_slice(self.get(addr, n));
            len -= n;
            if len == 0 {
                return;
            }
            let link = self.get(addr + cap as u64, LINK);
            // A link is 8 bytes: the conversion cannot fail.
            addr = u64::from_le_bytes(link.try_into().unwrap_or([0; LINK]));
            cap = (cap * 2).min(MAX_BLOCK as usize);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Lists appended to in any interleaving read back as written.
        #[test]
        fn chains_read_back(writes in proptest::collection::vec((0usize..5, proptest::collection::vec(any::<u8>(), 0..300)), 0..200)) {
            let mut arena = Arena::default();
            let mut chains = [Chain::default(); 5];
            let mut want: Vec<Vec<u8>> = vec![Vec::new(); 5];
            for (i, bytes) in &writes {
                arena.extend(&mut chains[*i], bytes);
                want[*i].extend_from_slice(bytes);
            }
            for i in 0..5 {
                let mut got = Vec::new();
                arena.read(&chains[i], want[i].len(), &mut got);
                prop_assert_eq!(&got, &want[i]);
            }
        }
    }

    #[test]
    fn long_lists_span_pages() {
        let mut arena = Arena::default();
        let mut a = Chain::default();
        let mut b = Chain::default();
        let mut want = (Vec::new(), Vec::new());
        for i in 0..400_000u32 {
            let x = i.to_le_bytes();
            arena.extend(&mut a, &x[..=((i % 4) as usize)]);
            want.0.extend_from_slice(&x[..=((i % 4) as usize)]);
            if i % 3 == 0 {
                arena.extend(&mut b, &x);
                want.1.extend_from_slice(&x);
            }
        }
        assert!(arena.heap() > PAGE);
        let mut got = Vec::new();
        arena.read(&a, want.0.len(), &mut got);
        assert_eq!(got, want.0);
        got.clear();
        arena.read(&b, want.1.len(), &mut got);
        assert_eq!(got, want.1);
    }
}
