//! Bindings of the semantic arm (`specsearch_core::embed`): the sentence
//! encoder and the score fusion. Values are converted here; the work runs in
//! the core with the GIL released.

use std::path::PathBuf;
use std::sync::Arc;

use numpy::ndarray::Array2;
use numpy::PyArray2;
use pyo3::prelude::*;
use specsearch_core::embed::{fuse, Encoder};

use crate::run_detached;

/// A sentence encoder loaded from a sentence-transformers folder.
#[pyclass(name = "Encoder", module = "specsearch._native", frozen)]
struct PyEncoder {
    inner: Arc<Encoder>,
}

#[pymethods]
impl PyEncoder {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let inner = run_detached(py, || Encoder::load(&path))?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The width of an embedding.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// The most tokens a text is truncated to, `[CLS]` and `[SEP]` included.
    #[getter]
    fn max_tokens(&self) -> usize {
        self.inner.max_tokens()
    }

    /// Token ids of `text`, `[CLS]` first and `[SEP]` last.
    #[pyo3(signature = (text, max_tokens = None))]
    fn tokenize(&self, text: &str, max_tokens: Option<usize>) -> Vec<u32> {
        self.inner.tokenize(text, max_tokens)
    }

    /// Unit-length embeddings of `texts`, computed over rayon with the GIL released.
    #[pyo3(signature = (texts, max_tokens = None))]
    fn embed(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        max_tokens: Option<usize>,
    ) -> PyResult<PyEmbeddings> {
        let encoder = Arc::clone(&self.inner);
        let dim = encoder.dim();
        let rows = texts.len();
        let data = run_detached(py, move || Ok(encoder.embed(&texts, max_tokens)))?;
        let data = Array2::from_shape_vec((rows, dim), data)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(PyEmbeddings { data })
    }
}

/// Embeddings in a Rust-owned `(n, dim)` float32 buffer.
#[pyclass(name = "Embeddings", module = "specsearch._native", frozen)]
struct PyEmbeddings {
    data: Array2<f32>,
}

#[pymethods]
impl PyEmbeddings {
    fn __len__(&self) -> usize {
        self.data.nrows()
    }

    /// The embeddings as a numpy `(n, dim)` float32 array whose base is this object.
    fn array<'py>(slf: &Bound<'py, Self>) -> Bound<'py, PyArray2<f32>> {
        let container = slf.clone().into_any();
        // SAFETY: `data` is never mutated or moved after construction (frozen
        // pyclass), and `container` keeps its owner alive for the array's
        // whole life.
        unsafe { PyArray2::borrow_from_array(&slf.get().data, container) }
    }
}

/// Fuses BM25F hits with a cosine per document: `(lexical, semantic, fused)`
/// per document (see `specsearch_core::embed::fuse`).
#[pyfunction]
#[pyo3(name = "fuse")]
fn fuse_scores(
    py: Python<'_>,
    lex_ids: Vec<u32>,
    lex_scores: Vec<f32>,
    cosine: Vec<f32>,
    alpha: f32,
) -> PyResult<(Vec<f32>, Vec<f32>, Vec<f32>)> {
    let fused = run_detached(py, move || fuse(&lex_ids, &lex_scores, &cosine, alpha))?;
    Ok((fused.lexical, fused.semantic, fused.fused))
}

/// Adds the semantic arm's classes and functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEncoder>()?;
    m.add_class::<PyEmbeddings>()?;
    m.add_function(wrap_pyfunction!(fuse_scores, m)?)?;
    Ok(())
}
