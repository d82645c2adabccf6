//! The `polder` command line, built inside the test crate so integration tests can start it
//! as a real process (cargo gives a package's tests only that package's own binaries).

fn main() -> std::process::ExitCode {
    polder::cli::main()
}
