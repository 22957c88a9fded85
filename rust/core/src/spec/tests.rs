//! Unit tests of spec parsing.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::*;

fn parse(text: &str) -> (Spec, Vec<Problem>) {
    parse_spec("dir/agent.md", text.as_bytes())
}

#[test]
fn fenced_frontmatter_and_fields() {
    let (s, p) = parse(
        "---\nname: Kube Helper\ndescription: Deploys things.\\nTwice.\ntools: [Read, Write]\nmodel: sonnet\n---\n# Title\nSome body.\n## Usage\nMore.\n",
    );
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(s.name, "Kube Helper");
    assert_eq!(s.description, "Deploys things.\nTwice.");
    assert_eq!(
        s.frontmatter,
        [
            ("tools".to_owned(), "Read\nWrite".to_owned()),
            ("model".to_owned(), "sonnet".to_owned())
        ]
    );
    assert_eq!(
        s.field_text(Field::Frontmatter),
        "tools\nRead\nWrite\nmodel\nsonnet"
    );
    assert_eq!(s.headings, "Title\nUsage");
    assert_eq!(s.body, "Some body.\nMore.\n");
}

#[test]
fn crlf_bom_and_invalid_utf8() {
    let mut bytes = b"\xEF\xBB\xBF---\r\nname: x\r\n---\r\nbody \xFF line\r\n".to_vec();
    let (s, p) = parse_spec("a.md", &bytes);
    assert!(p.is_empty());
    assert_eq!(s.name, "x");
    assert_eq!(s.body, "body \u{FFFD} line\n");
    bytes.clear();
    assert_eq!(decode(b"\xEF\xBB\xBF\xEF\xBB\xBFa"), "\u{FEFF}a");
    assert_eq!(
        lines("a\r\nb\n\r\n").collect::<Vec<_>>(),
        ["a", "b", "", ""]
    );
}

#[test]
fn bare_frontmatter() {
    let (s, p) = parse("name: bare-skill\ndescription: A bare one\nversion: 1\n\n# Head\ntext");
    assert!(p.is_empty());
    assert_eq!(s.name, "bare-skill");
    assert_eq!(s.description, "A bare one");
    assert_eq!(s.frontmatter, [("version".to_owned(), "1".to_owned())]);
    assert_eq!(s.headings, "Head");
    assert_eq!(s.body, "text");
    // `name:` must be at column 0.
    let (s, _) = parse(" name: nope\n\nx");
    assert_eq!(s.name, "agent");
    assert!(s.body.contains("name: nope"));
}

#[test]
fn unterminated_frontmatter() {
    let (s, p) = parse("---\nname: x\ndescription: y\n# Head");
    assert_eq!(
        p,
        [Problem::at_line(
            "dir/agent.md",
            1,
            "frontmatter opened at line 1 is never closed"
        )]
    );
    assert_eq!(s.name, "agent");
    assert!(s.description.is_empty());
    assert_eq!(s.body, "---\nname: x\ndescription: y");
    assert_eq!(s.headings, "Head");
}

#[test]
fn malformed_yaml_falls_back() {
    let text =
        "---\nname: helper\ndescription: Use this. Examples: foo\ncolor: \"blue\"\n---\nbody";
    let (s, p) = parse(text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].line, Some(3));
    assert!(p[0].message.starts_with("invalid YAML frontmatter"));
    assert_eq!(s.name, "helper");
    assert_eq!(s.description, "Use this. Examples: foo");
    assert_eq!(s.frontmatter, [("color".to_owned(), "blue".to_owned())]);
}

#[test]
fn lenient_fallback_keeps_every_character() {
    let text =
        "---\nstray line\nname: 'quoted'\ndescription: first\n  continued: [\nx.y-z :  v\n---\n";
    let (s, p) = parse(text);
    assert_eq!(p.len(), 1);
    assert_eq!(s.name, "quoted");
    assert_eq!(s.description, "first\n  continued: [");
    assert_eq!(
        s.frontmatter,
        [
            (String::new(), "stray line".to_owned()),
            ("x.y-z".to_owned(), "v".to_owned())
        ]
    );
}

#[test]
fn alias_error_line() {
    let (s, p) = parse("---\nname: a\ndescription: *foo bar\n---\n");
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].line, Some(3));
    assert_eq!(s.description, "*foo bar");
}

#[test]
fn tags_are_just_text() {
    let (s, p) = parse("---\nname: t\nrun: !!python/object/apply:os.system [\"echo hi\"]\n---\n");
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(s.frontmatter, [("run".to_owned(), "echo hi".to_owned())]);
}

#[test]
fn alias_bomb_is_cheap() {
    let mut y = String::from("---\nname: bomb\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, cur) = (w[0], w[1]);
        writeln!(
            y,
            "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
        .unwrap();
    }
    y.push_str("---\nbody\n");
    let t = Instant::now();
    let (s, p) = parse(&y);
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(s.name, "bomb");
    let fm = s.field_text(Field::Frontmatter);
    assert_eq!(fm.matches("lol").count(), 9);
    assert!(fm.len() < 200);
}

#[test]
fn deep_nesting_fails_without_overflow() {
    let text = format!("---\nname: deep\nx: {}\n---\nbody", "[".repeat(10_000));
    let (s, p) = parse(&text);
    assert_eq!(p.len(), 1);
    assert_eq!(s.name, "deep");
    assert_eq!(s.frontmatter.len(), 1);
    assert_eq!(s.frontmatter[0].1.len(), 10_000);
    // A depth failure is reported at the first frontmatter line.
    let text = format!(
        "---\nname: deep\nx: {}{}\n---\n",
        "[".repeat(40),
        "]".repeat(40)
    );
    let (_, p) = parse(&text);
    assert_eq!(p[0].line, Some(2));
}

#[test]
fn not_a_mapping() {
    let (s, p) = parse("---\njust a sentence\n---\nbody");
    assert_eq!(p[0].line, Some(2));
    assert!(p[0].message.contains("not a mapping"));
    assert_eq!(
        s.frontmatter,
        [(String::new(), "just a sentence".to_owned())]
    );
}

#[test]
fn name_rules() {
    // Non-scalar or empty names go to the frontmatter entries.
    let (s, _) = parse("---\nname: [a, b]\n---\n");
    assert_eq!(s.name, "agent");
    assert_eq!(s.frontmatter, [("name".to_owned(), "a\nb".to_owned())]);
    let (s, _) = parse("---\nname: \"  \"\nname: second\n---\n");
    assert_eq!(s.name, "second");
    assert_eq!(s.frontmatter.len(), 1);
    // A second description is an entry.
    let (s, _) = parse("---\ndescription: one\ndescription: two\n---\n");
    assert_eq!(s.description, "one");
    assert_eq!(
        s.frontmatter,
        [("description".to_owned(), "two".to_owned())]
    );
}

#[test]
fn name_fallbacks() {
    assert_eq!(fallback_name("a/b/my-agent.md"), "my-agent");
    assert_eq!(fallback_name("a/pdf/SKILL.md"), "pdf");
    assert_eq!(fallback_name("a/pdf/skill.MD"), "pdf");
    // A bare `SKILL.md` (under the default root) gets the current folder's name.
    let cwd = std::env::current_dir().expect("the test runs in a folder");
    let cwd_name = cwd.file_name().expect("not at /").to_string_lossy();
    assert_eq!(fallback_name("SKILL.md"), cwd_name);
    assert_eq!(fallback_name("a/../SKILL.md"), cwd_name);
    assert_eq!(fallback_name("a/./b/SKILL.md"), "b");
    assert_eq!(fallback_name("x/archive.tar.md"), "archive.tar");
    assert_eq!(fallback_name("x/agent"), "agent");
    let (s, _) = parse_spec("skills/docx/SKILL.md", b"# Docx\n");
    assert_eq!(s.name, "docx");
}

#[test]
fn empty_file() {
    let (s, p) = parse_spec("e.md", b"");
    assert!(p.is_empty());
    assert_eq!(s.name, "e");
    assert_eq!(
        s,
        Spec {
            name: "e".into(),
            ..Spec::default()
        }
    );
}

#[test]
fn headings_and_fences() {
    let text = "# Top\n```bash\n# not a heading\n```\n~~~~\n## still code\n~~~\n~~~~  \n   ### Indented\n    # four spaces\n####### seven\n#nospace\n#\n```\nunclosed\n# code";
    let (s, _) = parse(text);
    assert_eq!(s.headings, "Top\nIndented\n");
    assert!(s.body.contains("# not a heading"));
    assert!(s.body.contains("## still code"));
    assert!(s.body.contains("    # four spaces"));
    assert!(s.body.contains("####### seven"));
    assert!(s.body.contains("#nospace"));
    assert!(s.body.ends_with("unclosed\n# code"));
}

#[test]
fn example_requests() {
    let text = "---\nname: e\ndescription: 'Use it. <example>Context: x\\nuser: \"Deploy my app\"\\nassistant: ok</example> <EXAMPLE>\\n**User**: fix the build\\n</Example>'\n---\n<example>\n> User : review this PR  \n- user_: second\nusers: no\nassistant: user: no\n</example>\nuser: outside\n<example>\nuser: unterminated";
    let (s, p) = parse(text);
    assert!(p.is_empty(), "{p:?}");
    assert_eq!(
        s.examples,
        "\"Deploy my app\"\nfix the build\nreview this PR\nsecond\nunterminated"
    );
}

#[test]
fn panics_become_problems() {
    let msg = panic_message(&*catch_unwind(|| panic!("boom")).unwrap_err());
    assert_eq!(msg, "boom");
}

proptest::proptest! {
    /// `lines` is `split('\n')` with a trailing `\r` removed from each line.
    #[test]
    fn lines_split_on_newlines(text in "[a\r\né\n ]{0,40}") {
        let want: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        proptest::prop_assert_eq!(lines(&text).collect::<Vec<_>>(), want);
    }
}
