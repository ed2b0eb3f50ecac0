//! Progress on stderr while the demo waits: a spinner with elapsed time on a terminal, a row of dots
//! otherwise (so logs of CI runs still show that something was happening).

use std::{
    future::Future,
    io::{IsTerminal, Write},
    time::{Duration, Instant},
};

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Runs `fut` while showing `label` with a spinner (terminal) or dots (pipe) on stderr; the line is
/// cleared (terminal) or ended (pipe) when `fut` finishes. Returns its output and how long it took.
pub(super) async fn wait<T>(label: &str, fut: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let tick = if tty {
        Duration::from_millis(80)
    } else {
        Duration::from_millis(200)
    };
    let ticker = async {
        let mut frame = 0usize;
        if !tty {
            eprint!("      {label} ");
        }
        loop {
            if tty {
                eprint!(
                    "\r      {} {label} ({:.1} s)",
                    FRAMES[frame % FRAMES.len()],
                    started.elapsed().as_secs_f64()
                );
            } else if frame > 0 {
                eprint!(".");
            }
            let _ = std::io::stderr().flush();
            frame += 1;
            tokio::time::sleep(tick).await;
        }
    };
    let out = tokio::select! {
        out = fut => out,
        () = ticker => unreachable!("the ticker never ends"),
    };
    if tty {
        eprint!("\r\x1b[2K");
    } else {
        eprintln!();
    }
    let _ = std::io::stderr().flush();
    (out, started.elapsed())
}
