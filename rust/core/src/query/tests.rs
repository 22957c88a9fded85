use super::*;
use crate::error::Error;
use proptest::prelude::*;

/// The canonical form of the lenient parse (`""` for the empty tree).
fn lenient(q: &str) -> String {
    parse(q, ParseMode::Lenient)
        .expect("lenient parse")
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The canonical form of the strict parse, or the error's position and message.
fn strict(q: &str) -> std::result::Result<String, (usize, String)> {
    match parse(q, ParseMode::Strict) {
        Ok(tree) => Ok(tree.map(|t| t.to_string()).unwrap_or_default()),
        Err(Error::Query {
            position, message, ..
        }) => Err((position, message)),
        Err(other) => panic!("unexpected error {other}"),
    }
}

fn strict_pos(q: &str) -> usize {
    strict(q).expect_err("strict should fail").0
}

fn tree(q: &str) -> Query {
    parse(q, ParseMode::Strict)
        .expect("strict parse")
        .expect("non-empty")
}

/// Leaf texts and positions in query order.
fn positions(q: &str) -> Vec<(String, usize)> {
    parse(q, ParseMode::Lenient)
        .expect("lenient")
        .map(|t| {
            t.leaves()
                .into_iter()
                .map(|l| (l.text.clone(), l.position))
                .collect()
        })
        .unwrap_or_default()
}

fn term(text: &str) -> Query {
    Query::Term(Leaf::new(text, 0))
}

// --- grammar ---------------------------------------------------------------
//
// The printed form of every grammar rule and repair, in both modes, is a
// shared vector (tests/vectors/query.json, run by rust/core/tests/vectors.rs
// and by pytest for the Python engine); the tests here check tree shapes.

#[test]
fn query_empty() {
    for q in ["", " ", "\t\n\r\x0b\x0c", "\u{0}\u{1f}\u{7f}\u{85}\u{9f}"] {
        assert_eq!(parse(q, ParseMode::Lenient).unwrap(), None);
        assert_eq!(parse(q, ParseMode::Strict).unwrap(), None);
    }
}

#[test]
fn query_juxtaposition_and_or() {
    assert_eq!(
        tree("a b"),
        Query::Or(vec![(Occur::Should, term("a")), (Occur::Should, term("b"))])
    );
    assert_eq!(tree("a"), term("a"));
}

#[test]
fn query_and_binds_tighter() {
    assert_eq!(
        tree("a AND b AND c"),
        Query::And(vec![term("a"), term("b"), term("c")])
    );
    assert_eq!(
        tree("a b AND c"),
        Query::Or(vec![
            (Occur::Should, term("a")),
            (Occur::Should, Query::And(vec![term("b"), term("c")])),
        ])
    );
}

#[test]
fn query_not_and_marks() {
    assert_eq!(tree("-a"), Query::Or(vec![(Occur::MustNot, term("a"))]));
    assert_eq!(
        tree("a AND NOT b"),
        Query::And(vec![
            term("a"),
            Query::Or(vec![(Occur::MustNot, term("b"))])
        ])
    );
    // Marks do not stack: the outermost wins.
    assert_eq!(tree("+-a"), Query::Or(vec![(Occur::Must, term("-a"))]));
}

#[test]
fn query_groups() {
    assert_eq!(
        tree("-(-a)"),
        Query::Or(vec![(
            Occur::MustNot,
            Query::Or(vec![(Occur::MustNot, term("a"))])
        )])
    );
}

#[test]
fn query_fields() {
    assert_eq!(
        tree("title:foo"),
        Query::Term(Leaf::with_field("foo", "title", 0))
    );
    // Unknown fields parse; planning decides whether they exist.
    assert_eq!(
        tree("foo:bar"),
        Query::Term(Leaf::with_field("bar", "foo", 0))
    );
    // Only the first colon counts.
    assert_eq!(tree("a:b:c"), Query::Term(Leaf::with_field("b:c", "a", 0)));
    // Not a NAME: a plain word.
    assert_eq!(tree("é:b"), term("é:b"));
}

#[test]
fn query_phrases() {
    assert_eq!(tree("\"a b\""), Query::Phrase(Leaf::new("a b", 0)));
}

#[test]
fn query_suffixes() {
    assert_eq!(tree("foo*"), Query::Prefix(Leaf::new("foo", 0)));
    assert_eq!(tree("foo~"), Query::Fuzzy(Leaf::new("foo", 0), 2));
    assert_eq!(tree("foo~0"), Query::Fuzzy(Leaf::new("foo", 0), 0));
    assert_eq!(tree("foo**"), Query::Prefix(Leaf::new("foo*", 0)));
}

#[test]
fn query_escapes() {
    assert_eq!(tree("\\AND"), term("AND"));
    assert_eq!(tree("A\\ND"), term("AND"));
    assert_eq!(tree("\\-a"), term("-a"));
    assert_eq!(tree("a\\:b"), term("a:b"));
    assert_eq!(tree("foo\\*"), term("foo*"));
    assert_eq!(tree("a\\(b\\)"), term("a(b)"));
    // A backslash before whitespace or at the end is itself.
    assert_eq!(tree("a\\"), term("a\\"));
}

#[test]
fn query_positions_are_code_points() {
    assert_eq!(positions("é a"), vec![("é".into(), 0), ("a".into(), 2)]);
    assert_eq!(
        positions("𝔸 title:x"),
        vec![("𝔸".into(), 0), ("x".into(), 2)]
    );
    assert_eq!(
        positions("-\"p q\" +f:\"r\""),
        vec![("p q".into(), 1), ("r".into(), 8)]
    );
    assert_eq!(
        positions("x:(a  b)"),
        vec![("a".into(), 3), ("b".into(), 6)]
    );
    assert_eq!(
        positions("\\-a NOT b*"),
        vec![("-a".into(), 0), ("b".into(), 8)]
    );
    assert_eq!(
        positions("AND x:"),
        vec![("AND".into(), 0), ("x:".into(), 4)]
    );
    assert_eq!(strict_pos("日本 AND"), 3);
}

#[test]
fn query_strict_reports_the_leftmost_problem() {
    assert_eq!(strict_pos("(a \"b"), 0);
    assert_eq!(strict_pos("a) \"b"), 1);
    assert_eq!(strict_pos("AND (x"), 0);
    assert_eq!(strict_pos("a b c ) x:"), 6);
}

// --- limits ----------------------------------------------------------------

#[test]
fn query_limits() {
    let long = "a".repeat(MAX_QUERY_CHARS);
    assert_eq!(lenient(&long), long);
    let too_long = "é ".repeat(MAX_QUERY_CHARS / 2) + "x";
    for mode in [ParseMode::Lenient, ParseMode::Strict] {
        match parse(&too_long, mode) {
            Err(Error::Query { position, .. }) => assert_eq!(position, MAX_QUERY_CHARS),
            other => panic!("{other:?}"),
        }
    }
    let deep = "(".repeat(MAX_DEPTH) + "a" + &")".repeat(MAX_DEPTH);
    assert_eq!(strict(&deep), Ok("a".into()));
    let too_deep = "(".repeat(MAX_DEPTH + 1) + "a";
    for mode in [ParseMode::Lenient, ParseMode::Strict] {
        match parse(&too_deep, mode) {
            Err(Error::Query {
                position, message, ..
            }) => {
                assert_eq!(position, MAX_DEPTH);
                assert_eq!(message, "parentheses nest deeper than 32 levels");
            }
            other => panic!("{other:?}"),
        }
    }
    // The limit counts real parentheses only, and is checked first.
    let quoted = "\"".to_owned() + &"(".repeat(100) + "\"";
    assert!(strict(&quoted).is_ok());
    let escaped = "\\(".repeat(100);
    assert!(strict(&escaped).is_ok());
    let unbalanced = ")".repeat(100) + &"(".repeat(MAX_DEPTH) + "a";
    assert_eq!(strict_pos(&unbalanced), 0);
    let late = ") ".to_owned() + &"(".repeat(MAX_DEPTH + 1);
    assert_eq!(strict_pos(&late), 2 + MAX_DEPTH);
}

#[test]
fn query_ten_thousand_characters() {
    let words = "word ".repeat(2_000);
    assert_eq!(words.chars().count(), 10_000);
    assert_eq!(lenient(&words), words.trim_end());
    let nots = "NOT ".repeat(2_500);
    assert_eq!(lenient(&nots), "-NOT");
    let mixed = "(a AND \"b ) x:".repeat(700);
    let printed = lenient(&mixed);
    assert_eq!(strict(&printed), Ok(printed.clone()));
    let quotes = "\"".repeat(10_000);
    assert_eq!(lenient(&quotes), "");
    let ands = "AND ".repeat(2_500);
    let printed = lenient(&ands);
    assert!(printed.starts_with("\\AND AND \\AND"));
}

// --- properties ------------------------------------------------------------

/// Query-like text: words, marks, fields, operators, groups, quotes,
/// suffixes, escapes, control characters and other Unicode.
fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            "a", "foo", "Bar", "AND", "OR", "NOT", "and", "(", ")", "\"", "+", "-", "*", "~", "~1",
            "~3", ":", "x:", "title:", "\\", "\\(", " ", "  ", "\t", "\n", "\u{0}", "\u{85}", "é",
            "日本", "🦀", "\u{a0}", "1", "2", "_", ".", "a.b-c:",
        ])
        .prop_map(String::from),
        "[a-zA-Z0-9 :()\"*~+\\-\\\\]{1,4}".prop_map(String::from),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![query_text(), any::<String>()]
}

/// Arbitrary normalised trees whose texts are printable.
fn arb_tree() -> impl Strategy<Value = Query> {
    let field = prop::option::of("[A-Za-z_][A-Za-z0-9_.-]{0,3}");
    let word = prop_oneof![
        "[a-z]{1,3}",
        prop::sample::select(vec![
            "AND", "OR", "NOT", "-", "+", ":", "*", "~", "~1", "\\"
        ])
        .prop_map(String::from),
        "[a-z+\\-:*~0-9\\\\()\"é]{1,5}",
        "[^\\x00-\\x20\\x7F-\\x{9F}]{1,3}",
    ];
    let phrase_text = "[^\"]{1,6}";
    let leaf = prop_oneof![
        (word.clone(), field.clone()).prop_map(|(t, f)| Query::Term(Leaf {
            text: t,
            field: f,
            position: 0
        })),
        (phrase_text, field.clone()).prop_map(|(t, f)| Query::Phrase(Leaf {
            text: t,
            field: f,
            position: 0
        })),
        (word.clone(), field.clone()).prop_map(|(t, f)| Query::Prefix(Leaf {
            text: t,
            field: f,
            position: 0
        })),
        (word, field, 0u8..=2).prop_map(|(t, f, d)| Query::Fuzzy(
            Leaf {
                text: t,
                field: f,
                position: 0
            },
            d
        )),
    ];
    let occur = prop_oneof![Just(Occur::Should), Just(Occur::Must), Just(Occur::MustNot)];
    leaf.prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec((occur.clone(), inner.clone()), 1..4).prop_map(|mut clauses| {
                if clauses.len() == 1 && clauses[0].0 == Occur::Should {
                    clauses[0].0 = Occur::Must;
                }
                Query::Or(clauses)
            }),
            prop::collection::vec(inner, 2..4).prop_map(Query::And),
        ]
    })
}

/// 2,000 cases, or `PROPTEST_CASES` when set (for longer runs).
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 2_000;
    }
    config
}

proptest! {
    #![proptest_config(config())]

    /// (a) Any string parses in lenient mode (the limits aside) and never panics.
    #[test]
    fn query_prop_lenient_never_fails(q in any_text()) {
        match parse(&q, ParseMode::Lenient) {
            Ok(_) => {}
            Err(Error::Query { message, .. }) => prop_assert!(message.contains("nest deeper")),
            Err(other) => prop_assert!(false, "{other}"),
        }
        let _ = parse(&q, ParseMode::Strict);
    }

    /// (b) Printing a parsed tree and parsing it strictly gives it back.
    #[test]
    fn query_prop_print_parse_roundtrip(q in any_text()) {
        if let Ok(Some(t)) = parse(&q, ParseMode::Lenient) {
            let printed = t.to_string();
            let again = parse(&printed, ParseMode::Strict);
            prop_assert!(matches!(&again, Ok(Some(u)) if *u == t), "{q:?} → {printed:?} → {again:?}");
            // A strict parse of the input, when it succeeds, gives the same tree.
            if let Ok(s) = parse(&q, ParseMode::Strict) {
                prop_assert_eq!(s, Some(t));
            }
        }
    }

    /// (c) A random tree printed and parsed gives itself back.
    #[test]
    fn query_prop_tree_roundtrip(t in arb_tree()) {
        let printed = t.to_string();
        let again = parse(&printed, ParseMode::Strict);
        prop_assert!(matches!(&again, Ok(Some(u)) if *u == t), "{t:?} → {printed:?} → {again:?}");
        prop_assert_eq!(again.unwrap().unwrap().to_string(), printed);
    }
}
