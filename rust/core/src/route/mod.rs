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

//!
//! Layering: `route` sits above `search` and reads indexes through the
//! same `Source` trait; [`RouteIndex`] adds routing to every [`SearchIndex`].

pub mod hybrid;
pub mod rank;
pub mod request;
pub mod tables;

use rayon::prelude::*;

pub use hybrid::route_hybrid;
use rank::{explain_source, route_source};
pub use rank::{Contribution, RouteExplanation};
pub use request::{analyze_request, RequestAnalysis, RequestTerm, EMPTY_REQUEST};
pub use tables::{FieldParams, RouteParams, Tables, ROUTING_JSON};

use crate::error::Result;
use crate::index::{DiskIndex, MemoryIndex};
use crate::search::{SearchIndex, TopDocs};

/// An index that routes requests in natural language (both kinds of index).
pub trait RouteIndex: SearchIndex {
    /// The `k` best docs for a request, never parsed as query syntax; ties
    /// by doc id, as `search`.
    ///
    /// # Errors
    /// [`crate::Error::Query`] for an empty request (white space only);
    /// [`crate::Error::Format`] when an on-disk index turns out corrupt.
    fn route(&self, request: &str, k: usize) -> Result<TopDocs>;

    /// [`RouteIndex::route`] for each request, in parallel, in order; a
    /// failing request fails only its own row.
    fn route_many(&self, requests: &[String], k: usize) -> Vec<Result<TopDocs>> {
        requests.par_iter().map(|r| self.route(r, k)).collect()
    }

    /// What a request became, and why each of `ids` ranks (its
    /// contributions, largest first; none for an id that did not match).
    ///
    /// # Errors
    /// As [`RouteIndex::route`].
    fn route_explain(&self, request: &str, ids: &[u32]) -> Result<RouteExplanation>;

    /// The on-disk index, when this is one (what only it keeps: stored
    /// document vectors).
    fn as_disk(&self) -> Option<&DiskIndex> {
        None
    }
}

impl RouteIndex for MemoryIndex {
    fn route(&self, request: &str, k: usize) -> Result<TopDocs> {
        route_source(self, request, k)
    }

    fn route_explain(&self, request: &str, ids: &[u32]) -> Result<RouteExplanation> {
        explain_source(self, request, ids)
    }
}

impl RouteIndex for DiskIndex {
    fn route(&self, request: &str, k: usize) -> Result<TopDocs> {
        self.guard_reads(|| route_source(self, request, k))
    }

    fn route_explain(&self, request: &str, ids: &[u32]) -> Result<RouteExplanation> {
        self.guard_reads(|| explain_source(self, request, ids))
    }

    fn as_disk(&self) -> Option<&DiskIndex> {
        Some(self)
    }
}
