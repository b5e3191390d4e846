//! The suite's tally: checks and counted tests, passed and failed, and the closing lines.

use std::process::ExitStatus;

use crate::timing::StepTimes;
use crate::Result;

/// What passed and failed so far.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    failing_steps: Vec<String>,
}

impl Tally {
    /// A step that is one check (fmt, clippy).
    pub(crate) fn check(&mut self, name: &str, result: Result<ExitStatus>) {
        match result {
            Ok(status) if status.success() => self.passed += 1,
            Ok(status) => self.fail(name, format!("{status}")),
            Err(error) => self.fail(name, error.to_string()),
        }
    }

    /// A step whose tests are counted from its output. A step that fails without counting a
    /// failing test (it did not build, say), or that ran no test, counts as one failure.
    pub(crate) fn counted(
        &mut self,
        name: &str,
        result: Result<(ExitStatus, String)>,
        parse: fn(&str) -> Option<(u64, u64)>,
    ) {
        let (status, output) = match result {
            Ok(ran) => ran,
            Err(error) => return self.fail(name, error.to_string()),
        };
        let (passed, failed) = parse(&output).unwrap_or((0, 0));
        println!("xtask: {name}: {passed} passed, {failed} failed");
        self.passed += passed;
        self.failed += failed;
        if failed > 0 {
            self.failing_steps.push(name.to_owned());
        } else if !status.success() {
            self.fail(name, format!("{status}"));
        } else if passed == 0 {
            self.fail(name, "ran no test".to_owned());
        }
    }

    /// One failure of `name`, and why.
    pub(crate) fn fail(&mut self, name: &str, why: String) {
        eprintln!("xtask: {name} failed: {why}");
        self.failed += 1;
        self.failing_steps.push(name.to_owned());
    }

    /// Prints the time table, what failed, and `N passed, N failed` last.
    pub(crate) fn finish(self, times: &StepTimes) -> Result {
        println!();
        print!("{}", times.table());
        if !self.failing_steps.is_empty() {
            println!("failing: {}", self.failing_steps.join(", "));
        }
        println!("{} passed, {} failed", self.passed, self.failed);
        if self.failed == 0 {
            Ok(())
        } else {
            Err("some tests failed".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::counts::cargo_counts;

    #[test]
    fn a_step_that_fails_to_build_or_runs_nothing_counts_as_failed() {
        let mut tally = Tally::default();
        let failed = std::process::Command::new("false").status().unwrap();
        let ok = std::process::Command::new("true").status().unwrap();
        tally.counted("broken", Ok((failed, String::new())), cargo_counts);
        tally.counted("empty", Ok((ok, String::new())), cargo_counts);
        assert_eq!((tally.passed, tally.failed), (0, 2));
    }
}
