//! SVG to PNG in pure Rust (resvg), its text drawn with the DejaVu Sans bundled in the
//! crate (`fonts/`, Bitstream Vera license), so a PNG looks the same on every machine
//! and needs no fonts installed.

use std::sync::Arc;

use resvg::{tiny_skia, usvg};

const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// How much larger than the SVG's pixels the PNG is drawn: sharp text on high-density
/// screens.
pub const SCALE: f32 = 2.0;

/// Renders an SVG document to PNG bytes.
pub fn render(svg: &str) -> Result<Vec<u8>, String> {
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(DEJAVU_SANS.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: Arc::new(fonts),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|err| format!("the SVG does not parse: {err}"))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(SCALE)
        .ok_or("the picture is empty")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| {
        format!(
            "a {}x{} picture is too large to draw",
            size.width(),
            size.height()
        )
    })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|err| format!("the PNG could not be encoded: {err}"))
}
