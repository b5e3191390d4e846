//! Running commands: echoing them, and teeing their output so test counts can be read.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitStatus, Stdio};

use crate::Result;

/// A command with the tool PATH, run from the workspace root.
pub(crate) fn new(program: impl AsRef<OsStr>, path_env: &OsStr) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(crate::paths::root())
        .env("PATH", path_env);
    command
}

/// `cargo` (the one running xtask) with the tool PATH, from the workspace root.
pub(crate) fn cargo(path_env: &OsStr) -> Command {
    new(
        std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        path_env,
    )
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs to completion with inherited output; an error names the command.
pub(crate) fn status(command: &mut Command) -> Result<ExitStatus> {
    println!("$ {}", describe(command));
    command
        .status()
        .map_err(|e| format!("cannot run `{}`: {e}", describe(command)).into())
}

/// Runs and requires success.
pub(crate) fn ok(command: &mut Command) -> Result {
    let status = status(command)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)).into())
    }
}

/// Runs with stdout both shown and captured (stderr is shown as is).
pub(crate) fn tee(command: &mut Command) -> Result<(ExitStatus, String)> {
    println!("$ {}", describe(command));
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", describe(command)))?;
    let mut captured = String::new();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            let _ = writeln!(out, "{line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    Ok((child.wait()?, captured))
}

/// The first line of a command's stdout, if it ran and succeeded.
pub(crate) fn version_of(program: impl AsRef<OsStr>, arg: &str) -> Option<String> {
    let output = Command::new(program).arg(arg).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.lines().next().unwrap_or("").trim().to_owned())
}
