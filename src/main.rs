//! The Hush web app entry point: it only mounts the app (see `lib.rs`).

#[cfg(target_arch = "wasm32")]
fn main() {
    hush::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the Hush web app runs in the browser: start it with `cargo xtask run`");
}
