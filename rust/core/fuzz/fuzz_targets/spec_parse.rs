//! Any bytes as a spec file: parsing never panics (the caught-panic fallback
//! would say "internal error"), and every problem names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specsearch_core::spec::parse_spec;

fuzz_target!(|data: &[u8]| {
    let (spec, problems) = parse_spec("fuzz.md", data);
    for p in &problems {
        assert_eq!(p.path, "fuzz.md");
        assert!(!p.message.contains("internal error"), "{}", p.message);
    }
    assert!(!spec.name.is_empty());
});
