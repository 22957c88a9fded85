//! The hybrid route: the lexical route of this module beside the request's
//! encoding (`crate::embed`), fused with one round of feedback
//! ([`route_scores`]).

use crate::embed::{route_scores, Encoder, Feedback, Fused};
use crate::error::Result;

use super::RouteIndex;

/// The hybrid route of `request`: the lexical route over every spec of
/// `index` and the request's encoding run side by side (rayon), then
/// [`route_scores`] over the document vectors `docs` (rows of `dim`, in doc
/// id order): the [`Fused`] parts of every spec and the cosines they were
/// fused from.
///
/// # Errors
/// As [`RouteIndex::route`] and [`route_scores`].
pub fn route_hybrid(
    index: &dyn RouteIndex,
    encoder: &Encoder,
    docs: &[f32],
    dim: usize,
    request: &str,
    alpha: f32,
    feedback: Feedback,
) -> Result<(Fused, Vec<f32>)> {
    let rows = docs.len().checked_div(dim).unwrap_or(0);
    let (lexical, query) = rayon::join(
        || index.route(request, rows),
        || encoder.embed(&[request], None),
    );
    let lexical = lexical?;
    route_scores(
        docs,
        dim,
        &query,
        &lexical.doc_ids,
        &lexical.scores,
        alpha,
        feedback,
    )
}
