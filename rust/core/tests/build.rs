//! End-to-end tests: `MemoryIndex::build` over temporary trees.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

mod common;

use std::fs;
use std::path::PathBuf;

use common::write;
use specsearch_core::{
    BuildOptions, Error, Field, MemoryIndex, SearchIndex, SearchOptions, Snippet,
};

fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(
        r,
        "agents/kube.md",
        b"---\nname: kube-deployer\ndescription: 'Deploys to Kubernetes. <example>user: deploy my app to kubernetes</example>'\ntools: Read, Bash\n---\n# Kubernetes deploys\nUse kubectl.\n",
    );
    write(
        r,
        "agents/bad-yaml.md",
        b"---\nname: reviewer\ndescription: Reviews code. Examples: kubernetes manifests\n---\nBody text.\n",
    );
    write(
        r,
        "skills/pdf/SKILL.md",
        b"# PDF tools\nExtract text from PDF files.\n",
    );
    write(r, "skills/binary.md", b"abc\0def");
    write(r, "ignored/x.md", b"kubernetes kubernetes kubernetes");
    write(r, ".gitignore", b"ignored/\n");
    write(
        r,
        "agent-file",
        b"---\nname: extensionless\n---\nkubernetes helper\n",
    );
    write(r, "LICENSE", b"kubernetes license text\n");
    write(r, "notes.txt", b"kubernetes\n");
    dir
}

#[test]
fn build_indexes_specs_and_reports_problems() {
    let dir = corpus();
    let root = dir.path().to_path_buf();
    let (idx, problems) =
        MemoryIndex::build(std::slice::from_ref(&root), &BuildOptions::default()).unwrap();
    let d = root.to_string_lossy().into_owned();
    let paths: Vec<&str> = idx.docs().iter().map(|m| m.path.as_str()).collect();
    let want: Vec<String> = [
        "agent-file",
        "agents/bad-yaml.md",
        "agents/kube.md",
        "skills/pdf/SKILL.md",
    ]
    .iter()
    .map(|p| format!("{d}/{p}"))
    .collect();
    assert_eq!(paths, want);
    let names: Vec<&str> = idx.docs().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["extensionless", "reviewer", "kube-deployer", "pdf"]);

    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].path, format!("{d}/agents/bad-yaml.md"));
    assert_eq!(problems[0].line, Some(3));
    assert_eq!(problems[1].path, format!("{d}/skills/binary.md"));
    assert_eq!(problems[1].line, None);
    assert!(problems[1].message.contains("binary"));

    // The fallback recovered the description of the malformed file.
    assert_eq!(
        idx.doc(1).unwrap().description,
        "Reviews code. Examples: kubernetes manifests"
    );
    let top = SearchIndex::search(&idx, "kubernetes", 10, &SearchOptions::default()).unwrap();
    assert_eq!(top.len(), 3);
    assert_eq!(top.doc_ids[0], 2);
    assert!(top.scores.windows(2).all(|w| w[0] >= w[1]));
    assert!(!top.doc_ids.contains(&3));
    // The examples field holds the user request.
    assert_eq!(
        idx.field(Field::Examples)
            .postings("deploy")
            .unwrap()
            .doc_ids,
        [2]
    );
    assert_eq!(
        SearchIndex::snippets(&idx, &[2], "kubernetes", &SearchOptions::default()).map(|mut v| v.remove(0)).unwrap(),
        Some(Snippet {
            line: 3,
            text: "description: 'Deploys to Kubernetes. <example>user: deploy my app to kubernetes</example>'".into(),
            spans: vec![(25, 35), (69, 79)],
        })
    );
    assert_eq!(
        SearchIndex::snippets(&idx, &[0], "kubernetes", &SearchOptions::default())
            .map(|mut v| v.remove(0))
            .unwrap()
            .unwrap()
            .line,
        4
    );
}

#[test]
fn results_do_not_depend_on_threads() {
    let dir = corpus();
    let roots = vec![dir.path().to_path_buf()];
    let run = |threads| {
        let opts = BuildOptions {
            threads,
            ..BuildOptions::default()
        };
        let (idx, problems) = MemoryIndex::build(&roots, &opts).unwrap();
        let top = SearchIndex::search(&idx, "kubernetes pdf text", 10, &SearchOptions::default())
            .unwrap();
        (idx.docs().to_vec(), problems, top)
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(0));
}

#[test]
fn too_large_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.md", &[b'a'; 100]);
    write(dir.path(), "small.md", b"small");
    let opts = BuildOptions {
        max_file_bytes: 99,
        threads: 1,
        ..BuildOptions::default()
    };
    let (idx, problems) = MemoryIndex::build(&[dir.path().to_path_buf()], &opts).unwrap();
    assert_eq!(idx.num_docs(), 1);
    assert!(idx.doc(0).unwrap().path.ends_with("small.md"));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("larger than max_file_bytes"),
        "{}",
        problems[0].message
    );
}

#[test]
fn missing_root_fails_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let missing: PathBuf = dir.path().join("missing");
    match MemoryIndex::build(&[missing], &BuildOptions::default()) {
        Err(Error::Io { source, .. }) => assert_eq!(source.kind(), std::io::ErrorKind::NotFound),
        other => panic!(
            "expected NotFound, got {:?}",
            other.map(|(i, _)| i.num_docs())
        ),
    }
}

#[test]
fn file_roots_and_snippet_of_a_deleted_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "NOTES", b"kubernetes notes\n");
    let file = dir.path().join("NOTES");
    let (idx, problems) =
        MemoryIndex::build(std::slice::from_ref(&file), &BuildOptions::default()).unwrap();
    assert!(problems.is_empty());
    assert_eq!(idx.num_docs(), 1);
    assert_eq!(idx.doc(0).unwrap().path, file.to_string_lossy());
    assert_eq!(idx.doc(0).unwrap().name, "NOTES");
    assert_eq!(
        SearchIndex::snippets(&idx, &[0], "notes", &SearchOptions::default())
            .map(|mut v| v.remove(0))
            .unwrap()
            .unwrap()
            .line,
        1
    );
    fs::remove_file(&file).unwrap();
    assert_eq!(
        SearchIndex::snippets(&idx, &[0], "notes", &SearchOptions::default())
            .map(|mut v| v.remove(0))
            .unwrap(),
        None
    );
    assert_eq!(
        SearchIndex::search(&idx, "notes", 3, &SearchOptions::default())
            .unwrap()
            .doc_ids,
        [0]
    );
}
