//! The standard library written in rlmsh's own Scheme (`stdlib/*.scm`, compiled into the
//! binary) and its documentation, which lives in the same source: a top-level definition
//! documents itself with a string right after its name or pattern,
//!
//! ```scheme
//! (define (tree-reduce fn items #:branch-factor [bf 5]) "Reduces ITEMS ..." body ...)
//! (define-syntax-rule (thunk body ...) "A procedure of no arguments ..." (lambda () body ...))
//! (define-syntax try "Evaluates EXPR ..." (syntax-rules ...))
//! ```
//!
//! The loader takes the string out before it evaluates the form, and the same parse gives
//! `,doc`, `,apropos` and the library section of BUILTINS.md their text.

use std::sync::OnceLock;

use crate::error::{Span, R};
use crate::reader::{read_all, Datum, DatumKind};
use crate::value::print::write_string;
use crate::value::Value;

/// The library files, in load order.
pub const STDLIB: &[(&str, &str)] = &[
    ("stdlib/base.scm", include_str!("../../stdlib/base.scm")),
    ("stdlib/combinators.scm", include_str!("../../stdlib/combinators.scm")),
    ("stdlib/streams.scm", include_str!("../../stdlib/streams.scm")),
];

/// The documentation of one library definition.
pub struct Entry {
    pub name: String,
    /// How a call looks: `(tree-reduce fn items #:branch-factor [bf 5] ...)`.
    pub signature: String,
    pub doc: String,
}

/// A top-level form of a library file, its documentation taken out.
pub struct Definition {
    pub form: Datum,
    pub doc: Option<Entry>,
}

/// The forms of one library file, ready to evaluate.
pub fn definitions(file: &str, src: &str) -> R<Vec<Definition>> {
    let forms = read_all(src, Span::register_file(file))?;
    Ok(forms.into_iter().map(split_doc).collect())
}

/// Every documented library definition, sorted by name.
pub fn docs() -> &'static [Entry] {
    static DOCS: OnceLock<Vec<Entry>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut all: Vec<Entry> = STDLIB
            .iter()
            .flat_map(|(file, src)| definitions(file, src).unwrap_or_default())
            .filter_map(|d| d.doc)
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    })
}

pub fn lookup(name: &str) -> Option<&'static Entry> {
    docs().iter().find(|e| e.name == name)
}

/// Takes the documentation string out of a definition that has one. A procedure whose body is
/// only a string returns that string: it is no documentation.
fn split_doc(form: Datum) -> Definition {
    let undocumented = |form| Definition { form, doc: None };
    let Some(items) = form.as_list() else { return undocumented(form) };
    let (Some(definer), Some(header), Some(doc)) = (items.first().and_then(Datum::as_symbol), items.get(1), items.get(2)) else {
        return undocumented(form);
    };
    let DatumKind::Atom(Value::Str(doc)) = &doc.kind else { return undocumented(form) };
    let signature = match (definer.name(), &header.kind) {
        ("define", DatumKind::List(_) | DatumKind::Dotted(..)) if items.len() > 3 => call_shape(header),
        ("define", DatumKind::Symbol(name)) if items.len() == 4 => name.name().to_string(),
        ("define-syntax-rule", DatumKind::List(_)) if items.len() == 4 => call_shape(header),
        ("define-syntax", DatumKind::Symbol(name)) if items.len() == 4 => syntax_rules_shape(name.name(), &items[3]),
        _ => return undocumented(form),
    };
    let name = match &header.kind {
        DatumKind::List(parts) | DatumKind::Dotted(parts, _) => parts.first().and_then(Datum::as_symbol),
        _ => header.as_symbol(),
    };
    let Some(name) = name else { return undocumented(form) };
    let entry = Entry { name: name.name().to_string(), signature, doc: doc.to_string() };
    let mut kept = items.to_vec();
    kept.remove(2);
    Definition { form: Datum::list(kept, form.span), doc: Some(entry) }
}

/// The first pattern of a `syntax-rules` transformer with the macro's name for `_`.
fn syntax_rules_shape(name: &str, transformer: &Datum) -> String {
    let pattern = transformer
        .as_list()
        .filter(|t| t.first().is_some_and(|h| h.is_symbol("syntax-rules")))
        .and_then(|t| t.get(2))
        .and_then(Datum::as_list)
        .and_then(|clause| clause.first());
    match pattern.and_then(Datum::as_list) {
        Some([_, rest @ ..]) => {
            let parts: Vec<String> = std::iter::once(name.to_string()).chain(rest.iter().map(|p| shape(p, false))).collect();
            format!("({})", parts.join(" "))
        }
        _ => name.to_string(),
    }
}

/// A procedure header or macro pattern as written, optional arguments in brackets.
fn call_shape(header: &Datum) -> String {
    match &header.kind {
        DatumKind::List(parts) => format!("({})", parts.iter().map(|p| shape(p, true)).collect::<Vec<_>>().join(" ")),
        DatumKind::Dotted(parts, rest) => {
            format!("({} . {})", parts.iter().map(|p| shape(p, true)).collect::<Vec<_>>().join(" "), shape(rest, false))
        }
        _ => shape(header, false),
    }
}

fn shape(d: &Datum, bracket_lists: bool) -> String {
    match &d.kind {
        DatumKind::Symbol(s) => s.name().to_string(),
        DatumKind::Atom(v) => write_string(v),
        DatumKind::List(items) if items.len() == 2 && items[0].is_symbol("quote") => format!("'{}", shape(&items[1], false)),
        DatumKind::List(items) => {
            let inner = items.iter().map(|i| shape(i, false)).collect::<Vec<_>>().join(" ");
            if bracket_lists { format!("[{inner}]") } else { format!("({inner})") }
        }
        DatumKind::Dotted(items, rest) => {
            format!("({} . {})", items.iter().map(|i| shape(i, false)).collect::<Vec<_>>().join(" "), shape(rest, false))
        }
        DatumKind::Vector(items) => format!("#({})", items.iter().map(|i| shape(i, false)).collect::<Vec<_>>().join(" ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name a top-level definition binds.
    fn defined_name(form: &Datum) -> Option<String> {
        let mut target = form.as_list()?.get(1)?;
        while let DatumKind::List(parts) | DatumKind::Dotted(parts, _) = &target.kind {
            target = parts.first()?;
        }
        target.as_symbol().map(|s| s.name().to_string())
    }

    fn parse(src: &str) -> Definition {
        definitions("test", src).unwrap_or_else(|e| panic!("{}", e.report())).remove(0)
    }

    #[test]
    fn every_public_definition_has_a_one_line_doc_and_no_builtin_name() {
        for (file, src) in STDLIB {
            for d in definitions(file, src).unwrap_or_else(|e| panic!("{file}: {}", e.report())) {
                let name = defined_name(&d.form).unwrap_or_else(|| panic!("{file}: a top-level form that defines nothing"));
                if name.starts_with('%') {
                    continue;
                }
                let entry = d.doc.unwrap_or_else(|| panic!("{file}: {name} has no doc string"));
                assert_eq!(entry.name, name);
                assert!(entry.doc.len() > 10 && !entry.doc.contains('\n'), "{file}: {name}: the doc must be one line");
                assert!(crate::builtins::lookup(&name).is_none(), "{file}: {name} is also a builtin");
            }
        }
    }

    #[test]
    fn signatures_show_optional_and_keyword_arguments() {
        let shape_of = |src: &str| parse(src).doc.map(|e| e.signature);
        assert_eq!(shape_of(r#"(define (f a [b 2] #:k [k 'x] . rest) "Doc." a)"#).as_deref(), Some("(f a [b 2] #:k [k 'x] . rest)"));
        assert_eq!(shape_of(r#"(define-syntax-rule (m x ...) "Doc." (list x ...))"#).as_deref(), Some("(m x ...)"));
        assert_eq!(
            shape_of(r#"(define-syntax t "Doc." (syntax-rules (on) [(_ e on h) (h e)]))"#).as_deref(),
            Some("(t e on h)")
        );
        assert_eq!(shape_of(r#"(define v "Doc." 5)"#).as_deref(), Some("v"));
    }

    #[test]
    fn a_string_that_is_the_whole_body_is_no_doc() {
        let d = parse(r#"(define (f) "the result")"#);
        assert!(d.doc.is_none());
        assert_eq!(d.form.as_list().map(<[Datum]>::len), Some(3));
    }

    #[test]
    fn the_doc_is_taken_out_of_the_evaluated_form() {
        let d = parse(r#"(define (f x) "Doc." (* x 2))"#);
        assert_eq!(d.form.as_list().map(<[Datum]>::len), Some(3));
        assert_eq!(d.doc.map(|e| e.doc).as_deref(), Some("Doc."));
    }
}
