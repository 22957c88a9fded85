//! Any bytes as the one segment file of an on-disk index → open → read
//! everything reachable: doc metadata and stored problems of every doc,
//! the length columns, the positions of the terms searched, and searches
//! of every query kind (term, phrase, prefix, fuzzy, field, boolean).
//!
//! Each input gets a manifest and a doc map that agree with it (its size,
//! header checksum and doc count), so that the reader goes past the
//! manifest checks into the segment's own sections. `cargo fuzz` builds
//! set `cfg(fuzzing)`, under which the core accepts every CRC-32 (see
//! `container::crc_ok`): the fuzzer reaches the decoders behind them. The
//! checks: an answer or an error, never a panic (one inside the `fst` crate
//! must be caught by the core, see `tolerate_fst_panics`), an out-of-bounds
//! read or an allocation beyond libFuzzer's limits; a doc the index lists is
//! found; hits are existing docs with finite scores.
//!
//! Seeds: at start-up (`init`), real segments built from `examples/specs`
//! and from generated specs are written into the corpus folder
//! (`$SPECSEARCH_FUZZ_SEEDS`, else `fuzz/corpus/segment_open`).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use specsearch_core::schema::Field;
use specsearch_core::{DiskIndex, DiskOptions, Error, SearchIndex, SearchOptions, FORMAT_VERSION};

const QUERIES: &[&str] = &[
    "runner concurrency",
    "\"task group\"",
    "k*",
    "concurency~1",
    "name:runner OR tools:bash",
    "+async -rust",
];
/// Docs per segment above this are not worth a doc map (and cannot fit in
/// an input of libFuzzer's maximum length anyway).
const MAX_DOCS: u32 = 2048;
const SEGMENT: &str = "seg-1.seg";
const DOCMAP: &str = "docmap-1.dm";

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// The manifest body (JSON) of a real one-segment index, to patch.
    manifest: Value,
    /// The doc count the current doc map file was written for.
    docmap_docs: Mutex<Option<u32>>,
}

fn scratch_dir() -> tempfile::TempDir {
    // A RAM disk when there is one: every input is written once.
    match tempfile::tempdir_in("/dev/shm") {
        Ok(d) => d,
        Err(_) => tempfile::tempdir().expect("a temporary folder"),
    }
}

/// Builds an index of `specs` in `ix` and gives its manifest body.
fn build(ix: &Path, specs: &Path) -> Value {
    DiskIndex::open_or_update(ix, &[specs.to_path_buf()], &DiskOptions::default(), None)
        .expect("build an index");
    let bytes = std::fs::read(ix.join("MANIFEST")).expect("the manifest");
    serde_json::from_slice(&bytes[24..]).expect("a JSON manifest body")
}

fn segment_files(ix: &Path) -> Vec<PathBuf> {
    let mut segs: Vec<PathBuf> = std::fs::read_dir(ix)
        .expect("the index folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    segs.sort();
    segs
}

/// Real segments as seeds: `examples/specs`, a generated folder of specs
/// with every field, and a one-spec folder.
fn write_seeds(tmp: &Path) -> Value {
    let seeds = std::env::var_os("SPECSEARCH_FUZZ_SEEDS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/segment_open"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&seeds).expect("the seed folder");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples/specs");
    let generated = tmp.join("generated");
    std::fs::create_dir_all(generated.join("skills/deploy")).expect("a folder");
    let one = tmp.join("one");
    std::fs::create_dir_all(&one).expect("a folder");
    for (name, text) in [
        ("a.md", "---\nname: runner\ndescription: Runs concurrent jobs\\nwell\ntools: Read, Bash\nmodel: opus\n---\n# Usage\nUse TaskGroup now for concurrency.\n<example>\nuser: run my tasks\n</example>\n"),
        ("b.md", "---\nname: grouper\ntools: [Grep, Glob]\nmeta: {a: 1, b: [x, y]}\n---\nConcurrently running a task group with snake_case and kebab-case names.\n"),
        ("c.md", "---\nname: kube\n---\nkubectl apply; 并发 データ straße Σίσυφος naïve café\n```\ncode fence\n```\n"),
        ("skills/deploy/SKILL.md", "# Deploy\nNo frontmatter. x86_64 v2.0 HTTPServer review review\n"),
    ] {
        std::fs::write(generated.join(name), text).expect("a spec");
    }
    std::fs::write(one.join("only.md"), "---\nname: only\n---\nasync rust\n").expect("a spec");
    let mut base = None;
    for (i, specs) in [examples.as_path(), generated.as_path(), one.as_path()]
        .into_iter()
        .enumerate()
    {
        let ix = tmp.join(format!("seed-index-{i}"));
        let manifest = build(&ix, specs);
        for (j, seg) in segment_files(&ix).into_iter().enumerate() {
            std::fs::copy(&seg, seeds.join(format!("seed-{i}-{j}.seg"))).expect("a seed");
        }
        base.get_or_insert(manifest);
    }
    base.expect("a base manifest")
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = scratch_dir();
        let mut manifest = write_seeds(tmp.path());
        let dir = tmp.path().join("ix");
        std::fs::create_dir(&dir).expect("the index folder");
        manifest["skipped"] = Value::Array(Vec::new());
        let segments = manifest["segments"].as_array_mut().expect("segments");
        segments.truncate(1);
        segments[0]["file"]["file"] = SEGMENT.into();
        manifest["docmap"]["file"] = DOCMAP.into();
        Fixture {
            _tmp: tmp,
            dir,
            manifest,
            docmap_docs: Mutex::new(None),
        }
    })
}

/// Every real segment written as a seed must open and answer through the
/// harness's manifest and doc map: if the index format moves on and the
/// harness does not, every input would end in a format error and the
/// fuzzer would test nothing (as happened once, with doc map format 2).
fn check_seeds(fx: &Fixture) {
    let seeds = std::env::var_os("SPECSEARCH_FUZZ_SEEDS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/segment_open"),
        PathBuf::from,
    );
    let (mut opened, mut hits) = (0, 0);
    for entry in std::fs::read_dir(&seeds)
        .expect("the seed folder")
        .flatten()
    {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with("seed-") {
            continue;
        }
        let seg = std::fs::read(entry.path()).expect("a seed");
        let docs = install(fx, &seg).expect("a seed's header");
        let idx = DiskIndex::open(&fx.dir)
            .unwrap_or_else(|e| panic!("seed {name:?} does not open in the harness: {e}"));
        assert_eq!(SearchIndex::num_docs(&idx), docs);
        let top = SearchIndex::search(
            &idx,
            "runner OR async OR kube",
            10,
            &SearchOptions::default(),
        )
        .unwrap_or_else(|e| panic!("seed {name:?}: {e}"));
        hits += top.len();
        opened += 1;
    }
    assert!(
        opened >= 3 && hits > 0,
        "{opened} seeds opened, {hits} hits"
    );
}

fn crc(b: &[u8]) -> u32 {
    crc32fast::hash(b)
}

/// A container file (the layout of `container.rs`): magic, version, count,
/// a section table with CRCs, the header CRC, 8-aligned sections.
fn container(magic: &[u8; 8], count: u32, sections: &[Vec<u8>]) -> Vec<u8> {
    let header = 24 + 24 * sections.len() + 4;
    let mut at = header.next_multiple_of(8);
    let mut table = Vec::new();
    for s in sections {
        table.push((at as u64, s.len() as u64, crc(s)));
        at = (at + s.len()).next_multiple_of(8);
    }
    let mut out = Vec::with_capacity(at);
    out.extend_from_slice(magic);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for (off, len, c) in &table {
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&c.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    out.extend_from_slice(&crc(&out).to_le_bytes());
    for ((off, _, _), s) in table.iter().zip(sections) {
        out.resize(*off as usize, 0);
        out.extend_from_slice(s);
    }
    out
}

/// The sections per segment of a doc map (`index/docmap.rs`).
const DOCMAP_SECTIONS: usize = 4;

/// The doc map (`SPSDOCM2`) of one segment of `n` live docs (global ids
/// `0..n`), with zero stat rows (56 bytes each) and empty keys.
fn docmap(n: u32) -> Vec<u8> {
    let globals = (0..n).flat_map(u32::to_le_bytes).collect();
    let rows = vec![0u8; n as usize * 56];
    let key_offsets = vec![0u8; (2 * n as usize + 1) * 4];
    container(b"SPSDOCM2", 1, &[globals, rows, key_offsets, Vec::new()])
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Writes the manifest and doc map that match segment bytes `seg`, the
/// segment itself, and gives its doc count; `None` when the bytes are too
/// short for a container header or claim too many docs.
fn install(fx: &Fixture, seg: &[u8]) -> Option<u32> {
    let docs = le_u32(seg, 12)?;
    let sections = le_u32(seg, 16)? as usize;
    let header_crc = le_u32(seg, 24usize.checked_add(sections.checked_mul(24)?)?).unwrap_or(0);
    if docs > MAX_DOCS {
        return None;
    }
    let mut written = fx.docmap_docs.lock().expect("not poisoned");
    let dm = docmap(docs);
    if *written != Some(docs) {
        std::fs::write(fx.dir.join(DOCMAP), &dm).expect("write the doc map");
        *written = Some(docs);
    }
    let mut m = fx.manifest.clone();
    m["num_docs"] = docs.into();
    m["docmap"]["bytes"] = dm.len().into();
    m["docmap"]["header_crc"] = le_u32(&dm, 24 + DOCMAP_SECTIONS * 24).into();
    let s = &mut m["segments"][0];
    s["docs"] = docs.into();
    s["live"] = docs.into();
    s["file"]["bytes"] = seg.len().into();
    s["file"]["header_crc"] = header_crc.into();
    let body = serde_json::to_vec(&m).expect("JSON");
    let mut file = Vec::with_capacity(body.len() + 24);
    file.extend_from_slice(b"SPSMANI1");
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&crc(&body).to_le_bytes());
    file.extend_from_slice(&(body.len() as u64).to_le_bytes());
    file.extend_from_slice(&body);
    std::fs::write(fx.dir.join(SEGMENT), seg).expect("write the segment");
    std::fs::write(fx.dir.join("MANIFEST"), file).expect("write the manifest");
    Some(docs)
}

fn corrupt(e: &Error) {
    assert!(matches!(e, Error::Format { .. }), "not a format error: {e}");
}

/// libFuzzer's panic hook aborts on every panic, caught or not. A panic
/// inside the `fst` crate (it trusts its bytes) is caught by the core and
/// becomes a format error (`DiskIndex::guard_reads`), so it only aborts
/// here when nothing caught it: the harness aborts on an uncaught panic.
fn tolerate_fst_panics() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_fst = info.location().is_some_and(|l| l.file().contains("/fst-"));
        if !in_fst {
            abort(info);
        }
    }));
}

fuzz_target!(
    init: {
        tolerate_fst_panics();
        check_seeds(fixture());
    },
    |data: &[u8]| {
        let fx = fixture();
        let Some(docs) = install(fx, data) else {
            return;
        };
        let idx = match DiskIndex::open(&fx.dir) {
            Ok(idx) => idx,
            Err(e) => return corrupt(&e),
        };
        assert_eq!(SearchIndex::num_docs(&idx), docs);
        for id in 0..docs {
            match SearchIndex::doc(&idx, id) {
                Ok(meta) => assert!(meta.is_some(), "doc {id} of {docs} missing"),
                Err(e) => corrupt(&e),
            }
        }
        if let Err(e) = idx.doc_problems() {
            corrupt(&e);
        }
        for f in Field::ALL {
            match SearchIndex::doc_lengths(&idx, f) {
                Ok(cols) => assert!(cols.iter().all(|c| c.len() == docs as usize)),
                Err(e) => corrupt(&e),
            }
            for term in ["runner", "task", "concurrency", "kube"] {
                if let Err(e) = idx.positions(f, term, |id, _| assert!(id < docs)) {
                    corrupt(&e);
                }
            }
        }
        let opts = SearchOptions::default();
        for q in QUERIES {
            match SearchIndex::search(&idx, q, 10, &opts) {
                Ok(top) => {
                    assert!(top.len() <= 10);
                    assert!(top.doc_ids.iter().all(|&id| id < docs));
                    assert!(top.scores.iter().all(|s| s.is_finite()), "{:?}", top.scores);
                }
                Err(Error::Query { .. }) => {}
                Err(e) => corrupt(&e),
            }
        }
    }
);
