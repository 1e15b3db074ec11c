//! Chunk streams: a file or standard input read lazily as lists of up to N lines, so a program
//! can fold over input of any size in constant memory. A stream holds only its reader's buffer;
//! each `next-chunk` reads the next lines, and the file is closed at its end.
//!
//! Lines are split at `\n`; the terminator (and a `\r` before it) is dropped, and bytes that
//! are not UTF-8 become U+FFFD, as log files with stray bytes should not stop a run.

use std::any::Any;
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::rc::Rc;

use crate::builtins::{args, Capability, Primitive};
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::{Opaque, Value};

/// The reader's buffer: large enough that a chunk of long lines takes few reads.
const BUFFER_BYTES: usize = 64 * 1024;

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("file-chunks", 2, 2, file_chunks,
        "Opens PATH as a chunk stream: lists of up to N lines (without terminators), read lazily; iterate it with for or next-chunk.").needs(Capability::Files),
    Primitive::new("stdin-chunks", 1, 1, stdin_chunks,
        "Standard input as a chunk stream of lists of up to N lines, read lazily.").needs(Capability::Files),
    Primitive::new("next-chunk", 1, 1, next_chunk,
        "The next list of up to N lines of a chunk stream, or eof once the input is exhausted."),
    Primitive::new("skip-lines!", 2, 2, skip_lines,
        "Reads and drops the next N lines of a chunk stream; returns how many there were (fewer at the end of the input)."),
    Primitive::new("chunk-stream?", 1, 1, |_, a| Ok(Value::Bool(stream_of(&a[0]).is_some())),
        "Is the value a chunk stream (from file-chunks or stdin-chunks)?"),
    Primitive::new("in-chunks", 1, 1, in_chunks,
        "Returns a chunk stream, for a for clause over a stream held in a variable: (for ([chunk (in-chunks s)]) ...)."),
];

pub struct ChunkStream {
    /// The path, or `stdin`, for printing and error messages.
    source: String,
    lines_per_chunk: usize,
    /// `None` once the input is exhausted (which closes a file).
    reader: RefCell<Option<Box<dyn BufRead>>>,
}

impl Opaque for ChunkStream {
    fn type_name(&self) -> String {
        format!("chunk-stream:{}", self.source)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl ChunkStream {
    fn new_value(source: String, lines_per_chunk: usize, reader: Box<dyn BufRead>) -> Value {
        Value::Opaque(Rc::new(Box::new(ChunkStream {
            source,
            lines_per_chunk,
            reader: RefCell::new(Some(reader)),
        })))
    }

    /// Reads one line into `buf` (cleared first); false at the end of the input, which also
    /// drops the reader.
    fn read_line(&self, who: &str, buf: &mut Vec<u8>) -> R<bool> {
        buf.clear();
        let mut slot = self.reader.borrow_mut();
        let Some(reader) = slot.as_mut() else { return Ok(false) };
        let n = reader.read_until(b'\n', buf).map_err(|e| {
            Error::new(ExnKind::Filesystem, format!("{who}: error reading {}\n  system error: {e}", self.source))
        })?;
        if n == 0 {
            *slot = None;
            return Ok(false);
        }
        Ok(true)
    }

    fn next_chunk(&self) -> R<Value> {
        let mut lines = Vec::with_capacity(self.lines_per_chunk);
        let mut buf = Vec::new();
        while lines.len() < self.lines_per_chunk && self.read_line("next-chunk", &mut buf)? {
            lines.push(Value::string(line_text(&buf)));
        }
        Ok(if lines.is_empty() { Value::Eof } else { Value::list(lines) })
    }

    fn skip(&self, count: u64) -> R<u64> {
        let mut buf = Vec::new();
        let mut skipped = 0;
        while skipped < count && self.read_line("skip-lines!", &mut buf)? {
            skipped += 1;
        }
        Ok(skipped)
    }
}

/// A line's text without its terminator.
fn line_text(bytes: &[u8]) -> String {
    let line = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// The chunk stream inside a value, if it is one.
pub fn stream_of(v: &Value) -> Option<&ChunkStream> {
    match v {
        Value::Opaque(o) => o.as_any().downcast_ref::<ChunkStream>(),
        _ => None,
    }
}

fn stream_arg<'a>(who: &str, v: &'a Value) -> R<&'a ChunkStream> {
    stream_of(v).ok_or_else(|| Error::contract(who, "chunk-stream?", v))
}

fn chunk_size(who: &str, v: &Value) -> R<usize> {
    match args::index(who, v) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::contract(who, "exact-positive-integer?", v)),
    }
}

fn file_chunks(_: &mut Interp, a: &[Value]) -> R<Value> {
    let who = "file-chunks";
    let path = crate::builtins::ports::path_arg(who, &a[0])?;
    let size = chunk_size(who, &a[1])?;
    let file = std::fs::File::open(path)
        .map_err(|e| crate::builtins::ports::filesystem_error(who, "cannot open input file", path, &e))?;
    Ok(ChunkStream::new_value(path.to_string(), size, Box::new(BufReader::with_capacity(BUFFER_BYTES, file))))
}

fn stdin_chunks(_: &mut Interp, a: &[Value]) -> R<Value> {
    let size = chunk_size("stdin-chunks", &a[0])?;
    // Input the program already read ahead (by read-line and friends) comes first.
    let buffered = Cursor::new(crate::builtins::ports::take_buffered_stdin().into_bytes());
    let reader = BufReader::with_capacity(BUFFER_BYTES, buffered.chain(std::io::stdin()));
    Ok(ChunkStream::new_value("stdin".to_string(), size, Box::new(reader)))
}

fn next_chunk(_: &mut Interp, a: &[Value]) -> R<Value> {
    stream_arg("next-chunk", &a[0])?.next_chunk()
}

fn skip_lines(_: &mut Interp, a: &[Value]) -> R<Value> {
    let stream = stream_arg("skip-lines!", &a[0])?;
    let count = args::index("skip-lines!", &a[1])?;
    Ok(Value::Int(stream.skip(count as u64)? as i64))
}

fn in_chunks(_: &mut Interp, a: &[Value]) -> R<Value> {
    stream_arg("in-chunks", &a[0])?;
    Ok(a[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(text: &str, size: usize) -> ChunkStream {
        ChunkStream {
            source: "test".into(),
            lines_per_chunk: size,
            reader: RefCell::new(Some(Box::new(Cursor::new(text.as_bytes().to_vec())))),
        }
    }

    fn chunks(s: &ChunkStream) -> Vec<String> {
        std::iter::from_fn(|| match s.next_chunk().ok()? {
            Value::Eof => None,
            v => Some(crate::value::print::write_string(&v)),
        })
        .collect()
    }

    #[test]
    fn lines_are_grouped_without_terminators() {
        let s = stream("a\nb\r\nc\n\nd", 2);
        assert_eq!(chunks(&s), vec![r#"("a" "b")"#, r#"("c" "")"#, r#"("d")"#]);
        assert!(matches!(s.next_chunk().ok(), Some(Value::Eof)));
    }

    #[test]
    fn empty_input_has_no_chunks() {
        assert!(chunks(&stream("", 3)).is_empty());
    }

    #[test]
    fn skipping_counts_only_the_lines_there_are() {
        let s = stream("1\n2\n3\n4\n5\n", 2);
        assert_eq!(s.skip(3).ok(), Some(3));
        assert_eq!(chunks(&s), vec![r#"("4" "5")"#]);
        assert_eq!(s.skip(10).ok(), Some(0));
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        let s = ChunkStream {
            source: "test".into(),
            lines_per_chunk: 5,
            reader: RefCell::new(Some(Box::new(Cursor::new(b"ok\n\xff\xfebad\n".to_vec())))),
        };
        assert_eq!(chunks(&s), vec!["(\"ok\" \"\u{fffd}\u{fffd}bad\")"]);
    }
}
