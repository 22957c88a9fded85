//! `specsearch._native`: thin `PyO3` bindings over `specsearch-core`.
//!
//! This crate only converts values, manages lifetimes, releases the GIL
//! around real work and maps errors (all in `errors.rs`). It holds no engine
//! logic. Result arrays reach Python without a copy: a [`PyTopDocs`] owns the
//! Rust buffers and is the numpy arrays' base object; the doc-length columns
//! of an index are read-only views into its buffers (the mapped segment
//! files of an on-disk index) whose base is an [`IndexBuffers`] holding the
//! index alive.

// PyO3 extracts Python arguments into owned Rust values; taking them by
// reference is not an option for `#[pymethods]` arguments like `Vec<u32>`.
#![allow(clippy::needless_pass_by_value)]

mod embed;
mod errors;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use numpy::ndarray::{Array1, Array2, ArrayView1};
use numpy::{PyArray1, PyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use specsearch_core::query::ParseMode;
use specsearch_core::walk::WalkOptions;
use specsearch_core::{
    BuildOptions, DiskIndex, DiskOptions, Field, MemoryIndex, RouteIndex, SearchOptions, TopDocs,
};

/// The shortest interval between two progress callbacks.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// One problem with one file: `(path, line or None, message)`.
type ProblemTuple = (String, Option<u32>, String);

/// What `Index.open` returns: the index, the current files' problems, the
/// update's counts, and why a damaged index was rebuilt (or `None`).
type Opened<'py> = (
    PyIndex,
    Vec<ProblemTuple>,
    Bound<'py, PyDict>,
    Option<String>,
);
type SnippetTuple = (u32, String, Vec<(u32, u32)>);

/// The process that first ran engine work through this module (see
/// [`in_this_process`]).
static FIRST_PROCESS: OnceLock<u32> = OnceLock::new();

/// Runs `work` where its parallel parts can run. rayon's global pool, once
/// started, has its threads in the process that started it only: a child
/// forked from it has the pool but not the threads, and work handed to the
/// pool there waits forever (a batch of queries, a long phrase, a build).
/// So in any process but the first to run engine work here, `work` runs in
/// a pool of its own, started for the call.
fn in_this_process<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pid = std::process::id();
    if *FIRST_PROCESS.get_or_init(|| pid) == pid {
        return work();
    }
    match rayon::ThreadPoolBuilder::new().build() {
        Ok(pool) => pool.install(work),
        // No thread can be started at all: nothing better than trying here.
        Err(_) => work(),
    }
}

/// Runs engine work with the GIL released, turning a panic into a Python
/// exception instead of letting it unwind into the interpreter.
fn run_detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, specsearch_core::error::Error> + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(|| in_this_process(work)))) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(errors::to_py_err(py, err)),
        Err(payload) => Err(errors::panic_to_py_err(py, payload.as_ref())),
    }
}

/// How often a long engine call checks for a pending signal (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(25);

/// [`run_detached`] for work that can be cancelled: it runs on a scoped
/// thread while this (the calling, usually main) thread waits for its
/// result (see [`wait_for`]).
fn run_interruptible<T, F>(py: Python<'_>, cancel: &AtomicBool, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, specsearch_core::error::Error> + Send,
{
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        scope.spawn(move || {
            // The receiver outlives this scope's threads; a failed send
            // can only mean it is gone, and then nobody wants the value.
            let _ = sender.send(catch_unwind(AssertUnwindSafe(|| in_this_process(work))));
        });
        wait_for(py, receiver, cancel, |_| {})
    })
}

/// What a worker thread sends: its result, or the panic it caught.
type Outcome<T> = std::thread::Result<Result<T, specsearch_core::error::Error>>;

/// Waits, with the GIL released, for the outcome a worker thread sends on
/// `receiver`. Every [`SIGNAL_POLL`] it is still running, `tick` runs with
/// the GIL and signals are checked. When a signal handler raises
/// (`KeyboardInterrupt` on Ctrl-C), `cancel` is set, the work is waited for
/// (it stops at its next check) and that exception is raised. The result is
/// taken as soon as it is sent, not at the next poll (a sleep between polls
/// made every call last a multiple of [`SIGNAL_POLL`]).
fn wait_for<T: Send>(
    py: Python<'_>,
    mut receiver: std::sync::mpsc::Receiver<Outcome<T>>,
    cancel: &AtomicBool,
    mut tick: impl FnMut(Python<'_>),
) -> PyResult<T> {
    let mut interrupted: Option<PyErr> = None;
    let joined = loop {
        // The receiver is moved in and out: it is `Send`, not `Sync`.
        let (outcome, back) = py.detach(move || (receiver.recv_timeout(SIGNAL_POLL), receiver));
        receiver = back;
        match outcome {
            Ok(done) => break done,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            // The worker ended without sending: only a panic in
            // catch_unwind itself could do that.
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                break Err(
                    Box::new("the engine's worker thread ended without a result")
                        as Box<dyn std::any::Any + Send>,
                )
            }
        }
        if interrupted.is_none() {
            tick(py);
            if let Err(err) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                interrupted = Some(err);
            }
        }
    };
    if let Some(err) = interrupted {
        return Err(err);
    }
    match joined {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(errors::to_py_err(py, err)),
        Err(payload) => Err(errors::panic_to_py_err(py, payload.as_ref())),
    }
}

/// Search results: doc ids and scores in Rust-owned buffers.
///
/// The buffers never change after construction (the class is frozen), so
/// numpy arrays borrowed from them stay valid for as long as they keep this
/// object alive, which they do through their `base`.
#[pyclass(name = "TopDocs", module = "specsearch._native", frozen)]
struct PyTopDocs {
    ids: Array1<u32>,
    scores: Array1<f32>,
}

#[pymethods]
impl PyTopDocs {
    fn __len__(&self) -> usize {
        self.ids.len()
    }

    /// The doc ids as a numpy `uint32` array whose base is this object.
    fn ids_array<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray1<u32>> {
        let container = slf.clone().into_any();
        // SAFETY: `ids` is never mutated or moved after construction (frozen
        // pyclass), and `container` keeps its owner alive for the array's
        // whole life.
        unsafe { PyArray1::borrow_from_array(&slf.get().ids, container) }
    }

    /// The scores as a numpy `float32` array whose base is this object.
    fn scores_array<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray1<f32>> {
        let container = slf.clone().into_any();
        // SAFETY: as for `ids_array`.
        unsafe { PyArray1::borrow_from_array(&slf.get().scores, container) }
    }

    /// The doc ids as a Python list (no numpy needed).
    fn ids_list(&self) -> Vec<u32> {
        self.ids.to_vec()
    }

    /// The scores as a Python list of floats (no numpy needed).
    fn scores_list(&self) -> Vec<f32> {
        self.scores.to_vec()
    }
}

impl From<TopDocs> for PyTopDocs {
    fn from(top: TopDocs) -> Self {
        Self {
            ids: Array1::from_vec(top.doc_ids),
            scores: Array1::from_vec(top.scores),
        }
    }
}

/// Keeps an index (and so its buffers and mapped files) alive for the numpy
/// views borrowed from it: it is their `base`.
/// The results of `search_many`: `(n_queries, k)` arrays owned here, handed
/// to numpy without a copy (this object is their base), each row's hit count,
/// and the error of each query that failed (its row is padding).
#[pyclass(name = "BatchTopDocs", module = "specsearch._native", frozen)]
struct PyBatchTopDocs {
    ids: Array2<i64>,
    scores: Array2<f32>,
    counts: Vec<usize>,
    errors: Py<PyDict>,
}

#[pymethods]
impl PyBatchTopDocs {
    fn __len__(&self) -> usize {
        self.counts.len()
    }

    /// Doc ids, `(n_queries, k)`, padded with -1.
    fn ids_array<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray2<i64>> {
        let container = slf.clone().into_any();
        // SAFETY: `ids` is never mutated or moved after construction (frozen
        // pyclass), and `container` keeps its owner alive for the array's
        // whole life.
        unsafe { PyArray2::borrow_from_array(&slf.get().ids, container) }
    }

    /// Scores, `(n_queries, k)`, padded with NaN.
    fn scores_array<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray2<f32>> {
        let container = slf.clone().into_any();
        // SAFETY: as for `ids_array`.
        unsafe { PyArray2::borrow_from_array(&slf.get().scores, container) }
    }

    /// The number of hits of each query.
    fn counts_list(&self) -> Vec<usize> {
        self.counts.clone()
    }

    /// `{row: QueryError}` for the queries that failed.
    #[getter]
    fn errors(&self, py: Python<'_>) -> Py<PyDict> {
        self.errors.clone_ref(py)
    }
}

impl PyBatchTopDocs {
    /// Packs per-query results into padded arrays; errors become Python
    /// exceptions in the `errors` dict.
    fn pack(
        py: Python<'_>,
        results: Vec<specsearch_core::error::Result<TopDocs>>,
        k: usize,
    ) -> PyResult<Self> {
        let n = results.len();
        let mut ids = Array2::<i64>::from_elem((n, k), -1);
        let mut scores = Array2::<f32>::from_elem((n, k), f32::NAN);
        let mut counts = vec![0; n];
        let errors = PyDict::new(py);
        for (row, result) in results.into_iter().enumerate() {
            match result {
                Ok(top) => {
                    counts[row] = top.len();
                    for (col, (&id, &score)) in
                        top.doc_ids.iter().zip(&top.scores).enumerate().take(k)
                    {
                        ids[[row, col]] = i64::from(id);
                        scores[[row, col]] = score;
                    }
                }
                Err(err) => {
                    errors.set_item(row, errors::to_py_err(py, err).into_value(py))?;
                }
            }
        }
        Ok(Self {
            ids,
            scores,
            counts,
            errors: errors.unbind(),
        })
    }
}

/// The search options of a call: validated weights (or the defaults) and the
/// parse mode.
fn search_options(
    py: Python<'_>,
    weights: Option<[f64; 6]>,
    strict: bool,
) -> PyResult<SearchOptions> {
    let mode = if strict {
        ParseMode::Strict
    } else {
        ParseMode::Lenient
    };
    SearchOptions::new(weights, mode).map_err(|e| errors::to_py_err(py, e))
}

#[pyclass(name = "IndexBuffers", module = "specsearch._native", frozen)]
struct IndexBuffers {
    index: Arc<dyn RouteIndex>,
}

/// An index over a tree of specs: in memory (`build`) or on disk (`open`,
/// `open_existing`); both answer the same way.
#[pyclass(name = "Index", module = "specsearch._native", frozen)]
struct PyIndex {
    /// `None` once closed. Searches clone the `Arc`, so closing never
    /// invalidates a search that is already running.
    inner: RwLock<Option<Arc<dyn RouteIndex>>>,
}

/// What `route_explain` hands Python: words, filler, stop words, and per
/// id its `(word, field, contribution)`.
type RouteExplainTuple = (
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<Vec<(String, &'static str, f64)>>,
);

fn problem_tuples(problems: Vec<specsearch_core::Problem>) -> Vec<ProblemTuple> {
    problems
        .into_iter()
        .map(|p| (p.path, p.line, p.message))
        .collect()
}

/// The options of `Index.open` and `Index.start_open`.
fn disk_options(
    max_file_bytes: u64,
    threads: usize,
    memory_budget: usize,
    merge_threshold: usize,
    walk: WalkOptions,
    rebuild: bool,
) -> PyResult<DiskOptions> {
    if merge_threshold == 0 {
        return Err(PyValueError::new_err("merge_threshold must be at least 1"));
    }
    Ok(DiskOptions {
        build: BuildOptions {
            max_file_bytes,
            threads,
            walk,
        },
        memory_budget_bytes: memory_budget,
        merge_threshold,
        split_small: false,
        rebuild,
    })
}

/// What opening an on-disk index gives, before it is handed to Python.
type OpenedParts = (
    DiskIndex,
    Vec<specsearch_core::Problem>,
    specsearch_core::UpdateStats,
);

/// The work of `Index.open` (and of an `OpenJob`), with the GIL released.
fn open_work(
    index_dir: &Path,
    roots: &[PathBuf],
    options: &DiskOptions,
    verify: bool,
    report: &(dyn Fn(usize, usize) + Sync),
    cancel: &AtomicBool,
) -> Result<OpenedParts, specsearch_core::error::Error> {
    let opened = DiskIndex::open_or_update_cancellable(
        index_dir,
        roots,
        options,
        Some(report),
        Some(cancel),
    )?;
    if verify {
        opened.0.verify()?;
    }
    Ok(opened)
}

/// `Index.open`'s return value from what the open gave.
fn opened(py: Python<'_>, (index, problems, stats): OpenedParts) -> PyResult<Opened<'_>> {
    let dict = PyDict::new(py);
    dict.set_item("added", stats.added)?;
    dict.set_item("changed", stats.changed)?;
    dict.set_item("deleted", stats.deleted)?;
    dict.set_item("unchanged", stats.unchanged)?;
    dict.set_item("segments", stats.segments)?;
    dict.set_item("merged", u8::from(stats.merged))?;
    dict.set_item("rebuilt", u8::from(stats.rebuilt))?;
    dict.set_item("committed", u8::from(stats.committed))?;
    Ok((
        PyIndex::new(Arc::new(index)),
        problem_tuples(problems),
        dict,
        stats.damage,
    ))
}

/// Calls a progress callback; one that fails must not stop (or crash) the update.
fn call_progress(py: Python<'_>, callback: &Py<PyAny>, done: usize, total: usize) {
    if let Err(err) = callback.call1(py, (done, total)) {
        err.write_unraisable(py, None);
    }
}

/// An `Index.open` running on a thread of its own (`Index.start_open`).
///
/// Dropping a job that was not finished asks its open to stop at its next
/// check; what it already committed stays (commits are atomic).
#[pyclass(name = "OpenJob", module = "specsearch._native", frozen)]
struct PyOpenJob {
    /// `None` once `finish` has taken it.
    receiver: Mutex<Option<std::sync::mpsc::Receiver<Outcome<OpenedParts>>>>,
    cancel: Arc<AtomicBool>,
    /// The update's progress: files done, files to index.
    counts: Arc<(AtomicUsize, AtomicUsize)>,
}

impl Drop for PyOpenJob {
    fn drop(&mut self) {
        let unfinished = self
            .receiver
            .get_mut()
            .map_or(true, |receiver| receiver.is_some());
        if unfinished {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}

#[pymethods]
impl PyOpenJob {
    /// Waits for the open (Ctrl-C cancels it, as it does `Index.open`) and
    /// returns what `Index.open` returns, raising what it raises. While it
    /// waits, `progress` is called as `Index.open` calls it, from this
    /// thread. A job is finished once.
    #[pyo3(signature = (progress = None))]
    fn finish<'py>(&self, py: Python<'py>, progress: Option<Py<PyAny>>) -> PyResult<Opened<'py>> {
        let receiver = self
            .receiver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| errors::finished_error(py))?;
        let mut shown = (0, 0);
        let mut last = None::<Instant>;
        let mut show = |py: Python<'_>, last_call: bool| {
            let Some(callback) = progress.as_ref() else {
                return;
            };
            let done = self.counts.0.load(Ordering::Acquire);
            let total = self.counts.1.load(Ordering::Relaxed);
            let due = last_call || last.is_none_or(|t: Instant| t.elapsed() >= PROGRESS_INTERVAL);
            if total == 0 || (done, total) == shown || !due {
                return;
            }
            shown = (done, total);
            last = Some(Instant::now());
            call_progress(py, callback, done, total);
        };
        let parts = wait_for(py, receiver, &self.cancel, |py| show(py, false))?;
        show(py, true);
        opened(py, parts)
    }
}

impl PyIndex {
    fn new(index: Arc<dyn RouteIndex>) -> Self {
        Self {
            inner: RwLock::new(Some(index)),
        }
    }

    pub(crate) fn get(&self, py: Python<'_>) -> PyResult<Arc<dyn RouteIndex>> {
        // A poisoned lock only means a panic happened while it was held;
        // the `Option<Arc>` inside is still consistent.
        let guard = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.clone().ok_or_else(|| errors::closed_error(py))
    }
}

#[pymethods]
impl PyIndex {
    /// Walks `roots` (the current directory when empty), parses and indexes
    /// every spec, and returns the index with the problems found.
    #[staticmethod]
    #[pyo3(signature = (
        roots, *, max_file_bytes = 64 * 1024 * 1024, threads = 0, hidden = false, no_ignore = false
    ))]
    fn build(
        py: Python<'_>,
        roots: Vec<PathBuf>,
        max_file_bytes: u64,
        threads: usize,
        hidden: bool,
        no_ignore: bool,
    ) -> PyResult<(Self, Vec<ProblemTuple>)> {
        let options = BuildOptions {
            max_file_bytes,
            threads,
            walk: WalkOptions { hidden, no_ignore },
        };
        let (index, problems) = run_detached(py, || MemoryIndex::build(&roots, &options))?;
        Ok((Self::new(Arc::new(index)), problem_tuples(problems)))
    }

    /// Opens the on-disk index in `index_dir`, brings it up to date with
    /// `roots` (creating it when there is none) and returns it with the
    /// problems of the current files, what the update did, and, when the
    /// existing index could not be read and was rebuilt, why.
    #[staticmethod]
    #[pyo3(signature = (
        index_dir,
        roots,
        *,
        max_file_bytes = 64 * 1024 * 1024,
        threads = 0,
        memory_budget = 256 * 1024 * 1024,
        merge_threshold = 8,
        progress = None,
        hidden = false,
        no_ignore = false,
        verify = false,
        rebuild = false,
    ))]
    #[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)] // the Python keyword arguments
    fn open(
        py: Python<'_>,
        index_dir: PathBuf,
        roots: Vec<PathBuf>,
        max_file_bytes: u64,
        threads: usize,
        memory_budget: usize,
        merge_threshold: usize,
        progress: Option<Py<PyAny>>,
        hidden: bool,
        no_ignore: bool,
        verify: bool,
        rebuild: bool,
    ) -> PyResult<Opened<'_>> {
        let options = disk_options(
            max_file_bytes,
            threads,
            memory_budget,
            merge_threshold,
            WalkOptions { hidden, no_ignore },
            rebuild,
        )?;
        let last = Mutex::new(None::<Instant>);
        let report = move |done: usize, total: usize| {
            let Some(callback) = progress.as_ref() else {
                return;
            };
            {
                let mut last = last
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL);
                if !due && done < total {
                    return;
                }
                *last = Some(Instant::now());
            }
            Python::attach(|py| call_progress(py, callback, done, total));
        };
        let cancel = AtomicBool::new(false);
        let parts = run_interruptible(py, &cancel, || {
            open_work(&index_dir, &roots, &options, verify, &report, &cancel)
        })?;
        opened(py, parts)
    }

    /// `open` with the same arguments (but no progress callback), started
    /// on a thread of its own: it returns at once, and the `OpenJob`'s
    /// `finish` waits for what `open` would have returned. This lets the
    /// caller do other work (load the rest of its modules) meanwhile.
    #[staticmethod]
    #[pyo3(signature = (
        index_dir,
        roots,
        *,
        max_file_bytes = 64 * 1024 * 1024,
        threads = 0,
        memory_budget = 256 * 1024 * 1024,
        merge_threshold = 8,
        hidden = false,
        no_ignore = false,
        verify = false,
        rebuild = false,
    ))]
    #[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)] // the Python keyword arguments
    fn start_open(
        index_dir: PathBuf,
        roots: Vec<PathBuf>,
        max_file_bytes: u64,
        threads: usize,
        memory_budget: usize,
        merge_threshold: usize,
        hidden: bool,
        no_ignore: bool,
        verify: bool,
        rebuild: bool,
    ) -> PyResult<PyOpenJob> {
        let options = disk_options(
            max_file_bytes,
            threads,
            memory_budget,
            merge_threshold,
            WalkOptions { hidden, no_ignore },
            rebuild,
        )?;
        let cancel = Arc::new(AtomicBool::new(false));
        let counts = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let (sender, receiver) = std::sync::mpsc::channel();
        let (job_cancel, job_counts) = (Arc::clone(&cancel), Arc::clone(&counts));
        std::thread::Builder::new()
            .name("specsearch-open".into())
            .spawn(move || {
                let report = |done: usize, total: usize| {
                    job_counts.1.store(total, Ordering::Relaxed);
                    job_counts.0.store(done, Ordering::Release);
                };
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    in_this_process(|| {
                        open_work(&index_dir, &roots, &options, verify, &report, &job_cancel)
                    })
                }));
                // A failed send means the job was dropped unfinished: nobody
                // wants the index, which is committed (or not) either way.
                let _ = sender.send(outcome);
            })?;
        Ok(PyOpenJob {
            receiver: Mutex::new(Some(receiver)),
            cancel,
            counts,
        })
    }

    /// Opens the current commit of the on-disk index in `index_dir`,
    /// read-only: no walk, no lock, nothing written. Returns the index and
    /// the problems it holds (each doc's and each skipped file's).
    #[staticmethod]
    fn open_existing(py: Python<'_>, index_dir: PathBuf) -> PyResult<(Self, Vec<ProblemTuple>)> {
        let (index, problems) = run_detached(py, move || {
            let index = DiskIndex::open(Path::new(&index_dir))?;
            let problems = index.stored_problems()?;
            Ok((index, problems))
        })?;
        Ok((Self::new(Arc::new(index)), problem_tuples(problems)))
    }

    /// Counts: `kind`, `docs`, `terms`, `segments`, `size_bytes`, `generation`,
    /// `format_version`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.get(py)?.stats();
        let dict = PyDict::new(py);
        dict.set_item("kind", s.kind)?;
        dict.set_item("docs", s.docs)?;
        dict.set_item("terms", s.terms)?;
        dict.set_item("segments", s.segments)?;
        dict.set_item("size_bytes", s.size_bytes)?;
        dict.set_item("generation", s.generation)?;
        dict.set_item("format_version", s.format_version)?;
        Ok(dict)
    }

    /// The doc lengths of `field`: one read-only `uint32` array per segment
    /// (indexed by the segment's local doc id), viewing the index's own
    /// buffers (the mapped file of an on-disk index) without a copy.
    fn doc_lengths<'py>(
        &self,
        py: Python<'py>,
        field: &str,
    ) -> PyResult<Vec<Bound<'py, PyArray1<u32>>>> {
        let Some(f) = Field::from_name(field) else {
            let detail = format!(
                "unknown field {field:?}; fields are {:?}",
                Field::ALL.map(Field::as_str)
            );
            return Err(errors::to_py_err(
                py,
                specsearch_core::Error::Schema {
                    field: "field".to_owned(),
                    detail,
                },
            ));
        };
        let index = self.get(py)?;
        let holder = Bound::new(
            py,
            IndexBuffers {
                index: Arc::clone(&index),
            },
        )?;
        let columns = holder
            .get()
            .index
            .doc_lengths(f)
            .map_err(|e| errors::to_py_err(py, e))?;
        let mut out = Vec::with_capacity(columns.len());
        for column in columns {
            let view = ArrayView1::from(column);
            // SAFETY: `column` borrows from the index that `holder` keeps
            // alive (an `Arc`): a `Vec` that is never mutated after the
            // build, or a section of a mapped segment file, which is
            // immutable and stays mapped while the `Arc<Mmap>` lives (on
            // Unix even after the file is deleted by a later commit). The
            // array's base is `holder`, so the memory outlives the array,
            // and it is made read-only below, so Python never writes to it.
            let array = unsafe { PyArray1::borrow_from_array(&view, holder.clone().into_any()) };
            // SAFETY: `array` is a valid, freshly created ndarray; clearing
            // the WRITEABLE flag only restricts what may be done with it.
            unsafe {
                (*array.as_array_ptr()).fields.flags &= !numpy::npyffi::flags::NPY_ARRAY_WRITEABLE;
            }
            out.push(array);
        }
        Ok(out)
    }

    /// The number of indexed specs.
    #[getter]
    fn num_docs(&self, py: Python<'_>) -> PyResult<u32> {
        Ok(self.get(py)?.num_docs())
    }

    /// Whether `close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }

    /// The top `k` docs for `query`, best first.
    #[pyo3(signature = (query, k, *, weights = None, strict = false))]
    fn search(
        &self,
        py: Python<'_>,
        query: String,
        k: usize,
        weights: Option<[f64; 6]>,
        strict: bool,
    ) -> PyResult<PyTopDocs> {
        let options = search_options(py, weights, strict)?;
        let index = self.get(py)?;
        let top = run_detached(py, move || index.search(&query, k, &options))?;
        Ok(top.into())
    }

    /// `search` for each query, in parallel, into padded `(n, k)` arrays.
    #[pyo3(signature = (queries, k, *, weights = None, strict = false))]
    fn search_many(
        &self,
        py: Python<'_>,
        queries: Vec<String>,
        k: usize,
        weights: Option<[f64; 6]>,
        strict: bool,
    ) -> PyResult<PyBatchTopDocs> {
        let options = search_options(py, weights, strict)?;
        let index = self.get(py)?;
        let results = run_detached(py, move || Ok(index.search_many(&queries, k, &options)))?;
        PyBatchTopDocs::pack(py, results, k)
    }

    /// `(path, name, description)` of each doc id, in order.
    fn docs(&self, py: Python<'_>, ids: Vec<u32>) -> PyResult<Vec<(String, String, String)>> {
        let index = self.get(py)?;
        ids.iter()
            .map(|&id| {
                index
                    .doc(id)
                    .map_err(|e| errors::to_py_err(py, e))?
                    .map(|d| (d.path, d.name, d.description))
                    .ok_or_else(|| {
                        PyIndexError::new_err(format!(
                            "doc id {id} out of range (the index has {} docs)",
                            index.num_docs()
                        ))
                    })
            })
            .collect()
    }

    /// The file system path of each doc id (its bytes as they are: a file
    /// name that is not UTF-8 comes back with lone surrogates, as
    /// `os.fsdecode` gives it); `None` for an id out of range.
    fn fs_paths(&self, py: Python<'_>, ids: Vec<u32>) -> PyResult<Vec<Option<PathBuf>>> {
        let index = self.get(py)?;
        ids.iter()
            .map(|&id| index.fs_path(id).map_err(|e| errors::to_py_err(py, e)))
            .collect()
    }

    /// The best matching line of each doc's file for `query`, with the
    /// character spans of the matched terms.
    #[pyo3(signature = (ids, query, *, strict = false))]
    fn snippets(
        &self,
        py: Python<'_>,
        ids: Vec<u32>,
        query: String,
        strict: bool,
    ) -> PyResult<Vec<Option<SnippetTuple>>> {
        let options = search_options(py, None, strict)?;
        let index = self.get(py)?;
        let num_docs = index.num_docs();
        if let Some(bad) = ids.iter().find(|&&id| id >= num_docs) {
            return Err(PyIndexError::new_err(format!(
                "doc id {bad} out of range (the index has {num_docs} docs)"
            )));
        }
        let found = run_detached(py, move || index.snippets(&ids, &query, &options))?;
        Ok(found
            .into_iter()
            .map(|s| s.map(|s| (s.line, s.text, s.spans)))
            .collect())
    }

    /// The top `k` docs for a request in natural language (never query syntax).
    fn route(&self, py: Python<'_>, request: String, k: usize) -> PyResult<PyTopDocs> {
        let index = self.get(py)?;
        let top = run_detached(py, move || index.route(&request, k))?;
        Ok(top.into())
    }

    /// `route` for each request, in parallel, into padded `(n, k)` arrays.
    fn route_many(
        &self,
        py: Python<'_>,
        requests: Vec<String>,
        k: usize,
    ) -> PyResult<PyBatchTopDocs> {
        let index = self.get(py)?;
        let results = run_detached(py, move || Ok(index.route_many(&requests, k)))?;
        PyBatchTopDocs::pack(py, results, k)
    }

    /// The words a request ranked with, the words removed (filler, stop
    /// words), and each id's `(word, field, contribution)`, largest first.
    fn route_explain(
        &self,
        py: Python<'_>,
        request: String,
        ids: Vec<u32>,
    ) -> PyResult<RouteExplainTuple> {
        let index = self.get(py)?;
        let e = run_detached(py, move || index.route_explain(&request, &ids))?;
        Ok((
            e.analysis.terms.into_iter().map(|t| t.text).collect(),
            e.analysis.filler,
            e.analysis.stopwords,
            e.why
                .into_iter()
                .map(|row| {
                    row.into_iter()
                        .map(|c| (c.word, c.field.as_str(), c.score))
                        .collect()
                })
                .collect(),
        ))
    }

    /// The document vectors stored with this on-disk index for `model`
    /// (`dim` wide): `(rows, mapped, missing)`, where `rows` is `num_docs ×
    /// dim` float16 little-endian values in doc-id order (zero for a doc
    /// without a row; `None` when `mapped`), `mapped` the `(file, offset)` of
    /// a file whose row section is exactly that matrix, to map instead, and
    /// `missing` the doc ids without a row. `None` for an in-memory index.
    #[allow(clippy::type_complexity, reason = "a plain tuple for Python")]
    fn stored_vectors<'py>(
        &self,
        py: Python<'py>,
        model: String,
        dim: usize,
    ) -> PyResult<
        Option<(
            Option<Bound<'py, PyBytes>>,
            Option<(PathBuf, usize)>,
            Vec<u32>,
        )>,
    > {
        let index = self.get(py)?;
        if index.as_disk().is_none() {
            return Ok(None);
        }
        let stored = run_detached(py, move || match index.as_disk() {
            Some(disk) => disk.stored_vectors(&model, dim),
            None => Ok(specsearch_core::index::StoredVectors::default()),
        })?;
        let rows = stored
            .mapped
            .is_none()
            .then(|| PyBytes::new(py, &stored.rows));
        Ok(Some((rows, stored.mapped, stored.missing)))
    }

    /// For each key, a row of `model` stored under it (of a live or a
    /// deleted doc), or `None`. Always `None` for an in-memory index.
    fn reuse_vectors<'py>(
        &self,
        py: Python<'py>,
        model: String,
        dim: usize,
        keys: Vec<Vec<u8>>,
    ) -> PyResult<Vec<Option<Bound<'py, PyBytes>>>> {
        let index = self.get(py)?;
        let found = run_detached(py, move || {
            let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
            Ok(match index.as_disk() {
                Some(disk) => disk.reuse_vectors(&model, dim, &keys),
                None => vec![None; keys.len()],
            })
        })?;
        Ok(found
            .into_iter()
            .map(|row| row.map(|r| PyBytes::new(py, &r)))
            .collect())
    }

    /// Stores rows of `model` for docs `ids` of this snapshot (`keys`: 32
    /// bytes each; `rows`: `len(ids) × dim` float16 values) in a new commit.
    /// `False` when another writer holds the lock (nothing stored) or the
    /// index is in memory.
    fn attach_vectors(
        &self,
        py: Python<'_>,
        model: String,
        dim: usize,
        ids: Vec<u32>,
        keys: Vec<Vec<u8>>,
        rows: Vec<u8>,
    ) -> PyResult<bool> {
        let index = self.get(py)?;
        if keys.len() != ids.len() || rows.len() != ids.len() * dim * 2 {
            return Err(PyValueError::new_err(format!(
                "{} ids need as many keys (got {}) and {} row bytes (got {})",
                ids.len(),
                keys.len(),
                ids.len() * dim * 2,
                rows.len()
            )));
        }
        run_detached(py, move || {
            let Some(disk) = index.as_disk() else {
                return Ok(false);
            };
            let items: Vec<specsearch_core::index::VectorItem<'_>> = ids
                .iter()
                .zip(&keys)
                .zip(rows.chunks_exact(dim.max(1) * 2))
                .map(|((&id, key), row)| specsearch_core::index::VectorItem { id, key, row })
                .collect();
            disk.attach_vectors(&model, dim, &items)
        })
    }

    /// What the stored document vectors hold: `rows`, `dim`, `model`,
    /// `bytes`, `files`, `valid`; `None` when there are none.
    fn vector_stats<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let index = self.get(py)?;
        let stats = run_detached(py, move || {
            Ok(index.as_disk().and_then(DiskIndex::vector_stats))
        })?;
        let Some(s) = stats else { return Ok(None) };
        let dict = PyDict::new(py);
        dict.set_item("rows", s.rows)?;
        dict.set_item("dim", s.dim)?;
        dict.set_item("model", s.model)?;
        dict.set_item("bytes", s.bytes)?;
        dict.set_item("files", s.files)?;
        dict.set_item("valid", s.valid)?;
        Ok(Some(dict))
    }

    /// Releases the index. Further use raises `IndexStateError`.
    fn close(&self) {
        *self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// Parses a query (SPEC.md §11) and returns its canonical printed
/// form, or `None` for the empty tree; a syntax problem in strict mode (or
/// a limit in either mode) raises `QueryError`.
#[pyfunction]
#[pyo3(signature = (text, strict = false))]
fn parse_query(py: Python<'_>, text: &str, strict: bool) -> PyResult<Option<String>> {
    use specsearch_core::query::{parse, ParseMode};
    let mode = if strict {
        ParseMode::Strict
    } else {
        ParseMode::Lenient
    };
    run_detached(py, || Ok(parse(text, mode)?.map(|tree| tree.to_string())))
}

/// Near-duplicate fingerprints of files (`specsearch.dedup`), computed in
/// parallel with the GIL released: one list of 128 bins (`None` for an empty
/// bin) per file, or `None` for a file that cannot be read or has no words.
#[pyfunction]
#[pyo3(signature = (paths, max_file_bytes = 64 * 1024 * 1024))]
fn fingerprint_files(
    py: Python<'_>,
    paths: Vec<String>,
    max_file_bytes: u64,
) -> PyResult<Vec<Option<Vec<Option<u32>>>>> {
    run_detached(py, move || {
        let paths: Vec<&Path> = paths.iter().map(Path::new).collect();
        Ok(specsearch_core::dedup::fingerprint_files(
            &paths,
            max_file_bytes,
        ))
    })
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ANALYZER", specsearch_core::analysis::ANALYZER_NAME)?;
    // The schema, from its one Rust definition: `specsearch.schema` is
    // checked against these by the test suite.
    let schema = specsearch_core::Schema::default();
    m.add(
        "FIELDS",
        PyTuple::new(m.py(), Field::ALL.map(Field::as_str))?,
    )?;
    m.add(
        "DEFAULT_WEIGHTS",
        PyTuple::new(m.py(), specsearch_core::DEFAULT_WEIGHTS)?,
    )?;
    m.add("K1", schema.k1)?;
    m.add("B", schema.b)?;
    m.add_function(wrap_pyfunction!(parse_query, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint_files, m)?)?;
    m.add_class::<PyIndex>()?;
    m.add_class::<PyOpenJob>()?;
    m.add_class::<PyTopDocs>()?;
    m.add_class::<PyBatchTopDocs>()?;
    m.add_class::<IndexBuffers>()?;
    embed::register(m)?;
    Ok(())
}
