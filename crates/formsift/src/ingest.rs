//! Ingest: find the input files and turn their bytes into text.
//!
//! This is one of the two stages allowed to fail (the other is template
//! loading): an unreadable or undecodable input becomes an [`InputError`]
//! naming the file, and the batch goes on with the next one.
//!
//! Decoding detects the encoding (BOM, UTF-8, else chardetng's guess among
//! the legacy Chinese encodings) or takes the one named with `--encoding`;
//! bytes that do not decode cleanly are an error, never mojibake.

use crate::error::InputError;
use encoding_rs::{DecoderResult, Encoding};
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions picked up when a directory is given.
pub const EXTENSIONS: &[&str] = &["md", "markdown", "txt", "html", "htm"];

/// Expands the command-line paths into the list of inputs, in order:
/// files as given, directories walked recursively with entries sorted by
/// name, `-` kept as stdin. Directory entries that cannot be read are
/// returned as errors rather than silently skipped.
pub fn discover(paths: &[String]) -> (Vec<String>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(p.clone());
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            let (mut found, walk_errors) = walk_files(path, &has_known_extension);
            errors.extend(walk_errors.into_iter().map(|(dir, source)| InputError::Io {
                path: dir.to_string_lossy().into_owned(),
                source,
            }));
            found.sort();
            inputs.extend(found.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            inputs.push(p.clone());
        }
    }
    (inputs, errors)
}

/// Directory depth past which the walk stops (guards against link loops).
const MAX_DEPTH: usize = 64;

/// Files below `dir` for which `keep` holds, each directory's entries in
/// sorted order. Symlinked directories are not followed (a link loop must
/// not hang) and the walk stops `MAX_DEPTH` levels down. Directories that
/// cannot be read are returned with their error, not skipped silently.
pub fn walk_files(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    walk(dir, keep, &mut out, &mut errors, 0);
    (out, errors)
}

fn walk(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<(PathBuf, std::io::Error)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let is_link = std::fs::symlink_metadata(&path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if path.is_dir() {
            if !is_link {
                walk(&path, keep, out, errors, depth + 1);
            }
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Default largest input accepted (bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Decodes with the named encoding, or detects it when `None`.
pub fn decode_with(
    path_label: &str,
    bytes: Vec<u8>,
    encoding: Option<&'static Encoding>,
) -> Result<String, InputError> {
    match encoding {
        Some(enc) => decode_as(path_label, &bytes, enc),
        None => decode(path_label, bytes),
    }
}

/// Reads one input within the size limit (`-` is stdin).
pub fn read_bytes(path: &str, max: u64) -> Result<Vec<u8>, InputError> {
    let io = |source| InputError::Io {
        path: path.to_string(),
        source,
    };
    let too_large = |size| InputError::TooLarge {
        path: path.to_string(),
        size,
        max,
    };
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(max.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(io)?;
        if buf.len() as u64 > max {
            return Err(too_large(buf.len() as u64));
        }
        return Ok(buf);
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: path.to_string(),
        });
    }
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::with_capacity(meta.len() as usize + 1);
    // `take` guards against a file that grew since the metadata call.
    (&mut file)
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > max {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
}

/// The encoding named by a WHATWG label (`utf-8`, `gb18030`, `gbk`,
/// `utf-16le`, `big5`, …), case-insensitive.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Legacy encodings accepted when detected; anything else the detector
/// proposes (a single-byte code page, say) would only produce mojibake for
/// the forms this tool reads, so such a file is an error unless the encoding
/// is named with `--encoding`.
fn detected_ok(enc: &'static Encoding) -> bool {
    enc == encoding_rs::GBK
        || enc == encoding_rs::GB18030
        || enc == encoding_rs::BIG5
        || enc == encoding_rs::UTF_16LE
        || enc == encoding_rs::UTF_16BE
}

/// Decodes bytes, detecting the encoding:
/// 1. a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE);
/// 2. else UTF-16 without a BOM, when NUL bytes sit at every other position
///    (the high bytes of ASCII characters) and the bytes decode as UTF-16;
/// 3. else valid UTF-8 is UTF-8;
/// 4. else the detector (chardetng) guesses; GBK/GB18030 and Big5 guesses
///    are decoded strictly, and GB18030 is tried when the guess is something
///    else.
///
/// Bytes that none of these decode without a replacement character are an
/// error naming the file and the line of the first bad byte — never
/// mojibake. Empty (or whitespace-only) input is an error too.
pub fn decode(path_label: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        let body = bytes.get(bom_len..).unwrap_or(&[]);
        let text = strict(enc, body).map_err(|offset| InputError::Undecodable {
            path: path_label.to_string(),
            encoding: enc.name().to_string(),
            offset: offset + bom_len,
            line: line_of(body, offset),
        })?;
        return non_empty(path_label, text);
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::Empty {
            path: path_label.to_string(),
        });
    }
    if let Some(enc) = utf16_without_bom(&bytes) {
        if let Ok(text) = strict(enc, &bytes) {
            return non_empty(path_label, text);
        }
    }
    // SIMD validation (std's validator walks CJK text a byte at a time),
    // then one copy.
    if let Ok(s) = simdutf8::basic::from_utf8(&bytes) {
        return Ok(s.to_owned());
    }
    let utf8_error = std::str::from_utf8(&bytes)
        .err()
        .map_or(bytes.len(), |e| e.valid_up_to());
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(&bytes, true);
    let guess = detector.guess(None, false);
    let mut candidates = Vec::with_capacity(2);
    if detected_ok(guess) {
        candidates.push(guess);
    }
    if !candidates.contains(&encoding_rs::GB18030) && guess != encoding_rs::BIG5 {
        candidates.push(encoding_rs::GB18030);
    }
    for enc in candidates {
        if let Ok(text) = strict(enc, &bytes) {
            return non_empty(path_label, text);
        }
    }
    Err(InputError::Undetected {
        path: path_label.to_string(),
        offset: utf8_error,
        line: line_of(&bytes, utf8_error),
    })
}

/// Decodes bytes as `enc` (a BOM of that encoding is dropped), strictly: a
/// malformed sequence is an error naming the file and line.
pub fn decode_as(
    path_label: &str,
    bytes: &[u8],
    enc: &'static Encoding,
) -> Result<String, InputError> {
    let (body, bom_len) = match Encoding::for_bom(bytes) {
        Some((bom_enc, n)) if bom_enc == enc => (bytes.get(n..).unwrap_or(&[]), n),
        _ => (bytes, 0),
    };
    let text = strict(enc, body).map_err(|offset| {
        if enc == encoding_rs::UTF_8 {
            InputError::NotUtf8 {
                path: path_label.to_string(),
                offset: offset + bom_len,
                line: line_of(body, offset),
            }
        } else {
            InputError::Undecodable {
                path: path_label.to_string(),
                encoding: enc.name().to_string(),
                offset: offset + bom_len,
                line: line_of(body, offset),
            }
        }
    })?;
    non_empty(path_label, text)
}

/// UTF-16LE or BE without a BOM, told by its NUL bytes: text files hold no
/// NUL, but UTF-16 puts one beside every ASCII character (tabs, newlines,
/// digits), all on the same side of the pair.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192)];
    let pairs = head.len() / 2;
    // Text without NUL bytes (nearly all of it) is not UTF-16: one SIMD scan.
    if pairs < 8 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 10 >= pairs && even * 10 < odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs && odd * 10 < even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

fn non_empty(path_label: &str, text: String) -> Result<String, InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty {
            path: path_label.to_string(),
        });
    }
    Ok(text)
}

/// Decodes without replacement; on a malformed sequence, the byte offset
/// where it starts.
fn strict(enc: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(out),
        DecoderResult::Malformed(bad, after) => {
            Err(read.saturating_sub(bad as usize + after as usize))
        }
        // Cannot happen with the capacity asked for above; report the spot.
        DecoderResult::OutputFull => Err(read),
    }
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_and_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.md");
        std::fs::write(&p, vec![b'x'; 100]).unwrap();
        let err = read_bytes(p.to_str().unwrap(), 10).unwrap_err();
        assert_eq!(err.kind(), "too_large");
        assert!(err.to_string().contains("100 bytes"), "{err}");
        let err = read_bytes(dir.path().to_str().unwrap(), 10).unwrap_err();
        assert_eq!(err.kind(), "unreadable");
    }

    #[test]
    fn bom_is_dropped() {
        let s = decode("a", b"\xEF\xBB\xBFhello".to_vec()).unwrap();
        assert_eq!(s, "hello");
    }

    #[test]
    fn empty_and_whitespace_only_are_errors() {
        assert!(matches!(
            decode("e.md", Vec::new()),
            Err(InputError::Empty { .. })
        ));
        assert!(matches!(
            decode("e.md", b" \n\r\n".to_vec()),
            Err(InputError::Empty { .. })
        ));
    }

    /// 项目名称 (and a tab) in GBK.
    const GBK_LABEL: &[u8] = b"\xcf\xee\xc4\xbf\xc3\xfb\xb3\xc6\t";

    #[test]
    fn gbk_is_detected_and_decoded() {
        let mut bytes = b"# x\n".to_vec();
        for _ in 0..3 {
            bytes.extend_from_slice(GBK_LABEL);
            bytes.push(b'\n');
        }
        let s = decode("g.txt", bytes).unwrap();
        assert_eq!(s, "# x\n项目名称\t\n项目名称\t\n项目名称\t\n");
    }

    #[test]
    fn gb18030_four_byte_sequences_decode() {
        // "€ 项目" then U+00A0 (NBSP) which GBK lacks: 0x81 0x30 0x84 0x36 in GB18030.
        let (bytes, _, bad) = encoding_rs::GB18030.encode("项目名称\u{a0}经费 项目名称");
        assert!(!bad);
        let s = decode("g.txt", bytes.into_owned()).unwrap();
        assert_eq!(s, "项目名称\u{a0}经费 项目名称");
    }

    #[test]
    fn utf16_with_bom_both_byte_orders() {
        let text = "项目名称\t经费\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
            be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode("le.txt", le).unwrap(), text);
        assert_eq!(decode("be.txt", be).unwrap(), text);
    }

    #[test]
    fn utf16_without_bom_is_told_by_its_nul_bytes() {
        let text = "项目名称\t\t经费\n项目属性\t\t延续项目\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode("le.txt", le).unwrap(), text);
        assert_eq!(decode("be.txt", be).unwrap(), text);
        // Too short to tell; a few NULs in binary data do not make it UTF-16.
        assert_eq!(utf16_without_bom(&[0, 0xFF, 0xFE, 0x80, 0x41, 0x42]), None);
        assert_eq!(
            utf16_without_bom(b"a\0b\0c\0d\0e\0f\0g\0h\0"),
            Some(encoding_rs::UTF_16LE)
        );
        let bin: Vec<u8> = (0u8..=255).cycle().take(10_000).collect();
        assert_eq!(utf16_without_bom(&bin), None);
    }

    #[test]
    fn undecodable_bytes_name_file_and_line() {
        // 0xFF is no lead byte in UTF-8, GBK, GB18030 or Big5.
        let err = decode("bad.md", b"ok\nline two \xFF\xFF".to_vec()).unwrap_err();
        match &err {
            InputError::Undetected { path, offset, line } => {
                assert_eq!(path, "bad.md");
                assert_eq!(*offset, 12);
                assert_eq!(*line, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "bad.md: not valid UTF-8 (first bad byte at offset 12, line 2) and not GB18030/GBK/Big5 either; name the encoding with --encoding"
        );
    }

    #[test]
    fn forced_encoding_is_strict() {
        let mut bytes = b"ok\n".to_vec();
        bytes.extend_from_slice(GBK_LABEL);
        let err = decode_as("f.md", &bytes, encoding_rs::UTF_8).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::NotUtf8 {
                    offset: 3,
                    line: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            decode_as("f.md", &bytes, encoding_rs::GBK).unwrap(),
            "ok\n项目名称\t"
        );
        let err = decode_as("f.md", b"a\n\n\xFF", encoding_rs::GB18030).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.md: cannot decode as gb18030 (first bad byte at offset 3, line 3); name the encoding with --encoding"
        );
        // A BOM of the named encoding is dropped.
        assert_eq!(
            decode_as("f.md", b"\xEF\xBB\xBFhi", encoding_rs::UTF_8).unwrap(),
            "hi"
        );
    }

    #[test]
    fn encoding_labels() {
        assert_eq!(encoding_for_label("GB18030"), Some(encoding_rs::GB18030));
        assert_eq!(encoding_for_label(" gbk "), Some(encoding_rs::GBK));
        assert_eq!(encoding_for_label("utf8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for_label("klingon"), None);
    }

    #[test]
    fn bom_only_is_empty() {
        assert!(matches!(
            decode("e.md", b"\xEF\xBB\xBF \n".to_vec()),
            Err(InputError::Empty { .. })
        ));
    }

    #[test]
    fn discover_walks_directories_sorted_and_filters_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("b.md"), "x").unwrap();
        std::fs::write(d.join("a.txt"), "x").unwrap();
        std::fs::write(d.join("c.pdf"), "x").unwrap();
        std::fs::write(d.join("sub/z.html"), "x").unwrap();
        let (inputs, errors) = discover(&[d.to_string_lossy().into_owned()]);
        assert!(errors.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|p| {
                Path::new(p)
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a.txt", "b.md", "sub/z.html"]);
    }
}
