//! The command line's progress bars: one look for generate, import and copy.

use anyhow::Context;
use indicatif::{ProgressState, ProgressStyle};

/// `template` with `{rate}`: whole units a second with thousands apart
/// ("34 120/s"); indicatif's own `{per_sec}` prints four decimals of a
/// rate in the tens of thousands.
pub fn style(template: &str) -> anyhow::Result<ProgressStyle> {
    Ok(ProgressStyle::with_template(template)
        .context("the progress bar's template")?
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}/s", whole(state.per_sec()));
            },
        ))
}

/// A rate as a whole number, thousands separated by a thin space (not
/// indicatif's `HumanCount`, whose "34,120" reads as 34.12 in the Russian
/// import's bar).
fn whole(rate: f64) -> String {
    let digits = if rate.is_finite() && rate > 0.0 {
        format!("{:.0}", rate)
    } else {
        "0".to_string()
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::whole;

    #[test]
    fn a_rate_is_whole_with_thousands_apart() {
        assert_eq!(whole(0.0), "0");
        assert_eq!(whole(f64::NAN), "0");
        assert_eq!(whole(7.4), "7");
        assert_eq!(whole(999.6), "1\u{202f}000");
        assert_eq!(whole(34_120.43), "34\u{202f}120");
        assert_eq!(whole(1_234_567.0), "1\u{202f}234\u{202f}567");
    }
}
