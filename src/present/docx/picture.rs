//! A chart as an inline picture: the PNG beside the SVG the Markdown names, scaled to the text
//! width with its aspect ratio, its alt text on the picture.

use std::path::{Component, Path};

use super::xml::escape;
use crate::error::Error;

/// Text width and the tallest picture allowed, in twips (A4 with 2 cm margins).
pub const TEXT_WIDTH: u32 = 11906 - 2 * 1134;
const MAX_PICTURE_HEIGHT: u32 = (16838 - 2 * 1134) * 9 / 10;
const EMU_PER_TWIP: u64 = 635;

pub fn image_error(message: String) -> Error {
    Error::Template {
        template: "md/ (brief.md, written as brief.docx)".into(),
        message,
    }
}

/// The PNG beside an image destination, if it is a plain relative path inside the folder.
pub fn png_path(dest: &str) -> Option<String> {
    let stem = dest
        .strip_suffix(".svg")
        .or_else(|| dest.strip_suffix(".png"))?;
    let path = Path::new(dest);
    let plain = path.components().all(|c| matches!(c, Component::Normal(_)));
    (plain && !dest.contains(':') && !dest.contains('\\')).then(|| format!("{stem}.png"))
}

/// The picture's size in EMU: the text width, the aspect ratio kept, no taller than the page.
pub fn extent(w: u32, h: u32) -> (u64, u64) {
    let (w, h) = (u64::from(w.max(1)), u64::from(h.max(1)));
    let width = u64::from(TEXT_WIDTH) * EMU_PER_TWIP;
    let max_height = u64::from(MAX_PICTURE_HEIGHT) * EMU_PER_TWIP;
    let height = width * h / w;
    if height <= max_height {
        (width, height)
    } else {
        (max_height * w / h, max_height)
    }
}

/// An inline picture (DrawingML) with its alt text as `descr`, on the picture and its frame.
pub fn drawing(id: u32, rel: &str, name: &str, alt: &str, cx: u64, cy: u64) -> String {
    let (alt, name) = (escape(alt), escape(name));
    format!(
        r#"<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{id}" name="Chart {id}" descr="{alt}"/><wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="{id}" name="{name}" descr="{alt}"/><pic:cNvPicPr><a:picLocks noChangeAspect="1"/></pic:cNvPicPr></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rel}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"#
    )
}
