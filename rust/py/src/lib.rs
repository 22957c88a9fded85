//! `specsearch._native`: thin `PyO3` bindings over `specsearch-core`.
//!
//! This crate only converts values, manages lifetimes, releases the GIL
//! around real work and maps errors (all in `errors.rs`). It holds no engine
//! logic. Result arrays reach Python without a copy: a [`PyTopDocs`] owns the
//! Rust buffers and is the numpy arrays' base object.

// PyO3 extracts Python arguments into owned Rust values; taking them by
// reference is not an option for `#[pymethods]` arguments like `Vec<u32>`.
#![allow(clippy::needless_pass_by_value)]

mod errors;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use numpy::ndarray::Array1;
use numpy::PyArray1;
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;

use specsearch_core::{BuildOptions, MemoryIndex, TopDocs};

/// One problem with one file: `(path, line or None, message)`.
type ProblemTuple = (String, Option<u32>, String);

/// Runs engine work with the GIL released, turning a panic into a Python
/// exception instead of letting it unwind into the interpreter.
fn run_detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, specsearch_core::error::Error> + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(work))) {
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

/// An in-memory index over a tree of specs.
#[pyclass(name = "Index", module = "specsearch._native", frozen)]
struct PyIndex {
    /// `None` once closed. Searches clone the `Arc`, so closing never
    /// invalidates a search that is already running.
    inner: RwLock<Option<Arc<MemoryIndex>>>,
}

impl PyIndex {
    fn get(&self, py: Python<'_>) -> PyResult<Arc<MemoryIndex>> {
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
    #[pyo3(signature = (roots, *, max_file_bytes = 64 * 1024 * 1024, threads = 0))]
    fn build(
        py: Python<'_>,
        roots: Vec<PathBuf>,
        max_file_bytes: u64,
        threads: usize,
    ) -> PyResult<(Self, Vec<ProblemTuple>)> {
        let options = BuildOptions {
            max_file_bytes,
            threads,
        };
        let (index, problems) = run_detached(py, || MemoryIndex::build(&roots, &options))?;
        let problems = problems
            .into_iter()
            .map(|p| (p.path, p.line, p.message))
            .collect();
        let handle = Self {
            inner: RwLock::new(Some(Arc::new(index))),
        };
        Ok((handle, problems))
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
    fn search(&self, py: Python<'_>, query: String, k: usize) -> PyResult<PyTopDocs> {
        let index = self.get(py)?;
        let top = run_detached(py, move || index.search(&query, k))?;
        Ok(top.into())
    }

    /// `(path, name, description)` of each doc id, in order.
    fn docs(&self, py: Python<'_>, ids: Vec<u32>) -> PyResult<Vec<(String, String, String)>> {
        let index = self.get(py)?;
        ids.iter()
            .map(|&id| {
                index
                    .doc(id)
                    .map(|d| (d.path.clone(), d.name.clone(), d.description.clone()))
                    .ok_or_else(|| {
                        PyIndexError::new_err(format!(
                            "doc id {id} out of range (the index has {} docs)",
                            index.num_docs()
                        ))
                    })
            })
            .collect()
    }

    /// The first line of each doc's file that holds a term of `query`.
    fn snippets(
        &self,
        py: Python<'_>,
        ids: Vec<u32>,
        query: String,
    ) -> PyResult<Vec<Option<(u32, String)>>> {
        let index = self.get(py)?;
        let num_docs = index.num_docs();
        if let Some(bad) = ids.iter().find(|&&id| id >= num_docs) {
            return Err(PyIndexError::new_err(format!(
                "doc id {bad} out of range (the index has {num_docs} docs)"
            )));
        }
        let found = run_detached(py, move || index.snippets(&ids, &query))?;
        Ok(found
            .into_iter()
            .map(|s| s.map(|s| (s.line, s.text)))
            .collect())
    }

    /// Releases the index. Further use raises `IndexStateError`.
    fn close(&self) {
        *self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ANALYZER", specsearch_core::analysis::ANALYZER_NAME)?;
    m.add_class::<PyIndex>()?;
    m.add_class::<PyTopDocs>()?;
    Ok(())
}
