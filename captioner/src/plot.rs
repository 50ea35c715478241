//! The training curves as a small SVG: train and dev loss (left axis) and dev BLEU-4 (right
//! axis) per epoch. Hand-written SVG: a few lines of text, no plotting dependency.

use crate::pipeline::EpochRecord;

pub fn training_svg(history: &[EpochRecord]) -> String {
    let (w, h, pad) = (640.0, 360.0, 50.0);
    let epochs = history.len().max(2) as f64;
    let max_loss =
        history.iter().flat_map(|r| [r.train_loss, r.dev_loss]).fold(0.0f32, f32::max).max(1e-3) as f64 * 1.1;
    let averaged: Vec<(usize, f64)> = history.iter().filter_map(|r| Some((r.epoch, r.averaged?.dev_bleu4))).collect();
    let max_bleu =
        history.iter().map(|r| r.dev_bleu4).chain(averaged.iter().map(|a| a.1)).fold(0.0, f64::max).max(1.0) * 1.1;
    let x = |epoch: usize| pad + (epoch as f64 - 1.0) / (epochs - 1.0) * (w - 2.0 * pad);
    let y = |v: f64, max: f64| h - pad - v / max * (h - 2.0 * pad);
    let styled = |values: &[(usize, f64)], max: f64, colour: &str, dashes: &str| {
        let points: Vec<String> = values.iter().map(|&(e, v)| format!("{:.1},{:.1}", x(e), y(v, max))).collect();
        format!("<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dashes}\" points=\"{}\"/>", points.join(" "))
    };
    let line = |values: Vec<(usize, f64)>, max: f64, colour: &str| styled(&values, max, colour, "none");
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n");
    svg += &format!("<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n");
    svg += &format!("<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\"/>\n", h - pad, w - pad, h - pad);
    svg += &format!("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">epoch</text>\n", w / 2.0, h - 15.0);
    svg += &format!("<text x=\"10\" y=\"20\">loss (max {max_loss:.2})</text><text x=\"{}\" y=\"20\" text-anchor=\"end\">dev BLEU-4 (max {max_bleu:.1})</text>\n", w - 10.0);
    svg += &line(history.iter().map(|r| (r.epoch, r.train_loss as f64)).collect(), max_loss, "#2f5bd3");
    svg += &line(history.iter().map(|r| (r.epoch, r.dev_loss as f64)).collect(), max_loss, "#d35f2f");
    svg += &line(history.iter().map(|r| (r.epoch, r.dev_bleu4)).collect(), max_bleu, "#2f9e44");
    svg += "\n<text x=\"60\" y=\"45\" fill=\"#2f5bd3\">train loss</text><text x=\"150\" y=\"45\" fill=\"#d35f2f\">dev loss</text><text x=\"230\" y=\"45\" fill=\"#2f9e44\">dev BLEU-4</text>\n";
    if !averaged.is_empty() {
        svg += &styled(&averaged, max_bleu, "#2f9e44", "6 4");
        svg += "\n<text x=\"330\" y=\"45\" fill=\"#2f9e44\">- - dev BLEU-4, mean of recent epochs' weights</text>\n";
    }
    svg += "</svg>\n";
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_polyline_per_curve() {
        let history = vec![
            EpochRecord { epoch: 1, train_loss: 4.0, dev_loss: 3.8, dev_bleu4: 10.0, averaged: None, seconds: 1.0 },
            EpochRecord { epoch: 2, train_loss: 3.0, dev_loss: 3.5, dev_bleu4: 14.0, averaged: None, seconds: 1.0 },
        ];
        let svg = training_svg(&history);
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn the_averaged_weights_get_a_dashed_curve() {
        use crate::pipeline::DevFigures;
        let averaged = Some(DevFigures { dev_loss: 3.4, dev_bleu4: 15.0 });
        let history = vec![
            EpochRecord { epoch: 1, train_loss: 4.0, dev_loss: 3.8, dev_bleu4: 10.0, averaged: None, seconds: 1.0 },
            EpochRecord { epoch: 2, train_loss: 3.0, dev_loss: 3.5, dev_bleu4: 14.0, averaged, seconds: 1.0 },
        ];
        let svg = training_svg(&history);
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert_eq!(svg.matches("stroke-dasharray=\"6 4\"").count(), 1);
    }
}
