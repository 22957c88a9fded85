//! The one place where engine errors become Python exceptions.
//!
//! Every variant maps onto a class that `specsearch.errors` defines (or onto a
//! built-in `OSError` subclass for I/O), so the native and the pure-Python
//! backends raise identical types.

use pyo3::call::PyCallArgs;
use pyo3::exceptions::{PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyPermissionError};
use pyo3::prelude::*;
use specsearch_core::error::Error;
use std::any::Any;
use std::io::ErrorKind;

/// Builds an instance of `specsearch.errors.<class_name>` from `args`.
fn specsearch_error<'py, A>(py: Python<'py>, class_name: &str, args: A) -> PyErr
where
    A: PyCallArgs<'py>,
{
    let built = py
        .import("specsearch.errors")
        .and_then(|module| module.getattr(class_name))
        .and_then(|class| class.call1(args));
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

/// Converts an engine error into the matching Python exception.
pub(crate) fn to_py_err(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::Query {
            query,
            position,
            message,
        } => specsearch_error(py, "QueryError", (query, position, message)),
        Error::Schema { field, detail } => specsearch_error(py, "SchemaError", (field, detail)),
        Error::Io { path, source } => {
            let message = source.to_string();
            let filename = path.to_string_lossy().into_owned();
            let errno = source.raw_os_error().unwrap_or(0);
            match source.kind() {
                ErrorKind::NotFound => {
                    PyFileNotFoundError::new_err((errno.max(2), message, filename))
                }
                ErrorKind::PermissionDenied => {
                    PyPermissionError::new_err((errno.max(13), message, filename))
                }
                _ => PyOSError::new_err((errno, message, filename)),
            }
        }
        Error::Format { ref path, .. } => {
            let path = path.to_string_lossy().into_owned();
            specsearch_error(py, "IndexFormatError", (err.to_string(), path))
        }
        Error::Locked { ref path, holder } => {
            let path = path.to_string_lossy().into_owned();
            specsearch_error(py, "IndexLockedError", (err.to_string(), path, holder))
        }
        Error::Model { path, detail } => specsearch_error(
            py,
            "ModelError",
            (path.to_string_lossy().into_owned(), detail),
        ),
        Error::Cancelled => PyKeyboardInterrupt::new_err(err.to_string()),
        // `Error` is non-exhaustive: a variant added later still surfaces as
        // a typed specsearch error rather than a crash.
        other => specsearch_error(py, "SpecsearchError", (other.to_string(),)),
    }
}

/// Converts a caught panic into a `SpecsearchError` that names it as a bug.
pub(crate) fn panic_to_py_err(py: Python<'_>, payload: &(dyn Any + Send)) -> PyErr {
    let detail = payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    specsearch_error(
        py,
        "SpecsearchError",
        (format!(
            "internal error (a bug in specsearch, please report it): {detail}"
        ),),
    )
}

/// The error raised when a closed index is used.
pub(crate) fn closed_error(py: Python<'_>) -> PyErr {
    specsearch_error(py, "IndexStateError", ("the index is closed",))
}

/// The error raised when an `OpenJob` is finished a second time.
pub(crate) fn finished_error(py: Python<'_>) -> PyErr {
    specsearch_error(py, "IndexStateError", ("the open was already finished",))
}
