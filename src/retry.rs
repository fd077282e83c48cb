//! When to try a failed upload again: exponential backoff with jitter, so that a thousand
//! phones that lost the network together do not come back in the same second.

/// Automatic tries after the first, before the retry button is shown.
pub const AUTOMATIC_RETRIES: u32 = 3;
const FIRST_DELAY_MS: f64 = 1_000.0;
const LONGEST_DELAY_MS: f64 = 15_000.0;

/// The wait before retry number `retry` (0 for the first), given `random` in 0..1: half the
/// exponential delay for sure, the other half at random ("equal jitter").
pub fn delay_ms(retry: u32, random: f64) -> u32 {
    let ceiling = (FIRST_DELAY_MS * 2f64.powi(retry.min(16) as i32)).min(LONGEST_DELAY_MS);
    (ceiling / 2.0 + ceiling / 2.0 * random.clamp(0.0, 1.0)).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_their_jitter_and_are_capped() {
        assert_eq!((delay_ms(0, 0.0), delay_ms(0, 1.0)), (500, 1_000));
        assert_eq!((delay_ms(1, 0.0), delay_ms(1, 1.0)), (1_000, 2_000));
        assert_eq!((delay_ms(2, 0.5)), 3_000);
        assert_eq!(delay_ms(30, 1.0), 15_000);
        assert_eq!(delay_ms(0, 7.0), 1_000, "random is clamped");
    }
}
