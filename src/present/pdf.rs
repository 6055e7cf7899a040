//! Compile the Typst brief to PDF inside the program, with the typst crates: no typst CLI and no
//! system fonts needed. The compiler sees one folder (the brief's output folder, so `brief.typ`
//! finds `charts/*.svg`), the fonts embedded in this binary, and a fixed date taken from the spec,
//! so the same brief always gives the same PDF bytes.

use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::error::{Error, Result};

/// The fonts the brief may use: DejaVu Sans (the charts' family) and DejaVu Sans Mono for commands.
const FONTS: &[&[u8]] = &[
    include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-Oblique.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSans-BoldOblique.ttf"),
    include_bytes!("../../assets/fonts/DejaVuSansMono.ttf"),
];

/// The compiler's view of the world: one root folder, the embedded fonts, a fixed date.
struct BriefWorld {
    root: PathBuf,
    main: FileId,
    main_source: Source,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    date: Datetime,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a plain relative path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl BriefWorld {
    fn new(root: &Path, main_name: &str, main_text: String, date: Datetime) -> Self {
        let fonts: Vec<Font> = FONTS
            .iter()
            .flat_map(|data| Font::iter(Bytes::new(*data)))
            .collect();
        let main = file_id(main_name);
        BriefWorld {
            root: root.to_path_buf(),
            main,
            main_source: Source::new(main, main_text),
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            date,
        }
    }

    /// Read a file under the root; packages and paths leaving the root are refused.
    fn read(&self, id: FileId) -> FileResult<Vec<u8>> {
        let path = id.get();
        if !matches!(path.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        let real = path
            .vpath()
            .realize(&self.root)
            .map_err(FileError::Realize)?;
        std::fs::read(&real).map_err(|_| FileError::NotFound(real))
    }
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            return Ok(self.main_source.clone());
        }
        let text = String::from_utf8(self.read(id)?).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(self.main_source.clone()));
        }
        self.read(id).map(Bytes::new)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }
    // The document date is the spec's reference date, never the clock.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.date)
    }
}

/// "2026-06-30" → a typst date (the spec validated the format).
fn parse_date(reference_date: &str) -> Option<Datetime> {
    let mut parts = reference_date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    Datetime::from_ymd(y as i32, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
}

/// Compile `main_name` (already written in `root`) to PDF bytes. Errors name the Typst file and
/// line, with the compiler's message.
pub fn compile(
    root: &Path,
    main_name: &str,
    main_text: &str,
    reference_date: &str,
) -> Result<Vec<u8>> {
    let date = parse_date(reference_date).ok_or_else(|| Error::Output {
        path: root.join(main_name),
        message: format!("brief.reference_date \"{reference_date}\" is not a valid date"),
    })?;
    let world = BriefWorld::new(root, main_name, main_text.to_string(), date);
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| diagnostics_error(&world, errors.as_slice()))?;
    let options = PdfOptions {
        // A stable identifier and creation date: the same brief gives the same bytes.
        ident: typst::foundations::Smart::Custom(format!("vnr-brief/{main_name}")),
        timestamp: Some(Timestamp::new_utc(date)),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|errors| diagnostics_error(&world, errors.as_slice()))
}

fn diagnostics_error(world: &BriefWorld, errors: &[SourceDiagnostic]) -> Error {
    let mut lines = Vec::new();
    for e in errors.iter().filter(|e| e.severity == Severity::Error) {
        let location = e
            .span
            .id()
            .and_then(|id| {
                let source = world.source(id).ok()?;
                let range = world.range(e.span)?;
                let line = source.lines().byte_to_line(range.start)?;
                // The rendered .typ is not published when it fails, so quote the line itself.
                let text = source.text().lines().nth(line).unwrap_or("").trim();
                let text: String = text.chars().take(160).collect();
                Some(format!(
                    "{}:{} (`{text}`)",
                    id.get().vpath().get_without_slash(),
                    line + 1
                ))
            })
            .unwrap_or_else(|| "(no location)".into());
        let mut line = format!("{location}: {}", e.message);
        for hint in &e.hints {
            line.push_str(&format!(" (hint: {})", hint.v));
        }
        lines.push(line);
    }
    Error::Template {
        template: "typ/ (brief.typ compiled to brief.pdf)".into(),
        message: format!(
            "the Typst brief does not compile:\n  {}",
            lines.join("\n  ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_date("2026-06-30"), Datetime::from_ymd(2026, 6, 30));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-06"), None);
    }

    #[test]
    fn compiles_a_small_document_deterministically_and_names_errors() {
        let dir = tempfile::tempdir().unwrap();
        let text = "#set text(font: \"DejaVu Sans\")\n= Title\nHello *world* _x_.\n";
        let a = compile(dir.path(), "t.typ", text, "2026-06-30").unwrap();
        let b = compile(dir.path(), "t.typ", text, "2026-06-30").unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, b);
        let err = compile(
            dir.path(),
            "t.typ",
            "ok\n#image(\"missing.svg\")\n",
            "2026-06-30",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("t.typ:2"), "{err}");
        assert!(err.contains("missing.svg"), "{err}");
    }
}
