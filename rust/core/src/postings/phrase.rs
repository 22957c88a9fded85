//! What a phrase matcher reads of one doc (SPEC.md §5): the term
//! frequency and positions of each of the phrase's distinct terms, the
//! positions decoded only when asked for.

/// The phrase's distinct terms in one doc that holds them all.
pub(crate) trait DocTerms {
    /// The term frequency of term `j` in the doc (at least 1).
    fn tf(&self, j: usize) -> u32;

    /// Appends term `j`'s positions in the doc to `out`, ascending: at
    /// least every position up to `until` (the list may stop after the
    /// first one above it). Called at most once per term and doc.
    ///
    /// # Errors
    /// [`crate::Error::Format`] when the positions are corrupt.
    fn positions(&mut self, j: usize, until: u64, out: &mut Vec<u32>) -> crate::error::Result<()>;
}
