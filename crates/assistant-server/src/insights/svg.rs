//! Server-rendered SVG charts for the insights page: no script, no inline style (the CSP allows
//! neither), colours by class from `assets/insights.css`. Each chart is an image whose name says what it
//! shows; the numbers are in the table that follows it (`tables`), so nothing is only in the picture.

use crate::console::esc;

const W: f64 = 720.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

fn open(label_id: &str, height: f64) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-labelledby=\"{label_id}\" \
         xmlns=\"http://www.w3.org/2000/svg\">"
    )
}

/// One bar per day (oldest left); `value` is 0–`max`, `label` the bar's tooltip, `axis` the top
/// value's words. Days without a value have no bar.
pub fn day_bars(
    label_id: &str,
    days: &[(String, Option<f64>, String)],
    max: f64,
    axis: &str,
) -> String {
    let mut s = open(label_id, H);
    let plot_w = W - LEFT - 8.0;
    let plot_h = H - TOP - BOTTOM;
    let n = days.len().max(1) as f64;
    let slot = plot_w / n;
    s.push_str(&format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{y0}\" x2=\"{x2}\" y2=\"{y0}\"/>\
         <line class=\"grid\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{x2}\" y2=\"{TOP}\"/>\
         <text class=\"tick\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{axis}</text>\
         <text class=\"tick\" x=\"{tx}\" y=\"{y0}\" text-anchor=\"end\">0</text>",
        y0 = TOP + plot_h,
        x2 = W - 8.0,
        tx = LEFT - 6.0,
        ty = TOP + 4.0,
        axis = esc(axis),
    ));
    for (i, (day, value, label)) in days.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        if let Some(v) = value {
            let h = if max > 0.0 {
                (v / max).clamp(0.0, 1.0) * plot_h
            } else {
                0.0
            };
            s.push_str(&format!(
                "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"><title>{t}</title></rect>",
                y = TOP + plot_h - h,
                w = slot * 0.7,
                t = esc(&format!("{day}: {label}")),
            ));
        }
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        s.push_str(&format!(
            "<text class=\"tick\" x=\"{LEFT}\" y=\"{y}\">{a}</text><text class=\"tick\" x=\"{x}\" y=\"{y}\" text-anchor=\"end\">{b}</text>",
            y = H - 8.0,
            x = W - 8.0,
            a = esc(&first.0),
            b = esc(&last.0),
        ));
    }
    s.push_str("</svg>");
    s
}

/// Horizontal stacked bars: one row per label, each segment (class, value) on a common scale `max`.
pub fn stacked_rows(label_id: &str, rows: &[(String, Vec<(&str, f64)>)], max: f64) -> String {
    let row_h = 22.0;
    let label_w = 220.0;
    let height = TOP + row_h * rows.len().max(1) as f64 + 8.0;
    let mut s = open(label_id, height);
    let plot_w = W - label_w - 16.0;
    for (i, (label, segments)) in rows.iter().enumerate() {
        let y = TOP + row_h * i as f64;
        s.push_str(&format!(
            "<text class=\"tick\" x=\"{x}\" y=\"{ty:.1}\" text-anchor=\"end\">{l}</text>",
            x = label_w - 6.0,
            ty = y + 15.0,
            l = esc(label),
        ));
        let mut x = label_w;
        for (class, v) in segments {
            let w = if max > 0.0 { v / max * plot_w } else { 0.0 };
            if w > 0.0 {
                s.push_str(&format!(
                    "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\"><title>{t}</title></rect>",
                    h = row_h - 6.0,
                    t = esc(&format!("{label}: {v}")),
                ));
            }
            x += w;
        }
    }
    s.push_str("</svg>");
    s
}
