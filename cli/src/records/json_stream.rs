//! A JSON file of records, read one record at a time: either one object, or
//! a top-level array whose elements (objects) are cut out one by one by
//! scanning for the end of each (strings and nesting tracked), never the
//! whole array at once. The records themselves are parsed by core.

use std::io::BufRead;

/// What went wrong, with the record number (from 1) it happened in or after.
#[derive(Debug)]
pub struct StreamError {
    /// The record.
    pub record: u64,
    /// What, one line.
    pub message: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Start,
    /// Inside the array, before its first element.
    ArrayFirst,
    /// Inside the array, after an element.
    ArrayNext,
    /// After the single object or the array's `]`.
    Trailing,
    Done,
}

/// Records of a JSON file.
pub struct JsonRecords<R> {
    reader: R,
    state: State,
    records: u64,
    max: usize,
    array: bool,
}

impl<R: BufRead> JsonRecords<R> {
    /// Reads `reader`, refusing a record longer than `max` bytes.
    pub fn new(reader: R, max: usize) -> JsonRecords<R> {
        JsonRecords {
            reader,
            state: State::Start,
            records: 0,
            max,
            array: false,
        }
    }

    /// Whether the file is an array of records (known after the first call of `next`).
    pub fn is_array(&self) -> bool {
        self.array
    }

    fn fail<T>(&self, record: u64, message: impl Into<String>) -> Result<T, StreamError> {
        Err(StreamError {
            record,
            message: message.into(),
        })
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, StreamError> {
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) => return self.fail(self.records.max(1), format!("cannot read: {e}")),
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            let ws = chunk
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            let found = chunk.get(ws).copied();
            self.reader.consume(ws);
            if found.is_some() {
                return Ok(found);
            }
        }
    }

    /// The next record's JSON text in `buf`; its number (from 1), or `None` at the end.
    pub fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<u64>, StreamError> {
        buf.clear();
        loop {
            match self.state {
                State::Start => match self.peek_non_ws()? {
                    Some(b'{') => {
                        self.state = State::Trailing;
                        return self.read_object(buf).map(Some);
                    }
                    Some(b'[') => {
                        self.reader.consume(1);
                        self.array = true;
                        self.state = State::ArrayFirst;
                    }
                    Some(_) => {
                        return self.fail(
                            1,
                            "invalid JSON: the file holds neither a JSON object nor an array of records",
                        );
                    }
                    None => return self.fail(1, "invalid JSON: the file is empty"),
                },
                State::ArrayFirst => match self.peek_non_ws()? {
                    Some(b']') => {
                        self.reader.consume(1);
                        self.state = State::Trailing;
                    }
                    Some(_) => {
                        self.state = State::ArrayNext;
                        return self.read_object(buf).map(Some);
                    }
                    None => return self.fail(1, "invalid JSON: the array is never closed"),
                },
                State::ArrayNext => match self.peek_non_ws()? {
                    Some(b',') => {
                        self.reader.consume(1);
                        return self.read_object(buf).map(Some);
                    }
                    Some(b']') => {
                        self.reader.consume(1);
                        self.state = State::Trailing;
                    }
                    Some(_) => {
                        return self.fail(
                            self.records,
                            "invalid JSON: expected ',' or ']' after this record",
                        );
                    }
                    None => {
                        return self.fail(self.records, "invalid JSON: the array is never closed");
                    }
                },
                State::Trailing => {
                    if self.peek_non_ws()?.is_some() {
                        return self.fail(
                            self.records,
                            "invalid JSON: more data after the end of the document",
                        );
                    }
                    self.state = State::Done;
                }
                State::Done => return Ok(None),
            }
        }
    }

    /// Reads one object (the next non-whitespace byte must be `{`).
    fn read_object(&mut self, buf: &mut Vec<u8>) -> Result<u64, StreamError> {
        self.records += 1;
        let number = self.records;
        match self.peek_non_ws()? {
            Some(b'{') => {}
            Some(_) => return self.fail(number, "invalid JSON: the record is not a JSON object"),
            None => return self.fail(number, "invalid JSON: the array is never closed"),
        }
        let (mut depth, mut in_string, mut escaped) = (0u64, false, false);
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) => return self.fail(number, format!("cannot read: {e}")),
            };
            if chunk.is_empty() {
                return self.fail(number, "invalid JSON: the file ends inside this record");
            }
            let mut end = None;
            for (i, &b) in chunk.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let take = end.unwrap_or(chunk.len());
            if buf.len() + take > self.max {
                return self.fail(
                    number,
                    format!(
                        "the record is larger than {} bytes (--max-record-bytes)",
                        self.max
                    ),
                );
            }
            buf.extend_from_slice(&chunk[..take]);
            self.reader.consume(take);
            if end.is_some() {
                return Ok(number);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn all(text: &str) -> Result<(bool, Vec<String>), String> {
        let mut r = JsonRecords::new(text.as_bytes(), 1000);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            match r.next(&mut buf) {
                Ok(Some(_)) => out.push(String::from_utf8(buf.clone()).unwrap()),
                Ok(None) => return Ok((r.is_array(), out)),
                Err(e) => return Err(format!("{}: {}", e.record, e.message)),
            }
        }
    }

    #[test]
    fn objects_and_arrays() {
        assert_eq!(
            all(" {\"a\":\"}]\\\"\"} \n").unwrap(),
            (false, vec!["{\"a\":\"}]\\\"\"}".to_owned()])
        );
        assert_eq!(
            all("[{\"a\":[1,{}]},\n {\"b\":2}]").unwrap(),
            (
                true,
                vec!["{\"a\":[1,{}]}".to_owned(), "{\"b\":2}".to_owned()]
            )
        );
        assert_eq!(all("[ ]").unwrap(), (true, vec![]));
    }

    #[test]
    fn malformed() {
        assert!(all("").unwrap_err().contains("empty"));
        assert!(all("[{\"a\":1} {\"b\":2}]").unwrap_err().starts_with("1: "));
        assert!(all("[{\"a\":1},3]").unwrap_err().starts_with("2: "));
        assert!(all("[{\"a\":1}").unwrap_err().contains("never closed"));
        assert!(all("{\"a\":1} x").unwrap_err().contains("more data"));
        assert!(all("[{\"a\":\"").unwrap_err().contains("ends inside"));
        let big = format!("[{{\"a\":\"{}\"}}]", "x".repeat(2000));
        assert!(all(&big).unwrap_err().contains("larger than 1000"));
    }
}
