//! Sniffing: cheap tests that tell which rendering a line belongs to
//! (an HTML table, a GFM pipe table, tab-flattened or space-aligned rows),
//! without building anything. Every line of every document is asked, so
//! each test looks at bytes first. The builders start from these tests;
//! `segment` uses them to find forms without a title.

use crate::fast::search::{contains_char, find_ci};
use crate::text::lines::Line;
use unicode_width::UnicodeWidthChar;

/// True for a line that opens an HTML table.
pub fn is_html_start(line: &str) -> bool {
    find_ci(line, "<table", 0).is_some()
}

/// True for a delimiter row (`|---|:--:|`): pipe-separated pieces that are
/// each dashes with optional alignment colons.
pub fn is_pipe_delimiter(line: &str) -> bool {
    let t = line.trim();
    if !t.contains('|') {
        return false;
    }
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').all(|piece| {
        let p = piece.trim();
        let p = p.strip_prefix(':').unwrap_or(p);
        let p = p.strip_suffix(':').unwrap_or(p);
        !p.is_empty() && p.bytes().all(|b| b == b'-')
    })
}

/// True for a line printed as a pipe row: `| … |`, not a delimiter row.
fn is_pipe_row(line: &str) -> bool {
    let t = line.trim();
    t.len() > 1 && t.starts_with('|') && t.ends_with('|') && !is_pipe_delimiter(t)
}

/// True when line `i` starts a pipe table: a header row followed by a
/// delimiter row (GFM), or — as OCR engines often print it — two `| … |`
/// rows with no delimiter row at all.
pub fn is_pipe_start(lines: &[Line<'_>], i: usize, skip: Option<usize>) -> bool {
    let Some(next) = lines.get(i + 1) else {
        return false;
    };
    let this = lines[i].text;
    Some(i + 1) != skip
        && ((this.contains('|') && !is_pipe_delimiter(this) && is_pipe_delimiter(next.text))
            || (is_pipe_row(this) && is_pipe_row(next.text)))
}

/// True for a line that is a tab-flattened table row.
pub fn is_tsv_row(line: &str) -> bool {
    // Blank means whitespace only: `trim` would also walk the line from its
    // end; this stops at the first character that is not a space.
    memchr::memchr(b'\t', line.as_bytes()).is_some() && !line.chars().all(char::is_whitespace)
}

/// One printed cell of a line: display columns `[start, end)` and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Splits a line into cells at runs of 2+ spaces or at U+3000. Returns the
/// cells and the line's display width (trailing spaces included).
pub fn pieces(line: &str) -> (Vec<Piece<'_>>, usize) {
    let mut out = Vec::new();
    let mut col = 0;
    // Current cell: byte start, display start, byte end, display end.
    let mut cur: Option<(usize, usize, usize, usize)> = None;
    // Whitespace run since the last non-space: ASCII spaces, saw U+3000.
    let mut run = (0usize, false);
    for (b, c) in line.char_indices() {
        let w = c.width().unwrap_or(0);
        if c == ' ' || c == '\u{3000}' {
            if c == ' ' {
                run.0 += 1;
            } else {
                run.1 = true;
            }
            col += w;
            continue;
        }
        let separated = run.0 >= 2 || run.1;
        match cur {
            Some((bs, cs, _, _)) if !separated => cur = Some((bs, cs, b + c.len_utf8(), col + w)),
            _ => {
                if let Some((bs, cs, be, ce)) = cur.take() {
                    out.push(Piece {
                        start: cs,
                        end: ce,
                        text: &line[bs..be],
                    });
                }
                cur = Some((b, col, b + c.len_utf8(), col + w));
            }
        }
        run = (0, false);
        col += w;
    }
    if let Some((bs, cs, be, ce)) = cur {
        out.push(Piece {
            start: cs,
            end: ce,
            text: &line[bs..be],
        });
    }
    (out, col)
}

/// True when `line` holds two spaces in a row or a U+3000, found with
/// `memchr` (`str::contains` builds a searcher per call).
pub fn has_cell_gap(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr_iter(b' ', bytes).any(|i| bytes.get(i + 1) == Some(&b' '))
        || contains_char(line, '\u{3000}')
}

/// True for a line that prints HTML table cells, rows or caption, or a
/// document's `<title>`: a title-like text inside a table is a cell (splitting
/// the form there would cut the table), and a `<title>` in an HTML head is
/// metadata that repeats the heading below it.
pub fn is_table_markup(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    ["<td", "<th", "<tr", "<table", "<caption", "<title"]
        .iter()
        .any(|t| {
            lower.match_indices(t).any(|(i, _)| {
                lower
                    .as_bytes()
                    .get(i + t.len())
                    .is_some_and(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
            })
        })
}

/// The first non-empty cell of each table row on a line: tab separated,
/// pipe separated, HTML rows (`<tr><td>…`, possibly many on one line), or
/// cells apart by two spaces or U+3000.
pub fn first_cells(line: &str) -> Vec<&str> {
    let nonblank = |c: &&str| !c.trim().is_empty();
    if line.contains('\t') {
        return line.split('\t').find(nonblank).into_iter().collect();
    }
    if line.contains('|') {
        return line.split('|').find(nonblank).into_iter().collect();
    }
    // ASCII lower-casing keeps byte offsets.
    let lower = line.to_ascii_lowercase();
    if lower.contains("<td") || lower.contains("<th") {
        let mut out = Vec::new();
        let mut starts: Vec<usize> = lower.match_indices("<tr").map(|(i, _)| i).collect();
        if starts.is_empty() {
            starts.push(0);
        }
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).copied().unwrap_or(line.len());
            if let Some(cell) = first_html_cell(&line[from..to], &lower[from..to]) {
                out.push(cell);
            }
        }
        return out;
    }
    let (pieces, _) = pieces(line);
    if pieces.len() >= 2 {
        return pieces.first().map(|p| p.text).into_iter().collect();
    }
    Vec::new()
}

/// Text of the first `<td>`/`<th>` in `row` (`lower` is `row` lower-cased).
fn first_html_cell<'a>(row: &'a str, lower: &str) -> Option<&'a str> {
    // The first cell with text: as for tab-flattened rows, an empty cell
    // before the label (a ruled margin column) is skipped.
    let mut from = 0;
    loop {
        let at = from
            + ["<td", "<th"]
                .iter()
                .filter_map(|t| lower[from..].find(t))
                .min()?;
        let start = at + lower[at..].find('>')? + 1;
        let end = ["</t", "<td", "<th", "<tr"]
            .iter()
            .filter_map(|t| lower[start..].find(t))
            .min()
            .map_or(row.len(), |e| start + e);
        let cell = row.get(start..end).map(str::trim)?;
        if !cell.is_empty() || end >= row.len() {
            return Some(cell);
        }
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_gaps_are_found_as_contains_finds_them() {
        let pieces = [
            " ", "  ", "a", "中", "\u{3000}", "、", "\u{3001}", "\u{e3}", "。 ",
        ];
        let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..5_000 {
            let seed = rng.next();
            let line: String = (0..(seed % 10) as usize)
                .map(|k| pieces[((seed >> (k * 5)) as usize) % pieces.len()])
                .collect();
            let want = line.contains("  ") || line.contains('\u{3000}');
            assert_eq!(has_cell_gap(&line), want, "{line:?}");
        }
    }

    #[test]
    fn pieces_split_at_two_spaces_and_ideographic_space() {
        let (p, w) = pieces("项目名称  经费 20\u{a0}万元\u{3000}x  ");
        let t: Vec<(usize, usize, &str)> = p.iter().map(|p| (p.start, p.end, p.text)).collect();
        assert_eq!(
            t,
            vec![
                (0, 8, "项目名称"),
                (10, 22, "经费 20\u{a0}万元"),
                (24, 25, "x")
            ]
        );
        assert_eq!(w, 27);
    }

    #[test]
    fn first_cells_of_rows() {
        assert_eq!(first_cells("\t\ta\tb"), vec!["a"]);
        assert_eq!(first_cells("|  | a | b |"), vec![" a "]);
        assert_eq!(
            first_cells("<tr><td colspan=2><b>a</b></td><td>b"),
            vec!["<b>a</b>"]
        );
        assert_eq!(first_cells("<tr><th>a<td>b"), vec!["a"]);
        // An empty margin cell before the label is skipped, as in a tab row.
        assert_eq!(
            first_cells("<tr><td></td><td colspan=2>a</td><td>b"),
            vec!["a"]
        );
        assert!(first_cells("<tr><td></td><td> </td></tr>").is_empty());
        assert_eq!(
            first_cells("<table><tr><td>a</td><td>b</td></tr><tr><td>c<td>d</table>"),
            vec!["a", "c"]
        );
        assert_eq!(first_cells("  a  b"), vec!["a"]);
        assert!(first_cells("a b").is_empty());
    }
}
