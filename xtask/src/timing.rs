//! Wall time of each step of a run, printed as each ends and as a table at the end.

use std::time::{Duration, Instant};

/// The steps timed so far, in order.
#[derive(Default)]
pub(crate) struct StepTimes {
    steps: Vec<(String, Duration)>,
}

impl StepTimes {
    /// Runs `work` as step `step`, and says how long it took.
    pub(crate) fn time<T>(&mut self, step: &str, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let outcome = work();
        let took = started.elapsed();
        println!("xtask: {step} took {}", minutes(took));
        self.steps.push((step.to_owned(), took));
        outcome
    }

    /// The table of every step's minutes and their total.
    pub(crate) fn table(&self) -> String {
        table(&self.steps)
    }
}

/// `2.35 min`.
pub(crate) fn minutes(took: Duration) -> String {
    format!("{:.2} min", took.as_secs_f64() / 60.0)
}

/// One line per step, then the total, in minutes.
fn table(steps: &[(String, Duration)]) -> String {
    let width = steps
        .iter()
        .map(|(name, _)| name.len())
        .chain(["total".len()])
        .max()
        .unwrap_or(0);
    let row = |name: &str, took: Duration| {
        format!("  {name:<width$}  {:>7.2}\n", took.as_secs_f64() / 60.0)
    };
    let mut text = format!("  {:<width$}  {:>7}\n", "step", "minutes");
    for (name, took) in steps {
        text.push_str(&row(name, *took));
    }
    let total = steps.iter().map(|(_, took)| *took).sum();
    text.push_str(&row("total", total));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lists_each_step_and_the_total_in_minutes() {
        let steps = [
            ("setup".to_owned(), Duration::from_secs(3)),
            ("native".to_owned(), Duration::from_secs(150)),
            ("e2e".to_owned(), Duration::from_secs(612)),
        ];
        assert_eq!(
            table(&steps),
            "  step    minutes\n\
             \x20 setup      0.05\n\
             \x20 native     2.50\n\
             \x20 e2e       10.20\n\
             \x20 total     12.75\n"
        );
    }

    #[test]
    fn no_steps_is_a_total_of_zero() {
        assert_eq!(table(&[]), "  step   minutes\n  total     0.00\n");
    }

    #[test]
    fn minutes_have_two_decimals() {
        assert_eq!(minutes(Duration::from_secs(90)), "1.50 min");
        assert_eq!(minutes(Duration::from_millis(200)), "0.00 min");
    }

    #[test]
    fn each_step_is_recorded_with_its_result() {
        let mut times = StepTimes::default();
        assert_eq!(times.time("lint", || 7), 7);
        assert!(times.table().contains("  lint "));
    }
}
