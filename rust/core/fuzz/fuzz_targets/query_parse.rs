//! Any UTF-8 input: both modes never panic; lenient fails only on the
//! limits; the printed tree parses back, strictly, to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use specsearch_core::query::{parse, ParseMode, MAX_QUERY_CHARS};
use specsearch_core::Error;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse(text, ParseMode::Strict);
    match parse(text, ParseMode::Lenient) {
        Ok(Some(tree)) => {
            let printed = tree.to_string();
            if printed.chars().count() <= MAX_QUERY_CHARS {
                let again = parse(&printed, ParseMode::Strict).expect("printed form parses");
                assert_eq!(again.as_ref(), Some(&tree), "{text:?} -> {printed:?}");
                assert_eq!(again.map(|t| t.to_string()), Some(printed));
            }
        }
        Ok(None) => {}
        Err(Error::Query { message, .. }) => {
            assert!(
                message.contains("deeper") || message.contains("longer"),
                "{message}"
            );
        }
        Err(other) => panic!("{other}"),
    }
});
