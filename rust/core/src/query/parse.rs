//! The query parser (SPEC.md §11), in four linear passes:
//!
//! 1. **lex**: code points → tokens (words with their sign, field and
//!    suffix; phrases; parentheses; operators), recording the lexical
//!    problems (unbalanced `"`, empty `""`, `NAME:` or `:` with nothing
//!    after, `*`/`~` with no word, a distance over 2);
//! 2. **balance**: match parentheses (an unbalanced `)` is dropped, an
//!    unclosed `(` closed at the end, an empty group dropped) and enforce
//!    the depth limit;
//! 3. **operators**: an `AND`, `OR` or `NOT` with nothing to apply to
//!    becomes a word;
//! 4. **build**: the tree, with an explicit stack of open groups.
//!
//! Every repair is recorded as a problem; strict mode raises the leftmost.

use super::{is_name_char, is_name_start, Leaf, Occur, ParseMode, Query};
use crate::error::{Error, Result};

/// The longest query, in code points.
pub const MAX_QUERY_CHARS: usize = 16_384;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 32;

/// Whitespace: U+0000–U+0020 (control characters and the space) and
/// U+007F–U+009F (the other control characters, category Cc).
fn is_space(c: char) -> bool {
    let c = u32::from(c);
    c <= 0x20 || (0x7F..=0x9F).contains(&c)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    And,
    Or,
    Not,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::And => "AND",
            Op::Or => "OR",
            Op::Not => "NOT",
        }
    }
}

#[derive(Debug)]
enum Token {
    /// A word or phrase, with its `+`/`-` mark.
    Leaf {
        sign: Option<Occur>,
        node: Query,
    },
    /// `(`, with the mark and field written before it.
    Open {
        sign: Option<Occur>,
        field: Option<String>,
        position: usize,
    },
    Close {
        position: usize,
    },
    Op {
        op: Op,
        position: usize,
    },
}

/// A syntax problem that lenient mode repaired.
struct Problem {
    position: usize,
    message: String,
}

/// One character of a word: escaped characters are never syntax.
#[derive(Clone, Copy)]
struct Elem {
    ch: char,
    escaped: bool,
    position: usize,
}

impl Elem {
    fn is(self, c: char) -> bool {
        !self.escaped && self.ch == c
    }
}

fn text(elems: &[Elem]) -> String {
    elems.iter().map(|e| e.ch).collect()
}

struct Lexer<'a> {
    chars: &'a [char],
    tokens: Vec<Token>,
    problems: Vec<Problem>,
}

impl Lexer<'_> {
    fn problem(&mut self, position: usize, message: impl Into<String>) {
        self.problems.push(Problem {
            position,
            message: message.into(),
        });
    }

    fn leaf(&mut self, sign: Option<Occur>, node: Query) {
        self.tokens.push(Token::Leaf { sign, node });
    }

    fn run(&mut self) {
        let mut i = 0;
        while let Some(&c) = self.chars.get(i) {
            i = match c {
                c if is_space(c) => i + 1,
                '(' => {
                    self.tokens.push(Token::Open {
                        sign: None,
                        field: None,
                        position: i,
                    });
                    i + 1
                }
                ')' => {
                    self.tokens.push(Token::Close { position: i });
                    i + 1
                }
                '"' => self.phrase(i, None, None, i),
                _ => self.word(i),
            };
        }
    }

    /// Lexes the phrase whose `"` is at `quote`; returns the next index.
    fn phrase(
        &mut self,
        quote: usize,
        sign: Option<Occur>,
        field: Option<String>,
        position: usize,
    ) -> usize {
        let start = quote + 1;
        let rest = self.chars.get(start..).unwrap_or_default();
        let (end, next) = if let Some(k) = rest.iter().position(|&c| c == '"') {
            (start + k, start + k + 1)
        } else {
            self.problem(quote, "the phrase opened here is never closed");
            (self.chars.len(), self.chars.len())
        };
        let body: String = self
            .chars
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .collect();
        if body.is_empty() {
            if end < self.chars.len() {
                self.problem(quote, "empty phrase");
            }
        } else {
            self.leaf(
                sign,
                Query::Phrase(Leaf {
                    text: body,
                    field,
                    position,
                }),
            );
        }
        next
    }

    /// After a word that ends right before `(` or `"` and is only a mark
    /// and/or a field prefix: the group or phrase it applies to.
    fn attach(
        &mut self,
        at: usize,
        sign: Option<Occur>,
        field: Option<String>,
        position: usize,
    ) -> usize {
        if self.chars.get(at) == Some(&'(') {
            self.tokens.push(Token::Open {
                sign,
                field,
                position: at,
            });
            at + 1
        } else {
            self.phrase(at, sign, field, position)
        }
    }

    /// Lexes the word starting at `start`; returns the next index.
    fn word(&mut self, start: usize) -> usize {
        let chars = self.chars;
        let mut elems = Vec::new();
        let mut j = start;
        while let Some(&c) = chars.get(j) {
            if c == '\\' && chars.get(j + 1).is_some_and(|&n| !is_space(n)) {
                elems.push(Elem {
                    ch: chars[j + 1],
                    escaped: true,
                    position: j,
                });
                j += 2;
            } else if is_space(c) || matches!(c, '(' | ')' | '"') {
                break;
            } else {
                elems.push(Elem {
                    ch: c,
                    escaped: false,
                    position: j,
                });
                j += 1;
            }
        }
        let attaches = matches!(chars.get(j), Some('(' | '"'));

        if elems.iter().all(|e| !e.escaped) {
            let op = match text(&elems).as_str() {
                "AND" => Some(Op::And),
                "OR" => Some(Op::Or),
                "NOT" => Some(Op::Not),
                _ => None,
            };
            if let Some(op) = op {
                self.tokens.push(Token::Op {
                    op,
                    position: start,
                });
                return j;
            }
        }

        let mut rest: &[Elem] = &elems;
        let mut sign = None;
        if let Some(first) = rest.first() {
            if (first.is('+') || first.is('-')) && (rest.len() > 1 || attaches) {
                sign = Some(if first.ch == '+' {
                    Occur::Must
                } else {
                    Occur::MustNot
                });
                rest = &rest[1..];
            }
        }
        let Some(first) = rest.first().copied() else {
            return self.attach(j, sign, None, j);
        };

        let mut field = None;
        if let Some(colon) = field_colon(rest) {
            let name = text(&rest[..colon]);
            let after = &rest[colon + 1..];
            if !after.is_empty() {
                field = Some(name);
                rest = after;
            } else if attaches {
                return self.attach(j, sign, Some(name), first.position);
            } else {
                self.problem(
                    rest[colon].position,
                    format!("field '{name}' has nothing after ':'"),
                );
                self.leaf(sign, Query::Term(Leaf::new(text(rest), first.position)));
                return j;
            }
        } else if rest.len() == 1 && first.is(':') {
            self.problem(first.position, "':' has nothing to apply to");
            self.leaf(sign, Query::Term(Leaf::new(":", first.position)));
            return j;
        }

        let node = self.suffix(rest, field, first.position);
        self.leaf(sign, node);
        j
    }

    /// The leaf of a word's text after its mark and field: a trailing `*`
    /// makes a prefix, `~` or `~d` a fuzzy word (`rest` is not empty).
    fn suffix(&mut self, rest: &[Elem], field: Option<String>, position: usize) -> Query {
        enum Kind {
            Term,
            Prefix,
            Fuzzy(u8),
        }
        let n = rest.len();
        let last = rest[n - 1];
        let (kind, body) = if last.is('*') || last.is('~') {
            if n > 1 {
                let kind = if last.ch == '*' {
                    Kind::Prefix
                } else {
                    Kind::Fuzzy(2)
                };
                (kind, &rest[..n - 1])
            } else {
                let message = format!("'{}' has no word before it", last.ch);
                self.problem(last.position, message);
                (Kind::Term, rest)
            }
        } else if n >= 2 && rest[n - 2].is('~') && !last.escaped && last.ch.is_ascii_digit() {
            let distance = last.ch as u8 - b'0';
            if n == 2 {
                self.problem(rest[0].position, "'~' has no word before it");
                (Kind::Term, rest)
            } else if distance > 2 {
                self.problem(last.position, "the fuzzy distance is over 2");
                (Kind::Term, rest)
            } else {
                (Kind::Fuzzy(distance), &rest[..n - 2])
            }
        } else {
            (Kind::Term, rest)
        };
        let leaf = Leaf {
            text: text(body),
            field,
            position,
        };
        match kind {
            Kind::Term => Query::Term(leaf),
            Kind::Prefix => Query::Prefix(leaf),
            Kind::Fuzzy(distance) => Query::Fuzzy(leaf, distance),
        }
    }
}

/// The index of the `:` ending a `NAME` of unescaped characters at the
/// start of `elems`, if any.
fn field_colon(elems: &[Elem]) -> Option<usize> {
    let first = elems.first()?;
    if first.escaped || !is_name_start(first.ch) {
        return None;
    }
    let end = elems
        .iter()
        .position(|e| e.escaped || !is_name_char(e.ch))?;
    elems[end].is(':').then_some(end)
}

/// Pass 2: matches parentheses, drops unbalanced `)` and empty groups,
/// closes unclosed `(` at the end, and enforces [`MAX_DEPTH`].
fn balance(
    tokens: Vec<Token>,
    query: &str,
    len: usize,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Token>> {
    fn open_position(token: Option<&Token>) -> usize {
        match token {
            Some(Token::Open { position, .. }) => *position,
            _ => 0,
        }
    }
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut open: Vec<usize> = Vec::new();
    for token in tokens {
        match token {
            Token::Open { position, .. } => {
                if open.len() >= MAX_DEPTH {
                    return Err(Error::Query {
                        query: query.to_owned(),
                        position,
                        message: format!("parentheses nest deeper than {MAX_DEPTH} levels"),
                    });
                }
                open.push(out.len());
                out.push(token);
            }
            Token::Close { position } => match open.pop() {
                None => problems.push(Problem {
                    position,
                    message: "unbalanced ')'".into(),
                }),
                Some(at) if at + 1 == out.len() => {
                    let position = open_position(out.pop().as_ref());
                    problems.push(Problem {
                        position,
                        message: "empty group".into(),
                    });
                }
                Some(_) => out.push(token),
            },
            _ => out.push(token),
        }
    }
    while let Some(at) = open.pop() {
        problems.push(Problem {
            position: open_position(out.get(at)),
            message: "'(' is never closed".into(),
        });
        if at + 1 == out.len() {
            out.pop();
        } else {
            out.push(Token::Close { position: len });
        }
    }
    Ok(out)
}

/// Pass 3: an operator with nothing to apply to becomes a word. `NOT` needs
/// something after it in its group; `AND` and `OR` also need an operand
/// (a word, a phrase or a group) right before them.
fn operators(tokens: Vec<Token>, problems: &mut Vec<Problem>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        let Token::Op { op, position } = token else {
            out.push(token);
            continue;
        };
        let right = iter
            .peek()
            .is_some_and(|next| !matches!(next, Token::Close { .. }));
        let left = matches!(out.last(), Some(Token::Leaf { .. } | Token::Close { .. }));
        if right && (op == Op::Not || left) {
            out.push(token);
        } else {
            problems.push(Problem {
                position,
                message: format!("'{}' has nothing to apply to", op.name()),
            });
            out.push(Token::Leaf {
                sign: None,
                node: Query::Term(Leaf::new(op.name(), position)),
            });
        }
    }
    out
}

/// An `expr` being built: one per open group, plus the query itself.
struct Frame {
    /// The mark of the group (from `+(`, `-(` or a `NOT` before it).
    occur: Occur,
    /// The field of an enclosing `NAME:(…)`, given to leaves without one.
    field: Option<String>,
    /// The finished `and`s.
    clauses: Vec<(Occur, Query)>,
    /// The `and` being built.
    chain: Vec<(Occur, Query)>,
    /// The last token was an `AND` operator.
    after_and: bool,
    /// A `NOT` operator waits for its operand.
    negate: bool,
}

impl Frame {
    fn new(occur: Occur, field: Option<String>) -> Self {
        Frame {
            occur,
            field,
            clauses: Vec::new(),
            chain: Vec::new(),
            after_and: false,
            negate: false,
        }
    }

    /// The occurrence of the next unary, given its own mark.
    fn occur(&self, sign: Option<Occur>) -> Occur {
        if self.negate {
            Occur::MustNot
        } else {
            sign.unwrap_or(Occur::Should)
        }
    }

    fn push(&mut self, occur: Occur, node: Query) {
        if !self.after_and {
            self.flush();
        }
        self.chain.push((occur, node));
        self.after_and = false;
        self.negate = false;
    }

    fn flush(&mut self) {
        match self.chain.len() {
            0 => {}
            1 => self.clauses.extend(self.chain.pop()),
            _ => {
                let children = self
                    .chain
                    .drain(..)
                    .map(|(occur, node)| match occur {
                        Occur::Should => node,
                        _ => Query::Or(vec![(occur, node)]),
                    })
                    .collect();
                self.clauses.push((Occur::Should, Query::And(children)));
            }
        }
    }

    fn finish(mut self) -> Option<Query> {
        self.flush();
        if self.clauses.len() == 1 && self.clauses[0].0 == Occur::Should {
            return self.clauses.pop().map(|(_, node)| node);
        }
        (!self.clauses.is_empty()).then_some(Query::Or(self.clauses))
    }
}

/// Pass 4: the tree.
fn build(tokens: Vec<Token>) -> Option<Query> {
    let mut stack = vec![Frame::new(Occur::Should, None)];
    for token in tokens {
        let Some(top) = stack.last_mut() else {
            break;
        };
        match token {
            Token::Leaf { sign, mut node } => {
                if let (Some(field), Some(leaf)) = (&top.field, node.leaf_mut()) {
                    if leaf.field.is_none() {
                        leaf.field = Some(field.clone());
                    }
                }
                top.push(top.occur(sign), node);
            }
            Token::Open { sign, field, .. } => {
                let occur = top.occur(sign);
                top.negate = false;
                let field = field.or_else(|| top.field.clone());
                stack.push(Frame::new(occur, field));
            }
            Token::Close { .. } => {
                if stack.len() > 1 {
                    if let Some(frame) = stack.pop() {
                        let occur = frame.occur;
                        if let (Some(node), Some(parent)) = (frame.finish(), stack.last_mut()) {
                            parent.push(occur, node);
                        }
                    }
                }
            }
            Token::Op { op, .. } => match op {
                Op::And => top.after_and = true,
                Op::Or => top.after_and = false,
                Op::Not => top.negate = true,
            },
        }
    }
    // `balance` closed every group; fold any left over all the same.
    while stack.len() > 1 {
        if let Some(frame) = stack.pop() {
            let occur = frame.occur;
            if let (Some(node), Some(parent)) = (frame.finish(), stack.last_mut()) {
                parent.push(occur, node);
            }
        }
    }
    stack.pop().and_then(Frame::finish)
}

/// Parses `query` into a tree; `None` is the empty tree (an empty query, or
/// only whitespace, or, in lenient mode, only dropped parts).
///
/// In [`ParseMode::Lenient`] every syntax problem is repaired; in
/// [`ParseMode::Strict`] the leftmost is an [`Error::Query`] at its
/// code-point position. In both modes a query longer than
/// [`MAX_QUERY_CHARS`] code points or nesting parentheses deeper than
/// [`MAX_DEPTH`] is an error (checked before any syntax problem).
pub fn parse(query: &str, mode: ParseMode) -> Result<Option<Query>> {
    let chars: Vec<char> = query.chars().collect();
    if chars.len() > MAX_QUERY_CHARS {
        return Err(Error::Query {
            query: query.to_owned(),
            position: MAX_QUERY_CHARS,
            message: format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        });
    }
    let mut lexer = Lexer {
        chars: &chars,
        tokens: Vec::new(),
        problems: Vec::new(),
    };
    lexer.run();
    let Lexer {
        tokens,
        mut problems,
        ..
    } = lexer;
    let tokens = balance(tokens, query, chars.len(), &mut problems)?;
    let tokens = operators(tokens, &mut problems);
    if mode == ParseMode::Strict {
        let mut leftmost: Option<Problem> = None;
        for problem in problems {
            if leftmost
                .as_ref()
                .is_none_or(|best| problem.position < best.position)
            {
                leftmost = Some(problem);
            }
        }
        if let Some(Problem { position, message }) = leftmost {
            return Err(Error::Query {
                query: query.to_owned(),
                position,
                message,
            });
        }
    }
    Ok(build(tokens))
}
