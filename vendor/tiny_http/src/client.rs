use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufReader, BufWriter, ErrorKind, Read};

use std::net::SocketAddr;
use std::str::FromStr;

use crate::common::{HTTPVersion, Method};
use crate::util::RefinedTcpStream;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // [tessera patch 2] limits on request heads
    limits: crate::HttpLimits,
}

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    WrongRequestLine,
    WrongHeader(HTTPVersion),
    /// the client sent an unrecognized `Expect` header
    ExpectationFailed(HTTPVersion),
    ReadIoError(IoError),
    /// [tessera patch 2] the request line is longer than the limit (414)
    RequestLineTooLong,
    /// [tessera patch 2] a header line, the header count or the head is over its limit (431)
    HeadersTooLarge(HTTPVersion),
    /// [tessera patch 2] the head was not complete within the head timeout (408)
    HeadTimeout,
}

/// [tessera patch 2] Why a head line could not be read.
enum LineError {
    TooLong,
    Timeout,
    /// A bare LF, a non-ASCII byte, or the end of the stream.
    Malformed,
    Io(IoError),
}

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    #[allow(dead_code)] // [tessera patch 2] the server now calls `with_limits`
    pub fn new(write_socket: RefinedTcpStream, read_socket: RefinedTcpStream) -> ClientConnection {
        Self::with_limits(write_socket, read_socket, crate::HttpLimits::default())
    }

    /// [tessera patch 2] Like `new`, with explicit limits on request heads.
    pub fn with_limits(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        limits: crate::HttpLimits,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            limits,
        }
    }

    /// true if the connection is HTTPS
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// [tessera patch 2] Reads one head line of at most `max` bytes, ending in CRLF, before
    /// `deadline` (checked every few bytes, since a slow client sends a byte per read).
    /// `started` says whether the head has begun (an idle keep-alive connection has no deadline
    /// before its first byte; the read timeout covers it).
    fn read_head_line(
        &mut self,
        max: usize,
        deadline: &mut Option<std::time::Instant>,
    ) -> Result<AsciiString, LineError> {
        let mut buf = Vec::new();
        let mut prev_byte_was_cr = false;
        loop {
            let byte = match self.next_header_source.by_ref().bytes().next() {
                Some(Ok(b)) => b,
                Some(Err(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(LineError::Timeout)
                }
                Some(Err(e)) => return Err(LineError::Io(e)),
                None => return Err(LineError::Malformed),
            };
            let deadline = *deadline.get_or_insert_with(|| {
                std::time::Instant::now() + self.limits.head_timeout
            });
            if buf.len() % 8 == 0 && std::time::Instant::now() > deadline {
                return Err(LineError::Timeout);
            }
            if byte == b'\n' {
                if !prev_byte_was_cr {
                    // RFC 9112 lets a server reject a bare LF; accepting it is how framing
                    // differences between proxies and servers start.
                    return Err(LineError::Malformed);
                }
                buf.pop(); // removing the '\r'
                return AsciiString::from_ascii(buf).map_err(|_| LineError::Malformed);
            }
            prev_byte_was_cr = byte == b'\r';
            buf.push(byte);
            if buf.len() > max {
                return Err(LineError::TooLong);
            }
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        let mut deadline = None;
        let (method, path, version, headers) = {
            let line_error = |e: LineError| match e {
                LineError::Timeout => ReadError::HeadTimeout,
                LineError::Io(e) => ReadError::ReadIoError(e),
                LineError::Malformed | LineError::TooLong => ReadError::WrongRequestLine,
            };

            // reading the request line
            let (method, path, version) = {
                let max = self.limits.max_request_line;
                let line = match self.read_head_line(max, &mut deadline) {
                    Err(LineError::TooLong) => return Err(ReadError::RequestLineTooLong),
                    other => other.map_err(line_error)?,
                };

                parse_request_line(
                    line.as_str().trim(), // TODO: remove this conversion
                )?
            };

            // getting all headers
            let headers = {
                let mut headers: Vec<crate::Header> = Vec::new();
                let mut head_bytes = 0usize;
                loop {
                    let max = self.limits.max_header_line;
                    let line = match self.read_head_line(max, &mut deadline) {
                        Err(LineError::TooLong) => return Err(ReadError::HeadersTooLarge(version)),
                        Err(LineError::Malformed) => return Err(ReadError::WrongHeader(version)),
                        other => other.map_err(line_error)?,
                    };

                    if line.is_empty() {
                        break;
                    };
                    head_bytes += line.len() + 2;
                    if headers.len() >= self.limits.max_headers
                        || head_bytes > self.limits.max_head_bytes
                    {
                        return Err(ReadError::HeadersTooLarge(version));
                    }
                    headers.push(match FromStr::from_str(line.as_str().trim()) {
                        // TODO: remove this conversion
                        Ok(h) => h,
                        _ => return Err(ReadError::WrongHeader(version)),
                    });
                }

                headers
            };

            // [tessera patch 3] RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host.
            let hosts = headers.iter().filter(|h| h.field.equiv("Host")).count();
            if (version == HTTPVersion(1, 1) && hosts != 1) || hosts > 1 {
                return Err(ReadError::WrongHeader(version));
            }

            (method, path, version, headers)
        };

        let head_deadline = deadline;

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request_with_limits(
            self.secure,
            method,
            path,
            version.clone(),
            headers,
            *self.remote_addr.as_ref().unwrap(),
            data_source,
            writer,
            self.limits.max_eager_body,
            head_deadline,
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::ExpectationFailed(version)
                }
                request::RequestCreationError::BadFraming => ReadError::WrongHeader(version),
            }
        })?;

        // return the request
        Ok(request)
    }
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        use crate::{Response, StatusCode};

        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        loop {
            let rq = match self.read() {
                Err(ReadError::WrongRequestLine) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(400));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, None)
                        .ok();
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::WrongHeader(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(400));
                    response.raw_print(writer, ver, &[], false, None).ok();
                    return None; // we don't know where the next request would start,
                                 // se we have to close
                }

                Err(ReadError::ReadIoError(ref err)) if err.kind() == ErrorKind::TimedOut => {
                    // request timeout
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(408));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, None)
                        .ok();
                    return None; // closing the connection
                }

                // [tessera patch 2] over-long or slow heads: answer and close
                Err(ReadError::RequestLineTooLong) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(414));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, None)
                        .ok();
                    return None;
                }

                Err(ReadError::HeadersTooLarge(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(431));
                    response.raw_print(writer, ver, &[], false, None).ok();
                    return None;
                }

                Err(ReadError::HeadTimeout) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(408));
                    response
                        .raw_print(writer, HTTPVersion(1, 1), &[], false, None)
                        .ok();
                    return None;
                }

                Err(ReadError::ExpectationFailed(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(417));
                    response.raw_print(writer, ver, &[], true, None).ok();
                    return None; // TODO: should be recoverable, but needs handling in case of body
                }

                Err(ReadError::ReadIoError(_)) => return None,

                Ok(rq) => rq,
            };

            // checking HTTP version
            if *rq.http_version() > (1, 1) {
                // [tessera patch 6] Answer through the request's own writer. Upstream took the
                // next writer while `rq` still held this one, and the sequential writers then
                // waited for each other forever: every such request pinned a thread for good
                // (found by the fuzz target). We cannot parse what follows, so close.
                let response = Response::from_string(
                    "This server only supports HTTP versions 1.0 and 1.1".to_owned(),
                )
                .with_status_code(StatusCode(505));
                let writer = rq.into_writer();
                response
                    .raw_print(writer, HTTPVersion(1, 1), &[], false, None)
                    .ok();
                return None;
            }

            // updating the status of the connection
            let connection_header = rq
                .headers()
                .iter()
                .find(|h| h.field.equiv("Connection"))
                .map(|h| h.value.as_str());

            let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

            match lowercase {
                Some(ref val) if val.contains("close") => self.no_more_requests = true,
                Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
                Some(ref val)
                    if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
                {
                    self.no_more_requests = true
                }
                None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
                _ => (),
            };

            // [tessera patches 1 and 8] A body that was not read eagerly (longer than the eager
            // limit, sent after `100-continue`, or chunked) may not be read to its end by the
            // handler and is never drained: this connection cannot safely carry another request.
            let has_header = |name: &'static str| rq.headers().iter().any(|h| h.field.equiv(name));
            let lazy_body = match rq.body_length() {
                Some(len) => len > self.limits.max_eager_body || has_header("Expect"),
                None => has_header("Transfer-Encoding"),
            };
            if lazy_body {
                self.no_more_requests = true;
            }

            // returning the request
            return Some(rq);
        }
    }
}

/// Parses a "HTTP/1.1" string.
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    let (major, minor) = match version {
        "HTTP/0.9" => (0, 9),
        "HTTP/1.0" => (1, 0),
        "HTTP/1.1" => (1, 1),
        "HTTP/2.0" => (2, 0),
        "HTTP/3.0" => (3, 0),
        _ => return Err(ReadError::WrongRequestLine),
    };

    Ok(HTTPVersion(major, minor))
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
fn parse_request_line(line: &str) -> Result<(Method, String, HTTPVersion), ReadError> {
    let mut parts = line.split(' ');

    let method = parts.next().and_then(|w| w.parse().ok());
    let path = parts.next().map(ToOwned::to_owned);
    let version = parts.next().and_then(|w| parse_http_version(w).ok());

    method
        .and_then(|method| Some((method, path?, version?)))
        .ok_or(ReadError::WrongRequestLine)
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line("GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line("GET /hello").is_err());
        assert!(super::parse_request_line("qsd qsd qsd").is_err());
    }
}
