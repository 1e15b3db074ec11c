//! The lazily loaded line sequences that `--input NAME=PATH` binds in Python.
//!
//! A file is never read into memory as a whole: a first pass records the byte offset of every
//! thousandth line, and each access seeks to the nearest recorded line and reads forward. Lines
//! are split on `\n`, lose a trailing `\r` (CRLF files), and invalid UTF-8 is replaced.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use pyo3::exceptions::{PyIndexError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PySlice, PyString};

/// Lines between two recorded offsets: the index costs 8 bytes per this many lines.
const LINES_PER_MARK: usize = 1000;

struct LineIndex {
    /// `marks[k]` is the byte offset where line `k * LINES_PER_MARK` starts.
    marks: Vec<u64>,
    count: usize,
}

impl LineIndex {
    fn build(path: &Path) -> std::io::Result<LineIndex> {
        let mut file = File::open(path)?;
        let mut buf = vec![0u8; 1 << 20];
        let mut marks = vec![0u64];
        let mut count = 0usize;
        let mut offset = 0u64;
        let mut last_byte = b'\n';
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            for pos in memchr::memchr_iter(b'\n', &buf[..n]) {
                count += 1;
                if count % LINES_PER_MARK == 0 {
                    marks.push(offset + pos as u64 + 1);
                }
            }
            last_byte = buf[n - 1];
            offset += n as u64;
        }
        if last_byte != b'\n' {
            count += 1;
        }
        if marks.len() > count.div_ceil(LINES_PER_MARK).max(1) {
            marks.pop();
        }
        Ok(LineIndex { marks, count })
    }
}

/// A reader positioned at the start of line `next`.
struct Cursor {
    reader: BufReader<File>,
    next: usize,
}

/// A read-only sequence of a file's lines: `len()`, indexing, slicing, iteration and `in`.
#[pyclass(frozen, module = "rlmsh", name = "Lines")]
pub struct Lines {
    path: PathBuf,
    index: OnceLock<Result<LineIndex, String>>,
    cursor: Mutex<Option<Cursor>>,
}

impl Lines {
    pub fn new(path: PathBuf) -> Lines {
        Lines { path, index: OnceLock::new(), cursor: Mutex::new(None) }
    }

    fn index(&self, py: Python<'_>) -> PyResult<&LineIndex> {
        let built = self.index.get_or_init(|| {
            py.detach(|| LineIndex::build(&self.path).map_err(|e| format!("{}: {e}", self.path.display())))
        });
        built.as_ref().map_err(|e| PyOSError::new_err(e.clone()))
    }

    /// Reads the lines at the given ascending positions (all below the line count).
    fn read_lines(&self, py: Python<'_>, positions: &[usize]) -> PyResult<Vec<String>> {
        let Some(&first) = positions.first() else { return Ok(Vec::new()) };
        let index = self.index(py)?;
        let marks = &index.marks;
        py.detach(|| {
            let mut guard = self.cursor.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mark = first / LINES_PER_MARK;
            let reuse = matches!(&*guard, Some(c) if c.next <= first && c.next >= mark * LINES_PER_MARK);
            if !reuse {
                let mut reader = BufReader::with_capacity(64 * 1024, File::open(&self.path)?);
                reader.seek(SeekFrom::Start(marks[mark]))?;
                *guard = Some(Cursor { reader, next: mark * LINES_PER_MARK });
            }
            let cursor = guard.as_mut().expect("cursor was just set");
            let mut out = Vec::with_capacity(positions.len());
            let mut line = Vec::new();
            for &wanted in positions {
                while cursor.next < wanted {
                    line.clear();
                    cursor.reader.read_until(b'\n', &mut line)?;
                    cursor.next += 1;
                }
                line.clear();
                cursor.reader.read_until(b'\n', &mut line)?;
                cursor.next += 1;
                out.push(decode_line(&line));
            }
            Ok::<_, std::io::Error>(out)
        })
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", self.path.display())))
    }
}

fn decode_line(raw: &[u8]) -> String {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    String::from_utf8_lossy(raw).into_owned()
}

#[pymethods]
impl Lines {
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.index(py)?.count)
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let count = self.index(py)?.count;
        if let Ok(slice) = key.cast::<PySlice>() {
            let range = slice.indices(count as isize)?;
            let mut positions: Vec<usize> = (0..range.slicelength)
                .map(|k| (range.start + k as isize * range.step) as usize)
                .collect();
            let descending = range.step < 0;
            if descending {
                positions.reverse();
            }
            let mut lines = self.read_lines(py, &positions)?;
            if descending {
                lines.reverse();
            }
            return Ok(pyo3::types::PyList::new(py, lines)?.into_any().unbind());
        }
        let Ok(i) = key.cast::<PyInt>().and_then(|i| Ok(i.extract::<i64>())) else {
            return Err(PyTypeError::new_err(format!(
                "line indices must be integers or slices, not {}",
                key.get_type().name()?
            )));
        };
        let i = i.map_err(|_| PyIndexError::new_err("line index out of range"))?;
        let position = if i < 0 { i + count as i64 } else { i };
        if position < 0 || position >= count as i64 {
            return Err(PyIndexError::new_err("line index out of range"));
        }
        let line = self.read_lines(py, &[position as usize])?.pop().unwrap_or_default();
        Ok(PyString::new(py, &line).into_any().unbind())
    }

    fn __iter__(&self) -> PyResult<LineIterator> {
        let file = File::open(&self.path).map_err(|e| PyOSError::new_err(format!("{}: {e}", self.path.display())))?;
        Ok(LineIterator { reader: Mutex::new(Box::new(BufReader::with_capacity(64 * 1024, file))) })
    }

    fn __contains__(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(wanted) = item.cast::<PyString>() else { return Ok(false) };
        let wanted = wanted.to_string_lossy().into_owned();
        let iter = self.__iter__()?;
        py.detach(|| {
            let mut reader = iter.reader.lock().unwrap_or_else(|p| p.into_inner());
            while let Some(line) = next_line(&mut **reader)? {
                if line == wanted {
                    return Ok(true);
                }
            }
            Ok(false)
        })
    }

    fn __repr__(&self) -> String {
        format!("<lines of {}>", self.path.display())
    }
}

fn next_line(reader: &mut dyn BufRead) -> PyResult<Option<String>> {
    let mut line = Vec::new();
    let n = reader.read_until(b'\n', &mut line).map_err(|e| PyOSError::new_err(e.to_string()))?;
    Ok((n > 0).then(|| decode_line(&line)))
}

/// An iterator over lines, from a file or from standard input (`--input NAME=-`, which has no
/// `len()`: it may be a stream that never ends, like `tail -f`).
#[pyclass(frozen, module = "rlmsh", name = "LineIterator")]
pub struct LineIterator {
    reader: Mutex<Box<dyn BufRead + Send>>,
}

impl LineIterator {
    pub fn stdin() -> LineIterator {
        LineIterator { reader: Mutex::new(Box::new(BufReader::new(std::io::stdin()))) }
    }
}

#[pymethods]
impl LineIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<String>> {
        py.detach(|| {
            let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
            next_line(&mut **reader)
        })
    }
}
