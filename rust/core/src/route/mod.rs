//! Routing a request in natural language to the specs that should handle it
//! (README, *Routing*; the reference is `python/specsearch/pure/route.py`).
//!
//! Three steps, each a module:
//! - [`tables`]: the shared data file `python/specsearch/data/routing.json`
//!   (filler patterns, stop words, generic words and the tuned parameters),
//!   compiled in with `include_str!` so both engines read the same bytes;
//! - [`request`]: the request becomes ranking words (filler and stop words
//!   removed; never query syntax);
//! - [`rank`]: per-field BM25 with its own weight, `k1` and `b`, one IDF per
//!   word over whole docs, word weights from the corpus (generic words count
//!   less) and prefix matches of name words.
//!
//! Scores are `f64`, summed word by word and field by field in the order of
//! the Python reference, so both engines agree bit for bit; hits are ranked
//! by the `f32` score, then doc id, as `search` does.

pub mod rank;
pub mod request;
pub mod tables;

pub use rank::{Contribution, RouteExplanation};
pub(crate) use rank::{explain_source, route_source};
pub use request::{analyze_request, RequestAnalysis, RequestTerm};
pub use tables::{FieldParams, RouteParams, Tables, ROUTING_JSON};
