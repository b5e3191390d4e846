//! A real PostgreSQL for the tests, started by the tests themselves: one server per test
//! binary, a fresh database per test.
//!
//! - `HUSH_TEST_POSTGRES` set (`postgres://user@host:port`, no database name): that server is
//!   used (its user must be allowed to create databases); nothing is started or stopped.
//! - Otherwise the newest `/usr/lib/postgresql/*/bin` is run from a temporary directory
//!   (`hush-pg-<pid>-…` under the temp dir): `initdb` with trust authentication, then
//!   `postgres` listening on 127.0.0.1 only, on a free port, its socket in that directory. As
//!   root it runs as the `postgres` user (`runuser`). A watchdog shell started with it stops
//!   it and removes the directory once the test binary's process is gone, however the binary
//!   ended (a panic, SIGKILL); directories left by a watchdog that was killed too are removed,
//!   their server stopped, by the next run.
//! - No PostgreSQL: the PostgreSQL tests say so loudly on stderr and pass without running,
//!   except under `CI=true`, where they fail (`cargo xtask setup` installs it).
// Helpers, not tests: clippy.toml's test allowances do not reach them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How a test reaches the server: a base URL to append `/<database>` to.
static SERVER: OnceLock<Result<String, String>> = OnceLock::new();

/// Databases made by this process so far (their names must differ).
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// How long the server may take to accept connections after it is started.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A URL of a new, empty database for one test; `None` (after a loud note) if no PostgreSQL
/// is available outside CI. Under `CI=true` a missing PostgreSQL fails the test.
pub async fn database(test: &str) -> Option<String> {
    let base = match SERVER.get_or_init(start) {
        Ok(base) => base.clone(),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true") {
                panic!("PostgreSQL is required under CI=true, and {why}");
            }
            // Straight to stderr, not `eprintln!`: the test harness hides what a passing test
            // prints, and this must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPED {test}: no PostgreSQL ({why}).\n!!! Run `cargo xtask setup` to \
                 install it, or set HUSH_TEST_POSTGRES=postgres://user@host:port.\n"
            );
            return None;
        }
    };
    let n = DATABASES.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!("hush_{}_{n}_{nanos}", std::process::id());
    let (client, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {base}: {e}"));
    let driver = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
    Some(format!("{base}/{name}"))
}

/// Starts (or finds) the server; the error says why there is none.
fn start() -> Result<String, String> {
    if let Ok(url) = std::env::var("HUSH_TEST_POSTGRES") {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let bin = binaries().ok_or("no /usr/lib/postgresql/*/bin/postgres is installed")?;
    let root = std::env::temp_dir();
    remove_stale(&root);
    let as_postgres = is_root();
    let dir = root.join(format!(
        "hush-pg-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(dir.join("owner.pid"), std::process::id().to_string())
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    if as_postgres {
        run(Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir))?;
    }
    let data = dir.join("data");
    run(command(as_postgres, &bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]))?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    // The watchdog: runs the server, and stops it (then removes the directory) once this
    // process is gone. Tests need no durability: fsync is off.
    let script = format!(
        "'{postgres}' -D '{data}' -h 127.0.0.1 -p {port} -k '{dir}' -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 \
         -c shared_buffers=64MB >'{dir}/server.log' 2>&1 &
         server=$!
         while [ -d /proc/{parent} ] && kill -0 $server 2>/dev/null; do sleep 1; done
         kill -INT $server 2>/dev/null; wait $server; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        parent = std::process::id(),
    );
    command(as_postgres, Path::new("sh"))
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let started = Instant::now();
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if ready {
            return Ok(format!("postgres://postgres@127.0.0.1:{port}"));
        }
        if started.elapsed() > START_TIMEOUT {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!(
                "postgres did not start within {START_TIMEOUT:?}: {log}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The newest installed PostgreSQL's binaries.
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// `program` as the postgres user when running as root (initdb and postgres refuse root).
fn command(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Stops the servers and removes the directories of earlier runs whose process is gone (a
/// watchdog killed with its test binary).
fn remove_stale(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with("hush-pg-"));
        if !is_ours {
            continue;
        }
        let owner = std::fs::read_to_string(path.join("owner.pid")).unwrap_or_default();
        if Path::new("/proc").join(owner.trim()).is_dir() && !owner.trim().is_empty() {
            continue;
        }
        // The pid file's first line is the server's pid: stop it if it is still a postgres.
        if let Ok(pid) = std::fs::read_to_string(path.join("data/postmaster.pid")) {
            let pid = pid.lines().next().unwrap_or_default().trim().to_owned();
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if !pid.is_empty() && comm.trim() == "postgres" {
                let _ = Command::new("kill").args(["-INT", &pid]).status();
            }
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}
