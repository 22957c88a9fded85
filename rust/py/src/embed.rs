//! Bindings of the semantic arm (`specsearch_core::embed`): the sentence
//! encoder and the score fusion. Values are converted here; the work runs in
//! the core with the GIL released.

use std::path::PathBuf;
use std::sync::Arc;

use numpy::ndarray::Array2;
use numpy::PyArray2;
use pyo3::buffer::PyBuffer;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use specsearch_core::embed::half::{f16_bits, f16_to_f32};
use specsearch_core::embed::{
    document_texts_of_file, fuse, route_scores, top_k, Encoder, Feedback,
};

use specsearch_core::route::route_hybrid;

use crate::{run_detached, PyIndex};

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

    /// Unit-length embeddings of `texts` as float16 little-endian bytes, row
    /// after row (the rows of a `.vectors` file; no numpy involved).
    #[pyo3(signature = (texts, max_tokens = None))]
    fn embed_f16<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        max_tokens: Option<usize>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let encoder = Arc::clone(&self.inner);
        let bytes = run_detached(py, move || {
            Ok(encoder
                .embed(&texts, max_tokens)
                .into_iter()
                .flat_map(|v| f16_bits(v).to_le_bytes())
                .collect::<Vec<u8>>())
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The document vectors of specs given by their `(long, summary)` texts
    /// (`Encoder::embed_text_pairs`) as float16 little-endian bytes, row
    /// after row (the rows of a `.vectors` file; no numpy involved).
    fn embed_documents_f16<'py>(
        &self,
        py: Python<'py>,
        pairs: Vec<(String, String)>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let encoder = Arc::clone(&self.inner);
        let bytes = run_detached(py, move || {
            let pairs: Vec<[String; 2]> = pairs.into_iter().map(|(a, b)| [a, b]).collect();
            Ok(encoder
                .embed_text_pairs(&pairs)
                .into_iter()
                .flat_map(|v| f16_bits(v).to_le_bytes())
                .collect::<Vec<u8>>())
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The hybrid route of `request` over `index` and `matrix`'s document
    /// vectors: `(ids, fused, lexical, semantic, cosine)` of the `k` best,
    /// best first. The lexical route over every spec and the request's
    /// encoding run side by side (rayon), then
    /// `specsearch_core::embed::route_scores` with feedback `tau` and `beta`
    /// and `top_k`; the cosines are the moved request's. GIL released.
    #[allow(
        clippy::too_many_arguments,
        reason = "the fusion's inputs, as the numpy path takes them"
    )]
    #[pyo3(signature = (request, index, matrix, alpha, tau, beta, k))]
    fn route_hybrid(
        &self,
        py: Python<'_>,
        request: String,
        index: &PyIndex,
        matrix: &PyDocMatrix,
        alpha: f32,
        tau: f32,
        beta: f32,
        k: usize,
    ) -> PyResult<RouteParts> {
        let encoder = Arc::clone(&self.inner);
        let index = index.get(py)?;
        let docs = Arc::clone(&matrix.rows);
        let dim = matrix.dim;
        if dim != encoder.dim() {
            return Err(PyValueError::new_err(format!(
                "document vectors have {dim} dimensions, the encoder {}",
                encoder.dim()
            )));
        }
        run_detached(py, move || {
            let (fused, cosine) = route_hybrid(
                index.as_ref(),
                &encoder,
                &docs,
                dim,
                &request,
                alpha,
                Feedback { tau, beta },
            )?;
            let best = top_k(&fused.fused, k.min(cosine.len()));
            let pick =
                |v: &[f32]| -> Vec<f32> { best.iter().map(|&(i, _)| v[i as usize]).collect() };
            Ok((
                best.iter().map(|&(i, _)| i).collect(),
                best.iter().map(|&(_, s)| s).collect(),
                pick(&fused.lexical),
                pick(&fused.semantic),
                pick(&cosine),
            ))
        })
    }
}

/// `(ids, fused, lexical, semantic, cosine)` of the best hits of a hybrid route.
type RouteParts = (Vec<u32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>);

/// Document vectors read once from float16 rows (a `.vectors` file's
/// matrix) into f32, for [`PyEncoder::route_hybrid`].
#[pyclass(name = "DocMatrix", module = "specsearch._native", frozen)]
struct PyDocMatrix {
    rows: Arc<Vec<f32>>,
    dim: usize,
}

#[pymethods]
impl PyDocMatrix {
    /// `rows × dim` float16 little-endian values of `data` (any buffer: bytes,
    /// an mmap) from byte `offset`.
    #[new]
    fn new(data: &Bound<'_, PyAny>, offset: usize, rows: usize, dim: usize) -> PyResult<Self> {
        let buffer = PyBuffer::<u8>::get(data)?;
        let bytes = buffer.to_vec(data.py())?;
        let end = rows
            .checked_mul(dim)
            .and_then(|n| n.checked_mul(2))
            .and_then(|n| n.checked_add(offset))
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "{rows} x {dim} float16 values from byte {offset} exceed {} bytes",
                    bytes.len()
                ))
            })?;
        let rows = bytes[offset..end]
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect();
        Ok(Self {
            rows: Arc::new(rows),
            dim,
        })
    }

    fn __len__(&self) -> usize {
        self.rows.len() / self.dim.max(1)
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

/// `(lexical, semantic, fused, cosine)` per document.
type RouteScores = (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>);

/// [`fuse_scores`] after one round of feedback: `(lexical, semantic, fused,
/// cosine)` per document of `vectors` (rows of `dim`) for the request vector
/// `query` (see `specsearch_core::embed::route_scores`).
#[pyfunction]
#[pyo3(name = "route_scores")]
#[allow(
    clippy::too_many_arguments,
    reason = "the fusion's inputs, as the numpy path takes them"
)]
fn route_scores_of(
    py: Python<'_>,
    vectors: Vec<f32>,
    dim: usize,
    query: Vec<f32>,
    lex_ids: Vec<u32>,
    lex_scores: Vec<f32>,
    alpha: f32,
    tau: f32,
    beta: f32,
) -> PyResult<RouteScores> {
    if dim == 0 || !vectors.len().is_multiple_of(dim) || query.len() != dim {
        return Err(PyValueError::new_err(format!(
            "{} vector values and a query of {} for {dim} dimensions",
            vectors.len(),
            query.len()
        )));
    }
    let (fused, cosine) = run_detached(py, move || {
        route_scores(
            &vectors,
            dim,
            &query,
            &lex_ids,
            &lex_scores,
            alpha,
            Feedback { tau, beta },
        )
    })?;
    Ok((fused.lexical, fused.semantic, fused.fused, cosine))
}

/// The document texts (long, summary) of each `(path, name, description)`:
/// the spec file read again and parsed, or its name and description when it
/// cannot be read (`specsearch_core::embed::document_texts_of_file`), GIL
/// released.
#[pyfunction]
fn document_texts(
    py: Python<'_>,
    docs: Vec<(String, String, String)>,
) -> PyResult<Vec<(String, String)>> {
    run_detached(py, move || {
        Ok(docs
            .iter()
            .map(|(path, name, description)| {
                let [long, summary] = document_texts_of_file(path, name, description);
                (long, summary)
            })
            .collect())
    })
}

/// Adds the semantic arm's classes and functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEncoder>()?;
    m.add_class::<PyEmbeddings>()?;
    m.add_class::<PyDocMatrix>()?;
    m.add_function(wrap_pyfunction!(fuse_scores, m)?)?;
    m.add_function(wrap_pyfunction!(route_scores_of, m)?)?;
    m.add_function(wrap_pyfunction!(document_texts, m)?)?;
    Ok(())
}
