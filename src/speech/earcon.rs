//! Earcons made in code: short tones that confirm an action without words, distinct in pitch
//! and shape so they can be told apart without looking (focus: one high blip; activate: two
//! rising notes; error: two falling low notes; alert: three rising high notes).

use kiosk_core::speech::Earcon;

pub const SAMPLE_RATE: u32 = 44_100;

/// The earcon as mono samples at [`SAMPLE_RATE`].
pub fn samples(earcon: Earcon) -> Vec<f32> {
    // (frequency in Hz, duration in ms) of each note
    let notes: &[(f32, u32)] = match earcon {
        Earcon::Focus => &[(1320.0, 40)],
        Earcon::Activate => &[(660.0, 50), (990.0, 60)],
        Earcon::Error => &[(330.0, 60), (220.0, 60)],
        Earcon::Alert => &[(1047.0, 35), (1319.0, 35), (1568.0, 45)],
    };
    notes.iter().flat_map(|&(frequency, ms)| note(frequency, ms)).collect()
}

fn note(frequency: f32, ms: u32) -> impl Iterator<Item = f32> {
    let len = SAMPLE_RATE * ms / 1000;
    // 5 ms fades so the notes start and end without a click
    let fade = (SAMPLE_RATE / 200) as f32;
    (0..len).map(move |i| {
        let t = i as f32 / SAMPLE_RATE as f32;
        let envelope = (i as f32 / fade).min((len - i) as f32 / fade).min(1.0);
        0.5 * envelope * (std::f32::consts::TAU * frequency * t).sin()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earcons_are_short_and_distinct() {
        let all = [Earcon::Focus, Earcon::Activate, Earcon::Error, Earcon::Alert].map(samples);
        for s in &all {
            let ms = s.len() as u32 * 1000 / SAMPLE_RATE;
            assert!((40..=120).contains(&ms), "{ms} ms");
            assert!(s.iter().all(|x| x.abs() <= 0.5));
        }
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| a != b));
        }
    }
}
