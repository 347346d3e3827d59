//! YAML text to a position-marked [`Node`] tree, with limits that keep hostile input bounded.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::model::decode::{Node, NodeKind};
use crate::problem::Mark;

/// How deep collections may nest; real specs need about ten levels.
pub const MAX_DEPTH: usize = 64;
/// How many nodes aliases may expand to in one file, which defuses "billion laughs".
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A problem that stops a file from being read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub mark: Mark,
    pub message: String,
}

fn mark(m: &Marker) -> Mark {
    Mark { line: m.line(), column: m.col() + 1 }
}

enum Open {
    Seq { mark: Mark, anchor: usize, items: Vec<Node> },
    Map { mark: Mark, anchor: usize, entries: Vec<(Node, Node)>, key: Option<Node> },
}

/// Parses every document in `text`; an empty document yields `None`.
pub fn parse_documents(text: &str) -> Result<Vec<Option<Node>>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut alias_budget = MAX_ALIAS_NODES;
    let mut root: Option<Node> = None;
    loop {
        let (event, m) = parser.next_token().map_err(|e| SyntaxError {
            mark: mark(e.marker()),
            message: if e.info().contains("recursion limit") {
                // The scanner counts flow levels before any event reaches the depth check below.
                format!("nesting is deeper than the parser allows (acgw allows {MAX_DEPTH} levels)")
            } else {
                format!("invalid YAML: {}", e.info())
            },
        })?;
        let at = mark(&m);
        let complete: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::Nothing => None,
            Event::DocumentStart => {
                root = None;
                None
            }
            Event::DocumentEnd => {
                // An empty document parses as a null scalar; it declares nothing.
                docs.push(root.take().filter(|n| !n.is_null()));
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let plain = style == TScalarStyle::Plain && !forced_string;
                Some((Node { mark: at, kind: NodeKind::Scalar { value, plain } }, anchor))
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        mark: at,
                        message: format!("nesting is deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq { mark: at, anchor, items: Vec::new() }
                } else {
                    Open::Map { mark: at, anchor, entries: Vec::new(), key: None }
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq { mark, anchor, items }) => Some((Node { mark, kind: NodeKind::Seq(items) }, anchor)),
                _ => return Err(SyntaxError { mark: at, message: "unbalanced sequence".into() }),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map { mark, anchor, entries, .. }) => {
                    let entries = apply_merge_keys(entries)?;
                    // A block mapping's start event points past its first key; the key is where it begins.
                    let mark = entries.first().map_or(mark, |(k, _)| k.mark.min(mark));
                    Some((Node { mark, kind: NodeKind::Map(entries) }, anchor))
                }
                _ => return Err(SyntaxError { mark: at, message: "unbalanced mapping".into() }),
            },
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(SyntaxError { mark: at, message: "alias to an unknown anchor".into() });
                };
                let size = count_nodes(target);
                if size > alias_budget {
                    return Err(SyntaxError {
                        mark: at,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing to expand further"
                        ),
                    });
                }
                alias_budget -= size;
                let mut copy = target.clone();
                copy.mark = at;
                Some((copy, 0))
            }
        };
        let Some((node, anchor)) = complete else { continue };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => {
                    if !matches!(node.kind, NodeKind::Scalar { .. }) {
                        return Err(SyntaxError { mark: node.mark, message: "mapping keys must be strings".into() });
                    }
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.as_scalar() == node.as_scalar()) {
                        return Err(SyntaxError {
                            mark: node.mark,
                            message: format!(
                                "duplicate key `{}` (first defined at line {}, column {})",
                                node.as_scalar().unwrap_or_default(),
                                first.mark.line,
                                first.mark.column
                            ),
                        });
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(docs)
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.kind {
            NodeKind::Scalar { .. } => {}
            NodeKind::Seq(items) => todo.extend(items),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    count
}

/// Resolves YAML merge keys (`<<: *defaults`): explicit keys win over merged ones.
fn apply_merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, SyntaxError> {
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(entries);
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if !is_merge_key(&k) {
            own.push((k, v));
            continue;
        }
        let sources = match v.kind {
            NodeKind::Map(_) => vec![v],
            NodeKind::Seq(items) => items,
            _ => {
                return Err(SyntaxError {
                    mark: v.mark,
                    message: "a merge key `<<` needs a mapping or a list of mappings".into(),
                })
            }
        };
        for source in sources {
            let NodeKind::Map(source_entries) = source.kind else {
                return Err(SyntaxError {
                    mark: source.mark,
                    message: "a merge key `<<` needs a mapping or a list of mappings".into(),
                });
            };
            merged.extend(source_entries);
        }
    }
    for (k, v) in merged {
        let taken = own.iter().any(|(o, _)| o.as_scalar() == k.as_scalar());
        if !taken {
            own.push((k, v));
        }
    }
    Ok(own)
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&k.kind, NodeKind::Scalar { value, plain: true } if value == "<<")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_documents(text).expect("parses").remove(0).expect("non-empty")
    }

    #[test]
    fn marks_are_one_based_lines_and_columns() {
        let n = one("a:\n  b: c\n");
        let b = n.get("a").and_then(|a| a.get("b")).expect("a.b");
        assert_eq!(b.mark, Mark { line: 2, column: 6 });
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let e = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.mark.line, 3);
        assert!(e.message.contains("first defined at line 1, column 1"), "{}", e.message);
    }

    #[test]
    fn quoted_scalars_are_not_plain() {
        let n = one("a: 'true'\nb: true\n");
        assert!(matches!(n.get("a").unwrap().kind, NodeKind::Scalar { plain: false, .. }));
        assert!(matches!(n.get("b").unwrap().kind, NodeKind::Scalar { plain: true, .. }));
    }

    #[test]
    fn several_documents_and_empty_ones() {
        let docs = parse_documents("a: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[1].is_none());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse_documents(&text).unwrap_err();
        assert!(e.message.contains("nesting is deeper than"), "{}", e.message);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
        }
        let e = parse_documents(&text).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{}", e.message);
    }

    #[test]
    fn merge_keys_fill_in_without_overriding() {
        let n = one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = n.get("m").unwrap();
        assert_eq!(m.get("x").and_then(Node::as_scalar), Some("1"));
        assert_eq!(m.get("y").and_then(Node::as_scalar), Some("3"));
    }
}
