//! Keeps the code's layout easy to see: no import circle of more than three files in a crate (a parent
//! module and its children using each other's types is fine), so a newcomer can read a layer without
//! reading everything above it. Run by `cargo test` (the tests below) on the server and the widget
//! (`src/`); the graph is made from `crate::…` paths in each file, which is how this project writes its imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`a::b`) → the source text of its file.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(src).unwrap().with_extension("");
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    parts.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    parts.pop();
                }
                out.insert(
                    parts.join("::"),
                    std::fs::read_to_string(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

/// Which modules each module names through `crate::` (the longest module path that exists).
fn graph(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in mods {
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut refs = Vec::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + 7..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`
                let inner = &group[..group.find('}').unwrap_or(0)];
                refs.extend(inner.split(',').map(|s| s.trim().to_owned()));
            } else {
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                refs.push(path);
            }
        }
        let deps = g.entry(m.clone()).or_default();
        for r in refs {
            let parts: Vec<&str> = r.split("::").filter(|p| !p.is_empty()).collect();
            for k in (1..=parts.len()).rev() {
                let cand = parts[..k].join("::");
                if mods.contains_key(&cand) {
                    if &cand != m {
                        deps.insert(cand);
                    }
                    break;
                }
            }
        }
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

/// Circles of more than `max` files that are not one parent module with its children.
pub fn too_big_circles(src: &Path, max: usize) -> Vec<Vec<String>> {
    circles(&graph(&modules(src)))
        .into_iter()
        .filter(|c| c.len() > max)
        .filter(|c| {
            !c.iter().any(|root| {
                c.iter()
                    .all(|m| m == root || m.starts_with(&format!("{root}::")))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_circle_and_ignores_parents_with_children() {
        let mods: BTreeMap<String, String> = [
            ("a", "use crate::b::X;"),
            ("b", "use crate::{c, d::e};"),
            ("c", "fn f() { crate::a::g() }"),
            ("d", "use crate::d::e::Y;"),
            ("d::e", "use crate::d::Z; // crate::a in a comment"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let c = circles(&graph(&mods));
        assert!(
            c.contains(&vec!["a".into(), "b".into(), "c".into()]),
            "{c:?}"
        );
        assert!(c.contains(&vec!["d".into(), "d::e".into()]), "{c:?}");
    }

    #[test]
    fn the_server_has_no_import_circle_of_more_than_three_files() {
        let root = crate::root();
        let big = too_big_circles(&root.join("crates/assistant-server/src"), 3);
        assert!(big.is_empty(), "import circles in the server: {big:?}");
    }

    #[test]
    fn the_widget_has_no_import_circle_of_more_than_three_files() {
        let root = crate::root();
        let big = too_big_circles(&root.join("src"), 3);
        assert!(big.is_empty(), "import circles in the widget: {big:?}");
    }

    /// The widget's state lives in values made by `host::mount` (the conversation's `Chat`, and the
    /// I/O handles of `io::Io` it keeps), never in module globals: a test or a second widget then
    /// never shares a queue or a stream by accident, and the owner of each piece is in one place.
    #[test]
    fn the_widget_keeps_no_state_in_module_globals() {
        let root = crate::root();
        let globals: Vec<String> = modules(&root.join("src"))
            .into_iter()
            .filter(|(_, code)| {
                code.lines()
                    .map(str::trim_start)
                    .filter(|l| !l.starts_with("//"))
                    .any(|l| l.contains("thread_local!") || l.starts_with("static mut "))
            })
            .map(|(m, _)| m)
            .collect();
        assert!(
            globals.is_empty(),
            "module globals in the widget: {globals:?}"
        );
    }
}
