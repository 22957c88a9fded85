//! Building a segment in memory from analyzed docs added in local-id order,
//! then writing it as one streamed, fsynced file.

use std::borrow::Cow;
use std::path::Path;

use super::arena::{Arena, Chain};
use super::blockmax::BlockMaxWriter;
use super::blocks::{block_index, put_info, BlockStream};
use super::intern::Interner;
use super::stemdf;
use super::stored::{StoredDoc, StoredWriter};
use super::{
    heap, section, BLOCK_MAXIMA, NUM_SECTIONS, SEGMENT_MAGIC, STEM_UNIONS, STORED_DATA,
    STORED_INDEX,
};
use crate::analysis::{analyze_fields, stem_changed, stem_key_with, FieldTokens};
use crate::container::ContainerWriter;
use crate::error::{Error, Result};
use crate::postings::{put_positions, put_posting, stem_entries_by, ByteReader};

use crate::schema::Field;
use crate::spec::Spec;
use rayon::prelude::*;

/// One analyzed file, ready for a [`SegmentBuilder`].
#[derive(Debug)]
pub(crate) struct DiskDoc {
    /// Its stored fields.
    pub(crate) stored: StoredDoc,
    /// Its analyzed fields, in schema order.
    pub(crate) fields: [FieldTokens; 6],
}

impl DiskDoc {
    /// Analyzes a parsed spec.
    pub(crate) fn new(stored: StoredDoc, spec: &Spec) -> DiskDoc {
        DiskDoc {
            stored,
            fields: analyze_fields(spec),
        }
    }
}

/// An `fst` builder's error as an [`Error::Io`] about the file written
/// (`map_err(fst_error(path))`): a full disk says so, and names the file.
pub(super) fn fst_error(path: &Path) -> impl Fn(fst::Error) -> Error + '_ {
    move |e| match e {
        fst::Error::Io(source) => Error::io(path, source),
        other @ fst::Error::Fst(_) => Error::io(path, std::io::Error::other(other.to_string())),
    }
}

/// Writes a field's stem map (section `7f + 5`) from sorted entries.
pub(super) fn write_stems(
    w: &mut ContainerWriter,
    f: Field,
    entries: &[(Vec<u8>, u64)],
) -> Result<()> {
    w.begin(section(f, 5))?;
    let path = w.path().to_path_buf();
    let mut b = fst::MapBuilder::new(&mut *w).map_err(fst_error(&path))?;
    for (k, v) in entries {
        b.insert(k, *v).map_err(fst_error(&path))?;
    }
    b.finish().map_err(fst_error(&path))?;
    w.end();
    Ok(())
}

/// What the builder keeps per term of a field.
#[derive(Default)]
struct TermState {
    /// Its postings and positions, interleaved doc by doc: the posting,
    /// then its positions.
    list: Chain,
    /// Bytes of postings and of positions in `list`.
    post_len: u32,
    pos_len: u32,
    /// The last doc added and the number of docs.
    last: u32,
    df: u32,
}

#[derive(Default)]
struct FieldBuilder {
    terms: Interner<()>,
    /// Each term's state, by id (kept out of the table, whose slots stay
    /// small: it is twice as large while it grows).
    states: Vec<TermState>,
    arena: Arena,
    lengths: Vec<u32>,
}

/// The builder's memory estimate, which decides where a range's segments
/// are cut (and so which files an update writes): it is the heap the
/// builder held before terms were interned, one hash map of boxed terms and
/// two growing vectors per term, and stays that so the files stay the same.
/// It is above what the builder holds now.
mod model {
    use super::super::heap;

    /// `size_of::<(Box<str>, u32)>()`: a term map entry.
    const MAP_ENTRY: usize = 24;
    /// `size_of` of a term's two vectors, last doc and doc count.
    const TERM_BUF: usize = 56;

    /// The capacity of a `Vec` grown by pushes to `len` items (the
    /// smallest non-zero capacity is `min`).
    pub(super) fn vec_capacity(len: usize, min: usize) -> usize {
        if len == 0 {
            0
        } else {
            len.next_power_of_two().max(min)
        }
    }

    /// Whether a byte vector grown by pushes from `was` to `now` bytes
    /// (`was < now`) has a new capacity ([`vec_capacity`] with 8): the
    /// highest bit of `now - 1` is above that of `was - 1` (or of 7).
    #[inline]
    pub(super) fn grows(was: u32, now: u32) -> bool {
        was == 0 || (now - 1).leading_zeros() < (was.max(8) - 1).leading_zeros()
    }

    /// The capacity of a standard `HashMap` of term map entries after `len`
    /// inserts (no removals).
    pub(super) fn map_capacity(len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        // 4 buckets hold 3 entries, 8 hold 7, then 7 in 8 of the buckets.
        let mut buckets = 4usize;
        loop {
            let cap = if buckets < 8 {
                buckets - 1
            } else {
                buckets / 8 * 7
            };
            if cap >= len {
                return cap;
            }
            buckets *= 2;
        }
    }

    /// The heap of a term's text and of its postings and positions
    /// vectors, holding `post` and `pos` bytes.
    pub(super) fn term_lists(post: u32, pos: u32) -> usize {
        heap(vec_capacity(post as usize, 8)) + heap(vec_capacity(pos as usize, 8))
    }

    /// The heap of a field's term map and term vector with `terms` terms.
    pub(super) fn field(terms: usize) -> usize {
        heap(map_capacity(terms) * (MAP_ENTRY + 1)) + heap(vec_capacity(terms, 4) * TERM_BUF)
    }
}

/// Builds a segment in memory from docs added in local-id order.
#[derive(Default)]
pub(crate) struct SegmentBuilder {
    fields: [FieldBuilder; 6],
    /// The compressed stored blocks written so far.
    stored: Vec<u8>,
    stored_w: StoredWriter,
    num_docs: u32,
    /// The estimate's heap bytes of the term texts and lists (see [`model`]).
    term_heap: usize,
    /// Scratch space for one posting and its positions.
    scratch: Vec<u8>,
}

impl SegmentBuilder {
    /// The number of docs added.
    pub(crate) fn num_docs(&self) -> u32 {
        self.num_docs
    }

    /// The builder's memory estimate (see [`model`]), which cuts segments.
    pub(crate) fn estimated_bytes(&self) -> usize {
        let mut n = self.term_heap + heap(self.stored.capacity()) + self.stored_w.heap();
        for fb in &self.fields {
            n += model::field(fb.terms.len()) + heap(fb.lengths.capacity() * 4);
        }
        n
    }

    /// The memory the builder holds.
    #[cfg(test)]
    fn held_bytes(&self) -> usize {
        let mut n = self.stored.capacity() + self.stored_w.heap() + self.scratch.capacity();
        for fb in &self.fields {
            n += fb.terms.heap() + fb.arena.heap() + fb.lengths.capacity() * 4;
        }
        n
    }

    /// Adds a doc; returns its local id.
    pub(crate) fn add(&mut self, doc: DiskDoc) -> u32 {
        let local = self.num_docs;
        if let Some(block) = self.stored_w.push(|out| doc.stored.encode(out)) {
            self.stored.extend_from_slice(&block);
        }
        let scratch = &mut self.scratch;
        for (fb, ft) in self.fields.iter_mut().zip(doc.fields) {
            fb.lengths.push(ft.length);
            let mut prox_at = 0usize;
            for (term, tf) in ft.terms() {
                let (id, (), new) = fb.terms.intern(term);
                if new {
                    self.term_heap += heap(term.len());
                    fb.states.push(TermState::default());
                }
                let st = &mut fb.states[id as usize];
                let (old_post, old_pos) = (st.post_len, st.pos_len);
                let delta = if st.df == 0 { local } else { local - st.last };
                scratch.clear();
                put_posting(scratch, delta, tf);
                let post = scratch.len();
                let end = prox_at + tf as usize;
                put_positions(scratch, &ft.positions[prox_at..end]);
                prox_at = end;
                fb.arena.extend(&mut st.list, scratch);
                // A field's lists stay far below 4 GiB: the budget cuts
                // segments long before.
                st.post_len += post as u32;
                st.pos_len += (scratch.len() - post) as u32;
                st.last = local;
                st.df += 1;
                // The estimate changes only when a modelled vector grows.
                if model::grows(old_post, st.post_len) || model::grows(old_pos, st.pos_len) {
                    self.term_heap += model::term_lists(st.post_len, st.pos_len);
                    self.term_heap -= model::term_lists(old_post, old_pos);
                }
            }
        }
        self.num_docs += 1;
        local
    }

    /// Writes the segment file at `path` (streamed, fsynced), freeing each
    /// field's buffers once it is written; returns the file size and each
    /// field's number of terms. The fields' term orders, term dictionaries
    /// and stem maps are built first, in parallel.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub(crate) fn finish(mut self, path: &Path) -> Result<(u64, [u64; 6])> {
        let mut w = ContainerWriter::create(path, NUM_SECTIONS)?;
        let fields = std::mem::take(&mut self.fields);
        let stems = BodyStems::new(&fields[Field::Body.index()].terms);
        let dicts: Vec<Result<FieldDicts>> = fields
            .par_iter()
            .map(|fb| FieldDicts::build(fb, &stems, self.num_docs, path))
            .collect();
        drop(stems);
        let mut num_terms = [0u64; 6];
        for ((f, fb), dicts) in Field::ALL.into_iter().zip(fields).zip(dicts) {
            let dicts = dicts?;
            num_terms[f.index()] = dicts.order.len() as u64;
            write_field(&mut w, f, fb, &dicts)?;
        }
        let (last, index) = std::mem::take(&mut self.stored_w).finish();
        if let Some(block) = last {
            self.stored.extend_from_slice(&block);
        }
        w.section(STORED_INDEX, &index)?;
        w.section(STORED_DATA, &self.stored)?;
        let len = w.finish(SEGMENT_MAGIC, self.num_docs)?;
        Ok((len, num_terms))
    }
}

/// The stems of the body field's terms, each computed once (in parallel):
/// most terms of the other fields are body terms too (or, keyed, a key and
/// a body term), and a hash lookup costs far less than a stem.
struct BodyStems<'a> {
    terms: &'a Interner<()>,
    /// By body term id: [`stem_changed`] of the term.
    stems: Vec<Option<Box<str>>>,
}

impl<'a> BodyStems<'a> {
    fn new(terms: &'a Interner<()>) -> Self {
        let stems = (0..terms.len() as u32)
            .into_par_iter()
            .map(|id| stem_changed(terms.term(id)).map(String::into_boxed_str))
            .collect();
        BodyStems { terms, stems }
    }

    /// [`stem_changed`] of `t`, from the body's stems when `t` is a body
    /// term.
    fn plain<'s>(&'s self, t: &str) -> Option<Cow<'s, str>> {
        match self.terms.find(t) {
            Some(id) => self.stems[id as usize].as_deref().map(Cow::Borrowed),
            None => stem_changed(t).map(Cow::Owned),
        }
    }

    /// [`stem_key`](crate::analysis::stem_key) of `t`, with
    /// [`BodyStems::plain`].
    fn key<'s>(&'s self, t: &'s str) -> Cow<'s, str> {
        stem_key_with(t, |rest| self.plain(rest))
    }
}

/// A field's terms in byte order, with its term dictionary and stem map
/// (sections `7f` and `7f + 5`) built in memory.
struct FieldDicts {
    order: Vec<u32>,
    terms: Vec<u8>,
    stems: Vec<u8>,
    /// The stem unions' dfs (section `STEM_UNIONS + f`, [`stemdf`]).
    unions: Vec<u8>,
}

impl FieldDicts {
    fn build(
        fb: &FieldBuilder,
        stems: &BodyStems<'_>,
        num_docs: u32,
        path: &Path,
    ) -> Result<FieldDicts> {
        let terms = &fb.terms;
        let order = terms.sorted();
        let mut b = fst::MapBuilder::memory();
        for (ord, &id) in order.iter().enumerate() {
            b.insert(terms.term(id), ord as u64)
                .map_err(fst_error(path))?;
        }
        let dict = b.into_inner().map_err(fst_error(path))?;
        let entries = stem_entries_by(order.iter().map(|&id| terms.term(id)), |t| stems.key(t));
        let mut b = fst::MapBuilder::memory();
        for (k, v) in &entries {
            b.insert(k, *v).map_err(fst_error(path))?;
        }
        let stems = b.into_inner().map_err(fst_error(path))?;
        let find = |t: &[u8]| {
            order
                .binary_search_by(|&id| terms.term(id).as_bytes().cmp(t))
                .ok()
        };
        let mut list = Vec::new();
        let unions = stemdf::section_of_lists(path, &entries, find, num_docs, |ord, buf| {
            // `ord` is an ordinal of `order` (the groups are built from
            // `entries`, whose values are ordinals of it).
            let st = &fb.states[order[ord as usize] as usize];
            list.clear();
            fb.arena.read(
                &st.list,
                st.post_len as usize + st.pos_len as usize,
                &mut list,
            );
            if st.df == 1 {
                buf.extend_from_slice(&list[..st.post_len as usize]);
            } else {
                split_list(&list, st.df, |p, _| buf.extend_from_slice(p));
            }
            st.df
        })?;
        Ok(FieldDicts {
            order,
            terms: dict,
            stems,
            unions,
        })
    }
}

/// Calls `f(posting, positions)` with the bytes of each of the `df` docs of
/// a term's interleaved list (the builder's own, well formed).
fn split_list(list: &[u8], df: u32, mut f: impl FnMut(&[u8], &[u8])) {
    let mut r = ByteReader::new(list);
    for _ in 0..df {
        let start = r.offset();
        let tf = match r.varint() {
            Some(v) if v & 1 == 1 => 1,
            Some(_) => r.varint().unwrap_or(0),
            None => return,
        };
        let mid = r.offset();
        // The positions are only passed on: their ends are enough.
        if r.skip_varints(tf).is_none() {
            f(&list[start..mid], &list[mid..]);
            return;
        }
        f(&list[start..mid], &list[mid..r.offset()]);
    }
}

/// Writes field `f`'s sections in their order: postings, positions, term
/// infos, term-block index, block maxima, term dictionary, stem map, stem
/// unions, lengths.
fn write_field(
    w: &mut ContainerWriter,
    f: Field,
    fb: FieldBuilder,
    dicts: &FieldDicts,
) -> Result<()> {
    let FieldBuilder {
        terms,
        states,
        arena,
        lengths,
    } = fb;
    drop(terms);
    let mut list = Vec::new();
    let mut bytes = Vec::new();
    let read = |list: &mut Vec<u8>, st: &TermState| {
        list.clear();
        arena.read(&st.list, st.post_len as usize + st.pos_len as usize, list);
    };
    let mut post = BlockStream::default();
    let mut maxima = BlockMaxWriter::default();
    w.begin(section(f, 2))?;
    for (ord, &id) in dicts.order.iter().enumerate() {
        let st = &states[id as usize];
        read(&mut list, st);
        let p = if st.df == 1 {
            &list[..st.post_len as usize]
        } else {
            bytes.clear();
            split_list(&list, st.df, |p, _| bytes.extend_from_slice(p));
            &bytes
        };
        maxima.term(ord as u32, p, st.df, &lengths);
        post.term();
        post.bytes(p);
        w.put(p)?;
    }
    let mut pos = BlockStream::default();
    w.begin(section(f, 3))?;
    for &id in &dicts.order {
        let st = &states[id as usize];
        read(&mut list, st);
        let p = if st.df == 1 {
            &list[st.post_len as usize..]
        } else {
            bytes.clear();
            split_list(&list, st.df, |_, p| bytes.extend_from_slice(p));
            &bytes
        };
        pos.term();
        pos.bytes(p);
        w.put(p)?;
    }
    drop(arena);
    let mut info_stream = BlockStream::default();
    let mut infos = Vec::with_capacity(dicts.order.len() * 4);
    for &id in &dicts.order {
        let st = &states[id as usize];
        let start = infos.len();
        put_info(&mut infos, st.df, st.post_len.into(), st.pos_len.into());
        info_stream.term();
        info_stream.bytes(&infos[start..]);
    }
    drop(states);
    w.section(section(f, 1), &infos)?;
    drop(infos);
    w.section(section(f, 6), &block_index(info_stream, post, pos))?;
    w.section(BLOCK_MAXIMA + f.index(), &maxima.finish())?;
    w.section(section(f, 0), &dicts.terms)?;
    w.section(section(f, 5), &dicts.stems)?;
    w.section(STEM_UNIONS + f.index(), &dicts.unions)?;
    let lens: Vec<u8> = lengths.iter().flat_map(|l| l.to_le_bytes()).collect();
    w.section(section(f, 4), &lens)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;
    use rustc_hash::FxHashMap;

    use super::*;
    use crate::postings::{decode_positions, decode_postings};
    use crate::spec::{DocMeta, Spec};

    fn doc(body: &str, frontmatter: &[(String, String)]) -> DiskDoc {
        let spec = Spec {
            name: "n".into(),
            body: body.into(),
            frontmatter: frontmatter.to_vec(),
            ..Spec::default()
        };
        let stored = StoredDoc {
            meta: DocMeta {
                path: "p".into(),
                name: "n".into(),
                description: String::new(),
            },
            abs_path: PathBuf::from("/p"),
            hash: 1,
            problems: Vec::new(),
        };
        DiskDoc::new(stored, &spec)
    }

    /// The layout the estimate describes, with real maps and vectors: a map
    /// of boxed terms and, per term, growing postings and positions vectors.
    #[derive(Default)]
    struct OldField {
        dict: FxHashMap<Box<str>, u32>,
        terms: Vec<(Vec<u8>, Vec<u8>, u32, u32)>,
        lengths: Vec<u32>,
    }

    #[derive(Default)]
    struct OldLayout {
        fields: [OldField; 6],
        term_heap: usize,
    }

    impl OldLayout {
        fn add(&mut self, local: u32, fields: &[FieldTokens; 6]) {
            for (fb, ft) in self.fields.iter_mut().zip(fields) {
                fb.lengths.push(ft.length);
                let mut prox_at = 0usize;
                for (term, tf) in ft.terms() {
                    let next = fb.terms.len() as u32;
                    let id = *fb.dict.entry(term.into()).or_insert_with(|| {
                        self.term_heap += heap(term.len());
                        next
                    });
                    if id == next {
                        fb.terms.push((Vec::new(), Vec::new(), 0, 0));
                    }
                    let tb = &mut fb.terms[id as usize];
                    let before = heap(tb.0.capacity()) + heap(tb.1.capacity());
                    let delta = if tb.3 == 0 { local } else { local - tb.2 };
                    put_posting(&mut tb.0, delta, tf);
                    let end = prox_at + tf as usize;
                    put_positions(&mut tb.1, &ft.positions[prox_at..end]);
                    prox_at = end;
                    tb.2 = local;
                    tb.3 += 1;
                    self.term_heap += heap(tb.0.capacity()) + heap(tb.1.capacity());
                    self.term_heap -= before;
                }
            }
        }

        fn terms_bytes(&self) -> usize {
            let mut n = self.term_heap;
            for fb in &self.fields {
                n += heap(fb.dict.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1))
                    + heap(fb.terms.capacity() * 56)
                    + heap(fb.lengths.capacity() * 4);
            }
            n
        }
    }

    #[test]
    fn capacities_follow_the_standard_collections() {
        assert_eq!(std::mem::size_of::<(Vec<u8>, Vec<u8>, u32, u32)>(), 56);
        let mut map: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut v8: Vec<u8> = Vec::new();
        let mut v56: Vec<[u8; 56]> = Vec::new();
        for n in 0..100_000u32 {
            assert_eq!(model::map_capacity(map.len()), map.capacity(), "{n}");
            assert_eq!(model::vec_capacity(v8.len(), 8), v8.capacity(), "{n}");
            assert_eq!(model::vec_capacity(v56.len(), 4), v56.capacity(), "{n}");
            map.insert(n.to_string().into(), n);
            v8.push(0);
            v56.push([0; 56]);
        }
    }

    #[test]
    fn grows_when_the_capacity_changes() {
        for was in 0..2000u32 {
            for now in was + 1..2100 {
                let want =
                    model::vec_capacity(now as usize, 8) != model::vec_capacity(was as usize, 8);
                assert_eq!(model::grows(was, now), want, "{was} -> {now}");
            }
        }
    }

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-e]{1,2}",
            "[a-z]{3,9}",
            "[a-c]{20,30}",
            "[A-Z][a-z]{2,5}_[a-z]{2,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The estimate is the old layout's, add after add (so segments are
        /// cut where they were), and the lists read back as written.
        #[test]
        fn estimate_and_lists_match_the_old_layout(
            docs in proptest::collection::vec(
                (proptest::collection::vec(word(), 0..60), proptest::collection::vec(word(), 0..4)),
                1..80,
            ),
        ) {
            let mut b = SegmentBuilder::default();
            let mut old = OldLayout::default();
            for (local, (words, keys)) in docs.iter().enumerate() {
                let fm: Vec<(String, String)> =
                    keys.iter().map(|k| (k.clone(), words.join(" "))).collect();
                let d = doc(&words.join(" "), &fm);
                old.add(local as u32, &d.fields);
                b.add(d);
                let stored = heap(b.stored.capacity()) + b.stored_w.heap();
                prop_assert_eq!(b.estimated_bytes(), old.terms_bytes() + stored);
            }
            // What the builder holds stays below the estimate, but for the
            // first page of each field's arena.
            prop_assert!(b.held_bytes() <= b.estimated_bytes() + 6 * (1 << 15));
            for (fb, ob) in b.fields.iter_mut().zip(&old.fields) {
                prop_assert_eq!(fb.terms.len(), ob.terms.len());
                let states = &fb.states;
                for (term, &id) in &ob.dict {
                    prop_assert_eq!(fb.terms.find(term), Some(id));
                    let st = &states[id as usize];
                    let mut list = Vec::new();
                    fb.arena.read(&st.list, (st.post_len + st.pos_len) as usize, &mut list);
                    let (mut post, mut pos) = (Vec::new(), Vec::new());
                    split_list(&list, st.df, |a, b| {
                        post.extend_from_slice(a);
                        pos.extend_from_slice(b);
                    });
                    let tb = &ob.terms[id as usize];
                    prop_assert_eq!(&post, &tb.0);
                    prop_assert_eq!(&pos, &tb.1);
                    let mut tfs = Vec::new();
                    decode_postings(&post, st.df, b.num_docs, |_, tf| tfs.push(tf)).unwrap();
                    let mut r = crate::postings::ByteReader::new(&pos);
                    let mut out = Vec::new();
                    for tf in tfs {
                        decode_positions(&mut r, tf, &mut out).unwrap();
                    }
                    prop_assert!(r.is_empty());
                }
            }
        }
    }

    proptest::proptest! {
        /// A stem key from the body's stems is `stem_key`'s, for body terms,
        /// other terms and keyed terms alike.
        #[test]
        fn body_stems_give_stem_key(
            body in proptest::collection::vec("[a-z]{1,9}|[a-zé]{1,5}", 0..20),
            other in "[a-z]{1,9}|[A-Za-z0-9]{1,6}",
            key in "[a-z_]{1,6}",
            pick in 0usize..20,
        ) {
            let mut terms = Interner::<()>::default();
            for t in &body {
                terms.intern(t);
            }
            let stems = BodyStems::new(&terms);
            let known = body.get(pick).cloned().unwrap_or_else(|| other.clone());
            for t in [known.clone(), other.clone()] {
                let keyed = format!("{key}{}{t}", crate::analysis::KEY_SEPARATOR);
                for term in [t, keyed] {
                    proptest::prop_assert_eq!(stems.key(&term), crate::analysis::stem_key(&term));
                }
            }
        }
    }
}
