//! Lines: a document split into numbered source lines, the unit every
//! later stage points back to (provenance is a line number).

/// One source line, 1-based.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    pub no: usize,
    pub text: &'a str,
}

/// Splits text into lines, accepting `\n`, `\r\n` and lone `\r`.
pub fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut no = 1;
    let mut rest = text;
    while !rest.is_empty() {
        let end = memchr::memchr2(b'\n', b'\r', rest.as_bytes()).unwrap_or(rest.len());
        lines.push(Line {
            no,
            text: &rest[..end],
        });
        no += 1;
        rest = &rest[end..];
        if rest.starts_with("\r\n") {
            rest = &rest[2..];
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_accept_crlf_and_cr() {
        let l = split_lines("a\r\nb\rc\nd");
        let texts: Vec<&str> = l.iter().map(|l| l.text).collect();
        assert_eq!(texts, vec!["a", "b", "c", "d"]);
        assert_eq!(l[3].no, 4);
    }
}
