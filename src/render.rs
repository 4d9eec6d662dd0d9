//! Renders compiler diagnostics for the terminal with ariadne; the only ariadne user.
//!
//! The output names the file, line and column, shows the source line and marks the exact
//! span of each label. Without colour the text is stable, which is what the snapshot tests
//! and piped output get.

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use lattice_compiler::{Diagnostic, Severity};

/// Renders every diagnostic of one file, in order, as one string.
pub fn render_diagnostics(path: &str, src: &str, diags: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    for diag in diags {
        render_one(path, src, diag, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(path: &str, src: &str, diag: &Diagnostic, color: bool, out: &mut Vec<u8>) {
    let (kind, tint) = match diag.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
    };
    let clamp = |span: lattice_compiler::Span| {
        let end = (span.end as usize).min(src.len());
        let start = (span.start as usize).min(end);
        start..end
    };
    let primary = clamp(diag.primary.span);
    let config = Config::default().with_color(color).with_index_type(IndexType::Byte);
    let mut report = Report::build(kind, (path, primary.clone()))
        .with_config(config)
        .with_code(diag.code)
        .with_message(&diag.message);
    let mut label = Label::new((path, primary)).with_color(tint);
    if !diag.primary.text.is_empty() {
        label = label.with_message(&diag.primary.text);
    }
    report = report.with_label(label);
    for secondary in &diag.secondary {
        let label =
            Label::new((path, clamp(secondary.span))).with_message(&secondary.text).with_color(Color::Blue);
        report = report.with_label(label);
    }
    for note in &diag.notes {
        report = report.with_note(note);
    }
    if let Some(help) = &diag.help {
        report = report.with_help(help);
    }
    // Writing into a Vec cannot fail; a failure would only lose this one report.
    let _ = report.finish().write((path, Source::from(src)), &mut *out);
}
